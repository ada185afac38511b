#!/usr/bin/env bash
# The main job end to end: install, train the default model on the seed annotations, evaluate it on the seed test
# split (reports in reports/seed/), and print the quotes it finds in the short seed article.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
. .venv/bin/activate
export HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
quotes validate data/annotations
quotes train configs/seed.yaml
quotes evaluate --model runs/seed --data data/annotations/splits/test.jsonl --report-dir reports/seed
quotes predict --model runs/seed data/annotations/seed/003_8b1ae2b3cf817a52.json --format text
