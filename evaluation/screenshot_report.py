"""Render the HTML report of the test archive and screenshot it with headless Chromium.

    .venv/bin/python evaluation/screenshot_report.py [-o report.png] [--keep DIR]

The archive is the four hand-labelled bulletins of tests/test_analysis.py plus the three sample
bulletins of tests/bulletins.py (indicators from the rule-based extractor, no labels). Chromium
runs offline with a fresh profile, so the screenshot shows what a reader without network sees.
Needs Debian's `chromium` (apt-get install chromium) and a CJK font (fonts-noto-cjk).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from edunlp import segment  # noqa: E402
from edunlp.indicators.extract import fill_indicators  # noqa: E402
from edunlp.analysis.report import build_report  # noqa: E402
from tests.bulletins import BULLETINS  # noqa: E402
from tests.test_analysis import archive  # noqa: E402

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", default="report.png", help="screenshot PNG (default: report.png)")
    parser.add_argument("--keep", help="also copy the rendered report.html into this directory")
    parser.add_argument("--size", default="1280,2400", help="window size WIDTH,HEIGHT (default: 1280,2400)")
    args = parser.parse_args()

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("screenshot_report: chromium not found; on Debian: apt-get install chromium", file=sys.stderr)
        return 1
    samples = [fill_indicators(segment(text, source=f"sample-{era}.txt")) for era, text in sorted(BULLETINS.items())]
    with tempfile.TemporaryDirectory(prefix="edunlp-report-") as work:
        report = build_report(archive() + samples, Path(work) / "report.html")
        if args.keep:
            Path(args.keep).mkdir(parents=True, exist_ok=True)
            shutil.copy(report, Path(args.keep) / report.name)
        screenshot = Path(args.output).resolve()
        command = [
            browser, *CHROMIUM_FLAGS, f"--user-data-dir={Path(work) / 'profile'}",
            f"--screenshot={screenshot}", f"--window-size={args.size}", report.as_uri(),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        size = report.stat().st_size
    if done.returncode != 0 or not screenshot.exists():
        print(f"screenshot_report: chromium failed ({done.returncode}):\n{done.stderr[-2000:]}", file=sys.stderr)
        return 1
    print(f"report.html: {size:,} bytes; screenshot → {screenshot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
