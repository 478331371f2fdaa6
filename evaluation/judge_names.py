"""Indicator names judged by an independent reader, beside the gold's listed variants.

The hand-written gold gives each quantity a name and a few accepted variants, written before any
program named anything; a right name the annotator did not think to list counts as wrong. So the
pairs whose selected name the gold does not accept go to a judge, each with the gold's own name for
the same quantity mixed in as a control, shuffled, one name an item and never who wrote it. The
judge decides by the naming convention (docs/LABELS.md, "Indicators") whether the name says what is
measured. The share of gold names the judge accepts is the judge's own bar, printed beside the result.

Usage:
  python evaluation/judge_names.py pack corpora/blind/dev.jsonl --out DIR
      DIR/items.jsonl for the judge (it holds the paragraphs: keep DIR outside the repository)
  python evaluation/judge_names.py score corpora/blind/dev.jsonl --verdicts FILE
      names right = accepted by the gold, or judged right; FILE holds {"key", "name", "right"} lines

Keys are hashes of the paragraph, the quantity's place and the folded name, so a verdict stays with
its name when the program changes; a name nobody judged yet is counted wrong and reported, and an
empty name is wrong without a judge.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from pathlib import Path

from edunlp.corpus.examples import read_examples
from edunlp.document import Indicator
from edunlp.output import write_jsonl
from edunlp.reading.normalize import fold
from edunlp.tagging.tagger import model_text
from edunlp.training.evaluation import gold_names, indicator_pairs, indicator_paths

CONTEXT = 80  # characters of the paragraph on each side of the quantity shown to the judge


def item_key(text: str, indicator: Indicator, name: str) -> str:
    place = f"{hashlib.sha1(text.encode('utf-8')).hexdigest()}:{indicator.start}:{indicator.end}:{fold(name)}"
    return hashlib.sha1(place.encode("utf-8")).hexdigest()[:16]


def judged_pairs(data: str) -> list[tuple[Indicator, dict, str]]:
    """(indicator of the `segment` path, its gold, the paragraph text) for every pair found by value."""
    examples = [e for e in read_examples(data) if e.indicators is not None]
    pairs = indicator_pairs(examples, indicator_paths(None, examples)["segment"])[0]
    return [(indicator, gold, model_text(example)) for indicator, gold, example in pairs]


def pack(data: str, out: Path, seed: int) -> None:
    items = []
    for indicator, gold, text in judged_pairs(data):
        if fold(indicator.name) in gold_names(gold):
            continue
        left, right = max(0, indicator.start - CONTEXT), min(len(text), indicator.end + CONTEXT)
        context = f"{text[left:indicator.start]}【{text[indicator.start:indicator.end]}】{text[indicator.end:right]}"
        for name in filter(None, {indicator.name, gold.get("name") or ""}):
            items.append({"key": item_key(text, indicator, name), "context": context,
                          "quantity": indicator.text, "name": name})
    unique = list({item["key"]: item for item in items}.values())
    random.Random(seed).shuffle(unique)
    out.mkdir(parents=True, exist_ok=True)
    write_jsonl(out / "items.jsonl", unique)
    print(f"{len(unique)} items → {out / 'items.jsonl'}")


def score(data: str, verdicts_path: Path) -> None:
    verdicts = {}
    with open(verdicts_path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                record = json.loads(line)
                if not isinstance(record.get("right"), bool):
                    raise ValueError(f"{verdicts_path}:{number}: 'right' must be true or false")
                verdicts[record["key"]] = record["right"]
    pairs = judged_pairs(data)
    accepted = judged_right = unjudged = 0
    control_right = control_judged = 0
    for indicator, gold, text in pairs:
        if fold(indicator.name) in gold_names(gold):
            accepted += 1
            continue
        verdict = verdicts.get(item_key(text, indicator, indicator.name)) if indicator.name else False
        unjudged += verdict is None
        judged_right += bool(verdict)
        control = verdicts.get(item_key(text, indicator, gold.get("name") or ""))
        if control is not None:
            control_judged += 1
            control_right += control
    n = len(pairs)
    print(f"{data}: {n} pairs; names accepted by the gold {accepted / n:.3f}; "
          f"of the other {n - accepted}, judged right {judged_right}, unjudged {unjudged}")
    print(f"names right (accepted, or judged right): {(accepted + judged_right) / n:.3f}")
    if control_judged:
        print(f"control: the gold's own names judged right {control_right} of {control_judged} "
              f"({control_right / control_judged:.3f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("pack", "score"))
    parser.add_argument("data")
    parser.add_argument("--out", type=Path, help="pack: the folder for items.jsonl (outside the repository)")
    parser.add_argument("--verdicts", type=Path, help="score: the judge's verdicts")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.command == "pack":
        if args.out is None:
            parser.error("pack needs --out")
        pack(args.data, args.out, args.seed)
    else:
        if args.verdicts is None:
            parser.error("score needs --verdicts")
        score(args.data, args.verdicts)


if __name__ == "__main__":
    main()
