"""Tests for scripts/average_weights.py: a model soup of two models is their element-wise mean, saved loadable."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import torch

from quotes.inference import QuoteExtractor

_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "average_weights.py"
_spec = importlib.util.spec_from_file_location("average_weights", _SCRIPT)
average_weights = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(average_weights)


@pytest.fixture
def two_models(tiny_training, tmp_path) -> tuple[Path, Path]:
    """The tiny trained model and a copy whose classifier bias is 1.0 higher."""
    other = QuoteExtractor.from_pretrained(tiny_training.model, device="cpu")
    with torch.no_grad():
        other.model.classifier.bias += 1.0
    return tiny_training.model, other.save_pretrained(tmp_path / "other")


def test_the_average_is_the_element_wise_mean_and_loads(two_models, tmp_path):
    first, other = two_models
    assert average_weights.main([str(tmp_path / "soup"), str(first), str(other)]) == 0

    soup = QuoteExtractor.from_pretrained(tmp_path / "soup", device="cpu")
    base = QuoteExtractor.from_pretrained(first, device="cpu")
    assert torch.allclose(soup.model.classifier.bias, base.model.classifier.bias + 0.5)
    assert torch.equal(soup.model.classifier.weight, base.model.classifier.weight)
    assert soup.predict("‘We will recover,’ he said.") is not None  # a working extractor, not just weights
    meta = json.loads((tmp_path / "soup" / "quotes.json").read_text(encoding="utf-8"))
    assert meta["averaged_from"] == [str(first), str(other)]
    assert meta["predict"] == json.loads((first / "quotes.json").read_text(encoding="utf-8"))["predict"]
    assert not (tmp_path / "soup" / "README.md").exists()  # the first model's card does not describe the soup


def test_models_of_different_shapes_are_refused_and_nothing_is_written(two_models, tmp_path):
    first, other = two_models
    changed = QuoteExtractor.from_pretrained(other, device="cpu")
    changed.max_length = 128
    changed.save_pretrained(other)

    with pytest.raises(SystemExit, match=r"other: windows 128/\d+ tokens, not \d+/\d+"):
        average_weights.main([str(tmp_path / "soup"), str(first), str(other)])
    assert not (tmp_path / "soup").exists()


def test_one_model_is_not_an_average(tiny_training, tmp_path, capsys):
    with pytest.raises(SystemExit):
        average_weights.main([str(tmp_path / "soup"), str(tiny_training.model)])
    assert "two or more models" in capsys.readouterr().err


def test_a_checkpoint_folder_takes_the_first_models_settings(two_models, tmp_path):
    first, other = two_models
    (other / "quotes.json").unlink()  # a Trainer checkpoint has weights, config and tokenizer, no quotes.json
    assert average_weights.main([str(tmp_path / "soup"), str(first), str(other)]) == 0
    assert QuoteExtractor.from_pretrained(tmp_path / "soup", device="cpu").max_length == (
        QuoteExtractor.from_pretrained(first, device="cpu").max_length
    )

    with pytest.raises(SystemExit, match="other: no quotes.json; give a model folder first"):
        average_weights.main([str(tmp_path / "soup2"), str(other), str(first)])


def test_an_existing_model_is_never_overwritten(two_models):
    first, other = two_models
    before = (other / "model.safetensors").read_bytes()
    with pytest.raises(SystemExit, match="other: exists and is not an empty folder; nothing was written"):
        average_weights.main([str(other), str(first), str(other)])
    assert (other / "model.safetensors").read_bytes() == before
