"""The labelled-corpus readers and writer, and the shipped corpus in corpora/labelled/."""

from __future__ import annotations

import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

from edunlp.corpus.examples import ENTITY_TYPES, LABELS, CorpusError, Example, read_examples, write_examples

CORPORA = Path(__file__).resolve().parents[1] / "corpora"
SPLITS = ("train", "dev", "test")
TEXT = "8月4日，省教育厅印发《关于推进全省教育系统IPv6部署的通知》，覆盖学校1200所。"


def example(**changes) -> Example:
    fields = dict(
        text=TEXT,
        labels=["campus", "policy"],
        entities=[(0, 4, "DATE"), (5, 9, "ORG"), (11, 32, "DOC"), (37, 42, "QUANTITY")],
        month="2021-08",
        region="吉林",
        section="各地工作动态",
        head="吉林",
        doc_id="2021-08",
    )
    fields.update(changes)
    return Example(**fields)


def test_example_spans_cut_the_intended_words():
    spans = {kind: TEXT[start:end] for start, end, kind in example().entities}
    assert spans == {"DATE": "8月4日", "ORG": "省教育厅", "DOC": "《关于推进全省教育系统IPv6部署的通知》",
                     "QUANTITY": "1200所"}


def test_round_trip_keeps_every_field(tmp_path):
    path = tmp_path / "out" / "train.jsonl"
    examples = [example(), example(text="本月无数字。", labels=["other"], entities=[], region=None, head=None)]
    write_examples(path, examples)
    assert read_examples(path) == examples
    assert [p.name for p in path.parent.iterdir()] == ["train.jsonl"]  # no temp file left behind


def test_sentence_labels_round_trip(tmp_path):
    example = Example(TEXT, ["campus", "security"], [(0, 4, "DATE")], sentences=[(0, 10, ["campus"]), (10, len(TEXT), ["security"])])
    path = tmp_path / "sentences.jsonl"
    write_examples(path, [example])
    assert read_examples(path)[0].sentences == example.sentences


def test_shipped_corpus_has_sentence_labels_that_add_up(corpus):
    for example in corpus["train"][:300]:
        if example.sentences:
            union = {label for _, _, labels in example.sentences for label in labels}
            assert (union - {"other"} or union) == set(example.labels)  # `other` only when nothing else
            assert example.sentences[-1][1] == len(example.text)


def test_write_replaces_an_existing_file(tmp_path):
    path = tmp_path / "train.jsonl"
    write_examples(path, [example(), example()])
    write_examples(path, [example(labels=["security"])])
    assert [e.labels for e in read_examples(path)] == [["security"]]


def test_doccano_span_list_with_cats(tmp_path):
    path = tmp_path / "doccano.jsonl"
    record = {"id": 7, "text": TEXT, "label": [[37, 42, "QUANTITY"], [0, 4, "DATE"]], "cats": ["campus"],
              "month": "2021-08"}
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    [read] = read_examples(path)
    assert read.labels == ["campus"]
    assert read.entities == [(0, 4, "DATE"), (37, 42, "QUANTITY")]
    assert read.month == "2021-08"


def test_doccano_category_list_and_entity_dicts(tmp_path):
    path = tmp_path / "doccano.jsonl"
    records = [
        {"text": TEXT, "label": ["campus", "security"]},
        {"text": TEXT, "entities": [{"id": 1, "start_offset": 5, "end_offset": 9, "label": "ORG"}],
         "label": ["policy"]},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    first, second = read_examples(path)
    assert first.labels == ["campus", "security"] and first.entities == []
    assert second.labels == ["policy"] and second.entities == [(5, 9, "ORG")]


def test_label_studio_export(tmp_path):
    path = tmp_path / "export.json"
    tasks = [
        {
            "id": 1,
            "data": {"text": TEXT, "region": "吉林"},
            "annotations": [
                {"was_cancelled": True, "result": [{"type": "choices", "value": {"choices": ["other"]}}]},
                {
                    "result": [
                        {"type": "labels", "from_name": "ner", "value": {"start": 5, "end": 9, "text": "省教育厅",
                                                                          "labels": ["ORG"]}},
                        {"type": "choices", "from_name": "line", "value": {"choices": ["campus", "policy"]}},
                    ]
                },
            ],
        },
        {"id": 2, "data": {"text": "本月无事。"}, "annotations": []},
        {"id": 3, "data": {"text": "本月无事。"}, "annotations": [{"was_cancelled": True, "result": []}],
         "predictions": [{"result": [{"type": "choices", "value": {"choices": ["security"]}}]}]},
        {"id": 4, "data": {"text": "本月无事。"}, "annotations": [{"result": []}],
         "predictions": [{"result": [{"type": "choices", "value": {"choices": ["security"]}}]}]},
    ]
    path.write_text(json.dumps(tasks, ensure_ascii=False, indent=2), encoding="utf-8")
    read = read_examples(path)
    first, fourth = read
    assert first.labels == ["campus", "policy"]
    assert first.entities == [(5, 9, "ORG")]
    assert first.region == "吉林"
    assert fourth.text == "本月无事。" and fourth.labels == [] and fourth.entities == []  # annotated: nothing applies
    assert read.unannotated == 2  # task 2 (no annotation) and task 3 (only a cancelled one)
    with_predictions = read_examples(path, use_predictions=True)
    assert [e.labels for e in with_predictions] == [["campus", "policy"], ["security"], []]
    assert with_predictions.unannotated == 1  # task 2 has no prediction either


def test_train_reports_skipped_label_studio_tasks(tmp_path, capsys):
    from edunlp.cli import _read_labelled

    path = tmp_path / "export.json"
    task = {"data": {"text": TEXT}, "predictions": [{"result": [{"type": "choices", "value": {"choices": ["campus"]}}]}]}
    path.write_text(json.dumps([task, task]), encoding="utf-8")
    assert _read_labelled([str(path)], use_predictions=False) == []
    assert f"{path}: 2 Label Studio tasks without an annotation skipped" in capsys.readouterr().err
    assert [e.labels for e in _read_labelled([str(path)], use_predictions=True)] == [["campus"], ["campus"]]
    assert capsys.readouterr().err == ""


def _lines(*records: object) -> str:
    return "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records) + "\n"


GOOD = {"text": TEXT, "labels": ["campus"], "entities": [[0, 4, "DATE"]]}


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ({"text": TEXT, "labels": [], "entities": [[37, 99, "QUANTITY"]]}, "overruns the text"),
        ({"text": TEXT, "labels": ["schools"], "entities": []}, "unknown label 'schools'"),
        ({"text": TEXT, "labels": [], "entities": [[0, 4, "PERSON"]]}, "unknown entity type 'PERSON'"),
        ({"text": TEXT, "labels": [], "entities": [[11, 32, "DOC"], [20, 24, "PLATFORM"]]}, "overlapping entities"),
        ('{"text": "未闭合", "labels": [', "broken JSON"),
        ({"text": TEXT, "labels": [], "entities": [], "sentences": [[0, 99, ["campus"]]]}, "sentence [0, 99] overruns"),
        ({"text": TEXT, "labels": [], "entities": [], "sentences": [[0, 5, ["schools"]]]}, "unknown label 'schools'"),
    ],
)
def test_jsonl_errors_name_file_and_line(tmp_path, bad, reason):
    path = tmp_path / "bad.jsonl"
    path.write_text(_lines(GOOD, GOOD, bad), encoding="utf-8")
    with pytest.raises(CorpusError) as caught:
        read_examples(path)
    assert str(caught.value).startswith(f"{path}:3: ")
    assert reason in str(caught.value)
    assert (caught.value.path, caught.value.line) == (str(path), 3)


def test_label_studio_errors_name_the_task_line(tmp_path):
    path = tmp_path / "export.json"
    bad_task = {"data": {"text": "短文本"}, "annotations": [
        {"result": [{"type": "labels", "value": {"start": 0, "end": 9, "labels": ["ORG"]}}]}]}
    good_task = {"data": {"text": "短文本"}, "annotations": []}
    path.write_text("[\n" + json.dumps(good_task, ensure_ascii=False) + ",\n"
                    + json.dumps(bad_task, ensure_ascii=False) + "\n]\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=re.escape(f"{path}:3: span [0, 9, ORG] overruns")):
        read_examples(path)
    path.write_text('[\n{"data": {"text": "短"}},\n{"data": {"text": \n]', encoding="utf-8")
    with pytest.raises(CorpusError, match=re.escape(f"{path}:4: broken JSON")):
        read_examples(path)


# ---- the shipped corpus ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus() -> dict[str, list[Example]]:
    return {split: read_examples(CORPORA / "labelled" / f"{split}.jsonl") for split in SPLITS}


def test_shipped_corpus_is_large_and_covers_every_label_and_type(corpus):
    everything = [e for examples in corpus.values() for e in examples]
    assert len(everything) >= 1500
    assert sum(len(e.entities) for e in everything) >= 4000
    label_counts = Counter(label for e in everything for label in e.labels)
    # `other` stands alone now (never beside a line), so the generator has few; real text has many.
    assert all(label_counts[label] >= 80 for label in LABELS if label != "other"), label_counts
    assert label_counts["other"] >= 15
    type_counts = Counter(kind for e in everything for _, _, kind in e.entities)
    assert set(type_counts) == set(ENTITY_TYPES)
    assert all(e.labels for e in everything)


def test_test_and_dev_months_are_held_out(corpus):
    months = {split: {e.month for e in examples} for split, examples in corpus.items()}
    assert len(months["test"]) >= 5 and len(months["dev"]) >= 3
    assert not months["test"] & months["train"]
    assert not months["dev"] & months["train"]
    assert not months["test"] & months["dev"]


def test_regional_paragraphs_cover_every_region(corpus):
    regions = {e.region for examples in corpus.values() for e in examples if e.section == "各地工作动态"}
    assert len(regions) == 35 and "新疆生产建设兵团" in regions


def test_hard_negatives_are_never_quantities(corpus):
    quantities = [e.text[s:t] for examples in corpus.values() for e in examples for s, t, k in e.entities
                  if k == "QUANTITY"]
    assert not [q for q in quantities if re.search(r"IPv6|\b5G\b|〔|届|\d年|2\.0$", q)]
    texts = "".join(e.text for e in corpus["train"])
    assert all(word in texts for word in ("IPv6", "5G", "2.0", "〔", "届", "“十四五”"))


def test_raw_bulletins_hold_the_labelled_paragraphs(corpus):
    """Plain .txt bulletins carry each labelled body after its head on one line."""
    by_month: dict[str, list[Example]] = {}
    for e in corpus["test"]:
        by_month.setdefault(e.month, []).append(e)
    for month, examples in by_month.items():
        path = CORPORA / "bulletins" / f"{month}.txt"
        if not path.exists():
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[1] == "【摘要】" + examples[0].text
        bodies = {line[len(e.head) + 1:] for e in examples if e.head for line in lines if line.startswith(e.head)}
        assert all(e.text in bodies for e in examples if e.head)


def test_every_template_renders_exact_spans():
    """Each sentence template, filled for a province and for the 兵团, gives valid typed spans."""
    sys.path.insert(0, str(CORPORA.parent / "training"))
    from corpus_templates import Context, Renderer, load_banks, load_regions, load_templates

    banks = load_banks(CORPORA / "fragments" / "vocabulary.txt")
    regions = {r.short: r for r in load_regions(banks["REGIONS"])}
    renderer = Renderer(banks)
    rng = random.Random(0)
    for topic, templates in load_templates(CORPORA / "fragments" / "templates.txt").items():
        for template in templates:
            for region in ("吉林", "新疆生产建设兵团"):
                ctx = Context(rng, 2021, 3, region=regions[region] if topic.startswith("reg_") else None)
                rendered = renderer.render(template, ctx)
                text, spans = rendered.text, sorted(rendered.spans)
                assert not re.search(r"[{}\[\]|]", text) and text.endswith("。"), (template.id, text)
                assert all(0 <= s < e <= len(text) and k in ENTITY_TYPES for s, e, k in spans), template.id
                assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), template.id
                quantities = [text[s:e] for s, e, k in spans if k == "QUANTITY"]
                assert all(re.search(r"[0-9一二三四五六七八九十百千]", q) for q in quantities), template.id
