"""Two processes (torchrun, gloo on CPU) train together and reach the model one process reaches.

1 process with batch B and 2 processes with batch B/2 each see the same windows in every optimizer step: both
draw one permutation from ``training.seed`` and Accelerate deals its consecutive per-process batches to the ranks
in turn, and our loss divides by the labelled tokens of the whole global batch. Dropout is switched off (each
process draws its own masks) and the run stops inside the first epoch, where every global batch is full (at the
end of an epoch Accelerate fills the second rank's short batch with windows from the start of the epoch).
Measured here: weights agree to ~1e-8, the train loss to ~1e-7; a wrong data order or loss scale moves them by
~1e-3 and ~1e-2.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import torch

from quotes.config import load_config
from quotes.training import train

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "configs" / "tiny.yaml"
GLOBAL_BATCH = 8  # windows per optimizer step: 1 x 8 against 2 x 4
STEPS = 6  # 48 windows: inside the first epoch of the seed training split (58 windows)
WEIGHT_TOLERANCE = 1e-5  # max |w1 - w2| over all parameters
LOSS_TOLERANCE = 1e-5  # |train_loss1 - train_loss2|


def overrides(output_dir: Path, batch_size: int) -> list[str]:
    splits = ROOT / "data" / "annotations" / "splits"
    return [
        f"--training.output_dir={output_dir}",
        f"--data.train={splits / 'train.jsonl'}",
        f"--data.test={splits / 'test.jsonl'}",
        f"--training.max_steps={STEPS}",
        f"--training.batch_size={batch_size}",
        "--model.config_overrides.hidden_dropout_prob=0",
    ]


def weights(output_dir: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    return load_file(output_dir / "model.safetensors")


def max_difference(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> float:
    assert a.keys() == b.keys()
    return max((a[k].float() - b[k].float()).abs().max().item() for k in a)


def train_loss(output_dir: Path) -> float:
    return json.loads((output_dir / "metrics.json").read_text())["train"]["train_loss"]


def test_two_processes_train_the_model_one_process_trains(tmp_path):
    from transformers import set_seed

    from quotes.modeling import build_model

    one = train(TINY, overrides(tmp_path / "one", GLOBAL_BATCH))

    two = tmp_path / "two"
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2"]
    command += ["-m", "quotes", "train", str(TINY), *overrides(two, GLOBAL_BATCH // 2)]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    log = run.stdout + run.stderr
    assert run.returncode == 0, log[-4000:]  # both ranks exit cleanly
    assert "world size 2 (processes training together) x 4 windows" in log, log[-4000:]
    assert log.count(f"model saved to {two}") == 1  # rank 0 reports for both processes

    # rank 0 alone wrote a complete directory, and its card records the world size and the global batch
    names = {p.name for p in two.iterdir()}
    assert {"model.safetensors", "config.json", "tokenizer.json", "config.yaml", "metrics.json", "README.md"} <= names
    assert not any(name.startswith("checkpoint-") or name.endswith(".bin") for name in names)
    card = (two / "README.md").read_text()
    assert "| world_size (processes) | 2 |" in card and "| global batch (windows per optimizer step) | 8 |" in card
    assert "| world_size (processes) | 1 |" in (one / "README.md").read_text()

    metrics = [json.loads((run_dir / "metrics.json").read_text())["train"] for run_dir in (one, two)]
    assert all(m["epoch"] < 1 for m in metrics), metrics  # only full global batches (see the module docstring)

    config = load_config(TINY, overrides(one, GLOBAL_BATCH))
    set_seed(config.training.seed)
    initial = {k: v.detach().clone() for k, v in build_model(config.model).state_dict().items()}
    final_one, final_two = weights(one), weights(two)
    moved = max_difference({k: initial[k] for k in final_one}, final_one)
    assert moved > 100 * WEIGHT_TOLERANCE  # training changed the weights: agreeing below is no tautology
    difference = max_difference(final_one, final_two)
    assert difference < WEIGHT_TOLERANCE, f"max |w1 - w2| = {difference:.3g} (training moved weights {moved:.3g})"
    loss_one, loss_two = train_loss(one), train_loss(two)
    assert abs(loss_one - loss_two) < LOSS_TOLERANCE, (loss_one, loss_two)
