"""Load a BERT-family encoder from a local directory, never from the network.

One entry point for every model edunlp fine-tunes or runs: the shipped edunlp-zh-mini-base, or
a bert-base-chinese, hfl/rbt3 or MacBERT directory a user has on disk. Loading is offline
(`local_files_only=True`) and takes weights from safetensors only; a directory that has nothing
but a `pytorch_model.bin` (a pickle, which can run code when loaded) is refused unless the caller
passes `allow_pickle=True`. A path that holds no model is refused with a message that names the
path and the missing file, before transformers is asked anything.

`DEFAULT_ENCODER` is the shipped edunlp-zh-mini-base, found as `edunlp.models` says
(EDUNLP_ENCODER_MODEL, $EDUNLP_MODELS, the checkout's models/).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from transformers import (
    AutoModel,
    AutoModelForMaskedLM,
    AutoTokenizer,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

from ..errors import InputError
from ..models import find_model

DEFAULT_ENCODER = find_model("edunlp-zh-mini-base", "config.json")
_SAFETENSORS = ("model.safetensors", "model.safetensors.index.json")
_PICKLES = ("pytorch_model.bin", "pytorch_model.bin.index.json")
_TOKENIZER_FILES = ("tokenizer.json", "vocab.txt")


def _weights_are_safetensors(path: Path, allow_pickle: bool) -> bool:
    """True for safetensors weights, False for an allowed pickle; refuses anything else."""
    if any((path / name).is_file() for name in _SAFETENSORS):
        return True
    if any((path / name).is_file() for name in _PICKLES):
        if allow_pickle:
            return False
        raise InputError(
            path,
            "only pytorch_model.bin weights here, a pickle that can run code when loaded; "
            "convert them to model.safetensors or pass allow_pickle=True if you trust the source",
        )
    raise InputError(path, "no model weights here (model.safetensors missing)")


def load_encoder(
    path: str | Path = DEFAULT_ENCODER,
    task: Literal["masked-lm", "base"] = "base",
    allow_pickle: bool = False,
) -> tuple[PreTrainedTokenizerBase, PreTrainedModel]:
    """(tokenizer, model) from a local BERT-family directory, model in eval mode.

    `task="masked-lm"` loads the model with its masked-LM head (fill-mask); `"base"` loads the bare
    encoder for feature extraction or fine-tuning. Raises `InputError` (a `ValueError`) naming
    `path` when it is not a model directory."""
    model_class = {"masked-lm": AutoModelForMaskedLM, "base": AutoModel}.get(task)
    if model_class is None:
        raise ValueError(f"task must be 'masked-lm' or 'base', not {task!r}")
    path = Path(path)
    if not path.is_dir():
        raise InputError(path, "no such model directory")
    if not (path / "config.json").is_file():
        raise InputError(path, "not a model directory (config.json missing)")
    if not any((path / name).is_file() for name in _TOKENIZER_FILES):
        raise InputError(path, "no tokenizer here (tokenizer.json or vocab.txt missing)")
    use_safetensors = _weights_are_safetensors(path, allow_pickle)

    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    model = model_class.from_pretrained(
        path, local_files_only=True, use_safetensors=use_safetensors
    )
    return tokenizer, model.eval()
