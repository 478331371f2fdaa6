#!/usr/bin/env bash
# Sets up .venv (see setup.sh) and runs the test suite offline. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_NO_ADVISORY_WARNINGS=1
exec .venv/bin/python -m pytest -q "$@"
