"""Rewrite a trained model directory's config.json and model card by the current code.

    python training/write_metadata.py models/edunlp-zh-mini

For a model made before edunlp wrote them this way (model_type "edunlp", card metadata and
sections): the config is read and written back as an `EdunlpConfig`, and the card is written anew
from its training.json (`edunlp.training.fit.write_metadata`, the same code `edunlp train` uses):
front matter, intended use, training data, limitations, how it was made, the figures. The tables
per label, genre and entity that only the training run computed are carried over from the old
card unchanged. The weights, the tokenizer and the lexical labeller are left as they are.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from edunlp.training.fit import write_metadata


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models", nargs="+", type=Path, help="fine-tuned model directories")
    for path in parser.parse_args().models:
        write_metadata(path)
        print(f"{path}: config.json and README.md rewritten")


if __name__ == "__main__":
    main()
