"""Training: a config in, a self-describing model directory out, using the stock ``transformers.Trainer``.

``train(config)`` checks everything it can before loading anything (output folder, data entries, encoder name,
precision for this device, Trainer arguments), reads the documents (:mod:`quotes.training_data`), windows them
(:mod:`quotes.data`), builds the model (:mod:`quotes.modeling`) and hands the stock Trainer ready datasets, a
collator, seqeval metrics and callbacks. Our only hook is the loss function (``compute_loss_func``): it sums token
losses and divides by the number of labelled tokens in the whole batch, so one process and several processes give
the same gradients, and it adds optional class weights and label smoothing. The output directory
(:mod:`quotes.run_folder`) holds safetensors weights, the tokenizer, the label map, the resolved config, the package
version, ``metrics.json`` and a generated model card.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from transformers import TrainerCallback  # already loaded by quotes.model_card

from quotes import __version__
from quotes.config import Config, ConfigError, check_data_paths, entry_path, load_config, train_sources
from quotes.data import WindowStats, build_dataset
from quotes.labels import IGNORE_INDEX, LABELS
from quotes.metrics import window_seqeval_metrics
from quotes.model_card import METRIC, ModelCardCallback, ModelCardData, render_model_card
from quotes.modeling import build_model, check_model_source, hub_base_model, load_model_config, load_tokenizer
from quotes.precision import DeviceFacts, PrecisionError, choose_precision, detect_device
from quotes.run_folder import QUOTES_FILE, RunFolder, TrainingInterrupted
from quotes.training_data import in_memory_splits, read_splits

logger = logging.getLogger(__name__)

__all__ = ["QUOTES_FILE", "TrainingInterrupted", "train"]


def window_metrics(eval_prediction: Any) -> dict[str, float]:
    """Seqeval over the evaluation windows with argmax decoding: ``window_seqeval_f1``, ``window_seqeval_QUOTE_f1``...

    Not the document-level seqeval of ``quotes evaluate`` (whole documents, Viterbi decoding), so its keys say so.
    """
    logits, label_ids = eval_prediction.predictions, eval_prediction.label_ids
    return window_seqeval_metrics(logits.argmax(-1), label_ids, prefix=f"{METRIC}_")


def class_weights(datasets_labels: Sequence[Sequence[int]], mode: str | None) -> list[float] | None:
    """Per-label loss weights: ``balanced`` = total / (labels x count), ``sqrt`` its square root, O stays near 1."""
    if mode is None or mode == "none":  # "none": the spelling of saved configs before null
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


class RecordCheckpoints(TrainerCallback):
    """Writes the name of each checkpoint the run saves into the folder's marker: clean-up removes only those."""

    def __init__(self, folder: RunFolder):
        self.folder = folder

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
        if state.is_world_process_zero:
            self.folder.record_checkpoint(f"checkpoint-{state.global_step}")
        return control


def train(
    config: Config | str | Path,
    overrides: list[str] | dict[str, Any] | None = None,
    resume: bool | str = False,
    *,
    overwrite: bool = False,
    data: Any = None,
) -> Path:
    """Train a quote tagger as ``config`` says and save everything needed to use and reproduce it.

    >>> output_dir = train("configs/tiny.yaml", ["--training.output_dir=runs/tiny"])  # doctest: +SKIP
    >>> kept = {".json", ".yaml", ".md", ".safetensors"}
    >>> sorted(p.name for p in output_dir.iterdir() if p.suffix in kept)  # doctest: +SKIP
    ['README.md', 'config.json', 'config.yaml', 'metrics.json', 'model.safetensors', 'quotes.json', ...]

    Args:
        config: a :class:`Config`, or the path of a YAML config file.
        overrides: dotted overrides applied before validation (``["--training.epochs=3"]``).
        resume: ``True`` resumes from the last checkpoint in the output directory, a path from that checkpoint.
        overwrite: write into a non-empty output folder that no run of ours wrote (same-named files are replaced;
            nothing is deleted).
        data: documents held in memory instead of ``data.*`` entries: a ``datasets.Dataset`` or a list of
            :class:`~quotes.schema.Document` (the training split), or a ``DatasetDict`` / dict of them with splits
            ``train``, ``validation``, ``test``; dataset rows have the columns ``id``, ``text`` and ``quotes``
            (Citron quote objects).

    Returns:
        The output directory.

    Raises:
        ConfigError: any problem found before training (config, output folder, data entries, encoder, precision),
            each naming its key.
        TrainingInterrupted: Ctrl-C during training; nothing half-written is left, and ``.checkpoint`` says where
            to resume from.
    """
    import torch
    from transformers import set_seed

    config = _resolve_config(config, overrides)
    given = in_memory_splits(data)
    folder = RunFolder.check(config.training.output_dir, overwrite=overwrite, resume=resume)
    check_data_paths(config, skip=frozenset(given))
    check_model_source(config.model.name)
    config = _record_given_data(config, given)
    precision, device = _choose_precision(config)
    eval_name = next((name for name in ("validation", "test") if name in given or getattr(config.data, name)), None)
    args = training_arguments(config, precision, device, eval_name)
    model_config = load_model_config(config.model)  # checks model.config_overrides before any weights load

    if config.training.threads:
        torch.set_num_threads(config.training.threads)
    started = time.perf_counter()
    splits = read_splits(config, given)
    tokenizer = load_tokenizer(config.model.name)
    datasets, stats = _windows(splits, tokenizer, config)
    set_seed(config.training.seed)
    model = build_model(config.model, model_config)
    base_model = hub_base_model(config.model.name)
    card = ModelCardData.from_run(_card_config(config), stats, __version__, base_model=base_model)
    _card_repeats(card, config)
    card.hyperparameters["precision (this run)"] = f"{precision} on {device.describe()}"
    card.eval_split = eval_name
    card_callback = ModelCardCallback(card)
    trainer = _trainer(config, args, model, tokenizer, datasets, eval_name, [card_callback, RecordCheckpoints(folder)])
    _log_batch_size(trainer, args, card)

    if trainer.is_world_process_zero():
        folder.claim()
    try:
        result = trainer.train(resume_from_checkpoint=resume or None)
        card_callback.stop()  # the evaluations below are results, not epochs
        metrics: dict[str, Any] = {"train": result.metrics}
        for name in ("validation", "test"):
            if name in datasets:
                metrics[name] = trainer.evaluate(_model_columns(datasets[name]), metric_key_prefix=name)
        metrics["wall_time_s"] = round(time.perf_counter() - started, 1)
        card.final_metrics = metrics
        if trainer.is_world_process_zero():
            _save(trainer, tokenizer, folder, config, metrics, card)
            logger.info("saved the model to %s (%.0f s)", folder.path, metrics["wall_time_s"])
    except KeyboardInterrupt:
        raise folder.interrupted() from None
    trainer.accelerator.wait_for_everyone()  # every process returns only once rank 0 has written the directory
    return folder.path


def _resolve_config(config: Config | str | Path, overrides: list[str] | dict[str, Any] | None) -> Config:
    if not isinstance(config, Config):
        return load_config(config, overrides)
    if overrides:
        raise ValueError("overrides apply to a config file; edit the Config object directly instead")
    return config


def _record_given_data(config: Config, given: dict[str, Any]) -> Config:
    """The saved config names in-memory splits by what they were (they have no path to record)."""
    if not given:
        return config
    described = {name: [f"<in-memory {type(split).__name__}, {len(split)} rows>"] for name, split in given.items()}
    return dataclasses.replace(config, data=dataclasses.replace(config.data, **described))


def _card_config(config: Config) -> Config:
    """The config as the model card reads it: ``data.train`` as path strings (repeats go in their own line)."""
    paths = [entry_path(entry) for entry in config.data.train]
    return dataclasses.replace(config, data=dataclasses.replace(config.data, train=paths))


def _card_repeats(card: ModelCardData, config: Config) -> None:
    """List upsampled training sources in the card: ``train repeated: 4x path``."""
    repeated = [f"{s.repeat}x {s.path}" for s in train_sources(config.data.train) if s.repeat > 1]
    if repeated:
        card.data["train repeated"] = repeated


def _choose_precision(config: Config) -> tuple[str, DeviceFacts]:
    device = detect_device()
    try:
        precision, warning = choose_precision(config.training.precision, device)
    except PrecisionError as error:
        raise ConfigError([str(error)]) from None
    if warning:
        logger.warning("%s", warning)
    logger.info(
        "training on the %s in %s (training.precision: %s)", device.describe(), precision, config.training.precision
    )
    return precision, device


def _windows(
    splits: dict[str, list[Any]], tokenizer: Any, config: Config
) -> tuple[dict[str, Any], dict[str, WindowStats]]:
    datasets, stats = {}, {}
    for name, documents in splits.items():
        datasets[name], stats[name] = build_dataset(
            documents, tokenizer, config.model.max_length, config.model.stride, word_shape=config.model.word_shape
        )
    return datasets, stats


def _model_columns(dataset: Any) -> Any:
    return dataset.remove_columns(["document", "window"])


def _trainer(
    config: Config,
    args: Any,
    model: Any,
    tokenizer: Any,
    datasets: dict[str, Any],
    eval_name: str | None,
    callbacks: list[Any],
) -> Any:
    """The stock Trainer with our collator, metrics, loss, early stopping (with a dev set) and callbacks."""
    from transformers import DataCollatorForTokenClassification, EarlyStoppingCallback, Trainer

    t = config.training
    callbacks = [*callbacks, LogEveryEpochEnd()]
    if eval_name == "validation" and t.early_stopping_patience > 0:
        callbacks.append(EarlyStoppingCallback(early_stopping_patience=t.early_stopping_patience))
    elif eval_name == "test":
        logger.info("no validation set: the test split is scored every epoch for the log; no checkpoint selection")
    weights = class_weights(datasets["train"]["labels"], t.class_weights)
    if weights:
        logger.info("class weights (%s): %s", t.class_weights, dict(zip(LABELS, (round(w, 2) for w in weights))))
    return Trainer(
        model=model,
        args=args,
        train_dataset=_model_columns(datasets["train"]),
        eval_dataset=_model_columns(datasets[eval_name]) if eval_name else None,
        data_collator=DataCollatorForTokenClassification(tokenizer, label_pad_token_id=IGNORE_INDEX),
        processing_class=tokenizer,
        compute_metrics=window_metrics,
        compute_loss_func=make_loss_function(weights, t.label_smoothing),
        callbacks=callbacks,
    )


def _log_batch_size(trainer: Any, args: Any, card: ModelCardData) -> None:
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


def training_arguments(config: Config, precision: str, device: DeviceFacts, eval_name: str | None) -> Any:
    """Our config as stock ``TrainingArguments``: evaluate and save every epoch, on the device and precision chosen,
    then ``training.trainer_args`` on top (validated by ``TrainingArguments`` itself, errors named by key)."""
    from transformers import TrainingArguments

    t = config.training
    select_best = eval_name == "validation"
    _check_report_to(t.report_to)
    arguments = dict(
        output_dir=str(Path(t.output_dir).expanduser()),
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
        bf16=precision == "bf16",
        fp16=precision == "fp16",
        use_cpu=device.kind == "cpu",
        eval_strategy="epoch" if eval_name else "no",
        save_strategy="epoch",
        save_total_limit=t.save_total_limit,
        load_best_model_at_end=select_best,
        metric_for_best_model=f"{METRIC}_f1" if select_best else None,
        greater_is_better=True if select_best else None,
        logging_steps=t.logging_steps,
        dataloader_num_workers=t.dataloader_workers,
        report_to=list(t.report_to),
        disable_tqdm=False,  # transformers hides progress bars when its log level is above INFO (the CLI's)
    )
    arguments.update(t.trainer_args)
    try:
        return TrainingArguments(**arguments)
    except (TypeError, ValueError) as error:
        where = f"training.trainer_args ({', '.join(t.trainer_args)})" if t.trainer_args else "training"
        raise ConfigError([f"{where}: transformers.TrainingArguments refused it: {error}"]) from None


def _check_report_to(trackers: list[str]) -> None:
    """Unknown or uninstalled trackers fail now, not after the model has loaded."""
    if not trackers:
        return
    from transformers.integrations import get_reporting_integration_callbacks

    errors = []
    for index, tracker in enumerate(trackers):
        try:
            get_reporting_integration_callbacks([tracker])
        except (ValueError, RuntimeError, ImportError) as error:
            errors.append(f"training.report_to[{index}]: {tracker}: {error}")
    if errors:
        raise ConfigError(errors)


def _save(
    trainer: Any, tokenizer: Any, folder: RunFolder, config: Config, metrics: dict[str, Any], card: ModelCardData
) -> None:
    trainer.save_model(str(folder.path))
    tokenizer.save_pretrained(str(folder.path))
    save_run_files(folder.path, config, metrics, card)
    (folder.path / "training_args.bin").unlink(missing_ok=True)  # a pickle; config.yaml is the record of the run
    if not config.training.keep_checkpoints:
        folder.remove_checkpoints()


def save_run_files(output_dir: Path, config: Config, metrics: dict[str, Any], card: ModelCardData) -> None:
    """Everything beside the weights: resolved config, metrics, the model card, then ``quotes.json`` last (its
    presence tells a finished save from an interrupted one)."""
    config.save(output_dir / "config.yaml")
    (output_dir / "metrics.json").write_text(json.dumps(metrics, indent=2, default=float) + "\n", encoding="utf-8")
    (output_dir / "README.md").write_text(render_model_card(card), encoding="utf-8")
    meta = {
        "quotes_version": __version__,
        "labels": list(LABELS),
        "max_length": config.model.max_length,
        "stride": config.model.stride,
        "base_model": config.model.name,
        "word_shape": config.model.word_shape,
        "predict": dataclasses.asdict(config.predict),
    }
    (output_dir / QUOTES_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
