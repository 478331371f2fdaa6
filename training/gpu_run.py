"""Pretrain a bigger encoder and fine-tune it, in one call of a lent GPU machine.

Reads only what training/gpu_prepare.py put in `.gpu/` (the machine has no ../shared, spaCy or
segmenter model) and the repository's code, and writes into `--out` ($OUT there) what comes back:

* `encoder.tar.partNN`: the pretrained encoder (fp16 where fp32 would pass 25 MiB), cut into parts
  of 15 MiB, since no file over 16 MiB comes back;
* `model.tar.partNN`: the fine-tuned model of `edunlp train --no-lexical` (weights, tokenizer,
  training.json, card): here, `training/finish_model.py` fits its lexical half, thresholds and card;
* `summary.json`: both runs' summaries; the log is what the command tees (training/README.md).

Steps, each timed against `--minutes` (the whole run), so the command ends inside its limit:
a preflight (imports, the word-span table, the model's size) that fails in seconds; masked-LM
pretraining for `--pretrain-minutes` on `.gpu/pretrain.npz` (bf16 autocast on a GPU); fine-tuning
with the project's own `edunlp train` (early stopping on the dev files) for what time is left.

    bash training/gpu_run.sh --minutes 9 --pretrain-minutes 4         # there (training/README.md, "On a GPU")
    python training/gpu_run.py --smoke --gpu-dir /tmp/gpu-smoke --out /tmp/gpu-out \\
        --refuse-imports spacy spacy_pkuseg datasets pypinyin jieba snownlp      # here, on CPU
"""

from __future__ import annotations

import argparse
import importlib.abc
import json
import shutil
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "training")]  # no edunlp is installed there: the checkout's
PART_BYTES = 15 * 2**20  # files come back only under 16 MiB each
# Smoke runs: a tiny encoder and a minute of everything.
SMOKE = {"layers": 2, "hidden": 64, "heads": 2, "intermediate": 128, "batch_size": 32, "pretrain_minutes": 0.3,
         "epochs": 2, "minutes": 3.0}


class RefuseImports(importlib.abc.MetaPathFinder):
    """Make `import NAME` fail for the given top-level names: here, on CPU, this checks that the
    run imports nothing the GPU image lacks and `.gpu/wheels` does not bring."""

    def __init__(self, names: list[str]) -> None:
        self.names = set(names)

    def find_spec(self, fullname: str, path=None, target=None) -> None:  # noqa: ANN001 (the finder protocol)
        if fullname.split(".")[0] in self.names:
            raise ModuleNotFoundError(f"{fullname} is refused (--refuse-imports): the GPU machine lacks it")


def split_tar(folder: Path, out: Path, name: str) -> list[str]:
    """Tar `folder` and cut the tar into `out/NAME.tar.partNN` of PART_BYTES at most."""
    with tempfile.TemporaryDirectory() as temp:
        archive = Path(temp) / f"{name}.tar"
        with tarfile.open(archive, "w") as tar:
            tar.add(folder, arcname=name)
        parts = []
        with open(archive, "rb") as whole:
            while chunk := whole.read(PART_BYTES):
                part = out / f"{name}.tar.part{len(parts):02d}"
                part.write_bytes(chunk)
                parts.append(part.name)
    return parts


def preflight(args: argparse.Namespace) -> dict:
    """Everything that can fail before the long steps: imports, files, the word-span table, the
    device, and whether the encoder's weights fit in one shipped file."""
    import torch
    from transformers import AutoTokenizer

    import edunlp.tagging.model as model_module
    from edunlp.cli import main as edunlp_main  # noqa: F401  (imports what fine-tuning imports)
    from edunlp.corpus.examples import read_examples
    from edunlp.tagging.tagger import WEIGHTS_LIMIT_BYTES, Tagger, paragraph_input
    from gpu_prepare import WordSpanTable
    from pretrain_mlm import make_model, parse_args

    manifest = json.loads((args.gpu_dir / "manifest.json").read_text(encoding="utf-8"))
    table = WordSpanTable(args.gpu_dir / "word_spans.json.gz")
    if table.window != args.window:
        raise SystemExit(f"{table.path}: made for --window {table.window}, not {args.window}")
    model_module.token_spans = table  # fine-tuning reads word places from the table, not from spaCy
    tokenizer = AutoTokenizer.from_pretrained(args.gpu_dir / "tokenizer", local_files_only=True)
    # The tagger's own chunking over the first paragraphs of every file, with the table's word places:
    # a missing window or package fails here, not after pretraining. It needs no model, only these.
    chunking = SimpleNamespace(max_length=args.window, tokenizer=tokenizer, word_boundaries=True)
    for name in {*manifest["data"], *manifest["dev"], *manifest["test"]}:
        examples = read_examples(args.gpu_dir / "data" / name)[:100]
        Tagger.chunks(chunking, [paragraph_input(e, with_head=head) for e in examples for head in (True, False)])
    pretrain_args = parse_args(pretrain_argv(args, Path("unused")))
    parameters = sum(p.numel() for p in make_model(pretrain_args, tokenizer).bert.parameters())
    fp16_bytes = 2 * (parameters + args.hidden * (args.hidden + 1) + 2**16)  # a pooler and the heads on top
    if fp16_bytes >= WEIGHTS_LIMIT_BYTES:
        raise SystemExit(f"an encoder of {parameters} parameters is {fp16_bytes / 2**20:.1f} MiB in fp16, "
                         f"over the {WEIGHTS_LIMIT_BYTES / 2**20:.0f} MiB a shipped file may hold: make it smaller")
    device = "cuda" if torch.cuda.is_available() else "cpu"
    facts = {"torch": torch.__version__, "device": torch.cuda.get_device_name() if device == "cuda" else "cpu",
             "encoder_parameters": parameters, "encoder_fp16_mib": round(fp16_bytes / 2**20, 2),
             "word_span_windows": len(table.spans), "window": table.window}
    print(f"preflight: {json.dumps(facts)}", flush=True)
    return facts


def pretrain_argv(args: argparse.Namespace, out: Path) -> list[str]:
    """training/pretrain_mlm.py's command line for the packed arrays."""
    import torch

    argv = ["--tokenizer", str(args.gpu_dir / "tokenizer"), "--packed", str(args.gpu_dir / "pretrain.npz"),
            "--out", str(out), "--epochs", "1000", "--max-minutes", str(args.pretrain_minutes),
            "--layers", str(args.layers), "--hidden", str(args.hidden), "--heads", str(args.heads),
            "--intermediate", str(args.intermediate), "--batch-size", str(args.batch_size), "--lr", str(args.lr),
            "--warmup", "0.05", "--char-share", "0.5", "--dropout", "0", "--bulletin-repeat", "2",
            "--sinusoidal-positions", "0.085", "--local-heads", "2", "--seed", str(args.seed), "--log-every", "200"]
    return argv + (["--bf16"] if torch.cuda.is_available() else [])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="$OUT there: what comes back")
    parser.add_argument("--gpu-dir", type=Path, default=REPO / ".gpu", help="what training/gpu_prepare.py made")
    parser.add_argument("--minutes", type=float, default=9.0, help="the whole run, preflight to last file")
    parser.add_argument("--pretrain-minutes", type=float, default=4.0)
    parser.add_argument("--layers", type=int, default=6)
    parser.add_argument("--hidden", type=int, default=384)
    parser.add_argument("--heads", type=int, default=6)
    parser.add_argument("--intermediate", type=int, default=1152)
    parser.add_argument("--batch-size", type=int, default=512, help="pretraining sequences per step")
    parser.add_argument("--lr", type=float, default=1e-3, help="pretraining peak learning rate")
    parser.add_argument("--finetune-lr", type=float, default=3e-4, help="`edunlp train --lr` (encoder)")
    parser.add_argument("--epochs", type=int, default=12, help="`edunlp train --epochs` (patience 3)")
    parser.add_argument("--window", type=int, default=128, help="`edunlp train --window`: as gpu_prepare's")
    parser.add_argument("--seed", type=int, default=47)
    parser.add_argument("--encoder", type=Path, help="skip pretraining: fine-tune this encoder")
    parser.add_argument("--smoke", action="store_true", help=f"a tiny run to check the chain: {SMOKE}")
    parser.add_argument("--refuse-imports", nargs="*", default=[], metavar="MODULE",
                        help="fail on importing these (on CPU here: to mimic the GPU image)")
    args = parser.parse_args()
    if args.smoke:
        for name, value in SMOKE.items():
            setattr(args, name, value)
    sys.meta_path.insert(0, RefuseImports(args.refuse_imports))
    started = time.monotonic()
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="edunlp-gpu-"))
    summary: dict = {"preflight": preflight(args)}

    def write_summary() -> None:
        summary["minutes"] = round((time.monotonic() - started) / 60, 2)
        (args.out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")

    encoder = args.encoder
    if encoder is None:
        from pretrain_mlm import parse_args, train

        encoder = work / "encoder"
        summary["pretraining"] = train(parse_args(pretrain_argv(args, encoder)))
        summary["encoder_parts"] = split_tar(encoder, args.out, "encoder")
        write_summary()

    from edunlp.cli import main as edunlp_main  # word places come from the table preflight put in place

    manifest = json.loads((args.gpu_dir / "manifest.json").read_text(encoding="utf-8"))
    data = lambda names: [str(args.gpu_dir / "data" / name) for name in names]  # noqa: E731
    left = args.minutes - (time.monotonic() - started) / 60 - 1.5  # the last epoch, the card and the tar
    model = work / "model"
    status = edunlp_main([
        "train", "--data", *data(manifest["data"]), "--dev", *data(manifest["dev"]),
        *(["--test", *data(manifest["test"])] if manifest["test"] else []),
        "--base", str(encoder), "--out", str(model), "--epochs", str(args.epochs), "--patience", "3",
        "--lr", str(args.finetune_lr), "--window", str(args.window), "--seed", str(args.seed),
        "--max-minutes", f"{max(left, 0.1):.2f}", "--no-lexical",
    ])
    if status:
        raise SystemExit(f"edunlp train failed ({status}); the encoder came back: {summary.get('encoder_parts')}")
    summary["fine_tuning"] = json.loads((model / "training.json").read_text(encoding="utf-8"))
    summary["model_parts"] = split_tar(model, args.out, "model")
    summary["model_files"] = {p.name: p.stat().st_size for p in sorted(model.iterdir())}
    write_summary()
    shutil.rmtree(work, ignore_errors=True)
    print(f"done in {summary['minutes']} min: {sorted(p.name for p in args.out.iterdir())}", flush=True)


if __name__ == "__main__":
    main()
