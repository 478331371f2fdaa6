"""Labelled paragraphs on disk: the project's JSONL format and the annotation tools' exports.

One `Example` is one bulletin paragraph: its body `text` (without the topic head), the action-line
`labels` it touches and its typed `entities` as (start, end, type) spans into `text`, end exclusive.
`read_examples` accepts these shapes, detected from the content:

- the project's JSONL (see corpora/README.md), one paragraph a line:
  `{"text", "labels", "entities": [[start, end, type], …], "month", "region", "section", "head"}`;
- `edunlp tag` (or `segment`) output: its paragraph rows, labels and sentence labels by name,
  entity offsets made relative to the paragraph body (its indicators are not read as gold);
- doccano JSONL exports: spans as `"label": [[start, end, type], …]` or as `"entities"` dicts with
  `start_offset`/`end_offset`/`label`; categories as `"cats"` or as a `"label"` list of strings;
- Label Studio JSON exports (a list of tasks, or one task a line): the first kept annotation of a
  task holds `"labels"` results (spans, `value.start`/`value.end`/`value.labels`) and `"choices"`
  results (`value.choices`). A task nobody annotated (none, or only cancelled ones) is skipped and
  counted in `Examples.unannotated`: its prediction is a model's pre-annotation, not a reviewed
  label, so it becomes training data only with `use_predictions=True`;
- Label Studio JSON-MIN exports: a list of flat tasks, each control's results under its name
  (spans as `[{start, end, labels}]`, choices as `{"choices": […]}` or one string).

In every tool's format a span labelled with an action line (`resources`, …) rather than an entity
type is a sentence label: annotators mark a sentence and pick its lines (edunlp.corpus.annotation writes
pre-annotations that way).

Every problem raises `CorpusError`, whose message reads `path:line: reason`, so a bad record is
found in the file at once.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..reading.files import jsonl_records

LABELS: tuple[str, ...] = (
    "resources",
    "learning_space",
    "poverty",
    "governance",
    "campus",
    "innovation",
    "literacy",
    "publicity",
    "security",
    "policy",
    "other",
)
ENTITY_TYPES: tuple[str, ...] = (
    "QUANTITY",
    "INDICATOR",
    "DATE",
    "ORG",
    "GPE",
    "DOC",
    "PLATFORM",
    "EVENT",
)
# What annotators and the report show for each action line (docs/LABELS.md).
LABEL_NAMES: dict[str, str] = {
    "resources": "数字教育资源", "learning_space": "网络学习空间", "poverty": "网络扶智", "governance": "教育治理",
    "campus": "数字校园", "innovation": "智慧教育创新", "literacy": "信息素养", "publicity": "宣传",
    "security": "网络安全", "policy": "政策部署", "other": "其他",
}
METADATA_FIELDS: tuple[str, ...] = ("month", "region", "section", "head", "doc_id", "genre", "origin")


class CorpusError(InputError):
    """A labelled record that cannot be read; the message is `path:line: reason`."""


@dataclass
class Example:
    """One labelled paragraph body with its place in the bulletin."""

    text: str
    labels: list[str] = field(default_factory=list)
    entities: list[tuple[int, int, str]] = field(default_factory=list)
    month: str | None = None
    region: str | None = None
    section: str | None = None
    head: str | None = None
    doc_id: str | None = None
    genre: str | None = None  # news, statistics, law, … (evaluation tables are cut by it)
    origin: str | None = None  # "real" (from ../shared/realtext), "written" (an independent author), "generated"
    # Optional sentence-level labels: (start, end, labels) ranges into `text`.
    sentences: list[tuple[int, int, list[str]]] = field(default_factory=list)
    # False where nobody marked the entities (labels only): training then skips the entity loss.
    entities_annotated: bool = True
    # Hand-written indicator gold, as dicts: text, value, multiplier, unit, normalized, qualifier, name.
    indicators: list[dict[str, Any]] | None = None

    def to_json(self) -> dict[str, Any]:
        """The record as written to the project's JSONL format."""
        record = {
            "text": self.text,
            "labels": list(self.labels),
            "entities": [[start, end, kind] for start, end, kind in self.entities] if self.entities_annotated else None,
            **{name: getattr(self, name) for name in METADATA_FIELDS},
        }
        if self.indicators is not None:
            record["indicators"] = self.indicators
        if self.sentences:
            record["sentences"] = [[start, end, list(labels)] for start, end, labels in self.sentences]
        return record


class Examples(list[Example]):
    """The examples of one file, and how many Label Studio tasks were skipped as unannotated."""

    unannotated: int = 0

    def take(self, example: Example | None) -> None:
        """Keep an example; None stands for a skipped unannotated task."""
        if example is None:
            self.unannotated += 1
        else:
            self.append(example)


def read_examples(path: str | os.PathLike[str], use_predictions: bool = False) -> Examples:
    """Read a project JSONL file, a doccano JSONL export or a Label Studio JSON export. With
    `use_predictions`, a Label Studio task without an annotation gives its first prediction."""
    text = Path(path).read_text(encoding="utf-8-sig")
    if text.lstrip().startswith("["):
        return _read_label_studio(path, text, use_predictions)
    return _read_jsonl(path, text, use_predictions)


def write_examples(path: str | os.PathLike[str], examples: list[Example]) -> None:
    """Write examples as project JSONL, atomically: a temp file in the same folder, then replace."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            for example in examples:
                out.write(json.dumps(example.to_json(), ensure_ascii=False) + "\n")
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def _read_jsonl(path: str | os.PathLike[str], text: str, use_predictions: bool) -> Examples:
    examples = Examples()
    for number, record in jsonl_records(path, text.splitlines(), CorpusError):
        if isinstance(record.get("data"), dict):
            examples.take(_from_label_studio_task(path, number, record, use_predictions))
        elif _is_tag_row(record):
            examples.append(_from_tag_row(path, number, record))
        else:
            examples.append(_from_jsonl_record(path, number, record))
    return examples


def _from_jsonl_record(path: str | os.PathLike[str], line: int, record: dict[str, Any]) -> Example:
    """A project or doccano record: the two differ only in where spans and categories live.

    A record may point at a real paragraph instead of holding it (`"ref"`, see edunlp.corpus.realtext)
    and may name a `"noise"` recipe (edunlp.corpus.noise) applied to its text as it is read.
    """
    if "ref" in record and "text" not in record:
        record = {**record, "text": _resolve_reference(path, line, record["ref"])}
    if record.get("noise"):
        from .noise import add_noise

        if record.get("entities"):
            raise CorpusError(path, "noise changes offsets: a record with entities cannot name a recipe", line)
        try:
            record = {**record, "text": add_noise(record["text"], record["noise"])}
        except ValueError as error:
            raise CorpusError(path, str(error), line) from None
    spans: list[Any] = []
    categories: list[Any] = []
    for key in ("labels", "cats", "label"):
        value = record.get(key, [])
        if not isinstance(value, list):
            raise CorpusError(path, f'"{key}" must be a list', line)
        for item in value:
            (categories if isinstance(item, str) else spans).append(item)
    entities = record.get("entities", [])
    if entities is not None and not isinstance(entities, list):
        raise CorpusError(path, '"entities" must be a list or null', line)
    spans.extend(entities or [])
    triples = [_span_triple(path, line, span) for span in spans]
    example = _checked_example(path, line, record.get("text"), categories, triples, record)
    example.sentences += _checked_sentences(path, line, example.text, record.get("sentences", []))
    example.entities_annotated = entities is not None
    indicators = record.get("indicators")
    if indicators is not None and not (isinstance(indicators, list) and all(isinstance(i, dict) for i in indicators)):
        raise CorpusError(path, '"indicators" must be a list of objects', line)
    example.indicators = indicators
    return example


def _is_tag_row(record: dict[str, Any]) -> bool:
    """An `edunlp tag` paragraph row: a kind, a document offset, labels as {label, score} dicts."""
    labels = record.get("labels")
    return "kind" in record and isinstance(record.get("start"), int) and isinstance(labels, list) and all(
        isinstance(label, dict) for label in labels)


def _from_tag_row(path: str | os.PathLike[str], line: int, row: dict[str, Any]) -> Example:
    """The model's (or a reviewer's) reading of one paragraph as a training example."""
    offset = row["start"]
    try:
        categories = [label["label"] for label in row["labels"]]
        spans = [(e["start"] - offset, e["end"] - offset, e["label"]) for e in row.get("entities") or []]
        sentences = [[s["start"] - offset, s["end"] - offset, [label["label"] for label in s["labels"]]]
                     for s in row.get("sentences") or [] if s.get("labels")]
    except (KeyError, TypeError) as error:
        raise CorpusError(path, f"not an edunlp tag row: {type(error).__name__} {error}", line) from None
    example = _checked_example(path, line, row.get("text"), categories, spans, row)
    example.sentences += _checked_sentences(path, line, example.text, sentences)
    return example


_REAL_DOCUMENTS: dict | None = None


def _resolve_reference(path: str | os.PathLike[str], line: int, reference: Any) -> str:
    """The text of a real paragraph kept as a reference (the documents are read once per process)."""
    global _REAL_DOCUMENTS
    from . import realtext

    if _REAL_DOCUMENTS is None:
        if realtext.realtext_dir() is None:
            raise CorpusError(path, f"a real-text reference needs ../shared/realtext (or ${realtext.REALTEXT_ENV})", line)
        _REAL_DOCUMENTS = realtext.document_index()
    try:
        return realtext.resolve(reference, _REAL_DOCUMENTS)
    except (ValueError, KeyError, TypeError) as error:
        raise CorpusError(path, f"real-text reference: {error}", line) from None


def _checked_sentences(path: str | os.PathLike[str], line: int, text: str, sentences: Any) -> list[tuple[int, int, list[str]]]:
    """Validate optional sentence-level labels: [[start, end, [label, …]], …] inside the text."""
    if not isinstance(sentences, list):
        raise CorpusError(path, '"sentences" must be a list', line)
    checked = []
    for item in sentences:
        if not (isinstance(item, list) and len(item) == 3 and isinstance(item[2], list)):
            raise CorpusError(path, f"cannot read sentence {json.dumps(item, ensure_ascii=False)}", line)
        start, end, labels = item
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            raise CorpusError(path, f"sentence [{start}, {end}] overruns the text of {len(text)} characters", line)
        unknown = [label for label in labels if label not in LABELS]
        if unknown:
            raise CorpusError(path, f"unknown label {unknown[0]!r} (known: {', '.join(LABELS)})", line)
        checked.append((start, end, labels))
    return checked


def _span_triple(path: str | os.PathLike[str], line: int, span: Any) -> tuple[Any, Any, Any]:
    """Accept [start, end, type] lists and doccano's {start_offset, end_offset, label} dicts."""
    if isinstance(span, dict) and {"start_offset", "end_offset", "label"} <= span.keys():
        return span["start_offset"], span["end_offset"], span["label"]
    if isinstance(span, (list, tuple)) and len(span) == 3:
        return span[0], span[1], span[2]
    raise CorpusError(path, f"cannot read span {json.dumps(span, ensure_ascii=False)}", line)


def _read_label_studio(path: str | os.PathLike[str], text: str, use_predictions: bool) -> Examples:
    """Decode the task list one element at a time so each error can name the task's line."""
    decoder = json.JSONDecoder()
    position = text.index("[") + 1
    examples = Examples()
    while True:
        position = _skip_blank(text, position)
        if position < len(text) and text[position] == "]":
            break
        line = text.count("\n", 0, position) + 1
        try:
            task, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            raise CorpusError(path, f"broken JSON: {error.msg} (column {error.colno})", error.lineno) from None
        if not isinstance(task, dict):
            raise CorpusError(path, "expected a Label Studio task object", line)
        if "data" not in task and "text" in task:
            examples.append(_from_label_studio_min(path, line, task))
        else:
            examples.take(_from_label_studio_task(path, line, task, use_predictions))
        position = _skip_blank(text, position)
        if position < len(text) and text[position] == ",":
            position += 1
        elif position >= len(text) or text[position] != "]":
            line = text.count("\n", 0, position) + 1
            raise CorpusError(path, "broken JSON: expected ',' or ']' after a task", line)
    return examples


def _skip_blank(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _from_label_studio_task(path: str | os.PathLike[str], line: int, task: dict[str, Any],
                            use_predictions: bool) -> Example | None:
    """The task's first kept annotation (else, if asked, its first prediction); None if it has neither."""
    data = task.get("data", {})
    if not isinstance(data, dict):
        raise CorpusError(path, '"data" must be an object', line)
    kept = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    if not kept and use_predictions:
        kept = task.get("predictions") or []
    if not kept:
        return None
    results = kept[0].get("result", [])
    categories: list[Any] = []
    spans: list[tuple[Any, Any, Any]] = []
    for result in results:
        value = result.get("value", {})
        if result.get("type") == "choices":
            categories.extend(value.get("choices", []))
        elif result.get("type") == "labels":
            for kind in value.get("labels", []):
                spans.append((value.get("start"), value.get("end"), kind))
    return _checked_example(path, line, data.get("text"), categories, spans, data)


def _from_label_studio_min(path: str | os.PathLike[str], line: int, task: dict[str, Any]) -> Example:
    """A JSON-MIN task: the data fields, and each control's results under the control's name."""
    categories: list[Any] = []
    spans: list[tuple[Any, Any, Any]] = []
    for name, value in task.items():
        if name == "text" or name in METADATA_FIELDS:
            continue
        if isinstance(value, dict) and isinstance(value.get("choices"), list):
            categories.extend(value["choices"])
        elif isinstance(value, str) and value in LABELS:
            categories.append(value)
        elif isinstance(value, list) and value and all(isinstance(v, dict) and "labels" in v for v in value):
            spans.extend((v.get("start"), v.get("end"), kind) for v in value for kind in v["labels"])
    return _checked_example(path, line, task.get("text"), categories, spans, task)


def _checked_example(
    path: str | os.PathLike[str],
    line: int,
    text: Any,
    categories: list[Any],
    spans: list[tuple[Any, Any, Any]],
    metadata: dict[str, Any],
) -> Example:
    """Validate text, labels and spans, then build the Example (labels deduplicated, spans sorted)."""
    if not isinstance(text, str):
        raise CorpusError(path, 'missing "text" string', line)
    labels: list[str] = []
    for label in categories:
        if label not in LABELS:
            raise CorpusError(path, f"unknown label {label!r} (known: {', '.join(LABELS)})", line)
        if label not in labels:
            labels.append(label)
    entities = []
    sentences: dict[tuple[int, int], list[str]] = {}
    for start, end, kind in spans:
        if kind not in ENTITY_TYPES and kind not in LABELS:
            raise CorpusError(path, f"unknown entity type {kind!r} (known: {', '.join(ENTITY_TYPES)})", line)
        if not all(isinstance(offset, int) and not isinstance(offset, bool) for offset in (start, end)):
            raise CorpusError(path, f"span offsets must be integers: [{start!r}, {end!r}, {kind}]", line)
        if not 0 <= start < end <= len(text):
            raise CorpusError(
                path, f"span [{start}, {end}, {kind}] overruns the text of {len(text)} characters", line
            )
        if kind in LABELS:  # a sentence marked with its action line
            sentences.setdefault((start, end), []).append(kind)
        else:
            entities.append((start, end, kind))
    entities.sort()
    for before, after in zip(entities, entities[1:]):
        if after[0] < before[1]:
            raise CorpusError(path, f"overlapping entities {list(before)} and {list(after)}", line)
    fields = {name: metadata.get(name) for name in METADATA_FIELDS}
    return Example(text=text, labels=labels, entities=entities, **fields,
                   sentences=[(start, end, kinds) for (start, end), kinds in sorted(sentences.items())])
