"""Precision and recall of `extract_indicators` on the hand-labelled gold sentences.

Usage: python evaluation/eval_indicators.py [corpora/indicators_gold.jsonl] [--errors]

A predicted indicator matches a gold one of the same sentence when both have the same unit and
the same normalized value (relative tolerance 1e-4; each gold indicator matches at most once).
Names are scored on the matched pairs only: exact, and lenient (one name contains the other).
Rows carry a "split": "dev" rows were used while writing the rules; "dev2" rows were written
after that, scored once, then their errors drove a few general fixes; "heldout" rows were written
last and never changed a rule. Each split is reported, then all together.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from edunlp.indicators import extract_indicators
from edunlp.reading import read_jsonl

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


def evaluate(rows: list[dict], show_errors: bool = False) -> dict[str, float]:
    gold_total = predicted_total = matched = exact_names = lenient_names = 0
    for row in rows:
        predicted = extract_indicators(row["text"])
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="?", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--errors", action="store_true", help="print every miss and false positive")
    args = parser.parse_args()
    rows = read_gold(args.gold)
    splits: dict[str, list[dict]] = {}
    for row in rows:
        splits.setdefault(row.get("split", "all"), []).append(row)
    if len(splits) > 1:
        splits["all"] = rows
    for split, split_rows in splits.items():
        scores = evaluate(split_rows, show_errors=args.errors)
        print(
            f"[{split}] sentences {scores['sentences']}  gold {scores['gold']}  predicted {scores['predicted']}  "
            f"matched {scores['matched']}"
        )
        print(f"  precision {scores['precision']:.3f}  recall {scores['recall']:.3f}  F1 {scores['f1']:.3f}")
        print(f"  names on matched pairs: exact {scores['name_exact']:.3f}  lenient {scores['name_lenient']:.3f}")


if __name__ == "__main__":
    main()
