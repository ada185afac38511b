"""Model cards: a dataclass filled during training by a read-only callback, rendered by a pure function.

The card is a Hugging Face model card (``README.md`` with YAML metadata built by ``huggingface_hub``'s
``ModelCardData`` and ``EvalResult``, so the Hub and ``ModelCard.load`` accept it) describing the data, the
hyperparameters, the per-label metrics measured in this run (``model-index`` holds them with their dataset), the
intended use and the limitations. Its numbers come only from the run's own evaluations; rendering never touches
the network.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from quotes.metrics import WINDOW_METRIC, window_metric_key, window_metric_split
from quotes.schema import KINDS

try:  # transformers is a dependency, but keep this module importable (and testable) without loading it eagerly
    from transformers import TrainerCallback
except ImportError:  # pragma: no cover
    TrainerCallback = object  # type: ignore[assignment,misc]

METRIC = WINDOW_METRIC
"""Training-time metrics: seqeval over token windows with argmax decoding (``{split}_window_seqeval_QUOTE_f1``)."""


def metric_key(split: str, kind: str | None = None, measure: str = "f1") -> str:
    """``validation_window_seqeval_QUOTE_f1``; without ``kind`` the micro average ``validation_window_seqeval_f1``."""
    return window_metric_key(split, kind, measure)


@dataclass
class ModelCardData:
    """What the card says; filled from the config at start and from evaluations as training goes."""

    base_model: str | None  # a Hub id, or None when the encoder is only local
    encoder: str  # model.name as configured (a Hub id, a path or the offline package)
    quotes_version: str
    data: dict[str, list[str]]
    data_stats: dict[str, str]
    hyperparameters: dict[str, Any]
    epoch_metrics: list[dict[str, float]] = field(default_factory=list)
    final_metrics: dict[str, Any] = field(default_factory=dict)
    eval_split: str | None = None  # the split the Trainer scores every epoch (its keys say "eval_")

    @classmethod
    def from_run(cls, config: Any, stats: dict[str, Any], version: str, base_model: str | None = None) -> ModelCardData:
        hyper = {
            "max_length (tokens)": config.model.max_length,
            "stride (tokens)": config.model.stride,
            "attention_dropout": config.model.attention_dropout,
            "random_init": config.model.random_init,
            **{k: v for k, v in vars(config.training).items() if k not in ("output_dir", "keep_checkpoints")},
        }
        data = {name: list(getattr(config.data, name)) for name in ("train", "validation", "test")}
        data["attributions"] = [config.data.attributions]
        data["conventions"] = [config.data.conventions]  # BRAT spans as the source drew them, or redrawn to ours
        return cls(
            base_model=base_model,
            encoder=config.model.name,
            quotes_version=version,
            data=data,
            data_stats={name: s.describe() for name, s in stats.items()},
            hyperparameters=hyper,
        )


class ModelCardCallback(TrainerCallback):
    """Records each evaluation's metrics during training into :class:`ModelCardData`; changes nothing in training.

    The evaluations after training (of the final or best model) are the card's results, not epochs: call
    :meth:`stop` once ``trainer.train`` returns so they do not repeat the last epoch's row.
    """

    def __init__(self, card: ModelCardData):
        self.card = card
        self.recording = True

    def stop(self) -> None:
        self.recording = False

    def on_evaluate(self, args: Any, state: Any, control: Any, metrics: dict[str, float] | None = None, **kwargs: Any):
        if metrics and self.recording:
            row = {"epoch": round(state.epoch or 0.0, 2)}
            row.update({k: float(v) for k, v in metrics.items() if isinstance(v, (int, float))})
            self.card.epoch_metrics.append(row)


def _metrics_table(metrics: dict[str, Any], split: str) -> str:
    lines = ["| label | precision | recall | F1 |", "|---|---|---|---|"]
    for kind in (*KINDS, None):
        p, r, f = (metrics[metric_key(split, kind, m)] for m in ("precision", "recall", "f1"))
        lines.append(f"| {kind or 'micro avg'} | {p:.3f} | {r:.3f} | {f:.3f} |")
    return "\n".join(lines)


def _history(rows: list[dict[str, float]], eval_split: str | None) -> str:
    header = [
        "| epoch | split | " + " | ".join(f"{k} F1" for k in KINDS) + " | micro F1 |",
        "|---|---|---|---|---|---|",
    ]
    lines = []
    for row in rows:
        split = next((s for k in row if (s := window_metric_split(k))), None)
        if split is None:
            continue  # an evaluation without our metrics (a loss-only one)
        cells = [f"{row[metric_key(split, kind)]:.3f}" for kind in (*KINDS, None)]
        shown = eval_split if split == "eval" and eval_split else split
        lines.append(f"| {row['epoch']} | {shown} | " + " | ".join(cells) + " |")
    return "\n".join(header + lines) if lines else "No per-epoch evaluation."


def _dataset_reference(paths: list[str]) -> tuple[str, str]:
    """(type, name) of a split for ``model-index``: a Hub dataset's id, or the local files by name."""
    hub = [p[len("hub:") :].split(":")[0] for p in paths if p.startswith("hub:")]
    name = ", ".join(paths) or "-"
    return (hub[0] if hub else "json"), name


def card_metadata(card: ModelCardData) -> Any:
    """The card's YAML metadata as ``huggingface_hub.ModelCardData``, with ``model-index`` from final metrics."""
    from huggingface_hub import EvalResult
    from huggingface_hub import ModelCardData as HubCardData

    results = []
    for split in ("validation", "test"):
        metrics = card.final_metrics.get(split)
        if not metrics:
            continue
        dataset_type, dataset_name = _dataset_reference(card.data.get(split, []))
        for kind in (*KINDS, None):
            label = f"{kind} " if kind else "micro-averaged "
            results.append(
                EvalResult(
                    task_type="token-classification",
                    task_name="quotation attribution (QUOTE, SPEAKER, CUE)",
                    dataset_type=dataset_type,
                    dataset_name=dataset_name,
                    dataset_split=split,
                    metric_type="f1",
                    metric_name=f"{label}window seqeval F1 ({metric_key(split, kind)[len(split) + 1 :]})",
                    metric_value=round(float(metrics[metric_key(split, kind)]), 4),
                )
            )
    hub_datasets = sorted(
        {_dataset_reference([p])[0] for paths in card.data.values() for p in paths if p.startswith("hub:")}
    )
    return HubCardData(
        datasets=hub_datasets or None,
        language="en",
        license="apache-2.0",
        library_name="transformers",
        pipeline_tag="token-classification",
        base_model=card.base_model,
        tags=["quotes", "quotation-attribution", "token-classification"],
        metrics=["precision", "recall", "f1"],
        model_name="quotes tagger",
        eval_results=results or None,
    )


def render_model_card(card: ModelCardData) -> str:
    """The card as Markdown with YAML front matter, from ``model_card_template.md``."""
    template = string.Template(resources.files("quotes").joinpath("model_card_template.md").read_text("utf-8"))
    sections = []
    for name in ("validation", "test"):
        metrics = card.final_metrics.get(name)
        if metrics:
            files = ", ".join(f"`{p}`" for p in card.data.get(name, [])) or "-"
            sections.append(f"### {name} ({files})\n\n{_metrics_table(metrics, name)}")
    data = "\n".join(f"- {name}: {', '.join(f'`{p}`' for p in paths) or '-'}" for name, paths in card.data.items())
    encoder = card.encoder if card.base_model in (None, card.encoder) else f"{card.encoder} ({card.base_model})"
    return template.substitute(
        metadata=f"---\n{card_metadata(card).to_yaml()}\n---\n",
        quotes_version=card.quotes_version,
        data=f"- encoder: `{encoder}`\n{data}",
        data_stats="\n".join(f"- {name}: {text}" for name, text in card.data_stats.items()),
        hyperparameters="\n".join(f"| {k} | {v} |" for k, v in card.hyperparameters.items()),
        results="\n\n".join(sections) or "No evaluation data was configured.",
        history=_history(card.epoch_metrics, card.eval_split),
        wall_time=card.final_metrics.get("wall_time_s", "?"),
    )
