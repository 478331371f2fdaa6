"""What the learned name selector costs the rules path: indicators with the rules' names against
indicators with the learned names, side by side on the same bulletins.

    .venv/bin/python evaluation/bench_names.py [--bulletins 30] [--repeats 3]

Reads the first `--bulletins` raw bulletins of corpora/bulletins/, segments them once, then times
`fill_indicators(bulletin, learned_names=False)` and `fill_indicators(bulletin)` (the shipped
selector, edunlp/data/name_selector.*) in turn, `--repeats` times each after one warm-up, and
prints the best time of each, bulletins and paragraphs per second, how many names the selector
changed, and last `learned_over_rules: X`, the time ratio.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from edunlp import segment  # noqa: E402
from edunlp.indicators.extract import fill_indicators  # noqa: E402
from edunlp.indicators.names import shipped_selector  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bulletins", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if shipped_selector() is None:
        sys.exit("bench_names: no name selector is shipped in edunlp/data; nothing to compare")
    paths = sorted((ROOT / "corpora" / "bulletins").glob("*.txt"))[: args.bulletins]
    bulletins = [segment(path.read_text(encoding="utf-8"), source=path.name) for path in paths]
    paragraphs = sum(len(b.paragraphs) for b in bulletins)
    names: dict[bool, list[str]] = {}
    best: dict[bool, float] = {}
    for learned in (False, True):
        fill_indicators(bulletins[0], learned_names=learned)  # warm-up: models load once
    for _ in range(args.repeats):
        for learned in (False, True):
            start = time.perf_counter()
            for bulletin in bulletins:
                fill_indicators(bulletin, learned_names=learned)
            best[learned] = min(best.get(learned, float("inf")), time.perf_counter() - start)
            names[learned] = [i.name for b in bulletins for p in b.paragraphs for i in p.indicators]
    changed = sum(a != b for a, b in zip(names[False], names[True], strict=True))
    print(f"{len(bulletins)} bulletins, {paragraphs} paragraphs, {len(names[True])} indicators; "
          f"best of {args.repeats}")
    print(f"{'names':<16}{'seconds':>9}{'bulletins/s':>13}{'paragraphs/s':>14}")
    for learned, label in ((False, "rules"), (True, "learned")):
        print(f"{label:<16}{best[learned]:>9.2f}{len(bulletins) / best[learned]:>13.1f}"
              f"{paragraphs / best[learned]:>14.1f}")
    print(f"names the selector changed: {changed} of {len(names[True])}")
    print(f"learned_over_rules: {best[True] / best[False]:.2f}")


if __name__ == "__main__":
    main()
