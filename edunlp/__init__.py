"""edunlp: read the Ministry of Education's monthly bulletins on education informatization.

    import edunlp
    bulletin = edunlp.read_bulletin("2021-08.txt")
    for paragraph in bulletin.paragraphs:
        print(paragraph.section, paragraph.head, paragraph.region, paragraph.text[:20])
"""

from __future__ import annotations

from pathlib import Path

from .document import Bulletin, Entity, Indicator, Label, Paragraph, Quantity, Section, Sentence
from .errors import InputError
from .normalize import fold
from .reading import read
from .segment import segment

__all__ = [
    "Bulletin", "Entity", "Indicator", "InputError", "Label", "Paragraph", "Quantity", "Section",
    "Sentence", "fold", "read", "read_bulletin", "segment",
]
__version__ = "0.1.0"


def read_bulletin(path: str | Path, month: str | None = None) -> Bulletin:
    """Read and segment one bulletin file; `month` ("2021-08") overrides title and file name."""
    bulletin = segment(read(path), source=str(path), month=month)
    if not bulletin.paragraphs:
        raise InputError(path, "no paragraphs found: not a bulletin")
    return bulletin
