"""One batch over good bulletins mixed with hostile inputs: what comes out, and at what cost.

    .venv/bin/python evaluation/hostile_batch.py [--command tag|segment] [--keep DIR]

Copies `corpora/bulletins` into a temporary folder beside a broken .docx, a zip bomb that states
its size, a zip member that inflates hundreds of times its packed size, a 680 KB line of
sentences, HTML nested 20,000 deep, a file with a NUL byte, an empty file, random bytes and a
symbolic-link loop; runs `edunlp COMMAND` over the folder once cleanly (the bulletins alone) and
once mixed, under `/usr/bin/time -v`; and prints the wall time and peak memory of both runs,
whether every good row of the clean run comes out unchanged in the mixed run, and each error.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
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


def timed_run(command: str, folder: Path, output: Path) -> tuple[float, int, str]:
    """Run `edunlp COMMAND folder -o output`: (seconds, peak resident MiB, stderr)."""
    edunlp = Path(sys.executable).parent / "edunlp"
    result = subprocess.run(["/usr/bin/time", "-v", str(edunlp), command, str(folder), "-o", str(output)],
                            capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", result.stderr)
    seconds = int(wall[1] or 0) * 3600 + int(wall[2]) * 60 + float(wall[3])
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)[1]) // 1024
    return seconds, peak, result.stderr


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
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="edunlp-hostile-"))
    clean, mixed = work / "clean", work / "mixed"
    shutil.copytree(ROOT / "corpora" / "bulletins", clean)
    shutil.copytree(clean, mixed)
    hostile(mixed)
    clean_time, clean_peak, _ = timed_run(args.command, clean, work / "clean.jsonl")
    mixed_time, mixed_peak, _ = timed_run(args.command, mixed, work / "mixed.jsonl")
    expected, got = rows(work / "clean.jsonl"), rows(work / "mixed.jsonl")
    lines = (work / "mixed.jsonl").read_text(encoding="utf-8").count("\n")
    print(f"edunlp {args.command}      seconds   peak MiB")
    print(f"bulletins alone   {clean_time:9.1f} {clean_peak:10d}")
    print(f"mixed             {mixed_time:9.1f} {mixed_peak:10d}")
    print(f"good rows unchanged: {all(got.get(k) == v for k, v in expected.items())} ({len(expected)}); "
          f"rows written once: {lines == len(got)}; rows from hostile files that read: "
          f"{sorted({name for name, _ in set(got) - set(expected)})}")
    for line in (work / "mixed.jsonl.errors.jsonl").read_text(encoding="utf-8").splitlines():
        error = json.loads(line)
        print(f"error: {Path(error['source']).name}: {error['reason'][:100]}")
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
