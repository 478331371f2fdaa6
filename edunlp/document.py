"""The data model every stage passes along.

A `Bulletin` holds the document text and its `Section`s; a section holds `Paragraph`s; a
paragraph holds `Sentence`s. Later stages fill `labels`, `entities` and `indicators` in place.
All offsets (`start`, `end`, end exclusive) index into `Bulletin.text`, the cleaned document
text, so a span can always be cut back out of it. `Bulletin.folded` is a character-for-character
fold of the same text (simplified script, one punctuation style) used for matching.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from types import UnionType
from typing import Any, Protocol, TypeVar, get_args, get_origin, get_type_hints


@dataclass
class Label:
    """One action line with the model's score for it."""

    label: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "score": round(float(self.score), 4)}


@dataclass
class Entity:
    """A typed span: QUANTITY, INDICATOR, DATE, ORG, GPE, DOC, PLATFORM or EVENT."""

    label: str
    start: int
    end: int
    text: str
    score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {"label": self.label, "start": self.start, "end": self.end, "text": self.text}
        if self.score is not None:
            out["score"] = round(float(self.score), 4)
        return out


@dataclass
class Quantity:
    """One quantity expression, normalised (see `edunlp.parse_quantity`)."""

    text: str
    value: float
    multiplier: str = ""
    unit: str = ""
    normalized: float = 0.0
    qualifier: str | None = None
    low: float | None = None
    high: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Indicator:
    """One measured fact: what is measured (`name`) and its quantity, with where it was said."""

    name: str
    text: str
    value: float
    multiplier: str = ""
    unit: str = ""
    normalized: float = 0.0
    qualifier: str | None = None
    low: float | None = None
    high: float | None = None
    period: str | None = None
    start: int = 0
    end: int = 0
    name_start: int | None = None  # where the name (its head, for 54个新编资源) was read
    name_end: int | None = None
    source: str = "rules"  # "rules", "model" (its entities alone) or "rules+model" (both found it)

    @classmethod
    def of(cls, quantity: Quantity, name: str, start: int, end: int, **place: Any) -> Indicator:
        """The indicator `name` measured by `quantity`, said at text[start:end]."""
        return cls(name=name, text=quantity.text, value=quantity.value, multiplier=quantity.multiplier,
                   unit=quantity.unit, normalized=quantity.normalized, qualifier=quantity.qualifier,
                   low=quantity.low, high=quantity.high, start=start, end=end, **place)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Sentence:
    text: str
    start: int
    end: int
    labels: list[Label] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text, "start": self.start, "end": self.end}
        if self.labels:
            out["labels"] = [label.to_dict() for label in self.labels]
        return out


@dataclass
class Paragraph:
    """One topic of a section: an optional head (as written) and the body text."""

    kind: str  # "abstract" or "paragraph"
    index: int
    text: str
    start: int
    end: int
    head: str | None = None
    head_start: int | None = None
    region: str | None = None
    section: str | None = None
    sentences: list[Sentence] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "section": self.section,
            "index": self.index,
            "head": self.head,
            "region": self.region,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "sentences": [s.to_dict() for s in self.sentences],
            "labels": [label.to_dict() for label in self.labels],
            "entities": [e.to_dict() for e in self.entities],
            "indicators": [i.to_dict() for i in self.indicators],
        }


@dataclass
class Section:
    """A ★ section: its title as written (without ★) and the canonical key it matched."""

    title: str
    key: str
    start: int
    paragraphs: list[Paragraph] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "key": self.key,
            "start": self.start,
            "paragraphs": [p.to_dict() for p in self.paragraphs],
        }


@dataclass
class Bulletin:
    """A whole bulletin: cleaned text, its fold, the abstract and the sections."""

    text: str
    folded: str
    source: str | None = None
    doc_id: str = ""
    month: str | None = None
    title: str | None = None
    abstract: Paragraph | None = None
    sections: list[Section] = field(default_factory=list)

    @property
    def paragraphs(self) -> list[Paragraph]:
        """The abstract (if any) followed by every section's paragraphs, in document order."""
        out = [self.abstract] if self.abstract else []
        for section in self.sections:
            out.extend(section.paragraphs)
        return out

    def rows(self) -> list[dict[str, Any]]:
        """The JSONL output contract: one flat dict per paragraph."""
        head = {"source": self.source, "doc_id": self.doc_id, "month": self.month}
        return [{**head, **p.to_dict()} for p in self.paragraphs]

    @classmethod
    def from_fields(cls, data: dict[str, Any]) -> Bulletin:
        """The inverse of `dataclasses.asdict(bulletin)`, which, unlike `to_dict`, keeps every field:
        how a bulletin travels as plain data (msgpack, in spaCy's `Doc.to_bytes`)."""
        return _build(cls, data)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "doc_id": self.doc_id,
            "month": self.month,
            "title": self.title,
            "abstract": self.abstract.to_dict() if self.abstract else None,
            "sections": [s.to_dict() for s in self.sections],
        }


def _build(kind: Any, data: Any) -> Any:
    """`data` (from `asdict`) as an instance of `kind`: a dataclass, a list of them, or one or None."""
    if is_dataclass(kind):
        hints = get_type_hints(kind)
        return kind(**{f.name: _build(hints[f.name], data[f.name]) for f in fields(kind) if f.name in data})
    if get_origin(kind) is list:
        return [_build(get_args(kind)[0], item) for item in data]
    if isinstance(kind, UnionType) and data is not None:
        return _build(next(arg for arg in get_args(kind) if arg is not type(None)), data)
    return data


class _Spanned(Protocol):
    start: int


Item = TypeVar("Item", bound=_Spanned)


def by_sentence(sentences: list[Sentence], items: list[Item]) -> list[list[Item]]:
    """The items (entities, indicators) whose start falls in each sentence, in one pass with a
    binary search each, rather than one scan of every item per sentence."""
    starts = [sentence.start for sentence in sentences]
    grouped: list[list[Item]] = [[] for _ in sentences]
    for item in items:
        index = bisect_right(starts, item.start) - 1
        if index >= 0 and item.start < sentences[index].end:
            grouped[index].append(item)
    return grouped
