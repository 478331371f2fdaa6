"""Turning entity spans into indicators: each QUANTITY normalised by `parse_quantity` and named
by the INDICATOR span it belongs to (the one right after it, else the nearest before it in the
same clause, else the nearest after it)."""

from __future__ import annotations

import re

from .document import Indicator
from .quantities import parse_quantity

_CLAUSE_END = re.compile(r"[。;；!?！？]")


def link_indicators(text: str, entities: list[tuple[int, int, str]]) -> list[Indicator]:
    """Indicators for the QUANTITY spans of `text`, offsets as in `entities`."""
    names = sorted((s, e) for s, e, kind in entities if kind == "INDICATOR")
    periods = sorted((s, e) for s, e, kind in entities if kind == "DATE")
    indicators = []
    for start, end, kind in sorted(entities):
        if kind != "QUANTITY":
            continue
        quantity = parse_quantity(text[start:end])
        if quantity is None:
            continue
        name = _name_for(text, start, end, names)
        period = _same_clause_before(text, start, periods)
        indicators.append(Indicator.of(
            quantity, text[name[0] : name[1]] if name else "", start, end,
            period=text[period[0] : period[1]] if period else None,
            name_start=name[0] if name else None, name_end=name[1] if name else None, source="model",
        ))
    return indicators


def _name_for(text: str, start: int, end: int, names: list[tuple[int, int]]) -> tuple[int, int] | None:
    after = [n for n in names if 0 <= n[0] - end <= 1]
    if after:
        return after[0]
    before = _same_clause_before(text, start, names)
    if before:
        return before
    following = [n for n in names if n[0] >= end and not _CLAUSE_END.search(text, end, n[0])]
    return following[0] if following else None


def _same_clause_before(text: str, start: int, spans: list[tuple[int, int]]) -> tuple[int, int] | None:
    before = [s for s in spans if s[1] <= start and not _CLAUSE_END.search(text[s[1] : start])]
    return before[-1] if before else None
