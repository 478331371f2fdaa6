"""How `edunlp report` grows with the archive: the corpus bulletins, then ten times as many.

    .venv/bin/python evaluation/report_scaling.py [--rows TAGGED.jsonl] [--times 10]

Tags `corpora/bulletins` once (or takes `--rows`, an `edunlp tag` output), writes a second file
holding those rows `--times` times over (each copy under its own source name, as another archive
of the same months would be), builds the report from each with `edunlp report`, and prints the
bulletins, seconds, peak memory and page size of both, with their ratios.
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
EDUNLP = Path(sys.executable).parent / "edunlp"


def report(rows: Path, page: Path) -> tuple[float, int]:
    """Build the report of `rows` into `page`: (seconds, peak resident MiB)."""
    result = subprocess.run(["/usr/bin/time", "-f", "%e %M", str(EDUNLP), "report", str(rows), "-o", str(page)],
                            capture_output=True, text=True, check=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    seconds, kilobytes = re.findall(r"^([\d.]+) (\d+)$", result.stderr, re.M)[-1]
    return float(seconds), int(kilobytes) // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=Path, help="an `edunlp tag` output (default: tag corpora/bulletins now)")
    parser.add_argument("--times", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="edunlp-report-") as folder:
        work = Path(folder)
        rows = args.rows
        if rows is None:
            rows = work / "rows.jsonl"
            subprocess.run([str(EDUNLP), "tag", str(ROOT / "corpora" / "bulletins"), "-o", str(rows)], check=True,
                           env={**os.environ, "HF_HUB_OFFLINE": "1"})
        lines = [json.loads(line) for line in rows.read_text(encoding="utf-8").splitlines()]
        many = work / "many.jsonl"
        with open(many, "w", encoding="utf-8") as out:
            for copy in range(args.times):
                out.writelines(json.dumps({**row, "source": f"copy{copy}/{row['source']}"}, ensure_ascii=False) + "\n"
                               for row in lines)
        figures = []
        for name, path in (("archive", rows), (f"{args.times}x", many)):
            seconds, peak = report(path, work / f"{name}.html")
            bulletins = len({json.loads(line)["source"] for line in path.read_text(encoding="utf-8").splitlines()})
            figures.append((name, bulletins, seconds, peak, (work / f"{name}.html").stat().st_size / 2**20))
    print("input        bulletins   seconds  peak MiB  page MiB")
    for name, bulletins, seconds, peak, size in figures:
        print(f"{name:12} {bulletins:9d} {seconds:9.1f} {peak:9d} {size:9.1f}")
    (_, b0, s0, m0, p0), (_, b1, s1, m1, p1) = figures
    print(f"ratio        {b1 / b0:9.1f} {s1 / s0:9.2f} {m1 / m0:9.2f} {p1 / p0:9.2f}")


if __name__ == "__main__":
    main()
