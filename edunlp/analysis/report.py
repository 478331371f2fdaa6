"""A self-contained HTML report over tagged bulletins: what each one says, and what changes.

One page, no network when viewed: inline CSS, charts as inline SVG, no script. A table of contents
leads to the label mix by month and by region (stacked bars, legends in Chinese, every month of
the span shown even without data, the counts in tables), line charts of the indicators reported in
the most months (a gap where a month says nothing), the table of every indicator, and then, one
collapsed block per bulletin, every paragraph with its labels as badges and its entities
highlighted in spaCy displaCy's entity markup. All bulletin text is escaped.

Charts are drawn by matplotlib (Agg) with text turned into SVG paths, so Chinese shows without
any font on the viewer's side; drawing it needs a CJK font on this machine (`cjk_font_family`).
"""

from __future__ import annotations

import functools
import html
import io
import itertools
import re
import warnings
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from spacy import displacy  # noqa: E402

from ..corpus.examples import LABEL_NAMES  # noqa: E402
from ..output import write_atomically  # noqa: E402
from .frames import Source, indicator_table, load_rules, paragraph_rows, series  # noqa: E402

# Preferred first; any one of them covers the simplified characters of the bulletins.
CJK_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei", "Noto Sans CJK JP", "Noto Serif CJK SC", "Droid Sans Fallback", "AR PL UMing CN",
    "SimHei", "Microsoft YaHei", "PingFang SC",
)
# Dark enough for white badge text.
LABEL_COLOURS = {
    "resources": "#4e79a7", "learning_space": "#1f9bb0", "poverty": "#e07b1a", "governance": "#9c755f",
    "campus": "#59a14f", "innovation": "#b07aa1", "literacy": "#a88d22", "publicity": "#d37295",
    "security": "#e15759", "policy": "#79706e", "other": "#8c8c8c",
}
ENTITY_COLOURS = {
    "QUANTITY": "#ffd166", "INDICATOR": "#a0e7a0", "DATE": "#cdb4f6", "ORG": "#8ecae6",
    "GPE": "#ffadad", "DOC": "#f4cae0", "PLATFORM": "#b5e48c", "EVENT": "#ffc9a3",
}
MAX_INDICATOR_CHARTS = 8
CSS = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       margin: 0 auto; max-width: 1180px; padding: 1em 2em; color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 2px solid #ddd; padding-bottom: .2em; margin-top: 2em; }
h3 { margin: 1.2em 0 .4em; color: #555; font-size: 1.05em; }
svg { max-width: 100%; height: auto; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 1em; }
.chart { border: 1px solid #eee; border-radius: 6px; padding: .5em; }
.entities mark { white-space: nowrap; }
.paragraph { border-left: 3px solid #eee; margin: .6em 0; padding: .2em .8em; }
.meta { font-size: .9em; color: #444; }
.head { font-weight: bold; margin-right: .6em; }
.region { background: #eee; border-radius: 3px; padding: 0 .4em; margin-right: .6em; }
.badge { display: inline-block; color: #fff; border-radius: 9px; padding: 0 .55em; margin-right: .3em;
         font-size: .85em; text-shadow: 0 0 2px #0006; }
table { border-collapse: collapse; font-size: .85em; margin: .5em 0; }
td, th { border: 1px solid #ddd; padding: .15em .5em; text-align: right; }
details { margin: .4em 0 1em; }
details.bulletin > summary { font-size: 1.2em; font-weight: bold; cursor: pointer; padding: .3em 0; }
nav.toc ol { columns: 2; font-size: .9em; }
table.indicators td { text-align: left; } table.indicators td:nth-child(7) { text-align: right; }
"""


@functools.cache
def cjk_font_family() -> str | None:
    """The first installed family of CJK_FAMILIES that matplotlib can use, or None with a warning."""
    if not _known_cjk_family():
        # A font installed after matplotlib cached its font list is not in the cache yet.
        cached = {font.fname for font in font_manager.fontManager.ttflist}
        for path in font_manager.findSystemFonts():
            if path not in cached:
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue  # a font file FreeType cannot read
    family = _known_cjk_family()
    if family is None:
        warnings.warn(
            "no CJK font found (tried: " + ", ".join(CJK_FAMILIES) + "); Chinese in the report's charts "
            "will show as boxes. On Debian: apt-get install fonts-noto-cjk",
            stacklevel=2,
        )
    return family


def _known_cjk_family() -> str | None:
    known = {font.name for font in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in known), None)


def _chart_style() -> dict[str, Any]:
    family = cjk_font_family()
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [family, "DejaVu Sans"] if family else ["DejaVu Sans"],
        "axes.unicode_minus": False,  # CJK fonts often lack U+2212
        "svg.fonttype": "path",  # glyphs as paths: no font needed where the page is viewed
        "svg.hashsalt": "edunlp",  # stable ids, so the same input gives the same page
        "font.size": 9,
    }


def _svg(figure: plt.Figure, chart_id: str) -> str:
    """The figure as inline SVG: no XML prologue, ids prefixed so charts on one page cannot clash."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata=dict.fromkeys(["Creator", "Date", "Format", "Type"]))
    plt.close(figure)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r'\bid="', f'id="{chart_id}-', svg)
    return re.sub(r'(href="#|url\(#)', rf"\g<1>{chart_id}-", svg)


def _stacked_bars(counts: pd.DataFrame, title: str, chart_id: str, horizontal: bool) -> str:
    """Counts (rows: months or regions, columns: labels) as stacked bars."""
    with plt.rc_context(_chart_style()):
        if horizontal:
            figure, axes = plt.subplots(figsize=(7.5, 1.2 + 0.3 * len(counts)))
        else:
            figure, axes = plt.subplots(figsize=(7.5, 3.4))
        positions = range(len(counts))
        base = pd.Series(0.0, index=counts.index)
        for label in counts.columns:
            colour = LABEL_COLOURS.get(label, "#999999")
            name = LABEL_NAMES.get(label, label)
            if horizontal:
                axes.barh(positions, counts[label], left=base, color=colour, label=name)
            else:
                axes.bar(positions, counts[label], bottom=base, color=colour, label=name)
            base = base + counts[label]
        step = max(1, len(counts) // 24)
        ticks = list(positions)[::step]
        names = [str(name) for name in counts.index][::step]
        if horizontal:
            axes.set_yticks(ticks, names)
            axes.invert_yaxis()
            axes.set_xlabel("paragraphs")
        else:
            axes.set_xticks(ticks, names, rotation=45 if len(ticks) > 8 else 0, ha="right" if len(ticks) > 8 else "center")
            axes.set_ylabel("paragraphs")
        axes.set_title(title)
        axes.legend(fontsize=7, ncols=1, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
        axes.spines[["top", "right"]].set_visible(False)
        return _svg(figure, chart_id)


def chinese_number(value: float) -> str:
    """A number as the bulletins write it: 6.82亿, 2910万, 716, 99.96."""
    for size, multiplier in ((1e8, "亿"), (1e4, "万")):
        if abs(value) >= size:
            return f"{value / size:.4g}{multiplier}"
    return f"{value:.4g}"


def every_month(months: Iterable[str]) -> list[str]:
    """Every month from the first to the last of `months` ("2021-06"), those without data too."""
    periods = sorted(pd.Period(month, "M") for month in months)
    return [str(p) for p in pd.period_range(periods[0], periods[-1], freq="M")] if periods else []


def _line_chart(values: pd.Series, chart_id: str) -> str:
    unit = values.attrs.get("unit", "")
    months = every_month(str(month) for month in values.index)
    values = values.set_axis([str(month) for month in values.index]).reindex(months)  # NaN: a gap in the line
    with plt.rc_context(_chart_style()):
        figure, axes = plt.subplots(figsize=(5.6, 2.8))
        axes.plot(months, values.to_numpy(), marker="o", color="#4e79a7")
        for month, value in values.dropna().items():
            axes.annotate(chinese_number(value), (month, value), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=7)
        step = max(1, len(months) // 12)
        axes.set_xticks(range(0, len(months), step), months[::step], rotation=45 if len(months) > 6 else 0)
        axes.set_title(f"{values.name}（{unit}）" if unit else str(values.name))
        axes.yaxis.set_major_formatter(lambda value, _: chinese_number(value))
        axes.margins(y=0.25)
        if (values >= 0).all():
            axes.set_ylim(bottom=0)  # counts and shares never below zero: the axis starts at 0
        axes.spines[["top", "right"]].set_visible(False)
        return _svg(figure, chart_id)


def label_counts(rows: list[dict[str, Any]], by: str) -> pd.DataFrame:
    """Paragraphs per label and `by` ("month" or "region"); a paragraph counts once per label.
    The abstract is left out: it restates the paragraphs below it."""
    counts = Counter(
        (row[by], label["label"])
        for row in rows
        if row.get(by) and row.get("kind") != "abstract"
        for label in row.get("labels") or []
    )
    if not counts:
        return pd.DataFrame()
    table = pd.Series(counts).unstack(fill_value=0)
    order = [label for label in LABEL_COLOURS if label in table.columns]
    table = table[order + sorted(set(table.columns) - set(order))]
    if by == "month":  # a month without labelled paragraphs is a bar of 0, not a missing bar
        return table.reindex(every_month(table.index), fill_value=0)
    return table.loc[table.sum(axis=1).sort_values(ascending=False).index]


def main_indicators(table: pd.DataFrame) -> list[pd.Series]:
    """Series (see `series`) of the national indicators reported in two months or more, the
    longest first, at most MAX_INDICATOR_CHARTS."""
    national = table[table["region"].isna() & table["name"].fillna("").str.strip().astype(bool)]
    keys = national["indicator_key"].dropna().unique()  # an unnamed series mixes unrelated counts: none
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # mixed units: the chart shows the main one, titled with it
        found = [series(table, key) for key in keys]
    found = sorted((values for values in found if len(values) >= 2), key=len, reverse=True)
    return found[:MAX_INDICATOR_CHARTS]


def _paragraph_html(row: dict[str, Any]) -> str:
    text, offset = row["text"], row["start"]
    spans = []
    for entity in sorted(row.get("entities") or [], key=lambda e: (e["start"], -(e["end"] - e["start"]))):
        start, end = entity["start"] - offset, entity["end"] - offset
        if 0 <= start < end <= len(text) and (not spans or start >= spans[-1]["end"]):
            # displaCy cannot nest, and it writes labels as given: only known labels, escaped anyway.
            label = entity["label"] if entity["label"] in ENTITY_COLOURS else "?"
            spans.append({"start": start, "end": end, "label": html.escape(label)})
    markup = displacy.render(
        {"text": text, "ents": spans}, style="ent", manual=True, page=False, jupyter=False,
        options={"colors": ENTITY_COLOURS},
    )
    badges = "".join(
        f'<span class="badge" style="background:{LABEL_COLOURS.get(label["label"], "#999")}" '
        f'title="{html.escape(LABEL_NAMES.get(label["label"], label["label"]))}">'
        f'{html.escape(label["label"])} {label.get("score", 0):.2f}</span>'
        for label in sorted(row.get("labels") or [], key=lambda label: -label.get("score", 0))
    )
    head = f'<span class="head">{html.escape(row["head"])}</span>' if row.get("head") else ""
    shown = row.get("region") and row["region"] != row.get("head")
    region = f'<span class="region">{html.escape(row["region"])}</span>' if shown else ""
    return f'<div class="paragraph"><div class="meta">{head}{region}{badges}</div>{markup}</div>'


def _bulletin_title(rows: list[dict[str, Any]]) -> str:
    first = rows[0]
    return " · ".join(str(part) for part in (first.get("month"), first.get("source")) if part) or first.get("doc_id") or ""


def _bulletin_html(rows: list[dict[str, Any]], anchor: str) -> str:
    """One bulletin, collapsed: its title opens it."""
    parts = [f'<details class="bulletin" id="{anchor}"><summary>{html.escape(_bulletin_title(rows))} '
             f'({len(rows)} paragraphs)</summary>']
    section = object()  # differs from any section title, so the first row opens one
    for row in rows:
        if row.get("section") != section:
            section = row.get("section")
            heading = "摘要" if row.get("kind") == "abstract" else (section or "")
            parts.append(f"<h3>{html.escape(heading)}</h3>")
        parts.append(_paragraph_html(row))
    parts.append("</details>")
    return "\n".join(parts)


def _counts_html(counts: pd.DataFrame, title: str, chart_id: str, horizontal: bool) -> str:
    if counts.empty:
        return f"<p>{html.escape(title)}: no labelled paragraphs.</p>"
    chart = _stacked_bars(counts, title, chart_id, horizontal)
    table = counts.to_html(border=0)
    return f'<div class="chart">{chart}<details><summary>counts</summary>{table}</details></div>'


INDICATOR_TABLE_COLUMNS = {"month": "月份", "region": "地区", "action_line": "行动方向", "indicator_key": "指标",
                           "name": "原文名称", "text": "原文数值", "normalized": "数值", "unit": "单位"}


def _indicator_table_html(table: pd.DataFrame) -> str:
    """Every indicator, by month: pandas escapes each cell."""
    if table.empty:
        return "<p>No indicators.</p>"
    shown = table.assign(action_line=table["action_line"].map(lambda l: LABEL_NAMES.get(l, l), na_action="ignore"))
    shown = shown.sort_values(["month", "region", "indicator_key"], na_position="first")[list(INDICATOR_TABLE_COLUMNS)]
    shown = shown.rename(columns=INDICATOR_TABLE_COLUMNS)
    return shown.to_html(index=False, border=0, classes="indicators", na_rep="", float_format=lambda v: f"{v:,.6g}")


def build_report(bulletins: Source, path: str | Path, rule_files: Iterable[str | Path] = ()) -> Path:
    """Write the HTML report for tagged bulletins and/or `edunlp tag` JSONL files to `path`,
    atomically. `rule_files` are extra indicator grouping rules (see `edunlp.analysis.frames`)."""
    rows = list(paragraph_rows(bulletins))
    table = indicator_table(rows, load_rules(rule_files))
    charts = [f'<div class="chart">{_line_chart(values, f"ind{n}")}</div>' for n, values in enumerate(main_indicators(table))]
    groups = [list(group) for _, group in itertools.groupby(rows, key=lambda row: (row.get("source"), row.get("doc_id")))]
    months = sorted({row["month"] for row in rows if row.get("month")})
    span = f"{months[0]} – {months[-1]}" if months else "months unknown"
    contents = "".join(f'<li><a href="#bulletin-{n}">{html.escape(_bulletin_title(group))}</a></li>'
                       for n, group in enumerate(groups))
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>edunlp report</title><style>{CSS}</style></head>
<body>
<h1>edunlp report</h1>
<p>{len(groups)} bulletins, {len(rows)} paragraphs, {len(table)} indicators; {html.escape(span)}.</p>
<nav class="toc"><h2>Contents</h2><ul>
<li><a href="#action-lines">Action lines</a></li><li><a href="#main-indicators">Main indicators</a></li>
<li><a href="#indicator-table">All indicators</a></li><li><a href="#bulletins">Bulletins</a><ol>{contents}</ol></li>
</ul></nav>
<h2 id="action-lines">Action lines</h2>
<div class="charts">
{_counts_html(label_counts(rows, "month"), "Labels by month", "mix-month", horizontal=False)}
{_counts_html(label_counts(rows, "region"), "Labels by region", "mix-region", horizontal=True)}
</div>
<h2 id="main-indicators">Main indicators (national, last value per month)</h2>
{'<div class="charts">' + "".join(charts) + "</div>" if charts else "<p>No national indicator is reported in two months or more.</p>"}
<h2 id="indicator-table">All indicators</h2>
<details><summary>{len(table)} indicators by month</summary>{_indicator_table_html(table)}</details>
<h2 id="bulletins">Bulletins</h2>
{"".join(_bulletin_html(group, f"bulletin-{n}") for n, group in enumerate(groups))}
</body></html>
"""
    return write_atomically(path, lambda temp: Path(temp).write_text(page, encoding="utf-8"))
