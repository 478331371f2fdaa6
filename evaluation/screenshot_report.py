"""Render the split HTML report of the test archive and screenshot its pages with headless Chromium.

    .venv/bin/python evaluation/screenshot_report.py [-o DIR] [--width PIXELS] [--height PIXELS]

Writes to DIR (default: out/screenshots/) the report itself (report.html and report_files/) and
PNGs of the overview, the first page of the indicator table and the first bulletin's page, and
prints what each page wrote to the browser console (script errors, anything the
Content-Security-Policy blocked). The archive is `archive_and_samples()` of tests/test_analysis.py: four hand-labelled
bulletins and three samples, one undated. Chromium runs offline with a fresh profile
(tests/chromium.py), so the screenshots show what a reader without network sees. Needs Debian's
`chromium` and a CJK font (fonts-noto-cjk).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from edunlp.analysis.report import build_report  # noqa: E402
from tests.chromium import find_chromium, screenshot  # noqa: E402
from tests.test_analysis import archive_and_samples  # noqa: E402

# The pages a reader opens first, beside report.html: (folder page, screenshot name).
PAGES = [(None, "overview.png"), ("indicators-1.html", "indicators-1.png"), ("bulletin-0.html", "bulletin-0.png")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", default="out/screenshots", help="folder for the report and the PNGs (default: out/screenshots)")
    parser.add_argument("--width", type=int, default=1280, help="window width in pixels (default: 1280)")
    parser.add_argument("--height", type=int, default=2400, help="window height in pixels: how much of each page is shot (default: 2400)")
    args = parser.parse_args()

    if find_chromium() is None:
        print("screenshot_report: chromium not found; on Debian: apt-get install chromium fonts-noto-cjk", file=sys.stderr)
        return 1
    folder = Path(args.output)
    folder.mkdir(parents=True, exist_ok=True)
    overview = build_report(archive_and_samples(), folder / "report.html", layout="split")
    for name, png in PAGES:
        page = overview if name is None else folder / "report_files" / name
        messages = screenshot(page, folder / png, args.width, args.height)
        print(f"{page.relative_to(folder)}: {page.stat().st_size:,} bytes → {folder / png}")
        for message in messages:
            print(f"  console: {message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
