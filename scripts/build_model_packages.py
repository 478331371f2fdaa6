"""Build one installable wheel per shipped model, as spaCy ships its pipelines.

    python scripts/build_model_packages.py                      # the three `edunlp tag` needs → dist/
    python scripts/build_model_packages.py edunlp-zh-mini-base --out wheels/
    pip install dist/edunlp_model_*.whl

Each wheel (`edunlp-model-zh-mini`, `edunlp-model-pkuseg`, `edunlp-model-postagger`, and on
request `edunlp-model-zh-mini-base`) holds a copy of models/<name> inside a small Python package
and names that directory under the entry point group `edunlp_models`, which `edunlp.models`
consults after the environment variables and before a checkout's models/. models/ stays the
source; the wheels are built offline (pip wheel --no-build-isolation: setuptools comes from the
running environment) and carry the edunlp version they were built with.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from edunlp import __version__
from edunlp.models import CHECKOUT_MODELS, ENTRY_POINT_GROUP, OVERRIDES, package_name

RUNTIME_MODELS = ("edunlp-zh-mini", "edunlp-pkuseg", "edunlp-postagger")  # what `edunlp tag` loads
ROOT = Path(__file__).resolve().parents[1]

PYPROJECT = """\
[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "{package}"
version = "{version}"
description = "The {name} model of edunlp, found by edunlp once installed."
requires-python = ">=3.10"
license = "Apache-2.0"
license-files = ["LICENSE"]
dependencies = ["edunlp>={version},<{next_minor}"]

[project.entry-points.{group}]
"{name}" = "{module}:MODEL_DIR"

[tool.setuptools]
packages = ["{module}"]
include-package-data = false

[tool.setuptools.package-data]
{module} = ["{name}/**/*"]
"""

MODULE = '''\
"""The {name} model of edunlp: its directory, for edunlp.models to find."""

from pathlib import Path

MODEL_DIR = Path(__file__).resolve().parent / "{name}"
'''


def build(name: str, models: Path, out: Path) -> Path:
    """Build the wheel of model `name` from `models/<name>` into `out`; returns its path."""
    source = models / name
    if not source.is_dir():
        raise SystemExit(f"{source}: no such model directory")
    package, module = package_name(name), package_name(name).replace("-", "_")
    next_minor = ".".join([__version__.split(".")[0], str(int(__version__.split(".")[1]) + 1)])
    with tempfile.TemporaryDirectory(prefix=f"{module}.") as temp:
        project = Path(temp)
        (project / "pyproject.toml").write_text(PYPROJECT.format(
            package=package, version=__version__, next_minor=next_minor, name=name, module=module,
            group=ENTRY_POINT_GROUP), encoding="utf-8")
        shutil.copy(ROOT / "LICENSE", project / "LICENSE")
        (project / module).mkdir()
        (project / module / "__init__.py").write_text(MODULE.format(name=name), encoding="utf-8")
        shutil.copytree(source, project / module / name)
        subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--disable-pip-version-check", "--no-deps",
                        "--no-build-isolation", "--no-index", "-w", str(out), str(project)], check=True)
    return out / f"{module}-{__version__}-py3-none-any.whl"  # pure Python: one name on every platform


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"models to package, of {', '.join(OVERRIDES)} (default: the three `edunlp tag` needs)")
    parser.add_argument("--models", type=Path, default=CHECKOUT_MODELS, help="folder holding the model directories")
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="folder the wheels go to")
    args = parser.parse_args()
    if unknown := [name for name in args.names if name not in OVERRIDES]:
        parser.error(f"not a shipped model: {', '.join(unknown)}")
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.names or RUNTIME_MODELS:
        wheel = build(name, args.models, args.out.resolve())
        print(f"{wheel} ({wheel.stat().st_size / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main()
