"""The HTML report over tagged bulletins: what each one says, and what changes.

An overview page leads (table of contents) to the label mix by month and by region (stacked bars,
legends in Chinese, every month of the span shown even without data, the counts in tables), line
charts of the indicators reported in the most months (a gap where a month says nothing), the
table of every indicator with filters by month, region, action line and name, and an index of
the bulletins by month. Each bulletin shows every paragraph with its labels as badges and its
entities highlighted in spaCy displaCy's entity markup.

A small archive is one page, bulletins collapsed in it. A large one is an overview page that stays
small and a folder beside it with a page per bulletin and the indicator table in pages of at most
INDICATORS_PER_PAGE rows, in month order, each with the filters (`layout`), so that the size of
what a reader opens does not grow with the archive.

Nothing is fetched when the pages are viewed: inline CSS, charts as inline SVG, one inline script
(the table's filters), and a Content-Security-Policy that forbids the rest. The pages are jinja2
templates (edunlp/analysis/templates) with autoescaping, so all bulletin text is escaped.
Charts are drawn by matplotlib (Agg) with text turned into SVG paths, so Chinese shows without
any font on the viewer's side; drawing it needs a CJK font on this machine (`cjk_font_family`).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import io
import itertools
import re
import tempfile
import warnings
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from jinja2 import Environment, PackageLoader, StrictUndefined  # noqa: E402
from markupsafe import Markup  # noqa: E402
from spacy import displacy  # noqa: E402

from ..corpus.examples import LABEL_NAMES  # noqa: E402
from ..output import replace_directory, write_atomically  # noqa: E402
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
# Rows of one page of the split indicator table: about 0.3 MiB, quick to open and to filter.
INDICATORS_PER_PAGE = 1000
LAYOUTS = ("auto", "single", "split")
# Bytes of bulletin markup past which the "auto" layout writes a folder of pages: a page of this
# size opens in a second and can still be mailed.
SINGLE_PAGE_LIMIT = 2 * 2**20
UNDATED = "月份不详"
NATIONAL = "全国"  # an indicator without a region
_TEMPLATES = Environment(loader=PackageLoader("edunlp.analysis", "templates"), autoescape=True,
                         undefined=StrictUndefined, keep_trailing_newline=True)


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
        step = _tick_step(len(counts), 24)
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


def _tick_step(count: int, most: int) -> int:
    """Every how many positions a label goes so that at most `most` of `count` are labelled:
    more would overlap."""
    return max(1, -(-count // most))


def _line_chart(values: pd.Series, chart_id: str) -> str:
    unit = values.attrs.get("unit", "")
    months = every_month(str(month) for month in values.index)
    values = values.set_axis([str(month) for month in values.index]).reindex(months)  # NaN: a gap in the line
    step = _tick_step(len(months), 12)
    with plt.rc_context(_chart_style()):
        figure, axes = plt.subplots(figsize=(5.6, 2.8))
        axes.plot(months, values.to_numpy(), marker="o", color="#4e79a7")
        # Values written over the points, the latest first, each at least a tick step from the
        # next one written: closer, they would overlap.
        labelled = len(months) + step
        for position in reversed(range(len(months))):
            value = values.iloc[position]
            if not pd.isna(value) and labelled - position >= step:
                axes.annotate(chinese_number(value), (months[position], value), textcoords="offset points", xytext=(0, 6),
                              ha="center", fontsize=7)
                labelled = position
        latest_first = range(len(months) - 1, -1, -step)[::-1]  # the latest month always named
        axes.set_xticks(latest_first, [months[n] for n in latest_first], rotation=45 if len(months) > 6 else 0)
        axes.set_title(f"{values.name}（{unit}）" if unit else str(values.name))
        axes.yaxis.set_major_formatter(lambda value, _: chinese_number(value))
        axes.margins(y=0.25)
        if (values.dropna() >= 0).all():  # (a gap, NaN, is not below zero)
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


def entity_markup(row: dict[str, Any]) -> Markup:
    """A paragraph's text with its entities marked up by displaCy (which escapes the text)."""
    text, offset = row["text"], row["start"]
    spans = []
    for entity in sorted(row.get("entities") or [], key=lambda e: (e["start"], -(e["end"] - e["start"]))):
        start, end = entity["start"] - offset, entity["end"] - offset
        if 0 <= start < end <= len(text) and (not spans or start >= spans[-1]["end"]):
            # displaCy cannot nest, and it writes labels as given: only known labels, escaped anyway.
            label = entity["label"] if entity["label"] in ENTITY_COLOURS else "?"
            spans.append({"start": start, "end": end, "label": html.escape(label)})
    return Markup(displacy.render(
        {"text": text, "ents": spans}, style="ent", manual=True, page=False, jupyter=False,
        options={"colors": ENTITY_COLOURS},
    ))


def _paragraph(row: dict[str, Any]) -> dict[str, Any]:
    """What the `paragraph` macro shows of a row: head, region (unless it is the head), label badges
    (the highest score first) and the entity markup."""
    labels = sorted(row.get("labels") or [], key=lambda label: -label.get("score", 0))
    return {
        "head": row.get("head"),
        "region": row.get("region") if row.get("region") != row.get("head") else None,
        "badges": [{"label": label["label"], "name": LABEL_NAMES.get(label["label"], label["label"]),
                    "colour": LABEL_COLOURS.get(label["label"], "#999"), "score": label.get("score", 0)}
                   for label in labels],
        "markup": entity_markup(row),
    }


def _sections(rows: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """A bulletin's paragraphs under their section titles (摘要 for the abstract)."""
    sections: list[tuple[str, list[dict[str, Any]]]] = []
    section = object()  # differs from any section title, so the first row opens one
    for row in rows:
        if row.get("section") != section:
            section = row.get("section")
            sections.append(("摘要" if row.get("kind") == "abstract" else (section or ""), []))
        sections[-1][1].append(_paragraph(row))
    return sections


@dataclass
class _BulletinView:
    """One bulletin as the report shows it: title, month, paragraph count and rendered body."""

    number: int
    title: str
    month: str
    source: str | None
    paragraphs: int
    body: Markup

    @property
    def anchor(self) -> str:
        return f"bulletin-{self.number}"

    @property
    def page(self) -> str:
        return f"bulletin-{self.number}.html"


def _bulletin_title(rows: list[dict[str, Any]]) -> str:
    first = rows[0]
    return " · ".join(str(part) for part in (first.get("month"), first.get("source")) if part) or first.get("doc_id") or ""


def _bulletins(rows: list[dict[str, Any]]) -> list[_BulletinView]:
    groups = [list(group) for _, group in itertools.groupby(rows, key=lambda row: (row.get("source"), row.get("doc_id")))]
    body = _TEMPLATES.get_template("parts.html").module.bulletin_body
    return [_BulletinView(n, _bulletin_title(group), group[0].get("month") or UNDATED, group[0].get("source"), len(group),
                          body(_sections(group)))
            for n, group in enumerate(groups)]


def _by_month(bulletins: list[_BulletinView]) -> list[tuple[str, list[_BulletinView]]]:
    """The bulletin index: months in order, the undated last."""
    months: dict[str, list[_BulletinView]] = {}
    for bulletin in sorted(bulletins, key=lambda b: (b.month == UNDATED, b.month)):
        months.setdefault(bulletin.month, []).append(bulletin)
    return list(months.items())


def _indicator_rows(table: pd.DataFrame, bulletins: list[_BulletinView]) -> list[dict[str, Any]]:
    """The indicator table's rows in month order: text, the values to filter on, the bulletin it came from."""
    where: dict[str | None, _BulletinView] = {}
    for bulletin in bulletins:
        where.setdefault(bulletin.source, bulletin)
    if table.empty:
        return []
    table = table.sort_values(["month", "region", "indicator_key"], na_position="first")  # national first in a month...
    table = table.sort_values("month", na_position="last", kind="stable")  # ...the undated last, as in the index
    rows = []
    for record in table.astype(object).where(table.notna(), None).to_dict("records"):
        key, name = record["indicator_key"] or "", record["name"] or ""
        rows.append({
            "month": record["month"] or "", "region": record["region"] or NATIONAL,
            "action_line": record["action_line"] or "", "action_name": LABEL_NAMES.get(record["action_line"], record["action_line"] or ""),
            "indicator_key": key, "name": name, "text": record["text"] or "", "unit": record["unit"] or "",
            "value": "" if record["normalized"] is None else f"{record['normalized']:,.10g}",
            "search": " ".join(dict.fromkeys([key.lower(), name.lower()])), "bulletin": where.get(record["source"]),
        })
    return rows


def _choices(rows: list[dict[str, Any]]) -> dict[str, list]:
    """The choices of the filters over `rows`: their months, regions (全国 first) and action lines."""
    labels = {row["action_line"] for row in rows if row["action_line"]}
    choices = {
        "month": sorted({row["month"] for row in rows if row["month"]}),
        "region": sorted({row["region"] for row in rows}, key=lambda region: (region != NATIONAL, region)),
        "label": [(label, LABEL_NAMES.get(label, label)) for label in [*LABEL_COLOURS, *sorted(labels - set(LABEL_COLOURS))]
                  if label in labels],
    }
    return choices


@dataclass
class _IndicatorPage:
    """One page of the split indicator table: its rows and the months they span."""

    number: int
    rows: list[dict[str, Any]]

    @property
    def name(self) -> str:
        return f"indicators-{self.number}.html"

    @property
    def span(self) -> str:
        """The months of the rows, as "2021-06 – 2021-09", and ", 月份不详" if undated rows (the last) are here."""
        months = [row["month"] for row in self.rows if row["month"]]
        dated = "" if not months else months[0] if months[0] == months[-1] else f"{months[0]} – {months[-1]}"
        undated = UNDATED if len(months) < len(self.rows) else ""
        return ", ".join(part for part in (dated, undated) if part) or "–"


def _indicator_pages(rows: list[dict[str, Any]]) -> list[_IndicatorPage]:
    """The rows in pages of INDICATORS_PER_PAGE (one empty page for no rows: the link still leads somewhere)."""
    starts = range(0, len(rows), INDICATORS_PER_PAGE) if rows else [0]
    return [_IndicatorPage(n, rows[start:start + INDICATORS_PER_PAGE]) for n, start in enumerate(starts, start=1)]


def _counts_chart(counts: pd.DataFrame, title: str, chart_id: str, horizontal: bool) -> dict[str, Any]:
    if counts.empty:
        return {"title": title, "svg": None, "table": None}
    return {"title": title, "svg": Markup(_stacked_bars(counts, title, chart_id, horizontal)),
            "table": Markup(counts.to_html(border=0))}  # pandas escapes the cells


def _static(name: str) -> Markup:
    """A file of the templates folder as it is (CSS, the filter script): ours, not escaped."""
    return Markup(_TEMPLATES.loader.get_source(_TEMPLATES, name)[0])


def content_security_policy(script: str) -> str:
    """Nothing may be fetched; inline styles and data: images are allowed, and only this one script runs
    (by its hash), so even markup that escaped escaping could neither load nor run anything."""
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return f"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'sha256-{digest}'"


def build_report(bulletins: Source, path: str | Path, rule_files: Iterable[str | Path] = (),
                 layout: str = "auto") -> Path:
    """Write the HTML report for tagged bulletins and/or `edunlp tag` JSONL files; returns the
    overview page, `path`. `rule_files` are extra indicator grouping rules (see `edunlp.analysis.frames`).

    `layout` "single" puts everything in that page; "split" keeps the overview there and writes a
    page per bulletin and the indicator table to the folder `<stem>_files` beside it; "auto"
    splits once the bulletins' markup passes SINGLE_PAGE_LIMIT. Every file is written atomically."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; expected one of {LAYOUTS}")
    path = Path(path)
    rows = list(paragraph_rows(bulletins))
    table = indicator_table(rows, load_rules(rule_files))
    views = _bulletins(rows)
    single = layout == "single" or (layout == "auto" and sum(len(view.body) for view in views) <= SINGLE_PAGE_LIMIT)
    folder = f"{path.stem}_files"
    indicator_rows = _indicator_rows(table, views)
    pages = [] if single else _indicator_pages(indicator_rows)
    script = _static("filter.js")
    common = {"csp": content_security_policy(script), "css": _static("report.css"), "script": script,
              "indicator_rows": indicator_rows, "indicator_pages": pages}
    months = sorted({row["month"] for row in rows if row.get("month")})
    overview = _TEMPLATES.get_template("overview.html").render(
        **common, single=single, bulletins=views, paragraphs=len(rows), months=_by_month(views), folder=folder,
        span=f"{months[0]} – {months[-1]}" if months else "months unknown",
        href=(lambda b: f"#{b.anchor}") if single else (lambda b: f"{quote(folder)}/{b.page}"),
        choices=_choices(indicator_rows), indicators_href=(lambda page: f"{quote(folder)}/{page.name}"),
        mix=[_counts_chart(label_counts(rows, "month"), "Labels by month", "mix-month", horizontal=False),
             _counts_chart(label_counts(rows, "region"), "Labels by region", "mix-region", horizontal=True)],
        charts=[Markup(_line_chart(values, f"ind{n}")) for n, values in enumerate(main_indicators(table))],
    )
    if not single:
        _write_folder(path.parent / folder, views, {**common, "overview": f"../{quote(path.name)}"})
    return write_atomically(path, lambda temp: Path(temp).write_text(overview, encoding="utf-8"))


def _write_folder(target: Path, views: list[_BulletinView], common: dict[str, Any]) -> None:
    """The pages of a split report: the indicator table's pages, each linking to the others, and one
    page per bulletin, with links to the previous and next and to the indicator page with its rows, put in place of `target` once all are written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{target.name}.") as temp:
        folder = Path(temp)
        template = _TEMPLATES.get_template("indicators.html")
        for table_page in common["indicator_pages"]:
            page = template.render(**common, current=table_page, choices=_choices(table_page.rows),
                                   href=lambda b: b.page, indicators_href=lambda p: p.name)
            (folder / table_page.name).write_text(page, encoding="utf-8")
        holding = {}  # bulletin number: the first indicator page with a row of it
        for table_page in reversed(common["indicator_pages"]):
            holding.update((row["bulletin"].number, table_page) for row in table_page.rows if row["bulletin"])
        template = _TEMPLATES.get_template("bulletin.html")
        for n, view in enumerate(views):
            indicators = holding.get(view.number, common["indicator_pages"][0])
            page = template.render(**common, b=view, indicators=indicators, previous=views[n - 1] if n else None,
                                   next=views[n + 1] if n + 1 < len(views) else None)
            (folder / view.page).write_text(page, encoding="utf-8")
        replace_directory(folder, target)
