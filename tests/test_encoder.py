"""The shipped edunlp-zh-mini-base loads offline, works and fills masks sensibly; load_encoder
refuses non-models; whole-word masking masks whole words; the pretraining script's `train` runs end to end on a
handful of sequences with a 1-layer, 32-wide model."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors import safe_open
from transformers import AutoModelForMaskedLM, AutoTokenizer

from edunlp.tagging.encoder import DEFAULT_ENCODER, load_encoder

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "training"))
sys.path.insert(0, str(REPO / "evaluation"))
from eval_mlm import FILL_PROBES, score_probes  # noqa: E402  (script directories, not packages)
from pretrain_mlm import (  # noqa: E402
    LOCAL_OFFSETS,
    make_model,
    mask_whole_words,
    parse_args,
    start_from_unigram,
    train,
)


@pytest.fixture(scope="module")
def mlm():
    tokenizer = AutoTokenizer.from_pretrained(DEFAULT_ENCODER, local_files_only=True)
    model = AutoModelForMaskedLM.from_pretrained(DEFAULT_ENCODER, local_files_only=True).eval()
    return tokenizer, model


def test_shipped_directory_is_a_small_safetensors_model():
    for name in ["config.json", "model.safetensors", "tokenizer.json", "README.md"]:
        assert (DEFAULT_ENCODER / name).is_file(), name
    assert not (DEFAULT_ENCODER / "pytorch_model.bin").exists()
    weights = DEFAULT_ENCODER / "model.safetensors"
    with safe_open(str(weights), framework="pt") as f:
        dtype = f.get_slice(next(iter(f.keys()))).get_dtype()
    # fp32 only while it stays under 25 MiB, fp16 above that.
    assert dtype in {"F32", "F16"}
    assert dtype == "F16" or weights.stat().st_size < 25 * 2**20


def test_forward_pass_shapes(mlm):
    tokenizer, model = mlm
    encoded = tokenizer("教育部印发通知。", return_tensors="pt")
    assert encoded["input_ids"].shape == (1, 10)  # [CLS] + 8 characters + [SEP]
    with torch.no_grad():
        logits = model(**encoded).logits
    assert logits.shape == (1, 10, model.config.vocab_size)
    assert torch.isfinite(logits).all()

    base_tokenizer, base = load_encoder(task="base")
    with torch.no_grad():
        hidden = base(**base_tokenizer("教育部印发通知。", return_tensors="pt")).last_hidden_state
    assert hidden.shape == (1, 10, base.config.hidden_size)


def test_shipped_base_fills_one_character_gaps_sensibly():
    """The sixteen probes of evaluation/eval_mlm.py (--fill): most answers in the top five.
    The first shipped base, stuck as a bag of characters, got 1/16 in the top five."""
    scored = score_probes(DEFAULT_ENCODER)
    assert scored["top5"] >= 0.7 * len(FILL_PROBES)
    assert scored["top1"] >= 0.4 * len(FILL_PROBES)


def test_full_width_and_traditional_text_map_to_known_ids(mlm):
    tokenizer, _ = mlm
    full_width = tokenizer("２０２３年，ＩＰｖ６部署率达到９９．５％")["input_ids"]
    ascii_form = tokenizer("2023年,IPv6部署率达到99.5%")["input_ids"]
    assert full_width == ascii_form
    traditional = tokenizer("教育資訊化與網絡安全")["input_ids"]
    assert tokenizer.unk_token_id not in full_width + traditional


def test_load_encoder_refuses_a_directory_without_a_model(tmp_path):
    with pytest.raises(ValueError, match="config.json missing") as error:
        load_encoder(tmp_path)
    assert str(tmp_path) in str(error.value)
    with pytest.raises(ValueError, match="no such model directory"):
        load_encoder(tmp_path / "absent")


def test_load_encoder_refuses_a_directory_with_only_pickle_weights(tmp_path):
    for name in ["config.json", "tokenizer.json", "tokenizer_config.json"]:
        shutil.copy(DEFAULT_ENCODER / name, tmp_path / name)
    (tmp_path / "pytorch_model.bin").write_bytes(b"not loaded")
    with pytest.raises(ValueError, match="pytorch_model.bin") as error:
        load_encoder(tmp_path, task="masked-lm")
    assert str(tmp_path) in str(error.value)


def test_whole_word_masking_masks_whole_words_only():
    rng = np.random.default_rng(0)
    word_ids = [-1] + [w for w in range(40) for _ in range(1 + w % 3)] + [-1]
    input_ids = list(range(100, 100 + len(word_ids)))
    masked, labels = mask_whole_words(input_ids, word_ids, rng, 4, 5, 6000)
    chosen = {i for i, label in enumerate(labels) if label != -100}
    assert chosen and 0 not in chosen and len(word_ids) - 1 not in chosen
    for w in {word_ids[i] for i in chosen}:
        assert {i for i, x in enumerate(word_ids) if x == w} <= chosen
    assert len(chosen) <= round(0.15 * (len(word_ids) - 2))
    assert all(labels[i] == input_ids[i] for i in chosen)
    assert sum(masked[i] == 4 for i in chosen) > len(chosen) / 2


def test_char_share_masks_one_character_of_a_drawn_word():
    rng = np.random.default_rng(0)
    word_ids = [-1] + [w for w in range(60) for _ in range(2 + w % 2)] + [-1]
    input_ids = list(range(100, 100 + len(word_ids)))
    _, labels = mask_whole_words(input_ids, word_ids, rng, 4, 5, 6000, char_share=1.0)
    chosen = [i for i, label in enumerate(labels) if label != -100]
    words = [word_ids[i] for i in chosen]
    assert chosen and len(words) == len(set(words))  # one character from each drawn word


def test_aimed_heads_look_at_their_neighbours():
    tokenizer = AutoTokenizer.from_pretrained(DEFAULT_ENCODER)
    args = parse_args([
        "--tokenizer", str(DEFAULT_ENCODER), "--out", "unused", "--layers", "1",
        "--sinusoidal-positions", "0.085", "--local-heads", "1",
    ])
    model = make_model(args, tokenizer).eval()
    model.config._attn_implementation = "eager"
    encoded = tokenizer(["我们明天一起去北京看长城，他每天早上七点去学校上课。"], return_tensors="pt")
    with torch.no_grad():
        attention = model.bert(**encoded, output_attentions=True).attentions[0][0]
    length = attention.shape[-1]
    for head, offset in enumerate(LOCAL_OFFSETS):
        rows = range(2, length - 2)
        on_target = [float(attention[head, i, i + offset]) for i in rows]
        assert sum(on_target) / len(on_target) > 0.4, (head, offset)


def test_unigram_bias_starts_at_log_frequencies():
    tokenizer = AutoTokenizer.from_pretrained(DEFAULT_ENCODER)
    args = parse_args([
        "--tokenizer", str(DEFAULT_ENCODER), "--out", "unused", "--layers", "1",
        "--hidden", "32", "--heads", "2", "--intermediate", "64",
    ])
    model = make_model(args, tokenizer)
    start_from_unigram(model, [[10, 10, 10, 11], [10, 12]])
    bias = model.cls.predictions.bias
    assert torch.isclose(bias.exp().sum(), torch.tensor(1.0), atol=1e-4)
    assert torch.isclose(bias[10] - bias[11], torch.log(torch.tensor(5.0 / 2.0)))  # add-one
    assert torch.isclose(bias[11], bias[12]) and bias[11] > bias[13]
    with torch.no_grad():  # the decoder reads this bias: untrained, it guesses the commonest token
        logits = model(**tokenizer(["平台"], return_tensors="pt")).logits
    assert (logits.argmax(-1) == 10).all()


def test_pretraining_script_runs_end_to_end(tmp_path):
    out = tmp_path / "tiny"
    summary = train(parse_args([
        "--tokenizer", str(DEFAULT_ENCODER), "--out", str(out), "--max-paragraphs", "30",
        "--epochs", "1", "--batch-size", "8", "--layers", "1", "--hidden", "32", "--heads", "2",
        "--intermediate", "64", "--dropout", "0", "--sinusoidal-positions", "0.085",
        "--local-heads", "1",
    ]))
    assert summary["steps"] > 0
    assert set(summary["training_sequences"]) == {"peoples_daily", "bulletins"}
    assert json.loads((out / "training_summary.json").read_text())["steps"] == summary["steps"]
    tokenizer, model = load_encoder(out, task="masked-lm")
    assert model.config.num_hidden_layers == 1 and model.config.hidden_size == 32
    assert model.config.hidden_dropout_prob == 0.1  # pretrained without, saved for fine-tuning
    assert len(tokenizer) == model.config.vocab_size


def test_a_hub_style_chinese_checkpoint_loads_and_fine_tunes(tmp_path):
    """A directory laid out like hfl/rbt3 or bert-base-chinese on the hub: config.json,
    vocab.txt (no tokenizer.json), safetensors weights of BertForMaskedLM. It loads through
    load_encoder and becomes the encoder of a fine-tuned edunlp model."""
    from transformers import BertConfig, BertForMaskedLM

    from edunlp.training.fit import new_tagger

    directory = tmp_path / "rbt3-like"
    directory.mkdir()
    chars = sorted(set("国家中小学智慧教育平台本月访问量达到亿次发现漏洞个。，0123456789"))
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars, *(f"##{c}" for c in "0123456789")]
    (directory / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64, architectures=["BertForMaskedLM"])
    BertForMaskedLM(config).save_pretrained(directory)
    assert not (directory / "tokenizer.json").exists()

    tokenizer, model = load_encoder(directory, task="masked-lm")
    encoded = tokenizer("平台本月访问量达到2亿次。", return_tensors="pt")
    assert tokenizer.unk_token_id not in encoded["input_ids"][0].tolist()
    assert model(**encoded).logits.shape[-1] == len(vocab)

    tagger = new_tagger(directory, ["resources", "security"], ["QUANTITY"], max_length=64)
    assert torch.equal(tagger.model.bert.embeddings.word_embeddings.weight, model.bert.embeddings.word_embeddings.weight)
    from edunlp.tagging.tagger import ParagraphInput

    [output] = tagger.predict([ParagraphInput("发现漏洞12个。国家中小学智慧教育平台本月访问量达到2亿次。", [(0, 8), (8, 29)])])
    assert output.label_scores.shape == (2,) and len(output.sentence_scores) == 2
