#!/usr/bin/env bash
# Creates .venv and installs edunlp with its dev tools. torch goes first, pinned to the CPU
# build 2.13.0 that lies on this disk, so nothing later can pull a multi-GB CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check "torch==2.13.0"
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[dev]"
# Charts in `edunlp report` need a CJK font; install Debian's Noto CJK when none is present and
# we may (best effort: without it the report still builds, with a warning).
if command -v fc-list >/dev/null && [ -z "$(fc-list :lang=zh 2>/dev/null)" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null) \
    || echo "setup: could not install fonts-noto-cjk; report charts will warn" >&2
fi
