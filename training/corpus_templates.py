"""Render sentence templates into text with exact entity spans (used by make_corpus.py).

The phrase banks and templates are data, in corpora/fragments/ (vocabulary.txt, templates.txt; their
headers explain the syntax). Rendering writes text piece by piece, so every entity span is known
where it is written and offsets are exact by construction.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import cn2an

from edunlp.corpus.examples import ENTITY_TYPES, LABELS

SLOT = re.compile(r"\{([A-Z0-9_]+)(?::([^}:]+):([a-z]+))?\}|\[([^\]|]+)\|([A-Z]+)\]")
ENTRY_PLACEHOLDER = re.compile(r"\{(FULL|SHORT|ADM|EDU|YEAR|NTH)\}")
CHINESE_DIGITS = "零一二三四五六七八九"
PREFIX_HEDGES = ("约", "近", "超过", "逾")
VERBS_THAT_HEDGE = ("超过", "突破", "逾", "近", "约", "超")


@dataclass(frozen=True)
class Bank:
    """A list of interchangeable fillers; `kind` is their entity type, None for plain wording."""

    name: str
    kind: str | None
    entries: tuple[str, ...]


@dataclass(frozen=True)
class Template:
    id: str
    topic: str
    labels: tuple[str, ...]
    pattern: str


@dataclass(frozen=True)
class Region:
    short: str
    full: str
    adm: str
    edu: str
    cities: tuple[str, ...]
    weight: float


@dataclass
class Rendered:
    """Text with (start, end, type) spans, end exclusive."""

    text: str = ""
    spans: list[tuple[int, int, str]] = field(default_factory=list)

    def plain(self, piece: str) -> None:
        self.text += piece

    def span(self, piece: str, kind: str) -> None:
        start = len(self.text)
        if kind == "DATE" and self.text.endswith("截至"):  # "截至8月底" is one date
            start -= 2
        self.text += piece
        self.spans.append((start, len(self.text), kind))

    def extend(self, other: Rendered) -> None:
        offset = len(self.text)
        self.text += other.text
        self.spans.extend((s + offset, e + offset, k) for s, e, k in other.spans)


@dataclass
class Context:
    """What a template needs to know: the bulletin's month, the paragraph's region, the random source."""

    rng: random.Random
    year: int
    month: int
    region: Region | None = None
    used: set[str] = field(default_factory=set)
    measure: tuple[str, str] | None = None  # unit and magnitude of the last indicator


def load_banks(path: Path) -> dict[str, Bank]:
    """Banks by name from vocabulary.txt; a malformed line raises `path:line: reason`."""
    banks: dict[str, Bank] = {}
    name, kind, entries = None, None, []
    lines = path.read_text(encoding="utf-8").splitlines() + ["[END -]"]
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        header = re.fullmatch(r"\[([A-Z0-9_]+) (\S+)\]", line)
        if header:
            if name:
                banks[name] = Bank(name, kind, tuple(entries))
            name, kind, entries = header[1], (None if header[2] == "-" else header[2]), []
            if kind not in (None, *ENTITY_TYPES):
                raise ValueError(f"{path}:{number}: unknown entity type {kind!r}")
        elif name is None:
            raise ValueError(f"{path}:{number}: entry before the first [BANK TYPE] header")
        elif kind == "INDICATOR" and line.count("|") != 2:
            raise ValueError(f"{path}:{number}: an indicator entry is name|unit|magnitude")
        else:
            entries.append(line)
    return banks


def load_regions(bank: Bank) -> list[Region]:
    regions = []
    for entry in bank.entries:
        short, full, adm, edu, cities, weight = entry.split("|")
        regions.append(Region(short, full, adm, edu, tuple(cities.split(",")), float(weight)))
    return regions


def load_templates(path: Path) -> dict[str, list[Template]]:
    """Templates by topic; ids are `topic.NN` in file order. Bad lines raise `path:line: reason`."""
    topics: dict[str, list[Template]] = {}
    topic, labels = None, ()
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("== "):
            topic, label_list = line[3:].split()
            labels = tuple(label_list.split(","))
            topics[topic] = []
        else:
            own_labels = labels
            if line.startswith("@"):
                label_list, line = line[1:].split(" ", 1)
                own_labels = tuple(label_list.split(","))
            if topic is None:
                raise ValueError(f"{path}:{number}: template before the first '== topic labels' line")
            unknown = [label for label in own_labels if label not in LABELS]
            if unknown:
                raise ValueError(f"{path}:{number}: unknown labels {unknown}")
            topics[topic].append(Template(f"{topic}.{len(topics[topic]) + 1:02d}", topic, own_labels, line))
    return topics


class Renderer:
    """Fills templates from the banks for one bulletin month and one region at a time."""

    def __init__(self, banks: dict[str, Bank]) -> None:
        self.banks = banks

    def render(self, template: Template, ctx: Context) -> Rendered:
        out = Rendered()
        position = 0
        ctx.measure = None
        for match in SLOT.finditer(template.pattern):
            out.plain(template.pattern[position : match.start()])
            position = match.end()
            if match[4]:
                out.span(match[4], match[5])
            else:
                self._slot(match[1], match[2], match[3], ctx, out, template)
        out.plain(template.pattern[position:])
        return out

    def _slot(self, name: str, unit: str | None, magnitude: str | None, ctx: Context,
              out: Rendered, template: Template) -> None:
        if name == "Q":
            if unit is None:
                if ctx.measure is None:
                    raise ValueError(f"{template.id}: {{Q}} without an indicator before it")
                unit, magnitude = ctx.measure
            out.span(quantity(ctx.rng, unit, magnitude, out.text), "QUANTITY")
        elif name == "PCT":
            out.span(quantity(ctx.rng, "%", "pct", out.text), "QUANTITY")
        elif name in DATE_SLOTS:
            out.span(DATE_SLOTS[name](ctx), "DATE")
        elif name in REGION_SLOTS:
            if ctx.region is None:
                raise ValueError(f"{template.id}: {{{name}}} outside a regional paragraph")
            text, kind = REGION_SLOTS[name](ctx.region, ctx.rng)
            out.span(text, kind) if kind else out.plain(text)
        elif name == "NTH":
            out.plain(chinese_number(ctx.rng.randint(2, 12)))
        elif name == "DOCNO":
            out.plain(document_number(ctx))
        else:
            self._bank_slot(name, ctx, out, template)

    def _bank_slot(self, name: str, ctx: Context, out: Rendered, template: Template) -> None:
        bank = self.banks.get(name)
        if bank is None:
            raise ValueError(f"{template.id}: unknown slot {{{name}}}")
        fresh = [entry for entry in bank.entries if fill_entry(entry, ctx, fixed=True) not in ctx.used]
        entry = ctx.rng.choice(fresh or list(bank.entries))
        if bank.kind == "INDICATOR":
            entry, unit, magnitude = entry.split("|")
            ctx.measure = (unit, magnitude)
        text = fill_entry(entry, ctx)
        ctx.used.add(text)
        out.span(text, bank.kind) if bank.kind else out.plain(text)


def fill_entry(entry: str, ctx: Context, fixed: bool = False) -> str:
    """Fill a bank entry's region and year placeholders; `fixed` keeps random parts stable."""
    region = ctx.region

    def value(match: re.Match[str]) -> str:
        key = match[1]
        if key == "YEAR":
            return str(ctx.year)
        if key == "NTH":
            return "{NTH}" if fixed else chinese_number(ctx.rng.randint(2, 12))
        if region is None:
            raise ValueError(f"bank entry {entry!r} needs a region")
        return {"FULL": region.full, "SHORT": region.short, "ADM": region.adm, "EDU": region.edu}[key]

    return ENTRY_PLACEHOLDER.sub(value, entry)


# ---- numbers ----------------------------------------------------------------------------------


def chinese_number(n: int) -> str:
    return cn2an.an2cn(n)


def quantity(rng: random.Random, unit: str, magnitude: str, before: str) -> str:
    """A quantity as bulletins write it: digits or Chinese numerals, 万/亿, decimals, hedges."""
    may_prefix = not before.endswith(VERBS_THAT_HEDGE)
    prefix = rng.choice(PREFIX_HEDGES) if may_prefix and rng.random() < 0.12 else ""
    if magnitude == "pct":
        return prefix + _percentage(rng)
    if magnitude == "band":
        value = rng.choice((100, 200, 500, 1000)) if unit == "M" else rng.choice((10, 20, 40, 100))
        return f"{prefix}{value}{unit}" + ("以上" if rng.random() < 0.3 else "")
    if magnitude == "small":
        n = rng.randint(1, 9) if rng.random() < 0.5 else rng.randint(10, 60)
        if n >= 10 and n % 10 == 0 and rng.random() < 0.5:
            return f"{n}{rng.choice(('余', '多'))}{unit}"
        digits = chinese_number(n) if rng.random() < 0.3 else str(n)
        return f"{prefix}{digits}{unit}"
    if magnitude == "count":
        n = rng.randint(60, 9999)
        roll = rng.random()
        if roll < 0.15:
            return f"{round(n, -2) or 100}余{unit}"
        if roll < 0.2:
            return f"{prefix}{chinese_number(n)}{unit}"
        return f"{prefix}{n}{unit}"
    if magnitude in ("wan", "yi"):
        multiplier = "万" if magnitude == "wan" else "亿"
        whole = rng.randint(1, 9999 if magnitude == "wan" else 99)
        roll = rng.random()
        if roll < 0.15 and whole >= 10:
            return f"{round(whole, -1)}余{multiplier}{unit}"
        if roll < 0.25 and magnitude == "wan":
            return f"{prefix}{whole * 10000 + rng.randint(0, 9999)}{unit}"
        if roll < 0.6:
            return f"{prefix}{whole}{multiplier}{unit}"
        return f"{prefix}{decimal(whole + rng.random(), rng.choice((1, 2)))}{multiplier}{unit}"
    raise ValueError(f"unknown magnitude {magnitude!r}")


def _percentage(rng: random.Random) -> str:
    value = rng.uniform(80, 100) if rng.random() < 0.6 else rng.uniform(0.5, 80)
    roll = rng.random()
    if roll < 0.04:
        return f"百分之{chinese_number(int(value))}"
    if roll < 0.3:
        return f"{int(value)}%" + ("以上" if rng.random() < 0.3 else "")
    return f"{decimal(value, rng.choice((1, 2)))}%"


def decimal(value: float, places: int) -> str:
    """3.30 → 3.3 and 12.0 → 12, as the bulletins write them."""
    return f"{value:.{places}f}".rstrip("0").rstrip(".")


def document_number(ctx: Context) -> str:
    """A document number such as 教科信〔2021〕35号: plain text, never a QUANTITY."""
    if ctx.region is not None:
        prefix = ctx.region.short[:1] + ctx.rng.choice(("教信", "教科信", "教发", "教技"))
    else:
        prefix = ctx.rng.choice(("教科信", "教科信函", "教技", "中办发", "国办发"))
    return f"{prefix}〔{ctx.year}〕{ctx.rng.randint(1, 60)}号"


# ---- dates around the bulletin's month --------------------------------------------------------

MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _day(ctx: Context) -> str:
    return f"{ctx.month}月{ctx.rng.randint(1, 28)}日"


def _days(ctx: Context) -> str:
    first = ctx.rng.randint(1, 24)
    last = first + ctx.rng.randint(1, 4)
    if ctx.rng.random() < 0.3:
        return f"{ctx.month}月{first}日至{last}日"
    return f"{ctx.month}月{first}—{last}日"


def _month_end(ctx: Context) -> str:
    return ctx.rng.choice(
        (f"{ctx.month}月底", f"{ctx.year}年{ctx.month}月底", f"{ctx.month}月{MONTH_DAYS[ctx.month - 1]}日")
    )


def _quarter(ctx: Context) -> str:
    quarter = (ctx.month - 1) // 3  # the last finished quarter; 0 means last year's fourth
    year = ctx.year if quarter else ctx.year - 1
    return f"{year}年第{'四一二三'[quarter]}季度"


def _half(ctx: Context) -> str:
    half = "下半年" if ctx.month >= 6 else "上半年"
    return half if ctx.rng.random() < 0.5 else f"{ctx.year}年{half}"


def _semester(ctx: Context) -> str:
    return f"{ctx.year}年{'秋季' if ctx.month >= 7 else '春季'}学期"


def _deadline(ctx: Context) -> str:
    return ctx.rng.choice((f"{ctx.year}年底", f"{ctx.year + 1}年{ctx.rng.randint(1, 12)}月1日", f"{ctx.year}年12月31日"))


DATE_SLOTS = {
    "DAY": _day,
    "DAYS": _days,
    "MONTH": lambda ctx: f"{ctx.month}月",
    "MONTHEND": _month_end,
    "QUARTER": _quarter,
    "HALF": _half,
    "YEAR": lambda ctx: f"{ctx.year}年",
    "LASTYEAR": lambda ctx: f"{ctx.year - 1}年",
    "YM": lambda ctx: f"{ctx.year}年{ctx.month}月",
    "SEMESTER": _semester,
    "DEADLINE": _deadline,
}

REGION_SLOTS = {
    "RORG": lambda region, rng: (region.edu, "ORG"),
    "RFULL": lambda region, rng: (region.full, "GPE"),
    "RCITY": lambda region, rng: (rng.choice(region.cities), "GPE"),
    "RCITYEDU": lambda region, rng: (rng.choice(region.cities) + "教育局", "ORG"),
    "RGOV": lambda region, rng: (region.full + ("办公厅" if region.adm == "兵团" else "人民政府办公厅"), "ORG"),
    "ADM": lambda region, rng: (region.adm, None),
}
