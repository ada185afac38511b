#!/usr/bin/env bash
# The whole test suite, the slow end-to-end test with the real encoder included (what CI runs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
. .venv/bin/activate
export HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
python -m pytest "$@"
