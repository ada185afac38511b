"""Training data from anywhere: files, a saved ``datasets`` folder, a cached Hub dataset, or memory."""

from __future__ import annotations

import shutil

import pytest

from quotes.config import ConfigError, load_config
from quotes.schema import DataValidationError, write_documents
from quotes.training_data import documents_from_dataset, in_memory_splits, parse_hub_ref, read_splits


def as_dataset(documents):
    import datasets

    return datasets.Dataset.from_list([d.to_dict() for d in documents])


def test_rows_round_trip_to_the_same_documents(gold_documents):
    """Arrow fills a field missing from some quotes with None; the documents come back exactly."""
    assert documents_from_dataset(as_dataset(gold_documents), "mine") == gold_documents


def test_missing_columns_are_named_with_the_ones_there():
    import datasets

    rows = datasets.Dataset.from_list([{"id": "a", "body": "text"}])
    with pytest.raises(ValueError, match=r"mine: missing column\(s\) text, quotes; the dataset has id, body"):
        documents_from_dataset(rows, "mine")


def test_bad_rows_are_named_by_dataset_and_row(gold_documents):
    rows = [d.to_dict() for d in gold_documents]
    rows[1]["quotes"][0]["cue"]["end"] += 1
    import datasets

    with pytest.raises(DataValidationError, match=r"mine.*2.*interrupted.*quotes\[0\]\.cue\.text"):
        documents_from_dataset(datasets.Dataset.from_list(rows), "mine")


def test_hub_references():
    assert parse_hub_ref("hub:org/news", "train") == ("org/news", "train")
    assert parse_hub_ref("hub:org/news:test[:10%]", "train") == ("org/news", "test[:10%]")
    with pytest.raises(ValueError, match="expected hub:org/name"):
        parse_hub_ref("hub:", "train")


def test_read_splits_from_a_saved_dataset_and_a_cached_hub_dataset(gold_documents, tmp_path, monkeypatch):
    import datasets
    import huggingface_hub.constants

    saved = tmp_path / "saved"
    datasets.DatasetDict({"train": as_dataset(gold_documents[:2])}).save_to_disk(str(saved))
    # a Hub dataset as `hf download --repo-type dataset org/quotes-news` leaves it in the Hub cache
    repo = tmp_path / "hub" / "datasets--org--quotes-news"
    snapshot = repo / "snapshots" / ("0" * 40)
    (snapshot / "data").mkdir(parents=True)
    write_documents(gold_documents[2:], snapshot / "data" / "test.jsonl")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("0" * 40)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "datasets-cache")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")

    config = load_config(None, [f"--data.train={saved}", "--data.test=hub:org/quotes-news"])
    splits = read_splits(config)
    assert splits == {"train": gold_documents[:2], "test": gold_documents[2:]}
    shutil.rmtree(repo)
    with pytest.raises(ConfigError, match=r"data\.test: hub:org/quotes-news: cannot load the Hub dataset"):
        read_splits(config)


def test_in_memory_data_names_its_splits(gold_documents):
    rows = as_dataset(gold_documents)
    assert in_memory_splits(rows) == {"train": rows}
    assert in_memory_splits(gold_documents) == {"train": gold_documents}
    with pytest.raises(ValueError, match=r"data: unknown split\(s\) dev; expected train, validation, test"):
        in_memory_splits({"train": rows, "dev": rows})
    with pytest.raises(TypeError, match="expected a datasets.Dataset, DatasetDict or dict of splits, got str"):
        in_memory_splits("train.jsonl")
    config = load_config(None, ["--data.test=[]"])
    assert read_splits(config, {"train": rows}) == {"train": gold_documents}
    assert read_splits(config, gold_documents) == {"train": gold_documents}
    with pytest.raises(ConfigError, match="data.train: no training documents in the data given for train"):
        read_splits(config, {"train": rows.select([])})
