"""The shipped model through Hugging Face's front door (edunlp.tagging.hf) and its card's metadata."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from huggingface_hub import ModelCard
from safetensors.torch import load_file
from transformers import AutoModel, AutoModelForTokenClassification, AutoTokenizer, pipeline

import edunlp.tagging.hf  # noqa: F401  (registers model_type "edunlp")
from edunlp.tagging.model import EdunlpConfig, JointModel, chunk_paragraph, collate, featurize, joint_config
from edunlp.training.fit import TABLES_HEADING, front_matter, write_metadata

MODEL = Path(__file__).resolve().parents[1] / "models" / "edunlp-zh-mini"


def test_auto_model_returns_the_whole_joint_model() -> None:
    model = AutoModel.from_pretrained(MODEL, local_files_only=True)
    assert isinstance(model, JointModel) and isinstance(model.config, EdunlpConfig)
    assert model.word_places is not None and len(model.config.action_labels) == 11
    weights = load_file(MODEL / "model.safetensors")
    state = model.state_dict()
    assert set(weights) == set(state)  # heads and word places included, nothing initialised afresh
    assert all(torch.equal(weights[name], state[name]) for name in weights)


def test_the_model_refuses_input_without_word_places() -> None:
    model = AutoModel.from_pretrained(MODEL, local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(MODEL, local_files_only=True)
    text = "教育部印发《通知》。"
    inputs = collate([featurize(tokenizer, text, chunk_paragraph(0, [], len(text), 100)[0], with_word_places=True)], 0)
    assert model(**inputs).tag_logits.shape[-1] == 1 + 2 * len(model.config.entity_types)
    with pytest.raises(ValueError, match="word_places"):
        model(**tokenizer(text, return_tensors="pt"))


def test_generic_heads_and_pipelines_refuse_it_clearly() -> None:
    with pytest.raises(ValueError, match=r"edunlp\.load"):
        AutoModelForTokenClassification.from_pretrained(MODEL, local_files_only=True)
    for task in ("token-classification", "text-classification"):
        with pytest.raises(ValueError, match=r"edunlp\.load"):
            pipeline(task, model=str(MODEL))


def test_without_edunlp_hf_transformers_refuses_rather_than_loading_a_bare_bert() -> None:
    code = f"from transformers import AutoModel; AutoModel.from_pretrained({str(MODEL)!r}, local_files_only=True)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode != 0 and "model type `edunlp`" in result.stderr


def test_shipped_config_and_card_front_matter_are_what_the_code_writes() -> None:
    """config.json and the card's metadata come from edunlp.training.fit (training/write_metadata.py)."""
    written = json.loads(joint_config(MODEL).to_json_string())
    assert json.loads((MODEL / "config.json").read_text(encoding="utf-8")) == written
    assert written["model_type"] == "edunlp"
    summary = json.loads((MODEL / "training.json").read_text(encoding="utf-8"))
    card = (MODEL / "README.md").read_text(encoding="utf-8")
    assert card.startswith(front_matter(summary))
    data = ModelCard(card).data
    assert (data.language, data.license, data.library_name) == ("zh", "apache-2.0", "edunlp")
    assert "synthetic" in data.training_data["generated"]
    assert sum(int(text.split()[0]) for text in data.training_data.values()) == summary["train_paragraphs"]


def test_shipped_card_is_what_write_metadata_writes(tmp_path: Path) -> None:
    """The card is regenerated from training.json alone (the run's tables carried over): the shipped
    one is that card, its sections are there, and each figure in it is one of training.json's."""
    for name in ("config.json", "training.json", "README.md"):  # no weights: write_metadata never reads them
        shutil.copy(MODEL / name, tmp_path / name)
    write_metadata(tmp_path)
    card = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert card == (MODEL / "README.md").read_text(encoding="utf-8")
    write_metadata(tmp_path)
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == card
    for section in ("## Intended use", "## Training data", "## Limitations", "## How it was made",
                    "## Figures (training.json)", TABLES_HEADING):
        assert card.count(section) == 1, section
    summary = json.loads((MODEL / "training.json").read_text(encoding="utf-8"))
    assert summary["command"] in card and all(path in card for path in summary["data"])
    headline = card[card.index("## Figures"):card.index(TABLES_HEADING)]
    stored = {f"{value:.3f}" for split in summary["figures"].values()
              for value in [*split["label_micro_f1"].values(), *split["label_macro_f1"].values(),
                            split["calibration_error"], split["entity_f1"]] if value is not None}
    shown = set(re.findall(r"\b\d\.\d{3}\b", headline))
    assert shown == stored
    tables = card[card.index(TABLES_HEADING):]
    assert all(figure in tables for figure in shown)  # the same numbers as the run's own tables


def test_a_card_without_the_runs_tables_is_written_whole_from_training_json(tmp_path: Path) -> None:
    for name in ("config.json", "training.json"):
        shutil.copy(MODEL / name, tmp_path / name)
    (tmp_path / "README.md").write_text("# an old card\n\nfree text\n", encoding="utf-8")
    write_metadata(tmp_path)
    card = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "free text" not in card and TABLES_HEADING not in card
    assert "## Limitations" in card and "| test | model | " in card and "Thresholds per label" in card
