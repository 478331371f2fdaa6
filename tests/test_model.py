"""The joint model's plumbing: windows, BIO tags, batching, linking, and a tiny train-and-tag run."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
import torch
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
from transformers import BertConfig, BertForMaskedLM, PreTrainedTokenizerFast

from edunlp.corpus.examples import Example, write_examples
from edunlp.indicators.linking import link_indicators
from edunlp.tagging.model import WORD_PLACES, bio_tags, chunk_paragraph, decode_tags, encode_tags, featurize, word_places

SENTENCES = [
    ("国家中小学智慧教育平台本月访问量达到2亿次。", ["resources"], [(0, 11, "PLATFORM"), (13, 16, "INDICATOR"), (18, 21, "QUANTITY")]),
    ("组织开展网络安全攻防演练，发现漏洞12个。", ["security"], [(15, 17, "INDICATOR"), (17, 20, "QUANTITY")]),
    ("教育部印发《教育信息化2.0行动计划》。", ["policy"], [(0, 3, "ORG"), (5, 19, "DOC")]),
    ("新建多媒体教室120间，校园网出口带宽全部达到100M。", ["campus"], [(2, 7, "INDICATOR"), (7, 11, "QUANTITY"), (23, 27, "QUANTITY")]),
]


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-layer random BERT with a character vocabulary of the test sentences."""
    path = tmp_path_factory.mktemp("tiny-base")
    chars = sorted({c for text, _, _ in SENTENCES for c in text} | set("0123456789M.《》，。"))
    vocab = {token: i for i, token in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars])}
    tokenizer = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.BertNormalizer(lowercase=False)])
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.BertPreTokenizer(), pre_tokenizers.Digits(individual_digits=True)])
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                            sep_token="[SEP]", mask_token="[MASK]").save_pretrained(path)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=128)
    torch.manual_seed(0)
    BertForMaskedLM(config).save_pretrained(path)
    return path


def test_chunks_keep_whole_sentences_and_cut_only_overlong_ones() -> None:
    sentences = [(0, 10), (10, 30), (30, 35), (35, 80)]
    chunks = chunk_paragraph(0, sentences, 80, max_chars=30)
    assert [(c.start, c.end) for c in chunks] == [(0, 30), (30, 35), (35, 65), (65, 80)]
    assert [s for c in chunks for s in c.sentences] == [(0, 10, 0), (10, 30, 1), (30, 35, 2), (35, 65, 3), (65, 80, 3)]
    assert all(c.end - c.start <= 30 for c in chunks)


def test_bio_tags_round_trip_through_tokens(tiny_base: Path) -> None:
    tokenizer = PreTrainedTokenizerFast.from_pretrained(tiny_base)
    tags = bio_tags(["QUANTITY", "INDICATOR", "PLATFORM", "ORG", "DOC"])
    for text, _, entities in SENTENCES:
        feature = featurize(tokenizer, text, chunk_paragraph(0, [], len(text), 100)[0])
        ids = encode_tags(entities, feature.offsets, tags)
        assert decode_tags([tags[i] if i >= 0 else "O" for i in ids], feature.offsets) == sorted(entities)


def test_featurize_offsets_point_into_the_original_text(tiny_base: Path) -> None:
    tokenizer = PreTrainedTokenizerFast.from_pretrained(tiny_base)
    text = "发现漏洞１２个，新建教室１２０间。"  # full-width digits are folded before tokenising
    feature = featurize(tokenizer, text, chunk_paragraph(0, [(0, 8), (8, len(text))], len(text), 100)[0], head="安全监测")
    body = [o for o in feature.offsets if o]
    assert body[0][0] == 0 and body[-1][1] == len(text)
    assert "[UNK]" not in tokenizer.convert_ids_to_tokens(feature.input_ids[1:6])
    assert len(feature.spans) == 3  # body, then each sentence
    assert 1 in feature.token_type_ids  # the head rides along as the second segment


def test_word_places_follow_the_segmenter(tiny_base: Path) -> None:
    text = "考核合格率９４.７%，共4月3日。"
    places = [WORD_PLACES[i] for i in word_places(text)]
    number = text.index("９")
    assert places[number : number + 5] == ["begin", "middle", "middle", "middle", "end"]  # one word: 94.7%
    assert places[text.index("，")] == "single"
    tokenizer = PreTrainedTokenizerFast.from_pretrained(tiny_base)
    chunk = chunk_paragraph(0, [], len(text), 100)[0]
    feature = featurize(tokenizer, text, chunk, head="安全监测", with_word_places=True)
    assert len(feature.word_places) == len(feature.input_ids)
    for place, offset in zip(feature.word_places, feature.offsets):
        assert (place == 0) == (offset is None)  # [CLS], [SEP] and the head carry none
    assert featurize(tokenizer, text, chunk).word_places == []


def test_link_indicators_names_and_normalises() -> None:
    text = "发现安全威胁933个，其中漏洞716个。1919家企业完成备案。"
    entities = [(2, 6, "INDICATOR"), (6, 10, "QUANTITY"), (13, 15, "INDICATOR"), (15, 19, "QUANTITY"),
                (20, 25, "QUANTITY"), (25, 27, "INDICATOR")]
    found = [(i.name, i.normalized, i.unit) for i in link_indicators(text, entities)]
    assert found == [("安全威胁", 933, "个"), ("漏洞", 716, "个"), ("企业", 1919, "家")]


def test_train_then_tag_with_the_result(tmp_path: Path, tiny_base: Path) -> None:
    from edunlp.cli import main
    from edunlp.pipeline import load

    examples = [Example(text, labels, entities, month=f"2021-{i % 6 + 1:02d}")
                for i, (text, labels, entities) in enumerate(SENTENCES * 8)]
    data = tmp_path / "labelled.jsonl"
    write_examples(data, examples)
    out = tmp_path / "model"
    status = main(["train", "--data", str(data), "--out", str(out), "--base", str(tiny_base), "--epochs", "2",
                   "--lr", "3e-3", "--batch-size", "8"])
    assert status == 0
    summary = json.loads((out / "training.json").read_text(encoding="utf-8"))
    assert summary["epochs_run"] >= 1 and set(summary["thresholds"]) >= {"resources", "security"}
    assert (out / "model.safetensors").is_file() and not list(out.glob("*.bin"))

    nlp = load(out)
    bulletin = nlp("★教育信息化重点工作进展\n数字资源服务普及行动 国家中小学智慧教育平台本月访问量达到2亿次。组织开展网络安全攻防演练。\n")
    paragraph = bulletin.paragraphs[0]
    assert paragraph.labels and all(0.0 <= label.score <= 1.0 for label in paragraph.labels)
    assert all(sentence.labels for sentence in paragraph.sentences)
    for entity in paragraph.entities:
        assert bulletin.text[entity.start : entity.end] == entity.text
    assert nlp.stage_names == ["tagger", "indicators"]
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert config["word_boundaries"] is True and nlp.stages[0][1].tagger.word_boundaries
    assert config["model_type"] == "edunlp"  # what transformers' Auto classes know after `import edunlp.tagging.hf`
    card = (out / "README.md").read_text(encoding="utf-8")
    assert card.startswith("---\nlanguage: zh\n") and "## Limitations" in card and "synthetic" in card


def test_labels_only_examples_train_without_entity_loss_and_are_evaluated(tmp_path: Path, tiny_base: Path) -> None:
    from edunlp.corpus.examples import read_examples
    from edunlp.training.fit import TrainConfig, _batch, _training_records, fit, new_tagger, write_metadata

    tagged = [Example(text, labels, entities, month="2021-01", origin="generated") for text, labels, entities in SENTENCES]
    plain = [Example(text, labels, entities_annotated=False, origin="written", genre="news")
             for text, labels, _ in SENTENCES]
    data = tmp_path / "plain.jsonl"
    write_examples(data, plain)
    assert all(not e.entities_annotated for e in read_examples(data))  # "entities": null survives the round trip

    tagger = new_tagger(tiny_base, ["resources", "security", "policy", "campus", "other"],
                        ["QUANTITY", "INDICATOR", "ORG", "DOC", "PLATFORM"], 64)
    records = _training_records(tagger, tagged + plain, TrainConfig(head_dropout=0), random.Random(0))
    assert all(set(r["tag_ids"]) == {-100} for r in records[4:8])  # no entity targets
    assert any(t != -100 for t in records[0]["tag_ids"])
    rows = [records[i] for i in range(4, 8)]
    loss = tagger.model(**_batch(rows, tagger.tokenizer.pad_token_id)).loss
    assert torch.isfinite(loss)  # a batch with no entity targets still trains the labels

    summary = fit(tagged * 4 + plain * 4, plain + tagged, tiny_base, tmp_path / "m", TrainConfig(epochs=1),
                  test=plain, progress=False)  # a test split with no entities at all must not crash
    assert summary["figures"]["test"]["entity_f1"] is None
    assert set(summary["figures"]["test"]["label_micro_f1"]) == {"model", "keywords", "tfidf", "bert alone"}
    card = (tmp_path / "m" / "README.md").read_text(encoding="utf-8")
    assert "keywords F1" in card and "entity F1 (micro, strict) not measured" in card
    write_metadata(tmp_path / "m")  # a run's own card is what write_metadata makes of its training.json
    assert (tmp_path / "m" / "README.md").read_text(encoding="utf-8") == card
    assert 0.0 <= summary["bert_weight"] <= 1.0
    assert (tmp_path / "m" / "lexical.safetensors").is_file() and not list((tmp_path / "m").glob("*.pkl"))


def test_the_lexical_half_round_trips_and_moves_the_scores(tmp_path: Path, tiny_base: Path) -> None:
    import numpy as np

    from edunlp.tagging.lexical import LexicalLabeller
    from edunlp.tagging.tagger import ParagraphInput, Tagger
    from edunlp.training.fit import new_tagger

    labels = ["resources", "security", "policy", "campus", "other"]
    tagger = new_tagger(tiny_base, labels, ["QUANTITY"], 64)
    texts = [text for text, _, _ in SENTENCES] * 3
    gold = np.array([[label in row for label in labels] for _, row, _ in SENTENCES] * 3)
    tagger.lexical = LexicalLabeller(labels, min_df=1).fit(texts, gold)
    tagger.model.config.bert_weight = tagger.bert_weight = 0.0  # lexical scores only
    tagger.save_pretrained(tmp_path)
    tagger.model.config.save_pretrained(tmp_path)
    loaded = Tagger.from_pretrained(tmp_path)
    assert loaded.lexical is not None and loaded.bert_weight == 0.0
    text = SENTENCES[1][0]
    [output] = loaded.predict([ParagraphInput(text, [(0, len(text))])])
    assert np.allclose(output.label_scores, tagger.lexical.predict_scores([text])[0])
    assert output.label_scores[labels.index("security")] > 0.5


def test_viterbi_never_starts_a_span_with_i_and_keeps_spans_whole() -> None:
    import numpy as np

    from edunlp.tagging.model import allowed_transitions, viterbi

    tags = bio_tags(["ORG", "DOC"])
    # Per token, argmax alone would give B-ORG I-DOC I-ORG I-ORG: a span broken by a type switch.
    probs = np.full((4, len(tags)), 0.01)
    for i, (tag, p) in enumerate([("B-ORG", 0.9), ("I-DOC", 0.5), ("I-ORG", 0.9), ("I-ORG", 0.9)]):
        probs[i, tags.index(tag)] = p
    probs[1, tags.index("I-ORG")] = 0.4
    starts = np.array([not t.startswith("I-") for t in tags])
    first = np.log(np.full((4, len(tags)), 0.01))
    first[0, tags.index("I-DOC")] = 0.0
    # Two sequences in one batch: the second is one token long (padded to four).
    paths = viterbi(np.stack([np.log(probs), first]), np.array([4, 1]), allowed_transitions(tags), starts)
    assert [tags[t] for t in paths[0]] == ["B-ORG", "I-ORG", "I-ORG", "I-ORG"]
    assert len(paths[1]) == 1 and not tags[paths[1][0]].startswith("I-")


def test_an_interrupted_training_resumes_to_the_weights_of_an_uninterrupted_one(
    tmp_path: Path, tiny_base: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safetensors.torch import load_file

    from edunlp.training import fit as training
    from edunlp.training.fit import TrainConfig, fit

    examples = [Example(text, labels, entities, month="2021-01", origin="generated") for text, labels, entities in SENTENCES]
    config = TrainConfig(epochs=3, patience=9, lexical=False, batch_size=4)  # several batches: their order matters
    real_evaluate = training.evaluate

    def scored(scores):  # each epoch beats the last, so the model written is the last epoch's
        def evaluate(tagger, dev, **given):
            if given:  # the final figures, not an epoch's
                return real_evaluate(tagger, dev, **given)
            score = next(scores)
            if score is None:
                raise KeyboardInterrupt  # Ctrl-C during an epoch's evaluation
            return {**real_evaluate(tagger, dev), "score": score}
        return evaluate

    monkeypatch.setattr(training, "evaluate", scored(iter([1.0, 2.0, 3.0])))
    whole = fit(examples * 6, examples, tiny_base, tmp_path / "whole", config, progress=False)
    monkeypatch.setattr(training, "evaluate", scored(iter([1.0, None])))
    with pytest.raises(KeyboardInterrupt):
        fit(examples * 6, examples, tiny_base, tmp_path / "cut", config, progress=False)
    assert (tmp_path / ".cut.last" / "state.safetensors").is_file() and not (tmp_path / "cut").exists()
    monkeypatch.setattr(training, "evaluate", scored(iter([2.0, 3.0])))  # epoch 1 is not done again
    resumed = fit(examples * 6, examples, tiny_base, tmp_path / "cut", config, progress=False, resume=True)

    assert resumed["history"] == whole["history"] and resumed["best_epoch"] == 3
    assert not (tmp_path / ".cut.last").exists()  # cleaned up once the model is written
    expected, got = load_file(tmp_path / "whole" / "model.safetensors"), load_file(tmp_path / "cut" / "model.safetensors")
    assert expected.keys() == got.keys()
    assert all(torch.equal(expected[k], got[k]) for k in expected)  # the same arithmetic, bit for bit


def test_weights_over_the_file_limit_are_saved_in_fp16_and_load_as_fp32(tiny_base: Path, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A bigger encoder ships in fp16 (one file under 25 MiB); it must come back as fp32, since
    transformers would otherwise load it as fp16 and fine-tune or tag in half precision."""
    from safetensors import safe_open

    import edunlp.tagging.tagger as tagger_module
    from edunlp.tagging.tagger import ParagraphInput, Tagger
    from edunlp.training.fit import new_tagger

    tagger = new_tagger(tiny_base, ["resources", "security"], ["QUANTITY"], max_length=64)
    monkeypatch.setattr(tagger_module, "WEIGHTS_LIMIT_BYTES", 1000)  # the tiny model is "too big" for fp32
    tagger.save_pretrained(tmp_path / "half")
    with safe_open(str(tmp_path / "half" / "model.safetensors"), framework="pt") as weights:
        assert {weights.get_slice(name).get_dtype() for name in weights.keys()} == {"F16"}
    assert next(tagger.model.parameters()).dtype == torch.float32  # the live model was not halved
    loaded = Tagger.from_pretrained(tmp_path / "half")
    assert {p.dtype for p in loaded.model.parameters()} == {torch.float32}
    again = new_tagger(tmp_path / "half", ["resources", "security"], ["QUANTITY"], max_length=64)
    assert {p.dtype for p in again.model.parameters()} == {torch.float32}
    text = SENTENCES[0][0]
    [ours], [theirs] = (t.predict([ParagraphInput(text, [(0, len(text))])]) for t in (tagger, loaded))
    assert np.allclose(ours.label_scores, theirs.label_scores, atol=1e-2)
