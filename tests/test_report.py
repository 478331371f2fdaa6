"""The HTML report: displaCy entity markup, label badges, inline SVG charts, nothing fetched."""

from __future__ import annotations

import html
import itertools
import json
import math
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import matplotlib.pyplot as plt
import pytest

from edunlp import Bulletin, Entity, segment
from edunlp.analysis import report
from edunlp.analysis.report import ENTITY_COLOURS, build_report, chinese_number, cjk_font_family, label_counts
from edunlp.indicators.extract import fill_indicators

from .test_analysis import archive

# Attributes and CSS that make a browser fetch something: src/href to a URL, url(...), @import.
EXTERNAL = re.compile(r"""(?:\b(?:src|href|srcset|poster|data)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import)""", re.I)


@pytest.fixture(scope="module")
def bulletins() -> list[Bulletin]:
    return archive()


@pytest.fixture(scope="module")
def page(bulletins: list[Bulletin], tmp_path_factory) -> str:
    path = build_report(bulletins, tmp_path_factory.mktemp("report") / "report.html")
    return path.read_text(encoding="utf-8")


def _marks(page: str) -> list[tuple[str, str]]:
    """(entity text, label) of every displaCy <mark> in the page."""
    found = re.findall(r'<mark class="entity"[^>]*>\s*(.*?)\s*<span[^>]*>(\w+)</span>\s*</mark>', page, re.S)
    return [(html.unescape(text), label) for text, label in found]


def test_entities_are_highlighted_with_displacy_markup(page: str, bulletins: list[Bulletin]) -> None:
    marks = _marks(page)
    assert ("国家中小学网络云平台", "PLATFORM") in marks
    assert ("5.2亿人", "QUANTITY") in marks
    assert ("累计访客", "INDICATOR") in marks
    assert ("截至6月底", "DATE") in marks
    assert f"background: {ENTITY_COLOURS['PLATFORM']}" in page
    # Every entity of every paragraph is shown once (none overlap in this archive).
    assert len(marks) == sum(len(p.entities) for b in bulletins for p in b.paragraphs)


def test_labels_are_badges(page: str) -> None:
    badges = re.findall(r'<span class="badge"[^>]*>([a-z_]+) ([\d.]+)</span>', page)
    assert ("resources", "0.94") in badges and ("campus", "0.79") in badges
    # 江苏's two labels, the higher score first.
    assert re.search(r"security 0\.83</span><span[^>]*>campus 0\.79", page)


def test_charts_are_inline_svg(page: str) -> None:
    assert page.count("<svg") == 2 + 6  # label mix by month and by region, six indicators
    assert "<?xml" not in page and "<img" not in page
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "two charts share an element id"


def _offline(page: str) -> None:
    """Nothing to fetch, and a policy that forbids fetching and every script but the filters."""
    assert not EXTERNAL.search(page)
    assert "<link" not in page and "<iframe" not in page and "<script src" not in page
    policy = html.unescape(re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)[0])
    assert "default-src 'none'" in policy
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert page.count("<script") == len(scripts) <= 1
    assert all(report.content_security_policy(script) == policy for script in scripts)


def test_nothing_is_fetched_from_the_network(page: str) -> None:
    _offline(page)


def test_the_check_for_external_resources_can_fail() -> None:
    assert EXTERNAL.search('<img src="https://example.org/x.png">')
    assert EXTERNAL.search("body { background: url('//cdn.example.org/a.woff') }")
    assert not EXTERNAL.search('<svg xmlns="http://www.w3.org/2000/svg">')


def test_chart_text_is_paths_in_a_cjk_font(page: str) -> None:
    family = cjk_font_family()
    if family is None:
        pytest.skip("no CJK font on this machine (apt-get install fonts-noto-cjk)")
    charts = re.findall(r"<svg.*?</svg>", page, re.S)
    assert not any("<text" in chart for chart in charts)  # svg.fonttype = "path": glyph outlines...
    glyph_ids = [glyph for chart in charts for glyph in re.findall(r'<path id="([^"]+)"', chart)]
    assert any("CJK" in glyph for glyph in glyph_ids)  # ...some of them from the CJK font (ind0-NotoSansCJKsc-…)


def test_label_mix_counts(bulletins: list[Bulletin]) -> None:
    rows = [row for bulletin in bulletins for row in bulletin.rows()]
    by_month = label_counts(rows, "month")
    assert by_month.loc["2021-06", "security"] == 2  # 信息系统安全监测 and 江苏
    assert by_month.loc["2021-09", "publicity"] == 1
    by_region = label_counts(rows, "region")
    assert by_region.loc["江苏", "campus"] == 3 and by_region.loc["四川", "literacy"] == 2


def test_report_from_tag_jsonl(bulletins: list[Bulletin], page: str, tmp_path: Path) -> None:
    tagged = tmp_path / "tagged.jsonl"
    tagged.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for b in bulletins for r in b.rows()), encoding="utf-8")
    assert build_report(tagged, tmp_path / "again.html").read_text(encoding="utf-8") == page


@pytest.mark.parametrize(("value", "text"), [(682_000_000, "6.82亿"), (29_100_000, "2910万"), (716, "716"), (99.96, "99.96")])
def test_chinese_number(value: float, text: str) -> None:
    assert chinese_number(value) == text


def test_nested_entities_show_the_outer_one(tmp_path: Path) -> None:
    bulletin = segment("★教育信息化重点工作进展\n\n数字校园规范建设行动　出口带宽100M以上的学校占比99.5%。\n")
    paragraph = bulletin.paragraphs[0]

    def entity(label: str, text: str) -> Entity:
        start = bulletin.text.index(text)
        return Entity(label, start, start + len(text), text)

    paragraph.entities = [entity("INDICATOR", "出口带宽100M以上的学校占比"), entity("QUANTITY", "100M"), entity("QUANTITY", "99.5%")]
    marks = _marks(build_report([bulletin], tmp_path / "nested.html").read_text(encoding="utf-8"))
    assert marks == [("出口带宽100M以上的学校占比", "INDICATOR"), ("99.5%", "QUANTITY")]


def test_missing_cjk_font_warns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report, "CJK_FAMILIES", ("No Such Font SC",))
    report.cjk_font_family.cache_clear()
    try:
        with pytest.warns(UserWarning, match="no CJK font found .*fonts-noto-cjk"):
            assert report.cjk_font_family() is None
    finally:
        report.cjk_font_family.cache_clear()



def test_no_chart_for_unnamed_indicators_and_count_axes_start_at_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas as pd

    rows = [{"region": None, "name": name, "indicator_key": key, "month": pd.Period(month, "M"), "unit": "个",
             "normalized": value}
            for name, key, month, value in [("", "", "2021-01", 5), ("", "", "2021-02", 9),
                                            ("教学点", "教学点", "2021-01", 120), ("教学点", "教学点", "2021-02", 130)]]
    charts = report.main_indicators(pd.DataFrame(rows))
    assert [c.name for c in charts] == ["教学点"]
    drawn = []
    monkeypatch.setattr(report, "_svg", lambda figure, chart_id: drawn.append(figure.axes[0].get_ylim()) or "")
    report._line_chart(charts[0], "c0")
    assert drawn[0][0] == 0


def test_a_crafted_entity_label_never_becomes_markup() -> None:
    row = {"text": "教育部印发通知。", "start": 0, "labels": [], "head": None, "region": None,
           "entities": [{"start": 0, "end": 3, "label": "<img src=x onerror=alert(1)>"}]}
    markup = report.entity_markup(row)
    assert "<img" not in markup and "onerror" not in markup


def test_contents_lead_to_every_part_and_bulletins_start_collapsed(page: str, bulletins: list[Bulletin]) -> None:
    targets = re.findall(r'<nav class="toc">.*?</nav>', page, re.S)[0]
    links = re.findall(r'href="#([^"]+)"', targets)
    assert {"action-lines", "main-indicators", "indicator-table", "bulletins"} <= set(links)
    index = re.findall(r'<table class="index">.*?</table>', page, re.S)[0]
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    assert set(links) <= ids and set(re.findall(r'href="#([^"]+)"', page)) <= ids
    assert page.count('<details class="bulletin"') == len(bulletins) == len(re.findall(r'href="#bulletin-', index))
    assert '<details class="bulletin" id="bulletin-0" open' not in page


def test_indicator_table_has_every_indicator(page: str, bulletins: list[Bulletin]) -> None:
    table = re.findall(r'<table[^>]*class="[^"]*indicators[^"]*".*?</table>', page, re.S)[0]
    assert table.count("<tr") - 1 == sum(len(p.indicators) for b in bulletins for p in b.paragraphs)  # less the header
    assert "<th>原文数值</th>" in table and "<td>5.2亿人</td>" in table and "数字教育资源" in table


def test_untrusted_indicator_text_is_escaped_in_the_table(tmp_path: Path) -> None:
    bulletin = archive()[0]
    bulletin.paragraphs[1].indicators[0].name = "<script>alert(1)</script>"
    page = build_report([bulletin], tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'data-name="&lt;script&gt;alert(1)&lt;/script&gt;' in page


def test_legends_name_labels_in_chinese_and_months_without_data_stay(monkeypatch: pytest.MonkeyPatch,
                                                                     bulletins: list[Bulletin]) -> None:
    rows = [row for bulletin in bulletins for row in bulletin.rows() if row["month"] != "2021-07"]
    counts = label_counts(rows, "month")
    assert list(counts.index) == ["2021-06", "2021-07", "2021-08", "2021-09"]
    assert counts.loc["2021-07"].sum() == 0
    legends = []
    monkeypatch.setattr(report, "_svg", lambda figure, chart_id: legends.append(
        [t.get_text() for t in figure.axes[0].get_legend().get_texts()]) or "")
    report._stacked_bars(counts, "Labels by month", "m", horizontal=False)
    assert "网络安全" in legends[0] and "数字教育资源" in legends[0] and "security" not in legends[0]


def test_a_month_without_the_indicator_is_a_gap(monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas as pd

    values = pd.Series([120.0, 135.0], index=pd.PeriodIndex(["2021-01", "2021-03"], freq="M"), name="教学点")
    lines = []
    monkeypatch.setattr(report, "_svg", lambda figure, chart_id: lines.append(figure.axes[0].lines[0]) or "")
    report._line_chart(values, "g")
    assert list(lines[0].get_xdata()) == ["2021-01", "2021-02", "2021-03"]
    assert pd.isna(lines[0].get_ydata()[1])


def _copies(bulletins: list[Bulletin], times: int) -> list[dict]:
    """The archive's rows `times` over, each copy under its own source name (another archive of the same months)."""
    return [{**row, "source": f"copy{n}/{row['source']}"} for n in range(times) for b in bulletins for row in b.rows()]


def _local_links(page: Path) -> list[tuple[Path, str]]:
    """(file, anchor) of every link in `page`."""
    found = []
    for target in re.findall(r'href="([^"]+)"', page.read_text(encoding="utf-8")):
        file, _, anchor = unquote(html.unescape(target)).partition("#")
        found.append(((page.parent / file).resolve() if file else page, anchor))
    return found


def test_split_layout_keeps_the_overview_small_and_every_link_resolves(bulletins: list[Bulletin], tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Bulletin pages and indicator pages of bounded size, each indicator page with the filters,
    all of them linked from the overview and from each other."""
    per_page = 7
    monkeypatch.setattr(report, "INDICATORS_PER_PAGE", per_page)
    indicators = sum(len(p.indicators) for b in bulletins for p in b.paragraphs)
    sizes = {}
    for times in (1, 5):
        tagged = tmp_path / f"x{times}.jsonl"
        tagged.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _copies(bulletins, times)), encoding="utf-8")
        overview = build_report(tagged, tmp_path / f"x{times} report.html", layout="split")
        folder = tmp_path / f"x{times} report_files"
        pages = sorted(p.name for p in folder.iterdir())
        table_pages = [f"indicators-{n}.html" for n in range(1, -(-times * indicators // per_page) + 1)]
        assert pages == sorted([*table_pages, *(f"bulletin-{n}.html" for n in range(times * len(bulletins)))])
        for page in [overview, *folder.iterdir()]:
            _offline(page.read_text(encoding="utf-8"))
            for file, anchor in _local_links(page):
                assert file.is_file() or (file.is_dir() and file == folder.resolve()), (page, file)
                if anchor and file.is_file():
                    assert f'id="{anchor}"' in file.read_text(encoding="utf-8"), (page, anchor)
        text = overview.read_text(encoding="utf-8")
        assert "<details class=\"bulletin\"" not in text and "国家中小学网络云平台" not in text
        assert "<mark" in (folder / "bulletin-0.html").read_text(encoding="utf-8")
        linked = {file.name for file, _ in _local_links(overview)}
        rows = []
        for name in table_pages:
            page = (folder / name).read_text(encoding="utf-8")
            rows.append(page.count("<tr data-month"))
            assert 'id="indicator-filters"' in page and len(re.findall(r"<script>", page)) == 1
            assert set(table_pages) - {name} <= {file.name for file, _ in _local_links(folder / name)}
        assert rows == [per_page] * (len(rows) - 1) + [times * indicators - per_page * (len(rows) - 1)]
        assert set(table_pages) <= linked
        sizes[times] = (overview.stat().st_size, sum(p.stat().st_size for p in folder.iterdir()),
                        max((folder / name).stat().st_size for name in table_pages))
    assert sizes[5][1] > 4 * sizes[1][1]  # the bulletins' pages grow with the archive...
    assert sizes[5][0] < 1.5 * sizes[1][0]  # ...the overview hardly does...
    assert sizes[5][2] < 1.5 * sizes[1][2]  # ...nor does the largest indicator page


def test_auto_layout_splits_only_past_the_limit(bulletins: list[Bulletin], tmp_path: Path, monkeypatch) -> None:
    build_report(bulletins, tmp_path / "small.html")
    assert not (tmp_path / "small_files").exists()
    monkeypatch.setattr(report, "SINGLE_PAGE_LIMIT", 1000)
    build_report(bulletins, tmp_path / "large.html")
    assert (tmp_path / "large_files" / "bulletin-0.html").is_file()
    assert (tmp_path / "large_files").stat().st_mode & 0o755 == 0o755  # not the temporary directory's 0700
    build_report(bulletins[:1], tmp_path / "large.html", layout="split")  # a rerun replaces the folder
    assert sorted(p.name for p in (tmp_path / "large_files").iterdir()) == ["bulletin-0.html", "indicators-1.html"]
    with pytest.raises(ValueError, match="unknown layout"):
        build_report(bulletins, tmp_path / "x.html", layout="pages")


def test_filters_offer_the_table_s_months_regions_and_labels_escaped(tmp_path: Path) -> None:
    bulletin = archive()[0]
    bulletin.paragraphs[1].indicators[0].name = "<b>名</b>"
    bulletin.paragraphs[1].region = '"><img src=x onerror=alert(1)>'
    page = build_report([bulletin], tmp_path / "r.html").read_text(encoding="utf-8")
    form = re.findall(r'<form class="filters".*?</form>', page, re.S)[0]
    assert form.startswith('<form class="filters" id="indicator-filters" autocomplete="off" hidden>')  # until the script runs
    options = dict(re.findall(r'<select name="(\w+)">(.*?)</select>', form, re.S))
    assert re.findall(r"<option>([^<]+)</option>", options["month"]) == ["2021-06"]
    assert "<option>全国</option>" in options["region"]
    assert '<option value="resources">数字教育资源</option>' in options["label"]
    assert "<img" not in page and "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<b>名</b>" not in page


FAKE_DOM = """
const rows = JSON.parse(process.argv[2]).map(dataset => ({dataset, hidden: false}));
const handlers = {};
const elements = {month: {value: ""}, region: {value: ""}, label: {value: ""}, q: {value: ""}};
const form = {elements, hidden: true, addEventListener: (kind, f) => { handlers[kind] = f; }};
const shown = {textContent: ""};
globalThis.document = {
  getElementById: id => ({"indicator-filters": form, "indicators-shown": shown})[id],
  querySelectorAll: () => rows,
};
globalThis.setTimeout = f => f();
globalThis.location = {search: process.argv[5]};
eval(require("fs").readFileSync(process.argv[3], "utf8"));
const steps = [[shown.textContent, rows.map(row => row.hidden)]];  // as loaded
for (const change of JSON.parse(process.argv[4])) {
  for (const [name, value] of Object.entries(change)) if (name in elements) elements[name].value = value;
  handlers[change.reset ? "reset" : "input"]();
  steps.push([shown.textContent, rows.map(row => row.hidden)]);
}
console.log(JSON.stringify({form_hidden: form.hidden, steps}));
"""
ROWS = [{"month": "2021-06", "region": "全国", "label": "resources", "name": "累计访客"},
        {"month": "2021-06", "region": "江苏", "label": "campus", "name": "出口带宽"},
        {"month": "2021-07", "region": "江苏", "label": "resources", "name": "注册用户 注册用户数"}]


def _run_filter_script(tmp_path: Path, changes: list[dict[str, str]], search: str = "") -> dict:
    """The filter script run by node over ROWS in FAKE_DOM, at the address `?…` `search`."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = tmp_path / "dom.js"
    script.write_text(FAKE_DOM, encoding="utf-8")
    done = subprocess.run([node, str(script), json.dumps(ROWS), str(Path(report.__file__).parent / "templates" / "filter.js"),
                           json.dumps(changes), search], capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout)


def test_the_filter_script_hides_the_rows_that_do_not_match(tmp_path: Path) -> None:
    changes = [{"month": "2021-06"}, {"region": "江苏"}, {"month": "", "region": "", "label": "resources"},
               {"label": "", "q": " 用户 "}, {"q": "nothing"}, {"q": "", "reset": True}]
    assert _run_filter_script(tmp_path, changes) == {"form_hidden": False, "steps": [
        ["3", [False, False, False]],
        ["2", [False, False, True]], ["1", [True, False, True]], ["2", [False, True, False]],
        ["1", [True, True, False]], ["0", [True, True, True]], ["3", [False, False, False]],
    ]}


def test_the_address_sets_the_filters(tmp_path: Path) -> None:
    found = _run_filter_script(tmp_path, [{"q": ""}], search="?region=%E6%B1%9F%E8%8B%8F&q=%E7%94%A8%E6%88%B7&x=1")
    assert found["steps"] == [["1", [True, True, False]], ["2", [True, False, False]]]  # 江苏 and 用户; then 江苏 alone


def _overlaps(texts: list, figure) -> list[tuple[str, str]]:
    """Pairs of `texts` (of one rotation) whose boxes overlap as drawn: by the separating axes of
    their rotated rectangles, centred where their drawn bounding boxes are."""
    boxes = []
    with plt.rc_context(report._chart_style()):  # the fonts the chart is drawn in
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()
        for text in texts:
            centre = text.get_window_extent(renderer).get_points().mean(axis=0)
            rotation = text.get_rotation()
            text.set_rotation(0)
            width, height = text.get_window_extent(renderer).size
            text.set_rotation(rotation)
            angle = math.radians(rotation)
            along, across = (math.cos(angle), math.sin(angle)), (-math.sin(angle), math.cos(angle))
            boxes.append((text.get_text(), centre @ along, centre @ across, width, height))
    return [(a[0], b[0]) for a, b in itertools.combinations(boxes, 2)
            if abs(a[1] - b[1]) < (a[3] + b[3]) / 2 and abs(a[2] - b[2]) < (a[4] + b[4]) / 2]


def _drawn(monkeypatch: pytest.MonkeyPatch) -> list:
    figures: list = []
    monkeypatch.setattr(report, "_svg", lambda figure, chart_id: figures.append(figure) or "")
    return figures


def test_a_long_line_chart_has_no_overlapping_labels_and_its_gaps_keep_the_zero_axis(monkeypatch: pytest.MonkeyPatch) -> None:
    """Four months in a row and one 21 months later (what the screenshot of the test archive showed:
    month names and values written over each other, the axis starting at 4000万)."""
    import pandas as pd

    months = ["2021-06", "2021-07", "2021-08", "2021-09", "2023-03"]
    values = pd.Series([1.1e8, 1.15e8, 1.18e8, 1.2e8, 5e7], index=pd.PeriodIndex(months, freq="M"), name="注册用户")
    figures = _drawn(monkeypatch)
    report._line_chart(values, "c")
    axes = figures[0].axes[0]
    ticks = [label for label in axes.get_xticklabels() if label.get_text()]
    assert 6 <= len(ticks) <= 12 and not _overlaps(ticks, figures[0])
    assert ticks[-1].get_text() == "2023-03"  # the latest month is named
    written = [text.get_text() for text in axes.texts]
    assert "5000万" in written and "1.2亿" in written  # the latest value and the latest of the run
    assert not _overlaps(axes.texts, figures[0])
    assert axes.get_ylim()[0] == 0


def test_bars_over_many_months_have_no_overlapping_month_names(monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas as pd

    months = report.every_month(["2019-01", "2023-08"])
    figures = _drawn(monkeypatch)
    report._stacked_bars(pd.DataFrame({"resources": 1, "security": 2}, index=months), "t", "m", horizontal=False)
    ticks = [label for label in figures[0].axes[0].get_xticklabels() if label.get_text()]
    assert 12 <= len(ticks) <= 24 and not _overlaps(ticks, figures[0])


def test_undated_indicators_come_last_and_the_page_span_names_them(bulletins: list[Bulletin], tmp_path: Path) -> None:
    """The test archive's screenshot showed "Indicators 月份不详 – 2023-03": the undated rows first."""
    undated = segment("★教育信息化重点工作进展\n\n数字资源服务普及行动　专题教育资源120节。\n", source="undated.txt")
    build_report([fill_indicators(undated), *bulletins], tmp_path / "r.html", layout="split")
    page = (tmp_path / "r_files" / "indicators-1.html").read_text(encoding="utf-8")
    assert "<title>Indicators 2021-06 – 2021-09, 月份不详 (1/1)" in page
    months, regions = zip(*re.findall(r'<tr data-month="([^"]*)" data-region="([^"]*)"', page))
    assert months[-1] == "" and "" not in months[:-1] and list(months[:-1]) == sorted(months[:-1])
    june = [region for month, region in zip(months, regions) if month == "2021-06"]
    assert june[0] == "全国" and june[-1] == "江苏"  # national rows first in a month
    span = lambda *months: report._IndicatorPage(1, [{"month": month} for month in months]).span  # noqa: E731
    assert (span("2021-06"), span(""), span()) == ("2021-06", "月份不详", "–")


def test_indicator_table_headers_align_with_their_columns(page: str) -> None:
    table = re.findall(r'<table class="indicators">.*?</table>', page, re.S)[0]
    header = re.findall(r"<th( class=\"\w+\")?>", re.findall(r"<thead>.*?</thead>", table, re.S)[0])
    first_row = re.findall(r"<td( class=\"\w+\")?>", re.findall(r"<tbody>.*?</tr>", table, re.S)[0])
    assert header == first_row and ' class="number"' in header
