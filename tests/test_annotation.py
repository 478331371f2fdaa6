"""The annotation loop: export pre-annotations, read back what Label Studio and doccano export."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from edunlp.corpus.annotation import ENTITY_CONTROL, LABEL_CONTROL, SENTENCE_CONTROL, export_lines, label_studio_config
from edunlp.cli import main
from edunlp.corpus.examples import ENTITY_TYPES, LABELS, CorpusError, Example, read_examples
from edunlp.output import write_jsonl

from .test_analysis import archive


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    return [row for bulletin in archive() for row in bulletin.rows()]


def expected(row: dict[str, Any]) -> Example:
    """What a paragraph row says, as a training example: offsets into the body."""
    offset = row["start"]
    return Example(
        text=row["text"],
        labels=[label["label"] for label in row["labels"]],
        entities=sorted((e["start"] - offset, e["end"] - offset, e["label"]) for e in row["entities"]),
        month=row["month"], region=row["region"], section=row["section"], head=row["head"], doc_id=row["doc_id"],
        sentences=[(s["start"] - offset, s["end"] - offset, [label["label"] for label in s["labels"]])
                   for s in row["sentences"] if s.get("labels")],
    )


def _export(rows: list[dict[str, Any]], tool: str, path: Path) -> Path:
    path.write_text("".join(export_lines(rows, tool)), encoding="utf-8")
    return path


def test_the_archive_has_what_the_round_trip_must_keep(rows: list[dict[str, Any]]) -> None:
    assert any(row["labels"] for row in rows) and any(len(row["labels"]) > 1 for row in rows)
    assert any(s.get("labels") for row in rows for s in row["sentences"])
    assert {e["label"] for row in rows for e in row["entities"]} >= {"ORG", "PLATFORM", "QUANTITY", "INDICATOR"}


def test_label_studio_predictions_round_trip(rows: list[dict[str, Any]], tmp_path: Path) -> None:
    path = _export(rows, "label-studio", tmp_path / "tasks.json")
    tasks = json.loads(path.read_text(encoding="utf-8"))
    assert len(tasks) == len(rows) and all(len(task["predictions"]) == 1 for task in tasks)
    assert read_examples(path, use_predictions=True) == [expected(row) for row in rows]
    # Untouched pre-annotations are no training data unless asked: every task is skipped and counted.
    skipped = read_examples(path)
    assert skipped == [] and skipped.unannotated == len(rows)


def test_label_studio_export_after_review_round_trips(rows: list[dict[str, Any]], tmp_path: Path) -> None:
    """As Label Studio exports a task whose pre-annotation a reviewer submitted: the prediction's
    results become the annotation; a cancelled annotation is skipped."""
    tasks = json.loads(_export(rows, "label-studio", tmp_path / "tasks.json").read_text(encoding="utf-8"))
    for number, task in enumerate(tasks, start=1):
        prediction = task["predictions"][0]
        task["id"] = number
        task["annotations"] = [{"id": 1, "was_cancelled": True, "result": []},
                               {"id": 2, "was_cancelled": False, "result": prediction["result"], "prediction": prediction}]
    (tmp_path / "export.json").write_text(json.dumps(tasks, ensure_ascii=False, indent=2), encoding="utf-8")
    assert read_examples(tmp_path / "export.json") == [expected(row) for row in rows]
    # One task a line, as some scripts keep them.
    write_jsonl(tmp_path / "tasks.jsonl", tasks)
    assert read_examples(tmp_path / "tasks.jsonl") == [expected(row) for row in rows]


def _json_min(task: dict[str, Any]) -> dict[str, Any]:
    """A task as Label Studio's JSON-MIN export writes it: the data fields, then each control's
    results under its name (span values as they are, one choice as a string)."""
    flat = {"id": 1, **task["data"], "annotator": 1, "annotation_id": 2, "lead_time": 3.5}
    for result in task["predictions"][0]["result"]:
        value = result["value"]
        if result["type"] == "choices":
            choices = value["choices"]
            if choices:
                flat[result["from_name"]] = choices[0] if len(choices) == 1 else {"choices": choices}
        else:
            flat.setdefault(result["from_name"], []).append(value)
    return flat


def test_label_studio_json_min_round_trips(rows: list[dict[str, Any]], tmp_path: Path) -> None:
    tasks = json.loads(_export(rows, "label-studio", tmp_path / "tasks.json").read_text(encoding="utf-8"))
    path = tmp_path / "min.json"
    path.write_text(json.dumps([_json_min(task) for task in tasks], ensure_ascii=False, indent=1), encoding="utf-8")
    assert read_examples(path) == [expected(row) for row in rows]


def test_doccano_round_trips(rows: list[dict[str, Any]], tmp_path: Path) -> None:
    path = _export(rows, "doccano", tmp_path / "doccano.jsonl")
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert all(isinstance(r["cats"], list) and isinstance(r["entities"], list) for r in records)
    assert any(span[2] in LABELS for r in records for span in r["entities"])  # sentence labels as spans
    assert read_examples(path) == [expected(row) for row in rows]


def test_tag_output_is_training_data(rows: list[dict[str, Any]], tmp_path: Path) -> None:
    write_jsonl(tmp_path / "out.jsonl", rows)
    examples = read_examples(tmp_path / "out.jsonl")
    assert examples == [expected(row) for row in rows]
    assert all(example.indicators is None for example in examples)  # the model's indicators are no gold


def test_cli_export_from_tag_output_needs_no_model(rows: list[dict[str, Any]], tmp_path: Path) -> None:
    write_jsonl(tmp_path / "out.jsonl", rows)
    assert main(["export", str(tmp_path / "out.jsonl"), "--to", "label-studio", "-o", str(tmp_path / "ls.json")]) == 0
    assert read_examples(tmp_path / "ls.json", use_predictions=True) == [expected(row) for row in rows]
    config = ET.fromstring((tmp_path / "ls.label_config.xml").read_text(encoding="utf-8"))
    controls = {element.get("name"): [option.get("value") for option in element] for element in config
                if element.tag in ("Choices", "Labels")}
    assert controls == {LABEL_CONTROL: list(LABELS), ENTITY_CONTROL: list(ENTITY_TYPES), SENTENCE_CONTROL: list(LABELS)}
    assert main(["export", str(tmp_path / "out.jsonl"), "--to", "doccano", "-o", str(tmp_path / "d.jsonl")]) == 0
    assert read_examples(tmp_path / "d.jsonl") == [expected(row) for row in rows]


def test_label_studio_config_is_the_one_exported() -> None:
    assert label_studio_config().count("<Label ") == len(ENTITY_TYPES) + len(LABELS)


def test_json_min_errors_name_the_task_line(tmp_path: Path) -> None:
    path = tmp_path / "min.json"
    good = {"text": "短文本", "action_line": "campus"}
    bad = {"text": "短文本", "entity": [{"start": 0, "end": 9, "labels": ["ORG"]}]}
    path.write_text("[\n" + json.dumps(good, ensure_ascii=False) + ",\n" + json.dumps(bad, ensure_ascii=False) + "\n]",
                    encoding="utf-8")
    with pytest.raises(CorpusError, match=r"min.json:3: span \[0, 9, ORG\] overruns"):
        read_examples(path)


def test_sentence_label_span_outside_the_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "doccano.jsonl"
    path.write_text(json.dumps({"text": "短文本", "entities": [[0, 7, "campus"]], "cats": []}) + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"doccano.jsonl:1: span \[0, 7, campus\] overruns"):
        read_examples(path)
