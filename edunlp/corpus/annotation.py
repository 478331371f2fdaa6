"""The annotation loop: the model's readings as pre-annotations for Label Studio and doccano.

`edunlp export` writes one task per paragraph (its body, with month, region, section and head as
data) holding the model's paragraph labels, sentence labels and entities, offsets into the body:

- Label Studio: a JSON list of tasks with one `predictions` entry; results go to three controls
  of `label_studio_config()`: `action_line` (choices), `entity` (spans) and `sentence` (spans
  over whole sentences, labelled with action lines);
- doccano ("Intent Detection and Slot Filling" projects): JSONL with `cats` and `entities`
  spans, sentence labels among them as spans typed with an action line.

What the tools export after review reads straight back as training data (edunlp.corpus.examples), and so
does `edunlp tag` output itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any
from xml.sax.saxutils import quoteattr

from .. import __version__
from .examples import ENTITY_TYPES, LABEL_NAMES, LABELS

TOOLS = ("label-studio", "doccano")
LABEL_CONTROL, ENTITY_CONTROL, SENTENCE_CONTROL = "action_line", "entity", "sentence"
DATA_FIELDS = ("month", "region", "section", "head", "doc_id", "source", "kind")


def label_studio_config() -> str:
    """The labelling interface the exported tasks are written for (Settings → Labeling Interface)."""
    def options(tag: str, names: Iterable[str]) -> str:
        return "\n".join(f'    <{tag} value={quoteattr(n)} hint={quoteattr(LABEL_NAMES.get(n, n))}/>' for n in names)

    return f"""<View>
  <Text name="text" value="$text"/>
  <Header value="段落行动方向 action lines of the paragraph"/>
  <Choices name="{LABEL_CONTROL}" toName="text" choice="multiple" showInline="true">
{options("Choice", LABELS)}
  </Choices>
  <Header value="实体 entities"/>
  <Labels name="{ENTITY_CONTROL}" toName="text">
{options("Label", ENTITY_TYPES)}
  </Labels>
  <Header value="句子行动方向 select a sentence, then its action lines"/>
  <Labels name="{SENTENCE_CONTROL}" toName="text" choice="multiple">
{options("Label", LABELS)}
  </Labels>
</View>
"""


def _body_spans(row: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The row's labelled sentences and its entities, offsets made relative to the body."""
    offset = row["start"]
    sentences = [{**s, "start": s["start"] - offset, "end": s["end"] - offset}
                 for s in row.get("sentences") or [] if s.get("labels")]
    entities = [{**e, "start": e["start"] - offset, "end": e["end"] - offset} for e in row.get("entities") or []]
    return sentences, entities


def label_studio_task(row: dict[str, Any], model_version: str) -> dict[str, Any]:
    """One `edunlp tag` paragraph row as a Label Studio task with the model's prediction."""
    text = row["text"]
    sentences, entities = _body_spans(row)

    def span(control: str, start: int, end: int, labels: list[str], score: float | None) -> dict[str, Any]:
        result = {"id": f"{control}-{start}-{end}", "from_name": control, "to_name": "text", "type": "labels",
                  "value": {"start": start, "end": end, "text": text[start:end], "labels": labels}}
        return result if score is None else {**result, "score": score}

    result = [{"id": "action_line", "from_name": LABEL_CONTROL, "to_name": "text", "type": "choices",
               "value": {"choices": [label["label"] for label in row.get("labels") or []]}}]
    result += [span(SENTENCE_CONTROL, s["start"], s["end"], [label["label"] for label in s["labels"]],
                    min(label.get("score", 1.0) for label in s["labels"])) for s in sentences]
    result += [span(ENTITY_CONTROL, e["start"], e["end"], [e["label"]], e.get("score")) for e in entities]
    scores = [label.get("score", 1.0) for label in row.get("labels") or []]
    prediction = {"model_version": model_version, "result": result}
    if scores:
        prediction["score"] = min(scores)  # the least sure label: Label Studio sorts the tasks to review by it
    return {"data": {"text": text, **{name: row.get(name) for name in DATA_FIELDS}}, "predictions": [prediction]}


def doccano_record(row: dict[str, Any]) -> dict[str, Any]:
    """One `edunlp tag` paragraph row as a doccano record: cats, and entity and sentence spans."""
    sentences, entities = _body_spans(row)
    spans = [[e["start"], e["end"], e["label"]] for e in entities]
    spans += [[s["start"], s["end"], label["label"]] for s in sentences for label in s["labels"]]
    return {"text": row["text"], "cats": [label["label"] for label in row.get("labels") or []],
            "entities": sorted(spans), **{name: row.get(name) for name in DATA_FIELDS}}


def export_lines(rows: Iterable[dict[str, Any]], tool: str, model_version: str = f"edunlp {__version__}") -> Iterator[str]:
    """The text of the export file for `tool`, piece by piece: a JSON list for Label Studio, JSONL
    for doccano. Rows are `edunlp tag` paragraph rows (edunlp.analysis.frames.paragraph_rows)."""
    if tool not in TOOLS:
        raise ValueError(f"unknown annotation tool {tool!r}; expected one of {TOOLS}")
    if tool == "doccano":
        yield from (json.dumps(doccano_record(row), ensure_ascii=False) + "\n" for row in rows)
        return
    yield "["
    for number, row in enumerate(rows):
        yield ("," if number else "") + "\n" + json.dumps(label_studio_task(row, model_version), ensure_ascii=False)
    yield "\n]\n"
