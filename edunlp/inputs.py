"""Expanding what a user names on the command line into bulletin files."""

from __future__ import annotations

import glob
from collections.abc import Iterable
from pathlib import Path

from .errors import InputError
from .reading import SUFFIXES


def expand_inputs(
    patterns: Iterable[str | Path], extra_suffixes: set[str] = frozenset()
) -> tuple[list[Path], list[InputError]]:
    """Files named directly, found under directories (recursively) or matched by globs.

    Directories contribute the files whose suffix edunlp reads (plus `extra_suffixes`).

    Returns the files in a stable order and one error per pattern that matched nothing.
    """
    files: list[Path] = []
    missing: list[InputError] = []
    for pattern in patterns:
        path = Path(pattern)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES | extra_suffixes))
        elif path.is_file():
            files.append(path)
        else:
            matched = sorted(Path(p) for p in glob.glob(str(pattern), recursive=True) if Path(p).is_file())
            if matched:
                files.extend(matched)
            else:
                missing.append(InputError(pattern, "no such file, directory or matching glob"))
    unique = list(dict.fromkeys(files))
    return unique, missing
