"""Segmenting: sections, heads, regions, abstract, sentences and offsets, in every era and style."""

from __future__ import annotations

from pathlib import Path

import opencc
import pytest

import edunlp
from edunlp.reading.normalize import clean, fold
from edunlp.segmentation.paragraphs import segment

from .bulletins import BULLETINS, EXPECTED

SEED = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


def _structure(bulletin: edunlp.Bulletin) -> list[tuple[str, str | None, str | None]]:
    return [(s.key, p.head, p.region) for s in bulletin.sections for p in s.paragraphs]


def _full_width(text: str) -> str:
    return text.translate(str.maketrans(",:;!?()0123456789 ", "，：；！？（）０１２３４５６７８９\u3000"))


@pytest.mark.parametrize("era", sorted(BULLETINS))
def test_structure_of_each_era(era: str) -> None:
    bulletin = segment(BULLETINS[era])
    assert _structure(bulletin) == EXPECTED[era]
    assert bulletin.abstract is not None and bulletin.abstract.kind == "abstract"
    assert "摘要" not in bulletin.abstract.text


@pytest.mark.parametrize("era", sorted(BULLETINS))
def test_traditional_script_gives_the_same_structure(era: str) -> None:
    traditional = opencc.OpenCC("s2t").convert(BULLETINS[era])
    assert traditional != BULLETINS[era]
    bulletin = segment(traditional)
    assert [(k, r) for k, _, r in _structure(bulletin)] == [(k, r) for k, _, r in EXPECTED[era]]
    # Output keeps the traditional characters; the fold is simplified.
    first = bulletin.sections[0].paragraphs[0]
    assert first.text == traditional[first.start : first.end]
    assert fold(first.text) != first.text


@pytest.mark.parametrize("era", sorted(BULLETINS))
def test_full_width_and_ascii_punctuation_give_the_same_structure(era: str) -> None:
    wide = [(k, h and fold(h), r) for k, h, r in _structure(segment(_full_width(BULLETINS[era])))]
    assert wide == [(k, h and fold(h), r) for k, h, r in _structure(segment(BULLETINS[era]))]


def test_offsets_cut_the_text_back_out() -> None:
    for text in BULLETINS.values():
        bulletin = segment(text)
        for paragraph in bulletin.paragraphs:
            assert bulletin.text[paragraph.start : paragraph.end] == paragraph.text
            assert paragraph.sentences, paragraph.text
            for sentence in paragraph.sentences:
                assert bulletin.text[sentence.start : sentence.end] == sentence.text
                assert paragraph.start <= sentence.start < sentence.end <= paragraph.end
            if paragraph.head:
                assert bulletin.text[paragraph.head_start : paragraph.head_start + len(paragraph.head)] == paragraph.head


def test_sentences_split_at_full_stops_and_keep_closing_quotes() -> None:
    bulletin = segment("★各地工作动态\n上海 召开“智慧教育示范区建设推进会。”会上发布了年度方案;各区作了交流。\n")
    paragraph = bulletin.sections[0].paragraphs[0]
    assert [s.text for s in paragraph.sentences] == ["召开“智慧教育示范区建设推进会。”", "会上发布了年度方案;", "各区作了交流。"]


def test_head_rules() -> None:
    text = "\n".join([
        "★教育信息化重点工作进展",
        "“互联网+教育”示范区 推进示范区建设 工作。",  # head with quotes; body with a space
        "教育App备案：本月完成备案120个。",  # colon after the head
        "8月18日 教育部召开工作会。",  # a date is not a head
        "教育部召开会议，部署下一阶段工作 重点。",  # first space after sentence punctuation
        "信息素养全面提升行动\u00a0启动中小学生信息素养测评。",  # NBSP separator
        "百区千校万课引领行动遴选首批典型区域。",  # known head, no separator
    ])
    heads = [p.head for p in segment(text).sections[0].paragraphs]
    assert heads == ["“互联网+教育”示范区", "教育App备案", None, None, "信息素养全面提升行动", "百区千校万课引领行动"]
    bodies = [p.text for p in segment(text).sections[0].paragraphs]
    assert bodies[0] == "推进示范区建设 工作。"
    assert bodies[1] == "本月完成备案120个。"
    assert bodies[5] == "遴选首批典型区域。"


@pytest.mark.parametrize("title", ["★ 网络安全重点工作进展  ", "★网络安全重点工作进屏", "☆網絡安全重點工作進展", "★網路安全重點工作進展"])
def test_section_title_variants(title: str) -> None:
    bulletin = segment(f"【摘要】本月工作摘要。\n{title}\n信息系统安全监测 发现漏洞12个。\n")
    assert [s.key for s in bulletin.sections] == ["security"]
    assert bulletin.sections[0].title == title.lstrip("★☆ ").rstrip()


def test_all_regions_short_and_full_names() -> None:
    from edunlp.segmentation.structure import REGIONS

    lines = ["★各地工作动态"]
    for short, others in REGIONS.items():
        lines.append(f"{short} 召开工作会议。")
        lines.extend(f"{name} 召开工作会议。" for name in others)
    regions = [p.region for p in segment("\n".join(lines)).sections[0].paragraphs]
    expected = [short for short, others in REGIONS.items() for _ in (short, *others)]
    assert regions == expected
    assert len(REGIONS) == 35


def test_abstract_without_tag_and_page_chrome_before_it() -> None:
    text = "首页 > 新闻 > 月报\n教育信息化和网络安全工作月报（2020年第11期）\n本月教育部部署网络安全检查工作，多地推进智慧教育示范区建设。\n★各地工作动态\n福建 省教育厅召开工作会。\n"
    bulletin = segment(text)
    assert bulletin.abstract.text.startswith("本月教育部部署")
    assert bulletin.month == "2020-11"
    assert [p.region for p in bulletin.sections[0].paragraphs] == ["福建"]


@pytest.mark.parametrize(
    ("title", "source", "month", "expected"),
    [
        ("2021年8月教育信息化和网络安全工作月报", None, None, "2021-08"),
        ("教育部教育信息化和网络安全工作月报 2023年第3期", None, None, "2023-03"),
        ("二〇一九年 教育信息化和网络安全工作月报", "archive/2019-07.txt", None, "2019-07"),
        ("", "archive/20220115_bulletin.html", None, "2022-01"),
        ("", "archive/notes.txt", None, None),
        ("2021年8月教育信息化和网络安全工作月报", "2020-01.txt", "2024-06", "2024-06"),
    ],
)
def test_month(title: str, source: str | None, month: str | None, expected: str | None) -> None:
    bulletin = segment(f"{title}\n【摘要】本月摘要。\n★各地工作动态\n北京 召开会议。\n", source=source, month=month)
    assert bulletin.month == expected


def test_pinyin_readings_are_removed() -> None:
    assert clean("教育部發(fā)布通知（tōng zhī）,(IPv6)與(含教學點)") == "教育部發布通知,(IPv6)與(含教學點)"


def test_fold_keeps_length_and_folds_forms() -> None:
    text = "２０２１年，網絡安全\u3000宣傳週\u00a0１００Ｍ"
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded == "2021年,网络安全 宣传周 100M"


def test_text_without_sections_keeps_every_line() -> None:
    bulletin = segment("某市教育局2024年工作简报\n本月全市推进智慧校园建设，新建录播教室30间。\n组织开展网络安全检查。\n")
    assert [p.text for p in bulletin.paragraphs] == ["本月全市推进智慧校园建设，新建录播教室30间。", "组织开展网络安全检查。"]


def test_rows_follow_the_output_contract() -> None:
    rows = segment(BULLETINS["2019"], source="x/2019-05.txt").rows()
    keys = ["source", "doc_id", "month", "kind", "section", "index", "head", "region", "text", "start", "end",
            "sentences", "labels", "entities", "indicators"]
    for row in rows:
        assert list(row)[: len(keys)] == keys
    assert rows[0]["kind"] == "abstract" and rows[0]["section"] is None and rows[0]["index"] == 0
    assert [r["index"] for r in rows] == list(range(len(rows)))
    assert rows[-1]["region"] == "新疆生产建设兵团" and rows[-1]["section"] == "各地工作动态"
    assert rows[1]["month"] == "2019-05"


def test_real_seed_bulletin() -> None:
    files = sorted(SEED.glob("*.txt")) if SEED.is_dir() else []
    if not files:
        pytest.skip("the seed bulletin is not beside the repo")
    bulletin = edunlp.read_bulletin(files[0])
    counts = [len(s.paragraphs) for s in bulletin.sections]
    assert counts == [7, 3, 1, 17]
    assert [s.key for s in bulletin.sections] == ["informatization", "security", "news", "regional"]
    assert bulletin.abstract is not None and bulletin.abstract.text.endswith("。")
    regional = bulletin.sections[3].paragraphs
    assert all(p.region == p.head for p in regional)
    assert all("声明" not in p.text for p in bulletin.paragraphs)
    assert all(p.head for p in bulletin.paragraphs[1:])
