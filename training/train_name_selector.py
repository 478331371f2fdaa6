"""Fit the indicator name selector (edunlp.indicators.names) on the hand-named training quantities.

    PYTHONPATH=. python training/train_name_selector.py [--out edunlp/data] [--C 1.0]

Reads the `indicators` of the training paragraphs (corpora/real/train.jsonl, corpora/written/train.jsonl,
written by training/build_labelled.py from the names3 annotations; real ones need ../shared/realtext),
finds each named quantity among the rules' indicators of its paragraph (same offsets), lists its
candidates and marks as right those whose name is the annotator's name (weight 2) or one of the
variants (weight 1). Prints, for each C tried, held-out figures over 5 folds split by paragraph
(the share of quantities whose chosen name is the annotator's name, or accepted), beside the rules'
names; fits the chosen C on everything; saves the selector and a short card (name_selector.md).
Never reads the blind sets: those decide (evaluation/eval_indicator_names.py) and test.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

from edunlp.corpus.examples import read_examples
from edunlp.indicators.extract import extract_indicators
from edunlp.indicators.names import DATA, Candidate, NameSelector, candidate_lists
from edunlp.reading.normalize import fold
from edunlp.tagging.tagger import model_text

ROOT = Path(__file__).resolve().parent.parent
TRAINING = [ROOT / "corpora" / "real" / "train.jsonl", ROOT / "corpora" / "written" / "train.jsonl"]
C_VALUES = (0.3, 1.0, 3.0)


def named_quantities() -> tuple[list[list[Candidate]], list[dict], list[str]]:
    """Each hand-named quantity the rules also find: its candidates, its gold and its paragraph."""
    examples = [e for path in TRAINING for e in read_examples(path) if e.indicators]
    texts = [model_text(e) for e in examples]
    found, golds = [], []
    for example, text in zip(examples, texts):
        rules = {(i.start, i.end): i for i in extract_indicators(text, learned_names=False)}
        pairs = [(rules[(g["start"], g["end"])], g) for g in example.indicators
                 if not g.get("not_indicator") and g.get("name") and (g["start"], g["end"]) in rules]
        found.append([i for i, _ in pairs])
        golds.append([g for _, g in pairs])
    lists = [c for candidates in candidate_lists(texts, found) for c in candidates]
    paragraphs = [example.doc_id or "" for example, gold in zip(examples, golds) for _ in gold]
    return lists, [g for gold in golds for g in gold], paragraphs


def right_weights(candidates: list[Candidate], gold: dict) -> list[float]:
    name, variants = fold(gold["name"]), {fold(v) for v in gold.get("name_variants") or []}
    return [2.0 if fold(c.name) == name else 1.0 if fold(c.name) in variants else 0.0 for c in candidates]


def figures(chosen: list[Candidate], golds: list[dict]) -> tuple[float, float]:
    """Shares of quantities named as the annotator did, and with a name they accept."""
    exact = [fold(c.name) == fold(g["name"]) for c, g in zip(chosen, golds)]
    accepted = [fold(c.name) in {fold(n) for n in [g["name"], *(g.get("name_variants") or [])]}
                for c, g in zip(chosen, golds)]
    return float(np.mean(exact)), float(np.mean(accepted))


def held_out(lists: list[list[Candidate]], golds: list[dict], paragraphs: list[str], C: float) -> tuple[float, float]:
    """Figures of the names chosen by selectors fitted without the paragraph (5 folds)."""
    chosen: list[Candidate | None] = [None] * len(lists)
    for fit_rows, test_rows in GroupKFold(n_splits=5).split(lists, groups=paragraphs):
        usable = [n for n in fit_rows if any(right_weights(lists[n], golds[n]))]
        selector = NameSelector().fit([lists[n] for n in usable], [right_weights(lists[n], golds[n]) for n in usable], C=C)
        for n in test_rows:
            chosen[n] = selector.best(lists[n])
    return figures(chosen, golds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA)
    parser.add_argument("--C", type=float, help="skip the search over C_VALUES")
    args = parser.parse_args()
    lists, golds, paragraphs = named_quantities()
    reachable = sum(any(right_weights(c, g)) for c, g in zip(lists, golds))
    rules = figures([c[0] for c in lists], golds)
    lines = [(f"{len(lists)} named quantities in {len(set(paragraphs))} training paragraphs; a right name among "
             f"the candidates for {reachable} ({reachable / len(lists):.1%}), "
             f"{sum(map(len, lists)) / len(lists):.0f} candidates each on average"),
             "", "| names | exact | accepted |", "|---|---|---|", f"| rules | {rules[0]:.3f} | {rules[1]:.3f} |"]
    print("\n".join(lines))
    results = {}
    for C in [args.C] if args.C else C_VALUES:
        results[C] = held_out(lists, golds, paragraphs, C)
        lines.append(f"| selector, C={C} (5 folds by paragraph) | {results[C][0]:.3f} | {results[C][1]:.3f} |")
        print(lines[-1])
    C = max(results, key=lambda c: (results[c][1], results[c][0]))
    usable = [n for n in range(len(lists)) if any(right_weights(lists[n], golds[n]))]
    selector = NameSelector().fit([lists[n] for n in usable], [right_weights(lists[n], golds[n]) for n in usable], C=C)
    selector.settings.update({"trained": date.today().isoformat(), "quantities": len(usable)})
    selector.save(args.out)
    card = [
        "# Indicator name selector", "",
        "Chooses an indicator's name among the phrases of its clause (edunlp/indicators/names.py).",
        (f"Built by `PYTHONPATH=. python training/train_name_selector.py` from the hand-named training quantities "
        f"(corpora/*/train.jsonl `indicators`); C={C} chosen by held-out accepted share; "
        f"{len(selector.features)} features."), "", *lines, "",
        "Decided on blind-dev with `python evaluation/eval_indicator_names.py` (rules' names beside the selector's).",
    ]
    (args.out / "name_selector.md").write_text("\n".join(card) + "\n", encoding="utf-8")
    print(f"chose C={C}; saved {args.out / 'name_selector.safetensors'}, {len(selector.features)} features")


if __name__ == "__main__":
    main()
