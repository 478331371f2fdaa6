"""Batch mode: archives with broken files, resuming after a crash, changed files, tables."""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from edunlp.batch import jobs as batch
from edunlp.cli import main

from .bulletins import BULLETINS


def _archive(root: Path) -> Path:
    """Eight good bulletins in nested folders and a zip, plus broken files of every kind."""
    archive = root / "archive"
    for year in ("2019", "2021", "2023"):
        (archive / year).mkdir(parents=True)
    months = 0
    for era, text in BULLETINS.items():
        for month in (1, 2):
            months += 1
            body = text.replace("本月", f"第{months}批")
            (archive / era / f"{era}-{month:02d}.txt").write_bytes(body.encode("gb18030" if month == 2 else "utf-8"))
    with zipfile.ZipFile(archive / "bundle.zip", "w") as bundle:
        bundle.writestr("2022-05.txt", BULLETINS["2021"].replace("本月", "五月"))
        bundle.writestr("nested/2022-06.html", f"<html><body><div>{BULLETINS['2023'].replace(chr(10), '<br>')}</div></body></html>")
        bundle.writestr("empty.txt", "")
        bundle.writestr("readme.pdf", "not read")
    (archive / "empty.txt").write_bytes(b"")
    (archive / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (archive / "broken.docx").write_bytes(b"PK\x03\x04 not a real docx")
    (archive / "broken.zip").write_bytes(b"PK\x05\x06 truncated")
    (archive / "cut.txt").write_bytes("【摘要】本月工作摘要。\n★各地工作动态\n北京 召开会".encode()[:-2])
    return archive


def _lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    for line in lines:
        json.loads(line)  # never a partial line
    return lines


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    return _archive(tmp_path)


@pytest.fixture()
def reference(tmp_path: Path, archive: Path) -> list[str]:
    out = tmp_path / "reference.jsonl"
    batch.run([archive], out, workers=0)
    return _lines(out)


def test_broken_files_are_recorded_and_the_rest_goes_through(tmp_path: Path, archive: Path, capsys) -> None:
    out = tmp_path / "rows.jsonl"
    status = main(["segment", str(archive), "-o", str(out)])
    assert status == 1
    errors = [json.loads(line) for line in (tmp_path / "rows.jsonl.errors.jsonl").read_text(encoding="utf-8").splitlines()]
    failed = {Path(e["source"]).name: e["reason"] for e in errors}
    assert set(failed) == {"empty.txt", "binary.txt", "broken.docx", "broken.zip", "bundle.zip!empty.txt", "cut.txt"}
    assert "truncated" in failed["cut.txt"]
    assert "empty" in failed["empty.txt"] and "binary" in failed["binary.txt"]
    assert "not a valid .docx" in failed["broken.docx"] and "not a valid .zip" in failed["broken.zip"]
    sources = {json.loads(line)["source"] for line in _lines(out)}
    assert len([s for s in sources if "bundle.zip!" in s]) == 2
    assert len([s for s in sources if s.endswith(".txt") and "!" not in s]) >= 6
    assert f"{len(errors)} failed" in capsys.readouterr().err


def test_resume_after_a_crash_gives_exactly_the_uninterrupted_rows(tmp_path: Path, archive: Path, reference: list[str]) -> None:
    out = tmp_path / "rows.jsonl"
    batch.run([archive], out, workers=0, batch_paragraphs=1)
    state_path = tmp_path / "rows.jsonl.state.jsonl"
    state = state_path.read_text(encoding="utf-8").splitlines()
    # Power loss: three documents vouched for, the fourth's rows half written, its state line lost.
    offset = json.loads(state[2])["offset"]
    data = out.read_bytes()
    out.write_bytes(data[: offset + 40])
    state_path.write_text("\n".join(state[:3]) + '\n{"source": "cut', encoding="utf-8")
    summary = batch.run([archive], out, workers=0)
    assert summary.skipped == 3
    assert _lines(out) == reference


def test_resume_after_ctrl_c(tmp_path: Path, archive: Path, reference: list[str], monkeypatch) -> None:
    out = tmp_path / "rows.jsonl"
    real_load = batch._load
    calls = []

    def interrupted(source, *rest):
        calls.append(source)
        if len(calls) == 5:
            raise KeyboardInterrupt
        return real_load(source, *rest)

    monkeypatch.setattr(batch, "_load", interrupted)
    with pytest.raises(KeyboardInterrupt):
        batch.run([archive], out, workers=0, batch_paragraphs=1)
    monkeypatch.setattr(batch, "_load", real_load)
    summary = batch.run([archive], out, workers=0)
    assert summary.skipped == 4  # the four loaded before Ctrl-C were written
    assert _lines(out) == reference


def test_changed_file_is_redone_and_unchanged_ones_are_skipped(tmp_path: Path, archive: Path) -> None:
    out = tmp_path / "rows.jsonl"
    first = batch.run([archive], out, workers=0)
    changed = archive / "2019" / "2019-01.txt"
    changed.write_text(BULLETINS["2019"].replace("北京", "天津"), encoding="utf-8")
    second = batch.run([archive], out, workers=0)
    assert second.done == 1 and second.skipped == first.done - 1
    rows = [json.loads(line) for line in _lines(out)]
    mine = [r for r in rows if r["source"] == str(changed)]
    assert "天津" in {r["region"] for r in mine} and "北京" not in {r["region"] for r in mine}
    assert len(rows) == len({(r["source"], r["index"]) for r in rows})  # nothing twice
    third = batch.run([archive], out, workers=0, force=True)
    assert third.skipped == 0 and third.done == first.done


def test_workers_give_the_same_rows(tmp_path: Path, archive: Path, reference: list[str]) -> None:
    out = tmp_path / "rows.jsonl"
    batch.run([archive], out, workers=2)
    assert _lines(out) == reference


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_paragraph_table_formats(tmp_path: Path, archive: Path, reference: list[str], fmt: str) -> None:
    out = tmp_path / f"rows.{fmt}"
    main(["segment", str(archive), "-o", str(out), "--format", fmt])
    frame = pd.read_csv(out) if fmt == "csv" else pd.read_parquet(out)
    assert len(frame) == len(reference)
    assert {"source", "doc_id", "month", "kind", "section", "head", "region", "text", "top_label"} <= set(frame.columns)


def test_csv_cells_never_become_formulas(tmp_path: Path) -> None:
    from edunlp.output import write_table

    table = pd.DataFrame({"name": ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "教学点"], "value": [1, 2, -3, 4, 5]})
    path = write_table(table, tmp_path / "t.csv")
    back = pd.read_csv(path)
    assert back["name"].tolist() == ["'=HYPERLINK(\"http://x\")", "'+1", "'-2+3", "'@SUM(A1)", "教学点"]
    assert back["value"].tolist() == [1, 2, -3, 4, 5]  # numbers are not text: left alone


def test_dash_streams_rows_as_documents_finish_and_keeps_no_state(tmp_path: Path, archive: Path, reference: list[str],
                                                                  monkeypatch) -> None:
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", stdout)
    monkeypatch.chdir(tmp_path)
    seen_before: list[set[str]] = []  # the sources on stdout when each batch reaches the model

    def apply(bulletins: list) -> list:
        stdout.flush()
        seen_before.append({json.loads(line)["source"] for line in stdout.buffer.getvalue().decode().splitlines()})
        return bulletins

    before = sorted(tmp_path.rglob("*"))
    summary = batch.run([archive], "-", apply=apply, workers=0, batch_paragraphs=1)
    streamed = stdout.buffer.getvalue().decode().splitlines()
    assert sorted(streamed) == sorted(reference)  # the same rows as a file gets
    assert seen_before[0] == set() and len(seen_before[-1]) == summary.done - 1  # each document out before the next is tagged
    assert summary.done == 8 and len(summary.errors) == 6  # the errors are reported, not written to a file
    assert sorted(tmp_path.rglob("*")) == before  # no state, lock or errors file
    with pytest.raises(ValueError, match="only jsonl streams"):
        batch.run([archive], "-", fmt="csv", workers=0)
