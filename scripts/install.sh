#!/usr/bin/env bash
# Create .venv (if missing) and install quotes with its test tools, picking the right torch build for the machine:
#   - a machine with an NVIDIA GPU (nvidia-smi lists one): the default PyPI wheel, which is the CUDA build;
#   - any other machine: the CPU build (PyPI's Linux wheel would pull gigabytes of CUDA packages it cannot use).
#     PyTorch's CPU index is added as an extra index: its `2.13.0+cpu` outranks PyPI's `2.13.0`, and a machine that
#     cannot reach that index (an offline mirror with the CPU wheel on disk) still installs from what it has.
# Override with TORCH_BUILD=cpu|cuda|skip (skip: keep whatever torch the environment already has).
# QUOTES_EXTRAS picks the optional dependencies (default: dev; CI adds ray to test the cluster path).
# constraints.txt pins torch so that installing the rest never swaps the build chosen here.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
TORCH_VERSION=$(sed -n 's/^torch==//p' constraints.txt)
CPU_INDEX=${TORCH_CPU_INDEX:-https://download.pytorch.org/whl/cpu}

if [ -z "${TORCH_BUILD:-}" ]; then
  if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then TORCH_BUILD=cuda; else TORCH_BUILD=cpu; fi
fi
case "$TORCH_BUILD" in cpu | cuda | skip) ;; *)
  echo "install.sh: TORCH_BUILD must be cpu, cuda or skip, got '$TORCH_BUILD'" >&2
  exit 2
  ;;
esac

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip
installed=$(python -c "import torch; print(torch.__version__)" 2>/dev/null || true)
if [ "$TORCH_BUILD" = skip ]; then
  echo "torch: keeping ${installed:-none}"
elif [ "${installed%%+*}" = "$TORCH_VERSION" ] && { [ "$TORCH_BUILD" = cuda ] || [ "$installed" = "$TORCH_VERSION+cpu" ]; }; then
  echo "torch: $installed already installed"
elif [ "$TORCH_BUILD" = cuda ]; then
  echo "torch: installing $TORCH_VERSION (CUDA build, from PyPI)"
  python -m pip install -q "torch==$TORCH_VERSION"
else
  echo "torch: installing $TORCH_VERSION+cpu (CPU build)"
  # --no-deps: only torch comes from the extra index; its dependencies come with the rest, from the usual indexes
  python -m pip install -q --retries 1 --no-deps --extra-index-url "$CPU_INDEX" "torch==$TORCH_VERSION+cpu"
fi
python -m pip install -q -c constraints.txt -e ".[${QUOTES_EXTRAS:-dev}]"
python -c "import quotes, torch, transformers; print(f'quotes {quotes.__version__}, torch {torch.__version__}, transformers {transformers.__version__}')"
