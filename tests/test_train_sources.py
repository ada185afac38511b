"""Training sources repeated: ``data.train`` entries as ``{path: P, repeat: N}`` upsample a small source."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from quotes.config import ConfigError, TrainSource, check_data_paths, load_config, train_sources
from quotes.schema import write_documents
from quotes.training_data import read_splits

ROOT = Path(__file__).resolve().parent.parent
SPLITS = ROOT / "data" / "annotations" / "splits"


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_mapping_entry_repeats_and_plain_strings_stay_strings(tmp_path):
    config = load_config(write_config(tmp_path, "data:\n  train: [a.jsonl, {path: b.jsonl, repeat: 4}]\n"))
    assert config.data.train == ["a.jsonl", TrainSource("b.jsonl", 4)]
    assert train_sources(config.data.train) == [TrainSource("a.jsonl", 1), TrainSource("b.jsonl", 4)]
    assert load_config(None).data.train == ["data/annotations/splits/train.jsonl"]  # the default, unchanged


def test_a_mapping_without_repeat_repeats_once_and_expands_variables(tmp_path, monkeypatch):
    monkeypatch.setenv("CORPUS", "/data/corpus")
    config = load_config(write_config(tmp_path, "data:\n  train:\n    - {path: '${CORPUS}/train'}\n"))
    assert config.data.train == [TrainSource("/data/corpus/train", 1)]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{path: b.jsonl, repeat: 0}", r"data\.train\[1\]\.repeat: must be >= 1 .*got 0"),
        ("{path: b.jsonl, repeat: -2}", r"data\.train\[1\]\.repeat: must be >= 1"),
        ("{path: b.jsonl, repeat: 2.5}", r"data\.train\[1\]\.repeat: expected a whole number >= 1, got float 2\.5"),
        ("{path: b.jsonl, repeat: '4'}", r"data\.train\[1\]\.repeat: expected a whole number >= 1, got str '4'"),
        ("{path: b.jsonl, repeat: true}", r"data\.train\[1\]\.repeat: expected a whole number >= 1, got bool"),
        ("{path: b.jsonl, repaet: 4}", r"data\.train\[1\]\.repaet: unknown key \(did you mean 'repeat'\?\)"),
        ("{file: b.jsonl}", r"data\.train\[1\]: missing key 'path'"),
        ("{path: '', repeat: 2}", r"data\.train\[1\]\.path: empty path"),
        ("{path: [b.jsonl]}", r"data\.train\[1\]\.path: expected a string, got list"),
        ("[b.jsonl]", r"data\.train\[1\]: expected a path string or a mapping \{path: \.\.\., repeat: N\}, got list"),
    ],
)
def test_bad_entries_are_named_by_index_and_key(tmp_path, entry, message):
    path = write_config(tmp_path, f"data:\n  train: [a.jsonl, {entry}]\n")
    with pytest.raises(ConfigError, match=rf"config\.yaml: {message}"):
        load_config(path)


def test_every_problem_of_every_entry_is_reported_at_once(tmp_path):
    path = write_config(tmp_path, "data:\n  train: [{path: a, repeat: 0, weight: 2}, {path: b, repeat: x}]\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    paths = [error.split(": ")[1] for error in caught.value.errors]
    assert paths == ["data.train[0].weight", "data.train[0].repeat", "data.train[1].repeat"]


def test_command_line_overrides_take_mappings_and_name_their_errors():
    config = load_config(None, ["--data.train=[a.jsonl, {path: b.jsonl, repeat: 3}]"])
    assert config.data.train == ["a.jsonl", TrainSource("b.jsonl", 3)]
    with pytest.raises(ConfigError, match=r"command line: --data\.train\[1\]\.repeat: must be >= 1"):
        load_config(None, ["--data.train=[a.jsonl, {path: b.jsonl, repeat: 0}]"])


def test_the_saved_config_reads_back_the_same(tmp_path):
    config = load_config(None, ["--data.train=[a.jsonl, {path: b.jsonl, repeat: 3}]"])
    saved = config.save(tmp_path / "run" / "config.yaml")
    assert yaml.safe_load(saved.read_text())["data"]["train"] == ["a.jsonl", {"path": "b.jsonl", "repeat": 3}]
    assert load_config(saved) == config


def test_repeat_is_refused_outside_data_train(tmp_path):
    path = write_config(tmp_path, "data:\n  validation: [{path: dev.jsonl, repeat: 2}]\n")
    with pytest.raises(ConfigError, match=r"data\.validation: expected a string, got dict"):
        load_config(path)


def test_missing_paths_of_mapping_entries_are_named_before_loading(tmp_path):
    config = load_config(None, [f"--data.train=[{SPLITS / 'train.jsonl'}, {{path: {tmp_path}/none.jsonl, repeat: 2}}]"])
    with pytest.raises(ConfigError, match=r"data\.train\[1\]: .*none\.jsonl: no such file or directory"):
        check_data_paths(config)


def test_repeated_documents_enter_the_training_set_n_times(tmp_path, gold_documents, caplog):
    """The same ids come back several times: no duplicate-id check stands between sources or their copies."""
    big, small = tmp_path / "big.jsonl", tmp_path / "small.jsonl"
    write_documents(gold_documents[:2], big)
    write_documents(gold_documents[2:3], small)
    config = load_config(None, {"data.train": [str(big), {"path": str(small), "repeat": 3}], "data.test": []})
    with caplog.at_level("INFO", logger="quotes.training_data"):
        train = read_splits(config)["train"]
    assert [d.id for d in train] == [d.id for d in gold_documents[:2]] + [gold_documents[2].id] * 3
    assert "data.train[1]: " in caplog.text and "1 documents x 3 = 3" in caplog.text
    plain = load_config(None, {"data.train": [str(big), str(small)], "data.test": []})
    assert [d.id for d in read_splits(plain)["train"]] == [d.id for d in gold_documents[:3]]


def test_a_tiny_training_counts_the_repeats_and_saves_a_config_that_reads_back(tmp_path):
    from quotes.training import train

    output = train(
        ROOT / "configs" / "tiny.yaml",
        [
            f"--training.output_dir={tmp_path / 'run'}",
            f"--data.train=[{SPLITS / 'train.jsonl'}, {{path: {SPLITS / 'train.jsonl'}, repeat: 2}}]",
            f"--data.test={SPLITS / 'test.jsonl'}",
            "--training.max_steps=2",
        ],
    )
    saved = load_config(output / "config.yaml")
    assert saved.data.train == [str(SPLITS / "train.jsonl"), TrainSource(str(SPLITS / "train.jsonl"), 2)]
    card = (output / "README.md").read_text()
    assert f"2x {SPLITS / 'train.jsonl'}" in card
    once = json.loads((output / "metrics.json").read_text())
    assert once["train"]["train_runtime"] > 0
    documents = sum(1 for _ in (SPLITS / "train.jsonl").open())
    assert f"{3 * documents} documents -> " in card  # the windows of 1 + 2 copies


def test_joint_config_is_valid_with_polnear_dir_set(monkeypatch, tmp_path):
    monkeypatch.setenv("POLNEAR_DIR", str(tmp_path / "polnear"))
    config = load_config(ROOT / "configs" / "joint.yaml")
    sources = train_sources(config.data.train)
    assert [s.repeat for s in sources] == [1, 4, 4]
    assert sources[0].path == f"{tmp_path}/polnear/train"
    assert config.data.attributions == config.predict.attributions == "communication"
    assert config.data.conventions == "guidelines"
