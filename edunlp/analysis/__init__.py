"""Tagged output to tables (frames), the HTML report, and spaCy Docs and the spaCy factory (spacy_component)."""
