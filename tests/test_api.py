"""The notebook surface: edunlp.to_frame, edunlp.to_spacy, the spaCy factory, nlp.pipe(as_tuples, n_process)."""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import spacy
from spacy.tokens import Doc, DocBin

import edunlp
from edunlp import Bulletin
from edunlp.output import write_jsonl
from edunlp.pipeline import rules

from .test_analysis import ARCHIVE, archive

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bulletins() -> list[Bulletin]:
    return archive()


def test_no_module_hides_a_public_name() -> None:
    """`import edunlp.X` and `edunlp.X(...)` never mean two different things."""
    modules = {module.name for module in pkgutil.iter_modules(edunlp.__path__)}
    assert {"indicators", "segmentation", "analysis"} <= modules
    assert not modules & set(edunlp.__all__)
    assert edunlp.to_frame.__module__ == "edunlp.analysis.frames"
    assert edunlp.to_spacy.__module__ == "edunlp.analysis.spacy_component"


def test_paragraph_frame_is_typed_and_keeps_lists(bulletins: list[Bulletin]) -> None:
    frame = edunlp.to_frame(bulletins, what="paragraphs")
    assert len(frame) == sum(len(b.paragraphs) for b in bulletins)
    assert frame["start"].dtype == "Int64" and frame["index"].dtype == "Int64"
    assert frame["text"].dtype == "string" and frame["month"].dtype == "string"
    row = frame[frame["head"] == "网络安全宣传周"].iloc[0]
    assert row["labels"] == ["security", "publicity"] and row["scores"] == [0.95, 0.62]
    assert row["top_label"] == "security"
    assert isinstance(row["entities"], list) and {"label", "start", "end", "text"} <= set(row["entities"][0])
    paragraph = next(p for b in bulletins for p in b.paragraphs if p.head == "网络安全宣传周")
    assert len(row["sentences"]) == len(paragraph.sentences)


def test_entity_and_indicator_frames(bulletins: list[Bulletin]) -> None:
    entities = edunlp.to_frame(bulletins, what="entities")
    assert len(entities) == sum(len(p.entities) for b in bulletins for p in b.paragraphs)
    assert entities["start"].dtype == "Int64" and entities["score"].dtype == "float64"
    platform = entities[entities["label"] == "PLATFORM"].iloc[0]
    assert platform["text"] == "国家中小学网络云平台" and platform["text"] in platform["sentence"]
    indicators = edunlp.to_frame(bulletins, what="indicators")
    assert len(indicators) == sum(len(p.indicators) for b in bulletins for p in b.paragraphs)
    assert indicators["normalized"].dtype == "float64" and indicators["end"].dtype == "Int64"


def test_frames_from_tag_jsonl_equal_frames_from_bulletins(bulletins: list[Bulletin], tmp_path: Path) -> None:
    path = tmp_path / "tagged.jsonl"
    write_jsonl(path, (row for b in bulletins for row in b.rows()))
    for what in ("paragraphs", "entities", "indicators"):
        pd.testing.assert_frame_equal(edunlp.to_frame(path, what), edunlp.to_frame(bulletins, what))


def test_unknown_table_is_refused(bulletins: list[Bulletin]) -> None:
    with pytest.raises(ValueError, match="unknown table 'sentences'"):
        edunlp.to_frame(bulletins, what="sentences")


def test_to_spacy_carries_everything(bulletins: list[Bulletin]) -> None:
    bulletin = bulletins[3]
    doc = edunlp.to_spacy(bulletin)
    assert doc.text == bulletin.text and doc._.edunlp is bulletin
    entities = [e for p in bulletin.paragraphs for e in p.entities]
    assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == [(e.start, e.end, e.label) for e in entities]
    assert [(s.start_char, s.end_char, s.label_) for s in doc.spans["paragraphs"]] == [
        (p.start, p.end, p.kind) for p in bulletin.paragraphs]
    sentences = [s for p in bulletin.paragraphs for s in p.sentences]
    assert [(s.start_char, s.end_char) for s in doc.spans["sentences"]] == [(s.start, s.end) for s in sentences]
    assert {s.text for s in doc.sents} >= {s.text for s in sentences}
    labelled = doc.spans["paragraph_labels"]
    pairs = [(p.text, label.label, label.score) for p in bulletin.paragraphs for label in p.labels]
    assert [(s.text, s.label_, score) for s, score in zip(labelled, labelled.attrs["scores"])] == pairs
    cues = [(s.text, s.label_) for s in doc.spans["sentence_labels"]]
    assert ("完成改造的学校达到1500所，覆盖全省13个设区市。", "campus") in cues
    assert doc.cats["security"] == 0.95 and doc.cats["publicity"] == 0.62
    assert [s.label_ for s in doc.spans["indicators"]] == [i.name for p in bulletin.paragraphs for i in p.indicators]
    markup = spacy.displacy.render(doc, style="ent", jupyter=False)
    assert "2021全球智慧教育大会" not in markup and "国家网络安全宣传周" in markup and ">EVENT<" in markup


def test_to_spacy_keeps_the_longer_of_overlapping_entities(bulletins: list[Bulletin]) -> None:
    bulletin = archive()[0]
    paragraph = bulletin.paragraphs[1]
    outer = paragraph.entities[0]
    inner = edunlp.Entity("ORG", outer.start, outer.start + 1, outer.text[:1], 0.5)
    paragraph.entities.insert(0, inner)
    doc = edunlp.to_spacy(bulletin)
    assert (outer.start, outer.end) in {(e.start_char, e.end_char) for e in doc.ents}
    assert (inner.start, inner.end, "ORG") in {(s.start_char, s.end_char, s.label_) for s in doc.spans["entities"]}


def test_a_doc_keeps_its_bulletin_through_bytes_and_docbin(bulletins: list[Bulletin]) -> None:
    """spaCy sends docs through msgpack (to_bytes, DocBin, nlp.pipe workers): the Bulletin survives whole."""
    bulletin = bulletins[3]
    doc = edunlp.to_spacy(bulletin)
    again = Doc(doc.vocab).from_bytes(doc.to_bytes())
    assert again._.edunlp == bulletin and again._.edunlp is not bulletin
    assert [(e.start_char, e.end_char, e.label_) for e in again.ents] == [(e.start_char, e.end_char, e.label_) for e in doc.ents]
    stored = DocBin(store_user_data=True, docs=[doc]).to_bytes()
    (loaded,) = DocBin().from_bytes(stored).get_docs(doc.vocab)
    assert loaded._.edunlp == bulletin


def test_pipe_as_tuples_passes_source_and_month_and_returns_contexts() -> None:
    items = [(text, {"source": name, "month": "2030-01", "id": n}) for n, (name, text) in enumerate(ARCHIVE.items())]
    out = list(rules().pipe(items, as_tuples=True))
    assert [context["id"] for _, context in out] == list(range(len(ARCHIVE)))
    assert [(b.source, b.month) for b, _ in out] == [(name, "2030-01") for name in ARCHIVE]
    assert all(b.paragraphs and b.paragraphs[1].indicators for b, _ in out)
    plain = list(rules().pipe(ARCHIVE.values()))
    assert [b.month for b in plain] == ["2021-06", "2021-07", "2021-08", "2021-09"]


FACTORY_CHECK = """
import dataclasses, json, sys
import spacy
nlp = spacy.blank("zh")
nlp.add_pipe("edunlp")  # found through the entry point: edunlp is not imported here
texts = json.loads(sys.argv[1])
runs = {}
for workers in (1, 2):
    items = [(t, {"source": s, "month": "2030-02"}) for s, t in texts]
    runs[workers] = [{"context": context, "text_kept": doc.text == dict(texts)[context["source"]],
                      "month": doc._.edunlp.month, "source": doc._.edunlp.source, "cats": doc.cats,
                      "ents": [[e.start_char, e.end_char, e.label_, e.text] for e in doc.ents],
                      "bulletin_ents": [[e.start, e.end, e.label, e.text] for p in doc._.edunlp.paragraphs for e in p.entities],
                      "spans": {k: [[s.start_char, s.end_char, s.label_] for s in g] for k, g in doc.spans.items()},
                      "paragraphs": len(doc.spans["paragraphs"]), "bulletin": dataclasses.asdict(doc._.edunlp)}
                     for doc, context in nlp.pipe(items, as_tuples=True, n_process=workers)]
print(json.dumps(runs, ensure_ascii=False))
"""


def test_spacy_factory_from_the_entry_point(tmp_path: Path) -> None:
    """The pyproject entry point, installed as pip would (a dist-info folder), makes
    `spacy.blank("zh").add_pipe("edunlp")` work with the shipped model, offline, and
    `nlp.pipe(n_process=2)` gives what one process gives."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    factories = project["project"]["entry-points"]["spacy_factories"]
    info = tmp_path / "edunlp_entry_points_check-0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: edunlp-entry-points-check\nVersion: 0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        "[spacy_factories]\n" + "".join(f"{k} = {v}\n" for k, v in factories.items()), encoding="utf-8")
    texts = [[name, text] for name, text in list(ARCHIVE.items())[:3]]
    texts[1][1] = texts[1][1].replace("\n", "\r\n")  # cleaned away by edunlp: offsets must map back
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]), "HF_HUB_OFFLINE": "1"}
    result = subprocess.run([sys.executable, "-c", FACTORY_CHECK, json.dumps(texts, ensure_ascii=False)],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Loading weights" not in result.stderr  # no progress bar off a terminal
    runs = json.loads(result.stdout)
    assert runs["2"] == runs["1"]  # two worker processes, the same docs and bulletins
    first, second, _ = runs["1"]
    assert first["context"]["source"] == "2021-06.txt" and first["month"] == "2030-02"
    assert first["text_kept"] and second["text_kept"] and first["paragraphs"] >= 5
    assert first["cats"] and first["ents"]
    assert first["ents"] == first["bulletin_ents"]  # the model's entities do not overlap: all of them, same offsets
    # With CRLF line ends the doc's offsets differ from the cleaned bulletin's, the entities do not.
    assert [e[2:] for e in second["ents"]] == [e[2:] for e in second["bulletin_ents"]]
    assert [e[:2] for e in second["ents"]] != [e[:2] for e in second["bulletin_ents"]]


def test_to_spacy_keeps_the_vocab_it_is_given_even_an_empty_one(bulletins: list[Bulletin]) -> None:
    from spacy.vocab import Vocab

    vocab = Vocab()  # empty, so falsy: it must not be swapped for the default
    assert edunlp.to_spacy(bulletins[0], vocab=vocab).vocab is vocab
