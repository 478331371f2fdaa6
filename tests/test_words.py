"""The word segmenter: the shipped pkuseg model, the user dictionary, spaCy, and the fallback.

Sentences are the project's own, in the bulletins' style."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from edunlp.segmentation import words
from edunlp.reading.normalize import fold

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"

FIELD_SENTENCES = [
    "市教育局启动第二批智慧校园遴选工作，并举办网络安全专题培训。",
    "各地加快推进平台建设，组织开展专题研讨和案例遴选。",
    "省教育厅启动数字教材试点工作，推动资源平台建设与应用。",
]


@pytest.fixture
def fresh_pipeline():
    """Drop the cached pipeline before and after, so a test can build it from another path."""
    words.nlp.cache_clear()
    yield
    words.nlp.cache_clear()


def test_shipped_model_is_small_and_present() -> None:
    files = [words.MODEL_DIR / "weights.npz", words.MODEL_DIR / "features.msgpack"]
    assert all(f.is_file() for f in files)
    assert sum(f.stat().st_size for f in files) < 25 * 2**20


@pytest.mark.parametrize("word", ["启动", "遴选", "专题", "平台", "建设"])
def test_common_field_words_come_out_whole(word: str) -> None:
    tokens = [t for sentence in FIELD_SENTENCES for t in words.tokenize(sentence)]
    assert word in tokens


def test_user_dictionary_names_come_out_whole() -> None:
    text = ("教育部科学技术与信息化司召开国家中小学智慧教育平台应用推进会，部署教师信息技术应用能力"
            "提升工程2.0和“三个课堂”工作，要求落实等级保护制度，加强关键信息基础设施安全。")
    tokens = words.tokenize(text)
    for name in ["教育部科学技术与信息化司", "国家中小学智慧教育平台", "教师信息技术应用能力提升工程2.0",
                 "三个课堂", "等级保护", "关键信息基础设施"]:
        assert name in tokens


def test_every_dictionary_entry_is_one_word_in_a_sentence() -> None:
    entries = words.USER_DICT.read_text(encoding="utf-8").splitlines()
    assert len(entries) >= 300 and len(set(entries)) == len(entries)
    for line_no, entry in enumerate(entries, 1):
        assert entry and entry == entry.strip() and entry == fold(entry), f"user_dict.txt:{line_no}"
        assert entry in words.tokenize(f"各地推进{entry}相关工作。"), f"user_dict.txt:{line_no}: {entry}"


def test_no_dictionary_entry_begins_with_another() -> None:
    """pkuseg's user-dictionary matcher mis-cuts text that follows a longer entry part way."""
    entries = words.USER_DICT.read_text(encoding="utf-8").splitlines()
    clashes = [(a, b) for a in entries for b in entries if a != b and b.startswith(a)]
    assert clashes == []
    assert "关键信息基础设施" in words.tokenize("加强关键信息基础设施安全保护。")


def test_full_width_text_segments_like_ascii_and_keeps_its_characters() -> None:
    ascii_text = "截至8月底，全省完成IPv6改造的学校达到1200所，占比95.6%。"
    wide_text = "截至８月底，全省完成ＩＰｖ６改造的学校达到１２００所，占比９５．６％。"
    assert words.token_spans(wide_text) == words.token_spans(ascii_text)
    assert "".join(words.tokenize(wide_text)) == wide_text
    assert "１２００" in words.tokenize(wide_text)


def test_traditional_script_segments_like_simplified() -> None:
    simplified = "省教育厅启动智慧教育示范区遴选工作。"
    traditional = "省教育廳啟動智慧教育示範區遴選工作。"
    assert words.token_spans(traditional) == words.token_spans(simplified)
    assert "遴選" in words.tokenize(traditional)


def test_spans_index_the_original_text_and_skip_whitespace() -> None:
    text = "网络学习空间覆盖行动　新开通教师空间2万个、学生空间3万个。\n"
    spans = words.token_spans(text)
    assert [text[s:e] for s, e in spans] == words.tokenize(text)
    assert "".join(words.tokenize(text)) == text.replace("　", "").replace("\n", "")
    assert words.tokenize("") == []


def test_pipeline_is_cached_and_round_trips_through_spacy(tmp_path: Path) -> None:
    nlp = words.nlp()
    assert nlp is words.nlp()
    nlp.to_disk(tmp_path / "zh_pkuseg")
    reloaded = spacy.load(tmp_path / "zh_pkuseg")
    # pkuseg's post-processing would merge 客户端, 下一代 and 全覆盖: it must stay off after loading
    merged_if_post_processed = "平台客户端新增注册用户3万人，下一代互联网建设实现全覆盖。"
    for sentence in [*FIELD_SENTENCES, merged_if_post_processed]:
        assert [t.text for t in reloaded(sentence)] == [t.text for t in nlp(sentence)]


def test_a_missing_model_is_an_error_that_says_where_edunlp_looked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fresh_pipeline: None
) -> None:
    from edunlp.models import ModelNotFoundError

    monkeypatch.setattr(words, "MODEL_DIR", tmp_path / "no-model")
    with pytest.raises(ModelNotFoundError, match=r"edunlp-pkuseg not found .*no-model.*EDUNLP_PKUSEG_MODEL"):
        words.tokenize("启动遴选")


def test_models_are_found_through_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from edunlp.models import find_model

    (tmp_path / "edunlp-pkuseg").mkdir()
    (tmp_path / "edunlp-pkuseg" / "weights.npz").write_bytes(b"")
    monkeypatch.setenv("EDUNLP_MODELS", str(tmp_path))
    assert find_model("edunlp-pkuseg", "weights.npz") == tmp_path / "edunlp-pkuseg"
    assert find_model("edunlp-postagger", "tagger") == words.POS_MODEL_DIR  # not there: the checkout's
    monkeypatch.setenv("EDUNLP_PKUSEG_MODEL", str(words.MODEL_DIR))
    assert find_model("edunlp-pkuseg", "weights.npz") == words.MODEL_DIR  # the per-model variable wins


def test_real_bulletin_names_come_out_whole() -> None:
    seeds = sorted(SEEDS.glob("*.txt"))
    if not seeds:
        pytest.skip(f"{SEEDS}: no seed bulletin")
    text = seeds[0].read_text(encoding="utf-8")
    tokens = words.tokenize(text)
    assert "".join(tokens) == "".join(text.split())
    for name in ["国家数字教育资源公共服务体系", "国家中小学网络云平台", "中国大学MOOC", "三个课堂"]:
        assert name in tokens


def test_parts_of_speech_come_from_the_shipped_tagger() -> None:
    assert (words.POS_MODEL_DIR / "tagger" / "model").stat().st_size < 25 * 2**20
    text = "教育部发布通知，全省新建多媒体教室１２０间。"
    tagged = words.tagged_spans(text)
    assert [(s, e) for s, e, _ in tagged] == words.token_spans(text)
    tags = {text[s:e]: tag for s, e, tag in tagged}
    assert tags["发布"] == "v" and tags["，"] == "w" and tags["１２０"] == "m"
    assert tags["通知"] == "n" and tags["间"] == "q"
