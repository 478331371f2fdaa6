"""Time against input size on hostile shapes: does edunlp stay linear?

    .venv/bin/python evaluation/scaling.py [--kb 100] [--times 4] [--tag-kb 25] [--model DIR]

For each shape it times one input of `--kb` KB and one `--times` times larger, and prints both
times and their ratio: about `--times` is linear, about `--times`² quadratic. Shapes:

* line: one line of sentences (a bulletin whose line ends were lost), through `edunlp segment`'s
  pipeline (segmenting and the rule-based indicators);
* clause: the same without full stops, one sentence of comma-separated clauses;
* html: a page of `--kb` KB whose text sits in `<div>`s nested one inside the other;
* tag: one paragraph of sentences through the full pipeline with the model (`--tag-kb`, as the
  model's own cost is large); skipped with `--no-tag`.

Each path runs once on a small input first, so loading models is not timed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from edunlp.pipeline import load, rules  # noqa: E402
from edunlp.reading.files import read_bytes  # noqa: E402

SENTENCE = "北京市教委组织开展网络安全检查，发现漏洞215个，已全部通报相关单位，培训教师3000余人次。"


def line(size: int, sentence: str = SENTENCE) -> str:
    """A bulletin of one ★ section whose single paragraph is `size` bytes of `sentence`."""
    return "★各地工作动态\n北京 " + sentence * max(1, size // len(sentence.encode("utf-8")))


def nested_html(size: int) -> bytes:
    depth = size // len("<div></div>")
    return ("<html><body>" + "<div>" * depth + "★各地工作动态<br>北京 召开会议。" + "</div>" * depth
            + "</body></html>").encode("utf-8")


def seconds(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kb", type=int, default=100, help="size of the smaller input, KB")
    parser.add_argument("--times", type=int, default=4, help="how much larger the second input is")
    parser.add_argument("--tag-kb", type=int, default=25, help="size of the smaller input of the tag shape, KB")
    parser.add_argument("--model", help="model directory for the tag shape (default: the shipped model)")
    parser.add_argument("--no-tag", action="store_true", help="skip the shape that needs the model")
    args = parser.parse_args()
    segmenting = rules()
    shapes: dict[str, tuple[int, Callable[[int], Callable[[], object]]]] = {
        "line": (args.kb, lambda size: lambda: segmenting(line(size))),
        "clause": (args.kb, lambda size: lambda: segmenting(line(size, SENTENCE.replace("。", "，")))),
        "html": (args.kb, lambda size: lambda: read_bytes(nested_html(size), "page.html")),
    }
    if not args.no_tag:
        tagging = load(args.model)
        shapes["tag"] = (args.tag_kb, lambda size: lambda: tagging(line(size)))
    print(f"{'shape':8} {'small':>8} {'large':>8} {'s small':>9} {'s large':>9} {'ratio':>6}  (linear ≈ {args.times})")
    for name, (kb, make) in shapes.items():
        make(2000)()  # warm up: models and caches load outside the timing
        small, large = kb * 1000, kb * 1000 * args.times
        first, second = seconds(make(small)), seconds(make(large))
        print(f"{name:8} {kb:>6}KB {kb * args.times:>6}KB {first:9.2f} {second:9.2f} {second / first:6.2f}")


if __name__ == "__main__":
    main()
