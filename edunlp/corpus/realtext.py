"""Real Chinese prose from `../shared/realtext/`, cut into paragraphs that can be labelled by reference.

The project may not hold any of that text, so a labelled real paragraph is stored as a
*reference*: the source file, the document's path and item, the paragraph's character range in the
document's cleaned text and a hash of the paragraph. `resolve` turns a reference back into text
and refuses one whose hash no longer matches (the source changed), naming the label file's line.

Documents are split once, by a hash of their key, into a blind pool (evaluation only: never
trained on, never pretrained on) and a training pool, so no document feeds both sides.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REALTEXT_ENV = "EDUNLP_REALTEXT"
BLIND_SHARE = 0.12  # share of documents kept for blind evaluation
BLIND_DEV_SHARE = 0.35  # of the blind documents, the share in blind-dev (the rest: blind-test)

# Where each source file's documents come from, as a genre of our evaluation tables.
GENRES = {
    "Patrick233__Cluster-Chinese-news-Article": "news",
    "HappyShadowWalker__ChineseTextClassify": "web_news",
    "DuckBurnIncense__xin-wen-lian-bo": "tv_news",
    "aldohemsn__chinese-political-corpora": "government_report",
    "LawRefBook__Laws": "law",
}

_TAG = re.compile(r"<[^>]+>")
_LINK = re.compile(r"\[查看原文\]\([^)]*\)")
_SENTENCE_END = re.compile(r"(?<=[。！？!?；])")


def realtext_dir() -> Path | None:
    """`$EDUNLP_REALTEXT`, else `../shared/realtext` beside the repository; None when absent."""
    candidates = [os.environ.get(REALTEXT_ENV)] if os.environ.get(REALTEXT_ENV) else []
    candidates.append(str(Path(__file__).resolve().parents[3] / "shared" / "realtext"))
    for candidate in candidates:
        if Path(candidate).is_dir() and any(Path(candidate).glob("*.jsonl.gz")):
            return Path(candidate)
    return None


@dataclass(frozen=True)
class Document:
    source: str  # file stem, e.g. "LawRefBook__Laws"
    path: str
    item: int
    title: str | None
    text: str  # cleaned: no markup, one paragraph a line

    @property
    def key(self) -> str:
        return f"{self.source}|{self.path}|{self.item}"

    @property
    def genre(self) -> str:
        return GENRES.get(self.source, "other")

    @property
    def blind(self) -> bool:
        return is_blind(self.key)


@dataclass(frozen=True)
class Unit:
    """A paragraph-sized piece of a document: `document.text[start:end]`."""

    document: Document
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.document.text[self.start : self.end]

    def reference(self) -> dict:
        return {"source": self.document.source, "path": self.document.path, "item": self.document.item,
                "start": self.start, "end": self.end, "sha1": text_hash(self.text)}


def hash_fraction(text: str) -> float:
    """A fixed number in [0, 1] from the text's SHA-1: the splits below and the noise recipes use it."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF


def is_blind(key: str) -> bool:
    """Whether a document belongs to the blind pool (a fixed hash split, about BLIND_SHARE)."""
    return hash_fraction(key) < BLIND_SHARE


def blind_part(key: str) -> str:
    """"dev" or "test": which blind set a blind document (or a written paragraph's id) belongs to,
    by a fixed hash, so that a later round adds to blind-dev without moving anything in blind-test."""
    return "dev" if hash_fraction(f"blind-split:{key}") < BLIND_DEV_SHARE else "test"


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def clean_document(raw: str) -> str:
    """Plain text, one paragraph a line: inline HTML (TV transcripts) and markdown residue removed."""
    text = _LINK.sub("", raw)
    text = re.sub(r"</p>|<br\s*/?>", "\n", text)
    text = html.unescape(_TAG.sub("", text))
    lines = []
    for line in text.replace("\r", "\n").split("\n"):
        line = line.strip().strip("\u3000").strip()
        if line and not line.startswith(("#", "<!--")):
            lines.append(line)
    return "\n".join(lines)


def documents(directory: Path | None = None) -> Iterator[Document]:
    """Every document of every source file, in file order."""
    directory = directory or realtext_dir()
    if directory is None:
        raise FileNotFoundError(f"no real text found: set ${REALTEXT_ENV} or put ../shared/realtext beside the repository")
    for path in sorted(Path(directory).glob("*.jsonl.gz")):
        source = path.name.removesuffix(".jsonl.gz")
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                yield Document(source, record["path"], int(record.get("item") or 0), record.get("title"),
                               clean_document(record.get("text") or ""))


def units(document: Document, min_chars: int = 40, max_chars: int = 320) -> Iterator[Unit]:
    """Paragraph-sized units: each line, long lines cut into runs of whole sentences of at most
    `max_chars` (news sites often put a whole article on one line)."""
    position = 0
    for line in document.text.split("\n"):
        line_start, position = position, position + len(line) + 1
        start = line_start
        end = line_start
        for sentence in _SENTENCE_END.split(line):
            if not sentence:
                continue
            if end - start + len(sentence) > max_chars and end > start:
                if end - start >= min_chars:
                    yield Unit(document, start, end)
                start = end
            end += len(sentence)
        if end - start >= min_chars:
            yield Unit(document, start, min(end, start + max_chars * 2))


def resolve(reference: dict, index: dict[tuple[str, str, int], Document]) -> str:
    """The paragraph text a reference points at; ValueError when it is gone or changed."""
    key = (reference["source"], reference["path"], int(reference["item"]))
    document = index.get(key)
    if document is None:
        raise ValueError(f"document {key[0]}:{key[1]}#{key[2]} is not in the real text")
    text = document.text[reference["start"] : reference["end"]]
    if text_hash(text) != reference["sha1"]:
        raise ValueError(f"paragraph {key[1]}#{key[2]}[{reference['start']}:{reference['end']}] changed (hash mismatch)")
    return text


def document_index(directory: Path | None = None) -> dict[tuple[str, str, int], Document]:
    return {(d.source, d.path, d.item): d for d in documents(directory)}
