"""edunlp's errors: one base class, so a caller can catch whatever edunlp refuses, and the one
error type for bad input, so a batch job can record it and go on."""

from __future__ import annotations

import re
from pathlib import Path

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def writable(text: str | Path) -> str:
    """Text that can be written as UTF-8: the bytes of a file name that is not valid UTF-8
    (kept by Python as lone surrogates) become \\xNN escapes."""
    return str(text).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def shown(text: str | Path) -> str:
    """`writable` with control characters escaped too, for a terminal: a file name holding a
    newline or an escape sequence prints as one harmless line."""
    return _CONTROL.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), writable(text))


class EdunlpError(Exception):
    """Whatever edunlp refuses with a message for the user (bad input, a missing model, a locked
    output, a bad command line), as opposed to a bug."""


class InputError(EdunlpError, ValueError):
    """A file edunlp cannot use; the message names the file (and line) and says why."""

    def __init__(self, path: str | Path, reason: str, line: int | None = None) -> None:
        self.path = writable(path)
        self.reason = writable(reason)
        self.line = line
        where = f"{shown(self.path)}:{line}" if line is not None else shown(self.path)
        super().__init__(f"{where}: {shown(self.reason)}")

    def __reduce__(self):
        # Rebuilt from its parts when it crosses a process boundary (batch workers).
        return (type(self), (self.path, self.reason, self.line))


class OutputLockedError(EdunlpError, RuntimeError):
    """Another run is writing the same output: two writers would each append every row."""
