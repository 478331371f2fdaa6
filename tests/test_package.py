"""The package as a user meets it."""

from __future__ import annotations

import subprocess
import sys


def test_import_edunlp_stays_light() -> None:
    """`import edunlp` must not pull in torch, transformers or spaCy (they load on first use)."""
    code = "import sys, edunlp; print(sorted(m for m in ('torch', 'transformers', 'spacy') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
