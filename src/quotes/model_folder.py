"""A model folder: where it is (a local folder or a Hub id in the local Hub cache), what it must hold, and the
device and dtype it runs with.

Everything here runs once, when a model loads (:meth:`quotes.inference.QuoteExtractor.from_pretrained`): a broken
folder fails with an error naming the file, an unknown or absent device with the list of devices this machine has,
so that ``predict`` never checks anything again.
"""

from __future__ import annotations

import json
import logging
import math
import re
from pathlib import Path
from typing import Any

from quotes import __version__
from quotes.boundaries import BOUNDARIES
from quotes.errors import UserInputError
from quotes.labels import DEFAULT_MAX_LENGTH, DEFAULT_STRIDE, LABELS, stride_problem

logger = logging.getLogger(__name__)

QUOTES_FILE = "quotes.json"
"""Our metadata beside the weights: labels, window size and overlap, ``predict`` defaults, package version."""
DTYPES = ("auto", "fp32", "bf16", "fp16")
DECODINGS = ("viterbi", "argmax")
ATTRIBUTIONS = ("all", "communication")
TOKENIZER_FILES = ("tokenizer.json", "vocab.txt", "vocab.json", "spiece.model", "sentencepiece.bpe.model")
"""One of these must sit beside the weights: without them transformers builds a 5-token vocabulary silently."""
_HUB_DOWNLOAD = ["*.json", "*.safetensors", "*.txt", "*.model", "*.md", "*.yaml"]
_HUB_SKIP = ["checkpoint-*", "runs/*"]
_REPO_ID = re.compile(r"[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?")


def resolve_model_dir(
    name_or_path: str | Path,
    *,
    revision: str | None = None,
    cache_dir: str | Path | None = None,
    token: str | bool | None = None,
    local_files_only: bool = False,
) -> Path:
    """The local folder of a model: ``name_or_path`` itself when it exists, else the Hub snapshot of that id.

    A string that cannot be a Hub id (``./runs/x``, ``/abs/path``, ``a/b/c``) is a missing folder, never sent to
    the Hub.
    """
    if not isinstance(name_or_path, (str, Path)):
        raise TypeError(f"name_or_path must be a folder or a Hub id (str), got {type(name_or_path).__name__}")
    if not str(name_or_path).strip():
        raise FileNotFoundError("the model is an empty path; give a model folder or a Hub id")
    path = Path(name_or_path).expanduser()
    if path.exists():
        if not path.is_dir():
            raise FileNotFoundError(f"{path}: is a file, not a model folder; give the folder that holds config.json")
        if revision is not None:
            raise UserInputError(f"revision={revision!r} applies to Hub ids, but {path} is a local folder")
        return path
    name = str(name_or_path)
    if isinstance(name_or_path, Path) or not _REPO_ID.fullmatch(name) or ".." in name or name.endswith(".git"):
        raise FileNotFoundError(f"{name}: no such model folder; train one with `quotes train`, or give a Hub id")
    from huggingface_hub import constants, snapshot_download
    from huggingface_hub.errors import GatedRepoError, HfHubHTTPError, RepositoryNotFoundError, RevisionNotFoundError

    at = f" at revision {revision!r}" if revision else ""
    try:
        folder = snapshot_download(
            name,
            revision=revision,
            cache_dir=cache_dir,
            token=token,
            local_files_only=local_files_only,
            allow_patterns=_HUB_DOWNLOAD,
            ignore_patterns=_HUB_SKIP,
        )
    except RevisionNotFoundError:
        raise FileNotFoundError(f"{name}: the Hub model has no revision {revision!r}") from None
    except (RepositoryNotFoundError, GatedRepoError):
        raise FileNotFoundError(
            f"{name}: no such model folder, and no Hub model {name!r} this account can read "
            "(a private or gated model needs `hf auth login` or token=)"
        ) from None
    except (HfHubHTTPError, OSError, ValueError) as error:
        if local_files_only or constants.is_offline_mode():
            switch = "local_files_only=True" if local_files_only else "HF_HUB_OFFLINE=1"
            reason = f"not in the local Hub cache ({cache_dir or constants.HF_HUB_CACHE}){at}, and {switch} keeps "
            reason += "the Hub from being asked"
        else:
            reason = f"it could not be fetched{at} ({type(error).__name__}: {str(error).splitlines()[0]})"
        raise FileNotFoundError(f"{name}: no such model folder, and as a Hub id: {reason}") from None
    return Path(folder)


def check_model_dir(directory: Path) -> dict[str, Any]:
    """Check a model folder once, before loading it, and return its validated ``quotes.json`` (``{}`` if absent).

    Each problem names its file: no ``config.json``, labels that are not ours, no tokenizer files, missing or
    truncated safetensors weights, a malformed ``quotes.json``. A missing ``quotes.json`` is allowed (any token
    classifier with our labels loads) with a warning naming the defaults used in its place.
    """
    config_file = directory / "config.json"
    if not config_file.is_file():
        raise FileNotFoundError(
            f"{directory}: not a model directory (no config.json); train one with `quotes train`, "
            "or save one with QuoteExtractor.save_pretrained"
        )
    config = _read_json_object(config_file)
    _check_labels(config_file, config)
    _check_weights(directory)
    if not any((directory / name).is_file() for name in TOKENIZER_FILES):
        raise FileNotFoundError(
            f"{directory}: no tokenizer files (one of {', '.join(TOKENIZER_FILES)}); save the tokenizer beside the "
            "weights (tokenizer.save_pretrained), or use QuoteExtractor.save_pretrained"
        )
    meta_file = directory / QUOTES_FILE
    if not meta_file.is_file():
        logger.warning(
            "%s: no %s (written by `quotes train`); using the defaults max_length=%d, stride=%d, decoding='viterbi', "
            "attributions='all', min_score=None, boundaries='model'; if the model was trained on other windows, "
            "write them there",
            directory,
            QUOTES_FILE,
            DEFAULT_MAX_LENGTH,
            DEFAULT_STRIDE,
        )
        return {}
    return _check_meta(meta_file, _read_json_object(meta_file))


def resolve_device(device: Any = None) -> Any:
    """A ``torch.device`` that exists here: ``device`` checked, or CUDA, else MPS, else CPU.

    Raises:
        ValueError: ``device`` is not a device name, or names one this machine lacks; the message lists those
            it has.
    """
    import torch

    if device is None:
        if torch.cuda.is_available():
            return torch.device("cuda")
        return torch.device("mps") if _mps_available() else torch.device("cpu")
    if not isinstance(device, (str, torch.device)):
        raise TypeError(f"device must be a str such as 'cpu' or 'cuda:0', got {type(device).__name__}")
    here = f"devices here: {', '.join(available_devices())}"
    try:
        resolved = torch.device(device)
    except (RuntimeError, ValueError):
        raise UserInputError(f"device {str(device)!r} is not a device name; {here}") from None
    if resolved.type == "cuda":
        if not torch.cuda.is_available():
            raise UserInputError(f"device {str(device)!r}: CUDA is not available here; {here}")
        if resolved.index is not None and resolved.index >= torch.cuda.device_count():
            raise UserInputError(f"device {str(device)!r}: no such GPU; {here}")
    elif resolved.type == "mps":
        if not _mps_available():
            raise UserInputError(f"device {str(device)!r}: Apple MPS is not available here; {here}")
    elif resolved.type != "cpu":
        raise UserInputError(f"device {str(device)!r}: quotes runs on cpu, cuda or mps; {here}")
    return resolved


def available_devices() -> list[str]:
    """The device names this machine offers: ``cpu``, each ``cuda:N``, ``mps``."""
    import torch

    devices = ["cpu"]
    if torch.cuda.is_available():
        devices += ["cuda", *(f"cuda:{i}" for i in range(torch.cuda.device_count()))]
    if _mps_available():
        devices.append("mps")
    return devices


def _mps_available() -> bool:
    import torch

    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def _read_json_object(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise UserInputError(f"{path}: not UTF-8 text; copy or download the model folder again") from None
    except json.JSONDecodeError as error:
        raise UserInputError(
            f"{path}: not valid JSON ({error.msg} at line {error.lineno}, column {error.colno}); "
            "copy or download the model folder again"
        ) from None
    if not isinstance(data, dict):
        raise UserInputError(f"{path}: expected a JSON object, got {type(data).__name__}")
    return data


def _check_labels(config_file: Path, config: dict[str, Any]) -> None:
    id2label = config.get("id2label")
    labels = None
    if isinstance(id2label, dict):
        try:
            labels = [id2label[str(i)] for i in range(len(id2label))]
        except KeyError:
            labels = None
    if labels != list(LABELS):
        found = list(id2label.values()) if isinstance(id2label, dict) else id2label
        raise UserInputError(
            f"{config_file}: id2label {found} are not quotes' labels {list(LABELS)}; this is no quotes model "
            "(train one with `quotes train`)"
        )


def _check_weights(directory: Path) -> None:
    """Safetensors weights, complete: a truncated copy fails here with its name instead of deep inside torch."""
    single, index = directory / "model.safetensors", directory / "model.safetensors.index.json"
    if single.is_file():
        _check_safetensors(single)
        return
    if index.is_file():
        weight_map = _read_json_object(index).get("weight_map")
        if not isinstance(weight_map, dict) or not weight_map:
            raise UserInputError(f"{index}: no weight_map; copy or download the model folder again")
        for shard in sorted(set(weight_map.values())):
            if not (directory / shard).is_file():
                raise FileNotFoundError(f"{directory / shard}: missing (listed in {index.name})")
            _check_safetensors(directory / shard)
        return
    unsafe = [p.name for p in directory.glob("*.bin")] + [p.name for p in directory.glob("*.pt")]
    hint = f" ({', '.join(unsafe)} is a pickle, which quotes never loads: save it as safetensors)" if unsafe else ""
    raise FileNotFoundError(f"{directory}: no model.safetensors{hint}")


def _check_safetensors(path: Path) -> None:
    size = path.stat().st_size
    problem = None
    with path.open("rb") as file:
        head = file.read(8)
        header_size = int.from_bytes(head, "little") if len(head) == 8 else -1
        if header_size < 2 or 8 + header_size > size:
            problem = f"its header is cut or corrupt ({size} bytes in all)"
        else:
            try:
                header = json.loads(file.read(header_size))
                end = max(
                    (int(t["data_offsets"][1]) for k, t in header.items() if k != "__metadata__"),
                    default=0,
                )
            except (ValueError, TypeError, KeyError, IndexError, AttributeError):
                problem = "its header is corrupt"
            else:
                if 8 + header_size + end != size:
                    problem = f"it has {size} bytes where its header announces {8 + header_size + end}"
    if problem:
        raise UserInputError(f"{path}: truncated or corrupt safetensors weights: {problem}; copy or download it again")


def _check_meta(path: Path, meta: dict[str, Any]) -> dict[str, Any]:
    """``quotes.json`` with every problem reported at once, each with its key."""
    errors = []
    max_length, stride = meta.get("max_length", DEFAULT_MAX_LENGTH), meta.get("stride", DEFAULT_STRIDE)
    if not is_int(max_length) or max_length < 3:
        errors.append(f"max_length: expected an int >= 3 (tokens), got {max_length!r}")
    elif not is_int(stride):
        errors.append(f"stride: expected an int (tokens), got {stride!r}")
    elif problem := stride_problem(max_length, stride):
        errors.append(f"stride: {problem}")
    if "labels" in meta and meta["labels"] != list(LABELS):
        errors.append(f"labels: expected {list(LABELS)}, got {meta['labels']!r}")
    if not isinstance(meta.get("word_shape", False), bool):
        errors.append(f"word_shape: expected true or false, got {meta['word_shape']!r}")
    saved = meta.get("predict", {})
    if not isinstance(saved, dict):
        errors.append(f"predict: expected an object, got {saved!r}")
        saved = {}
    for key, _, problem in settings_problems(
        decoding=saved.get("decoding"),
        attributions=saved.get("attributions"),
        communication_only=saved.get("communication_only"),  # the name before 0.2; still read
        min_score=saved.get("min_score"),
        boundaries=saved.get("boundaries"),
    ):
        errors.append(f"predict.{key}: {problem}")
    unknown = sorted(set(saved) - {"decoding", "attributions", "communication_only", "min_score", "boundaries"})
    if unknown:
        logger.warning("%s: predict keys %s are unknown to quotes %s and ignored", path, unknown, __version__)
    if errors:
        raise UserInputError(f"{path}: malformed model metadata:\n" + "\n".join(f"  {e}" for e in errors))
    return meta


def load_model_and_tokenizer(directory: Path) -> tuple[Any, Any]:
    from safetensors import SafetensorError
    from transformers import AutoModelForTokenClassification

    from quotes.modeling import load_tokenizer

    try:
        model = AutoModelForTokenClassification.from_pretrained(directory, local_files_only=True, use_safetensors=True)
    except (OSError, ValueError, RuntimeError, KeyError, SafetensorError) as error:
        raise UserInputError(f"{directory}: the model does not load: {type(error).__name__}: {error}") from None
    try:
        tokenizer = load_tokenizer(str(directory))
    except (OSError, ValueError, RuntimeError, KeyError) as error:
        raise UserInputError(f"{directory}: the tokenizer does not load: {type(error).__name__}: {error}") from None
    vocabulary, embeddings = len(tokenizer), model.get_input_embeddings().num_embeddings
    if vocabulary > embeddings:  # token ids past the embedding table: an IndexError deep in the forward pass
        raise UserInputError(
            f"{directory}: the tokenizer ({vocabulary} tokens) does not fit the model ({embeddings} embeddings); "
            "save the tokenizer the model was trained with beside it"
        )
    if vocabulary <= len(set(tokenizer.all_special_tokens)):
        # a warning, not an error: tiny test models are built this way (conftest's, under transformers 5)
        logger.warning(
            "%s: the tokenizer knows only its %d special tokens, so every word becomes [UNK] and predictions mean "
            "nothing; save the tokenizer the model was trained with beside it",
            directory,
            vocabulary,
        )
    return model, tokenizer


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def saved_attributions(saved: dict[str, Any]) -> str:
    """The ``predict.attributions`` a model was saved with; older models saved ``communication_only: true``."""
    if "attributions" in saved:
        return saved["attributions"]
    return "communication" if saved.get("communication_only") else "all"


def settings_problems(
    *,
    dtype: Any = None,
    decoding: Any = None,
    attributions: Any = None,
    communication_only: Any = None,
    min_score: Any = None,
    boundaries: Any = None,
) -> list[tuple[str, type[Exception], str]]:
    """(argument, exception class, problem) for each invalid setting; ``None`` means "not given" and passes."""
    problems: list[tuple[str, type[Exception], str]] = []
    if dtype is not None and dtype not in DTYPES:
        problems.append(("dtype", ValueError, f"expected one of {', '.join(map(repr, DTYPES))}, got {dtype!r}"))
    if decoding is not None and decoding not in DECODINGS:
        problems.append(("decoding", ValueError, f"expected 'viterbi' or 'argmax', got {decoding!r}"))
    if attributions is not None and attributions not in ATTRIBUTIONS:
        problems.append(("attributions", ValueError, f"expected 'all' or 'communication', got {attributions!r}"))
    if communication_only is not None and not isinstance(communication_only, bool):
        problems.append(("communication_only", TypeError, f"expected True or False, got {communication_only!r}"))
    if min_score is not None:
        if isinstance(min_score, bool) or not isinstance(min_score, (int, float)):
            problems.append(("min_score", TypeError, f"expected a number or None, got {type(min_score).__name__}"))
        elif math.isnan(min_score) or not 0 <= min_score <= 1:
            problems.append(("min_score", ValueError, f"expected a number in [0, 1] (a probability), got {min_score}"))
    if boundaries is not None and boundaries not in BOUNDARIES:
        problems.append(("boundaries", ValueError, f"expected 'model' or 'guidelines', got {boundaries!r}"))
    return problems


def check_settings(**settings: Any) -> None:
    for name, error, problem in settings_problems(**settings):
        raise error(f"{name}: {problem}")


def autocast_dtype(device: Any, dtype: str) -> Any:
    """The autocast dtype for ``dtype`` on ``device``; ``None`` means plain fp32."""
    import torch

    if dtype == "fp32":
        return None
    if dtype in ("bf16", "fp16"):
        return torch.bfloat16 if dtype == "bf16" else torch.float16
    if dtype != "auto":
        raise UserInputError(f"dtype must be 'auto', 'fp32', 'bf16' or 'fp16', got {dtype!r}")
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    # bf16 autocast about doubles CPU throughput where the CPU has bf16 units, with no argmax changed (measured on
    # the project's avx512_bf16 CPU: `python scripts/bench_predict.py --dtype fp32` against the default);
    # MPS stays fp32 until it is measured there
    return torch.bfloat16 if device.type == "cpu" and _cpu_has_bf16() else None


def _cpu_has_bf16() -> bool:
    try:
        return "avx512_bf16" in Path("/proc/cpuinfo").read_text() or "amx_bf16" in Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
