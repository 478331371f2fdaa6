"""Labelled examples and the label set (examples), their exchange with annotation tools (annotation), and the noise and real-text helpers that grow the training corpus."""
