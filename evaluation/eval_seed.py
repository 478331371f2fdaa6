"""The real bulletin in ../shared/seeds/, topic heads and ★ lines removed: does the model read
the action lines from the bodies alone?

    python evaluation/eval_seed.py [--model DIR]

National paragraphs: how many get the action line of their (withheld) head as the top label.
Regional paragraphs: of the lines each plainly mentions (by the cue words below), how many the
model gives the paragraph or one of its sentences. tests/test_default_model.py asserts on the
same counts. The seed is read at run time and never copied into the repository.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import edunlp  # noqa: E402
from edunlp.segmentation.structure import HEAD_LABELS  # noqa: E402

SEED = ROOT.parent / "shared" / "seeds"

# Lines that a regional paragraph of the seed plainly mentions, found by cue words.
CUES = {
    "security": r"网络安全|数据安全|漏洞|关键信息基础设施",
    "campus": r"IPv6|5G|新型基础设施|数字校园",
    "literacy": r"信息素养|研修",
    "poverty": r"三个课堂",
}


def seed_paragraphs(seeds: Path = SEED) -> list[tuple[str | None, str | None, str]]:
    """(head, region, body) of every headed or regional paragraph of the first seed; [] if none."""
    files = sorted(seeds.glob("*.txt")) if seeds.is_dir() else []
    if not files:
        return []
    bulletin = edunlp.read_bulletin(files[0])
    return [(p.head, p.region, p.text) for p in bulletin.paragraphs if p.kind == "paragraph"]


def head_hits(nlp: edunlp.Pipeline, paragraphs: list) -> list[tuple[str, str, bool]]:
    """(head's line, predicted top label, equal) for each national paragraph, body alone."""
    national = [(head, text) for head, region, text in paragraphs if region is None]
    bulletins = nlp.pipe([text for _, text in national])
    rows = []
    for (head, _), bulletin in zip(national, bulletins):
        top = bulletin.paragraphs[0].labels[0].label
        rows.append((HEAD_LABELS[head], top, top == HEAD_LABELS[head]))
    return rows


def cue_lines_found(nlp: edunlp.Pipeline, paragraphs: list) -> tuple[int, int]:
    """(lines found, lines mentioned) over the regional paragraphs."""
    regional = [text for _, region, text in paragraphs if region]
    expected = found = 0
    for text, bulletin in zip(regional, nlp.pipe(regional)):
        paragraph = bulletin.paragraphs[0]
        labels = {label.label for label in paragraph.labels}
        labels |= {label.label for sentence in paragraph.sentences for label in sentence.labels}
        for line, cue in CUES.items():
            if re.search(cue, text):
                expected += 1
                found += line in labels
    return found, expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="model directory (default: the shipped one)")
    args = parser.parse_args()
    paragraphs = seed_paragraphs()
    if not paragraphs:
        raise SystemExit(f"{SEED}: no seed bulletin")
    nlp = edunlp.load(args.model)
    hits = head_hits(nlp, paragraphs)
    print(f"national paragraphs whose top label is their head's line: {sum(h for *_, h in hits)}/{len(hits)}")
    for line, top, hit in hits:
        print(f"  head {line:<15} top {top:<15} {'ok' if hit else 'MISS'}")
    found, expected = cue_lines_found(nlp, paragraphs)
    print(f"regional lines named by cue words and given by the model: {found}/{expected}")


if __name__ == "__main__":
    main()
