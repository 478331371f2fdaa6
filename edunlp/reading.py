"""Reading a bulletin file of any format and encoding into plain text.

.txt/.md are decoded after detecting the encoding with charset-normalizer (UTF-8, UTF-8 with BOM,
GB18030/GBK …); .html/.htm are parsed with BeautifulSoup (lxml) and stripped of navigation,
scripts, styles and footers; .docx is read with python-docx. Every failure is an `InputError`
naming the file (and the line where there is one).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import charset_normalizer
import docx
from bs4 import BeautifulSoup, Tag

from .errors import InputError

TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
DOCX_SUFFIXES = {".docx"}
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | DOCX_SUFFIXES

# charset-normalizer names a subset when the sample fits one; GB18030 decodes them all.
_GB_FAMILY = {"gb2312", "gbk", "cp936", "hz", "gb18030"}
_CHROME_TAGS = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "button", "select"]
_CHROME_HINT = re.compile(r"nav|menu|footer|header|breadcrumb|share|sidebar|copyright|banner|toolbar|comment", re.I)
_BLOCK_TAGS = ["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "section", "article", "blockquote", "pre", "table"]


def read(path: str | Path) -> str:
    """The text of a bulletin file (.txt, .md, .html, .htm, .docx), decoded and de-chromed."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(path, f"cannot read the file ({error.strerror or error})") from None
    return read_bytes(data, path)


def read_bytes(data: bytes, name: str | Path) -> str:
    """Like `read`, for bytes already in memory (from an archive, say); `name` gives the format."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(name, f"unsupported file type {suffix or '(none)'}; expected one of {sorted(SUFFIXES)}")
    if not data.strip():
        raise InputError(name, "the file is empty")
    if suffix in DOCX_SUFFIXES:
        text = _docx_text(data, name)
    else:
        text = decode(data, name)
        if suffix in HTML_SUFFIXES:
            text = _html_text(text)
        elif suffix == ".md":
            text = re.sub(r"(?m)^\s*#+\s*|\*\*", "", text)
    if not text.strip():
        raise InputError(name, "no text found in the file")
    return text


def guess_suffix(data: bytes) -> str:
    """The format of a bulletin that came without a file name (standard input): .docx, .html or .txt."""
    if data.startswith(b"PK\x03\x04"):
        return ".docx"
    return ".html" if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") else ".txt"


def read_jsonl(path: str | Path) -> Iterator[tuple[int, dict]]:
    """(line number, object) for each non-blank line of a JSONL file; errors name file and line."""
    try:
        handle = open(path, encoding="utf-8")
    except OSError as error:
        raise InputError(path, f"cannot open: {error.strerror or error}") from None
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise InputError(path, f"not JSON ({error.msg})", number) from None
            if not isinstance(record, dict):
                raise InputError(path, "expected a JSON object", number)
            yield number, record


def decode(data: bytes, name: str | Path) -> str:
    """Decode bytes whose encoding is unknown; refuse binary data and undecodable text."""
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(name, "binary data, not text", line=_line_of(data, data.index(b"\x00")))
    try:  # most files are UTF-8: settle that first, and tell a cut-off file from another encoding
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if error.reason == "unexpected end of data":
            raise InputError(name, "truncated: the file ends inside a UTF-8 character", line=_line_of(data, error.start)) from None
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise InputError(name, "cannot detect the text encoding (not UTF-8 or GB18030)", line=_first_bad_utf8_line(data))
    encoding = "gb18030" if best.encoding.lower().replace("_", "") in _GB_FAMILY else best.encoding
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise InputError(name, f"undecodable as {encoding}", line=_line_of(data, error.start)) from None


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _first_bad_utf8_line(data: bytes) -> int | None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return _line_of(data, error.start)
    return None


def _docx_text(data: bytes, name: str | Path) -> str:
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise InputError(name, f"not a valid .docx ({type(error).__name__}: {error})") from None
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def _html_text(html: str) -> str:
    """The bulletin part of a web page as lines of text: one line per block element."""
    soup = BeautifulSoup(html, "lxml")
    for tag in soup.find_all(_CHROME_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed or tag.name in ("html", "body"):
            continue
        hints = " ".join([tag.get("id") or "", *(tag.get("class") or [])])
        if hints and _CHROME_HINT.search(hints) and "★" not in tag.get_text():
            tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(_BLOCK_TAGS):
        block.insert_before("\n")
        block.insert_after("\n")
    root = _content_root(soup)
    lines = [line.strip() for line in root.get_text().split("\n")]
    title = soup.title.get_text().strip() if soup.title else ""
    if "月报" in title and title not in lines:
        lines.insert(0, title)
    return "\n".join(line for line in lines if line)


def _content_root(soup: BeautifulSoup) -> Tag:
    """The smallest element that still holds every ★ and the 摘要 of the page."""
    body = soup.body or soup
    body_text = body.get_text()
    stars = body_text.count("★")
    if not stars:
        return soup.find("article") or soup.find("main") or body
    needs_abstract = "摘要" in body_text
    best, best_length = body, len(body_text)
    for tag in body.find_all(["article", "main", "div", "section", "td"]):
        text = tag.get_text()
        if text.count("★") == stars and len(text) < best_length and ("摘要" in text or not needs_abstract):
            best, best_length = tag, len(text)
    return best
