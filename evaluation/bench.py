"""Batch speed: edunlp's batch path against the naive Hugging Face way, side by side.

    .venv/bin/python evaluation/bench.py [--model DIR] [--paragraphs 1000]

On the same fine-tuned weights and the same paragraphs of the corpus, it runs
(1) naive: `pipeline("text-classification")` and `pipeline("token-classification")`, one
    paragraph at a time, fp32;
(2) edunlp: `Tagger.predict` over all paragraphs at once (length-sorted, token-budget batches,
    dynamic padding, inference_mode, both heads in one pass), fp32 and int8 (bf16 with --bf16);
checks that (1) and (2) agree, prints paragraphs/s, tokens/s and achieved GFLOP/s against a
matmul peak measured here, the agreement of the fast variants with fp32, and last
`speedup_vs_naive: X` for the fastest variant that keeps agreement with fp32 ≥ 0.95.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from transformers import logging as transformers_logging  # noqa: E402
from transformers import pipeline  # noqa: E402
from transformers.modeling_outputs import SequenceClassifierOutput, TokenClassifierOutput  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from edunlp.corpus.examples import read_examples  # noqa: E402
from edunlp.tagging.model import JointModel, bio_tags, decode_tags, word_places  # noqa: E402
from edunlp.reading.normalize import fold  # noqa: E402
from edunlp.pipeline import DEFAULT_MODEL  # noqa: E402
from edunlp.tagging.tagger import ParagraphInput, Tagger  # noqa: E402


AGREEMENT = 0.95  # share of paragraphs with the same top label, and with exactly the same entities


class LabelView(torch.nn.Module):
    """The joint model seen as a sequence classifier (what `pipeline` expects)."""

    def __init__(self, joint: JointModel) -> None:
        super().__init__()
        self.joint = joint
        self.config = copy.deepcopy(joint.config)
        self.config.problem_type = "multi_label_classification"
        self.can_generate = lambda: False
        self.device = torch.device("cpu")
        self.dtype = torch.float32
        self.places: torch.Tensor | None = None  # word places of the paragraph being run, if the model reads them

    def forward(self, input_ids, attention_mask, token_type_ids=None, **_):
        body = attention_mask.clone()
        body[:, 0] = 0
        body[torch.arange(len(body)), attention_mask.sum(1) - 1] = 0  # [CLS] and [SEP] are not the body
        out = self.joint(input_ids, attention_mask, token_type_ids, span_index=torch.arange(len(body)),
                         span_mask=body.bool(), word_places=self.places)
        return SequenceClassifierOutput(logits=out.label_logits)


class TagView(LabelView):
    """The joint model seen as a token classifier."""

    def __init__(self, joint: JointModel) -> None:
        super().__init__(joint)
        tags = bio_tags(list(joint.config.entity_types))
        self.config.id2label = dict(enumerate(tags))
        self.config.label2id = {t: i for i, t in enumerate(tags)}

    def forward(self, input_ids, attention_mask, token_type_ids=None, **_):
        out = self.joint(input_ids, attention_mask, token_type_ids, word_places=self.places)
        return TokenClassifierOutput(logits=out.tag_logits)


def naive(tagger: Tagger, texts: list[str]) -> tuple[list[str], list[list[tuple]], float]:
    """One paragraph at a time through two Hugging Face pipelines; top labels, entities, seconds."""
    label_view, tag_view = LabelView(tagger.model), TagView(tagger.model)
    classify = pipeline("text-classification", model=label_view, tokenizer=tagger.tokenizer,
                        function_to_apply="sigmoid", top_k=None, device=-1)
    tag = pipeline("token-classification", model=tag_view, tokenizer=tagger.tokenizer,
                   aggregation_strategy="none", device=-1)
    top, entities = [], []
    started = time.perf_counter()
    for text in texts:
        folded = fold(text)
        if tagger.word_boundaries:
            by_char = word_places(folded)
            encoded = tagger.tokenizer(folded, return_offsets_mapping=True)
            places = [by_char[s] if e > s else 0 for s, e in encoded["offset_mapping"]]
            label_view.places = tag_view.places = torch.tensor([places])
        ranked = classify(folded)
        ranked = ranked[0] if isinstance(ranked[0], list) else ranked
        top.append(ranked[0]["label"])
        tokens = tag(folded)
        by_index = {t["index"]: t for t in tokens}
        encoded = tagger.tokenizer(folded, return_offsets_mapping=True)
        offsets = [(s, e) if e > s else None for s, e in encoded["offset_mapping"]]
        token_tags = [by_index[i]["entity"] if i in by_index else "O" for i in range(len(offsets))]
        entities.append(decode_tags(token_tags, offsets))
    return top, entities, time.perf_counter() - started


def fast(tagger: Tagger, texts: list[str]) -> tuple[list[str], list[list[tuple]], float]:
    inputs = [ParagraphInput(t) for t in texts]
    started = time.perf_counter()
    outputs = tagger.predict(inputs)
    seconds = time.perf_counter() - started
    top = [tagger.labels[int(np.argmax(o.label_scores))] for o in outputs]
    return top, [[(s, e, k) for s, e, k, _ in o.entities] for o in outputs], seconds


def agreement(a: tuple, b: tuple) -> tuple[float, float]:
    labels = float(np.mean([x == y for x, y in zip(a[0], b[0])]))
    entities = float(np.mean([sorted(x) == sorted(y) for x, y in zip(a[1], b[1])]))
    return labels, entities


def matmul_peak(dtype: torch.dtype) -> float:
    """GFLOP/s of a 1024² matmul in this process, the best of a few runs."""
    a, b = torch.randn(1024, 1024, dtype=dtype), torch.randn(1024, 1024, dtype=dtype)
    best = 0.0
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(10):
            a @ b
        best = max(best, 10 * 2 * 1024**3 / (time.perf_counter() - started) / 1e9)
    return best


def flops(config, lengths: list[int]) -> float:
    """Forward FLOPs of the encoder and both heads over sequences of these lengths."""
    h, layers, inner = config.hidden_size, config.num_hidden_layers, config.intermediate_size
    total = 0.0
    for n in lengths:
        total += layers * (2 * n * (4 * h * h + 2 * h * inner) + 4 * n * n * h)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=str(DEFAULT_MODEL))
    parser.add_argument("--paragraphs", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--bf16", action="store_true", help="also time bf16 (about 7x slower than fp32 on AVX2-only CPUs)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    transformers_logging.set_verbosity_error()  # the views are not registered model classes; that is fine

    examples = [e for path in sorted((ROOT / "corpora" / "labelled").glob("*.jsonl")) for e in read_examples(path)]
    tagger = Tagger.from_pretrained(args.model)
    window = tagger.max_length - 2
    texts = [e.text for e in examples if len(e.text) <= window][: args.paragraphs]
    tokens = [len(tagger.tokenizer(fold(t))["input_ids"]) for t in texts]
    print(f"{len(texts)} paragraphs, {sum(tokens)} tokens (mean {np.mean(tokens):.0f}), {args.threads} threads")

    fast(tagger, texts[:32])  # warm up
    runs = {"naive (HF pipelines, one at a time)": naive(tagger, texts), "edunlp batch fp32": fast(tagger, texts)}
    int8 = Tagger.from_pretrained(args.model, quantize=True)
    runs["edunlp batch int8"] = fast(int8, texts)
    if args.bf16:
        bf16 = Tagger(copy.deepcopy(tagger.model).to(torch.bfloat16), tagger.tokenizer)
        runs["edunlp batch bf16"] = fast(bf16, texts)

    naive_run, fp32 = runs["naive (HF pipelines, one at a time)"], runs["edunlp batch fp32"]
    # The naive pipeline decodes each token's best tag; check the batch path against it the same way.
    same_decoding = fast(Tagger(tagger.model, tagger.tokenizer, viterbi=False), texts)
    naive_labels, naive_entities = agreement(same_decoding, naive_run)
    print(f"batch path against the naive pipelines (same weights, per-token decoding): "
          f"labels {naive_labels:.3f}, entities {naive_entities:.3f}")
    peak32 = matmul_peak(torch.float32)
    work = flops(tagger.model.config, tokens)
    print(f"matmul peak here (fp32, 1024x1024): {peak32:.0f} GFLOP/s")
    print(f"{'path':<38}{'para/s':>9}{'tokens/s':>10}{'GFLOP/s':>9}{'% peak':>8}{'label agr':>10}{'entity agr':>11}")
    best_name, best_speed = None, 0.0
    for name, run in runs.items():
        seconds = run[2]
        labels, entities = agreement(run, fp32) if name.startswith("edunlp") else (naive_labels, naive_entities)
        achieved = work / seconds / 1e9 * (2 if name.startswith("naive") else 1)  # naive runs the encoder twice
        print(f"{name:<38}{len(texts) / seconds:>9.1f}{sum(tokens) / seconds:>10.0f}{achieved:>9.1f}"
              f"{100 * achieved / peak32:>7.0f}%{labels:>10.3f}{entities:>11.3f}")
        if name.startswith("edunlp") and min(labels, entities) >= AGREEMENT and len(texts) / seconds > best_speed:
            best_name, best_speed = name, len(texts) / seconds
    print(f"(agreement: naive row = batch path vs naive pipelines; edunlp rows = against batch fp32; "
          f"a fast path counts when both agreements are >= {AGREEMENT})")
    print(f"fastest path keeping agreement: {best_name}")
    print(f"speedup_vs_naive: {best_speed / (len(texts) / naive_run[2]):.2f}")


if __name__ == "__main__":
    main()
