"""Label decisions, the baselines, calibration and indicator gold scoring."""

from __future__ import annotations

import numpy as np
import pytest

from edunlp.corpus.examples import LABELS, Example
from edunlp.document import Indicator
from edunlp.training.evaluation import (
    KeywordBaseline,
    TfidfBaseline,
    breakdown,
    calibration_error,
    gold_matrix,
    indicator_gold_report,
    label_report,
)
from edunlp.indicators.extract import combine_indicators
from edunlp.tagging.tagger import decide

LABEL_LIST = list(LABELS)


def scores_for(**named: float) -> np.ndarray:
    row = np.zeros(len(LABEL_LIST))
    for label, score in named.items():
        row[LABEL_LIST.index(label)] = score
    return row[None, :]


def chosen(scores: np.ndarray, threshold: float = 0.5) -> set[str]:
    keep = decide(scores, np.full(len(LABEL_LIST), threshold), LABEL_LIST)[0]
    return {label for label, k in zip(LABEL_LIST, keep) if k}


def test_other_only_when_no_other_label_passes() -> None:
    assert chosen(scores_for(campus=0.9, other=0.8)) == {"campus"}
    assert chosen(scores_for(other=0.7, campus=0.2)) == {"other"}
    assert chosen(scores_for(campus=0.3, security=0.2)) == {"campus"}  # none passes: the top one
    assert chosen(scores_for(campus=0.6, security=0.7)) == {"campus", "security"}


def test_keyword_baseline_reads_cues_on_the_folded_text() -> None:
    baseline = KeywordBaseline(LABEL_LIST)
    examples = [Example("學校開展網絡安全宣傳週活動。"), Example("今年高考报名人数又增加了。"),
                Example("教学点接入宽带，开通专递课堂。")]
    predicted = baseline.predict(examples)
    as_sets = [{label for label, k in zip(LABEL_LIST, row) if k} for row in predicted]
    assert "security" in as_sets[0] and "publicity" in as_sets[0]  # 宣传 is a cue, right or wrong
    assert as_sets[1] == {"other"}
    assert {"poverty", "campus"} <= as_sets[2] and "other" not in as_sets[2]


def test_label_report_micro_and_macro() -> None:
    gold = np.array([[1, 0], [0, 1], [1, 1]], dtype=bool)
    predicted = np.array([[1, 0], [1, 0], [1, 1]], dtype=bool)
    report = label_report(predicted, gold, ["a", "b"])
    assert report["labels"]["a"]["precision"] == pytest.approx(2 / 3)
    assert report["labels"]["b"]["recall"] == pytest.approx(0.5)
    assert report["label_micro_f1"] == pytest.approx(2 * 3 / (2 * 3 + 1 + 1))
    assert report["label_macro_f1"] == pytest.approx((0.8 + 2 / 3) / 2)


def test_calibration_error_is_zero_for_matching_rates_and_large_for_overconfidence() -> None:
    gold = np.array([1, 0, 1, 0] * 25, dtype=bool)[:, None]
    assert calibration_error(np.full((100, 1), 0.5), gold) == pytest.approx(0.0)
    assert calibration_error(np.full((100, 1), 0.99), gold) == pytest.approx(0.49)


def test_breakdown_by_genre_and_tfidf_thresholds_on_written_part_of_dev() -> None:
    train = [Example(f"学校宽带网络升级{i}", ["campus"], origin="generated") for i in range(6)] + [
        Example(f"网络安全检查通报{i}", ["security"], origin="generated") for i in range(6)]
    dev = [Example("校园网带宽提升", ["campus"], origin="written", genre="news"),
           Example("开展网络安全演练", ["security"], origin="written", genre="speech")]
    baseline = TfidfBaseline(LABEL_LIST).fit(train, dev)
    gold = gold_matrix(dev, LABEL_LIST)
    table = breakdown(dev, gold, {"tfidf": baseline.predict(dev)}, LABEL_LIST, "genre")
    assert set(table) == {"news", "speech"} and table["news"]["paragraphs"] == 1


def indicator(value: float, unit: str, name: str, start: int, end: int, qualifier: str | None = None,
              source: str = "rules") -> Indicator:
    return Indicator(name=name, text="", value=value, unit=unit, normalized=value, qualifier=qualifier,
                     start=start, end=end, source=source)


def test_indicator_gold_report_pairs_by_value_and_checks_unit_qualifier_name() -> None:
    example = Example("x", indicators=[
        {"value": 3.2, "multiplier": "万", "unit": "个", "qualifier": None, "name": "学习空间", "name_variants": ["空间"]},
        {"value": 98.5, "multiplier": None, "unit": "%", "qualifier": "at_least", "name": "接入率"},
    ])
    found = [indicator(32000, "個", "空间", 0, 4), indicator(98.5, "%", "", 5, 9), indicator(7, "所", "学校", 10, 12)]
    report = indicator_gold_report([example], [found])
    assert report["matched"] == 2 and report["value_precision"] == pytest.approx(2 / 3)
    assert report["value_recall"] == 1.0
    assert report["unit_right"] == 1.0  # 個 folds to 个
    assert report["qualifier_right"] == 0.5
    assert report["name_exact"] == 0.0 and report["name_accepted"] == 0.5
    assert report["name_either"] == 0.5  # no second reading: the same as accepted
    assert report["name_empty"] == pytest.approx(1 / 3)


def test_a_name_only_the_second_reading_accepts_counts_for_either_not_for_accepted() -> None:
    example = Example("x", indicators=[
        {"value": 12, "multiplier": None, "unit": "所", "qualifier": None, "name": "试点学校",
         "second_names": ["人工智能试点学校", "学校"]},
    ])
    report = indicator_gold_report([example], [[indicator(12, "所", "人工智能试点学校", 0, 2)]])
    assert report["name_accepted"] == 0.0 and report["name_either"] == 1.0


def test_combine_keeps_rule_readings_confirms_and_names_them_with_the_model() -> None:
    rules = [indicator(5, "所", "", 10, 12), indicator(3, "个", "平台", 20, 22)]
    model = [indicator(5, "所", "学校", 10, 12, source="model"), indicator(2021, "", "", 0, 4, source="model")]
    combined = combine_indicators(rules, model)
    assert [(i.start, i.name, i.source) for i in combined] == [(10, "学校", "rules+model"), (20, "平台", "rules")]
    assert len(combine_indicators(rules, model, model_only=True)) == 3



def test_micro_f1_margin_interval_brackets_the_margin():
    from edunlp.training.evaluation import micro_f1_margin

    rng = np.random.default_rng(3)
    gold = rng.random((300, 4)) < 0.3
    right = gold.copy()
    noisy = gold ^ (rng.random(gold.shape) < 0.25)  # a labeller wrong on a quarter of the cells
    clear = micro_f1_margin(right, noisy, gold, resamples=500)
    assert clear["low"] <= clear["margin"] <= clear["high"]
    assert clear["margin"] > 0.2 and clear["low"] > 0
    slightly = right.copy()
    slightly[:3] = ~slightly[:3]  # three paragraphs apart: a margin no bigger than its noise
    close = micro_f1_margin(slightly, right, gold, resamples=500)
    assert close["margin"] < 0 and close["low"] < close["margin"] < close["high"]


def test_gold_multipliers_may_be_written_as_numbers() -> None:
    example = Example("x", indicators=[{"value": 3, "multiplier": 10000, "unit": "所", "name": "学校"},
                                       {"value": 2, "multiplier": "亿", "unit": "元", "name": "投入"}])
    found = [indicator(30000, "所", "学校", 0, 4), indicator(200000000, "元", "投入", 5, 9)]
    assert indicator_gold_report([example], [found])["matched"] == 2
