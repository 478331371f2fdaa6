"""Turning bulletin text into a `Bulletin`: abstract, ★ sections, paragraphs, sentences.

Works line by line on the folded text (see `normalize.fold`), so traditional script, full-width
forms and odd spaces all look alike, while every offset points into the cleaned original text.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from pathlib import Path

from ..document import Bulletin, Paragraph, Section, Sentence
from ..reading.normalize import clean, fold
from .structure import KNOWN_HEADS, region_of, region_prefix, section_key

_SECTION_MARK = re.compile(r"^\s*[#*]*\s*[★☆]\s*")
_ABSTRACT_TAG = re.compile(r"^\s*(?:[【\[〔(]\s*摘\s*要\s*[】\]〕)]|摘\s*要\s*[:])\s*")
# Lines a reposting site adds around the bulletin: disclaimers, sharing and printing links.
_CHROME_LINE = re.compile(
    r"^\s*[【\[]?(?:免责声明|版权声明|声明|责任编辑|原文链接|分享到|来源|打印|关闭|扫一扫|相关阅读|上一篇|下一篇)"
)
_HEAD_SEPARATOR = re.compile(r"[ ]+")  # the fold turns U+3000, NBSP and tabs into ASCII spaces
_HEAD_COLON = re.compile(r"^([^ ,.;:!?。、]{2,24}?)\s*:\s*")
_MAX_HEAD = 30
# A longer line is cut at sentence ends into paragraphs of at most this many characters (with a
# warning), so one runaway line (a PDF extracted without line breaks) stays a set of readable units.
MAX_PARAGRAPH = 10_000
_SENTENCE_PUNCT = set(",.;!?。;")
_PURE_DATE = re.compile(r"^(?:\d{4}年)?\d{1,2}月\d{1,2}(?:[-—–~至]\d{1,2})?日$")
_SENTENCE_END = re.compile(r"[。!?;…]+[”’\")]*")
_MONTH_IN_TITLE = re.compile(r"(20\d{2})\s*年\s*(?:第\s*)?([0-9]{1,2}|[一二三四五六七八九十]{1,3})\s*[月期]")
_MONTH_IN_NAME = re.compile(r"(?<!\d)(20\d{2})[-_.年]?(0[1-9]|1[0-2])(?:[-_.]?[0-3]\d)?(?!\d)")
_CN_MONTHS = {n: i for i, n in enumerate("一 二 三 四 五 六 七 八 九 十 十一 十二".split(), start=1)}


def segment(text: str, source: str | None = None, month: str | None = None) -> Bulletin:
    """Split a bulletin's text into abstract, sections, paragraphs and sentences.

    `month` ("2021-08") overrides what the title line or the file name of `source` say.
    """
    if isinstance(text, (bytes, bytearray)):
        raise TypeError("expected the text as str, got bytes: decode it first, or read the file with edunlp.read(path)")
    if not isinstance(text, str):
        raise TypeError(f"expected the text as str, got {type(text).__name__}")
    text = clean(text)
    folded = fold(text)
    bulletin = Bulletin(text=text, folded=folded, source=source)
    bulletin.doc_id = hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]

    lines = list(_lines(folded))
    first_section = next((i for i, (s, _) in enumerate(lines) if _SECTION_MARK.match(folded[s:])), len(lines))
    preamble = lines[:first_section]
    bulletin.title = _title(text, folded, preamble)
    bulletin.month = month or _month_from_title(bulletin.title) or _month_from_name(source)
    bulletin.abstract = _abstract(text, folded, preamble)

    section: Section | None = None
    index = 1 if bulletin.abstract else 0
    for start, end in lines[first_section:]:
        line = folded[start:end]
        mark = _SECTION_MARK.match(line)
        if mark:
            title = text[start + mark.end() : end].strip()
            section = Section(title=title, key=section_key(fold(title)), start=start)
            bulletin.sections.append(section)
            continue
        if _CHROME_LINE.match(line):
            continue
        assert section is not None  # lines before the first ★ are the preamble
        pieces = _paragraphs(text, folded, start, end, section, index, source)
        section.paragraphs.extend(pieces)
        index += len(pieces)
    if not bulletin.sections:
        # No ★ at all (a provincial note, say): every line after the abstract is a paragraph.
        section = Section(title="", key="other", start=0)
        after = bulletin.abstract.end if bulletin.abstract else -1
        for start, end in lines:
            line = folded[start:end]
            if start > after and text[start:end] != bulletin.title and not _CHROME_LINE.match(line):
                pieces = _paragraphs(text, folded, start, end, section, index, source)
                section.paragraphs.extend(pieces)
                index += len(pieces)
        bulletin.sections.append(section)
    return bulletin


def split_sentences(text: str, folded: str, start: int, end: int) -> list[Sentence]:
    """Sentences of text[start:end], ending at 。!?; (closing quotes kept), spaces trimmed."""
    sentences = []
    cursor = start
    for match in _SENTENCE_END.finditer(folded, start, end):
        sentences.extend(_trimmed_sentence(text, cursor, match.end()))
        cursor = match.end()
    sentences.extend(_trimmed_sentence(text, cursor, end))
    return sentences


def _trimmed_sentence(text: str, start: int, end: int) -> list[Sentence]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return [Sentence(text=text[start:end], start=start, end=end)] if end > start else []


def _lines(folded: str):
    """(start, end) of each non-blank line, surrounding spaces trimmed."""
    for match in re.finditer(r"[^\n]+", folded):
        start, end = match.span()
        while start < end and folded[start] == " ":
            start += 1
        while end > start and folded[end - 1] == " ":
            end -= 1
        if end > start:
            yield start, end


def _paragraphs(text: str, folded: str, start: int, end: int, section: Section, index: int,
                source: str | None) -> list[Paragraph]:
    """The paragraph of the line [start, end); past MAX_PARAGRAPH characters, its pieces cut at
    sentence ends (or, in a run without one, at the limit), numbered on, with a warning."""
    if end - start <= MAX_PARAGRAPH:
        return [_paragraph(text, folded, start, end, section, index)]
    cuts, piece_start = [], start
    while end - piece_start > MAX_PARAGRAPH:
        limit = piece_start + MAX_PARAGRAPH
        last = None
        for match in _SENTENCE_END.finditer(folded, piece_start, limit):
            last = match.end()
        cut = last if last is not None and last > piece_start else limit
        cuts.append((piece_start, cut))
        piece_start = cut
        while piece_start < end and text[piece_start].isspace():
            piece_start += 1
    cuts.append((piece_start, end))
    warnings.warn(f"{source or '<text>'}: a paragraph of {end - start} characters at offset {start} is cut into "
                  f"{len(cuts)} paragraphs of at most {MAX_PARAGRAPH}", stacklevel=3)
    first = _paragraph(text, folded, *cuts[0], section, index)  # keeps the head, if any
    rest = [Paragraph(kind="paragraph", index=index + number, text=text[s:e], start=s, end=e, region=first.region,
                      section=section.title, sentences=split_sentences(text, folded, s, e))
            for number, (s, e) in enumerate(cuts[1:], 1)]
    return [first, *rest]


def _paragraph(text: str, folded: str, start: int, end: int, section: Section, index: int) -> Paragraph:
    head_end, body_start = _split_head(folded[start:end])
    head = text[start : start + head_end] if head_end else None
    region = None
    if section.key == "regional":
        body_folded = folded[start + body_start : end]
        region = region_of(folded[start : start + head_end]) if head else None
        if region is None and (found := region_prefix(body_folded if head is None else folded[start:end])):
            region = found[0]
    body_start += start
    return Paragraph(
        kind="paragraph",
        index=index,
        text=text[body_start:end],
        start=body_start,
        end=end,
        head=head,
        head_start=start if head else None,
        region=region,
        section=section.title,
        sentences=split_sentences(text, folded, body_start, end),
    )


def _split_head(line: str) -> tuple[int, int]:
    """(end of head, start of body) within a folded line; (0, 0) when the line has no head."""
    colon = _HEAD_COLON.match(line)
    space = _HEAD_SEPARATOR.search(line)
    if colon and (space is None or space.start() > colon.start(1) + len(colon.group(1))):
        if _plausible_head(colon.group(1)):
            return len(colon.group(1)), colon.end()
    if space and 2 <= space.start() <= _MAX_HEAD and space.end() < len(line):
        head = line[: space.start()]
        if _plausible_head(head):
            return space.start(), space.end()
    for known in KNOWN_HEADS:
        if line.startswith(known) and len(line) > len(known):
            return len(known), len(known)
    return 0, 0


def _plausible_head(head: str) -> bool:
    return not (set(head) & _SENTENCE_PUNCT) and not _PURE_DATE.match(head)


def _abstract(text: str, folded: str, preamble: list[tuple[int, int]]) -> Paragraph | None:
    """The 【摘要】 paragraph, or without the tag the longest sentence-like line before ★."""
    start = end = None
    for i, (line_start, line_end) in enumerate(preamble):
        tag = _ABSTRACT_TAG.match(folded[line_start:line_end])
        if tag:
            start, end = line_start + tag.end(), line_end
            if start >= end and i + 1 < len(preamble):  # the tag stands on a line of its own
                start, end = preamble[i + 1]
            break
    else:
        candidates = [
            (s, e) for s, e in preamble
            if e - s >= 20 and set(folded[s:e]) & set(",。;") and not _CHROME_LINE.match(folded[s:e])
        ]
        if candidates:
            start, end = max(candidates, key=lambda span: span[1] - span[0])
    if start is None or start >= end:
        return None
    return Paragraph(
        kind="abstract", index=0, text=text[start:end], start=start, end=end,
        sentences=split_sentences(text, folded, start, end),
    )


def _title(text: str, folded: str, preamble: list[tuple[int, int]]) -> str | None:
    """The title line (…月报), preferring one that names a year and month over page chrome."""
    titles = [(s, e) for s, e in preamble if "月报" in folded[s:e] and e - s <= 60]
    dated = [(s, e) for s, e in titles if _MONTH_IN_TITLE.search(folded[s:e])]
    for start, end in dated or titles:
        return text[start:end]
    return None


def _month_from_title(title: str | None) -> str | None:
    match = _MONTH_IN_TITLE.search(fold(title)) if title else None
    if not match:
        return None
    number = match.group(2)
    month = int(number) if number.isdigit() else _CN_MONTHS.get(number, 0)
    return f"{match.group(1)}-{month:02d}" if 1 <= month <= 12 else None


def _month_from_name(source: str | None) -> str | None:
    match = _MONTH_IN_NAME.search(Path(source).stem) if source else None
    return f"{match.group(1)}-{match.group(2)}" if match else None
