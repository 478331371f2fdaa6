"""Held-out masked-token accuracy of a masked LM, and fill-mask probes.

Accuracy: the held-out paragraphs of training/pretrain_mlm.py (never trained on), packed the same
way, masked with whole-word masking at 15 % with a fixed seed, so two models see the same masks.
Every selected position counts (80 % [MASK], 10 % random, 10 % unchanged, as in training).
Prints top-1 and top-5 accuracy and perplexity per source, beside a no-context baseline that
always guesses the five most frequent tokens of the training text.

With `--fill`, sixteen one-[MASK] sentences (FILL_PROBES: eight of ordinary Chinese, eight in
bulletin style), each with the character a reader would write: prints the five best guesses and
how many answers rank first and in the top five.

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

from edunlp.tagging.encoder import DEFAULT_ENCODER, load_encoder  # noqa: E402

# One-[MASK] probes with the character a reader would put there: ordinary Chinese, then
# bulletin-style text. Written for this project; each blank has one clear answer.
FILL_PROBES = [
    ("中华人民共和[MASK]成立于一九四九年。", "国"),
    ("我们明天一起去北[MASK]看长城。", "京"),
    ("他每天早上七点去学[MASK]上课。", "校"),
    ("今年冬天特别冷，已经下了三场大[MASK]。", "雪"),
    ("经济发展和社会稳[MASK]是头等大事。", "定"),
    ("这个问题需要认真研[MASK]，尽快解决。", "究"),
    ("国务院总[MASK]会见了外国客人。", "理"),
    ("他是一名优秀的人民教[MASK]。", "师"),
    ("教育部印发《关于加强中小学网络安全工作的通[MASK]》。", "知"),
    ("国家中小学智慧教育平[MASK]新增课程资源二千余条。", "台"),
    ("各地组织开展国家网络安全宣传[MASK]活动。", "周"),
    ("本月共发现并通报安全漏[MASK]一百二十个。", "洞"),
    ("推进教育信息化2.0行动计[MASK]落地实施。", "划"),
    ("全省中小学多媒体教[MASK]覆盖率达到98%。", "室"),
    ("组织开展网络安全等级保[MASK]测评工作。", "护"),
    ("实施中小学教师信息技术应用能力提[MASK]工程。", "升"),
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
def held_out_accuracy(model_dir: Path, seed: int, batch_size: int, max_length: int, char_share: float = 0.0,
                      real: bool = False) -> dict:
    """{source: {"tokens", "top1", "top5", "perplexity", "unigram_top1", "unigram_top5"}} over
    the held-out split (with `real`, also the held-out 2 % of ../shared/realtext)."""
    tokenizer, model = load_encoder(model_dir, task="masked-lm")
    paragraphs, segmenter = load_paragraphs(real=real)
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


def score_probes(model_dir: Path) -> dict:
    """FILL_PROBES through the model: {"guesses": top 5 per probe, "top1", "top5": probes whose
    answer is ranked first / among the first five}."""
    guesses = [masks[0] for masks in fill(model_dir, [sentence for sentence, _ in FILL_PROBES])]
    answers = [answer for _, answer in FILL_PROBES]
    return {
        "guesses": guesses,
        "top1": sum(g[0][0] == a for g, a in zip(guesses, answers)),
        "top5": sum(a in [token for token, _ in g] for g, a in zip(guesses, answers)),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_ENCODER)
    parser.add_argument("--fill", action="store_true", help="print the fill-mask demo instead")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--char-share", type=float, default=0.0, help="share of drawn words masking one character")
    parser.add_argument("--realtext", action="store_true", help="also score held-out real text (../shared/realtext)")
    args = parser.parse_args(argv)

    if args.fill:
        scored = score_probes(args.model)
        for (sentence, answer), guesses in zip(FILL_PROBES, scored["guesses"]):
            shown = "  ".join(f"{token} {p:.2f}" for token, p in guesses)
            print(f"{sentence}  [{answer}]\n    {shown}")
        n = len(FILL_PROBES)
        print(f"answer ranked first: {scored['top1']}/{n}; in the top 5: {scored['top5']}/{n}")
        return
    results = held_out_accuracy(args.model, args.seed, args.batch_size, args.max_length, args.char_share, args.realtext)
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
