"""Memory over a long archive: resident memory while `edunlp segment` (or `tag`) streams it.

    .venv/bin/python evaluation/memory.py [--docs 10000] [--model DIR]

Writes `--docs` bulletins (the corpus's raw months, each with its own month line, so every file
has a different content hash) to a temporary folder, runs the batch path over them, and prints the
process's resident memory (VmRSS) after every tenth of the archive. Flat memory means the last
readings stay close to the first ones.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from edunlp import read

from edunlp.batch import jobs as batch  # noqa: E402
from edunlp.pipeline import load, rules  # noqa: E402


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--model", help="tag with this model directory instead of segmenting only")
    args = parser.parse_args()
    months = [read(p) for p in sorted((ROOT / "corpora" / "bulletins").glob("*.txt"))]
    nlp = load(args.model) if args.model else rules()
    readings: list[tuple[int, float]] = []
    step = max(1, args.docs // 10)
    count = 0

    def apply(bulletins):
        nonlocal count
        nlp.apply(bulletins)
        count += len(bulletins)
        if count >= (len(readings) + 1) * step:
            readings.append((count, rss_mib()))
        return bulletins

    with tempfile.TemporaryDirectory() as folder:
        for i in range(args.docs):
            year, month = 2000 + i // 12 % 100, i % 12 + 1
            text = f"第{i}号 {year}年{month}月教育信息化和网络安全工作月报\n" + months[i % len(months)]
            Path(folder, f"{i:05d}.txt").write_text(text, encoding="utf-8")
        output = Path(folder) / "out" / "rows.jsonl"
        start = rss_mib()
        summary = batch.run([folder], output, apply=apply, progress=False)
        size = output.stat().st_size / 2**20
    print(f"{summary.done} bulletins, {summary.paragraphs} paragraphs, {summary.seconds:.0f} s, output {size:.0f} MiB")
    print(f"resident memory before: {start:.0f} MiB")
    for count, mib in readings:
        print(f"after {count:>6} bulletins: {mib:.0f} MiB")
    print(f"growth from the first reading to the last: {readings[-1][1] - readings[0][1]:+.0f} MiB")


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    main()
