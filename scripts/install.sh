#!/usr/bin/env bash
# Create .venv (if missing) and install quotes with its test tools. torch is installed first as the 2.13.0 CPU
# wheel: any other version pulls gigabytes of CUDA packages. constraints.txt keeps the resolver from replacing it.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip
python -m pip install -q torch==2.13.0
python -m pip install -q -c constraints.txt -e ".[dev]"
python -c "import quotes, torch, transformers; print(f'quotes {quotes.__version__}, torch {torch.__version__}, transformers {transformers.__version__}')"
