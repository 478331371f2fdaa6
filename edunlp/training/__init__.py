"""Fitting the tagger (fit) and measuring it against baselines (evaluation)."""
