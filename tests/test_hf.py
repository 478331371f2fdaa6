"""The shipped model through Hugging Face's front door (edunlp.tagging.hf) and its card's metadata."""

from __future__ import annotations

import json
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
from edunlp.training.fit import front_matter

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
