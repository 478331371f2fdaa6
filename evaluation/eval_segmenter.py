"""Word precision, recall and F1 of the shipped segmenter and of jieba on the held-out split.

The held-out split is the one training/train_segmenter.py never trains on: People's Daily
paragraphs from index HELD_OUT_FROM on, cut into sentences, folded like the training text. Each
system segments the unspaced sentence; a predicted word counts as correct when its (start, end)
matches a gold word exactly. Systems:

* pkuseg model alone: the shipped weights, no user dictionary, no post-processing;
* edunlp.segmentation.words.tokenize: what the library does (model + user dictionary, inside spaCy);
* + pkuseg post-processing: the same with pkuseg's default-dictionary merging left on, which
  edunlp.segmentation.words switches off;
* uncompacted model: the float64 model before `compact`, if training left it in build/;
  also counts the held-out sentences the two segment differently;
* jieba (default dictionary, HMM on).

    python -m evaluation.eval_segmenter
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from training.train_segmenter import DEFAULT_RAW, load_split

Segmenter = Callable[[str], list[str]]


def spans(words: Iterable[str]) -> set[tuple[int, int]]:
    """The (start, end) of each word when the words are written one after another."""
    out, start = set(), 0
    for word in words:
        out.add((start, start + len(word)))
        start += len(word)
    return out


def score(segment: Segmenter, sentences: list[list[str]]) -> dict[str, float]:
    """Micro-averaged word precision, recall and F1 (in %) of `segment` on gold `sentences`."""
    correct = predicted = gold = 0
    started = time.time()
    for sentence in sentences:
        text = "".join(sentence)
        output = segment(text)
        if "".join(output) != text:
            raise ValueError(f"segmenter changed the text of {text[:30]!r}…")
        gold_spans, predicted_spans = spans(sentence), spans(output)
        correct += len(gold_spans & predicted_spans)
        predicted += len(predicted_spans)
        gold += len(gold_spans)
    precision, recall = correct / predicted, correct / gold
    return {
        "P": 100 * precision,
        "R": 100 * recall,
        "F1": 100 * 2 * precision * recall / (precision + recall),
        "seconds": time.time() - started,
    }


def systems(raw_dir: Path) -> dict[str, Segmenter]:
    """Every segmenter to compare, by display name."""
    import jieba
    import spacy_pkuseg

    from edunlp.segmentation import words

    jieba.setLogLevel(60)
    model = str(words.MODEL_DIR)
    found = {
        "pkuseg model alone": spacy_pkuseg.pkuseg(model, user_dict=None).cut,
        "edunlp.segmentation.words.tokenize": words.tokenize,
        "+ pkuseg post-processing": spacy_pkuseg.pkuseg(model, user_dict=str(words.USER_DICT)).cut,
    }
    if (raw_dir / "weights.npz").is_file():
        found["uncompacted model"] = spacy_pkuseg.pkuseg(str(raw_dir), user_dict=None).cut
    found["jieba"] = jieba.lcut
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--raw", type=Path, default=DEFAULT_RAW, help="uncompacted model, if kept")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N sentences")
    args = parser.parse_args(argv)

    held_out = load_split()[1][: args.limit]
    print(f"held-out: {len(held_out)} sentences, {sum(len(w) for s in held_out for w in s)} "
          f"characters, {sum(len(s) for s in held_out)} words")
    found = systems(args.raw)
    print(f"{'system':<24}{'P':>7}{'R':>7}{'F1':>7}{'seconds':>9}")
    for name, segment in found.items():
        r = score(segment, held_out)
        print(f"{name:<24}{r['P']:7.2f}{r['R']:7.2f}{r['F1']:7.2f}{r['seconds']:9.1f}")
    if "uncompacted model" in found:
        compacted, raw = found["pkuseg model alone"], found["uncompacted model"]
        differ = sum(compacted(text) != raw(text) for text in ("".join(s) for s in held_out))
        print(f"compacted vs uncompacted: {differ} of {len(held_out)} sentences differ")


if __name__ == "__main__":
    main()
