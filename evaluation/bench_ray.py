"""Ray engine throughput: the local engine against Ray with 1 and 2 workers, same inputs, side by side.

    .venv/bin/python evaluation/bench_ray.py [PATH...] [--limit 12] [--batch-size 3] [--workers 1 2]

On the first `--limit` bulletins of PATH (default corpora/bulletins) it times
(1) local: `edunlp tag` in batch mode (`batch.run`, one reading process), the model load included;
(2) ray N: the Ray engine's dataset (`distributed.dataset`) with N actors, on a Ray instance started
    beforehand with this machine's CPUs (a cluster is up before a job comes) and workers at nice 0
    as the local engine, actor start and model load included;
checks that each ray run gives exactly the local rows of every document, and prints bulletins/s
and paragraphs/s of each, the ratio against the local engine, and the rate after start-up (what a
long archive sees): for local, after the model load; for ray with one worker, after its first
batch came back (the rate of one worker, whence the estimate for a cluster). For these times the
blocks are taken as they finish (`edunlp tag` holds them back to write in input order, which
changes nothing in total).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Ray runs its workers at nice 15; at 0, like the local engine, the comparison holds on a busy machine.
os.environ.setdefault("RAY_worker_niceness", "0")

import ray  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from edunlp.batch import jobs as batch

from edunlp.batch import distributed  # noqa: E402
from edunlp.reading.inputs import expand_inputs  # noqa: E402
from edunlp.pipeline import load  # noqa: E402


def local(files: list[Path], out: Path) -> dict:
    started = time.monotonic()
    pipeline = load()
    loaded = time.monotonic()
    summary = batch.run(files, out, apply=pipeline.apply, progress=False)
    return {"seconds": time.monotonic() - started, "start": loaded - started, "docs": summary.done,
            "paragraphs": summary.paragraphs, "after_start": summary.done / (time.monotonic() - loaded)}


def on_ray(files: list[Path], workers: int, batch_size: int) -> dict:
    todo, _ = batch.sources(files)
    started = time.monotonic()
    tagged = distributed.dataset(todo, workers=workers, batch_size=batch_size)
    tagged.context.enable_progress_bars = False
    # Blocks as they finish, not held back for input order, so their times are the actors' own.
    tagged.context.execution_options.preserve_order = False
    documents: list[str] = []
    arrivals: list[tuple[float, int]] = []  # (time, documents so far) per block
    for block in tagged.iter_batches(batch_size=None, batch_format="pyarrow"):
        documents.extend(block["rows"].to_pylist())
        arrivals.append((time.monotonic(), len(documents)))
    finished = time.monotonic()
    # After start-up, for one worker: the blocks after its first (several workers finish their
    # first rounds together and interleave the rest, so they get no such figure).
    first_end, first_docs = arrivals[0]
    after_start = (len(documents) - first_docs) / (finished - first_end) if workers == 1 and len(arrivals) > 1 else None
    return {"seconds": finished - started, "start": first_end - started, "docs": len(documents),
            "documents": sorted(documents), "paragraphs": sum(d.count("\n") for d in documents),
            "after_start": after_start}


def documents(rows_path: Path) -> list[str]:
    """The output's rows, one JSONL text per document, sorted."""
    by_source: dict[str, str] = {}
    for line in rows_path.read_text(encoding="utf-8").splitlines(keepends=True):
        source = json.loads(line)["source"]
        by_source[source] = by_source.get(source, "") + line
    return sorted(by_source.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*", default=[str(ROOT / "corpora" / "bulletins")])
    parser.add_argument("--limit", type=int, default=12, help="bulletins to tag (0: all)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--batch-size", type=int, default=3, help="documents per actor call (tag's default: 8)")
    args = parser.parse_args()

    files, _ = expand_inputs(args.paths)
    files = files[: args.limit or None]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "local.jsonl"
        runs = {"local": local(files, out)}
        reference = documents(out)
    started = time.monotonic()
    ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False)
    print(f"ray.init (not timed below): {time.monotonic() - started:.1f} s; {os.cpu_count()} CPUs; "
          f"load average {os.getloadavg()[0]:.1f} before the runs")
    for workers in args.workers:
        runs[f"ray {workers} worker(s)"] = on_ray(files, workers, args.batch_size)
    ray.shutdown()

    base = runs["local"]
    print(f"{len(files)} bulletins, {base['paragraphs']} paragraphs")
    print(f"{'engine':<18}{'seconds':>8}{'start s':>8}{'bull/s':>8}{'para/s':>8}{'x local':>8}"
          f"{'bull/s after start':>20}{'x local':>8}  same rows")
    for name, run in runs.items():
        rate = run["docs"] / run["seconds"]
        same = "-" if name == "local" else ("yes" if run["documents"] == reference else "NO")
        after = (f"{run['after_start']:>20.2f}{run['after_start'] / base['after_start']:>8.2f}"
                 if run["after_start"] is not None else f"{'-':>20}{'-':>8}")
        print(f"{name:<18}{run['seconds']:>8.1f}{run['start']:>8.1f}{rate:>8.2f}{run['paragraphs'] / run['seconds']:>8.1f}"
              f"{rate / (base['docs'] / base['seconds']):>8.2f}{after}  {same}")


if __name__ == "__main__":
    main()
