"""Precision and recall of `extract_indicators` on the hand-labelled gold sentences.

Usage: python evaluation/eval_indicators.py [corpora/indicators_gold.jsonl] [--errors] [--untrimmed]
       [--rules-names | --selector DIR]
       python evaluation/eval_indicators.py --speed 40

`--untrimmed` scores the names without step 4 (no part-of-speech trimming), for comparison.
`--rules-names` scores the rules' names (no learned name selector), `--selector DIR` the names of the
selector saved in DIR instead of the shipped one (edunlp.indicators.names).
`--speed N` times segment + fill_indicators over N corpus bulletins, with and without that step.

A predicted indicator matches a gold one of the same sentence when both have the same unit and
the same normalized value (relative tolerance 1e-4; each gold indicator matches at most once).
Names are scored on the matched pairs only: exact, and lenient (one name contains the other).
This gold was written by the project before the blind sets (corpora/blind, scored by `edunlp
evaluate`); it also marks quantities in Chinese numerals, so they are read here too.
Rows carry a "split": "dev" rows were used while writing the rules; "dev2" rows were written
after that, scored once, then their errors drove a few general fixes; "heldout" rows were written
last and never changed a rule. Each split is reported, then all together.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import time

from edunlp import read, segment
from edunlp.indicators.extract import extract_indicators, fill_indicators
from edunlp.indicators.names import NameSelector, choose_names
from edunlp.reading.files import read_jsonl

DEFAULT_GOLD = Path(__file__).resolve().parents[1] / "corpora" / "indicators_gold.jsonl"


def read_gold(path: Path) -> list[dict]:
    """One {"text", "indicators": [{"name", "text", "normalized", "unit"}]} per line."""
    rows = []
    for number, row in read_jsonl(path):
        if "text" not in row or "indicators" not in row:
            raise ValueError(f"{path}:{number}: a gold row needs \"text\" and \"indicators\"")
        rows.append(row)
    return rows


def same_quantity(gold: dict, predicted) -> bool:
    return gold["unit"] == predicted.unit and math.isclose(gold["normalized"], predicted.normalized, rel_tol=1e-4)


def evaluate(rows: list[dict], show_errors: bool = False, trim_names: bool = True, learned_names: bool = True,
             selector: NameSelector | None = None) -> dict[str, float]:
    gold_total = predicted_total = matched = exact_names = lenient_names = 0
    for row in rows:
        # This gold predates the Arabic-digits convention (it marks 三十余所 too): compare like with like.
        predicted = extract_indicators(row["text"], trim_names=trim_names, chinese_numerals=True,
                                       learned_names=learned_names and selector is None)
        if selector is not None:
            choose_names([row["text"]], [predicted], selector)
        gold = list(row["indicators"])
        gold_total += len(gold)
        predicted_total += len(predicted)
        unmatched_gold = list(gold)
        for item in predicted:
            partner = next((g for g in unmatched_gold if same_quantity(g, item)), None)
            if partner is None:
                if show_errors:
                    print(f"FALSE POSITIVE  {item.text!r} ({item.name})  in  {row['text']}")
                continue
            unmatched_gold.remove(partner)
            matched += 1
            exact_names += partner["name"] == item.name
            lenient = bool(item.name) and (partner["name"] in item.name or item.name in partner["name"])
            lenient_names += lenient
            if show_errors and not lenient:
                print(f"NAME  gold {partner['name']!r}  predicted {item.name!r}  in  {row['text']}")
        if show_errors:
            for missed in unmatched_gold:
                print(f"MISSED  {missed['text']!r} ({missed['name']})  in  {row['text']}")
    precision = matched / predicted_total if predicted_total else 0.0
    recall = matched / gold_total if gold_total else 0.0
    return {
        "sentences": len(rows),
        "gold": gold_total,
        "predicted": predicted_total,
        "matched": matched,
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "name_exact": exact_names / matched if matched else 0.0,
        "name_lenient": lenient_names / matched if matched else 0.0,
    }


def speed(n: int) -> None:
    """Bulletins per second of segment + fill_indicators, with and without name trimming."""
    corpus = Path(__file__).resolve().parents[1] / "corpora" / "bulletins"
    texts = [read(path) for path in sorted(corpus.glob("*.txt"))[:n]]
    fill_indicators(segment(texts[0]))  # load the segmenter and tagger first
    for trim in (True, False):
        started = time.perf_counter()
        for text in texts:
            fill_indicators(segment(text), trim_names=trim)
        rate = len(texts) / (time.perf_counter() - started)
        print(f"{len(texts)} bulletins, names {'trimmed' if trim else 'untrimmed'}: {rate:.1f} bulletins/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="?", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--errors", action="store_true", help="print every miss and false positive")
    parser.add_argument("--untrimmed", action="store_true", help="names without part-of-speech trimming")
    parser.add_argument("--speed", type=int, metavar="N", help="time N corpus bulletins instead")
    names = parser.add_mutually_exclusive_group()
    names.add_argument("--rules-names", action="store_true", help="the rules' names, no learned selector")
    names.add_argument("--selector", type=Path, help="a name selector saved in this folder, not the shipped one")
    args = parser.parse_args()
    if args.speed:
        speed(args.speed)
        return
    rows = read_gold(args.gold)
    splits: dict[str, list[dict]] = {}
    for row in rows:
        splits.setdefault(row.get("split", "all"), []).append(row)
    if len(splits) > 1:
        splits["all"] = rows
    selector = NameSelector.load(args.selector) if args.selector else None
    for split, split_rows in splits.items():
        scores = evaluate(split_rows, show_errors=args.errors, trim_names=not args.untrimmed,
                          learned_names=not args.rules_names, selector=selector)
        print(
            f"[{split}] sentences {scores['sentences']}  gold {scores['gold']}  predicted {scores['predicted']}  "
            f"matched {scores['matched']}"
        )
        print(f"  precision {scores['precision']:.3f}  recall {scores['recall']:.3f}  F1 {scores['f1']:.3f}")
        print(f"  names on matched pairs: exact {scores['name_exact']:.3f}  lenient {scores['name_lenient']:.3f}")


if __name__ == "__main__":
    main()
