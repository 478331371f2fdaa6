"""Hugging Face's front door: the joint model through transformers' Auto classes.

    import edunlp.tagging.hf                                   # registers model_type "edunlp"
    from transformers import AutoConfig, AutoModel
    model = AutoModel.from_pretrained(path)            # a JointModel: both heads, word places

A fine-tuned edunlp directory's config.json says model_type "edunlp" (`EdunlpConfig`), so without
this import transformers refuses it as an unknown model type instead of loading a bare BERT and
dropping the heads. Generic pipelines cannot run the model: it reads each character's pkuseg word
place, and its two heads (labels of spans, BIO tags) are decoded with per-label thresholds, a
lexical labeller and BIO-constrained Viterbi that live in edunlp. So the Auto classes of the
heads a pipeline would build (token and sequence classification) refuse it with a message that
points at `edunlp.load`, rather than initialising random heads. `import edunlp` stays light:
only this module registers, and it loads torch and transformers.
"""

from __future__ import annotations

from typing import NoReturn

from transformers import AutoConfig, AutoModel, AutoModelForSequenceClassification, AutoModelForTokenClassification

from .model import EdunlpConfig, JointModel

GENERIC_HEADS = (AutoModelForTokenClassification, AutoModelForSequenceClassification)
REFUSAL = (
    "an edunlp model is one encoder with two heads (span labels, BIO entity tags) that reads each character's "
    "pkuseg word place; transformers' generic heads and pipelines cannot run it. Tag with "
    "`edunlp.load(path)`, or take the whole model with `AutoModel.from_pretrained(path)` after `import edunlp.tagging.hf`."
)


class GenericHeadRefused:
    """What the generic-head Auto classes find for model_type "edunlp": loading refuses."""

    config_class = EdunlpConfig

    @classmethod
    def from_pretrained(cls, *args: object, **kwargs: object) -> NoReturn:
        raise ValueError(REFUSAL)

    from_config = from_pretrained


def register() -> None:
    """Tell transformers' Auto classes about model_type "edunlp" (idempotent)."""
    AutoConfig.register(EdunlpConfig.model_type, EdunlpConfig, exist_ok=True)
    AutoModel.register(EdunlpConfig, JointModel, exist_ok=True)
    for auto_class in GENERIC_HEADS:
        auto_class.register(EdunlpConfig, GenericHeadRefused, exist_ok=True)


register()
