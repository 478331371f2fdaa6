#!/usr/bin/env bash
# The command of a lent GPU machine (training/README.md, "On a GPU, when one is lent"): installs the
# wheels training/gpu_prepare.py put in .gpu/wheels, then runs training/gpu_run.py with its arguments,
# its whole output teed into $OUT/log.txt (which comes back even when the call runs out of time).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${OUT:?OUT is the folder whose files come back}"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .gpu/wheels/*.whl
export PYTHONPATH="/tmp/site:$PWD" PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TQDM_MININTERVAL=30
nvidia-smi --query-gpu=name,memory.used,memory.total --format=csv | tee "$OUT/log.txt"
python3 training/gpu_run.py --out "$OUT" "$@" 2>&1 | tee -a "$OUT/log.txt"
