"""Batch mode: tag whole archives, resumably, without losing or repeating a paragraph.

The rows of each finished document are appended to the output and flushed, then a line is
appended to the state file `OUT.state.jsonl` with the document's source, content hash and the
output's size after it. On a rerun the output is cut back to the last size the state vouches for
(dropping a half-written line or a document whose state line never landed), documents whose
(source, hash) is recorded are skipped, and a changed file has its old rows removed and is redone.
Bad files are written to `OUT.errors.jsonl` with their reason; the run goes on, whatever the
failure (an unexpected one is recorded as such, asking for a report). `OUT.lock` is held while a
run writes OUT: a second run on the same output stops at once instead of appending every row again.

Output `-` streams the JSONL rows to standard output as each batch of documents finishes. A
stream cannot be cut back or appended to later, so such a run keeps no state, takes no lock,
skips nothing and writes no errors file: the errors go to stderr (the command line prints them).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import time
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from tqdm.auto import tqdm

from ..analysis.frames import paragraph_rows, paragraph_table
from ..document import Bulletin
from ..errors import InputError, OutputLockedError, shown, writable
from ..output import write_jsonl, write_table
from ..reading.files import MAX_BYTES, SUFFIXES, file_bytes, guess_suffix, read_bytes, read_member
from ..reading.inputs import expand_inputs
from ..segmentation.paragraphs import segment

FORMATS = ("jsonl", "csv", "parquet")
STDIN = STDOUT = "-"


@dataclass
class Source:
    """One document to process: a file, a member of a .zip archive (`archive.zip!member`), or
    what came on standard input (`data`; `path` then only names its format)."""

    name: str
    path: Path
    member: str | None = None
    data: bytes | None = None

    def read(self, max_bytes: int = MAX_BYTES) -> bytes:
        """The bytes of the document, at most `max_bytes` (InputError otherwise)."""
        if self.data is not None:
            if len(self.data) > max_bytes:
                raise InputError(self.name, f"larger than {max_bytes / 2**20:g} MiB")
            return self.data
        if self.member is None:
            return file_bytes(self.path, max_bytes)
        return read_member(self.path, self.member, max_bytes)


@dataclass
class Summary:
    found: int = 0
    done: int = 0
    skipped: int = 0
    paragraphs: int = 0
    errors: list[InputError] = field(default_factory=list)
    seconds: float = 0.0

    def line(self, output: Path) -> str:
        return (f"edunlp: {self.paragraphs} paragraphs from {self.done} file(s) → {output}; "
                f"{self.skipped} already done, {len(self.errors)} failed ({self.seconds:.1f} s)")


def sources(patterns: Iterable[str | Path]) -> tuple[list[Source], list[InputError]]:
    """Files, directories, globs and the supported members of .zip archives; `-` is stdin."""
    patterns = list(patterns)
    found: list[Source] = []
    if STDIN in map(str, patterns):
        data = sys.stdin.buffer.read()
        found.append(Source("<stdin>", Path(f"<stdin>{guess_suffix(data)}"), data=data))
    files, errors = expand_inputs([p for p in patterns if str(p) != STDIN], extra_suffixes={".zip"})
    for path in files:
        if path.suffix.lower() != ".zip":
            found.append(Source(writable(path), path))
            continue
        try:
            with zipfile.ZipFile(path) as archive:
                members = sorted(m.filename for m in archive.infolist() if not m.is_dir())
        except (zipfile.BadZipFile, OSError) as error:
            errors.append(InputError(path, f"not a valid .zip archive ({error})"))
            continue
        found.extend(Source(writable(f"{path}!{m}"), path, m) for m in members if Path(m).suffix.lower() in SUFFIXES)
    return found, errors


def _load(source: Source, month: str | None, max_bytes: int = MAX_BYTES) -> tuple[str, str, Bulletin | InputError]:
    """Read and segment one source (runs in a worker process): (name, content hash, result).

    Any failure becomes the InputError of this source, so that it crosses the process boundary
    (some library exceptions cannot be pickled) and the batch goes on."""
    digest = ""
    try:
        data = source.read(max_bytes)
        digest = hashlib.sha1(data).hexdigest()
        bulletin = segment(read_bytes(data, source.member or source.path, max_bytes), source=source.name, month=month)
        if not bulletin.paragraphs:
            raise InputError(source.name, "no paragraphs found: not a bulletin")
    except InputError as error:
        return source.name, digest, InputError(source.name, error.reason, error.line)
    except Exception as error:  # noqa: BLE001 - a bug or a library's surprise must not stop the batch
        return source.name, digest, _failure(source.name, error)
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
        records = []
        for line in self.path.read_text(encoding="utf-8").splitlines() if self.path.exists() else []:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                break  # a state line cut off by a crash: the document is redone
            records.append((record["source"], record["hash"], record["offset"]))
        self.done = self._vouched(records)
        self._cut_output_back()

    def _vouched(self, records: list[tuple[str, str, int]]) -> dict[str, tuple[str, int]]:
        """The records, in order, up to the first whose part of the output is not exactly one set
        of its own rows (a source recorded twice, rows of another source, a cut line): what
        follows is redone, so a duplicate row is never taken for a finished document."""
        done: dict[str, tuple[str, int]] = {}
        previous = 0
        if not self.output.exists():
            return done
        with open(self.output, "rb") as handle:
            for source, digest, offset in records:
                handle.seek(previous)
                part = handle.read(max(offset - previous, 0))
                if source in done or offset <= previous or len(part) != offset - previous or not part.endswith(b"\n"):
                    break
                try:
                    if any(json.loads(line)["source"] != source for line in part.splitlines()):
                        break
                except (json.JSONDecodeError, KeyError, TypeError):
                    break
                done[source] = (digest, offset)
                previous = offset
        return done

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
    the job finished, the csv or parquet table. Output `-` (STDOUT) streams JSONL rows instead,
    with no state, lock or errors file.
    """

    def __init__(self, output: str | Path, total: int, errors: list[InputError], fmt: str = "jsonl",
                 force: bool = False, progress: bool | None = None) -> None:
        """`total` documents to go through; `errors` those met while listing them."""
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
        self.streaming = str(output) == STDOUT
        if self.streaming and fmt != "jsonl":
            raise ValueError(f"only jsonl streams to standard output, not {fmt}")
        self.output = Path(output)
        self.fmt = fmt
        self.rows_path = self.output if fmt == "jsonl" else self.output.with_name(self.output.name + ".jsonl")
        self.started = time.monotonic()
        self.lock: FileLock | None = None
        self.state: _State | None = None
        if not self.streaming:
            self.lock = _lock(self.output)  # before the state cuts the output back
            try:
                self.state = _State(self.rows_path, force)
            except BaseException:
                self.lock.release()
                raise
        self.summary = Summary(found=total, errors=list(errors))
        self.bar = tqdm(total=total, unit="doc", disable=(not sys.stderr.isatty()) if progress is None else not progress)

    def done(self) -> dict[str, str]:
        """The content hash of each source already in the output (none when streaming)."""
        return {} if self.state is None else {source: digest for source, (digest, _) in self.state.done.items()}

    def skip(self, source: str, digest: str) -> bool:
        """True (counted as skipped) when this content of `source` is already in the output; an
        older content's rows are removed from the output, so the document is redone."""
        if self.streaming:
            return False
        if digest and self.state.is_done(source, digest):
            self.summary.skipped += 1
            self.bar.update(1)
            return True
        if source in self.state.done:
            self.state.forget({source})
        return False

    def write(self, source: str, digest: str, rows: str, count: int) -> None:
        """Append the `count` rows (JSONL text, see `jsonl_text`) of a finished document and vouch for
        them, or stream them to standard output."""
        if self.streaming:
            sys.stdout.flush()  # anything printed before stays before
            sys.stdout.buffer.write(rows.encode("utf-8"))
            sys.stdout.buffer.flush()
        else:
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
        try:
            self.bar.close()
            if not self.streaming:
                write_jsonl(self.output.with_name(self.output.name + ".errors.jsonl"),
                            ({"source": e.path, "line": e.line, "reason": e.reason} for e in self.summary.errors))
            if kind is None and self.fmt != "jsonl":
                write_table(paragraph_table(paragraph_rows(self.rows_path)), self.output, self.fmt)
            self.summary.seconds = time.monotonic() - self.started
        finally:
            if self.lock is not None:
                self.lock.release()


def _lock(output: Path) -> FileLock:
    """`OUT.lock`, held while a run writes OUT (released by the system if the run dies)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(output.with_name(output.name + ".lock"), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise OutputLockedError(
            f"{shown(output)}: another edunlp run is writing this output; wait for it to finish or choose another"
        ) from None
    return lock


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
    max_bytes: int = MAX_BYTES,
) -> Summary:
    """Segment (and `apply` a pipeline to) every input, appending rows per finished document.

    `fmt` csv or parquet writes the paragraph table to `output` at the end, from the resumable
    JSONL kept beside it (`output` + `.jsonl`); `output` `-` streams JSONL rows to stdout. `workers` processes read and segment the inputs
    while the model runs; `progress` None shows a bar on a terminal only. A document (file, zip
    member) larger than `max_bytes`, read or inflated, is an error. Raises OutputLockedError
    when another run is writing `output`.
    """
    todo, errors = sources(patterns)
    with Job(output, len(todo), errors, fmt, force, progress) as job:
        pending: list[tuple[str, Bulletin]] = []

        def flush() -> None:
            if apply and pending:
                _apply_each(apply, pending, job.fail)
            for digest, bulletin in pending:
                rows = bulletin.rows()
                job.write(bulletin.source, digest, jsonl_text(rows), len(rows))
            pending.clear()

        for name, digest, result in _loaded(todo, month, workers, max_bytes):
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


def _failure(name: str, error: Exception) -> InputError:
    """An unexpected failure on one document, recorded as such (it is edunlp's fault, not the file's)."""
    return InputError(name, f"edunlp failed on this document ({type(error).__name__}: {error}); please report it")


def _apply_each(apply: Callable[[list[Bulletin]], object], pending: list[tuple[str, Bulletin]],
                fail: Callable[[InputError], None]) -> None:
    """`apply` the pipeline to the pending bulletins at once; if that fails, to each alone, and
    drop (recording the error) those that fail alone, so one document cannot sink the batch."""
    try:
        apply([bulletin for _, bulletin in pending])
        return
    except Exception:  # noqa: BLE001 - find which document it was
        pass
    survivors = []
    for digest, bulletin in pending:
        try:
            apply([bulletin])
            survivors.append((digest, bulletin))
        except Exception as error:  # noqa: BLE001
            fail(_failure(bulletin.source or "", error))
    pending[:] = survivors


def _loaded(todo: list[Source], month: str | None, workers: int,
            max_bytes: int = MAX_BYTES) -> Iterator[tuple[str, str, Bulletin | InputError]]:
    """Sources read and segmented in order, by `workers` processes (0: in this process).

    At most a few documents per worker are read ahead, so memory stays flat however long the
    archive is and however slow the model is. Workers leave when this process does, even if
    it is killed.
    """
    if workers <= 0 or len(todo) < 2:
        yield from (_load(s, month, max_bytes) for s in todo)
        return
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_exit_with, initargs=(os.getpid(),))
    try:
        ahead: deque = deque()
        for source in todo:
            ahead.append(pool.submit(_load, source, month, max_bytes))
            if len(ahead) >= 4 * workers:
                yield ahead.popleft().result()
        while ahead:
            yield ahead.popleft().result()
    finally:
        pool.shutdown(cancel_futures=True)


def _exit_with(parent: int) -> None:
    """Make this worker exit once `parent` is gone (a killed parent leaves no orphans behind)."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
