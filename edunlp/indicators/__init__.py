"""Numbers in the text: quantities, indicator rules (extract) and linking indicators to what they count."""
