"""Held-out masked-token accuracy of a masked LM, and a fill-mask demo.

Accuracy: the held-out paragraphs of training/pretrain_mlm.py (never trained on), packed the same
way, masked with whole-word masking at 15 % with a fixed seed, so two models see the same masks.
Every selected position counts (80 % [MASK], 10 % random, 10 % unchanged, as in training).
Prints top-1 and top-5 accuracy and perplexity per source, beside a no-context baseline that
always guesses the five most frequent tokens of the training text.

With `--char-share 1`, every drawn word gives one character instead (what a one-[MASK] probe asks).

    python evaluation/eval_mlm.py --model models/edunlp-zh-mini-base
    python evaluation/eval_mlm.py --model models/edunlp-zh-mini-base --char-share 1
    python evaluation/eval_mlm.py --model models/edunlp-zh-mini-base --fill
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import Counter
from pathlib import Path

import torch
import torch.nn.functional as F

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "training"))
from pretrain_mlm import (  # noqa: E402  (a script directory, not a package)
    WholeWordMaskCollator,
    build_sequences,
    load_paragraphs,
    masked_logits,
    split_held_out,
)

from edunlp.encoder import DEFAULT_ENCODER, load_encoder  # noqa: E402

# Masked sentences for the demo: ordinary Chinese first, then bulletin-style text.
FILL_SENTENCES = [
    "中华人民共和[MASK]成立于一九四九年。",
    "我们明天一起去北[MASK]看长城。",
    "他每天早上七点去学[MASK]上课。",
    "教育部印发《关于加强中小学网络安全工作的通[MASK]》。",
    "国家中小学智慧教育平[MASK]新增课程资源二千余条。",
    "各地组织开展国家网络安全宣传[MASK]活动。",
    "本月共发现并通报安全漏[MASK]一百二十个。",
]


def most_frequent_tokens(paragraphs: list[dict], tokenizer, k: int = 5) -> torch.Tensor:
    """Ids of the k most frequent tokens of `paragraphs`, most frequent first."""
    counts: Counter[int] = Counter()
    for paragraph in paragraphs:
        counts.update(
            tokenizer(paragraph["words"], is_split_into_words=True, add_special_tokens=False,
                      verbose=False)["input_ids"]
        )
    return torch.tensor([token for token, _ in counts.most_common(k)])


@torch.no_grad()
def held_out_accuracy(model_dir: Path, seed: int, batch_size: int, max_length: int, char_share: float = 0.0) -> dict:
    """{source: {"tokens", "top1", "top5", "perplexity", "unigram_top1", "unigram_top5"}} over
    the held-out split."""
    tokenizer, model = load_encoder(model_dir, task="masked-lm")
    paragraphs, segmenter = load_paragraphs()
    train, held_out = split_held_out(paragraphs)
    frequent = most_frequent_tokens(train, tokenizer)
    sequences = build_sequences(held_out, tokenizer, max_length)
    collate = WholeWordMaskCollator(tokenizer, seed, char_share)
    print(f"{len(held_out)} held-out paragraphs, {len(sequences)} sequences, words by {segmenter}")

    results = {}
    for source in sorted(set(sequences["source"])):
        rows = sequences.filter(lambda s: s == source, input_columns="source")
        n = top1 = top5 = unigram1 = unigram5 = 0
        loss_sum = 0.0
        for start in range(0, len(rows), batch_size):
            batch = collate(list(rows.select(range(start, min(start + batch_size, len(rows))))))
            logits, labels = masked_logits(model, batch)
            loss_sum += F.cross_entropy(logits.float(), labels, reduction="sum").item()
            best = logits.topk(5, dim=-1).indices
            top1 += (best[:, 0] == labels).sum().item()
            top5 += (best == labels[:, None]).any(dim=-1).sum().item()
            unigram1 += (labels == frequent[0]).sum().item()
            unigram5 += torch.isin(labels, frequent).sum().item()
            n += labels.numel()
        results[source] = {
            "tokens": n,
            "top1": top1 / n,
            "top5": top5 / n,
            "perplexity": math.exp(loss_sum / n),
            "unigram_top1": unigram1 / n,
            "unigram_top5": unigram5 / n,
        }
    return results


@torch.no_grad()
def fill(model_dir: Path, sentences: list[str], k: int = 5) -> list[list[list[tuple[str, float]]]]:
    """For each sentence, for each [MASK] in it, the k best tokens with their probabilities."""
    tokenizer, model = load_encoder(model_dir, task="masked-lm")
    out = []
    for sentence in sentences:
        encoded = tokenizer(sentence, return_tensors="pt")
        probs = model(**encoded).logits[0].softmax(-1)
        positions = (encoded["input_ids"][0] == tokenizer.mask_token_id).nonzero().flatten()
        per_mask = []
        for position in positions:
            top = probs[position].topk(k)
            tokens = tokenizer.convert_ids_to_tokens(top.indices.tolist())
            per_mask.append(list(zip(tokens, top.values.tolist())))
        out.append(per_mask)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_ENCODER)
    parser.add_argument("--fill", action="store_true", help="print the fill-mask demo instead")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--char-share", type=float, default=0.0, help="share of drawn words masking one character")
    args = parser.parse_args(argv)

    if args.fill:
        for sentence, masks in zip(FILL_SENTENCES, fill(args.model, FILL_SENTENCES)):
            for guesses in masks:
                shown = "  ".join(f"{token} {p:.2f}" for token, p in guesses)
                print(f"{sentence}\n    {shown}")
        return
    results = held_out_accuracy(args.model, args.seed, args.batch_size, args.max_length, args.char_share)
    print(
        f"{'source':<15}{'masked tokens':>14}{'top-1':>8}{'top-5':>8}{'perplexity':>12}"
        f"{'unigram top-1':>15}{'unigram top-5':>15}"
    )
    for source, r in results.items():
        print(
            f"{source:<15}{r['tokens']:>14}{r['top1']:>8.1%}{r['top5']:>8.1%}"
            f"{r['perplexity']:>12.1f}{r['unigram_top1']:>15.1%}{r['unigram_top5']:>15.1%}"
        )


if __name__ == "__main__":
    main()
