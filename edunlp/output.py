"""Writing results so that a crash never leaves a half-written file behind."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd


_UMASK = os.umask(0)
os.umask(_UMASK)


def write_atomically(path: str | Path, write: Callable[[str], object]) -> Path:
    """Call `write` on a temporary file beside `path`, then rename it to `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(handle)
    os.chmod(temp, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the file the usual permissions
    try:
        write(temp)
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise
    return path


def replace_directory(new: Path, target: Path) -> None:
    """Put a finished directory in place of `target` (the old one goes only once the new is complete)."""
    old = target.with_name(f".{target.name}.old")
    if target.exists():
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
    shutil.copytree(new, target)
    os.chmod(target, 0o777 & ~_UMASK)  # a temporary directory is private; give the result the usual permissions
    shutil.rmtree(old, ignore_errors=True)


def write_jsonl(path: str | Path, rows: Iterable[dict[str, Any]]) -> int:
    """Write one JSON object per line, atomically; returns the row count."""
    count = 0

    def write(temp: str) -> None:
        nonlocal count
        with open(temp, "w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
            handle.flush()
            os.fsync(handle.fileno())

    write_atomically(path, write)
    return count


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """A copy where every text cell a spreadsheet would run as a formula (=, +, -, @ first) starts
    with an apostrophe instead (OWASP's advice for CSV injection); numbers stay numbers."""
    def defuse(value: object) -> object:
        return f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_STARTS) else value

    def is_text(column: pd.Series) -> bool:
        return pd.api.types.is_string_dtype(column) or column.dtype == object

    return table.apply(lambda column: column.map(defuse) if is_text(column) else column)


def flatten_lists(table: pd.DataFrame) -> pd.DataFrame:
    """A copy where list and dict cells are JSON text: a CSV cell holds one string."""
    def flatten(value: object) -> object:
        return json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value

    return table.apply(lambda column: column.map(flatten) if column.dtype == object else column)


TABLE_WRITERS: dict[str, Callable[[pd.DataFrame, str], object]] = {
    # Bulletin text is untrusted: a cell never reaches a spreadsheet as a formula.
    ".csv": lambda table, path: defuse_formulas(flatten_lists(table)).to_csv(path, index=False, encoding="utf-8"),
    ".parquet": lambda table, path: table.to_parquet(path, index=False),
}


def write_table(table: pd.DataFrame, path: str | Path, fmt: str | None = None) -> Path:
    """Write `table` as CSV (UTF-8) or Parquet — by `fmt`, else by the suffix of `path` — atomically."""
    path = Path(path)
    suffix = f".{fmt}" if fmt else path.suffix.lower()
    if suffix not in TABLE_WRITERS:
        raise ValueError(f"{path}: unknown table format {suffix!r}; use .csv or .parquet")
    return write_atomically(path, lambda temp: TABLE_WRITERS[suffix](table, temp))
