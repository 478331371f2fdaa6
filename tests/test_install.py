"""The wheels as a pip user meets them: built from the source, installed into a fresh venv, run
from another directory, and giving the repository's output.

The venv borrows the heavy dependencies (torch, transformers, spaCy) from the environment running
the tests through a .pth file instead of downloading them again; its own site-packages comes
first, so `edunlp` and the models are the installed wheels', not the checkout's. Everything is
built offline (pip wheel --no-build-isolation, setuptools from the dev extras). Deselect with
`-m "not install"` where pip cannot build.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from edunlp.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "corpora" / "samples"

pytestmark = pytest.mark.install


def pip(*args: str | Path, python: Path | None = None) -> None:
    target = ["--python", str(python)] if python else []
    subprocess.run([sys.executable, "-m", "pip", *target, "-q", "--disable-pip-version-check", *map(str, args)],
                   check=True)


def clean_env() -> dict[str, str]:
    """The environment without anything that points edunlp at the checkout or its models."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDUNLP_") and k != "PYTHONPATH"}
    return {**env, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv that sees this environment's dependencies but not its edunlp."""
    root = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    python = root / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    borrowed = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    # Plain paths: the .pth files there (this environment's editable edunlp) are not run.
    Path(site, "borrowed-dependencies.pth").write_text("\n".join(borrowed) + "\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The edunlp wheel, built from a copy of the files a clean checkout has, and the model wheels."""
    dist, source = tmp_path_factory.mktemp("dist"), tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "edunlp", source / "edunlp", ignore=shutil.ignore_patterns("__pycache__"))
    pip("wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", dist, source)
    subprocess.run([sys.executable, ROOT / "scripts" / "build_model_packages.py", "--out", dist],
                   env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True, capture_output=True)
    return dist


def test_installed_wheels_tag_like_the_repository(venv: Path, wheels: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    edunlp = venv / "bin" / "edunlp"
    install = ("install", "--no-index", "--no-deps", "--ignore-installed")
    pip(*install, *wheels.glob("edunlp-*.whl"), python=venv / "bin" / "python")

    # edunlp alone: no models anywhere it looks, and the error says which package to install.
    missing = subprocess.run([edunlp, "tag", SAMPLES, "-o", elsewhere / "none.jsonl"], cwd=elsewhere,
                             env=clean_env(), capture_output=True, text=True)
    assert missing.returncode == 2, missing.stderr
    assert "pip install edunlp-model-zh-mini" in missing.stderr and "Traceback" not in missing.stderr

    pip(*install, *wheels.glob("edunlp_model_*.whl"), python=venv / "bin" / "python")
    code = ("import edunlp, edunlp.models as m; print(edunlp.__file__); "
            "print(*(m.find_model(n) for n in ('edunlp-zh-mini', 'edunlp-pkuseg', 'edunlp-postagger')), sep='\\n')")
    where = subprocess.run([venv / "bin" / "python", "-c", code], cwd=elsewhere, env=clean_env(),
                           capture_output=True, text=True, check=True).stdout.split()
    assert all(Path(path).is_relative_to(venv) for path in where), where  # the wheels', not the checkout's

    installed = elsewhere / "installed.jsonl"
    subprocess.run([edunlp, "tag", SAMPLES, "-o", installed], cwd=elsewhere, env=clean_env(), check=True,
                   capture_output=True)
    repository = tmp_path / "repository.jsonl"
    assert main(["tag", str(SAMPLES), "-o", str(repository)]) == 0
    expected = rows(repository)
    assert len(expected) >= 12 and any(row["entities"] for row in expected)
    for got, want in zip(rows(installed), expected, strict=True):  # labels, entities, indicators, all of it
        assert got.keys() == want.keys()
        for key in want:
            assert got[key] == want[key], (want["source"], want["index"], key)
