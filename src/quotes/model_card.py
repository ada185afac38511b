"""Model cards: a dataclass filled during training by a read-only callback, rendered by a pure function.

The card is a Hugging Face model card (``README.md`` with YAML metadata) describing the data, the
hyperparameters, the per-label metrics measured in this run, the intended use and the limitations. Its numbers
come only from the run's own evaluations; rendering never touches the network.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

try:  # transformers is a dependency, but keep this module importable (and testable) without loading it eagerly
    from transformers import TrainerCallback
except ImportError:  # pragma: no cover
    TrainerCallback = object  # type: ignore[assignment,misc]

KINDS = ("QUOTE", "SPEAKER", "CUE")


@dataclass
class ModelCardData:
    """What the card says; filled from the config at start and from evaluations as training goes."""

    base_model: str
    quotes_version: str
    data: dict[str, list[str]]
    data_stats: dict[str, str]
    hyperparameters: dict[str, Any]
    epoch_metrics: list[dict[str, float]] = field(default_factory=list)
    final_metrics: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_run(cls, config: Any, stats: dict[str, Any], version: str) -> ModelCardData:
        hyper = {
            "max_length (tokens)": config.model.max_length,
            "stride (tokens)": config.model.stride,
            "attention_dropout": config.model.attention_dropout,
            "random_init": config.model.random_init,
            **{k: v for k, v in vars(config.training).items() if k not in ("output_dir", "keep_checkpoints")},
        }
        data = {name: list(getattr(config.data, name)) for name in ("train", "validation", "test")}
        data["attributions"] = [config.data.attributions]
        return cls(
            base_model=config.model.name,
            quotes_version=version,
            data=data,
            data_stats={name: s.describe() for name, s in stats.items()},
            hyperparameters=hyper,
        )


class ModelCardCallback(TrainerCallback):
    """Records each evaluation's metrics into :class:`ModelCardData`; changes nothing in training."""

    def __init__(self, card: ModelCardData):
        self.card = card

    def on_evaluate(self, args: Any, state: Any, control: Any, metrics: dict[str, float] | None = None, **kwargs: Any):
        if metrics:
            row = {"epoch": round(state.epoch or 0.0, 2)}
            row.update({k: float(v) for k, v in metrics.items() if isinstance(v, (int, float))})
            self.card.epoch_metrics.append(row)


def _metrics_table(metrics: dict[str, Any], prefix: str) -> str:
    lines = ["| label | precision | recall | F1 |", "|---|---|---|---|"]
    for kind in KINDS:
        p, r, f = (metrics.get(f"{prefix}_{kind}_{m}") for m in ("precision", "recall", "f1"))
        if f is not None:
            lines.append(f"| {kind} | {p:.3f} | {r:.3f} | {f:.3f} |")
    if f"{prefix}_f1" in metrics:
        lines.append(
            f"| micro avg | {metrics[f'{prefix}_precision']:.3f} | {metrics[f'{prefix}_recall']:.3f} "
            f"| {metrics[f'{prefix}_f1']:.3f} |"
        )
    return "\n".join(lines)


def render_model_card(card: ModelCardData) -> str:
    """The card as Markdown with YAML front matter, from ``model_card_template.md``."""
    template = string.Template(resources.files("quotes").joinpath("model_card_template.md").read_text("utf-8"))
    sections = []
    for name in ("validation", "test"):
        metrics = card.final_metrics.get(name)
        if metrics:
            files = ", ".join(f"`{p}`" for p in card.data.get(name, [])) or "-"
            sections.append(f"### {name} ({files})\n\n{_metrics_table(metrics, name)}")
    history = ["| epoch | " + " | ".join(f"{k} F1" for k in KINDS) + " | micro F1 |", "|---|---|---|---|---|"]
    for row in card.epoch_metrics:
        prefix = next((k[: -len("_f1")] for k in row if k.endswith("_f1") and k.count("_") == 1), None)
        if prefix:
            cells = [f"{row.get(f'{prefix}_{k}_f1', 0.0):.3f}" for k in KINDS]
            history.append(f"| {row['epoch']} | " + " | ".join(cells) + f" | {row[f'{prefix}_f1']:.3f} |")
    index_rows = []
    test = card.final_metrics.get("test") or card.final_metrics.get("validation") or {}
    split = "test" if card.final_metrics.get("test") else "validation"
    for kind in KINDS:
        value = test.get(f"{split}_{kind}_f1")
        if value is not None:
            index_rows.append(
                f"          - type: f1\n            name: {kind} entity F1 ({split})\n            value: {value:.4f}"
            )
    return template.substitute(
        base_model=card.base_model,
        quotes_version=card.quotes_version,
        model_index="\n".join(index_rows) or "          []",
        data="\n".join(f"- {name}: {', '.join(f'`{p}`' for p in paths) or '-'}" for name, paths in card.data.items()),
        data_stats="\n".join(f"- {name}: {text}" for name, text in card.data_stats.items()),
        hyperparameters="\n".join(f"| {k} | {v} |" for k, v in card.hyperparameters.items()),
        results="\n\n".join(sections) or "No evaluation data was configured.",
        history="\n".join(history) if len(history) > 2 else "No per-epoch evaluation.",
        wall_time=card.final_metrics.get("wall_time_s", "?"),
    )
