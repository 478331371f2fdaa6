"""Expanding what a user names on the command line into bulletin files.

Directories and `**` globs are walked here rather than by `glob`/`rglob`: symbolic links are
followed, but each real directory is entered once (a link loop would otherwise repeat every file
dozens of times or never end), and a directory that cannot be read is reported, not skipped.
"""

from __future__ import annotations

import fnmatch
import glob
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import InputError
from .files import SUFFIXES


def expand_inputs(
    patterns: Iterable[str | Path], extra_suffixes: set[str] = frozenset()
) -> tuple[list[Path], list[InputError]]:
    """Files named directly, found under directories (recursively) or matched by globs.

    Directories contribute the files whose suffix edunlp reads (plus `extra_suffixes`).

    Returns the files in a stable order, each once, and one error per pattern that matched
    nothing and per directory that could not be read.
    """
    files: list[Path] = []
    errors: list[InputError] = []
    for pattern in patterns:
        path = Path(pattern)
        if path.is_dir():
            suffixes = SUFFIXES | extra_suffixes
            files.extend(sorted(p for p in _walk(path, errors) if p.suffix.lower() in suffixes))
        elif path.is_file():
            files.append(path)
        else:
            matched = sorted(_glob(str(pattern), errors))
            if matched:
                files.extend(matched)
            else:
                errors.append(InputError(pattern, "no such file, directory or matching glob"))
    unique: dict[str, Path] = {}
    for path in files:
        unique.setdefault(os.path.realpath(path), path)  # a file reached twice, through links, counts once
    return list(unique.values()), errors


def _walk(root: Path, errors: list[InputError]) -> Iterator[Path]:
    """Every file under `root`, following links to directories but entering each one once."""
    seen: set[tuple[int, int]] = set()

    def unreadable(error: OSError) -> None:
        errors.append(InputError(error.filename or root, f"cannot read the directory ({error.strerror or error})"))

    for directory, subdirectories, names in os.walk(root, onerror=unreadable, followlinks=True):
        status = os.stat(directory)
        if (status.st_dev, status.st_ino) in seen:
            subdirectories.clear()
            continue
        seen.add((status.st_dev, status.st_ino))
        subdirectories.sort()
        for name in names:
            path = Path(directory, name)
            if path.is_file():
                yield path


def _glob(pattern: str, errors: list[InputError]) -> Iterator[Path]:
    """Files matching `pattern`; a `**` part (any number of directories) is walked by `_walk`."""
    parts = Path(pattern).parts
    if "**" not in parts:
        yield from (Path(p) for p in glob.glob(pattern) if Path(p).is_file())
        return
    fixed = next(i for i, part in enumerate(parts) if glob.has_magic(part))
    root, wanted = Path(*parts[:fixed]) if fixed else Path("."), parts[fixed:]
    if root.is_dir():
        yield from (p for p in _walk(root, errors) if _matches(p.relative_to(root).parts, wanted))


def _matches(parts: tuple[str, ...], pattern: tuple[str, ...]) -> bool:
    """Whether path parts match glob parts (`*`, `?`, `[…]` within a name, `**` for any number of
    directories); as with `glob`, a hidden name matches only a pattern that starts with a dot."""
    if not pattern:
        return not parts
    if pattern[0] == "**":
        return any(_matches(parts[i:], pattern[1:]) for i in range(len(parts) + 1)
                   if not any(part.startswith(".") for part in parts[:i]))
    return bool(parts) and (not parts[0].startswith(".") or pattern[0].startswith(".")) and (
        fnmatch.fnmatchcase(parts[0], pattern[0]) and _matches(parts[1:], pattern[1:]))
