"""The `edunlp` command line.

    edunlp segment PATH... -o OUT.jsonl            paragraphs, sentences and rule-based indicators
    edunlp tag PATH... -o OUT.jsonl [--model DIR]  + labels, entities, indicators
               [--engine ray [--address ADDR]]    … on a Ray cluster
    edunlp train --data PATH... --out DIR          fine-tune on labelled paragraphs
    edunlp evaluate --data PATH... [--model DIR]   figures beside keyword and TF-IDF baselines
    edunlp indicators PATH... -o FILE              one row per indicator (.csv or .parquet)
    edunlp report PATH... -o report.html           an offline page with charts (+ report_files/ when large)
    edunlp export PATH... --to label-studio|doccano -o FILE   the model's pre-annotations

PATH `-` reads one bulletin from standard input; `-o -` writes the result to standard output
(JSONL rows of segment and tag as documents finish, anything else when done).
The exit statuses are in EXIT_STATUSES, which `edunlp --help` prints.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import shlex
import shutil
import sys
import tempfile
import traceback
from collections.abc import Iterator
from pathlib import Path

from . import __version__
from .batch.heap import steady_heap
from .batch.jobs import FORMATS, STDOUT, Summary, run
from .corpus.annotation import TOOLS
from .errors import EdunlpError
from .reading.files import MAX_BYTES
from .reading.inputs import expand_inputs

OK, PARTIAL, USAGE, CRASH = 0, 1, 2, 3
SIGPIPE = 128 + 13  # what a shell reports for a command whose reader went away
EXIT_STATUSES = """exit status: 0 all done; 1 some inputs failed (see stderr and OUT.errors.jsonl), the rest
written; 2 usage or setup error (bad option, no input found, missing or broken model, unreadable
labelled file), one line on stderr; 3 crash (a bug: --verbose shows the traceback); 141 the reader of
-o - stopped reading"""


class UsageError(EdunlpError):
    """A mistake in what the user asked for: one line on stderr, exit status 2."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="edunlp", description="Read MoE education-informatization bulletins.",
                                     epilog=EXIT_STATUSES)
    parser.add_argument("--version", action="version", version=f"edunlp {__version__}")
    parser.add_argument("--verbose", action="store_true", help="show the traceback when edunlp crashes")
    commands = parser.add_subparsers(dest="command", required=True)

    seg = commands.add_parser("segment", help="paragraphs, sentences and rule-based indicators, no model (JSONL)")
    _add_inputs(seg)

    tag = commands.add_parser("tag", help="label paragraphs and extract entities and indicators (JSONL)")
    _add_inputs(tag)
    tag.add_argument("--model", help="fine-tuned model directory (default: the shipped model)")
    tag.add_argument("--quantize", action="store_true", help="int8 dynamic quantisation of the linear layers")
    tag.add_argument("--engine", choices=("local", "ray"), default="local",
                     help="ray: read and tag on a Ray cluster (pip install 'edunlp[ray]'); --workers is then "
                          "the number of actors holding the model (default: one per --threads CPUs)")
    tag.add_argument("--address", help="Ray cluster address (default: $RAY_ADDRESS, else the cluster `ray start` started on this machine, else a local Ray instance)")
    tag.add_argument("--threads", type=int, default=1, help="torch threads (and CPUs reserved) per Ray actor")

    train = commands.add_parser("train", help="fine-tune the model on labelled paragraphs")
    train.add_argument("--data", nargs="+", required=True, help="labelled files (edunlp JSONL, doccano, Label Studio)")
    train.add_argument("--dev", nargs="*", help="dev files for early stopping (default: hold out 10%% of bulletins)")
    train.add_argument("--test", nargs="*", help="test files, evaluated once at the end into the model card")
    train.add_argument("--out", required=True, help="output model directory")
    train.add_argument("--base", help="BERT-family directory to start from (default: models/edunlp-zh-mini-base)")
    train.add_argument("--epochs", type=int, default=8)
    train.add_argument("--batch-size", type=int, default=16)
    train.add_argument("--lr", type=float, default=1e-4, help="learning rate of the encoder")
    train.add_argument("--head-lr", type=float, default=2e-3, help="learning rate of the two new heads")
    train.add_argument("--window", type=int, default=128, help="tokens per window (the base's pretraining length)")
    train.add_argument("--seed", type=int, default=13)
    train.add_argument("--patience", type=int, default=2)
    train.add_argument("--max-minutes", type=float, help="stop after this many minutes (keeps the best epoch)")
    train.add_argument("--word-boundaries", action=argparse.BooleanOptionalAction, default=True,
                       help="give the model each character's place in its pkuseg word (default: on)")
    train.add_argument("--resume", action="store_true",
                       help="continue an interrupted run of the same command from its last finished epoch")
    train.add_argument("--lexical", action=argparse.BooleanOptionalAction, default=True,
                       help="mix a character n-gram labeller into the label scores, weight tuned on dev (default: on)")

    evaluate = commands.add_parser("evaluate", help="per-label, entity and indicator figures beside the baseline")
    evaluate.add_argument("--data", nargs="+", required=True, help="labelled files to evaluate on")
    evaluate.add_argument("--model", help="fine-tuned model directory (default: the shipped model)")
    evaluate.add_argument("--train", nargs="*", help="training files for the TF-IDF baseline (default: the model's own)")
    evaluate.add_argument("--dev", nargs="*", help="files the TF-IDF baseline tunes thresholds on (default: the model's dev)")
    evaluate.add_argument("--heads", action="store_true", help="show the model the topic heads too")
    evaluate.add_argument("--json", help="also write the figures to this JSON file")
    for command in (train, evaluate):
        command.add_argument("--use-predictions", action="store_true",
                             help="read a Label Studio task nobody annotated as its prediction (default: skip it)")

    for name, help_text in (("indicators", "one row per indicator over months and regions (.csv or .parquet)"),
                            ("report", "an HTML report (offline): charts, a filterable indicator table, highlighted entities")):
        command = commands.add_parser(name, help=help_text)
        _add_inputs(command)
        command.add_argument("--model", help="fine-tuned model directory (default: the shipped model)")
        command.add_argument("--quantize", action="store_true", help="int8 dynamic quantisation of the linear layers")
        command.add_argument("--rules", nargs="*", default=[], help="extra indicator grouping rule files (TSV)")
    commands.choices["report"].add_argument("--layout", choices=("auto", "single", "split"), default="auto",
        help="single: one self-contained page; split: the overview page and, in OUT_files/ beside it, a page per "
             "bulletin and the indicator table; auto (default): single for a small archive (bulletins up to 2 MiB "
             "of markup), else split; -o - is always single")

    export = commands.add_parser("export", help="the model's labels and entities as pre-annotations for an annotation tool")
    _add_inputs(export, formats=False)
    export.add_argument("--to", choices=TOOLS, required=True,
                        help="Label Studio JSON tasks (and FILE.label_config.xml beside), or doccano JSONL")
    export.add_argument("--model", help="fine-tuned model directory (default: the shipped model)")
    export.add_argument("--quantize", action="store_true", help="int8 dynamic quantisation of the linear layers")

    args = parser.parse_args(argv)
    args.argv = sys.argv[1:] if argv is None else argv
    handlers = {"segment": _segment, "tag": _tag, "train": _train, "evaluate": _evaluate,
                "indicators": _indicators, "report": _report, "export": _export}
    try:
        return handlers[args.command](args)
    except EdunlpError as error:  # bad input, a missing model, a locked output, a bad command line
        print(f"edunlp: error: {error}", file=sys.stderr)
        return USAGE
    except KeyboardInterrupt:
        print("edunlp: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of `-o -` stopped reading (`| head`): stop quietly, as cat does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so that exiting flushes nowhere
        return SIGPIPE
    except Exception as error:  # a bug: say so in one line, the traceback on demand
        if args.verbose:
            traceback.print_exc()
        hint = "" if args.verbose else " (--verbose shows the traceback)"
        print(f"edunlp: crashed: {type(error).__name__}: {error}{hint}", file=sys.stderr)
        return CRASH


def _add_inputs(parser: argparse.ArgumentParser, formats: bool = True) -> None:
    parser.add_argument("paths", nargs="+", help="files, directories (recursive), globs or .zip archives; - reads stdin")
    parser.add_argument("-o", "--output", required=True, help="output file (.jsonl, or the table with --format); - for stdout")
    if formats:
        parser.add_argument("--format", choices=FORMATS, default="jsonl", help="jsonl rows, or a csv/parquet paragraph table")
    parser.add_argument("--month", help="month of every input (YYYY-MM) when title and file name lack it")
    parser.add_argument("--force", action="store_true", help="redo every document, even those already done")
    parser.add_argument("--workers", type=int, help="processes reading inputs (0: none; default 1)")
    parser.add_argument("--max-mb", type=float, default=MAX_BYTES / 2**20,
                        help="largest document read, or inflated from an archive, in MiB (default: %(default)g)")


@contextlib.contextmanager
def _output(name: str, stdout_name: str) -> Iterator[Path]:
    """The path to write to: `name`, or for `-` a temporary `stdout_name` copied to stdout at the end
    (for what is written whole: a table, the report, an export; its resume state and errors file
    go with it, the errors are on stderr all the same)."""
    if name != "-":
        yield Path(name)
        return
    with tempfile.TemporaryDirectory(prefix="edunlp-") as folder:
        path = Path(folder) / stdout_name
        yield path
        sys.stdout.flush()
        with open(path, "rb") as handle:
            shutil.copyfileobj(handle, sys.stdout.buffer)
        sys.stdout.buffer.flush()


def _run(args: argparse.Namespace, output: str | Path, apply=None) -> int:
    steady_heap()  # this process is the batch's: its memory should not grow batch after batch
    summary = run(args.paths, output, apply=apply, month=args.month, force=args.force,
                  fmt=getattr(args, "format", "jsonl"), workers=1 if args.workers is None else args.workers,
                  max_bytes=int(args.max_mb * 2**20))
    return _finish(args, summary)


def _finish(args: argparse.Namespace, summary: Summary) -> int:
    for error in summary.errors:
        print(f"edunlp: error: {error}", file=sys.stderr)
    print(summary.line(Path(args.output)), file=sys.stderr)
    if not summary.found:
        raise UsageError("no input found (" + ", ".join(map(str, args.paths)) + ")")
    return PARTIAL if summary.errors else OK


def _rows_output(args: argparse.Namespace) -> contextlib.AbstractContextManager[str | Path]:
    """Where `segment` and `tag` write: `-` in JSONL is streamed by the batch job as documents
    finish (no resume state); a csv or parquet table for stdout is written whole, via `_output`."""
    if args.output == STDOUT and args.format == "jsonl":
        return contextlib.nullcontext(STDOUT)
    return _output(args.output, f"rows.{args.format}")


def _segment(args: argparse.Namespace) -> int:
    from .pipeline import rules

    with _rows_output(args) as output:
        return _run(args, output, apply=rules().apply)


def _tag(args: argparse.Namespace) -> int:
    if args.engine == "ray":
        return _tag_on_ray(args)
    if args.address:
        raise UsageError("--address needs --engine ray")
    from .pipeline import load

    pipeline = load(args.model, quantize=args.quantize)
    with _rows_output(args) as output:
        return _run(args, output, apply=pipeline.apply)


def _tag_on_ray(args: argparse.Namespace) -> int:
    from .batch.distributed import RayMissing, tag

    with _rows_output(args) as output:
        try:
            summary = tag(args.paths, output, address=args.address, workers=args.workers, threads=args.threads,
                          model=args.model, quantize=args.quantize, month=args.month, force=args.force,
                          fmt=args.format, max_bytes=int(args.max_mb * 2**20))
        except RayMissing as error:
            raise UsageError(str(error)) from None
        return _finish(args, summary)


def _tagged_sources(args: argparse.Namespace, output: Path) -> tuple[list[Path], int]:
    """`edunlp tag` JSONL inputs as they are; bulletins tagged first, resumably, into OUT.rows.jsonl."""
    tagged = [Path(p) for p in args.paths if str(p).endswith(".jsonl")]
    bulletins = [p for p in args.paths if not str(p).endswith(".jsonl")]
    if not bulletins:
        missing = [p for p in tagged if not p.is_file()]
        if missing:
            raise UsageError(f"{missing[0]}: no such file")
        return tagged, OK
    from .pipeline import load

    pipeline = load(args.model, quantize=args.quantize)
    rows = output.with_name(output.name + ".rows.jsonl")
    args = argparse.Namespace(**{**vars(args), "paths": bulletins, "format": "jsonl"})
    status = _run(args, rows, apply=pipeline.apply)
    return [*tagged, rows], status


def _indicators(args: argparse.Namespace) -> int:
    from .analysis.frames import to_frame
    from .output import write_table

    fmt = None if args.format == "jsonl" else args.format
    with _output(args.output, f"indicators.{fmt or 'csv'}") as output:
        sources, status = _tagged_sources(args, output)
        table = to_frame(sources, "indicators", rule_files=args.rules)
        write_table(table, output, fmt)
    print(f"edunlp: {len(table)} indicators → {args.output}", file=sys.stderr)
    return status


def _report(args: argparse.Namespace) -> int:
    from .analysis.report import build_report

    if args.output == "-" and args.layout == "split":
        raise UsageError("--layout split writes a folder of pages: give -o a file name")
    layout = "single" if args.output == "-" else args.layout
    with _output(args.output, "report.html") as output:
        sources, status = _tagged_sources(args, output)
        build_report(sources, output, rule_files=args.rules, layout=layout)
    print(f"edunlp: report → {args.output}", file=sys.stderr)
    return status


def _export(args: argparse.Namespace) -> int:
    from .analysis.frames import paragraph_rows
    from .corpus.annotation import export_lines, label_studio_config
    from .output import write_atomically

    suffix = ".json" if args.to == "label-studio" else ".jsonl"
    with _output(args.output, f"export{suffix}") as output:
        sources, status = _tagged_sources(args, output)
        model = f"edunlp {__version__} {args.model or 'default model'}"
        text = "".join(export_lines(paragraph_rows(sources), args.to, model))
        write_atomically(output, lambda temp: Path(temp).write_text(text, encoding="utf-8"))
        if args.to == "label-studio" and args.output != "-":
            config = output.with_name(output.stem + ".label_config.xml")
            write_atomically(config, lambda temp: Path(temp).write_text(label_studio_config(), encoding="utf-8"))
            print(f"edunlp: Label Studio labelling interface → {config}", file=sys.stderr)
    print(f"edunlp: {args.to} pre-annotations → {args.output}", file=sys.stderr)
    return status


def _read_labelled(paths: list[str], use_predictions: bool) -> list:
    from .corpus.examples import read_examples

    files, missing = expand_inputs(paths, extra_suffixes={".jsonl", ".json"}) if paths else ([], [])
    if missing:
        raise UsageError(str(missing[0]))
    examples = []
    for path in files:
        read = read_examples(path, use_predictions=use_predictions)
        if read.unannotated:
            print(f"edunlp: {path}: {read.unannotated} Label Studio tasks without an annotation skipped "
                  "(--use-predictions takes their predictions)", file=sys.stderr)
        examples.extend(read)
    return examples


def _train(args: argparse.Namespace) -> int:
    from .tagging.encoder import DEFAULT_ENCODER
    from .training.fit import TrainConfig, fit, split_dev

    read = functools.partial(_read_labelled, use_predictions=args.use_predictions)
    examples = read(args.data)
    train, dev = (examples, read(args.dev)) if args.dev else split_dev(examples, seed=args.seed)
    config = TrainConfig(epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.lr,
                         head_learning_rate=args.head_lr, seed=args.seed, max_length=args.window,
                         patience=args.patience, max_minutes=args.max_minutes,
                         word_boundaries=args.word_boundaries, lexical=args.lexical)
    test = read(args.test) if args.test else []
    command = shlex.join(["edunlp", *args.argv])
    summary = fit(train, dev, args.base or DEFAULT_ENCODER, args.out, config, test=test, command=command,
                  data=args.data, dev_data=args.dev, resume=args.resume)
    print(json.dumps({k: v for k, v in summary.items() if k != "history"}, ensure_ascii=False, indent=2))
    print(f"edunlp: model and its card → {args.out}", file=sys.stderr)
    return OK


def _evaluate(args: argparse.Namespace) -> int:
    from .training.evaluation import (KeywordBaseline, TfidfBaseline, compare_labellers, evaluate, format_comparison,
                             format_indicator_reports, format_report, indicator_gold_report, indicator_paths,
                             label_scores)
    from .pipeline import DEFAULT_MODEL
    from .tagging.tagger import Tagger
    from .training.fit import split_dev

    model_dir = Path(args.model or DEFAULT_MODEL)
    tagger = Tagger.from_pretrained(model_dir)
    read = functools.partial(_read_labelled, use_predictions=args.use_predictions)
    examples = read(args.data)
    predicted = label_scores(tagger, examples, args.heads)  # one pass serves every table
    report = evaluate(tagger, examples, predicted=predicted)
    # The TF-IDF baseline learns from what the model learned from, unless told otherwise.
    made_by = json.loads((model_dir / "training.json").read_text(encoding="utf-8")) if (
        model_dir / "training.json").is_file() else {}
    train_files = args.train if args.train is not None else _repository_paths(made_by.get("data", []))
    dev_files = args.dev if args.dev is not None else _repository_paths(made_by.get("dev_data", []))
    baselines = {"keywords": KeywordBaseline(tagger.labels)}
    baseline_examples = read(train_files)
    if baseline_examples:
        train, dev = (baseline_examples, read(dev_files)) if dev_files else split_dev(baseline_examples)
        baselines["tfidf"] = TfidfBaseline(tagger.labels).fit(train, dev)
    comparison = compare_labellers(tagger, examples, baselines, scores=predicted[0])
    print(f"{len(examples)} paragraphs; model {model_dir}; heads {'shown' if args.heads else 'withheld'}; "
          f"TF-IDF trained on {', '.join(train_files) or 'nothing'}")
    print(format_comparison(comparison, tagger.labels))
    indicators = {}
    with_gold = [e for e in examples if e.indicators is not None]
    if with_gold:  # hand-written indicator gold: both paths side by side
        indicators = {path: indicator_gold_report(with_gold, found)
                      for path, found in indicator_paths(tagger, with_gold).items()}
        print(f"\nindicators against hand-written gold ({len(with_gold)} paragraphs)")
        print(format_indicator_reports(indicators))
    if report["entity_paragraphs"]:
        print(f"\nthe model's own tables (entities on the {report['entity_paragraphs']} paragraphs that mark them)")
        print(format_report(report, tagger.labels))
    if args.json:
        Path(args.json).write_text(json.dumps({"model": report, "labels": comparison, "indicators": indicators},
                                              ensure_ascii=False, indent=2), encoding="utf-8")
    return OK


def _repository_paths(paths: list[str]) -> list[str]:
    """Paths a training run recorded, found from the working directory or the repository root."""
    root = Path(__file__).resolve().parent.parent
    return [p if Path(p).exists() else str(root / p) for p in paths if Path(p).exists() or (root / p).exists()]


if __name__ == "__main__":
    sys.exit(main())
