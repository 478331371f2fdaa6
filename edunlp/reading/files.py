"""Reading a bulletin file of any format and encoding into plain text.

.txt/.md are decoded after detecting the encoding with charset-normalizer (UTF-8, UTF-8 with BOM,
GB18030/GBK …); .html/.htm are parsed with BeautifulSoup (lxml) and stripped of navigation,
scripts, styles and footers; .docx is read with python-docx. Every failure is an `InputError`
naming the file (and the line where there is one).

No document is read past `MAX_BYTES` (a file, a .zip member or what a .docx inflates to): a zip
bomb is refused from the sizes its archive states, and zipfile never inflates a member past its
stated size (it fails the CRC check instead).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import charset_normalizer
import docx
from bs4 import BeautifulSoup, CData, NavigableString, Tag

from ..errors import InputError

TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
DOCX_SUFFIXES = {".docx"}
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | DOCX_SUFFIXES

# charset-normalizer names a subset when the sample fits one; GB18030 decodes them all.
_GB_FAMILY = {"gb2312", "gbk", "cp936", "hz", "gb18030"}
_CHROME_TAGS = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "button", "select"]
_CHROME_HINT = re.compile(r"nav|menu|footer|header|breadcrumb|share|sidebar|copyright|banner|toolbar|comment", re.I)
# The most a document may take, read or inflated (`--max-mb` on the command line); the longest
# monthly bulletins are well under 1 MiB.
MAX_BYTES = 32 * 2**20
# An archive member that inflates more than this many times its packed size (and past 1 MiB) is
# taken for a zip bomb; real text, HTML and .docx stay far below it (deflate reaches 5-20x on them).
MAX_RATIO = 100
_ZIP_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_TEXT_TYPES = (NavigableString, CData)  # what get_text() reads: not comments, scripts or styles
_BLOCK_TAGS = ["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "section", "article", "blockquote", "pre", "table"]


def read(path: str | Path, max_bytes: int = MAX_BYTES) -> str:
    """The text of a bulletin file (.txt, .md, .html, .htm, .docx), decoded and de-chromed."""
    return read_bytes(file_bytes(path, max_bytes), path, max_bytes)


def file_bytes(path: str | Path, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of a file, refused when there are more than `max_bytes`."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as error:
        raise InputError(path, f"cannot read the file ({error.strerror or error})") from None
    _check_size(path, len(data), max_bytes)
    return data


def read_member(archive_path: str | Path, member: str, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of one member of a .zip archive, never inflated past `max_bytes`."""
    name = f"{archive_path}!{member}"
    try:
        with zipfile.ZipFile(archive_path) as archive:
            info = archive.getinfo(member)
            _check_member(name, info, max_bytes)
            with archive.open(info) as handle:
                data = handle.read(max_bytes + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError) as error:
        raise InputError(name, f"cannot read the archive member ({type(error).__name__}: {error})") from None
    _check_size(name, len(data), max_bytes)
    return data


def _check_member(name: str | Path, info: zipfile.ZipInfo, max_bytes: int) -> None:
    """Refuse an encrypted member, one packed with a method zipfile lacks, or one too big."""
    if info.flag_bits & 0x1:
        raise InputError(name, "encrypted: edunlp reads no password-protected archives")
    if info.compress_type not in _ZIP_METHODS:
        method = zipfile.compressor_names.get(info.compress_type, f"method {info.compress_type}")
        raise InputError(name, f"compressed with {method}, which edunlp cannot inflate (use deflate)")
    _check_size(name, info.file_size, max_bytes)
    if info.file_size > 2**20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise InputError(name, f"inflates {info.file_size / max(info.compress_size, 1):.0f}x its packed size "
                               f"(the limit is {MAX_RATIO}x): taken for a zip bomb")


def _check_size(name: str | Path, size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise InputError(name, f"larger than {max_bytes / 2**20:g} MiB, the limit for one document (--max-mb sets it)")


def read_bytes(data: bytes, name: str | Path, max_bytes: int = MAX_BYTES) -> str:
    """Like `read`, for bytes already in memory (from an archive, say); `name` gives the format."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(name, f"unsupported file type {suffix or '(none)'}; expected one of {sorted(SUFFIXES)}")
    _check_size(name, len(data), max_bytes)
    if not data.strip():
        raise InputError(name, "the file is empty")
    if suffix in DOCX_SUFFIXES:
        text = _docx_text(data, name, max_bytes)
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
        yield from jsonl_records(path, handle)


def jsonl_records(path: str | Path, lines: Iterable[str],
                  error: type[InputError] = InputError) -> Iterator[tuple[int, dict]]:
    """(line number, object) for each non-blank line of JSONL `lines` read from `path`; a line
    that is not a JSON object raises `error` (an InputError) naming the file and line."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as broken:
            raise error(path, f"broken JSON: {broken.msg} (column {broken.colno})", number) from None
        if not isinstance(record, dict):
            raise error(path, "expected a JSON object", number)
        yield number, record


def decode(data: bytes, name: str | Path) -> str:
    """Decode bytes whose encoding is unknown; refuse binary data (a NUL character anywhere)
    and undecodable text."""
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(name, "binary data, not text", line=_line_of(data, data.index(b"\x00")))
    text = _decoded(data, name)
    if "\x00" in text:
        raise InputError(name, "binary data, not text (a NUL character)", line=text.count("\n", 0, text.index("\x00")) + 1)
    return text


def _decoded(data: bytes, name: str | Path) -> str:
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


def _docx_text(data: bytes, name: str | Path, max_bytes: int) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                _check_member(f"{name}!{info.filename}", info, max_bytes)
            _check_size(name, sum(info.file_size for info in archive.infolist()), max_bytes)
        document = docx.Document(io.BytesIO(data))
    except InputError:
        raise
    except Exception as error:  # python-docx and lxml fail in many ways on a crafted file
        raise InputError(name, f"not a valid .docx ({type(error).__name__}: {error})") from None
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def _html_text(html: str) -> str:
    """The bulletin part of a web page as lines of text: one line per block element.

    The tree is read without changing it, in passes that visit each element once, so time grows
    with the size of the page however deeply its elements nest."""
    soup = BeautifulSoup(html, "lxml")
    body = soup.body or soup
    sizes = _measure(body)
    root = _content_root(body, sizes)
    lines = [line.strip() for line in "".join(_pieces(root, sizes)).split("\n")]
    title = soup.title.get_text().strip() if soup.title else ""
    if "月报" in title and title not in lines:
        lines.insert(0, title)
    return "\n".join(line for line in lines if line)


def _measure(body: Tag) -> dict[int, tuple[int, int, bool]]:
    """(text length, ★ count, whether 摘要 is said) of every text and element under `body` that
    is not page chrome, by id; chrome is absent: the _CHROME_TAGS, and elements whose id or class
    hints at navigation and that hold no ★. Counted bottom-up, children before parents."""
    sizes: dict[int, tuple[int, int, bool]] = {}
    for node in reversed([body, *body.descendants]):
        if type(node) in _TEXT_TYPES:
            sizes[id(node)] = (len(node), node.count("★"), "摘要" in node)
        elif isinstance(node, Tag) and node.name not in _CHROME_TAGS:
            kept = [(child, sizes[id(child)]) for child in node.contents if id(child) in sizes]
            length = sum(size[0] + 2 * (getattr(child, "name", None) in _BLOCK_TAGS) for child, size in kept)
            stars = sum(size[1] for _, size in kept)
            hints = " ".join([node.get("id") or "", *(node.get("class") or [])])
            if stars or node is body or node.name in ("html", "body") or not (hints and _CHROME_HINT.search(hints)):
                sizes[id(node)] = (1 if node.name == "br" else length, stars, any(size[2] for _, size in kept))
    return sizes


def _kept_tags(root: Tag, sizes: dict[int, tuple[int, int, bool]]) -> Iterator[Tag]:
    """The elements under `root` that are not chrome nor inside chrome, in document order."""
    stack = [child for child in reversed(root.contents) if isinstance(child, Tag) and id(child) in sizes]
    while stack:
        tag = stack.pop()
        yield tag
        stack.extend(child for child in reversed(tag.contents) if isinstance(child, Tag) and id(child) in sizes)


def _pieces(root: Tag, sizes: dict[int, tuple[int, int, bool]]) -> Iterator[str]:
    """The text under `root` without chrome, a line break for <br> and around block elements."""
    stack: list = list(reversed(root.contents))
    while stack:
        node = stack.pop()
        if node is None or id(node) not in sizes:
            yield "\n" if node is None else ""
        elif not isinstance(node, Tag):
            yield str(node)
        elif node.name == "br":
            yield "\n"
        else:
            block = node.name in _BLOCK_TAGS
            if block:
                yield "\n"
                stack.append(None)  # the line break after it
            stack.extend(reversed(node.contents))


def _content_root(body: Tag, sizes: dict[int, tuple[int, int, bool]]) -> Tag:
    """The smallest element that still holds every ★ and the 摘要 of the page."""
    length, stars, abstract = sizes[id(body)]
    if not stars:
        return next((t for t in _kept_tags(body, sizes) if t.name == "article"), None) or next(
            (t for t in _kept_tags(body, sizes) if t.name == "main"), body)
    best, best_length = body, length
    for tag in _kept_tags(body, sizes):
        if tag.name in ("article", "main", "div", "section", "td"):
            tag_length, tag_stars, tag_abstract = sizes[id(tag)]
            if tag_stars == stars and tag_length < best_length and (tag_abstract or not abstract):
                best, best_length = tag, tag_length
    return best
