"""Experiment (issue 12, lever 1): word shape with a larger learning rate for the token type rows only.

    python scripts/word_shape_lr.py MULTIPLIER quotes-train-arguments...
    python scripts/word_shape_lr.py 30 configs/open-shape.yaml --training.output_dir=/tmp/shape/open-shape-lr30

The token type embeddings (the word-shape rows) get ``learning_rate x MULTIPLIER`` and no weight decay; every other
parameter trains as ``quotes train`` trains it. Not a config option: a measurement (docs/word-shape.md).
"""

from __future__ import annotations

import sys

from transformers import Trainer

from quotes.cli import main

MULTIPLIER = float(sys.argv.pop(1))
_create_optimizer = Trainer.create_optimizer


def create_optimizer(self, *args, **kwargs):
    optimizer = _create_optimizer(self, *args, **kwargs)
    rows = self.model.base_model.embeddings.token_type_embeddings.weight
    if any(group["params"] == [rows] for group in optimizer.param_groups):
        return optimizer  # the Trainer asks again before it builds the scheduler: regroup once
    for group in optimizer.param_groups:
        group["params"] = [p for p in group["params"] if p is not rows]
    base = optimizer.param_groups[0]
    optimizer.add_param_group(
        {
            **{k: v for k, v in base.items() if k != "params"},
            "params": [rows],
            "lr": base["lr"] * MULTIPLIER,
            "weight_decay": 0.0,
        }
    )
    print(f"word-shape rows: lr x {MULTIPLIER} = {base['lr'] * MULTIPLIER}", file=sys.stderr)
    return optimizer


Trainer.create_optimizer = create_optimizer
sys.exit(main(["train", *sys.argv[1:]]))
