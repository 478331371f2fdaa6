"""The package layout the README draws: each subpackage imports only from those below it
(the contract lives in pyproject.toml, [tool.importlinter])."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_every_import_follows_the_data_flow() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    if not lint.exists():
        pytest.skip("import-linter is not installed (pip install -e '.[dev]')")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_the_data_model_imports_no_layer_above_it() -> None:
    """No exception may let `document` reach up (the spaCy conversion once did: now edunlp.to_spacy)."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    contract = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    ignored = [rule for c in contract["contracts"] for rule in c.get("ignore_imports", [])]
    assert not [rule for rule in ignored if rule.split("->")[0].strip() == "edunlp.document"]
