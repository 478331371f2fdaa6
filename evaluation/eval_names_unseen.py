"""Indicator names on real paragraphs the selector never saw: the names4 round.

    PYTHONPATH=. python evaluation/eval_names_unseen.py [--selector DIR]

Five annotators named the 3,602 quantities the rules find in 1,346 real paragraphs of the training
pool (`corpora/real/indicator_names.jsonl`, references into ../shared/realtext, built by
training/build_labelled.py). The shipped selector is fitted without them (training/README.md: adding
them did not help), so they are a second held-out reading of real text beside blind-dev and
blind-test: wider (business, technology, society), named by other hands. Prints the share of
quantities named as the annotator did (exact) and with a name they accept, for the rules' names and
the selector's (the shipped one, or the one saved in DIR).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from edunlp.corpus.realtext import realtext_dir
from edunlp.indicators.names import NameSelector, shipped_selector
from training.train_name_selector import MORE_NAMES, figures, named_quantities


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--selector", type=Path, help="a name selector saved in this folder, not the shipped one")
    args = parser.parse_args()
    if realtext_dir() is None:
        sys.exit("skipped: ../shared/realtext is absent, and the names4 paragraphs are references into it")
    selector = NameSelector.load(args.selector) if args.selector else shipped_selector()
    if selector is None:
        sys.exit(f"no name selector in {args.selector or 'edunlp/data'}")
    lists, golds, _ = named_quantities([MORE_NAMES])
    print(f"{len(lists)} named quantities of {MORE_NAMES.name} that the rules find")
    print(f"{'names':<10} {'exact':>7} {'accepted':>9}")
    for label, chosen in (("rules", [c[0] for c in lists]), ("selector", [selector.best(c) for c in lists])):
        exact, accepted = figures(chosen, golds)
        print(f"{label:<10} {exact:>7.3f} {accepted:>9.3f}")


if __name__ == "__main__":
    main()
