"""Text to structure: sections, paragraphs and sentences (paragraphs, structure) and words (words, pkuseg)."""
