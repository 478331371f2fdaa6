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

from tqdm.auto import tqdm

from .analysis import paragraph_rows, paragraph_table
from .document import Bulletin
from .errors import InputError
from .inputs import expand_inputs
from .output import write_jsonl, write_table
from .reading import SUFFIXES, guess_suffix, read_bytes
from .segmentation import segment

FORMATS = ("jsonl", "csv", "parquet")


STDIN = "-"


@dataclass
class Source:
    """One document to process: a file, a member of a .zip archive (`archive.zip!member`), or
    what came on standard input (`data`; `path` then only names its format)."""

    name: str
    path: Path
    member: str | None = None
    data: bytes | None = None

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        if self.member is None:
            return self.path.read_bytes()
        with zipfile.ZipFile(self.path) as archive:
            return archive.read(self.member)


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
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
    output = Path(output)
    rows_path = output if fmt == "jsonl" else output.with_name(output.name + ".jsonl")
    started = time.monotonic()
    state = _State(rows_path, force)
    todo, errors = sources(patterns)
    summary = Summary(found=len(todo), errors=errors)
    stale = {s.name for s in todo if s.name in state.done}  # refined below once hashes are known
    bar = tqdm(total=len(todo), unit="doc", disable=(not sys.stderr.isatty()) if progress is None else not progress)
    pending: list[tuple[str, Bulletin]] = []

    def flush() -> None:
        bulletins = [b for _, b in pending]
        if apply and bulletins:
            apply(bulletins)
        with open(rows_path, "a", encoding="utf-8") as handle:
            for digest, bulletin in pending:
                rows = bulletin.rows()
                handle.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
                handle.flush()
                os.fsync(handle.fileno())
                state.record(bulletin.source, digest, handle.tell())
                summary.done += 1
                summary.paragraphs += len(rows)
        bar.update(len(pending))
        elapsed = max(time.monotonic() - started, 1e-9)
        bar.set_postfix(docs_s=f"{summary.done / elapsed:.1f}", paras_s=f"{summary.paragraphs / elapsed:.1f}")
        pending.clear()

    try:
        changed = set()
        for name, digest, result in _loaded(todo, month, workers):
            if digest and state.is_done(name, digest):
                summary.skipped += 1
                bar.update(1)
                continue
            if name in stale and name not in changed:
                flush()
                state.forget({name})
                changed.add(name)
            if isinstance(result, InputError):
                summary.errors.append(result)
                bar.update(1)
                continue
            pending.append((digest, result))
            if sum(len(b.paragraphs) for _, b in pending) >= batch_paragraphs:
                flush()
        flush()
    finally:
        bar.close()
        write_jsonl(output.with_name(output.name + ".errors.jsonl"),
                    ({"source": e.path, "line": e.line, "reason": e.reason} for e in summary.errors))
    if fmt != "jsonl":
        write_table(paragraph_table(paragraph_rows(rows_path)), output, fmt)
    summary.seconds = time.monotonic() - started
    return summary


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
