"""Encoder names and configs: a missing path is named, not sent to the Hub; config overrides are checked."""

from __future__ import annotations

import json

import pytest

from quotes.config import DEFAULT_ENCODER, ConfigError, ModelConfig
from quotes.modeling import (
    DEFAULT_ENCODER_HUB_ID,
    build_model,
    check_model_source,
    hub_base_model,
    load_model_config,
    looks_like_path,
)


@pytest.mark.parametrize("name", ["/abs/model", "./model", "../model", "~/model", "a/b/c", "model/", "C:\\model"])
def test_names_that_can_only_be_paths(name):
    assert looks_like_path(name)


def test_org_slash_name_is_a_hub_id_unless_its_first_part_is_a_local_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert not looks_like_path("FacebookAI/roberta-base")
    (tmp_path / "runs").mkdir()
    assert looks_like_path("runs/polnear")


def test_local_model_directories_and_the_default_encoder_pass(tiny_model_dir):
    check_model_source(DEFAULT_ENCODER)
    check_model_source(str(tiny_model_dir))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("/no/such/dir", r"model\.name: /no/such/dir: no such model directory"),
        ("roberta-base", r"model\.name: roberta-base: no such local directory, and not a Hub id of the form org/name"),
        ("someone/not-cached", r"model\.name: someone/not-cached: not in the local Hub cache, and HF_HUB_OFFLINE=1"),
    ],
)
def test_missing_sources_are_errors_naming_the_key(name, message, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ConfigError, match=message):
        check_model_source(name)


def test_a_folder_without_config_or_a_file_is_not_a_model(tmp_path):
    with pytest.raises(ConfigError, match=r"not a model directory \(no config\.json\)"):
        check_model_source(str(tmp_path))
    (tmp_path / "weights.bin").write_bytes(b"")
    with pytest.raises(ConfigError, match=r"is a file; expected a model directory"):
        check_model_source(str(tmp_path / "weights.bin"))


def test_hub_base_model_for_model_cards(tmp_path):
    assert hub_base_model(DEFAULT_ENCODER) == DEFAULT_ENCODER_HUB_ID
    assert hub_base_model("FacebookAI/roberta-base") == "FacebookAI/roberta-base"
    assert hub_base_model("/no/such/dir") is None
    (tmp_path / "quotes.json").write_text(json.dumps({"base_model": DEFAULT_ENCODER}))
    assert hub_base_model(str(tmp_path)) == DEFAULT_ENCODER_HUB_ID  # a fine-tune of our own model: its base


def test_config_overrides_are_applied_and_checked(tiny_model_dir):
    config = load_model_config(ModelConfig(name=str(tiny_model_dir), config_overrides={"num_hidden_layers": 1}))
    assert config.num_hidden_layers == 1 and config.attention_probs_dropout_prob == 0.0 and config.num_labels == 7
    with pytest.raises(ConfigError) as error:
        load_model_config(
            ModelConfig(name=str(tiny_model_dir), config_overrides={"num_layers": 1, "hidden_size": "big"})
        )
    assert error.value.errors == [
        "model.config_overrides.num_layers: not a field of BertConfig (did you mean 'num_hidden_layers'?)",
        "model.config_overrides.hidden_size: expected an integer (now 32), got 'big'",
    ]


def test_build_model_random_init_uses_the_checked_config(tiny_model_dir):
    model = build_model(
        ModelConfig(
            name=str(tiny_model_dir), random_init=True, config_overrides={"hidden_size": 16, "intermediate_size": 8}
        )
    )
    assert model.config.hidden_size == 16 and model.config.id2label[1] == "B-QUOTE"
