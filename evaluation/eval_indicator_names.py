"""Indicators of the rules path (`segment`, no model) against the blind sets' hand-written gold,
in seconds rather than the minutes of `edunlp evaluate`, with the names that miss listed.

Usage: python evaluation/eval_indicator_names.py [corpora/blind/dev.jsonl] [--errors] [--all]
       [--selector DIR]

Same pairing and figures as `edunlp evaluate` (edunlp.training.evaluation.indicator_gold_report),
for the rules' names and for the names of the learned selector (edunlp.indicators.names: the
shipped one, or the one saved in DIR); `--errors` prints each pair whose selected name is not
accepted (gold | variants | predicted | clause), `--all` every pair. Tune on blind-dev only;
blind-test is scored once, at the end, with `evaluate`.
"""

from __future__ import annotations

import argparse
import copy
from pathlib import Path

from edunlp.corpus.examples import read_examples
from edunlp.indicators.extract import extract_indicators
from edunlp.indicators.names import NameSelector, choose_names
from edunlp.reading.normalize import fold
from edunlp.tagging.tagger import model_text
from edunlp.training.evaluation import (
    format_indicator_reports,
    gold_names,
    indicator_gold_report,
    indicator_pairs,
    indicator_paths,
)

DEFAULT_DATA = Path(__file__).resolve().parents[1] / "corpora" / "blind" / "dev.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default=str(DEFAULT_DATA))
    parser.add_argument("--errors", action="store_true", help="list the pairs whose name is not accepted")
    parser.add_argument("--all", action="store_true", help="list every pair")
    parser.add_argument("--selector", type=Path, help="a name selector saved in this folder, not the shipped one")
    args = parser.parse_args()
    examples = [e for e in read_examples(args.data) if e.indicators is not None]
    texts = [model_text(e) for e in examples]
    rules = [extract_indicators(text, learned_names=False) for text in texts]
    if args.selector:
        found = copy.deepcopy(rules)
        choose_names(texts, found, NameSelector.load(args.selector))
    else:
        found = indicator_paths(None, examples)["segment"]
    print(f"indicators against hand-written gold ({len(examples)} paragraphs of {args.data})")
    print(format_indicator_reports({"rules": indicator_gold_report(examples, rules),
                                    "selector": indicator_gold_report(examples, found)}))
    if args.errors or args.all:
        for indicator, gold, example in indicator_pairs(examples, found)[0]:
            right = fold(indicator.name) in gold_names(gold)
            if args.all or not right:
                text = model_text(example)
                context = text[max(0, indicator.start - 30):indicator.end + 10].replace("\n", " ")
                variants = "/".join(gold.get("name_variants") or [])
                print(f"{'ok ' if right else 'ERR'} {gold.get('name')!s:<24} | {variants:<30} | {indicator.name:<24}"
                      f" | {context}")


if __name__ == "__main__":
    main()
