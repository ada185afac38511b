"""Training: a config in, a self-describing model directory out, using the stock ``transformers.Trainer``.

``train(config)`` reads the gold data, windows it (:mod:`quotes.data`), builds the model (:mod:`quotes.modeling`)
and hands the stock Trainer ready datasets, a collator, seqeval metrics and callbacks. Our only hook is the loss
function (``compute_loss_func``): it sums token losses and divides by the number of labelled tokens in the whole
batch, so one process and several processes give the same gradients, and it adds optional class weights and
label smoothing. The output directory holds safetensors weights, the tokenizer, the label map, the resolved
config, the package version, ``metrics.json`` and a generated model card.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from transformers import TrainerCallback  # already loaded by quotes.model_card

from quotes import __version__
from quotes.config import Config, check_data_paths, load_config
from quotes.data import build_dataset, read_documents
from quotes.labels import IGNORE_INDEX, LABELS
from quotes.metrics import window_seqeval_metrics
from quotes.model_card import ModelCardCallback, ModelCardData, render_model_card
from quotes.modeling import build_model, load_tokenizer

logger = logging.getLogger(__name__)

QUOTES_FILE = "quotes.json"
"""Metadata our loader reads: package version, labels, window size, the data a model was trained on."""


def _compute_metrics(eval_prediction: Any) -> dict[str, float]:
    logits, label_ids = eval_prediction.predictions, eval_prediction.label_ids
    # Unprefixed keys (f1, QUOTE_f1, ...) as metric_for_best_model expects here; where the Trainer is set up they
    # get the house prefix (window_seqeval_f1, ...), and keys already prefixed pass through unchanged.
    return window_seqeval_metrics(logits.argmax(-1), label_ids, prefix="")


def class_weights(datasets_labels: Sequence[Sequence[int]], mode: str) -> list[float] | None:
    """Per-label loss weights: ``balanced`` = total / (labels x count), ``sqrt`` its square root, O stays near 1."""
    if mode == "none":
        return None
    counts = [0] * len(LABELS)
    for row in datasets_labels:
        for label in row:
            if label != IGNORE_INDEX:
                counts[label] += 1
    total = sum(counts)
    weights = [total / (len(LABELS) * max(count, 1)) for count in counts]
    if mode == "sqrt":
        weights = [math.sqrt(w) for w in weights]
    scale = weights[0]
    return [w / scale for w in weights]


def make_loss_function(weights: list[float] | None, label_smoothing: float):
    """A ``compute_loss_func`` for the Trainer: summed token cross-entropy / labelled tokens in the batch."""
    import torch

    def loss_function(outputs: Any, labels: Any, num_items_in_batch: Any = None) -> Any:
        logits = outputs["logits"] if isinstance(outputs, dict) else outputs.logits
        weight = torch.tensor(weights, dtype=logits.dtype, device=logits.device) if weights else None
        loss = torch.nn.functional.cross_entropy(
            logits.float().view(-1, logits.shape[-1]),
            labels.view(-1),
            weight=weight.float() if weight is not None else None,
            ignore_index=IGNORE_INDEX,
            reduction="sum",
            label_smoothing=label_smoothing,
        )
        denominator = num_items_in_batch if num_items_in_batch is not None else (labels != IGNORE_INDEX).sum()
        if torch.is_tensor(denominator):
            denominator = denominator.to(loss.device)
        return loss / denominator

    return loss_function


class LogEveryEpochEnd(TrainerCallback):
    """Log the training loss at the end of every epoch, so the run's ``train_loss`` is averaged over all processes.

    The Trainer averages the loss over processes only when it logs; the steps after the last log are added to
    ``train_loss`` from rank 0 alone. Logging when an epoch ends (the last step included) leaves no such steps.
    """

    def on_epoch_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
        control.should_log = True
        return control


def train(
    config: Config | str | Path, overrides: list[str] | dict[str, Any] | None = None, resume: bool | str = False
) -> Path:
    """Train a quote tagger as ``config`` says and save everything needed to use and reproduce it.

    >>> output_dir = train("configs/tiny.yaml", ["--training.output_dir=runs/tiny"])
    >>> sorted(p.name for p in output_dir.iterdir() if p.suffix in {".json", ".yaml", ".md", ".safetensors"})
    ['README.md', 'config.json', 'config.yaml', 'metrics.json', 'model.safetensors', 'quotes.json', ...]

    Args:
        config: a :class:`Config`, or the path of a YAML config file.
        overrides: dotted overrides applied before validation (``["--training.epochs=3"]``).
        resume: ``True`` resumes from the last checkpoint in the output directory, a path from that checkpoint.

    Returns:
        The output directory.
    """
    import torch
    from transformers import (
        DataCollatorForTokenClassification,
        EarlyStoppingCallback,
        Trainer,
        TrainingArguments,
        set_seed,
    )

    if not isinstance(config, Config):
        config = load_config(config, overrides)
    elif overrides:
        raise ValueError("overrides apply to a config file; edit the Config object directly instead")
    check_data_paths(config)
    if config.training.threads:
        torch.set_num_threads(config.training.threads)
    started = time.perf_counter()
    output_dir = Path(config.training.output_dir)

    splits = {
        name: read_documents(paths, attributions=config.data.attributions)
        for name in ("train", "validation", "test")
        if (paths := getattr(config.data, name))
    }
    tokenizer = load_tokenizer(config.model.name)
    datasets, stats = {}, {}
    for name, documents in splits.items():
        datasets[name], stats[name] = build_dataset(documents, tokenizer, config.model.max_length, config.model.stride)

    set_seed(config.training.seed)
    model = build_model(config.model)
    eval_name = "validation" if "validation" in datasets else "test" if "test" in datasets else None
    select_best = eval_name == "validation"
    if eval_name == "test":
        logger.info("no validation set: the test split is scored every epoch for the log; no checkpoint selection")
    args = _training_arguments(TrainingArguments, config, output_dir, eval_name, select_best)
    card = ModelCardData.from_run(config, {name: s for name, s in stats.items()}, __version__)
    t = config.training
    callbacks: list[Any] = [ModelCardCallback(card), LogEveryEpochEnd()]
    if select_best and t.early_stopping_patience > 0:
        callbacks.append(EarlyStoppingCallback(early_stopping_patience=t.early_stopping_patience))
    weights = class_weights(datasets["train"]["labels"], t.class_weights)
    if weights:
        logger.info("class weights (%s): %s", t.class_weights, dict(zip(LABELS, (round(w, 2) for w in weights))))
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=datasets["train"].remove_columns(["document", "window"]),
        eval_dataset=datasets[eval_name].remove_columns(["document", "window"]) if eval_name else None,
        data_collator=DataCollatorForTokenClassification(tokenizer, label_pad_token_id=IGNORE_INDEX),
        processing_class=tokenizer,
        compute_metrics=_compute_metrics,
        compute_loss_func=make_loss_function(weights, t.label_smoothing),
        callbacks=callbacks,
    )
    world = args.world_size  # processes that train together (torchrun / accelerate launch); 1 for a plain run
    global_batch = args.per_device_train_batch_size * args.gradient_accumulation_steps * world
    card.hyperparameters["world_size (processes)"] = world
    card.hyperparameters["global batch (windows per optimizer step)"] = global_batch
    if trainer.is_world_process_zero():
        logger.info(
            "world size %d (processes training together) x %d windows x %d accumulation step(s) = %d windows "
            "per optimizer step",
            world,
            args.per_device_train_batch_size,
            args.gradient_accumulation_steps,
            global_batch,
        )
    result = trainer.train(resume_from_checkpoint=resume or None)

    metrics: dict[str, Any] = {"train": result.metrics}
    for name in ("validation", "test"):
        if name in datasets:
            metrics[name] = trainer.evaluate(
                datasets[name].remove_columns(["document", "window"]), metric_key_prefix=name
            )
    metrics["wall_time_s"] = round(time.perf_counter() - started, 1)
    card.final_metrics = metrics
    if trainer.is_world_process_zero():
        trainer.save_model(str(output_dir))
        tokenizer.save_pretrained(str(output_dir))
        save_run_files(output_dir, config, metrics, card)
        (output_dir / "training_args.bin").unlink(missing_ok=True)  # a pickle; config.yaml is the record of the run
        if not t.keep_checkpoints:
            for checkpoint in output_dir.glob("checkpoint-*"):
                shutil.rmtree(checkpoint)
        logger.info("saved the model to %s (%.0f s)", output_dir, metrics["wall_time_s"])
    trainer.accelerator.wait_for_everyone()  # every process returns only once rank 0 has written the directory
    return output_dir


def _training_arguments(cls: Any, config: Config, output_dir: Path, eval_name: str | None, select_best: bool) -> Any:
    """Our config as stock ``TrainingArguments``: evaluate and save every epoch, CPU unless CUDA is there."""
    import torch

    t = config.training
    return cls(
        output_dir=str(output_dir),
        num_train_epochs=t.epochs,
        max_steps=t.max_steps,
        learning_rate=t.learning_rate,
        weight_decay=t.weight_decay,
        warmup_steps=t.warmup_ratio,  # transformers 5: a float in [0, 1) is a ratio of the total steps
        per_device_train_batch_size=t.batch_size,
        per_device_eval_batch_size=t.eval_batch_size,
        gradient_accumulation_steps=t.gradient_accumulation_steps,
        seed=t.seed,
        data_seed=t.seed,
        bf16=t.bf16,
        use_cpu=not torch.cuda.is_available(),
        eval_strategy="epoch" if eval_name else "no",
        save_strategy="epoch",
        save_total_limit=t.save_total_limit,
        load_best_model_at_end=select_best,
        metric_for_best_model="f1" if select_best else None,
        greater_is_better=True if select_best else None,
        logging_steps=t.logging_steps,
        dataloader_num_workers=t.dataloader_workers,
        report_to=[],
        disable_tqdm=False,  # transformers hides progress bars when its log level is above INFO (the CLI's)
    )


def save_run_files(output_dir: Path, config: Config, metrics: dict[str, Any], card: ModelCardData) -> None:
    """Everything beside the weights: resolved config, label map and version, metrics and the model card."""
    config.save(output_dir / "config.yaml")
    meta = {
        "quotes_version": __version__,
        "labels": list(LABELS),
        "max_length": config.model.max_length,
        "stride": config.model.stride,
        "base_model": config.model.name,
        "predict": dataclasses.asdict(config.predict),
    }
    (output_dir / QUOTES_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    (output_dir / "metrics.json").write_text(json.dumps(metrics, indent=2, default=float) + "\n", encoding="utf-8")
    (output_dir / "README.md").write_text(render_model_card(card), encoding="utf-8")
