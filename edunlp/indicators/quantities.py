"""Read one quantity expression: 2910万人, 约1.2万余人次, 百分之八十五, 3万—5万人, 100M以上.

A quantity is a number (Arabic digits, Chinese numerals or a mix such as 3亿5千万; shares such
as 百分之八十五, 三分之一 and 八成, read as percentages; ratios such as 1:6.5), an optional
trailing multiplier (万, 亿; 千, 百 only after Arabic digits), an optional unit or measure word,
and hedges around it (约, 余, 以上 …). `QUANTITY_RE` finds candidates in running text;
`parse_quantity` reads one expression; `edunlp.indicators.extract` decides which candidates in a text
are reported and what they measure.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from pathlib import Path

import cn2an

from ..document import Quantity
from ..reading.normalize import fold

DATA_DIR = Path(__file__).resolve().parents[1] / "data"

MULTIPLIERS = {"万": Decimal(10_000), "亿": Decimal(100_000_000), "千": Decimal(1_000), "百": Decimal(100)}

# Hedge words and the qualifier they stand for (以上 includes the bound: at_least, as 不少于). Prefixes stand before the number, suffixes after
# it (余, 多 and + sit between the number and its unit: 1.2万余人次, 10多万人, 5000+TPS).
QUALIFIER_PREFIXES = {
    "不少于": "at_least", "不低于": "at_least", "至少": "at_least",
    "不足": "less_than", "不到": "less_than", "少于": "less_than", "低于": "less_than",
    "超过": "more_than", "多于": "more_than", "超": "more_than", "逾": "more_than",
    "大约": "approx", "将近": "approx", "接近": "approx", "约": "approx", "近": "approx",
}
# Verbs that say the same but stay outside the quantity, whose name they end (注册用户突破|1200万人).
QUALIFIER_VERBS = {"突破": "more_than"}
QUALIFIER_SUFFIXES = {
    "以上": "at_least", "之多": "more_than", "余": "more_than", "多": "more_than", "+": "more_than",
    "以下": "less_than", "以内": "less_than",
    "左右": "approx", "上下": "approx",
}

CHINESE_DIGITS = "零〇一二两三四五六七八九"
CHINESE_NUMERAL_CHARS = CHINESE_DIGITS + "十百千万亿"


def read_word_list(name: str) -> list[str]:
    """A word list from edunlp/data: one entry a line, `#` starts a comment line."""
    path = DATA_DIR / name
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.append(line)
    return words


def _read_units() -> tuple[list[str], dict[str, str], dict[str, str]]:
    """The units of indicator_units.txt, longest first; the unit each written form stands for
    (`个小时 =小时`), and the characters a unit may not stand before (`行 !业动`: 6行, not 6行业)."""
    units, canonical, not_before = [], {}, {}
    for line in read_word_list("indicator_units.txt"):
        unit, *marks = line.split()
        units.append(unit)
        for mark in marks:
            if mark.startswith("="):
                canonical[unit] = mark[1:]
            elif mark.startswith("!"):
                not_before[unit] = mark[1:]
    return sorted(units, key=len, reverse=True), canonical, not_before


UNITS, UNIT_CANONICAL, UNIT_NOT_BEFORE = _read_units()


def _unit_pattern() -> str:
    alternatives = []
    for unit in UNITS:
        escaped = re.escape(unit)
        if unit.isascii() and unit.isalpha():
            escaped += "(?![A-Za-z])"
        if unit in UNIT_NOT_BEFORE:
            escaped += f"(?![{re.escape(UNIT_NOT_BEFORE[unit])}])"
        alternatives.append(escaped)
    return "|".join(alternatives)


# 187⏎0个: a line wrap may split the digits of a number (see `edunlp.indicators.extract` for when it is read).
_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\n\d+)?(?:\.\d+)?"
_CHINESE = rf"[{CHINESE_NUMERAL_CHARS}]+(?:点[{CHINESE_DIGITS}]+)?"
_ARABIC_MIXED = rf"(?:{_ARABIC})(?:[万亿千百]+(?:\d+(?:\.\d+)?[万亿千百]+)*)?"


# 八成, 九成五: tenths. Not 成 that starts a word (三成员单位 is not a share).
_TENTHS = r"(?:[一二三四五六七八九]|十)成[一二三四五六七八九]?(?![员果立为功本效绩熟型长就都人])"
_RATIO = r"\d+(?:\.\d+)?:\d+(?:\.\d+)?"  # after fold, so ：is :


def _number(tag: str) -> str:
    """One number: 百分之N, N分之M, N成, a ratio, Arabic with multipliers, or a Chinese numeral."""
    plain = f"{_ARABIC}|{_CHINESE}"
    return (
        rf"(?P<{tag}_percent>百分之(?:{plain}))"
        rf"|(?P<{tag}_fraction>(?:{plain})分之(?:{plain}))"
        rf"|(?P<{tag}_tenths>{_TENTHS})"
        rf"|(?P<{tag}_ratio>{_RATIO})"
        rf"|(?P<{tag}>{_ARABIC_MIXED}|{_CHINESE})"
    )


def _alternation(words) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


QUANTITY_RE = re.compile(
    rf"(?P<prefix>(?<![邀预签相制节违履特公条合契])约|{_alternation(set(QUALIFIER_PREFIXES) - {'约'})})?"  # not 邀约50家
    rf"(?:{_number('first')})"
    rf"(?:(?P<range>[-—–~至到])(?:{_number('second')}))?"
    rf"(?:[ \n](?=[余多万亿]|(?:{_unit_pattern()})))?"  # 30 公里, 41⏎万个: a space or a wrap before the unit
    rf"(?P<more>[余多]|\+(?=[万亿]|(?:{_unit_pattern()})))?"  # 5000+TPS: a plus before a unit is 多
    r"(?P<multiplier>[万亿])?"
    rf"(?P<unit>{_unit_pattern()})?"
    rf"(?P<suffix>{_alternation(['以上', '以下', '以内', '左右', '上下', '之多'])})?"
)


def chinese_to_number(numeral: str) -> Decimal:
    """A Chinese numeral (一千九百一十九, 两千五百, 百, 三点五) or a mix (3亿5千) as a Decimal."""
    if numeral[0] in "百千万亿":
        numeral = "一" + numeral
    mode = "smart" if any(char.isdigit() and char.isascii() for char in numeral) else "normal"
    return Decimal(str(cn2an.cn2an(numeral, mode)))


def split_number(number: str) -> tuple[Decimal, str]:
    """The number as written and its trailing multiplier: 2910万 → (2910, 万), 5千 → (5, 千),
    一万二千 → (12000, ""), 3亿5千万 → (350000000, "")."""
    number = number.replace(",", "").replace("\n", "")
    arabic = re.fullmatch(r"(\d+(?:\.\d+)?)([万亿千百]?)", number)
    if arabic:
        return Decimal(arabic[1]), arabic[2]
    if number[-1] in "万亿" and not any(char in "万亿" for char in number[:-1]):
        rest = number[:-1]
        return (chinese_to_number(rest) if rest else Decimal(1)), number[-1]
    return chinese_to_number(number), ""


def _percent_or_fraction(match: re.Match, tag: str) -> Decimal | None:
    """百分之八十五 → 85; 三分之一 → 33.33…; 八成 → 80, 九成五 → 95 (shares read as percentages)."""
    percent = match[f"{tag}_percent"]
    if percent:
        return _plain_number(percent[len("百分之"):])
    fraction = match[f"{tag}_fraction"]
    if fraction:
        denominator, numerator = fraction.split("分之")
        return _plain_number(numerator) * 100 / _plain_number(denominator)
    tenths = match[f"{tag}_tenths"]
    if tenths:
        whole, _, extra = tenths.partition("成")
        return chinese_to_number(whole) * 10 + (chinese_to_number(extra) if extra else 0)
    return None


def _ratio(match: re.Match, tag: str) -> Decimal | None:
    """6.5:1 → 6.5, 1:4 → 0.25: the first term over the second."""
    ratio = match[f"{tag}_ratio"]
    if not ratio:
        return None
    first, second = (Decimal(term) for term in ratio.split(":"))
    return first / second


def _plain_number(text: str) -> Decimal:
    value, multiplier = split_number(text)
    return value * MULTIPLIERS[multiplier] if multiplier else value


def _number_text(match: re.Match, tag: str) -> str | None:
    return match[tag] or match[f"{tag}_percent"] or match[f"{tag}_fraction"] or match[f"{tag}_tenths"]


def quantity_from_match(match: re.Match, text: str) -> Quantity | None:
    """Build a Quantity from a `QUANTITY_RE` match on the folded text; `text` is the original
    wording of the same span. None when the numeral does not parse (十四五) or is beyond a float
    (a 400-digit number is no measured fact, and JSON has no Infinity)."""
    try:
        share, ratio = _percent_or_fraction(match, "first"), _ratio(match, "first")
        if share is not None:
            value, multiplier, unit = share, "", "%"
        elif ratio is not None:
            value, multiplier, unit = ratio, "", ":"
        else:
            value, multiplier = split_number(match["first"])
            unit = UNIT_CANONICAL.get(match["unit"], match["unit"] or "")
        second = _number_text(match, "second")
        if second is not None:
            share_second = _percent_or_fraction(match, "second")
            if share_second is not None:
                high_value, high_multiplier = share_second, ""
            else:
                high_value, high_multiplier = split_number(match["second"])
    except (ValueError, KeyError, ArithmeticError):
        return None
    if match["multiplier"]:
        if multiplier:
            return None
        multiplier = match["multiplier"]
        if second is not None and not high_multiplier:
            high_multiplier = multiplier
    if second is not None and high_multiplier and not multiplier:
        multiplier = high_multiplier  # 2—3万人: the multiplier is shared
    scale = MULTIPLIERS[multiplier] if multiplier else Decimal(1)
    normalized = value * scale
    low = high = None
    if second is not None:
        high_scale = MULTIPLIERS[high_multiplier] if high_multiplier else Decimal(1)
        low, high = float(normalized), float(high_value * high_scale)
    if not all(math.isfinite(number) for number in (float(value), float(normalized), low or 0.0, high or 0.0)):
        return None
    return Quantity(
        text=text,
        value=float(value),
        multiplier=multiplier,
        unit=unit,
        normalized=float(normalized),
        qualifier=_qualifier(match),
        low=low,
        high=high,
    )


def _qualifier(match: re.Match) -> str | None:
    if match["prefix"]:
        return QUALIFIER_PREFIXES[match["prefix"]]
    for group in ("more", "suffix"):
        if match[group]:
            return QUALIFIER_SUFFIXES[match[group]]
    return None


def parse_quantity(text: str) -> Quantity | None:
    """Read `text` as exactly one quantity expression; None if it is not one.

    `value` is the number as written, `multiplier` the trailing 万/亿/千/百 (or ""), `normalized`
    their product (for % the percentage itself: 71.2, not 0.712), `low`/`high` the normalised
    bounds of a range (whose `value` and `normalized` are the lower bound)."""
    stripped = text.strip()
    if not stripped:
        return None
    match = QUANTITY_RE.fullmatch(fold(stripped))
    if match is None:
        return None
    return quantity_from_match(match, stripped)
