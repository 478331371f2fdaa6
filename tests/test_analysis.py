"""The indicator table, name grouping and monthly series, on a small archive written for the tests.

`archive()` builds four monthly bulletins (June to September 2021, national and regional
paragraphs) as the pipeline would leave them: indicators and QUANTITY/INDICATOR entities from the
rule-based extractor, labels and a few named entities set by hand (the shipped model is not
trained yet). The same names are written differently from month to month on purpose.
test_report.py uses it too; test_report_browser.py and evaluation/screenshot_report.py use
`archive_and_samples()`.
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from edunlp import Bulletin, Entity, InputError, Label, segment
from edunlp.analysis.frames import COLUMNS, fallback_key, indicator_key, indicators, load_rules, read_rules, series
from edunlp.indicators.extract import fill_indicators
from edunlp.output import write_table

from .bulletins import BULLETINS

ARCHIVE = {
    "2021-06.txt": """\
2021年6月教育信息化和网络安全工作月报
【摘要】国家中小学网络云平台运行平稳，教育部部署暑期网络安全工作。

★教育信息化重点工作进展

网络学习空间覆盖行动　体系空间月活用户2350万人，注册用户数达到1.1亿人。
数字资源服务普及行动　截至6月底，国家中小学网络云平台累计访客达到5.2亿人，本月页面浏览次数1.8亿次。

★网络安全重点工作进展

信息系统安全监测　本月发现并通报安全威胁640个，其中漏洞512个、暗链98个。

★各地工作动态

江苏　省教育厅推进校园网IPv6改造，完成改造的学校达到1200所。全省开展数据安全培训，培训教师3000人。
""",
    "2021-07.txt": """\
2021年7月教育信息化和网络安全工作月报
【摘要】教育部召开全国教育信息化工作会议，各地推进网络学习空间应用。

★教育信息化重点工作进展

网络学习空间覆盖行动　月活跃用户2410万人，注册用户1.15亿人。
数字资源服务普及行动　国家中小学网络云平台累计访问人数突破5.6亿人，本月页面浏览量1.5亿次。

★网络安全重点工作进展

信息系统安全监测　本月发现并通报安全威胁580个，其中漏洞455个。

★各地工作动态

四川　省教育厅举办教师信息技术应用能力提升培训，培训教师人数达到4500人。
江苏　省教育厅持续推进校园网改造，完成改造的学校达到1350所。
""",
    "2021-08.txt": """\
2021年8月教育信息化和网络安全工作月报
【摘要】暑期国家中小学网络云平台持续提供服务，2021全球智慧教育大会在北京举办。

★教育信息化重点工作进展

网络学习空间覆盖行动　体系空间月活用户2290万人，注册用户数达到1.18亿人。
数字资源服务普及行动　截至8月底，国家中小学网络云平台累计访客达到6.1亿人，本月页面浏览次数1.2亿次。

★网络安全重点工作进展

信息系统安全监测　本月发现并通报安全威胁702个，其中漏洞590个。

★各地工作动态

四川　全省中小学互联网接入率达到100%，培训教师人数达到5200人。
""",
    "2021-09.txt": """\
2021年9月教育信息化和网络安全工作月报
【摘要】国家中小学网络云平台累计访客6.5亿人，国家网络安全宣传周教育日活动顺利举办。

★教育信息化重点工作进展

网络学习空间覆盖行动　月活跃用户2600万人，注册用户1.2亿人。
数字资源服务普及行动　国家中小学网络云平台累计访问人数达到6.5亿人，本月页面浏览次数2.1亿次。

★网络安全重点工作进展

网络安全宣传周　教育部在国家网络安全宣传周期间举办教育日活动。

★各地工作动态

江苏　完成改造的学校达到1500所，覆盖全省13个设区市。
广东　省教育厅组织数据安全培训，参训教师2800人。
""",
}

# Paragraph labels by head or region, as a trained model would give them.
PARAGRAPH_LABELS = {
    "数字资源服务普及行动": [("resources", 0.94)],
    "网络学习空间覆盖行动": [("learning_space", 0.91)],
    "信息系统安全监测": [("security", 0.97)],
    "网络安全宣传周": [("security", 0.95), ("publicity", 0.62)],
    "江苏": [("security", 0.83), ("campus", 0.79)],
    "四川": [("literacy", 0.88), ("campus", 0.55)],
    "广东": [("security", 0.8), ("literacy", 0.7)],
}
# Sentence labels of regional paragraphs: a sentence containing the cue gets the label.
SENTENCE_CUES = {"改造": ("campus", 0.9), "接入率": ("campus", 0.86), "培训": ("literacy", 0.84)}
NAMED = {
    "ORG": ["教育部", "省教育厅"],
    "PLATFORM": ["国家中小学网络云平台"],
    "EVENT": ["2021全球智慧教育大会", "国家网络安全宣传周"],
    "GPE": ["北京", "全省"],
    "DATE": ["截至6月底", "截至8月底"],
}


def _add_named(bulletin: Bulletin) -> None:
    """Add every occurrence of the NAMED strings that overlaps no entity already there."""
    for paragraph in bulletin.paragraphs:
        for label, names in NAMED.items():
            for name in names:
                at = paragraph.text.find(name)
                while at >= 0:
                    start, end = paragraph.start + at, paragraph.start + at + len(name)
                    if all(e.end <= start or end <= e.start for e in paragraph.entities):
                        paragraph.entities.append(Entity(label, start, end, name, 0.9))
                    at = paragraph.text.find(name, at + len(name))
        paragraph.entities.sort(key=lambda e: e.start)


def archive() -> list[Bulletin]:
    """The four bulletins of ARCHIVE, filled as the pipeline would fill them (the rules' names, by
    which the tests look rows up; the learned selector is tested in test_name_selector.py)."""
    bulletins = []
    for source, text in ARCHIVE.items():
        bulletin = fill_indicators(segment(text, source=source), learned_names=False)
        for paragraph in bulletin.paragraphs:
            key = paragraph.head or paragraph.region
            paragraph.labels = [Label(*pair) for pair in PARAGRAPH_LABELS.get(key, [])]
            if paragraph.region:
                for sentence in paragraph.sentences:
                    sentence.labels = [Label(*cue) for word, cue in SENTENCE_CUES.items() if word in sentence.text]
        _add_named(bulletin)
        bulletins.append(bulletin)
    return bulletins


def archive_and_samples() -> list[Bulletin]:
    """The archive and the three sample bulletins of tests/bulletins.py (2019, an undated 2021 and
    2023: indicators from the rule-based extractor, no labels), so that a report spans years."""
    samples = [fill_indicators(segment(text, source=f"sample-{era}.txt")) for era, text in sorted(BULLETINS.items())]
    return archive() + samples


@pytest.fixture(scope="module")
def bulletins() -> list[Bulletin]:
    return archive()


@pytest.fixture(scope="module")
def table(bulletins: list[Bulletin]) -> pd.DataFrame:
    return indicators(bulletins)


def _row(table: pd.DataFrame, month: str, name: str) -> pd.Series:
    rows = table[(table["month"] == month) & (table["name"] == name)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_table_has_the_columns_and_one_row_per_indicator(table: pd.DataFrame, bulletins: list[Bulletin]) -> None:
    assert list(table.columns) == COLUMNS
    assert len(table) == sum(len(p.indicators) for b in bulletins for p in b.paragraphs)
    assert set(table["month"]) == {"2021-06", "2021-07", "2021-08", "2021-09"}


def test_values_are_normalized_and_placed(table: pd.DataFrame) -> None:
    visitors = _row(table, "2021-06", "累计访客")
    assert (visitors["value"], visitors["multiplier"], visitors["unit"]) == (5.2, "亿", "人")
    assert visitors["normalized"] == pytest.approx(520_000_000)
    assert visitors["period"] == "截至6月底"
    assert visitors["section"] == "教育信息化重点工作进展"
    assert visitors["head"] == "数字资源服务普及行动"
    assert visitors["source"] == "2021-06.txt"
    assert visitors["region"] is None or pd.isna(visitors["region"])
    assert "5.2亿人" in visitors["sentence"] and "累计访客" in visitors["sentence"]
    assert _row(table, "2021-07", "月活跃用户")["normalized"] == pytest.approx(24_100_000)


def test_action_line_prefers_the_sentence_label(table: pd.DataFrame) -> None:
    # The 江苏 paragraph's top label is security; the sentence about school upgrades says campus.
    assert _row(table, "2021-06", "完成改造的学校")["action_line"] == "campus"
    assert _row(table, "2021-06", "培训教师")["action_line"] == "literacy"
    # No sentence labels in national paragraphs: the paragraph's top label.
    assert _row(table, "2021-06", "漏洞")["action_line"] == "security"
    assert _row(table, "2021-06", "累计访客")["action_line"] == "resources"


def test_action_line_is_none_without_labels() -> None:
    bulletin = fill_indicators(segment("★教育信息化重点工作进展\n\n数字资源服务普及行动　本月新增资源120条。\n"))
    action_lines = indicators([bulletin])["action_line"]
    assert len(action_lines) == 1 and action_lines.isna().all()


def test_different_names_share_one_key(table: pd.DataFrame) -> None:
    keys = table.groupby("name")["indicator_key"].first()
    assert keys["累计访客"] == keys["累计访问人数"] == "累计访客"
    assert keys["体系空间月活用户"] == keys["月活跃用户"] == "月活用户"
    assert keys["注册用户数"] == keys["注册用户"] == "注册用户"
    assert keys["页面浏览量"] == keys["页面浏览次数"] == "页面浏览次数"
    # No rule for these: the fallback strips 人数 after a word naming the people.
    assert keys["培训教师人数"] == keys["培训教师"] == "培训教师"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("注册用户数", "注册用户"), ("多媒体教室数量", "多媒体教室"), ("资源总量", "资源"), ("教师人数", "教师"),
        ("浏览次数", "浏览次数"), ("访问人数", "访问人数"), ("满意度指数", "满意度指数"), ("人数", "人数"),
        ("註冊用戶數", "注册用户"), ("教育 APP 数", "教育app"), ("数量", "数量"),
    ],
)
def test_fallback_key_strips_only_trivial_suffixes(name: str, key: str) -> None:
    assert fallback_key(name) == key


def test_user_rule_file_groups_and_overrides(bulletins: list[Bulletin], tmp_path) -> None:
    rules = tmp_path / "mine.tsv"
    rules.write_text("# my groups\n培训教师\t参训教师\n访客总量\t累计访客\tre:累计访问.*\n", encoding="utf-8")
    table = indicators(bulletins, rule_files=[rules])
    keys = table.groupby("name")["indicator_key"].first()
    assert keys["参训教师"] == keys["培训教师人数"] == "培训教师"
    assert keys["累计访客"] == keys["累计访问人数"] == "访客总量"  # the user's rule wins
    assert indicators(bulletins).groupby("name")["indicator_key"].first()["参训教师"] == "参训教师"


def test_bad_rule_file_names_file_and_line(tmp_path) -> None:
    rules = tmp_path / "bad.tsv"
    rules.write_text("# fine\n培训教师\t参训教师\n访客 累计访客\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.tsv:3: fields must be separated by TABs"):
        read_rules(rules)
    rules.write_text("漏洞\tre:漏洞(\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.tsv:1: bad pattern"):
        read_rules(rules)


def test_shipped_rules_load_and_match_folded_names() -> None:
    rules = load_rules()
    assert indicator_key("累計訪問人數", rules) == "累计访客"
    assert indicator_key("接入互联网的中小学比例", rules) == "中小学互联网接入率"


def test_series_keeps_the_last_value_per_month(table: pd.DataFrame) -> None:
    visitors = series(table, "累计访客")
    assert [str(month) for month in visitors.index] == ["2021-06", "2021-07", "2021-08", "2021-09"]
    # September's abstract repeats the body's figure: a sum would double it.
    assert list(visitors) == pytest.approx([5.2e8, 5.6e8, 6.1e8, 6.5e8])
    assert isinstance(visitors.index, pd.PeriodIndex)


def test_series_by_region(table: pd.DataFrame) -> None:
    upgraded = series(table, "完成改造的学校", region="江苏")
    assert dict(zip(map(str, upgraded.index), upgraded)) == {"2021-06": 1200, "2021-07": 1350, "2021-09": 1500}
    assert series(table, "完成改造的学校").empty  # national figures only
    trained = series(table, "培训教师", region="四川")
    assert list(trained) == [4500, 5200]


def test_table_from_tag_jsonl_equals_table_from_bulletins(bulletins: list[Bulletin], table: pd.DataFrame, tmp_path) -> None:
    path = tmp_path / "tagged.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for b in bulletins for r in b.rows()), encoding="utf-8")
    pd.testing.assert_frame_equal(indicators(path), table)
    # A mix, in order: JSONL of the first two bulletins, then the other two as objects.
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for b in bulletins[:2] for r in b.rows()), encoding="utf-8")
    pd.testing.assert_frame_equal(indicators([path, *bulletins[2:]]), table)


def test_bad_jsonl_line_is_named(tmp_path) -> None:
    path = tmp_path / "tagged.jsonl"
    path.write_text('{"text": "x", "start": 0}\n{"text": \n', encoding="utf-8")
    with pytest.raises(InputError, match=r"tagged\.jsonl:2: broken JSON"):
        indicators(path)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_write_table_round_trips(table: pd.DataFrame, tmp_path, suffix: str) -> None:
    path = write_table(table, tmp_path / "out" / f"indicators{suffix}")
    back = pd.read_csv(path) if suffix == ".csv" else pd.read_parquet(path)
    assert list(back.columns) == COLUMNS and len(back) == len(table)
    assert math.isclose(back["normalized"].sum(), table["normalized"].sum())
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left behind


def test_write_table_rejects_unknown_suffix(table: pd.DataFrame, tmp_path) -> None:
    with pytest.raises(ValueError, match="indicators.xlsx"):
        write_table(table, tmp_path / "indicators.xlsx")
