"""The pipeline: named stages that fill a `Bulletin` in turn, spaCy-style.

    nlp = edunlp.load()                 # the shipped default model
    bulletin = nlp(text)                # segment, tag, link indicators
    for bulletin in nlp.pipe(texts): …  # many at once: the model batches across bulletins
    for bulletin, context in nlp.pipe(((text, {"source": name, "month": "2021-08"}), …), as_tuples=True): …

A stage is any callable that takes a list of bulletins and fills them in place; `nlp.stages` is a
plain list of (name, stage) pairs, so a stage can be swapped, removed or added.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import islice
from pathlib import Path
from typing import Any

from .document import Bulletin, Entity, Indicator, Label, Paragraph, by_sentence
from .indicators.extract import combine_indicators, extract_indicators, fill_indicators, shift_indicator
from .indicators.linking import link_indicators
from .models import find_model, require
from .segmentation.paragraphs import segment
from .tagging.tagger import ParagraphInput, Tagger

DEFAULT_MODEL = find_model("edunlp-zh-mini", "config.json")
Stage = Callable[[list[Bulletin]], None]


class TaggerStage:
    """Fills labels (paragraph and sentence) and entities from the joint model."""

    def __init__(self, tagger: Tagger) -> None:
        self.tagger = tagger

    def __call__(self, bulletins: list[Bulletin]) -> None:
        paragraphs = [p for b in bulletins for p in b.paragraphs]
        inputs = [
            ParagraphInput(p.text, [(s.start - p.start, s.end - p.start) for s in p.sentences], p.head)
            for p in paragraphs
        ]
        for paragraph, output in zip(paragraphs, self.tagger.predict(inputs)):
            paragraph.labels = [Label(label, score) for label, score in self.tagger.chosen(output.label_scores)]
            for sentence, scores in zip(paragraph.sentences, output.sentence_scores):
                sentence.labels = [Label(label, score) for label, score in self.tagger.chosen(scores)]
            paragraph.entities = [
                Entity(kind, paragraph.start + s, paragraph.start + e, paragraph.text[s:e], score)
                for s, e, kind, score in output.entities
            ]
            for sentence, entities in zip(paragraph.sentences, by_sentence(paragraph.sentences, paragraph.entities)):
                sentence.entities = entities


def indicator_stage(bulletins: list[Bulletin]) -> None:
    """Indicators read by the rules, confirmed and named by the model's QUANTITY/INDICATOR
    entities where they agree (edunlp.indicators.extract.combine_indicators): one path for `tag`."""
    for bulletin in bulletins:
        model = {id(p): paragraph_model_indicators(p) for p in bulletin.paragraphs}
        fill_indicators(bulletin, add_entities=False)
        for paragraph in bulletin.paragraphs:
            paragraph.indicators = combine_indicators(paragraph.indicators, model[id(paragraph)])
            for sentence, indicators in zip(paragraph.sentences, by_sentence(paragraph.sentences, paragraph.indicators)):
                sentence.indicators = indicators


def paragraph_model_indicators(paragraph: Paragraph) -> list[Indicator]:
    """The model's indicators of a paragraph (its entities linked), in document offsets."""
    spans = [(e.start - paragraph.start, e.end - paragraph.start, e.label) for e in paragraph.entities]
    indicators = link_indicators(paragraph.text, spans)
    for indicator in indicators:
        shift_indicator(indicator, paragraph.start)
    return indicators


def paragraph_indicators(text: str, entities: list[tuple[int, int, str]]) -> list[Indicator]:
    """What `indicator_stage` gives for one paragraph text and the model's spans in it."""
    return combine_indicators(extract_indicators(text), link_indicators(text, entities))


class Pipeline:
    """Segmenting followed by the stages in `stages`, applied in order."""

    def __init__(self, stages: list[tuple[str, Stage]], batch_size: int = 32) -> None:
        self.stages = stages
        self.batch_size = batch_size

    @property
    def stage_names(self) -> list[str]:
        return [name for name, _ in self.stages]

    def __call__(self, text: str, source: str | None = None, month: str | None = None) -> Bulletin:
        bulletin = segment(text, source=source, month=month)
        self.apply([bulletin])
        return bulletin

    def apply(self, bulletins: list[Bulletin]) -> list[Bulletin]:
        """Run every stage over already segmented bulletins (filled in place)."""
        for _, stage in self.stages:
            stage(bulletins)
        return bulletins

    def pipe(self, texts: Iterable[str | Bulletin] | Iterable[tuple[str | Bulletin, Any]],
             as_tuples: bool = False) -> Iterator[Bulletin] | Iterator[tuple[Bulletin, Any]]:
        """Tag many bulletins, `batch_size` at a time so the model sees big batches.

        With `as_tuples`, as in spaCy, items are (text, context) pairs and (bulletin, context)
        pairs come out; a context that is a dict may give the text's "source" and "month"."""
        iterator = iter(texts)
        while batch := list(islice(iterator, self.batch_size)):
            pairs = batch if as_tuples else [(text, None) for text in batch]
            bulletins = [_bulletin(text, context) for text, context in pairs]
            self.apply(bulletins)
            yield from (zip(bulletins, [c for _, c in pairs]) if as_tuples else bulletins)


def _bulletin(text: str | Bulletin, context: Any) -> Bulletin:
    if isinstance(text, Bulletin):
        return text
    place = context if isinstance(context, Mapping) else {}
    return segment(text, source=place.get("source"), month=place.get("month"))


def rule_stage(bulletins: list[Bulletin]) -> None:
    """Indicators (and their QUANTITY/INDICATOR entities) found by rule, without a model."""
    for bulletin in bulletins:
        fill_indicators(bulletin)


def rules() -> Pipeline:
    """The model-free pipeline behind `edunlp segment`: structure plus rule-based indicators."""
    return Pipeline([("indicators", rule_stage)])


def load(path: str | Path | None = None, quantize: bool = False) -> Pipeline:
    """The full pipeline with a fine-tuned model directory (default: the shipped model)."""
    tagger = Tagger.from_pretrained(path or require(DEFAULT_MODEL, "config.json", "edunlp-zh-mini"), quantize=quantize)
    return Pipeline([("tagger", TaggerStage(tagger)), ("indicators", indicator_stage)])
