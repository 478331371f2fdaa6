"""How `edunlp report` grows with the archive: the corpus bulletins, then ten times as many.

    .venv/bin/python evaluation/report_scaling.py [--rows TAGGED.jsonl] [--times 10] [--layout auto]

Tags `corpora/bulletins` once (or takes `--rows`, an `edunlp tag` output), writes a second file
holding those rows `--times` times over (each copy under its own source name, as another archive
of the same months would be), builds the report from each with `edunlp report --layout LAYOUT`,
and prints the bulletins, seconds, peak memory, the size of the overview page (what a reader opens
first), of the largest page, of the largest page of the indicator table and of all pages together (the overview and its `_files` folder), with
their ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EDUNLP = [sys.executable, "-m", "edunlp.cli"]  # the edunlp of this checkout (run from ROOT)


def report(rows: Path, page: Path, layout: str) -> tuple[float, int]:
    """Build the report of `rows` into `page`: (seconds, peak resident MiB)."""
    result = subprocess.run(["/usr/bin/time", "-f", "%e %M", *EDUNLP, "report", str(rows), "-o", str(page), "--layout", layout],
                            capture_output=True, text=True, check=True, cwd=ROOT, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    seconds, kilobytes = re.findall(r"^([\d.]+) (\d+)$", result.stderr, re.M)[-1]
    return float(seconds), int(kilobytes) // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=Path, help="an `edunlp tag` output (default: tag corpora/bulletins now)")
    parser.add_argument("--times", type=int, default=10)
    parser.add_argument("--layout", choices=("auto", "single", "split"), default="auto")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="edunlp-report-") as folder:
        work = Path(folder)
        rows = args.rows.resolve() if args.rows else None
        if rows is None:
            rows = work / "rows.jsonl"
            subprocess.run([*EDUNLP, "tag", str(ROOT / "corpora" / "bulletins"), "-o", str(rows)], check=True, cwd=ROOT,
                           env={**os.environ, "HF_HUB_OFFLINE": "1"})
        lines = [json.loads(line) for line in rows.read_text(encoding="utf-8").splitlines()]
        many = work / "many.jsonl"
        with open(many, "w", encoding="utf-8") as out:
            for copy in range(args.times):
                out.writelines(json.dumps({**row, "source": f"copy{copy}/{row['source']}"}, ensure_ascii=False) + "\n"
                               for row in lines)
        figures = []
        for name, path in (("archive", rows), (f"{args.times}x", many)):
            page = work / f"{name}.html"
            seconds, peak = report(path, page, args.layout)
            bulletins = len({json.loads(line)["source"] for line in path.read_text(encoding="utf-8").splitlines()})
            pages = [page, *sorted(work.glob(f"{name}_files/*.html"))]
            sizes = [p.stat().st_size / 2**20 for p in pages]
            tables = [p.stat().st_size / 2**20 for p in work.glob(f"{name}_files/indicators-*.html")] or sizes[:1]
            figures.append((name, bulletins, seconds, peak, sizes[0], max(sizes), max(tables), sum(sizes), len(pages)))
    print(f"layout {args.layout}")
    print("input        bulletins   seconds  peak MiB  overview MiB  largest MiB  table MiB  total MiB  pages")
    for name, bulletins, seconds, peak, overview, largest, table, total, count in figures:
        print(f"{name:12} {bulletins:9d} {seconds:9.1f} {peak:9d} {overview:13.2f} {largest:12.2f} {table:10.2f} {total:10.1f} {count:6d}")
    ratios = [after / before for before, after in zip(figures[0][1:], figures[1][1:])]
    print("ratio        {:9.1f} {:9.2f} {:9.2f} {:13.2f} {:12.2f} {:10.2f} {:10.2f} {:6.1f}".format(*ratios))


if __name__ == "__main__":
    main()
