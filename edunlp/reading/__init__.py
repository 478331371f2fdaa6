"""Files in: read a bulletin of any format and encoding as text (files), find the inputs of a batch (inputs), fold the text (normalize)."""
