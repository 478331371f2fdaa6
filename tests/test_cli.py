"""Command-line conventions: - for stdin and stdout, exit statuses, one-line errors, quiet loading."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from transformers.utils import logging as hf_logging

from edunlp import cli
from edunlp.cli import main
from edunlp.output import write_jsonl

from .bulletins import BULLETINS
from .test_analysis import archive


@pytest.fixture()
def bulletin(tmp_path: Path) -> Path:
    path = tmp_path / "2019-05.txt"
    path.write_text(BULLETINS["2019"], encoding="utf-8")
    return path


def test_dash_output_writes_rows_to_stdout_and_no_file(bulletin: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["segment", str(bulletin), "-o", "-"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows and {row["month"] for row in rows} == {"2019-05"}
    assert not (tmp_path / "-").exists() and not list(tmp_path.glob("-.*"))


def test_dash_output_for_the_report_and_the_indicator_table(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_jsonl(tmp_path / "tagged.jsonl", (row for b in archive() for row in b.rows()))
    assert main(["report", "tagged.jsonl", "-o", "-"]) == 0
    page = capsys.readouterr().out
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert main(["indicators", "tagged.jsonl", "-o", "-"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].startswith("source,month,region") and len(table) > 10
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tagged.jsonl"]


def test_dash_input_reads_one_bulletin_from_stdin(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(BULLETINS["2019"].encode("gb18030"))))
    out = tmp_path / "rows.jsonl"
    assert main(["segment", "-", "-o", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {row["source"] for row in rows} == {"<stdin>"} and {row["month"] for row in rows} == {"2019-05"}


def test_stdin_to_stdout_in_a_real_pipe(bulletin: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "edunlp.cli", "segment", "-", "-o", "-"], input=bulletin.read_bytes(),
                            capture_output=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["source"] for line in result.stdout.splitlines()][0] == "<stdin>"


def test_bad_model_is_one_line_and_status_2(bulletin: Path, tmp_path: Path, capsys) -> None:
    assert main(["tag", str(bulletin), "-o", str(tmp_path / "o.jsonl"), "--model", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith(f"edunlp: error: {tmp_path}: not an edunlp model directory")
    (tmp_path / "config.json").write_text('{"action_labels": ["other"]}', encoding="utf-8")
    (tmp_path / "model.safetensors").write_bytes(b"not weights")
    assert main(["tag", str(bulletin), "-o", str(tmp_path / "o.jsonl"), "--model", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "cannot load the model" in error and "Traceback" not in error


def test_no_input_at_all_is_status_2_some_missing_is_1(bulletin: Path, tmp_path: Path, capsys) -> None:
    assert main(["segment", str(tmp_path / "none-*.txt"), "-o", str(tmp_path / "o.jsonl")]) == 2
    assert "no input found" in capsys.readouterr().err
    assert main(["segment", str(bulletin), str(tmp_path / "none-*.txt"), "-o", str(tmp_path / "p.jsonl")]) == 1
    assert main(["train", "--data", str(tmp_path / "none.jsonl"), "--out", str(tmp_path / "m")]) == 2


def test_usage_error_is_status_2() -> None:
    with pytest.raises(SystemExit) as caught:
        main(["segment", "--no-such-option", "x"])
    assert caught.value.code == 2


def test_a_crash_is_status_3_with_the_traceback_on_demand(bulletin: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(cli, "run", broken)
    assert main(["segment", str(bulletin), "-o", str(tmp_path / "o.jsonl")]) == 3
    error = capsys.readouterr().err
    assert error.strip() == "edunlp: crashed: RuntimeError: a bug (--verbose shows the traceback)"
    assert main(["--verbose", "segment", str(bulletin), "-o", str(tmp_path / "o.jsonl")]) == 3
    assert "Traceback" in capsys.readouterr().err


def test_the_exit_statuses_are_in_the_help(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "2 usage or setup error" in capsys.readouterr().out


def test_weight_loading_bar_only_on_a_terminal(monkeypatch) -> None:
    from edunlp.tagging.tagger import _quiet_progress_bar

    hf_logging.enable_progress_bar()
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    with _quiet_progress_bar():
        assert not hf_logging.is_progress_bar_enabled()
    assert hf_logging.is_progress_bar_enabled()
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    with _quiet_progress_bar():
        assert hf_logging.is_progress_bar_enabled()


def test_report_layouts_from_the_command_line(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_jsonl(tmp_path / "tagged.jsonl", (row for b in archive() for row in b.rows()))
    assert main(["report", "tagged.jsonl", "-o", "-", "--layout", "split"]) == 2
    assert capsys.readouterr().err.startswith("edunlp: error: --layout split writes a folder of pages")
    assert main(["report", "tagged.jsonl", "-o", "out/r.html", "--layout", "split"]) == 0
    assert (tmp_path / "out" / "r_files" / "bulletin-0.html").is_file()
    assert 'href="r_files/indicators-1.html"' in (tmp_path / "out" / "r.html").read_text(encoding="utf-8")
    assert main(["report", "tagged.jsonl", "-o", "one.html"]) == 0  # a small archive: one page
    assert not (tmp_path / "one_files").exists()


def test_a_reader_that_stops_reading_ends_the_stream_quietly(tmp_path: Path) -> None:
    for n in range(40):
        (tmp_path / f"2019-{n % 12 + 1:02d}-{n}.txt").write_text(BULLETINS["2019"], encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "edunlp.cli", "segment", str(tmp_path), "-o", "-", "--workers", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert json.loads(process.stdout.readline())["source"]  # the first row, streamed before the run ends
    process.stdout.close()
    error = process.stderr.read().decode()
    assert process.wait(timeout=600) == cli.SIGPIPE, error
    assert "crashed" not in error and "Traceback" not in error and "Exception ignored" not in error
