"""One batch over good bulletins mixed with hostile inputs: what comes out, and at what cost.

    .venv/bin/python evaluation/hostile_batch.py [--command tag|segment] [--keep DIR] [--baseline CHECKOUT]

Copies `corpora/bulletins` into a temporary folder beside a broken .docx, a zip bomb that states
its size, a zip member that inflates hundreds of times its packed size, a 680 KB line of
sentences, HTML nested 20,000 deep, a file with a NUL byte, an empty file, random bytes and a
symbolic-link loop; runs `edunlp COMMAND` over the folder once cleanly (the bulletins alone) and
once mixed, under `/usr/bin/time -v`; and prints the wall time, CPU time and peak resident memory
of both runs, whether every good row of the clean run comes out unchanged in the mixed run, and
each error. The peak is that of the largest process (the main one, not its reader worker).

`--baseline` runs another checkout of edunlp (say `git worktree add /tmp/base main`) over the
same two folders first, prints its figures beside these and the ratios, and says whether the
clean outputs of both are byte for byte the same.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SENTENCE = "北京市教委组织开展网络安全检查，发现漏洞215个，已全部通报相关单位。"


def hostile(folder: Path) -> None:
    """Write the hostile inputs into `folder` (all made here, none read from anywhere)."""
    with zipfile.ZipFile(folder / "bad.docx", "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document><w:body><w:p>cut off")
    with zipfile.ZipFile(folder / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.txt", b"0" * (64 * 2**20))
    with zipfile.ZipFile(folder / "ratio.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ratio.txt", "教育" * 2**20)
    (folder / "long.txt").write_text("★各地工作动态\n北京 " + SENTENCE * 10_000 + "\n", encoding="utf-8")
    (folder / "deep.html").write_text("<html><body>" + "<div>" * 20_000 + "★各地工作动态<p>北京 新建智慧教室12间。</p>"
                                      + "</div>" * 20_000 + "</body></html>", encoding="utf-8")
    (folder / "nul.txt").write_text("★各地工作动态\n北京\x00 召开会议。\n", encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "binary.txt").write_bytes(random.Random(1).randbytes(50_000))
    (folder / "loop").mkdir()
    (folder / "loop" / "up").symlink_to("..")


@dataclass
class Run:
    """What `/usr/bin/time -v` said of one run."""

    seconds: float  # wall clock
    cpu: float  # user + system, steadier than the wall clock on a busy machine
    peak: int  # MiB, the largest process's maximum resident set


def timed_run(command: str, folder: Path, output: Path, checkout: Path = ROOT) -> Run:
    """Run the `edunlp COMMAND folder -o output` of `checkout` (its own code and models)."""
    edunlp = "import sys; from edunlp.cli import main; sys.exit(main())"
    result = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-c", edunlp, command, str(folder.resolve()),
                             "-o", str(output.resolve())], capture_output=True, text=True, cwd=checkout,
                            env={**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(checkout)})
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", result.stderr)
    seconds = int(wall[1] or 0) * 3600 + int(wall[2]) * 60 + float(wall[3])
    cpu = sum(float(re.search(rf"{kind} time \(seconds\): ([\d.]+)", result.stderr)[1]) for kind in ("User", "System"))
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)[1]) // 1024
    return Run(seconds, cpu, peak)


def rows(path: Path) -> dict[tuple[str, int], dict]:
    """The rows of an output by (file name, paragraph index), without the folder-dependent source."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        found[(Path(row.pop("source")).name, row["index"])] = row
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--command", choices=("tag", "segment"), default="tag")
    parser.add_argument("--keep", type=Path, help="write the inputs and outputs here instead of a temporary folder")
    parser.add_argument("--baseline", type=Path, help="another edunlp checkout to run first and compare with")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="edunlp-hostile-"))
    clean, mixed = work / "clean", work / "mixed"
    shutil.copytree(ROOT / "corpora" / "bulletins", clean)
    shutil.copytree(clean, mixed)
    hostile(mixed)
    print(f"edunlp {args.command}                 seconds  CPU seconds   peak MiB")
    runs = {}
    for checkout, name in ((args.baseline, "baseline"), (ROOT, "this checkout")):
        if checkout is None:
            continue
        for kind, folder in (("bulletins alone", clean), ("mixed", mixed)):
            output = work / f"{name.replace(' ', '-')}.{folder.name}.jsonl"
            runs[name, kind] = run = timed_run(args.command, folder, output, checkout.resolve())
            print(f"{kind:15} {name:13} {run.seconds:9.1f} {run.cpu:12.1f} {run.peak:10d}", flush=True)
    if args.baseline:
        for kind in ("bulletins alone", "mixed"):
            before, after = runs["baseline", kind], runs["this checkout", kind]
            print(f"{kind:15} this / baseline {after.seconds / before.seconds:7.2f} {after.cpu / before.cpu:12.2f} "
                  f"{after.peak / before.peak:10.2f}")
        same = filecmp.cmp(work / "baseline.clean.jsonl", work / "this-checkout.clean.jsonl", shallow=False)
        print(f"clean output byte for byte the same as the baseline's: {same}")
    expected, got = rows(work / "this-checkout.clean.jsonl"), rows(work / "this-checkout.mixed.jsonl")
    lines = (work / "this-checkout.mixed.jsonl").read_text(encoding="utf-8").count("\n")
    print(f"good rows unchanged: {all(got.get(k) == v for k, v in expected.items())} ({len(expected)}); "
          f"rows written once: {lines == len(got)}; rows from hostile files that read: "
          f"{sorted({name for name, _ in set(got) - set(expected)})}")
    for line in (work / "this-checkout.mixed.jsonl.errors.jsonl").read_text(encoding="utf-8").splitlines():
        error = json.loads(line)
        print(f"error: {Path(error['source']).name}: {error['reason'][:100]}")
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
