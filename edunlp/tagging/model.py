"""The fine-tuned model: one BERT encoder, two heads, one forward pass.

* The label head scores the action lines of a span by mean-pooling its tokens; a paragraph chunk
  is one span, each sentence inside it is another, so paragraph and sentence labels come from the
  same pass (a sigmoid per label: multi-label).
* The entity head tags every token with BIO over the entity types.
* Where `config.word_boundaries` is set, each character also carries its place in its pkuseg word
  (begin, middle, end, single: `edunlp.segmentation.words`), added to its embedding. A character model alone
  cuts entities inside words (94.|7%, 4|月3日); the segmenter knows where words end.

The config is an `EdunlpConfig`, a BERT config with its own `model_type` ("edunlp") and the joint
model's fields, so transformers' Auto classes can return this model whole (`edunlp.tagging.hf`).

Text reaches the encoder folded (`normalize.fold`: simplified, NFKC), which keeps its length, so
token offsets are offsets into the original text. Paragraphs longer than the window are packed
into chunks of whole sentences (a very long sentence is cut at the window), never truncated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from huggingface_hub.dataclasses import strict
from torch import nn
from transformers import BertConfig, BertModel, BertPreTrainedModel, PreTrainedTokenizerBase
from transformers.utils import ModelOutput

from ..reading.normalize import fold
from ..segmentation.words import token_spans

WORD_PLACES = ("none", "begin", "middle", "end", "single")  # a token's place in its word
SPANS_AT_ONCE = 32  # spans pooled together (span_means)


def bio_tags(entity_types: list[str]) -> list[str]:
    """O, then B-/I- for each entity type, in that order."""
    return ["O"] + [f"{prefix}-{kind}" for kind in entity_types for prefix in ("B", "I")]


@strict
class EdunlpConfig(BertConfig):
    """A BERT config plus the joint model's heads and decoding settings, under a model_type of
    its own: a directory saying "edunlp" is never mistaken for a bare BERT."""

    model_type = "edunlp"

    action_labels: list[str] | None = None  # the label head, in order
    entity_types: list[str] | None = None  # the BIO head: O, then B-/I- of each (bio_tags)
    thresholds: dict[str, float | int] | None = None  # per label, tuned on dev; 0.5 where missing
    window: int | None = None  # tokens per window (the tagger's default where missing)
    word_boundaries: bool = False  # each character's pkuseg word place is added to its embedding
    bert_weight: float | int = 1.0  # the BERT's share of the label scores; the rest is the lexical labeller's


def joint_config(path: str | Path) -> EdunlpConfig:
    """The config of a local model directory as an EdunlpConfig: a fine-tuned edunlp model's as
    it is (also one saved with model_type "bert" before there was one of our own), a plain
    BERT's with the joint model's fields at their defaults."""
    values, _ = EdunlpConfig.get_config_dict(path, local_files_only=True)
    values.pop("model_type", None)
    return EdunlpConfig.from_dict(values)


@dataclass
class JointOutput(ModelOutput):
    loss: torch.Tensor | None = None
    label_logits: torch.Tensor | None = None  # (spans, labels)
    tag_logits: torch.Tensor | None = None  # (batch, tokens, tags)


class JointModel(BertPreTrainedModel):
    """BERT with a multi-label span classifier and a BIO token classifier.

    `config.action_labels`, `config.entity_types` and `config.thresholds` travel in config.json,
    so `save_pretrained` / `from_pretrained` give back the whole model.
    """

    config_class = EdunlpConfig

    def __init__(self, config: EdunlpConfig) -> None:
        super().__init__(config)
        self.bert = BertModel(config, add_pooling_layer=False)
        dropout = config.classifier_dropout if config.classifier_dropout is not None else config.hidden_dropout_prob
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(config.hidden_size, len(config.action_labels))
        self.ner_classifier = nn.Linear(config.hidden_size, len(bio_tags(config.entity_types)))
        self.word_places = nn.Embedding(len(WORD_PLACES), config.hidden_size) if getattr(
            config, "word_boundaries", False) else None
        self.post_init()

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
        span_index: torch.Tensor | None = None,
        span_mask: torch.Tensor | None = None,
        span_labels: torch.Tensor | None = None,
        tag_ids: torch.Tensor | None = None,
        word_places: torch.Tensor | None = None,
    ) -> JointOutput:
        """`span_index[i]` is the batch row of span i, `span_mask[i]` its token mask (tokens,);
        `word_places` (batch, tokens) indexes WORD_PLACES; a model trained with them needs them."""
        if self.word_places is not None and word_places is None:
            raise ValueError(
                "this model reads each character's place in its pkuseg word: pass word_places "
                "(edunlp.tagging.model.featurize and collate make them), or tag with edunlp.load()"
            )
        if self.word_places is not None:
            embeds = self.bert.embeddings.word_embeddings(input_ids) + self.word_places(word_places)
            hidden = self.bert(
                inputs_embeds=embeds, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
        else:
            hidden = self.bert(input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
        hidden = self.dropout(hidden)
        tag_logits = self.ner_classifier(hidden)
        label_logits = None
        if span_index is not None:
            label_logits = self.classifier(span_means(hidden, span_index, span_mask.to(hidden.dtype)))
        loss = None
        if span_labels is not None and tag_ids is not None:
            # Summed over labels, so a span's labels weigh as much as a token's tag in the total.
            label_loss = nn.functional.binary_cross_entropy_with_logits(
                label_logits, span_labels, reduction="none"
            ).sum(-1).mean()
            # Mean over the tokens that have a tag; a batch of labels-only paragraphs (no entity
            # annotation, every tag -100) adds 0, where cross_entropy's own mean would give 0/0 = nan.
            targets = tag_ids.reshape(-1)
            tag_loss = nn.functional.cross_entropy(
                tag_logits.reshape(-1, tag_logits.size(-1)), targets, ignore_index=-100, reduction="sum"
            ) / (targets != -100).sum().clamp(min=1)
            loss = label_loss + tag_loss
        return JointOutput(loss=loss, label_logits=label_logits, tag_logits=tag_logits)


def span_means(hidden: torch.Tensor, span_index: torch.Tensor, weights: torch.Tensor,
               spans_at_once: int = SPANS_AT_ONCE) -> torch.Tensor:
    """Mean of each span's token vectors: span i is row `span_index[i]` of `hidden` (batch, tokens,
    hidden) under `weights[i]` (tokens,). Taken `spans_at_once` spans at a time: the same numbers
    as all spans at once, without two (spans, tokens, hidden) copies of the whole batch in memory."""
    sums = [(hidden[rows] * part.unsqueeze(-1)).sum(1)
            for rows, part in zip(span_index.split(spans_at_once), weights.split(spans_at_once))]
    return torch.cat(sums) / weights.sum(1, keepdim=True).clamp(min=1)


@dataclass
class Chunk:
    """A window of one paragraph: its character range and the (start, end, sentence number)
    of each sentence piece inside it."""

    paragraph: int
    start: int
    end: int
    sentences: list[tuple[int, int, int]] = field(default_factory=list)


def chunk_paragraph(paragraph: int, sentences: list[tuple[int, int]], length: int, max_chars: int) -> list[Chunk]:
    """Pack whole sentences (ranges into the paragraph text) into windows of at most `max_chars`."""
    pieces: list[tuple[int, int, int]] = []
    for number, (start, end) in enumerate(sentences or [(0, length)]):
        while end - start > max_chars:  # one sentence longer than the window: cut it
            pieces.append((start, start + max_chars, number))
            start += max_chars
        pieces.append((start, end, number))
    chunks: list[Chunk] = []
    for piece in pieces:
        if chunks and piece[1] - chunks[-1].start <= max_chars:
            chunks[-1].end = piece[1]
            chunks[-1].sentences.append(piece)
        else:
            chunks.append(Chunk(paragraph, piece[0], piece[1], [piece]))
    return chunks


@dataclass
class Features:
    """Tokenised chunks ready for the model, with what is needed to map results back."""

    input_ids: list[int]
    token_type_ids: list[int]
    offsets: list[tuple[int, int] | None]  # per token, char range in the paragraph; None off the body
    spans: list[tuple[int, int]]  # token ranges: the whole body first, then each sentence
    word_places: list[int] = field(default_factory=list)  # per token, index into WORD_PLACES


def word_places(text: str) -> list[int]:
    """Each character's place in its pkuseg word, as an index into WORD_PLACES."""
    places = [0] * len(text)
    for start, end in token_spans(text):
        if end - start == 1:
            places[start] = 4
        else:
            places[start], places[end - 1] = 1, 3
            places[start + 1 : end - 1] = [2] * (end - start - 2)
    return places


def featurize(
    tokenizer: PreTrainedTokenizerBase,
    text: str,
    chunk: Chunk,
    head: str | None = None,
    with_word_places: bool = False,
) -> Features:
    """Tokenise text[chunk] (folded) with an optional head as the second segment."""
    body = fold(text[chunk.start : chunk.end])
    encoded = tokenizer(body, fold(head) if head else None, return_offsets_mapping=True, return_token_type_ids=True)
    sequence_ids = encoded.sequence_ids()
    offsets: list[tuple[int, int] | None] = []
    for (start, end), sequence in zip(encoded["offset_mapping"], sequence_ids):
        offsets.append((chunk.start + start, chunk.start + end) if sequence == 0 and end > start else None)
    body_tokens = [i for i, offset in enumerate(offsets) if offset is not None]
    spans = [(body_tokens[0], body_tokens[-1] + 1)] if body_tokens else [(0, 1)]
    for start, end, _ in chunk.sentences:
        inside = [i for i in body_tokens if start <= offsets[i][0] < end]
        spans.append((inside[0], inside[-1] + 1) if inside else spans[0])
    places = []
    if with_word_places:
        by_char = word_places(body)
        places = [by_char[offset[0] - chunk.start] if offset else 0 for offset in offsets]
    return Features(encoded["input_ids"], encoded["token_type_ids"], offsets, spans, places)


def collate(features: list[Features], pad_id: int) -> dict[str, torch.Tensor]:
    """Pad a batch to its longest member (dynamic padding) and lay out every span's token mask."""
    width = max(len(f.input_ids) for f in features)
    input_ids = torch.full((len(features), width), pad_id, dtype=torch.long)
    token_types = torch.zeros((len(features), width), dtype=torch.long)
    attention = torch.zeros((len(features), width), dtype=torch.long)
    places = torch.zeros((len(features), width), dtype=torch.long)
    span_rows, span_masks = [], []
    for row, feature in enumerate(features):
        n = len(feature.input_ids)
        input_ids[row, :n] = torch.tensor(feature.input_ids)
        token_types[row, :n] = torch.tensor(feature.token_type_ids)
        attention[row, :n] = 1
        if feature.word_places:
            places[row, :n] = torch.tensor(feature.word_places)
        for start, end in feature.spans:
            mask = torch.zeros(width, dtype=torch.bool)
            mask[start:end] = True
            span_rows.append(row)
            span_masks.append(mask)
    return {
        "input_ids": input_ids,
        "attention_mask": attention,
        "token_type_ids": token_types,
        "span_index": torch.tensor(span_rows, dtype=torch.long),
        "span_mask": torch.stack(span_masks),
        "word_places": places,
    }


def allowed_transitions(tags: list[str]) -> np.ndarray:
    """(previous, next) → allowed under BIO: I-X only after B-X or I-X."""
    allowed = np.ones((len(tags), len(tags)), dtype=bool)
    for j, tag in enumerate(tags):
        if tag.startswith("I-"):
            allowed[:, j] = [prev in (f"B-{tag[2:]}", tag) for prev in tags]
    return allowed


def viterbi(log_probs: np.ndarray, lengths: np.ndarray, allowed: np.ndarray, starts: np.ndarray) -> list[list[int]]:
    """Best BIO-valid tag paths (a span never starts with I-) for a batch of sequences at once.

    `log_probs` is (batch, tokens, tags), padded after each row's `lengths[row]` tokens.
    """
    batch, steps, k = log_probs.shape
    penalty = np.where(allowed, 0.0, -1e9)
    score = log_probs[:, 0] + np.where(starts, 0.0, -1e9)
    back = np.zeros((batch, steps, k), dtype=np.int64)
    for i in range(1, steps):
        candidates = score[:, :, None] + penalty  # (batch, previous, next)
        best_previous = candidates.argmax(1)
        stepped = np.take_along_axis(candidates, best_previous[:, None, :], 1)[:, 0] + log_probs[:, i]
        live = (i < lengths)[:, None]
        back[:, i] = np.where(live, best_previous, np.arange(k))
        score = np.where(live, stepped, score)
    paths = []
    for row in range(batch):
        path = [int(score[row].argmax())]
        for i in range(int(lengths[row]) - 1, 0, -1):
            path.append(int(back[row, i, path[-1]]))
        paths.append(path[::-1])
    return paths


def decode_tags(tags: list[str], offsets: list[tuple[int, int] | None]) -> list[tuple[int, int, str]]:
    """BIO tags per token → (start, end, type) character spans; a stray I- starts a new span."""
    spans: list[tuple[int, int, str]] = []
    current: list | None = None
    for tag, offset in zip(tags, offsets):
        if offset is None:
            continue
        kind = tag[2:] if tag != "O" else None
        if kind and (tag.startswith("B-") or current is None or current[2] != kind):
            if current:
                spans.append(tuple(current))
            current = [offset[0], offset[1], kind]
        elif kind:
            current[1] = offset[1]
        else:
            if current:
                spans.append(tuple(current))
            current = None
    if current:
        spans.append(tuple(current))
    return spans


def encode_tags(entities: list[tuple[int, int, str]], offsets: list[tuple[int, int] | None], tags: list[str]) -> list[int]:
    """Gold character spans → a BIO tag id per token (-100 for tokens off the body)."""
    index = {tag: i for i, tag in enumerate(tags)}
    ids = []
    for offset in offsets:
        if offset is None:
            ids.append(-100)
            continue
        tag = "O"
        for start, end, kind in entities:
            if start <= offset[0] < end:
                tag = f"B-{kind}" if offset[0] == start else f"I-{kind}"
                break
            if offset[0] < start < offset[1]:  # an entity starting inside a token: begin it here
                tag = f"B-{kind}"
                break
        ids.append(index.get(tag, 0))
    return ids
