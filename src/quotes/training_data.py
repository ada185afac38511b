"""The documents a run trains and scores on, wherever they come from: files, saved datasets, the Hub, memory.

Each entry of ``data.train`` / ``data.validation`` / ``data.test`` is one of:

- a file or folder that :func:`quotes.data.read_documents` reads (Citron JSON/JSONL, BRAT, and what it adds);
- a folder written by ``datasets``' ``save_to_disk`` (a ``Dataset``, or a ``DatasetDict`` whose split of the same
  name is used);
- ``hub:org/name`` or ``hub:org/name:split``: a Hub dataset loaded with ``datasets.load_dataset`` (the split
  defaults to the section's name; with ``HF_HUB_OFFLINE=1`` it comes from the local cache).

A ``data.train`` entry may also be a mapping ``{path: <one of the above>, repeat: N}``: that source's documents
enter the training set N times (:func:`read_train_sources`), to upsample a small source beside a large one.

``train(..., data=...)`` also takes a ``datasets.Dataset`` or a list of :class:`Document` (the training split), or a
``DatasetDict`` / dict of such splits. Rows need the columns ``id``, ``text`` and ``quotes`` (a list of Citron
quote objects); other columns are ignored. Every row passes the same validation as a JSON file, with the dataset
and row named in errors.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from quotes.config import Config, ConfigError, entry_path, train_sources
from quotes.data import read_documents
from quotes.errors import UserInputError
from quotes.schema import DataValidationError, Document, document_from_dict

SPLITS = ("train", "validation", "test")
HUB_PREFIX = "hub:"
_HUB_REF = re.compile(r"^hub:([A-Za-z0-9][\w.-]*(?:/[\w.-]+)?)(?::([\w.\[\]%:+-]+))?$")
COLUMNS = ("id", "text", "quotes")

logger = logging.getLogger(__name__)


def parse_hub_ref(entry: str, default_split: str) -> tuple[str, str]:
    """``hub:org/name[:split]`` -> ``(org/name, split)``; ValueError for anything else starting with ``hub:``."""
    match = _HUB_REF.match(entry)
    if not match:
        raise UserInputError(f"{entry}: expected hub:org/name or hub:org/name:split")
    return match.group(1), match.group(2) or default_split


def is_saved_dataset(path: Path) -> bool:
    """A folder written by ``Dataset.save_to_disk`` or ``DatasetDict.save_to_disk``."""
    return path.is_dir() and ((path / "state.json").is_file() or (path / "dataset_dict.json").is_file())


def documents_from_dataset(dataset: Any, source: str) -> list[Document]:
    """The documents of a ``datasets.Dataset`` with columns ``id``, ``text``, ``quotes`` (Citron quote objects).

    Raises:
        ValueError: a missing column, naming the columns the dataset has.
        DataValidationError: every invalid row, named ``source`` and row number.
    """
    missing = [c for c in COLUMNS if c not in dataset.column_names]
    if missing:
        raise UserInputError(
            f"{source}: missing column(s) {', '.join(missing)}; the dataset has {', '.join(dataset.column_names)} "
            "(rows need id, text and quotes in the Citron JSON form)"
        )
    documents, issues = [], []
    for number, row in enumerate(dataset.select_columns(list(COLUMNS)), start=1):
        try:
            documents.append(document_from_dict(_from_arrow(row), file=source, line=number))
        except DataValidationError as error:
            issues.extend(error.issues)
    if issues:
        raise DataValidationError(issues)
    return documents


def _from_arrow(row: dict[str, Any]) -> dict[str, Any]:
    """Undo Arrow's filling: a field missing from some quotes comes back as None (lists) in every row."""
    quotes = []
    for quote in row.get("quotes") or []:
        if isinstance(quote, dict):
            quote = {k: v for k, v in quote.items() if v is not None or k == "cue"}
        quotes.append(quote)
    return {**row, "quotes": quotes}


def _pick_split(loaded: Any, split: str, source: str) -> Any:
    if hasattr(loaded, "column_names") and not isinstance(loaded.column_names, dict):
        return loaded  # a single Dataset
    if split not in loaded:
        raise UserInputError(f"{source}: no split {split!r}; the dataset has {', '.join(loaded)}")
    return loaded[split]


def read_entry(entry: str, section: str, attributions: str, conventions: str = "source") -> list[Document]:
    """The documents of one ``data.<section>`` entry (a path, a saved dataset folder or ``hub:org/name[:split]``)."""
    import datasets

    if entry.startswith(HUB_PREFIX):
        name, split = parse_hub_ref(entry, section)
        return documents_from_dataset(_load_hub_dataset(name, split, f"data.{section}: {entry}"), entry)
    path = Path(entry)
    if is_saved_dataset(path):
        return documents_from_dataset(_pick_split(datasets.load_from_disk(str(path)), section, entry), entry)
    return read_documents(path, attributions=attributions, conventions=conventions)  # type: ignore[arg-type]


def _load_hub_dataset(name: str, split: str, where: str) -> Any:
    """``datasets.load_dataset(name)``; offline, from the Hub cache's snapshot when the datasets cache lacks it.

    With ``HF_HUB_OFFLINE=1`` ``load_dataset`` finds only datasets it has prepared itself; a dataset fetched with
    ``hf download --repo-type dataset`` (or any earlier Hub download) sits in the Hub cache and loads from there.
    """
    import datasets
    from huggingface_hub import snapshot_download

    try:
        return datasets.load_dataset(name, split=split)
    except Exception as error:  # datasets raises many types (connection, missing files, bad split)
        first = error
    try:
        folder = snapshot_download(name, repo_type="dataset", local_files_only=True)
    except Exception:  # not in the Hub cache either: report load_dataset's reason
        raise ConfigError([f"{where}: cannot load the Hub dataset: {first}"]) from None
    try:
        return datasets.load_dataset(folder, split=split)
    except Exception as error:
        raise ConfigError([f"{where}: cannot load the cached Hub dataset ({folder}): {error}"]) from None


def in_memory_splits(data: Any) -> dict[str, Any]:
    """``data`` given to ``train``: a Dataset is the training split; a DatasetDict or dict names its splits."""
    if data is None:
        return {}
    if isinstance(data, list) or (hasattr(data, "column_names") and not isinstance(data.column_names, dict)):
        return {"train": data}
    if not hasattr(data, "keys"):
        raise TypeError(f"data: expected a datasets.Dataset, DatasetDict or dict of splits, got {type(data).__name__}")
    unknown = [name for name in data.keys() if name not in SPLITS]
    if unknown:
        raise UserInputError(f"data: unknown split(s) {', '.join(map(str, unknown))}; expected {', '.join(SPLITS)}")
    return dict(data)


def read_train_sources(config: Config) -> list[Document]:
    """The training documents of every ``data.train`` entry, each source's documents ``repeat`` times over.

    A source is read once; its copies are the same documents (same ids), one after another, so the enlarged set
    is what the Trainer shuffles and what an epoch counts. Each source's count is logged.
    """
    documents: list[Document] = []
    for index, source in enumerate(train_sources(config.data.train)):
        found = read_entry(source.path, "train", config.data.attributions, config.data.conventions)
        if source.repeat > 1:
            logger.info(
                "data.train[%d]: %s: %d documents x %d = %d",
                index,
                source.path,
                len(found),
                source.repeat,
                len(found) * source.repeat,
            )
        documents.extend(found * source.repeat)
    return documents


def read_splits(config: Config, data: Any = None) -> dict[str, list[Document]]:
    """Documents per split: from ``data`` where it names the split, else from the config's entries.

    Raises:
        ConfigError: an empty training set (naming ``data.train``).
    """
    given = in_memory_splits(data)
    splits: dict[str, list[Document]] = {}
    for section in SPLITS:
        if section in given:
            split = given[section]
            splits[section] = (
                list(split) if isinstance(split, list) else documents_from_dataset(split, f"data[{section!r}]")
            )
            continue
        entries = getattr(config.data, section)
        if section == "train":
            splits[section] = read_train_sources(config)
        elif entries:
            data = config.data
            splits[section] = [
                doc for e in entries for doc in read_entry(e, section, data.attributions, data.conventions)
            ]
    if not splits.get("train"):
        paths = ", ".join(entry_path(entry) for entry in config.data.train)
        where = "the data given for train" if "train" in given else paths or "no entries"
        raise ConfigError([f"data.train: no training documents in {where}: the training set is empty"])
    return splits
