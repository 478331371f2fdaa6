"""Reading every format and encoding, and refusing bad files with a message that names them."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest

import edunlp
from edunlp.cli import main

from .bulletins import BULLETINS, EXPECTED

HTML_PAGE = """<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>{title} - 某教育资讯网</title>
<style>.nav {{ color: red }}</style><script>var tracker = "月报";</script></head>
<body>
<div class="nav"><a href="/">首页</a> | <a href="/news">新闻中心</a> | <a href="/policy">政策文件</a></div>
<div id="breadcrumb">当前位置：首页 &gt; 工作动态</div>
<div class="main"><div class="article">
<h1>{title}</h1>
{paragraphs}
</div>
<div class="share-bar">分享到：微信 微博</div>
</div>
<div class="footer">版权所有 某教育资讯网 京ICP备00000000号</div>
</body></html>
"""


def _html(text: str, charset: str = "utf-8") -> str:
    lines = text.strip().split("\n")
    title = lines[1]
    body = "\n".join(f"<p>{line.replace('　', '&#12288;')}</p>" for line in lines[2:])
    return HTML_PAGE.format(charset=charset, title=title, paragraphs=body)


def _structure(bulletin: edunlp.Bulletin) -> list[tuple[str, str | None, str | None]]:
    return [(s.key, p.head, p.region) for s in bulletin.sections for p in s.paragraphs]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_text_files_in_each_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "2019-05.txt"
    path.write_bytes(BULLETINS["2019"].encode(encoding))
    assert edunlp.read(path) == BULLETINS["2019"]
    bulletin = edunlp.read_bulletin(path)
    assert _structure(bulletin) == EXPECTED["2019"]
    assert bulletin.month == "2019-05"


def test_gb18030_traditional_text(tmp_path: Path) -> None:
    import opencc

    traditional = opencc.OpenCC("s2t").convert(BULLETINS["2021"])
    path = tmp_path / "bulletin.txt"
    path.write_bytes(traditional.encode("gb18030"))
    assert edunlp.read(path) == traditional


@pytest.mark.parametrize("charset", ["utf-8", "gb18030"])
def test_html_drops_navigation_scripts_and_footers(tmp_path: Path, charset: str) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(_html(BULLETINS["2019"], charset).encode(charset))
    text = edunlp.read(path)
    for chrome in ("首页", "tracker", "color", "分享到", "版权所有", "当前位置"):
        assert chrome not in text
    bulletin = edunlp.read_bulletin(path)
    assert _structure(bulletin) == EXPECTED["2019"]
    assert bulletin.month == "2019-05"
    assert bulletin.abstract is not None


def test_docx(tmp_path: Path) -> None:
    document = docx.Document()
    for line in BULLETINS["2023"].split("\n"):
        document.add_paragraph(line)
    path = tmp_path / "report.docx"
    document.save(path)
    bulletin = edunlp.read_bulletin(path)
    assert _structure(bulletin) == EXPECTED["2023"]
    assert bulletin.month == "2023-03"
    assert all("声明" not in p.text for p in bulletin.paragraphs)


def test_markdown(tmp_path: Path) -> None:
    path = tmp_path / "bulletin.md"
    path.write_text(BULLETINS["2021"].replace("★", "## ★"), encoding="utf-8")
    assert _structure(edunlp.read_bulletin(path)) == EXPECTED["2021"]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\n ", "empty"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        ("broken.docx", b"PK\x03\x04 this is not really a zip archive", "not a valid .docx"),
        ("notes.pdf", "月报".encode(), "unsupported file type"),
    ],
)
def test_bad_files_get_one_clear_message(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(edunlp.InputError) as caught:
        edunlp.read(path)
    assert str(caught.value).startswith(str(path))
    assert reason in str(caught.value)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(edunlp.InputError, match="missing.txt: cannot read"):
        edunlp.read(tmp_path / "missing.txt")


def test_binary_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_bytes("【摘要】本月摘要。\n★各地工作动态\n".encode() + b"\x00\x01\x02")
    with pytest.raises(edunlp.InputError, match=r"mixed.txt:3: binary"):
        edunlp.read(path)


def test_cli_segment_goes_on_past_broken_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = tmp_path / "archive"
    (archive / "2019").mkdir(parents=True)
    (archive / "2019" / "2019-05.txt").write_text(BULLETINS["2019"], encoding="utf-8")
    (archive / "2023-03.txt").write_bytes(BULLETINS["2023"].encode("gb18030"))
    (archive / "empty.txt").write_bytes(b"")
    (archive / "ignored.pdf").write_bytes(b"%PDF")
    out = tmp_path / "out" / "rows.jsonl"
    status = main(["segment", str(archive), str(tmp_path / "nothing-*.txt"), "-o", str(out)])
    assert status == 1
    error = capsys.readouterr().err
    assert "empty.txt: the file is empty" in error and "nothing-*.txt" in error
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 2 * 1 + len(EXPECTED["2019"]) + len(EXPECTED["2023"])
    assert {r["month"] for r in rows} == {"2019-05", "2023-03"}
    for row in rows:  # no model: no labels; indicators and their entities come from the rules
        assert row["labels"] == []
        assert {e["label"] for e in row["entities"]} <= {"QUANTITY", "INDICATOR"}
    assert any(i["normalized"] == 120000 and i["unit"] == "人" for row in rows for i in row["indicators"])


def test_cli_segment_glob_and_success_status(tmp_path: Path) -> None:
    for era, text in BULLETINS.items():
        (tmp_path / f"{era}-01.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "rows.jsonl"
    assert main(["segment", str(tmp_path / "20*.txt"), "-o", str(out)]) == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3 + sum(len(v) for v in EXPECTED.values())
