"""The shipped default model: loads offline, tags, reads the real seed, retrains on a tiny file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import edunlp
from edunlp.corpus import read_examples, write_examples
from edunlp.pipeline import DEFAULT_MODEL
from edunlp.structure import HEAD_LABELS

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seeds"

pytestmark = pytest.mark.skipif(not (DEFAULT_MODEL / "model.safetensors").is_file(), reason="no shipped model")


@pytest.fixture(scope="module")
def nlp() -> edunlp.Pipeline:
    return edunlp.load()


def test_shipped_model_is_small_safetensors_with_a_card() -> None:
    weights = DEFAULT_MODEL / "model.safetensors"
    assert weights.stat().st_size < 25 * 2**20
    assert not list(DEFAULT_MODEL.glob("*.bin"))
    card = (DEFAULT_MODEL / "README.md").read_text(encoding="utf-8")
    assert "macro" in card and "edunlp train" in card


def test_tags_a_sample_bulletin(nlp: edunlp.Pipeline) -> None:
    sample = sorted((ROOT / "corpora" / "samples").glob("*.txt"))[0]
    bulletin = nlp(edunlp.read(sample), source=str(sample))
    paragraphs = bulletin.paragraphs
    assert all(p.labels for p in paragraphs)
    assert any(p.entities for p in paragraphs) and any(p.indicators for p in paragraphs)
    for p in paragraphs:
        for entity in p.entities:
            assert bulletin.text[entity.start : entity.end] == entity.text
        for indicator in p.indicators:
            assert bulletin.text[indicator.start : indicator.end] == indicator.text


def _seed_paragraphs() -> list[tuple[str | None, str | None, str]]:
    files = sorted(SEED.glob("*.txt")) if SEED.is_dir() else []
    if not files:
        pytest.skip("the seed bulletin is not beside the repo")
    bulletin = edunlp.read_bulletin(files[0])
    return [(p.head, p.region, p.text) for p in bulletin.paragraphs if p.kind == "paragraph"]


def test_seed_top_labels_follow_the_heads_without_seeing_them(nlp: edunlp.Pipeline) -> None:
    national = [(head, text) for head, region, text in _seed_paragraphs() if region is None]
    assert len(national) == 11
    # Heads and ★ lines removed: the model sees the bodies alone.
    bulletins = list(nlp.pipe("\n".join(text for _, text in national).split("\n")))
    hits = [b.paragraphs[0].labels[0].label == HEAD_LABELS[head] for (head, _), b in zip(national, bulletins)]
    assert sum(hits) >= 9, list(zip([h for h, _ in national], [b.paragraphs[0].labels[0].label for b in bulletins]))


# Lines that a regional paragraph of the seed plainly mentions, found by cue words.
CUES = {
    "security": r"网络安全|数据安全|漏洞|关键信息基础设施",
    "campus": r"IPv6|5G|新型基础设施|数字校园",
    "literacy": r"信息素养|研修",
    "poverty": r"三个课堂",
}


def test_seed_regional_paragraphs_get_the_lines_they_mention(nlp: edunlp.Pipeline) -> None:
    regional = [text for _, region, text in _seed_paragraphs() if region]
    bulletins = list(nlp.pipe(regional))
    expected = found = 0
    for text, bulletin in zip(regional, bulletins):
        labels = {label.label for label in bulletin.paragraphs[0].labels}
        sentence_labels = {label.label for s in bulletin.paragraphs[0].sentences for label in s.labels}
        for line, cue in CUES.items():
            if re.search(cue, text):
                expected += 1
                found += line in labels | sentence_labels
    assert expected >= 10 and found / expected >= 0.8, (found, expected)


def test_retrain_from_the_shipped_model_on_a_tiny_file_then_tag(tmp_path: Path) -> None:
    from edunlp.cli import main

    examples = read_examples(ROOT / "corpora" / "labelled" / "dev.jsonl")[:30]
    data = tmp_path / "month.jsonl"
    write_examples(data, examples)
    out = tmp_path / "retrained"
    assert main(["train", "--data", str(data), "--out", str(out), "--base", str(DEFAULT_MODEL), "--epochs", "1"]) == 0
    summary = json.loads((out / "training.json").read_text(encoding="utf-8"))
    assert summary["epochs_run"] == 1
    bulletin = edunlp.load(out)("★网络安全重点工作进展\n信息系统安全监测 本月监测发现漏洞120个，均已通报整改。\n")
    assert bulletin.paragraphs[0].labels
