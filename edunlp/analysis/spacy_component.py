"""edunlp in spaCy: a tagged bulletin as a `Doc`, and edunlp as a spaCy pipeline component.

    doc = edunlp.to_spacy(bulletin)                     # words from edunlp's pkuseg tokenizer
    spacy.displacy.render(doc, style="ent")             # entities, in a notebook
    nlp = spacy.blank("zh"); nlp.add_pipe("edunlp")     # registered through the spacy_factories entry point
    docs = nlp.pipe(texts, n_process=4)                 # worker processes: one torch thread each

The conversion is a function here rather than a method of `Bulletin`, as `to_frame` is: the data
model stays free of spaCy (and of this package, which sits above it in the layering).

What a Doc carries (offsets are the bulletin's, so `doc.text == bulletin.text` for `to_spacy`):
- `doc.ents`: the entities (where two overlap, the longer one; all of them are in `doc.spans["entities"]`);
- `doc.spans["paragraphs"]` and `doc.spans["sentences"]`: one span each, labelled with its kind
  ("abstract"/"paragraph", "sentence");
- `doc.spans["paragraph_labels"]` and `doc.spans["sentence_labels"]`: one span per action line
  given to a paragraph or sentence, labelled with it, the scores in the group's `attrs["scores"]`
  as spaCy's span categorizer keeps them; `doc.spans["entities"]` and `doc.spans["indicators"]`
  (labelled with the indicator's name) likewise;
- `doc.cats`: per action line, the highest score any paragraph got for it;
- sentence starts, so `doc.sents` gives the bulletin's sentences, and `doc._.edunlp`, the Bulletin
  (it survives `doc.to_bytes()`, a `DocBin` with user data and worker processes: see `_encode`).

`to_spacy` cuts words at every span boundary, so every span above is exactly the bulletin's. The
component works on whatever tokens the pipeline made (spaCy's Chinese default is one character a
token): spans that do not fall on token boundaries are widened to the tokens that hold them.
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import os
from collections.abc import Iterable, Iterator
from typing import Any

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span, SpanGroup
from spacy.util import filter_spans
from spacy.vocab import Vocab

from ..document import Bulletin

if not Doc.has_extension("edunlp"):
    Doc.set_extension("edunlp", default=None)

_BULLETIN = "__edunlp_bulletin__"


def _encode(value: Any, chain: Any = None) -> Any:
    """spaCy serialises a Doc's user data, `doc._.edunlp` with it, as msgpack (as `nlp.pipe` workers
    send docs back): a Bulletin goes as its fields, never pickled."""
    if isinstance(value, Bulletin):
        return {_BULLETIN: dataclasses.asdict(value)}
    return chain(value) if chain else value


def _decode(value: Any, chain: Any = None) -> Any:
    if isinstance(value, dict) and _BULLETIN in value:
        return Bulletin.from_fields(value[_BULLETIN])
    return chain(value) if chain else value


srsly.msgpack_encoders.register("edunlp_bulletin", func=_encode)
srsly.msgpack_decoders.register("edunlp_bulletin", func=_decode)


def to_spacy(bulletin: Bulletin, vocab: Vocab | None = None) -> Doc:
    """The bulletin as a spaCy Doc over its text: edunlp's words, cut at every span boundary."""
    from ..segmentation.words import nlp, token_spans

    text = bulletin.text
    cuts = {0, len(text)}
    cuts.update(offset for span in token_spans(text) for offset in span)
    cuts.update(offset for start, end, _ in _all_spans(bulletin) for offset in (start, end))
    words = [text[a:b] for a, b in itertools.pairwise(sorted(cuts))]
    doc = Doc(vocab if vocab is not None else nlp().vocab, words=words, spaces=[False] * len(words))
    return annotate(doc, bulletin, alignment_mode="strict")


def _all_spans(bulletin: Bulletin) -> Iterator[tuple[int, int, str]]:
    for paragraph in bulletin.paragraphs:
        yield paragraph.start, paragraph.end, paragraph.kind
        for sentence in paragraph.sentences:
            yield sentence.start, sentence.end, "sentence"
        for entity in paragraph.entities:
            yield entity.start, entity.end, entity.label
        for indicator in paragraph.indicators:
            yield indicator.start, indicator.end, indicator.name


def annotate(doc: Doc, bulletin: Bulletin, alignment_mode: str = "expand") -> Doc:
    """Put the bulletin's paragraphs, sentences, labels, entities and indicators on `doc`
    (see the module docstring). `doc.text` may differ from `bulletin.text` by what edunlp cleans
    away (carriage returns, zero-width characters, pinyin readings): offsets are mapped back."""
    to_doc = _offset_map(bulletin.text, doc.text)

    def span(start: int, end: int, label: str) -> Span:
        found = doc.char_span(to_doc[start], to_doc[end - 1] + 1, label=label, alignment_mode=alignment_mode)
        if found is None:
            raise ValueError(f"span [{start}, {end}] {label!r} does not fall on token boundaries")
        return found

    def group(name: str, spans: list[Span], scores: list[float | None] | None = None) -> None:
        doc.spans[name] = SpanGroup(doc, name=name, spans=spans, attrs={"scores": scores} if scores is not None else {})

    paragraphs = bulletin.paragraphs
    sentences = [s for p in paragraphs for s in p.sentences]
    entities = [e for p in paragraphs for e in p.entities]
    indicators = [i for p in paragraphs for i in p.indicators]
    group("paragraphs", [span(p.start, p.end, p.kind) for p in paragraphs])
    group("sentences", [span(s.start, s.end, "sentence") for s in sentences])
    for name, items in (("paragraph_labels", paragraphs), ("sentence_labels", sentences)):
        pairs = [(item, label) for item in items for label in item.labels]
        group(name, [span(i.start, i.end, label.label) for i, label in pairs], [label.score for _, label in pairs])
    group("entities", [span(e.start, e.end, e.label) for e in entities], [e.score for e in entities])
    group("indicators", [span(i.start, i.end, i.name) for i in indicators])
    doc.ents = filter_spans(doc.spans["entities"])
    doc.cats = {}
    for paragraph in paragraphs:
        for label in paragraph.labels:
            doc.cats[label.label] = max(doc.cats.get(label.label, 0.0), float(label.score))
    _set_sentence_starts(doc, [span(s.start, s.end, "sentence") for s in sentences])
    doc._.edunlp = bulletin
    return doc


def _offset_map(cleaned: str, original: str) -> list[int]:
    """For each offset of `cleaned` (and its end), the offset of the same character in `original`.
    Cleaning only deletes characters or turns a carriage return into a line end."""
    if cleaned == original:
        return list(range(len(cleaned) + 1))
    mapping = [len(original)] * (len(cleaned) + 1)
    blocks = difflib.SequenceMatcher(None, cleaned, original.replace("\r", "\n"), autojunk=False).get_matching_blocks()
    for a, b, size in blocks:
        for k in range(size):
            mapping[a + k] = b + k
    return mapping


def _set_sentence_starts(doc: Doc, sentences: list[Span]) -> None:
    """Each sentence starts one; the text between sentences (heads, blank lines) forms its own."""
    starts = {0} | {s.start for s in sentences} | {s.end for s in sentences if s.end < len(doc)}
    for token in doc:
        token.is_sent_start = token.i in starts


class EdunlpComponent:
    """edunlp as a spaCy component: segments and tags `doc.text`, annotates the doc in place.

    The source and month of a text can come as the context of `nlp.pipe(..., as_tuples=True)`:
    a dict with "source" and/or "month". `nlp.pipe(..., n_process=N)` forks N workers that share
    the loaded model; each runs torch on one thread, as PyTorch's DataLoader workers do (torch's
    thread pool does not survive a fork: a worker using it would hang), so N is the cores to use."""

    def __init__(self, nlp: Language, name: str, model: str | None, quantize: bool, batch_size: int) -> None:
        from ..pipeline import load

        self.name = name
        self.pipeline = load(model, quantize=quantize)
        self.pipeline.batch_size = batch_size
        self._process = os.getpid()

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int | None = None) -> Iterator[Doc]:
        if os.getpid() != self._process:  # in a worker forked by nlp.pipe(n_process=N)
            import torch

            torch.set_num_threads(1)
            self._process = os.getpid()
        docs = iter(docs)
        while batch := list(itertools.islice(docs, batch_size or self.pipeline.batch_size)):
            items = [(doc.text, getattr(doc, "_context", None) or {}) for doc in batch]
            for doc, (bulletin, _) in zip(batch, self.pipeline.pipe(items, as_tuples=True)):
                yield annotate(doc, bulletin)


@Language.factory("edunlp", default_config={"model": None, "quantize": False, "batch_size": 32})
def make_edunlp(nlp: Language, name: str, model: str | None, quantize: bool, batch_size: int) -> EdunlpComponent:
    """The `edunlp` factory: `model` is a fine-tuned model directory (default: the shipped one)."""
    return EdunlpComponent(nlp, name, model, quantize, batch_size)
