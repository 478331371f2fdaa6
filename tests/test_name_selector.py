"""The learned indicator name selector (edunlp.indicators.names): candidates, the shipped file, the path."""

from pathlib import Path

import numpy as np

from edunlp.indicators import names
from edunlp.indicators.extract import extract_indicators
from edunlp.indicators.names import Candidate, NameSelector, candidate_lists
from edunlp.pipeline import rules as rules_pipeline

SAMPLES = Path(__file__).resolve().parents[1] / "corpora" / "samples"


def test_candidates_are_word_spans_of_the_clause_beside_the_quantity_after_the_rules_name():
    text = "截至6月底，全省中小学互联网接入率达到99.5%，平台新增注册用户3.3万人。"
    rules = extract_indicators(text, learned_names=False)
    lists = candidate_lists([text], [rules])[0]
    for indicator, candidates in zip(rules, lists):
        assert candidates[0].name == indicator.name and "rules" in candidates[0].features
        clause = names.clause_of(text, indicator.start, indicator.end)
        assert len(candidates) > 3
        for candidate in candidates[1:]:
            assert text[candidate.start:candidate.end] == candidate.name
            assert clause[0] <= candidate.start < candidate.end <= clause[1]
            assert candidate.end <= indicator.start or candidate.start >= indicator.end
    assert {"互联网接入率", "中小学互联网接入率"} <= {c.name for c in lists[0]}


def test_a_name_the_rules_composed_is_weighed_against_the_spans_of_its_clause():
    text = "注册用户为4.5万人，比上月增加3200人。"
    rules = extract_indicators(text, learned_names=False)
    composed = candidate_lists([text], [rules])[0][1]
    assert len(composed) > 1 and "rules_composed" in composed[0].features
    assert all("against_composed" in c.features for c in composed[1:])
    assert [i.name for i in extract_indicators(text)][1] == "注册用户增加"
    # a share the rules composed is not named by a piece after its number (教师, 教师能够熟练运用…)
    text = "该省有78.6%的教师能够熟练运用数字资源开展教学。"
    share = extract_indicators(text, learned_names=False)[0]
    assert share.name == "能够熟练运用数字资源开展教学的教师比例"
    found = candidate_lists([text], [[share]])[0][0]
    assert all(c.junk for c in found[1:] if "side=R" in c.features)
    assert extract_indicators(text)[0].name == share.name
    # the seed's 拥有多媒体教室，数量达到431万间: 数量 alone says nothing
    text = "98.93%的中小学拥有多媒体教室，数量达到431万间。"
    assert extract_indicators(text)[1].name == "多媒体教室数量"


def test_shape_features_mark_what_a_name_should_not_hold():
    text = "高管团队自愿在降薪20%，问题数据较上月下降12.4%，“每周工作120小时。"
    rules = extract_indicators(text, learned_names=False)
    by_name = {c.name: c.features for candidates in candidate_lists([text], [rules])[0] for c in candidates}
    assert "preps=1" in by_name["高管团队自愿在降薪"] and "preps=0" in by_name["降薪"]
    assert "comparison" in by_name["问题数据较上月下降"] and "comparison" not in by_name["问题数据"]
    assert "head=share:下降" in by_name["问题数据较上月下降"] and "head=share:-" in by_name["问题数据"]
    assert {"punct_edge", "unbalanced"} <= set(by_name["“每周工作"]) and "punct_edge" not in by_name["每周工作"]
    assert "head=share:比例" in names._shape_features("网络教研的比例", ["n", "n", "u", "n"], "share")
    assert "scope_inside" in names._shape_features("高考成绩位于全省前", ["n", "v", "n", "f"], "share")
    assert "scope_inside" not in names._shape_features("全省覆盖率", ["n", "n"], "share")


def test_fit_save_and_load_without_pickle(tmp_path):
    def listed(right: int) -> list[Candidate]:
        return [Candidate(0, 1, f"c{k}", ["common", f"good={k == right}", f"k={k}"]) for k in range(3)]

    lists = [listed(n % 3) for n in range(30)]
    selector = NameSelector().fit(lists, [[2.0 if "good=True" in c.features else 0.0 for c in l] for l in lists])
    assert selector.best(listed(1)).name == "c1"
    selector.save(tmp_path)
    assert not any(path.suffix in (".pkl", ".pickle") for path in tmp_path.iterdir())
    loaded = NameSelector.load(tmp_path)
    assert np.allclose(loaded.scores(listed(2)), selector.scores(listed(2)), atol=1e-5)
    assert NameSelector.load(tmp_path / "absent") is None


def test_the_selector_ships_and_without_it_the_rules_name(monkeypatch):
    assert names.shipped_selector() is not None
    texts = [path.read_text(encoding="utf-8") for path in sorted(SAMPLES.glob("*.txt"))]
    selected = [[(i.start, i.name) for i in extract_indicators(text)] for text in texts]
    monkeypatch.setattr(names, "shipped_selector", lambda: None)
    rules = [[(i.start, i.name) for i in extract_indicators(text)] for text in texts]
    assert rules == [[(i.start, i.name) for i in extract_indicators(text, learned_names=False)] for text in texts]
    assert [[start for start, _ in s] for s in selected] == [[start for start, _ in r] for r in rules]
    assert selected != rules


def test_segment_names_point_at_their_text_in_the_document():
    segment = rules_pipeline()
    checked = 0
    for path in sorted(SAMPLES.glob("*.txt")):
        bulletin = segment(path.read_text(encoding="utf-8"))
        for paragraph in bulletin.paragraphs:
            for indicator in paragraph.indicators:
                assert bulletin.text[indicator.start:indicator.end] == indicator.text
                if indicator.name_start is not None:
                    found = bulletin.text[indicator.name_start:indicator.name_end]
                    assert found and set(found) - set(" \n\t") <= set(indicator.name), (path.name, found, indicator.name)
                    checked += 1
    assert checked > 20


def test_a_lone_verb_adverb_or_copula_is_never_chosen_and_replaces_no_name():
    def listed(junk_name: str) -> list[Candidate]:
        return [Candidate(0, 1, "", ["rules"]), Candidate(0, 2, junk_name, ["best"], junk=True),
                Candidate(0, 3, "选课人数", ["good"])]

    selector = NameSelector(["best", "good", "rules"], np.array([5.0, 1.0, 0.0], dtype=np.float32), 0.0, {"margin": 1.0})
    assert selector.best(listed("达到")).name == "选课人数"  # no name: the best that names something, margin aside
    assert selector.best([Candidate(0, 1, "", ["rules"]), Candidate(0, 2, "已经", ["best"], junk=True)]).name == ""
    text = "其中人工智能课程的选课人数最多，已经达到57人。"
    by_name = {c.name: c for c in candidate_lists([text], [extract_indicators(text, learned_names=False)])[0][0]}
    assert by_name["达到"].junk and by_name["已经"].junk and not by_name["选课人数"].junk
    assert not any("，" in name for name in by_name)  # the clause before, but no span across the comma


def test_candidate_words_are_cut_from_the_clause_and_at_the_rules_edges():
    from edunlp.segmentation.words import tagged_spans, tagged_spans_in_context

    text = "现有1个国家级众创空间，"
    span = (4, 11)  # 国家级众创空间, after the count
    in_context = tagged_spans_in_context([(text, (0, len(text)), span), (text, (0, len(text)), (5, 9))])
    clause_words = [w for w in tagged_spans(text) if span[0] <= w[0] and w[1] <= span[1]]
    assert in_context[0] == clause_words  # the clause's words, not the span's own segmentation
    assert in_context[1][0][0] == 5 and in_context[1][-1][1] == 9  # a word over an edge is cut at it
    assert all(5 <= s < e <= 9 for s, e, _ in in_context[1])
    # the rules cut 当季 off where the tagger reads 当|季云: their name is a span of words all the same
    words = [(0, 1, "p"), (1, 3, "n"), (3, 5, "n"), (5, 7, "n")]
    assert names._cut_at(words, (2, 7)) == [(0, 1, "p"), (1, 2, "n"), (2, 3, "n"), (3, 5, "n"), (5, 7, "n")]
    text = "当季云业务收入达到276亿元。"
    rules = extract_indicators(text, learned_names=False)
    assert rules[0].name == "云业务收入"
    first = candidate_lists([text], [rules])[0][0][0]
    assert "side=L" in first.features and "time_start" not in first.features
    assert "time_start" in names._shape_features("当季云业务收入", ["p", "n", "n", "n"], "count")


def test_the_end_of_a_from_to_pair_takes_the_name_chosen_for_its_start():
    from edunlp.indicators.extract import continues

    text = "赴加中国学生人数不断增加，已经从2007年的4.3万人，攀升至2017年的14.1万人。"
    rules = extract_indicators(text, learned_names=False)
    assert [i.text for i in rules] == ["4.3万人", "14.1万人"] and not rules[1].name
    assert continues(text, *rules)
    assert not continues("共有4.3万人，其中攀升至14.1万人。", *extract_indicators("共有4.3万人，其中攀升至14.1万人。"))
    first, second = extract_indicators(text)
    assert first.name and (second.name, second.name_start, second.name_end) == (first.name, first.name_start, first.name_end)


def _tagged(*words: tuple[str, str]) -> tuple[str, list[tuple[int, int, str]]]:
    """A text made of (word, part of speech) pairs and its words' offsets."""
    text, spans = "", []
    for word, tag in words:
        spans.append((len(text), len(text) + len(word), tag))
        text += word
    return text, spans


def test_a_phrase_that_names_nothing_measured_is_junk_and_one_with_its_noun_is_not():
    nothing = [
        (("同比", "j"), ("下降", "v")),  # a change or comparison alone
        (("比", "p"), ("上年", "t"), ("末", "f"), ("净增", "v")),
        (("占", "v"), ("考核", "vn"), ("总分", "n")),  # a share by its base alone
        (("开设", "v"), ("人工智能", "n"), ("课程", "n"), ("的", "u"), ("中小学", "j"), ("超过", "v")),  # a hedge last
        (("招生", "vn"), ("规模", "n"), ("扩大", "v"), ("到", "v")),  # a verb of reaching last
        (("整改率", "n"), ("须", "d")),  # a modal last
        (("官方", "n"), ("称", "v"), ("学生", "n"), ("人数", "n")),  # a verb of reporting inside
        (("还", "d"), ("剩余", "v")),  # an adverb first, no noun
        (("从", "p"), ("恒大", "nz"), ("投资", "vn")),  # a preposition first
        (("没", "v"),),
        (("ERP", "nx"), ("产业", "n"), ("链上", "a")),  # a place word last
        (("笔者", "n"), ("实测", "v"), ("下", "f")),
        (("垂直", "v"), ("位置", "n"), ("”", "w")),  # a quote left open
        (("（", "w"), ("市", "n"), ("）", "w")),  # a bracket's words alone
        (("学生", "n"), ("每周", "r"), ("还", "d"), ("学习", "v")),  # a clause: subject, adverb, verb
        (("数量", "n"),),  # a generic word alone
    ]
    named = [
        (("招生", "vn"), ("规模", "n")),
        (("开设", "v"), ("人工智能", "n"), ("课程", "n"), ("的", "u"), ("中小学", "j")),
        (("注册", "v"), ("用户", "n"), ("增加", "v")),  # a change with what changes
        (("中小学", "j"), ("和", "c"), ("幼儿园", "n")),
        (("在籍", "v"), ("学生", "n")),
        (("投入", "v"),),
        (("“", "w"), ("护学岗", "n"), ("”", "w")),  # a quoted name may be what is counted
        (("家长", "n"), ("空间", "n"), ("月均", "d"), ("登录", "v")),  # 月均 is no clause's adverb
        (("同比", "j"), ("分别", "d"), ("下降", "v")),
    ]
    for words in nothing:
        assert names._phrase_names_nothing(*_tagged(*words)), words
    for words in named:
        assert not names._phrase_names_nothing(*_tagged(*words)), words


def test_a_junk_rules_name_gives_way_to_the_noun_of_its_clause():
    text = "据统计，从恒大投资的8亿美元已经基本花完。"
    indicator = extract_indicators(text, learned_names=False)[0]
    found = candidate_lists([text], [[indicator]])[0][0]
    by_name = {c.name: c for c in found}
    assert by_name["从恒大投资"].junk and not by_name["恒大投资"].junk
    chosen = NameSelector(["rules"], np.array([5.0], dtype=np.float32), 0.0, {"margin": 1.0}).best(
        [Candidate(found[0].start, found[0].end, "从恒大投资", ["rules"], junk=True), by_name["恒大投资"]])
    assert chosen.name == "恒大投资"
