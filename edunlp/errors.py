"""The one error type for bad input, so a batch job can record it and go on."""

from __future__ import annotations

from pathlib import Path


class InputError(ValueError):
    """A file edunlp cannot use; the message names the file (and line) and says why."""

    def __init__(self, path: str | Path, reason: str, line: int | None = None) -> None:
        self.path = str(path)
        self.reason = reason
        self.line = line
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {reason}")

    def __reduce__(self):
        # Rebuilt from its parts when it crosses a process boundary (batch workers).
        return (InputError, (self.path, self.reason, self.line))
