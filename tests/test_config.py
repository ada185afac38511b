"""Configs: defaults in dataclasses, YAML deltas, dotted overrides through the same validation, all errors at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from quotes.config import Config, ConfigError, check_data_paths, load_config, parse_overrides

CONFIGS = Path(__file__).resolve().parent.parent / "configs"


@pytest.mark.parametrize("name", ["seed", "tiny", "roberta-base"])
def test_shipped_configs_load(name):
    config = load_config(CONFIGS / f"{name}.yaml")
    assert isinstance(config, Config)


def test_polnear_config_reads_its_path_from_the_environment(monkeypatch):
    monkeypatch.delenv("POLNEAR_DIR", raising=False)
    with pytest.raises(ConfigError, match=r"data\.train: environment variable POLNEAR_DIR is not set"):
        load_config(CONFIGS / "polnear.yaml")
    monkeypatch.setenv("POLNEAR_DIR", "/somewhere/polnear")
    config = load_config(CONFIGS / "polnear.yaml")
    assert config.data.train == ["/somewhere/polnear/train"]
    with pytest.raises(ConfigError, match=r"data\.train\[0\]: /somewhere/polnear/train: no such file or directory"):
        check_data_paths(config)


def test_overrides_are_coerced_like_yaml_values(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("training:\n  learning_rate: 1e-5\n  epochs: '3'\n")  # PyYAML reads 1e-5 as a string
    config = load_config(path, ["--training.batch_size=4", "--model.name", "bert-base-cased", "--training.bf16=false"])
    assert config.training.learning_rate == 1e-5 and config.training.epochs == 3.0
    assert (config.training.batch_size, config.model.name, config.training.bf16) == (4, "bert-base-cased", False)
    assert load_config(None, {"data.train": "one.jsonl"}).data.train == ["one.jsonl"]


def test_every_error_is_reported_at_once_with_its_path(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("training:\n  lerning_rate: 1e-4\n  batch_size: many\nmodle: {}\n")
    with pytest.raises(ConfigError) as error:
        load_config(path, ["--data.attributions=beliefs"])
    assert error.value.errors == [
        f"{path}: training.lerning_rate: unknown key (did you mean 'learning_rate'?)",
        f"{path}: training.batch_size: expected an integer, got str 'many'",
        f"{path}: modle: unknown key (did you mean 'model'?)",
        "command line: --data.attributions: expected one of 'all' | 'communication', got 'beliefs'",
    ]


def test_cross_field_rules_are_checked():
    with pytest.raises(ConfigError, match=r"model\.stride: must be >= 0 and < model\.max_length - 2"):
        load_config(None, ["--model.max_length=32", "--model.stride=40"])
    with pytest.raises(ConfigError, match=r"training\.learning_rate: must be > 0"):
        load_config(None, ["--training.learning_rate=0"])


def test_bad_override_syntax_is_explained():
    with pytest.raises(ConfigError, match="expected --section.key=value"):
        parse_overrides(["training.epochs=3"])
    with pytest.raises(ConfigError, match="missing value"):
        parse_overrides(["--training.epochs"])


def test_resolved_config_round_trips_through_yaml(tmp_path):
    config = load_config(CONFIGS / "tiny.yaml")
    saved = config.save(tmp_path / "config.yaml")
    assert load_config(saved) == config
