"""Turning entity spans into indicators: each QUANTITY normalised by `parse_quantity` and named
by the INDICATOR span it belongs to (the one right after it, else the nearest before it in the
same clause, else the nearest after it)."""

from __future__ import annotations

import re
from bisect import bisect_left

from ..document import Indicator
from .quantities import parse_quantity

_CLAUSE_END = re.compile(r"[。;；!?！？]")


def link_indicators(text: str, entities: list[tuple[int, int, str]]) -> list[Indicator]:
    """Indicators for the QUANTITY spans of `text`, offsets as in `entities`."""
    spans = _Spans(text, entities)
    indicators = []
    for start, end, kind in sorted(entities):
        if kind != "QUANTITY":
            continue
        quantity = parse_quantity(text[start:end])
        if quantity is None:
            continue
        name = spans.name_for(start, end)
        period = spans.same_clause_before(start, spans.periods)
        indicators.append(Indicator.of(
            quantity, text[name[0] : name[1]] if name else "", start, end,
            period=text[period[0] : period[1]] if period else None,
            name_start=name[0] if name else None, name_end=name[1] if name else None, source="model",
        ))
    return indicators


class _Spans:
    """The INDICATOR and DATE spans of a text and its clause ends, looked up by binary search
    (a long paragraph with many quantities stays linear)."""

    def __init__(self, text: str, entities: list[tuple[int, int, str]]) -> None:
        self.names = sorted((s, e) for s, e, kind in entities if kind == "INDICATOR")
        self.periods = sorted((s, e) for s, e, kind in entities if kind == "DATE")
        self.name_starts = [s for s, _ in self.names]
        self.clause_ends = [match.start() for match in _CLAUSE_END.finditer(text)]

    def one_clause(self, start: int, end: int) -> bool:
        """Whether text[start:end] holds no clause end."""
        return bisect_left(self.clause_ends, start) == bisect_left(self.clause_ends, end)

    def name_for(self, start: int, end: int) -> tuple[int, int] | None:
        """The name right after the quantity, else the nearest before it in its clause, else
        the first after it in its clause."""
        first_after = bisect_left(self.name_starts, end)
        if first_after < len(self.names) and self.names[first_after][0] - end <= 1:
            return self.names[first_after]
        before = self.same_clause_before(start, self.names)
        if before:
            return before
        if first_after < len(self.names) and self.one_clause(end, self.names[first_after][0]):
            return self.names[first_after]
        return None

    def same_clause_before(self, start: int, spans: list[tuple[int, int]]) -> tuple[int, int] | None:
        """The last span that ends by `start` with no clause end in between (spans sorted and,
        as the model's are, not overlapping: the nearest one decides)."""
        for index in range(bisect_left(spans, (start + 1,)) - 1, -1, -1):
            span = spans[index]
            if span[1] <= start:
                return span if self.one_clause(span[1], start) else None
        return None
