#!/usr/bin/env bash
# The main job end to end: install, train, evaluate on the seed test split (reports in reports/<model>/), and print
# the quotes found in the short seed article.
#   bash scripts/quickstart.sh                                  # no PolNeAR: configs/open.yaml, seed + synthetic news
#   POLNEAR_DIR=/path/to/polnear bash scripts/quickstart.sh     # the default model: PolNeAR, then seed + synthetic
#                                                               # (about 50 min on 2 CPU cores)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
. .venv/bin/activate
export HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
quotes validate data/annotations
if [ -n "${POLNEAR_DIR:-}" ]; then
  [ -f runs/polnear/model.safetensors ] || quotes train configs/polnear.yaml
  quotes train configs/default.yaml
  MODEL=runs/default
else
  quotes train configs/open.yaml
  MODEL=runs/open
fi
quotes evaluate --model "$MODEL" --data data/annotations/splits/test.jsonl --report-dir "reports/$(basename "$MODEL")"
quotes predict --model "$MODEL" data/annotations/seed/003_8b1ae2b3cf817a52.json --format text
