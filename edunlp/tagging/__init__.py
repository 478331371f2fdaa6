"""The model: the joint BERT network and its decoding (model), lexical features, the encoder, the Tagger that labels paragraphs, and the Hugging Face registration (hf)."""
