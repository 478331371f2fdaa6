"""Chinese word segmentation for bulletin text.

The segmenter is a pkuseg model trained on People's Daily (training/train_segmenter.py, shipped in
models/edunlp-pkuseg/) plus a user dictionary of this field's platform, system, policy and body
names (edunlp/data/user_dict.txt, one name a line, no comments: pkuseg reads every line as a word).
Names in the dictionary always come out as one word. No entry may begin with another entry
(tests/test_words.py checks it): pkuseg's matcher, on text such as 关键信息基础设施安全 with both
关键信息基础设施 and 关键信息基础设施安全保护条例 listed, returns the partial longer match
关键信息基础设施安全 as one word; without prefixes it always cuts right. pkuseg's own
post-processing, which merges words found in its general dictionary (客户端, 8月底, 30余), is
switched off: it cost 1 point of F1 on the held-out People's Daily text (evaluation/
eval_segmenter.py), and without it words follow the one standard the model learnt; the word list
it would have used is emptied, which leaves that much more memory to a batch run.

It runs inside spaCy's Chinese tokenizer, built from the pkuseg directory on first use and cached,
one per process. Building at load time rather than shipping a spaCy `to_disk` directory keeps one
compact copy of the model: `to_disk` rewrites the weights uncompressed as float64.

Parts of speech (PKU tag set: n, v, vn, ns, nt, m, q, d …) come from a spaCy `tagger` trained on
People's Daily (training/train_postagger.py, shipped in models/edunlp-postagger/), sourced into
the same pipeline after the tokenizer. `token_spans` runs the tokenizer alone; `tagged_spans`
runs the tagger too.

Text is folded with `edunlp.reading.normalize.fold` (full-width → ASCII, traditional → simplified) before
segmenting, as the training text was. The fold keeps the length, so spans index the original text.
Both models are found as `edunlp.models` says; a missing one is an error that says where edunlp
looked, never a silent fallback to one character per word.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from ..models import find_model, require
from ..reading.normalize import fold

if TYPE_CHECKING:
    from spacy.language import Language

MODEL_DIR = find_model("edunlp-pkuseg", "weights.npz")
USER_DICT = Path(__file__).resolve().parents[1] / "data" / "user_dict.txt"
POS_MODEL_DIR = find_model("edunlp-postagger", "tagger")


@functools.lru_cache(maxsize=1)
def nlp() -> Language:
    """The spaCy pipeline whose tokenizer is the segmenter (built once per process).

    `nlp()(text)` segments `text` as given; pass `fold(text)` for full-width or traditional text,
    as `tokenize` does (same length, so token offsets also index `text`). spaCy is imported here, on
    first use, so that importing the tagging and training code needs no spaCy (the GPU fine-tuning
    run of training/gpu_run.py reads its word spans from a table made where spaCy is)."""
    import spacy

    require(MODEL_DIR, "weights.npz", "edunlp-pkuseg")
    require(POS_MODEL_DIR, "tagger", "edunlp-postagger")
    pipeline = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "pkuseg"}}})
    pipeline.tokenizer.initialize(pkuseg_model=str(MODEL_DIR), pkuseg_user_dict=str(USER_DICT))
    postprocesser = pipeline.tokenizer.pkuseg_seg.postprocesser
    postprocesser.do_process = False  # kept by to_disk/spacy.load
    postprocesser.other_words.clear()  # pkuseg's general dictionary, loaded all the same and never read
    pipeline.add_pipe("tagger", source=spacy.load(POS_MODEL_DIR))
    return pipeline


def token_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every word of `text`, end exclusive; whitespace is not a word."""
    doc = nlp().tokenizer(fold(text))
    return [(token.idx, token.idx + len(token)) for token in doc if not token.is_space]


def tagged_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, part of speech) of every word of `text`; the tag is "" without a tagger."""
    return tagged_spans_of_many([text])[0]


def tagged_spans_of_many(texts: list[str]) -> list[list[tuple[int, int, str]]]:
    """`tagged_spans` of each text, tagged in batches (the tagger's cost is mostly per call)."""
    docs = nlp().pipe((fold(text) for text in texts), batch_size=256)
    return [[(t.idx, t.idx + len(t), t.tag_) for t in doc if not t.is_space] for doc in docs]


def tokenize(text: str) -> list[str]:
    """The words of `text`, cut from the original (unfolded) text, whitespace dropped."""
    return [text[start:end] for start, end in token_spans(text)]


def tagged_spans_in_context(pieces: list[tuple[str, tuple[int, int], tuple[int, int]]]) -> list[list[tuple[int, int, str]]]:
    """(start, end, part of speech) of the words of each `text[span]`, offsets into `text`, for each
    (text, context, span) with `span` inside `context`: the words are cut from the context's, a word
    over an edge of the span cut at it. A span segmented alone loses the words over its edges and
    the segmenter misreads what is left (国家级众创空间 after a count: 国家|级众|创|空间; in its
    clause 国家级|众创|空间); each distinct context is tagged once."""
    contexts = list(dict.fromkeys((text, context) for text, context, _ in pieces))
    tagged = dict(zip(contexts, tagged_spans_of_many([text[slice(*context)] for text, context in contexts])))
    found = []
    for text, context, (start, end) in pieces:
        shift = context[0]
        found.append([(max(s + shift, start), min(e + shift, end), tag) for s, e, tag in tagged[(text, context)]
                      if s + shift < end and start < e + shift])
    return found
