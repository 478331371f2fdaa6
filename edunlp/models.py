"""Where edunlp finds the models it ships, wherever it is installed.

For each model, in order: its own environment variable (a directory), `$EDUNLP_MODELS/<name>`,
then `models/<name>` of the source checkout edunlp runs from. A model that is in none of them is
an error that says where it was looked for and how to get it, never a silent fallback.
"""

from __future__ import annotations

import os
from pathlib import Path

MODELS_ENV = "EDUNLP_MODELS"
# The model directories edunlp ships, and the variable that points at each one alone.
OVERRIDES = {
    "edunlp-zh-mini": "EDUNLP_MODEL",
    "edunlp-zh-mini-base": "EDUNLP_ENCODER_MODEL",
    "edunlp-pkuseg": "EDUNLP_PKUSEG_MODEL",
    "edunlp-postagger": "EDUNLP_POS_MODEL",
}
CHECKOUT_MODELS = Path(__file__).resolve().parents[1] / "models"


class ModelError(ValueError):
    """A model directory edunlp cannot use; the message names it and says why."""


class ModelNotFoundError(ModelError, FileNotFoundError):
    """A shipped model that is nowhere edunlp looks; the message says how to get it."""


def candidates(name: str) -> list[Path]:
    """The directories where model `name` may be, in the order they are tried."""
    found = [Path(os.environ[OVERRIDES[name]])] if os.environ.get(OVERRIDES.get(name, "")) else []
    if os.environ.get(MODELS_ENV):
        found.append(Path(os.environ[MODELS_ENV]) / name)
    return [*found, CHECKOUT_MODELS / name]


def find_model(name: str, needed: str = "") -> Path:
    """The first candidate directory of `name` that holds `needed` (a file or folder in it);
    the last candidate when none does, so that using it raises `require`'s error."""
    options = candidates(name)
    return next((path for path in options if (path / needed).exists() and path.is_dir()), options[-1])


def require(path: Path, needed: str, name: str) -> Path:
    """`path`, if it holds `needed`; else ModelNotFoundError naming where edunlp looked."""
    if (path / needed).exists():
        return path
    tried = ", ".join(str(p) for p in dict.fromkeys([path, *candidates(name)]))
    raise ModelNotFoundError(
        f"model {name} not found (looked for {needed} in {tried}). Set {OVERRIDES.get(name, MODELS_ENV)} "
        f"to its directory, or {MODELS_ENV} to a folder holding the models/ of an edunlp source checkout "
        "(git clone the project; training/README.md rebuilds each model)."
    )
