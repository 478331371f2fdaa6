"""The report in a real browser: headless Chromium, offline, fresh profile (tests/chromium.py).

Checks what the markup tests cannot: that the one inline script runs under the page's
Content-Security-Policy without an error, that the filters work on the real DOM, and that the pages
paint (charts and entity highlighting in their colours). Skipped where Chromium is not installed;
scripts/setup.sh installs it where apt-get may.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from PIL import Image, ImageColor

from edunlp.analysis.report import ENTITY_COLOURS, LABEL_COLOURS, build_report

from .chromium import dump_dom, find_chromium, screenshot
from .test_analysis import archive_and_samples

if find_chromium() is None:
    pytest.skip("chromium is not installed (apt-get install chromium fonts-noto-cjk; scripts/setup.sh does it where apt-get may)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The overview of the split report; its pages are in report_files/ beside it."""
    return build_report(archive_and_samples(), tmp_path_factory.mktemp("browser") / "report.html", layout="split")


def _dom(page: Path, query: str = "") -> BeautifulSoup:
    """The page's DOM after its script ran; fails on anything written to the console (a script
    error, something the Content-Security-Policy blocked)."""
    dom, console = dump_dom(page.as_uri() + query)
    assert console == [], console
    return BeautifulSoup(dom, "html.parser")


def test_every_page_loads_without_a_console_message(split: Path, tmp_path: Path) -> None:
    single = build_report(archive_and_samples(), tmp_path / "single.html", layout="single")
    for page in [split, split.parent / "report_files" / "bulletin-0.html", single]:
        _dom(page)


def test_charts_are_in_the_dom_and_the_script_shows_the_filters(split: Path) -> None:
    charts = _dom(split).select("div.chart svg")
    assert len(charts) == 2 + 6  # label mix by month and by region, six indicators
    assert all(len(chart.find_all("path")) > 10 for chart in charts)  # bars, lines, glyphs
    table = _dom(split.parent / "report_files" / "indicators-1.html")
    form, rows = table.find(id="indicator-filters"), table.select("table.indicators tbody tr")
    assert not form.has_attr("hidden")  # the script ran: the page hides the filters until it does
    assert table.find(id="indicators-shown").get_text() == str(len(rows)) == "55"
    assert not any(row.has_attr("hidden") for row in rows)


def test_the_address_filters_the_table(split: Path) -> None:
    dom = _dom(split.parent / "report_files" / "indicators-1.html", f"?region={quote('江苏')}&q={quote('学校')}")
    rows = dom.select("table.indicators tbody tr")
    shown = [row for row in rows if not row.has_attr("hidden")]
    wanted = [row for row in rows if row["data-region"] == "江苏" and "学校" in row["data-name"]]
    assert shown == wanted and 0 < len(shown) < len(rows)
    assert dom.find(id="indicators-shown").get_text() == str(len(shown))


def _pixels(png: Path) -> Counter:
    """How many pixels of each colour (RGB) the screenshot has."""
    with Image.open(png) as image:
        return Counter({colour: count for count, colour in image.convert("RGB").getcolors(maxcolors=1 << 24)})


def test_screenshots_are_painted_in_the_report_s_colours(split: Path, tmp_path: Path) -> None:
    assert screenshot(split, tmp_path / "overview.png") == []  # no console message
    overview = _pixels(tmp_path / "overview.png")
    assert overview[(255, 255, 255)] < 0.99 * sum(overview.values())  # not blank
    for label in ("resources", "security", "campus"):  # bars of the label mix: solid blocks of their colour
        assert overview[ImageColor.getrgb(LABEL_COLOURS[label])] > 500, label
    bulletin = tmp_path / "bulletin-0.png"
    assert screenshot(split.parent / "report_files" / "bulletin-0.html", bulletin) == []
    marks = _pixels(bulletin)
    for label in ("QUANTITY", "INDICATOR", "PLATFORM"):  # displaCy's highlighting
        assert marks[ImageColor.getrgb(ENTITY_COLOURS[label])] > 500, label
