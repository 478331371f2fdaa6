"""Batch mode past one machine: the job of `edunlp tag` on a Ray cluster.

The driver lists the inputs as batch mode does (files, directories, globs, .zip members). Ray Data
reads, segments and tags them on the cluster, in a pool of actors that each load the model once;
the rows come back in input order and the driver writes them through `batch.Job`. So the output,
the errors file and the resume state are the local engine's: a rerun skips what is done (by
content hash: the workers read and hash every document but tag only new or changed ones), and
either engine can resume the other's run. The progress bar is the local engine's too (Ray Data's
own bars are turned off, so there is one bar).

Every node must see the inputs (and a `model` directory) at the same paths, and have edunlp
installed; the shipped model is looked up on each node as `edunlp.models` says.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ..document import Bulletin
from ..errors import EdunlpError, InputError
from ..reading.files import MAX_BYTES
from .heap import steady_heap
from .jobs import Job, Source, Summary, _apply_each, _load, jsonl_text, sources

if TYPE_CHECKING:
    import ray.data

# What an actor returns per document.
RESULT = pa.schema([("name", pa.string()), ("digest", pa.string()), ("rows", pa.large_string()),
                    ("paragraphs", pa.int64()), ("reason", pa.string()), ("line", pa.int64())])


class RayMissing(EdunlpError, ImportError):
    """Ray is an optional extra; the message says how to install it."""


def _ray() -> Any:
    try:
        import ray
        import ray.data  # noqa: F401  (ray[data]: pandas and pyarrow, which edunlp has anyway)
    except ImportError as error:
        raise RayMissing(f"the ray engine needs Ray ({error}): pip install 'edunlp[ray]'") from None
    return ray


class _TaggingActor:
    """One worker of the pool: the pipeline loaded once, torch held to the CPUs the actor reserved."""

    def __init__(self, model: str | None, quantize: bool, threads: int, month: str | None, max_bytes: int) -> None:
        import torch

        from ..pipeline import load

        torch.set_num_threads(threads)
        steady_heap()
        self.pipeline = load(model, quantize=quantize)
        self.month = month
        self.max_bytes = max_bytes

    def __call__(self, batch: pa.Table) -> pa.Table:
        """Read, segment and tag a batch of sources; one row per document: its JSONL rows or its error."""
        items = batch.to_pylist()
        loaded = [_load(Source(i["name"], Path(i["path"]), i["member"] or None), self.month, self.max_bytes)
                  for i in items]
        fresh = [isinstance(result, Bulletin) and digest != item["done"] for item, (_, digest, result) in zip(items, loaded)]
        failed: dict[str, InputError] = {}  # a document the pipeline fails on is dropped alone, as locally
        _apply_each(self.pipeline.apply, [(digest, result) for (_, digest, result), new in zip(loaded, fresh) if new],
                    lambda error: failed.setdefault(error.path, error))
        out = []
        for (name, digest, result), new in zip(loaded, fresh):
            result = failed.get(name, result)
            new = new and name not in failed
            rows = result.rows() if new else []
            error = result if isinstance(result, InputError) else None
            out.append({"name": name, "digest": digest, "rows": jsonl_text(rows), "paragraphs": len(rows),
                        "reason": error.reason if error else None, "line": error.line if error else None})
        return pa.Table.from_pylist(out, schema=RESULT)


def dataset(
    todo: list[Source],
    done: dict[str, str] | None = None,
    *,
    workers: int = 1,
    threads: int = 1,
    model: str | Path | None = None,
    quantize: bool = False,
    month: str | None = None,
    batch_size: int = 8,
    max_bytes: int = MAX_BYTES,
) -> ray.data.Dataset:
    """The tagging of `todo` as a lazy Ray Dataset, in input order: one row per document with its
    JSONL `rows` and `paragraphs` count, or its error (`reason`, `line`).

    `done` maps a source to the content hash it was tagged with; such a document is hashed, not tagged.
    `workers` actors of `threads` CPUs each hold the model; `batch_size` documents go to an actor at a time.
    """
    ray = _ray()
    done = done or {}
    items = [{"name": s.name, "path": str(s.path.resolve()), "member": s.member or "", "done": done.get(s.name, "")}
             for s in todo]
    # Blocks of one batch each, small enough that every actor gets some: work is shared evenly and
    # results stream back (and are written, so a rerun skips them) batch by batch.
    per_block = max(1, min(batch_size, math.ceil(len(items) / workers)))
    tagged = ray.data.from_items(items, override_num_blocks=max(1, math.ceil(len(items) / per_block))).map_batches(
        _TaggingActor,
        fn_constructor_kwargs={"model": str(Path(model).resolve()) if model else None, "quantize": quantize,
                               "threads": threads, "month": month, "max_bytes": max_bytes},
        batch_size=per_block, batch_format="pyarrow", num_cpus=threads,
        compute=ray.data.ActorPoolStrategy(size=workers),
    )
    tagged.context.execution_options.preserve_order = True  # rows in input order, as the local engine writes them
    return tagged


def tag(
    paths: Iterable[str | Path],
    output: str | Path,
    *,
    address: str | None = None,
    workers: int | None = None,
    threads: int = 1,
    model: str | Path | None = None,
    quantize: bool = False,
    month: str | None = None,
    force: bool = False,
    fmt: str = "jsonl",
    batch_size: int = 8,
    progress: bool | None = None,
    max_bytes: int = MAX_BYTES,
) -> Summary:
    """`edunlp tag` on a Ray cluster: the same output, errors file and resume as `batch.run`.

    Unless Ray is initialised already, connects to the cluster at `address` (None: $RAY_ADDRESS,
    else the cluster `ray start` started on this machine, else a local instance for this call).
    `workers` None: as many actors as the cluster has CPUs for `threads` each.
    """
    ray = _ray()
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=address)
    try:
        todo, errors = sources(paths)
        with Job(output, len(todo), errors, fmt, force, progress) as job:
            if not todo:
                return job.summary
            if workers is None:
                workers = max(1, int(ray.cluster_resources().get("CPU", 1)) // threads)
            tagged = dataset(todo, job.done(), workers=workers, threads=threads, model=model, quantize=quantize,
                             month=month, batch_size=batch_size, max_bytes=max_bytes)
            tagged.context.enable_progress_bars = False
            for row in tagged.iter_rows():
                if job.skip(row["name"], row["digest"]):
                    continue
                if row["reason"] is not None:
                    job.fail(InputError(row["name"], row["reason"], row["line"]))
                    continue
                job.write(row["name"], row["digest"], row["rows"], row["paragraphs"])
        return job.summary
    finally:
        if started_here:
            ray.shutdown()
