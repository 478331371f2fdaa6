"""Redo the end of `edunlp train` on a model whose weights are already trained.

    python training/finish_model.py --model runs/zh-real-b --data corpora/labelled/train.jsonl \
        corpora/real/train.jsonl corpora/written/train.jsonl \
        --dev corpora/blind/dev.jsonl corpora/labelled/dev.jsonl --test corpora/blind/test.jsonl

Fits the lexical half of the label scores, chooses its weight and the thresholds on dev, scores
dev and test beside the baselines and rewrites the card (`edunlp.training.fit.finish`); the weights
and the training history in `training.json` stay as they were. For weights trained before the
lexical labeller existed, or to try other training files for it without retraining the BERT.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

from edunlp.corpus.examples import read_examples
from edunlp.tagging.tagger import Tagger
from edunlp.training.fit import finish


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--data", nargs="+", required=True)
    parser.add_argument("--dev", nargs="+", required=True)
    parser.add_argument("--test", nargs="*", default=[])
    parser.add_argument("--no-lexical", action="store_true", help="thresholds and card only")
    args = parser.parse_args()
    tagger = Tagger.from_pretrained(args.model)
    summary = json.loads((args.model / "training.json").read_text(encoding="utf-8"))
    made = {k: summary[k] for k in ("base", "command", "data", "dev_data", "epochs_run", "best_epoch", "minutes",
                                    "seed", "word_boundaries", "learning_rates", "history") if k in summary}
    made["finished_by"] = shlex.join(["python", *sys.argv])
    # The files named here are the ones the lexical half and the thresholds were fitted on, and the ones
    # `edunlp evaluate` refits its TF-IDF baseline from (a GPU run trained on resolved copies of them).
    made["data"], made["dev_data"] = args.data, args.dev
    read = lambda paths: [e for path in paths for e in read_examples(path)]  # noqa: E731
    result = finish(tagger, read(args.data), read(args.dev), read(args.test), made, args.model,
                    lexical=not args.no_lexical)
    print(json.dumps(result["figures"], indent=2))


if __name__ == "__main__":
    main()
