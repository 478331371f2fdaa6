"""The `edunlp` command line: `edunlp segment PATH... -o OUT.jsonl`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import Any

from . import read_bulletin
from .errors import InputError
from .inputs import expand_inputs
from .output import write_jsonl


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="edunlp", description="Read MoE education-informatization bulletins.")
    commands = parser.add_subparsers(dest="command", required=True)
    seg = commands.add_parser("segment", help="split bulletins into paragraphs and sentences (JSONL)")
    seg.add_argument("paths", nargs="+", help="files, directories (recursive) or globs")
    seg.add_argument("-o", "--output", required=True, help="output .jsonl file")
    seg.add_argument("--month", help="month of every input (YYYY-MM) when title and file name lack it")
    args = parser.parse_args(argv)
    return _segment(args)


def _segment(args: argparse.Namespace) -> int:
    files, errors = expand_inputs(args.paths)
    done = 0

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal done
        for path in files:
            try:
                bulletin = read_bulletin(path, month=args.month)
            except InputError as error:
                errors.append(error)
                continue
            done += 1
            yield from bulletin.rows()

    count = write_jsonl(args.output, rows())
    for error in errors:
        print(f"edunlp: error: {error}", file=sys.stderr)
    print(f"edunlp: {count} paragraphs from {done} file(s) → {args.output}; {len(errors)} failed", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
