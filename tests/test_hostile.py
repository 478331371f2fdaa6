"""Hostile inputs (issue 17): none stops a batch, stalls it, exhausts memory or turns into code.

Speed is measured in evaluation/scaling.py (time ratios), not here; these tests check that the
large inputs come out right.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from filelock import FileLock

import edunlp
from edunlp.batch import jobs as batch
from edunlp.cli import main
from edunlp.errors import InputError, OutputLockedError, shown
from edunlp.reading.inputs import expand_inputs
from edunlp.indicators.linking import link_indicators
from edunlp.pipeline import rules
from edunlp.reading.files import read_bytes, read_member

from .bulletins import BULLETINS


def _errors(out: Path) -> dict[str, str]:
    lines = out.with_name(out.name + ".errors.jsonl").read_text(encoding="utf-8").splitlines()
    return {json.loads(line)["source"]: json.loads(line)["reason"] for line in lines}


def _sources(out: Path) -> list[str]:
    return [json.loads(line)["source"] for line in out.read_text(encoding="utf-8").splitlines()]


def _flag_member(raw: bytes, name: bytes, local: int, central: int, value: int, width: int) -> bytes:
    """Overwrite a field of member `name` in both its local and its central header."""
    data = bytearray(raw)
    # (signature, where the name starts, where its length is, which field to change)
    for signature, at, length_at, field in ((b"PK\x03\x04", 30, 26, local), (b"PK\x01\x02", 46, 28, central)):
        position = data.find(signature)
        while position >= 0:
            name_length = int.from_bytes(data[position + length_at:position + length_at + 2], "little")
            if data[position + at:position + at + name_length] == name:
                data[position + field:position + field + width] = value.to_bytes(width, "little")
            position = data.find(signature, position + 4)
    return bytes(data)


def _malformed_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("x")
    good = io.BytesIO()
    document.save(good)
    out = io.BytesIO()
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = b"<w:document><unclosed>" if info.filename == "word/document.xml" else source.read(info)
            target.writestr(info, data)
    return out.getvalue()


def _hostile_archive(root: Path) -> Path:
    """Two good bulletins among a malformed .docx, an encrypted member, a member packed with a
    method zipfile lacks, a zip bomb and a file whose name is not UTF-8."""
    folder = root / "hostile"
    folder.mkdir()
    (folder / "2021-01.txt").write_text(BULLETINS["2021"], encoding="utf-8")
    (folder / "bad.docx").write_bytes(_malformed_docx())
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("2021-02.txt", BULLETINS["2021"].replace("本月", "二月"))
        archive.writestr("secret.txt", "秘密")
        archive.writestr("odd.txt", "奇怪")
        archive.writestr("bomb.txt", b"0" * (8 * 2**20))  # 8 MiB of zeros in a few KB
    raw = _flag_member(packed.getvalue(), b"secret.txt", 6, 8, 1, 2)  # the encryption bit
    raw = _flag_member(raw, b"odd.txt", 8, 10, 1, 2)  # compression method 1 (shrink)
    (folder / "bundle.zip").write_bytes(raw)
    with open(os.path.join(os.fsencode(folder), b"2023-\xff\xfe.txt"), "wb") as handle:
        handle.write(BULLETINS["2023"].encode("utf-8"))
    return folder


@pytest.mark.parametrize("workers", [0, 1])
def test_no_input_stops_the_batch(tmp_path: Path, workers: int) -> None:
    folder = _hostile_archive(tmp_path)
    out = tmp_path / "rows.jsonl"
    summary = batch.run([folder], out, workers=workers, max_bytes=2**20)
    errors = _errors(out)
    assert set(errors) == {f"{folder}/bad.docx", f"{folder}/bundle.zip!secret.txt", f"{folder}/bundle.zip!odd.txt",
                           f"{folder}/bundle.zip!bomb.txt"}
    assert "not a valid .docx (XMLSyntaxError" in errors[f"{folder}/bad.docx"]
    assert "encrypted" in errors[f"{folder}/bundle.zip!secret.txt"]
    assert "cannot inflate" in errors[f"{folder}/bundle.zip!odd.txt"]
    assert "limit for one document" in errors[f"{folder}/bundle.zip!bomb.txt"]
    sources = _sources(out)
    assert set(sources) == {f"{folder}/2021-01.txt", f"{folder}/bundle.zip!2021-02.txt", f"{folder}/2023-\\xff\\xfe.txt"}
    assert summary.done == 3
    again = batch.run([folder], out, workers=workers, max_bytes=2**20)  # a rerun neither crashes nor repeats
    assert (again.done, again.skipped, len(again.errors)) == (0, 3, 4)
    assert _sources(out) == sources


def test_a_zip_bomb_that_lies_about_its_size_is_never_inflated(tmp_path: Path) -> None:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.txt", b"0" * (64 * 2**20))
    liar = tmp_path / "liar.zip"
    liar.write_bytes(_flag_member(packed.getvalue(), b"bomb.txt", 22, 24, 100, 4))  # claims 100 bytes
    honest = tmp_path / "honest.zip"
    honest.write_bytes(packed.getvalue())
    with pytest.raises(InputError, match="limit for one document"):
        read_member(honest, "bomb.txt")  # refused from the stated size, before inflating
    with pytest.raises(InputError, match="cannot read the archive member"):
        read_member(liar, "bomb.txt")  # zipfile stops at the stated size: the CRC fails


def test_a_member_that_inflates_far_past_its_packed_size_is_refused(tmp_path: Path) -> None:
    packed = tmp_path / "small-bomb.zip"
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.txt", "教育" * 2**20)  # 6 MiB, under the size limit, packs about 1000x
        archive.writestr("2021-01.txt", BULLETINS["2021"] * 40)  # under 1 MiB: never refused for its ratio
    with pytest.raises(InputError, match=r"inflates \d+x its packed size .*zip bomb"):
        read_member(packed, "bomb.txt")
    assert read_member(packed, "2021-01.txt").decode("utf-8") == BULLETINS["2021"] * 40


def test_a_docx_that_inflates_past_the_limit_is_refused() -> None:
    document = docx.Document()
    document.add_paragraph("★各地工作动态")
    buffer = io.BytesIO()
    document.save(buffer)
    with pytest.raises(InputError, match="limit for one document"):
        read_bytes(buffer.getvalue(), "big.docx", max_bytes=1000)


def test_a_second_run_on_the_same_output_stops(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "2021-01.txt"
    source.write_text(BULLETINS["2021"], encoding="utf-8")
    out = tmp_path / "rows.jsonl"
    with FileLock(tmp_path / "rows.jsonl.lock"):  # the first run, still writing
        with pytest.raises(OutputLockedError):
            batch.run([source], out, workers=0)
        assert main(["segment", str(source), "-o", str(out)]) == 2
    assert "another edunlp run is writing this output" in capsys.readouterr().err
    assert not out.exists() or not out.read_text(encoding="utf-8")
    batch.run([source], out, workers=0)
    assert len(set(_sources(out))) == 1


def test_resume_does_not_count_duplicated_rows_as_done(tmp_path: Path) -> None:
    """What two unlocked runs left: each document's rows twice, the state recording each twice."""
    first, second = tmp_path / "2021-01.txt", tmp_path / "2023-01.txt"
    first.write_text(BULLETINS["2021"], encoding="utf-8")
    second.write_text(BULLETINS["2023"], encoding="utf-8")
    out = tmp_path / "rows.jsonl"
    batch.run([first, second], out, workers=0)
    reference = out.read_text(encoding="utf-8")
    state = out.with_name(out.name + ".state.jsonl")
    records = [json.loads(line) for line in state.read_text(encoding="utf-8").splitlines()]
    rows = reference.splitlines(keepends=True)
    first_rows = [row for row in rows if json.loads(row)["source"] == str(first)]
    doubled = "".join(first_rows * 2 + [row for row in rows if row not in first_rows] * 2)
    out.write_text(doubled, encoding="utf-8")
    size = len(doubled.encode("utf-8"))
    state.write_text("".join(json.dumps({**r, "offset": size}) + "\n" for r in records), encoding="utf-8")
    summary = batch.run([first, second], out, workers=0)
    assert summary.skipped == 0 and summary.done == 2
    assert out.read_text(encoding="utf-8") == reference


def test_long_inputs_come_out_whole() -> None:
    sentence = "北京市教委组织开展网络安全检查，发现漏洞215个，已全部通报相关单位。"
    count = 3000  # about 300 KB on one line
    with pytest.warns(UserWarning, match="is cut into"):  # into paragraphs of MAX_PARAGRAPH at most
        bulletin = rules()("★各地工作动态\n北京 " + sentence * count)
    paragraphs = bulletin.paragraphs
    assert sum(len(p.sentences) for p in paragraphs) == count
    assert sum(len(p.indicators) for p in paragraphs) == count
    assert all(len(s.indicators) == 1 for p in paragraphs for s in p.sentences)
    assert sum(len([e for e in p.entities if e.label == "QUANTITY"]) for p in paragraphs) == count
    assert all(p.entities == sorted(p.entities, key=lambda e: (e.start, e.end)) for p in paragraphs)


def test_linking_a_long_paragraph_names_each_quantity() -> None:
    clause = "新增学校12所；"
    text = clause * 5000
    entities = []
    for index in range(5000):
        start = index * len(clause)
        entities += [(start + 2, start + 4, "INDICATOR"), (start + 4, start + 7, "QUANTITY")]
    indicators = link_indicators(text, entities)
    assert len(indicators) == 5000
    assert all(i.name == "学校" and i.name_start == i.start - 2 for i in indicators)


def test_deeply_nested_html_is_read() -> None:
    depth = 20_000
    page = "<html><body>" + "<div>" * depth + "★各地工作动态<br>北京 召开会议。" + "</div>" * depth + "</body></html>"
    assert read_bytes(page.encode("utf-8"), "deep.html") == "★各地工作动态\n北京 召开会议。"


def test_symlink_loops_give_each_file_once(tmp_path: Path) -> None:
    folder = tmp_path / "a"
    folder.mkdir()
    (folder / "2021-01.txt").write_text(BULLETINS["2021"], encoding="utf-8")
    (folder / "up").symlink_to("..")
    (folder / "self").symlink_to("../a")
    for pattern in (str(tmp_path / "**" / "*.txt"), str(folder)):
        files, errors = expand_inputs([pattern])
        assert files == [folder / "2021-01.txt"] and errors == []


def test_an_unreadable_directory_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "locked").mkdir()
    (tmp_path / "2021-01.txt").write_text(BULLETINS["2021"], encoding="utf-8")
    real_scandir = os.scandir

    def scandir(path=".", *rest):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path, *rest)

    monkeypatch.setattr(os, "scandir", scandir)
    files, errors = expand_inputs([tmp_path])
    assert files == [tmp_path / "2021-01.txt"]
    assert [(e.path, e.reason) for e in errors] == [(str(tmp_path / "locked"), "cannot read the directory (Permission denied)")]


def test_a_huge_number_is_no_quantity() -> None:
    assert edunlp.parse_quantity("1" * 400 + "个") is None
    text = "★各地工作动态\n北京 新增学校" + "9" * 400 + "所，教师12人。"
    rows = rules()(text).rows()
    line = json.dumps(rows, allow_nan=False, ensure_ascii=False)  # valid JSON: no Infinity
    assert "12人" in line


def test_nul_characters_are_refused_in_files_and_removed_from_text() -> None:
    late_nul = ("北京 召开会议。\n" * 2000 + "上海\x00").encode("utf-8")
    with pytest.raises(InputError, match="binary data") as error:
        read_bytes(late_nul, "late.txt")
    assert error.value.line == 2001
    assert "\x00" not in edunlp.segment("★各地工作动态\n北京\x00 召开会议。").text


@pytest.mark.parametrize("value", [None, 12, b"\xe5\x8c\x97"])
def test_only_text_is_segmented(value: object) -> None:
    with pytest.raises(TypeError, match="expected the text as str") as error:
        edunlp.segment(value)
    if isinstance(value, bytes):
        assert "edunlp.read" in str(error.value)


def test_a_corrupt_model_file_is_named(tmp_path: Path) -> None:
    from edunlp.models import ModelError
    from edunlp.pipeline import DEFAULT_MODEL
    from edunlp.tagging.tagger import Tagger

    model = tmp_path / "model"
    model.mkdir()
    for item in DEFAULT_MODEL.iterdir():
        if item.is_file():
            (model / item.name).write_bytes(item.read_bytes()[:1000] if item.suffix == ".safetensors" else item.read_bytes())
    with pytest.raises(ModelError, match="cannot load the model") as error:
        Tagger.from_pretrained(model)
    assert str(error.value).startswith(str(model))


def test_report_on_a_bad_jsonl_names_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"text": "北京", "start": 0}\n{"text": "上海", "start": 0, "entities": 5}\n', encoding="utf-8")
    assert main(["report", str(rows), "-o", str(tmp_path / "report.html")]) == 2  # nothing to report: a setup error
    assert f"{rows}:2: entities must be a list of objects" in capsys.readouterr().err


def test_control_characters_in_names_are_escaped_on_the_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = tmp_path / "evil\n\x1b[2Jname.txt"
    name.write_bytes(b"")
    main(["segment", str(name), "-o", str(tmp_path / "rows.jsonl")])
    err = capsys.readouterr().err
    assert "\x1b" not in err and "evil\\n\\x1b[2Jname.txt" in err
    assert shown("a\x07b") == "a\\x07b"


def test_workers_leave_with_a_killed_parent(tmp_path: Path) -> None:
    script = (
        "import os, sys, time\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "from edunlp.batch.jobs import _exit_with\n"
        "pool = ProcessPoolExecutor(1, initializer=_exit_with, initargs=(os.getpid(),))\n"
        "print(pool.submit(os.getpid).result(), flush=True)\n"
        "os.kill(os.getpid(), 9)\n"
    )
    child = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=Path(__file__).parents[1])
    worker = int(child.stdout.split()[0])
    for _ in range(50):
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        subprocess.run(["sleep", "0.1"])
    os.kill(worker, 9)
    pytest.fail("the worker outlived its killed parent")


def test_an_overlong_paragraph_is_cut_at_sentence_ends_with_a_warning() -> None:
    from edunlp.segmentation.paragraphs import MAX_PARAGRAPH

    sentence = "全市中小学完成校园网升级改造，接入带宽达到千兆。"
    line = "网络建设：" + sentence * (2 * MAX_PARAGRAPH // len(sentence) + 3)
    text = f"★各地工作动态\n{line}\n下一段照常。\n"
    with pytest.warns(UserWarning, match=r"long\.txt: a paragraph of \d+ characters at offset \d+ is cut into 3 paragraphs"):
        bulletin = edunlp.segment(text, source="long.txt")
    pieces = bulletin.paragraphs[:-1]
    assert len(pieces) == 3 and bulletin.paragraphs[-1].text == "下一段照常。"
    assert [p.index for p in bulletin.paragraphs] == [0, 1, 2, 3]
    assert pieces[0].head == "网络建设" and all(p.head is None for p in pieces[1:])
    for piece in pieces:
        assert len(piece.text) <= MAX_PARAGRAPH and text[piece.start:piece.end] == piece.text
        assert piece.text.endswith("。")  # cut where a sentence ends
    assert "".join(p.text for p in pieces) == line[len("网络建设："):]  # nothing lost


def test_an_overlong_run_without_sentence_ends_is_cut_at_the_limit() -> None:
    from edunlp.segmentation.paragraphs import MAX_PARAGRAPH

    text = "★各地工作动态\n" + "数" * (MAX_PARAGRAPH * 2 + 5) + "\n"
    with pytest.warns(UserWarning, match="cut into 3"):
        bulletin = edunlp.segment(text)
    assert [len(p.text) for p in bulletin.paragraphs] == [MAX_PARAGRAPH, MAX_PARAGRAPH, 5]
