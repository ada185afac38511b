#!/usr/bin/env bash
# Quality gate (CI): train configs/seed.yaml and fail when the seed test split scores under the thresholds.
# The thresholds sit well under the measured scores (see model_card.md) so that only a real regression fails.
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${MODEL:-runs/ci-seed}
quotes train configs/seed.yaml --training.output_dir="$MODEL"
quotes evaluate --model "$MODEL" --data data/annotations/splits/test.jsonl --report-dir reports/ci-seed \
  --fail-under "${THRESHOLDS:-QUOTE=0.2,CUE=0.5,SPEAKER=0.3}"
