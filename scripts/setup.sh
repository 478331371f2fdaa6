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
# The report's charts need a CJK font, and its browser test (tests/test_report_browser.py) Chromium:
# install Debian's when missing and apt-get may, 1-2 minutes (best effort: without them the charts
# warn and the browser test skips).
missing=()
command -v chromium >/dev/null || missing+=(chromium)
[ -n "$(fc-list :lang=zh 2>/dev/null)" ] || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null) \
    || echo "setup: could not install ${missing[*]}; report charts will warn, the browser test will skip" >&2
fi
