"""The tagging stage: runs the joint model over paragraphs and fills labels and entities.

Batches are built from length-sorted chunks under a token budget (dynamic padding), under
`torch.inference_mode`, so a whole archive runs with as little padding as possible.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from transformers import AutoTokenizer, PreTrainedTokenizerBase
from transformers.utils import logging as hf_logging

from ..corpus.examples import Example
from ..models import ModelError
from ..reading.normalize import clean, fold
from ..segmentation.paragraphs import split_sentences
from .lexical import LexicalLabeller
from .model import (
    Chunk, Features, JointModel, allowed_transitions, bio_tags, chunk_paragraph, collate, decode_tags, featurize,
    joint_config, viterbi,
)

DEFAULT_MAX_LENGTH = 256
WEIGHTS_LIMIT_BYTES = 25 * 2**20  # one file of a shipped model stays under this (fp16 above it)


@dataclass
class ParagraphInput:
    """What the model sees of a paragraph: the body, its sentences (ranges into it), its head."""

    text: str
    sentences: list[tuple[int, int]] = field(default_factory=list)
    head: str | None = None


@dataclass
class ParagraphOutput:
    """Scores per label for the body and for each sentence, and entity spans into the body."""

    label_scores: np.ndarray
    sentence_scores: list[np.ndarray]
    entities: list[tuple[int, int, str, float]]


@contextlib.contextmanager
def _quiet_progress_bar() -> Iterator[None]:
    """transformers' weight-loading bar only on a terminal: in a log or a pipe it is noise."""
    was_enabled = hf_logging.is_progress_bar_enabled()
    if was_enabled and not sys.stderr.isatty():
        hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


class Tagger:
    """Loads a fine-tuned model directory and predicts labels and entities for paragraphs."""

    def __init__(
        self, model: JointModel, tokenizer: PreTrainedTokenizerBase, token_budget: int = 8192, viterbi: bool = True
    ) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.token_budget = token_budget
        self.viterbi = viterbi  # False: each token's most likely tag, as Hugging Face's pipeline does
        config = model.config
        self.labels: list[str] = list(config.action_labels)
        self.tags: list[str] = bio_tags(list(config.entity_types))
        self.allowed = allowed_transitions(self.tags)
        self.starts = np.array([not tag.startswith("I-") for tag in self.tags])
        thresholds = getattr(config, "thresholds", None) or {}
        self.thresholds = np.array([thresholds.get(label, 0.5) for label in self.labels])
        self.max_length = min(getattr(config, "window", None) or DEFAULT_MAX_LENGTH, config.max_position_embeddings)
        self.word_boundaries = bool(getattr(config, "word_boundaries", False))
        # Label scores = weight × the BERT's + (1 − weight) × the lexical labeller's, where there is one.
        self.lexical: LexicalLabeller | None = None
        self.bert_weight = float(getattr(config, "bert_weight", 1.0))

    @classmethod
    def from_pretrained(cls, path: str | Path, quantize: bool = False) -> Tagger:
        """Load a model directory written by `save_pretrained` (safetensors only, no hub)."""
        path = Path(path)
        if not (path / "config.json").is_file() or not (path / "model.safetensors").is_file():
            raise ModelError(f"{path}: not an edunlp model directory (needs config.json and model.safetensors)")
        try:
            if "action_labels" not in json.loads((path / "config.json").read_text(encoding="utf-8")):
                raise ModelError(f"{path}: config.json has no action_labels; is this a fine-tuned edunlp model?")
            config = joint_config(path)  # given to the tokenizer too, which would otherwise read it as an unknown type
            with _quiet_progress_bar():
                # fp32 whatever the file holds: weights over WEIGHTS_LIMIT_BYTES are stored in fp16
                model = JointModel.from_pretrained(path, config=config, local_files_only=True, use_safetensors=True,
                                                   dtype=torch.float32)
            tokenizer = AutoTokenizer.from_pretrained(path, config=config, local_files_only=True)
            lexical = LexicalLabeller.load(path)
        except ModelError:
            raise
        except Exception as error:  # a corrupt or cut-off file: say which model, not just what broke
            raise ModelError(f"{path}: cannot load the model ({type(error).__name__}: {error})") from error
        if quantize:  # in place: the float Linear weights are let go, not kept beside an int8 copy
            model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
        tagger = cls(model, tokenizer)
        tagger.lexical = lexical
        return tagger

    def save_pretrained(self, path: str | Path) -> None:
        """Weights in fp32, or in fp16 where fp32 would pass WEIGHTS_LIMIT_BYTES (a bigger encoder
        still ships as one file under the limit; `from_pretrained` reads them back as fp32)."""
        state = self.model.state_dict()
        if sum(t.numel() * t.element_size() for t in state.values()) > WEIGHTS_LIMIT_BYTES:
            state = {name: t.half() if t.is_floating_point() else t for name, t in state.items()}
        self.model.save_pretrained(path, safe_serialization=True, state_dict=state)
        self.tokenizer.save_pretrained(path)
        if self.lexical is not None:
            self.lexical.save(path)

    def chunks(self, paragraphs: list[ParagraphInput]) -> tuple[list[Chunk], list[Features]]:
        """Windows of whole sentences that fit the model, tokenised."""
        chunks, features = [], []
        for index, paragraph in enumerate(paragraphs):
            head_room = len(paragraph.head) + 1 if paragraph.head else 0
            max_chars = max(16, self.max_length - 2 - head_room)
            for chunk in chunk_paragraph(index, paragraph.sentences, len(paragraph.text), max_chars):
                chunks.append(chunk)
                features.append(featurize(self.tokenizer, paragraph.text, chunk, paragraph.head, self.word_boundaries))
        return chunks, features

    def batches(self, features: list[Features]) -> list[list[int]]:
        """Indices of features grouped into batches of at most `token_budget` padded tokens."""
        order = sorted(range(len(features)), key=lambda i: len(features[i].input_ids))
        batches: list[list[int]] = []
        current: list[int] = []
        for i in order:
            width = len(features[i].input_ids)
            if current and width * (len(current) + 1) > self.token_budget:
                batches.append(current)
                current = []
            current.append(i)
        if current:
            batches.append(current)
        return batches

    @torch.inference_mode()
    def predict(self, paragraphs: list[ParagraphInput]) -> list[ParagraphOutput]:
        chunks, features = self.chunks(paragraphs)
        chunk_scores: list[np.ndarray | None] = [None] * len(chunks)
        chunk_entities: list[list[tuple[int, int, str, float]]] = [[] for _ in chunks]
        pad_id = self.tokenizer.pad_token_id or 0
        device = next(self.model.parameters()).device
        for batch in self.batches(features):
            inputs = {k: v.to(device) for k, v in collate([features[i] for i in batch], pad_id).items()}
            output = self.model(**inputs)
            scores = torch.sigmoid(output.label_logits.float()).cpu().numpy()
            log_probs = torch.log_softmax(output.tag_logits.float(), dim=-1).cpu().numpy()
            span_row = 0
            for i in batch:
                n_spans = len(features[i].spans)
                chunk_scores[i] = scores[span_row : span_row + n_spans]
                span_row += n_spans
            for i, entities in zip(batch, self._entities(log_probs, [features[i].offsets for i in batch])):
                chunk_entities[i] = entities
        outputs = self._gather(paragraphs, chunks, chunk_scores, chunk_entities)
        if self.lexical is not None and self.bert_weight < 1.0:
            self._mix_lexical(paragraphs, outputs)
        return outputs

    def _mix_lexical(self, paragraphs: list[ParagraphInput], outputs: list[ParagraphOutput]) -> None:
        """Blend in the lexical labeller's scores of each paragraph and each sentence."""
        texts = [p.text for p in paragraphs]
        pieces = [p.text[s:e] for p in paragraphs for s, e in p.sentences]
        scores = self.lexical.predict_scores(texts + pieces)
        weight, at = self.bert_weight, len(texts)
        for paragraph, output, lexical in zip(paragraphs, outputs, scores):
            output.label_scores = weight * output.label_scores + (1 - weight) * lexical
            for number in range(len(paragraph.sentences)):
                output.sentence_scores[number] = weight * output.sentence_scores[number] + (1 - weight) * scores[at]
                at += 1

    def _entities(self, log_probs: np.ndarray, offsets: list[list]) -> list[list[tuple[int, int, str, float]]]:
        """Entity spans of each chunk of a batch: BIO-constrained Viterbi over the body tokens (or
        each token's best tag), scored by the mean probability of the chosen tags."""
        bodies = [[i for i, offset in enumerate(row) if offset is not None] for row in offsets]
        lengths = np.array([len(body) for body in bodies])
        body_log_probs = np.zeros((len(bodies), max(lengths.max(initial=0), 1), log_probs.shape[-1]))
        for row, body in enumerate(bodies):
            body_log_probs[row, : len(body)] = log_probs[row, body]
        if self.viterbi:
            paths = viterbi(body_log_probs, lengths, self.allowed, self.starts)
        else:
            paths = [body_log_probs[row, :n].argmax(1).tolist() for row, n in enumerate(lengths)]
        results = []
        for row, (body, path) in enumerate(zip(bodies, paths)):
            body_offsets = [offsets[row][i] for i in body]
            chosen = np.exp(body_log_probs[row, np.arange(len(path)), path]) if path else np.zeros(0)
            starts = [o[0] for o in body_offsets]
            entities = []
            for start, end, kind in decode_tags([self.tags[t] for t in path], body_offsets):
                first, last = starts.index(start), np.searchsorted(starts, end)
                entities.append((start, end, kind, float(chosen[first:last].mean())))
            results.append(entities)
        return results

    def _gather(self, paragraphs, chunks, chunk_scores, chunk_entities) -> list[ParagraphOutput]:
        """Paragraph score = max over its chunks; sentence scores and entities collected in order."""
        zeros = np.zeros(len(self.labels))
        outputs = [
            ParagraphOutput(zeros.copy(), [zeros.copy() for _ in (p.sentences or [None])], []) for p in paragraphs
        ]
        for chunk, scores, entities in zip(chunks, chunk_scores, chunk_entities):
            out = outputs[chunk.paragraph]
            out.label_scores = np.maximum(out.label_scores, scores[0])
            for (_, _, number), sentence_scores in zip(chunk.sentences, scores[1:]):
                out.sentence_scores[number] = np.maximum(out.sentence_scores[number], sentence_scores)
            out.entities.extend(entities)
        return outputs

    def chosen(self, scores: np.ndarray) -> list[tuple[str, float]]:
        """Labels `decide` keeps for one paragraph or sentence, best first."""
        keep = decide(scores[None, :], self.thresholds, self.labels)[0]
        return [(self.labels[i], float(scores[i])) for i in np.argsort(-scores) if keep[i]]


def model_text(example: Example) -> str:
    """What a labeller reads of a labelled paragraph: its text as `edunlp.read` would leave it
    (pinyin readings and subword markers removed), unless entity offsets tie it to the raw text."""
    cleaned = clean(example.text)
    return example.text if example.entities_annotated and len(cleaned) != len(example.text) else cleaned


def paragraph_input(example: Example, with_head: bool = True) -> ParagraphInput:
    """The model's view of a labelled paragraph: body, sentence ranges, optional head."""
    text = model_text(example)
    if example.sentences and text == example.text:
        ranges = [(start, end) for start, end, _ in example.sentences]
    else:
        ranges = [(s.start, s.end) for s in split_sentences(text, fold(text), 0, len(text))]
    return ParagraphInput(text, ranges, example.head if with_head else None)


def decide(scores: np.ndarray, thresholds: np.ndarray, labels: list[str]) -> np.ndarray:
    """Multi-label decisions for rows of scores: every label over its threshold, the top label
    when none passes, and `other` only when no other label is kept (it means "none of these")."""
    chosen = scores >= thresholds
    empty = ~chosen.any(1)
    chosen[empty, scores[empty].argmax(1)] = True
    if "other" in labels:
        other = labels.index("other")
        rest = np.delete(chosen, other, axis=1).any(1)
        chosen[rest, other] = False
    return chosen
