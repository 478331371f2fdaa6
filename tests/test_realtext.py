"""Real paragraphs by reference, the blind split, the noise recipes and the labelled real-text files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from edunlp.corpus import realtext
from edunlp.corpus.examples import CorpusError, read_examples
from edunlp.corpus.noise import STEPS, add_noise
from edunlp.reading.normalize import clean, fold

ROOT = Path(__file__).resolve().parent.parent
needs_realtext = pytest.mark.skipif(realtext.realtext_dir() is None, reason="../shared/realtext is absent")


def fake_document(text: str, item: int = 0) -> realtext.Document:
    return realtext.Document("fake", "a/b.txt", item, None, text)


def test_units_are_ranges_of_the_document_and_cut_at_sentence_ends() -> None:
    line = "。".join(f"第{i}句讲的是学校网络建设和教师培训的情况" for i in range(40)) + "。"
    document = fake_document("短行。\n" + line)
    units = list(realtext.units(document, min_chars=40, max_chars=120))
    assert len(units) >= 5
    for unit in units:
        assert unit.text == document.text[unit.start : unit.end]
        assert 40 <= len(unit.text) <= 120
        assert unit.text.endswith("。")
    assert all("短行" not in u.text for u in units)  # shorter than min_chars


def test_clean_document_drops_markup_and_links() -> None:
    raw = "<p><strong>央视网消息</strong>：学校&amp;家庭。<br></p><p>第二段。</p>[查看原文](http://x)"
    assert realtext.clean_document(raw) == "央视网消息：学校&家庭。\n第二段。"


def test_a_reference_resolves_only_while_its_text_is_unchanged() -> None:
    document = fake_document("第一段文字在这里。\n第二段讲网络安全宣传周活动的开展情况。")
    unit = next(u for u in realtext.units(document, min_chars=5) if "网络安全" in u.text)
    index = {("fake", "a/b.txt", 0): document}
    assert realtext.resolve(unit.reference(), index) == unit.text
    changed = {("fake", "a/b.txt", 0): fake_document(document.text.replace("宣传周", "宣传月"))}
    with pytest.raises(ValueError, match="hash"):
        realtext.resolve(unit.reference(), changed)
    with pytest.raises(ValueError, match="not in the real text"):
        realtext.resolve(unit.reference(), {})


def test_the_blind_split_is_fixed_and_near_its_share() -> None:
    keys = [f"src|doc{i}.txt|0" for i in range(4000)]
    blind = [k for k in keys if realtext.is_blind(k)]
    assert blind == [k for k in keys if realtext.is_blind(k)]
    assert abs(len(blind) / len(keys) - realtext.BLIND_SHARE) < 0.02


@pytest.mark.parametrize("step", STEPS)
def test_each_noise_step_is_undone_by_clean_and_fold_except_wraps(step: str) -> None:
    text = "全省中小学互联网接入率达到100%，建成网络学习空间3.2万个，教学点数字教育资源全覆盖。"
    noisy = add_noise(text, step)
    assert noisy != text
    assert add_noise(text, step) == noisy  # seeded by the text: reproducible
    restored = fold(clean(noisy)).replace("\n", "")
    assert restored == fold(text)


def test_unknown_noise_step_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown noise step"):
        add_noise("文字", "s2t+shout")


def test_records_may_name_noise_but_not_beside_entities(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps({"text": "学校网络", "labels": ["campus"], "entities": None, "noise": "s2t"},
                               ensure_ascii=False) + "\n" + json.dumps(
        {"text": "学校网络", "labels": ["campus"], "entities": [[0, 2, "ORG"]], "noise": "s2t"},
        ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"x\.jsonl:2: noise changes offsets"):
        read_examples(path)
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    (example,) = read_examples(path)
    assert example.text == "學校網絡" and not example.entities_annotated


@needs_realtext
def test_labelled_real_paragraphs_resolve_and_blind_documents_stay_out_of_training() -> None:
    files = (ROOT / "corpora" / "real" / "train.jsonl", ROOT / "corpora" / "real" / "indicator_names.jsonl")
    train = [json.loads(line) for path in files for line in path.open(encoding="utf-8")]
    blind = [json.loads(line) for split in ("dev", "test")
             for line in (ROOT / "corpora" / "blind" / f"{split}.jsonl").open(encoding="utf-8")]

    def document(record: dict) -> str:
        ref = record["ref"]
        return f"{ref['source']}|{ref['path']}|{ref['item']}"

    blind_documents = {document(r) for r in blind if "ref" in r}
    assert len([r for r in blind if "ref" in r]) >= 150
    assert all(realtext.is_blind(d) for d in blind_documents)
    assert not blind_documents & {document(r) for r in train}
    assert all("text" not in r for r in train)  # references only: no real text in the repository
    examples = read_examples(ROOT / "corpora" / "real" / "train.jsonl")
    assert len({e.doc_id for e in examples}) >= 1500
    assert all(e.origin == "real" and not e.entities_annotated for e in examples)
    named = read_examples(files[1])  # names only: every paragraph resolves, none carries labels
    assert named and all(e.indicators and not e.labels for e in named)


def test_written_blind_paragraphs_are_not_in_any_training_file() -> None:
    def texts(path: Path) -> set[str]:
        return {r["text"] for r in map(json.loads, path.open(encoding="utf-8")) if "text" in r}

    blind = texts(ROOT / "corpora" / "blind" / "dev.jsonl") | texts(ROOT / "corpora" / "blind" / "test.jsonl")
    assert len(blind) >= 200
    for path in [ROOT / "corpora" / "written" / "train.jsonl", *sorted((ROOT / "corpora" / "labelled").glob("*.jsonl"))]:
        assert not blind & texts(path), path
