"""edunlp: read the Ministry of Education's monthly bulletins on education informatization.

    import edunlp
    bulletin = edunlp.read_bulletin("2021-08.txt")
    for paragraph in bulletin.paragraphs:
        print(paragraph.section, paragraph.head, paragraph.region, paragraph.text[:20])
    table = edunlp.to_frame(edunlp.load().pipe(texts), what="indicators")   # a pandas DataFrame
    doc = edunlp.to_spacy(bulletin)                                          # a spaCy Doc, for displaCy

Every public name here is a function or class, never a module of the same name (the subpackages are
edunlp.reading, edunlp.segmentation, edunlp.indicators, …), so `edunlp.segment(text)` and
`import edunlp.indicators` both do what they say. The README's "Code layout" section maps the subpackages.
"""

from __future__ import annotations

from pathlib import Path

from .document import Bulletin, Entity, Indicator, Label, Paragraph, Quantity, Section, Sentence
from .errors import InputError
from .indicators.extract import extract_indicators, fill_indicators
from .indicators.quantities import parse_quantity
from .reading.files import read
from .reading.normalize import fold
from .segmentation.paragraphs import segment

__all__ = [
    "Bulletin", "Entity", "Indicator", "InputError", "Label", "Paragraph", "Pipeline", "Quantity", "Section",
    "Sentence", "extract_indicators", "fill_indicators", "fold", "load", "parse_quantity", "read",
    "read_bulletin", "segment", "to_frame", "to_spacy", "tokenize",
]
__version__ = "0.1.0"

# The model and the word segmenter pull in torch, transformers and spaCy: import them on first use.
_LAZY = {"load": "pipeline", "Pipeline": "pipeline", "to_frame": "analysis.frames",
         "to_spacy": "analysis.spacy_component", "tokenize": "segmentation.words"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'edunlp' has no attribute {name!r}")


def read_bulletin(path: str | Path, month: str | None = None) -> Bulletin:
    """Read and segment one bulletin file; `month` ("2021-08") overrides title and file name."""
    bulletin = segment(read(path), source=str(path), month=month)
    if not bulletin.paragraphs:
        raise InputError(path, "no paragraphs found: not a bulletin")
    return bulletin
