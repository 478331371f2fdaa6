"""The shipped default model: loads offline, tags, reads the real seed, retrains on a tiny file."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import edunlp
from edunlp.corpus.examples import read_examples, write_examples
from edunlp.pipeline import DEFAULT_MODEL

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seeds"
sys.path.insert(0, str(ROOT / "evaluation"))
import eval_seed  # noqa: E402  (a script directory, not a package)

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
    paragraphs = eval_seed.seed_paragraphs(SEED)
    if not paragraphs:
        pytest.skip("the seed bulletin is not beside the repo")
    return paragraphs


def test_seed_top_labels_follow_the_heads_without_seeing_them(nlp: edunlp.Pipeline) -> None:
    hits = eval_seed.head_hits(nlp, _seed_paragraphs())
    assert len(hits) == 11
    # Heads and ★ lines removed: the model sees the bodies alone.
    assert sum(hit for *_, hit in hits) >= 9, hits


def test_seed_regional_paragraphs_get_the_lines_they_mention(nlp: edunlp.Pipeline) -> None:
    found, expected = eval_seed.cue_lines_found(nlp, _seed_paragraphs())
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


def _spans_of(bulletin) -> list[tuple[str, int, int, str]]:
    """(what, start, end, expected text) for every span the tag output carries."""
    spans = []
    for paragraph in bulletin.paragraphs:
        spans.append(("paragraph", paragraph.start, paragraph.end, paragraph.text))
        for sentence in paragraph.sentences:
            spans.append(("sentence", sentence.start, sentence.end, sentence.text))
        for entity in paragraph.entities:
            spans.append((f"entity {entity.label}", entity.start, entity.end, entity.text))
        for indicator in paragraph.indicators:
            spans.append(("indicator", indicator.start, indicator.end, indicator.text))
            if indicator.name_start is not None:  # where the name was read: composed names reorder it (…的…比例)
                spans.append(("indicator name", indicator.name_start, indicator.name_end, indicator.name))
    return spans


def test_every_span_of_tag_output_points_at_its_text_in_the_document(nlp: edunlp.Pipeline) -> None:
    paths = sorted((ROOT / "corpora" / "samples").glob("*.txt")) + sorted(SEED.glob("*.txt"))
    checked = 0
    for path in paths:
        bulletin = nlp(edunlp.read(path), source=str(path))
        for what, start, end, expected in _spans_of(bulletin):
            found = bulletin.text[start:end]
            # a name read across a line wrap drops the break (智慧|教室)
            assert found and (set(found) - set(" \n\t") <= set(expected) if what == "indicator name"
                              else found == expected), \
                f"{path.name}: {what} [{start}:{end}]"
            checked += 1
        assert any(i.source == "rules+model" for p in bulletin.paragraphs for i in p.indicators), path.name
    assert checked > 300
