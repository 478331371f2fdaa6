"""Fit the indicator name selector (edunlp.indicators.names) on the hand-named training quantities.

    PYTHONPATH=. python training/train_name_selector.py [--out edunlp/data] [--C 1.0]
        [--generated-weight 0.3] [--margin 1.5]

Reads the `indicators` of the training paragraphs (corpora/real/train.jsonl, corpora/written/train.jsonl,
written by training/build_labelled.py from the names3 annotations; real ones need ../shared/realtext;
with `--more-names` also the names-only corpora/real/indicator_names.jsonl of the names4 round, which
did not help on blind-dev, see training/README.md),
finds each named quantity among the rules' indicators of its paragraph (same offsets), lists its
candidates and marks as right those whose name is the annotator's name (weight 2) or one of the
variants (weight 1). A second source keeps the bulletin's conventions: the generated bulletins of
corpora/labelled/train.jsonl, whose INDICATOR span is the name of the QUANTITY of its clause right
after it (or right before it); their lists count `--generated-weight` each. Prints, for each C
of C_VALUES, held-out figures on the hand-named quantities over 5 folds split by paragraph (the
share whose chosen name is the annotator's name, or accepted), beside the rules' names; fits `--C`
on everything (with the weight and the margin, chosen on blind-dev under the older gold's and the
seed's constraints: the held-out share alone prefers a larger C that loses bulletin names); saves the selector (with `--margin`, by which a candidate must beat the rules' name)
and a short card (name_selector.md). Never reads the blind sets, the labelled dev/test months or
corpora/indicators_gold.jsonl: those decide (evaluation/eval_indicator_names.py, eval_indicators.py).
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

from edunlp.corpus.examples import read_examples
from edunlp.indicators.extract import extract_indicators
from edunlp.indicators.names import (
    DATA,
    Candidate,
    NameSelector,
    candidate_lists,
    clause_of,
)
from edunlp.reading.normalize import fold
from edunlp.tagging.tagger import model_text

ROOT = Path(__file__).resolve().parent.parent
TRAINING = [ROOT / "corpora" / "real" / "train.jsonl", ROOT / "corpora" / "written" / "train.jsonl"]
MORE_NAMES = ROOT / "corpora" / "real" / "indicator_names.jsonl"  # names4: names only, no labels
GENERATED = ROOT / "corpora" / "labelled" / "train.jsonl"
NAME_GAP = 4  # the most characters between a generated INDICATOR span and its QUANTITY after it (为, 达到)
C_VALUES = (0.3, 1.0, 3.0)


def named_quantities(paths: list[Path] = TRAINING) -> tuple[list[list[Candidate]], list[dict], list[str]]:
    """Each hand-named quantity the rules also find (a quantity of theirs overlapping it): its
    candidates, its gold and its paragraph."""
    examples = [e for path in paths for e in read_examples(path) if e.indicators]
    texts = [model_text(e) for e in examples]
    found, golds = [], []
    for example, text in zip(examples, texts):
        rules = extract_indicators(text, learned_names=False)
        pairs = []
        for g in example.indicators:
            if g.get("not_indicator") or not g.get("name"):
                continue
            # the rules' quantity over the named one: a later rule may move an edge (约50家 → 50家)
            match = next((i for i in rules if i.start < g["end"] and g["start"] < i.end), None)
            if match is not None:
                pairs.append((match, g))
                rules.remove(match)
        found.append([i for i, _ in pairs])
        golds.append([g for _, g in pairs])
    lists = [c for candidates in candidate_lists(texts, found) for c in candidates]
    paragraphs = [example.doc_id or "" for example, gold in zip(examples, golds) for _ in gold]
    return lists, [g for gold in golds for g in gold], paragraphs


def generated_quantities() -> tuple[list[list[Candidate]], list[dict]]:
    """Each quantity of the generated bulletins that has an INDICATOR span beside it in its clause
    and that the rules find: its candidates and its gold ({"name": the span})."""
    examples = [e for e in read_examples(GENERATED) if e.origin == "generated"]
    texts, found, golds = [], [], []
    for example in examples:
        text = model_text(example)
        names = sorted((s, e) for s, e, kind in example.entities if kind == "INDICATOR")
        rules = {(i.start, i.end): i for i in extract_indicators(text, learned_names=False)}
        pairs = []
        for start, end, kind in sorted(example.entities):
            if kind != "QUANTITY" or (start, end) not in rules:
                continue
            left, right = clause_of(text, start, end)
            before = [n for n in names if left <= n[0] and n[1] <= start and start - n[1] <= NAME_GAP]
            after = [n for n in names if end <= n[0] <= end + 1 and n[1] <= right]
            name = before[-1] if before else after[0] if after else None
            if name:
                pairs.append((rules[(start, end)], {"name": text[name[0]:name[1]], "start": start, "end": end}))
        if pairs:
            texts.append(text)
            found.append([i for i, _ in pairs])
            golds.append([g for _, g in pairs])
    return [c for candidates in candidate_lists(texts, found) for c in candidates], [g for gold in golds for g in gold]


def right_weights(candidates: list[Candidate], gold: dict) -> list[float]:
    name, variants = fold(gold["name"]), {fold(v) for v in gold.get("name_variants") or []}
    return [2.0 if fold(c.name) == name else 1.0 if fold(c.name) in variants else 0.0 for c in candidates]


def figures(chosen: list[Candidate], golds: list[dict]) -> tuple[float, float]:
    """Shares of quantities named as the annotator did, and with a name they accept."""
    exact = [fold(c.name) == fold(g["name"]) for c, g in zip(chosen, golds)]
    accepted = [fold(c.name) in {fold(n) for n in [g["name"], *(g.get("name_variants") or [])]}
                for c, g in zip(chosen, golds)]
    return float(np.mean(exact)), float(np.mean(accepted))


def fit(lists: list[list[Candidate]], golds: list[dict], weights: list[float], C: float, margin: float) -> NameSelector:
    """A selector fitted on the quantities with a right name among their candidates."""
    usable = [n for n in range(len(lists)) if any(right_weights(lists[n], golds[n]))]
    return NameSelector().fit([lists[n] for n in usable], [right_weights(lists[n], golds[n]) for n in usable], C=C,
                              weights=[weights[n] for n in usable], margin=margin)


def held_out(named: tuple[list[list[Candidate]], list[dict], list[str]],
             generated: tuple[list[list[Candidate]], list[dict]], generated_weight: float, C: float,
             margin: float) -> tuple[float, float]:
    """Figures of the names chosen by selectors fitted without the paragraph (5 folds; every fold
    fits all the generated quantities)."""
    lists, golds, paragraphs = named
    chosen: list[Candidate | None] = [None] * len(lists)
    for fit_rows, test_rows in GroupKFold(n_splits=5).split(lists, groups=paragraphs):
        selector = fit([lists[n] for n in fit_rows] + generated[0], [golds[n] for n in fit_rows] + generated[1],
                       [1.0] * len(fit_rows) + [generated_weight] * len(generated[0]), C, margin)
        for n in test_rows:
            chosen[n] = selector.best(lists[n])
    return figures(chosen, golds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA)
    parser.add_argument("--C", type=float, default=1.0, help="inverse regularisation of the final fit")
    parser.add_argument("--generated-weight", type=float, default=0.3,
                        help="weight of each generated bulletin quantity (0: hand-named quantities only)")
    parser.add_argument("--margin", type=float, default=1.5,
                        help="log-odds by which a candidate must beat the rules' name (chosen on blind-dev)")
    parser.add_argument("--more-names", action="store_true",
                        help=f"also the names-only paragraphs of {MORE_NAMES.relative_to(ROOT)} (names4)")
    args = parser.parse_args()
    named = lists, golds, paragraphs = named_quantities(TRAINING + [MORE_NAMES] * args.more_names)
    generated = generated_quantities() if args.generated_weight else ([], [])
    reachable = sum(any(right_weights(c, g)) for c, g in zip(lists, golds))
    rules = figures([c[0] for c in lists], golds)
    lines = [(f"{len(lists)} named quantities in {len(set(paragraphs))} training paragraphs; a right name among "
             f"the candidates for {reachable} ({reachable / len(lists):.1%}), "
             f"{sum(map(len, lists)) / len(lists):.0f} candidates each on average; "
             f"{len(generated[0])} quantities of generated bulletins, weight {args.generated_weight}"),
             "", "| names of the hand-named quantities | exact | accepted |", "|---|---|---|",
             f"| rules | {rules[0]:.3f} | {rules[1]:.3f} |"]
    print("\n".join(lines))
    for C in sorted({*C_VALUES, args.C}):
        exact, accepted = held_out(named, generated, args.generated_weight, C, args.margin)
        lines.append(f"| selector, C={C}, margin {args.margin} (5 folds by paragraph) | {exact:.3f} | {accepted:.3f} |")
        print(lines[-1])
    selector = fit(lists + generated[0], golds + generated[1],
                   [1.0] * len(lists) + [args.generated_weight] * len(generated[0]), args.C, args.margin)
    selector.settings.update({"trained": date.today().isoformat(), "generated_weight": args.generated_weight})
    selector.save(args.out)
    card = [
        "# Indicator name selector", "",
        "Chooses an indicator's name among the phrases of its clause (edunlp/indicators/names.py).",
        (f"Built by `PYTHONPATH=. python training/train_name_selector.py --generated-weight {args.generated_weight} "
         f"--margin {args.margin}{' --more-names' * args.more_names}` from the hand-named training quantities (corpora/*/train.jsonl `indicators`) and the "
         f"generated bulletins (corpora/labelled/train.jsonl); C={args.C}; "
         f"{len(selector.features)} features."), "", *lines, "",
        ("C, the generated weight and the margin were chosen on blind-dev (`python evaluation/eval_indicator_names.py`) "
         "under two constraints: names exact on corpora/indicators_gold.jsonl (`python evaluation/eval_indicators.py`) "
         "and the published names of the seed bulletin (tests/test_seed_indicators.py) no worse than the rules'."),
    ]
    (args.out / "name_selector.md").write_text("\n".join(card) + "\n", encoding="utf-8")
    print(f"saved {args.out / 'name_selector.safetensors'}, {len(selector.features)} features")


if __name__ == "__main__":
    main()
