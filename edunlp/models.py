"""Where edunlp finds the models it ships, wherever it is installed.

For each model, in order: its own environment variable (a directory), `$EDUNLP_MODELS/<name>`,
the directory an installed model package declares, then `models/<name>` of the source checkout
edunlp runs from. A model that is in none of them is an error that says where it was looked for
and how to get it, never a silent fallback.

Model packages are wheels, one per model, in the way spaCy ships its pipelines: `edunlp-model-zh-mini`
holds models/edunlp-zh-mini and names its directory under the entry point group `edunlp_models`
(scripts/build_model_packages.py builds them from a checkout's models/). Installing one is enough
for edunlp to find it; nothing is downloaded at run time.
"""

from __future__ import annotations

import os
from importlib.metadata import entry_points
from pathlib import Path

from .errors import EdunlpError

MODELS_ENV = "EDUNLP_MODELS"
ENTRY_POINT_GROUP = "edunlp_models"
# The model directories edunlp ships, and the variable that points at each one alone.
OVERRIDES = {
    "edunlp-zh-mini": "EDUNLP_MODEL",
    "edunlp-zh-mini-base": "EDUNLP_ENCODER_MODEL",
    "edunlp-pkuseg": "EDUNLP_PKUSEG_MODEL",
    "edunlp-postagger": "EDUNLP_POS_MODEL",
}
CHECKOUT_MODELS = Path(__file__).resolve().parents[1] / "models"


class ModelError(EdunlpError, ValueError):
    """A model directory edunlp cannot use; the message names it and says why."""


class ModelNotFoundError(ModelError, FileNotFoundError):
    """A shipped model that is nowhere edunlp looks; the message says how to get it."""


def package_name(name: str) -> str:
    """The distribution that ships model `name`: edunlp-zh-mini → edunlp-model-zh-mini."""
    return f"edunlp-model-{name.removeprefix('edunlp-')}"


def installed(name: str) -> list[Path]:
    """The directories of model `name` that installed model packages declare."""
    return [Path(point.load()) for point in entry_points(group=ENTRY_POINT_GROUP, name=name)]


def candidates(name: str) -> list[Path]:
    """The directories where model `name` may be, in the order they are tried."""
    found = [Path(os.environ[OVERRIDES[name]])] if os.environ.get(OVERRIDES.get(name, "")) else []
    if os.environ.get(MODELS_ENV):
        found.append(Path(os.environ[MODELS_ENV]) / name)
    return [*found, *installed(name), CHECKOUT_MODELS / name]


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
        f"model {name} not found (looked for {needed} in {tried}). Install its package "
        f"(pip install {package_name(name)}; a source checkout builds the wheels with "
        f"`python scripts/build_model_packages.py`), or set {OVERRIDES.get(name, MODELS_ENV)} to its directory, "
        f"or {MODELS_ENV} to a folder holding the models/ of an edunlp source checkout."
    )
