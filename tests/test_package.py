"""The package as a user meets it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def test_import_edunlp_stays_light() -> None:
    """`import edunlp` must not pull in torch, transformers or spaCy (they load on first use)."""
    code = "import sys, edunlp; print(sorted(m for m in ('torch', 'transformers', 'spacy') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_an_installed_model_package_is_found_after_the_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A distribution declaring `edunlp_models` entry points (as the built model wheels do) is
    consulted after EDUNLP_PKUSEG_MODEL and $EDUNLP_MODELS, before the checkout's models/."""
    from edunlp.models import CHECKOUT_MODELS, ENTRY_POINT_GROUP, find_model

    model = tmp_path / "fake_models" / "edunlp-pkuseg"
    model.mkdir(parents=True)
    (model / "weights.npz").write_bytes(b"")
    (tmp_path / "fake_models" / "__init__.py").write_text(f"from pathlib import Path\nPKUSEG = Path({str(model)!r})\n")
    info = tmp_path / "edunlp_model_fake-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: edunlp-model-fake\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\nedunlp-pkuseg = fake_models:PKUSEG\n")
    for variable in ("EDUNLP_PKUSEG_MODEL", "EDUNLP_MODELS"):
        monkeypatch.delenv(variable, raising=False)
    assert find_model("edunlp-pkuseg", "weights.npz") == CHECKOUT_MODELS / "edunlp-pkuseg"
    monkeypatch.syspath_prepend(str(tmp_path))
    assert find_model("edunlp-pkuseg", "weights.npz") == model
    monkeypatch.setenv("EDUNLP_PKUSEG_MODEL", str(CHECKOUT_MODELS / "edunlp-pkuseg"))
    assert find_model("edunlp-pkuseg", "weights.npz") == CHECKOUT_MODELS / "edunlp-pkuseg"
