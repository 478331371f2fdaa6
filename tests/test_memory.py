"""What keeps a batch run small gives the same results as before: span means, lexical counts, the
quantised model, pkuseg without its general dictionary, the fixed heap threshold.

The peak memory itself is measured by evaluation/hostile_batch.py (--baseline), not here."""

from __future__ import annotations

import platform

import numpy as np
import pytest
import torch
from sklearn.feature_extraction.text import CountVectorizer

from edunlp.tagging.lexical import NGRAMS, LexicalLabeller
from edunlp.tagging.model import span_means

TEXTS = ["国家中小学智慧教育平台本月访问量达到2亿次。", "组织开展网络安全攻防演练，发现漏洞12个。",
         "教育部印发《教育信息化2.0行动计划》。", "新建多媒体教室120间，校园网出口带宽全部达到100M。"]
# Runs of spaces, tabs and newlines, upper case, characters no vocabulary holds, NULs inside and
# at the end of an n-gram (numpy drops trailing NULs), and nothing at all.
AWKWARD = ["", "  ", "ABC  教育\t\n 信息化", "教\x00", "\x00\x00a", "a\x00b教育\x00", "平台平台平台 平台", "𝕏😀龘"]


def reference_counts(labeller: LexicalLabeller, texts: list[str]):
    """What the labeller counted with before: CountVectorizer over its vocabulary, in column order."""
    vocabulary = labeller.vocabulary
    return CountVectorizer(analyzer="char", ngram_range=NGRAMS, vocabulary=vocabulary).transform(texts)


def fitted(texts: list[str]) -> LexicalLabeller:
    gold = np.array([[i % 2 == 0, i % 2 == 1] for i in range(len(texts))])
    return LexicalLabeller(["a", "b"], min_df=1).fit(texts, gold)


def assert_same_matrix(got, expected) -> None:
    assert got.shape == expected.shape and got.dtype == expected.dtype
    assert np.array_equal(got.indptr, expected.indptr)
    assert np.array_equal(got.indices, expected.indices)
    assert np.array_equal(got.data, expected.data)


def test_lexical_counts_are_countvectorizers_to_the_entry() -> None:
    labeller = fitted(TEXTS + ["教\x00育"])
    texts = TEXTS + AWKWARD
    assert_same_matrix(labeller.counts(texts), reference_counts(labeller, texts))


def test_lexical_counts_follow_a_vocabulary_in_any_column_order() -> None:
    labeller = fitted(TEXTS)
    shuffled = labeller.vocabulary
    np.random.default_rng(0).shuffle(shuffled)
    labeller.use_vocabulary(shuffled)
    texts = TEXTS + AWKWARD
    assert_same_matrix(labeller.counts(texts), reference_counts(labeller, texts))


def test_lexical_scores_are_those_of_countvectorizer_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    labeller = fitted(TEXTS)
    texts = TEXTS + AWKWARD
    scores = labeller.predict_scores(texts)
    monkeypatch.setattr(labeller, "counts", lambda folded: reference_counts(labeller, folded))
    assert np.array_equal(scores, labeller.predict_scores(texts))


def test_the_shipped_vocabulary_counts_as_countvectorizer_does() -> None:
    from edunlp.pipeline import DEFAULT_MODEL

    labeller = LexicalLabeller.load(DEFAULT_MODEL)
    if labeller is None:
        pytest.skip("the shipped model has no lexical labeller")
    texts = TEXTS + AWKWARD
    assert_same_matrix(labeller.counts(texts), reference_counts(labeller, texts))


@pytest.mark.parametrize("spans_at_once", [1, 5, 32, 1000])
def test_span_means_in_slices_equal_all_spans_at_once(spans_at_once: int) -> None:
    generator = torch.Generator().manual_seed(0)
    hidden = torch.randn(16, 40, 32, generator=generator)
    span_index = torch.randint(0, 16, (90,), generator=generator)
    weights = (torch.rand(90, 40, generator=generator) > 0.3).float()
    weights[3] = 0  # an empty span: divided by 1, not 0
    at_once = (hidden[span_index] * weights.unsqueeze(-1)).sum(1) / weights.sum(1, keepdim=True).clamp(min=1)
    assert torch.equal(span_means(hidden, span_index, weights, spans_at_once), at_once)


def test_the_quantised_model_holds_no_float_linear_layer() -> None:
    from edunlp.pipeline import DEFAULT_MODEL
    from edunlp.tagging.tagger import ParagraphInput, Tagger

    float_model = Tagger.from_pretrained(DEFAULT_MODEL).model
    quantised = Tagger.from_pretrained(DEFAULT_MODEL, quantize=True).model
    linear = sum(isinstance(m, torch.nn.Linear) for m in float_model.modules())
    assert linear > 0
    assert not any(isinstance(m, torch.nn.Linear) for m in quantised.modules())
    dynamic = torch.ao.nn.quantized.dynamic.Linear
    assert sum(isinstance(m, dynamic) for m in quantised.modules()) == linear
    float_bytes = sum(p.numel() * p.element_size() for p in quantised.parameters() if p.is_floating_point())
    assert float_bytes < sum(p.numel() * p.element_size() for p in float_model.parameters()) / 2
    text = TEXTS[1]
    [output] = Tagger(quantised, Tagger.from_pretrained(DEFAULT_MODEL).tokenizer).predict(
        [ParagraphInput(text, [(0, len(text))])])
    assert output.label_scores.shape == (len(quantised.config.action_labels),)


def test_pkuseg_keeps_no_general_dictionary_it_never_reads() -> None:
    from edunlp.segmentation import words

    postprocesser = words.nlp().tokenizer.pkuseg_seg.postprocesser
    assert not postprocesser.do_process and not postprocesser.other_words


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_the_heap_threshold_is_fixed_on_glibc() -> None:
    from edunlp.batch.heap import steady_heap

    assert steady_heap()
