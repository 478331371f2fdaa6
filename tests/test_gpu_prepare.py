"""What a GPU run reads was made here (training/gpu_prepare.py): the packed pretraining arrays give
back the sequences and their words, blind real documents never reach them, the batch masker masks
whole words, and the word-span table answers what the segmenter would, or says what is missing."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

import gzip
import json
import sys
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "training"))
from gpu_prepare import WordSpanTable, span_key  # noqa: E402  (script directories, not packages)
from pretrain_mlm import load_paragraphs, mask_whole_words_batch, read_packed, write_packed  # noqa: E402

from edunlp.corpus import realtext  # noqa: E402


def words_of(word_ids) -> list[list[int]]:
    """The positions of each word, in order (the numbering itself does not matter)."""
    groups: dict[int, list[int]] = {}
    for i, w in enumerate(word_ids):
        if w >= 0:
            groups.setdefault(w, []).append(i)
    return sorted(groups.values())


def test_packed_arrays_give_back_ids_words_and_sources(tmp_path):
    # As pretrain_mlm._pack leaves them: word ids count on across sequences, -1 on [CLS]/[SEP].
    sequences = [
        {"input_ids": [2, 10, 11, 12, 3, 13, 3], "word_ids": [-1, 40, 40, 41, -1, 42, -1], "source": "realtext"},
        {"input_ids": [2, 14, 3], "word_ids": [-1, 43, -1], "source": "bulletins"},
        {"input_ids": [2, 15, 15, 16, 17, 3], "word_ids": [-1, 44, 45, 45, 45, -1], "source": "realtext"},
    ]
    write_packed(tmp_path / "p.npz", {"train": sequences, "held_out": sequences[1:2]}, {"paragraphs": 3})
    parts, meta = read_packed(tmp_path / "p.npz")
    assert meta == {"paragraphs": 3} and set(parts) == {"train", "held_out"}
    train = parts["train"]
    assert train.sources == ["realtext", "bulletins", "realtext"]
    for row, sequence in enumerate(sequences):
        n = len(sequence["input_ids"])
        assert train.lengths[row] == n
        assert train.input_ids[row, :n].tolist() == sequence["input_ids"]
        assert (train.input_ids[row, n:] == 0).all() and (train.word_ids[row, n:] == -1).all()
        assert words_of(train.word_ids[row, :n]) == words_of(sequence["word_ids"])
        assert [w < 0 for w in train.word_ids[row, :n]] == [w < 0 for w in sequence["word_ids"]]
        assert train.word_ids[row, :n].max() == len(words_of(sequence["word_ids"])) - 1  # 0 … k-1 per sequence
    assert parts["held_out"].input_ids[0].tolist() == [2, 14, 3]


def test_blind_real_documents_never_reach_pretraining(tmp_path, monkeypatch):
    keys = (f"fake|doc{i}.md|0" for i in range(1000))
    blind = next(k for k in keys if realtext.is_blind(k))
    kept = next(k for k in (f"fake|doc{i}.md|0" for i in range(1000)) if not realtext.is_blind(k))
    lines = {blind: "盲测文档里的这一段教育信息化文字绝不能用于预训练。", kept: "训练文档的这一段文字可以用于继续预训练模型。"}
    with gzip.open(tmp_path / "fake.jsonl.gz", "wt", encoding="utf-8") as out:
        for key, text in lines.items():
            out.write(json.dumps({"path": key.split("|")[1], "item": 0, "text": text}, ensure_ascii=False) + "\n")
    monkeypatch.setenv(realtext.REALTEXT_ENV, str(tmp_path))
    paragraphs, _ = load_paragraphs(limit=2, real=True)
    real = ["".join(p["words"]) for p in paragraphs if p["source"] == "realtext"]
    assert real == [lines[kept]]


def test_batch_masking_masks_whole_words_about_fifteen_percent():
    generator = torch.Generator().manual_seed(0)
    word_ids = torch.tensor([[-1] + [w for w in range(40) for _ in range(1 + w % 3)] + [-1, -1, -1]] * 64)
    input_ids = torch.arange(100, 100 + word_ids.shape[1]).repeat(64, 1)
    masked, labels = mask_whole_words_batch(input_ids, word_ids, generator, 4, 5, 6000)
    chosen = labels != -100
    assert not chosen[word_ids < 0].any()  # never [CLS], [SEP] or padding
    assert (labels[chosen] == input_ids[chosen]).all()
    for row in range(64):  # a word is masked whole or not at all
        drawn = set(word_ids[row][chosen[row]].tolist())
        assert chosen[row][torch.isin(word_ids[row], torch.tensor(sorted(drawn) or [-5]))].all()
    share = chosen.sum() / (word_ids >= 0).sum()
    assert 0.10 < share < 0.20
    assert (masked[chosen] == 4).float().mean() > 0.6 and (masked[~chosen] == input_ids[~chosen]).all()


def test_batch_masking_with_char_share_masks_one_character_of_a_drawn_word():
    generator = torch.Generator().manual_seed(1)
    word_ids = torch.tensor([[-1] + [w for w in range(60) for _ in range(2 + w % 2)] + [-1]] * 16)
    input_ids = torch.arange(100, 100 + word_ids.shape[1]).repeat(16, 1)
    _, labels = mask_whole_words_batch(input_ids, word_ids, generator, 4, 5, 6000, char_share=1.0)
    for row in range(16):
        words = word_ids[row][labels[row] != -100].tolist()
        assert words and len(words) == len(set(words))


def test_word_span_table_answers_or_names_what_is_missing(tmp_path):
    text = "国家中小学智慧教育平台"
    table_file = tmp_path / "word_spans.json.gz"
    table_file.write_bytes(gzip.compress(json.dumps({"window": 128, "spans": {span_key(text): [0, 2, 2, 5, 5, 11]}}).encode()))
    table = WordSpanTable(table_file)
    assert table(text) == [(0, 2), (2, 5), (5, 11)] and table.window == 128
    with pytest.raises(KeyError, match="--window 128"):
        table("教育部")
