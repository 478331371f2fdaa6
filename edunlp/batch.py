"""Batch mode: tag whole archives, resumably, without losing or repeating a paragraph.

The rows of each finished document are appended to the output and flushed, then a line is
appended to the state file `OUT.state.jsonl` with the document's source, content hash and the
output's size after it. On a rerun the output is cut back to the last size the state vouches for
(dropping a half-written line or a document whose state line never landed), documents whose
(source, hash) is recorded are skipped, and a changed file has its old rows removed and is redone.
Bad files are written to `OUT.errors.jsonl` with their reason; the run goes on.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from .document import Bulletin
from .errors import InputError
from .inputs import expand_inputs
from .output import write_jsonl, write_table
from .reading import SUFFIXES, read_bytes
from .segment import segment

FORMATS = ("jsonl", "csv", "parquet")


@dataclass
class Source:
    """One document to process: a file, or a member of a .zip archive (`archive.zip!member`)."""

    name: str
    path: Path
    member: str | None = None

    def read(self) -> bytes:
        if self.member is None:
            return self.path.read_bytes()
        with zipfile.ZipFile(self.path) as archive:
            return archive.read(self.member)


@dataclass
class Summary:
    done: int = 0
    skipped: int = 0
    paragraphs: int = 0
    errors: list[InputError] = field(default_factory=list)
    seconds: float = 0.0

    def line(self, output: Path) -> str:
        return (f"edunlp: {self.paragraphs} paragraphs from {self.done} file(s) → {output}; "
                f"{self.skipped} already done, {len(self.errors)} failed ({self.seconds:.1f} s)")


def sources(patterns: Iterable[str | Path]) -> tuple[list[Source], list[InputError]]:
    """Files, directories, globs and the supported members of .zip archives."""
    files, errors = expand_inputs(patterns, extra_suffixes={".zip"})
    found: list[Source] = []
    for path in files:
        if path.suffix.lower() != ".zip":
            found.append(Source(str(path), path))
            continue
        try:
            with zipfile.ZipFile(path) as archive:
                members = sorted(m.filename for m in archive.infolist() if not m.is_dir())
        except (zipfile.BadZipFile, OSError) as error:
            errors.append(InputError(path, f"not a valid .zip archive ({error})"))
            continue
        found.extend(Source(f"{path}!{m}", path, m) for m in members if Path(m).suffix.lower() in SUFFIXES)
    return found, errors


def _load(source: Source, month: str | None) -> tuple[str, str, Bulletin | InputError]:
    """Read and segment one source (runs in a worker process): (name, content hash, result)."""
    try:
        data = source.read()
    except (OSError, KeyError, zipfile.BadZipFile) as error:
        return source.name, "", InputError(source.name, f"cannot read ({error})")
    digest = hashlib.sha1(data).hexdigest()
    try:
        bulletin = segment(read_bytes(data, source.member or source.path), source=source.name, month=month)
        if not bulletin.paragraphs:
            raise InputError(source.name, "no paragraphs found: not a bulletin")
    except InputError as error:
        error = InputError(source.name, error.reason, error.line)
        return source.name, digest, error
    return source.name, digest, bulletin


class _State:
    """The state file: which (source, hash) are done and how long the output was after each."""

    def __init__(self, output: Path, force: bool) -> None:
        self.output = output
        self.path = output.with_name(output.name + ".state.jsonl")
        self.done: dict[str, tuple[str, int]] = {}
        if force:
            for path in (self.path, output):
                path.unlink(missing_ok=True)
        for line in self.path.read_text(encoding="utf-8").splitlines() if self.path.exists() else []:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                break  # a state line cut off by a crash: the document is redone
            self.done[record["source"]] = (record["hash"], record["offset"])
        self._cut_output_back()

    def _cut_output_back(self) -> None:
        """Drop output the state does not vouch for, and rewrite the state to match."""
        offset = max((o for _, o in self.done.values()), default=0)
        self.output.parent.mkdir(parents=True, exist_ok=True)
        with open(self.output, "ab") as handle:
            handle.truncate(offset)
        self._rewrite()

    def _rewrite(self) -> None:
        write_jsonl(self.path, ({"source": s, "hash": h, "offset": o} for s, (h, o) in self.done.items()))

    def is_done(self, source: str, digest: str) -> bool:
        return self.done.get(source, ("", 0))[0] == digest

    def forget(self, stale: set[str]) -> None:
        """Remove the rows of changed sources from the output (atomically) and from the state."""
        kept: list[str] = []
        offsets: dict[str, int] = {}
        size = 0
        with open(self.output, encoding="utf-8") as handle:
            for line in handle:
                source = json.loads(line)["source"]
                if source in stale:
                    continue
                kept.append(line)
                size += len(line.encode("utf-8"))
                offsets[source] = size
        tmp = self.output.with_name(f".{self.output.name}.tmp")
        tmp.write_text("".join(kept), encoding="utf-8")
        os.replace(tmp, self.output)
        self.done = {s: (h, offsets.get(s, 0)) for s, (h, _) in self.done.items() if s not in stale}
        self._rewrite()

    def record(self, source: str, digest: str, offset: int) -> None:
        self.done[source] = (digest, offset)
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"source": source, "hash": digest, "offset": offset}, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())


class Job:
    """The output side of a batch job, whatever engine tags the documents: the state, the rows
    appended per finished document, the errors file, the progress bar and the summary.

    Used as a context manager: on leaving, the errors file is written (even after Ctrl-C) and, when
    the job finished, the csv or parquet table.
    """

    def __init__(self, output: str | Path, total: int, errors: list[InputError], fmt: str = "jsonl",
                 force: bool = False, progress: bool | None = None) -> None:
        """`total` documents to go through; `errors` those met while listing them."""
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
        self.output = Path(output)
        self.fmt = fmt
        self.rows_path = self.output if fmt == "jsonl" else self.output.with_name(self.output.name + ".jsonl")
        self.started = time.monotonic()
        self.state = _State(self.rows_path, force)
        self.summary = Summary(errors=list(errors))
        self.bar = tqdm(total=total, unit="doc", disable=(not sys.stderr.isatty()) if progress is None else not progress)

    def skip(self, source: str, digest: str) -> bool:
        """True (counted as skipped) when this content of `source` is already in the output; an
        older content's rows are removed from the output, so the document is redone."""
        if digest and self.state.is_done(source, digest):
            self.summary.skipped += 1
            self.bar.update(1)
            return True
        if source in self.state.done:
            self.state.forget({source})
        return False

    def write(self, source: str, digest: str, rows: str, count: int) -> None:
        """Append the `count` rows (JSONL text, see `jsonl_text`) of a finished document and vouch for them."""
        with open(self.rows_path, "a", encoding="utf-8") as handle:
            handle.write(rows)
            handle.flush()
            os.fsync(handle.fileno())
            self.state.record(source, digest, handle.tell())
        self.summary.done += 1
        self.summary.paragraphs += count
        self.bar.update(1)
        elapsed = max(time.monotonic() - self.started, 1e-9)
        self.bar.set_postfix(docs_s=f"{self.summary.done / elapsed:.1f}", paras_s=f"{self.summary.paragraphs / elapsed:.1f}")

    def fail(self, error: InputError) -> None:
        self.summary.errors.append(error)
        self.bar.update(1)

    def __enter__(self) -> Job:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self.bar.close()
        write_jsonl(self.output.with_name(self.output.name + ".errors.jsonl"),
                    ({"source": e.path, "line": e.line, "reason": e.reason} for e in self.summary.errors))
        if kind is None and self.fmt != "jsonl":
            write_table(pd.DataFrame(list(table_rows(self.rows_path))), self.output, self.fmt)
        self.summary.seconds = time.monotonic() - self.started


def jsonl_text(rows: list[dict[str, Any]]) -> str:
    """A document's rows as the output holds them: one JSON object per line."""
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def run(
    patterns: Iterable[str | Path],
    output: str | Path,
    apply: Callable[[list[Bulletin]], list[Bulletin]] | None = None,
    month: str | None = None,
    force: bool = False,
    fmt: str = "jsonl",
    workers: int = 1,
    batch_paragraphs: int = 256,
    progress: bool | None = None,
) -> Summary:
    """Segment (and `apply` a pipeline to) every input, appending rows per finished document.

    `fmt` csv or parquet writes the paragraph table to `output` at the end, from the resumable
    JSONL kept beside it (`output` + `.jsonl`). `workers` processes read and segment the inputs
    while the model runs; `progress` None shows a bar on a terminal only.
    """
    todo, errors = sources(patterns)
    with Job(output, len(todo), errors, fmt, force, progress) as job:
        pending: list[tuple[str, Bulletin]] = []

        def flush() -> None:
            if apply and pending:
                apply([b for _, b in pending])
            for digest, bulletin in pending:
                rows = bulletin.rows()
                job.write(bulletin.source, digest, jsonl_text(rows), len(rows))
            pending.clear()

        for name, digest, result in _loaded(todo, month, workers):
            if job.skip(name, digest):
                continue
            if isinstance(result, InputError):
                job.fail(result)
                continue
            pending.append((digest, result))
            if sum(len(b.paragraphs) for _, b in pending) >= batch_paragraphs:
                flush()
        flush()
    return job.summary


def _loaded(todo: list[Source], month: str | None, workers: int) -> Iterator[tuple[str, str, Bulletin | InputError]]:
    """Sources read and segmented in order, by `workers` processes (0: in this process).

    At most a few documents per worker are read ahead, so memory stays flat however long the
    archive is and however slow the model is.
    """
    if workers <= 0 or len(todo) < 2:
        yield from (_load(s, month) for s in todo)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        ahead: deque = deque()
        for source in todo:
            ahead.append(pool.submit(_load, source, month))
            if len(ahead) >= 4 * workers:
                yield ahead.popleft().result()
        while ahead:
            yield ahead.popleft().result()


def table_rows(rows_path: Path) -> Iterator[dict[str, Any]]:
    """The paragraph table: one flat row per paragraph, nested fields as JSON text."""
    with open(rows_path, encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            labels = row.get("labels") or []
            yield {
                **{k: v for k, v in row.items() if k not in ("sentences", "labels", "entities", "indicators")},
                "top_label": labels[0]["label"] if labels else None,
                "labels": json.dumps(labels, ensure_ascii=False),
                "entities": json.dumps(row.get("entities") or [], ensure_ascii=False),
                "indicators": json.dumps(row.get("indicators") or [], ensure_ascii=False),
                "sentences": len(row.get("sentences") or []),
            }
