"""Bulk prediction: tag an archive of any size in bounded memory, resume after a crash, split the work over processes.

Documents stream in from JSONL files, folders or stdin and are predicted in *chunks* of ``chunk_size`` documents
(the extractor sorts a chunk's windows by length into batches). A chunk's results are written as soon as it is
done, in input order, one whole line per document.

Chunks are cut by input position (chunk ``k`` holds documents ``k*chunk_size`` to ``(k+1)*chunk_size - 1``) and
always predicted whole, because a document's scores depend in their last bits on the documents that share its
batches (padding width; bf16 autocast on CPU even changed the spans of 2 of 60 paragraphs, measured on the tiny
model). Fixing the chunks makes every way of running give the same bytes: one process, ``--resume`` after a kill
(the chunk in flight is predicted again whole), ``torchrun`` ranks (chunk ``k`` goes to rank ``k % world_size``)
and Ray workers (one row per chunk).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Any

from quotes.errors import UserInputError
from quotes.schema import QuoteRecord

logger = logging.getLogger(__name__)

DEFAULT_CHUNK_SIZE = 64  # documents predicted together: big enough to fill length-sorted batches, small to lose
INPUT_SUFFIXES = (".txt", ".json", ".jsonl")  # what a folder contributes; any other named file is read as text
STDIN = "<stdin>"


class InputError(UserInputError):
    """Input that bulk prediction cannot use (unreadable, not UTF-8, invalid JSON, duplicate id, no documents)."""


@dataclass(frozen=True)
class InputDocument:
    """A document to tag; ``where`` names its place for messages (``news.jsonl:12``, ``<stdin>:3``, ``a/b.txt``)."""

    id: str
    text: str
    where: str


@dataclass(frozen=True)
class Prediction:
    """The quote records found in one document."""

    id: str
    text: str
    records: tuple[QuoteRecord, ...]

    def to_dict(self, include_scores: bool = True) -> dict[str, Any]:
        """The document in Citron JSON with its predicted quotes (``quotes predict --format jsonl`` writes these)."""
        return {"id": self.id, "text": self.text, "quotes": [r.to_dict(include_scores) for r in self.records]}

    def to_json_line(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------------------


def input_files(paths: Sequence[str | Path], exclude: Path | None = None) -> list[tuple[Path, str]]:
    """The files named by ``paths`` with the id a ``.txt`` file gets (folders searched recursively, sorted).

    A ``.txt`` file named on the command line is known by its stem; inside a folder by its path relative to the
    folder without the suffix (``2019/03/kursk``), so equal names in different subfolders stay apart. Hidden files
    and folders, and ``exclude`` (the output file, which may sit in an input folder), are left out.

    Raises:
        InputError: a path does not exist, is the output, or a folder holds no ``.txt``, ``.json`` or ``.jsonl``.
    """
    skip = exclude.resolve() if exclude is not None else None
    files: list[tuple[Path, str]] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.suffix in INPUT_SUFFIXES
                and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and p.resolve() != skip
            )
            if not found:
                raise InputError(f"{path}: no .txt, .json or .jsonl files in this folder (searched recursively)")
            files += [(p, p.relative_to(path).with_suffix("").as_posix()) for p in found]
        elif path.is_file() and path.resolve() == skip:
            raise InputError(f"{path}: is also the output (-o); write the output to another file")
        elif path.is_file():
            files.append((path, path.stem))
        elif path.exists():
            raise InputError(f"{path}: not a regular file or folder")
        else:
            raise InputError(f"{path}: no such file or directory")
    return files


def iter_documents(
    paths: Sequence[str | Path],
    *,
    stdin: IO[Any] | None = None,
    stdin_format: str = "text",
    exclude: Path | None = None,
) -> Iterator[InputDocument]:
    """Documents from files and folders, or from ``stdin`` when ``paths`` is empty; one at a time.

    ``.txt`` files are one document each, decoded from their bytes with no newline translation, so offsets index
    the file exactly; ``.jsonl`` holds one ``{"id", "text", ...}`` object per ``\\n``-separated line; ``.json`` one
    object (or a list). Stdin is one text (``stdin_format="text"``, id ``stdin``) or JSONL.

    Raises:
        InputError: naming the file (or ``<stdin>``), line and byte offset: invalid UTF-8, invalid JSON, a missing
            ``id``/``text``, a lone surrogate, or an id seen before (naming both places).
    """
    if stdin_format not in ("text", "jsonl"):
        raise ValueError(f"stdin_format must be 'text' or 'jsonl', got {stdin_format!r}")
    seen: dict[str, str] = {}
    for document in _raw_documents(paths, stdin, stdin_format, exclude):
        first = seen.get(document.id)
        if first is not None:
            raise InputError(
                f"duplicate document id {document.id!r} in {document.where} (first in {first}); "
                "ids must be unique across inputs (--resume finds finished documents by id)"
            )
        seen[document.id] = document.where
        yield document


def _raw_documents(
    paths: Sequence[str | Path], stdin: IO[Any] | None, stdin_format: str, exclude: Path | None
) -> Iterator[InputDocument]:
    if not paths:
        stream = stdin if stdin is not None else sys.stdin
        binary = getattr(stream, "buffer", stream)  # a StringIO stand-in (tests) has no bytes underneath
        if stdin_format == "jsonl":
            yield from _jsonl(binary, STDIN)
        else:
            yield InputDocument("stdin", _decode(binary.read(), STDIN), STDIN)
        return
    for path, txt_id in input_files(paths, exclude):
        if path.suffix == ".jsonl":
            with path.open("rb") as handle:
                yield from _jsonl(handle, str(path))
        elif path.suffix == ".json":
            text = _decode(_read_bytes(path), str(path))
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as error:
                raise InputError(f"{path}: invalid JSON: {error.msg} at line {error.lineno}") from None
            except RecursionError:
                raise InputError(f"{path}: JSON nested too deeply") from None
            except ValueError as error:  # e.g. an integer of more than 4,300 digits
                raise InputError(f"{path}: unreadable JSON value: {error}") from None
            for index, item in enumerate(obj if isinstance(obj, list) else [obj]):
                yield _document(item, str(path) if not isinstance(obj, list) else f"{path}[{index}]")
        else:
            yield InputDocument(txt_id, _decode(_read_bytes(path), str(path)), str(path))


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None


def _decode(data: bytes | str, name: str, offset: int = 0, line: int | None = None) -> str:
    """UTF-8 text exactly as given (a ``str`` from a text-mode stand-in passes through)."""
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        where = f"{name}: line {line}" if line is not None else name
        bad = data[error.start : error.start + 1].hex()
        raise InputError(
            f"{where}: not UTF-8 text (byte 0x{bad} at byte offset {offset + error.start}); "
            "re-encode it as UTF-8, e.g. `iconv -f latin1 -t utf-8`"
        ) from None


def _jsonl(stream: IO[Any], name: str) -> Iterator[InputDocument]:
    """Lines split at ``\\n`` only: U+2028, U+2029 and U+0085 inside a JSON string are text, not line ends."""
    offset = 0
    for number, raw in enumerate(stream, start=1):
        line = _decode(raw, name, offset, number)
        offset += len(raw)
        if line.strip():
            yield _document(_parse_json_line(line, f"{name}:{number}"), f"{name}:{number}")


def _parse_json_line(line: str, where: str) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError as error:
        raise InputError(f"{where}: invalid JSON: {error.msg} at column {error.colno}") from None
    except RecursionError:
        raise InputError(f"{where}: JSON nested too deeply") from None
    except ValueError as error:  # e.g. an integer of more than 4,300 digits
        raise InputError(f"{where}: unreadable JSON value: {error}") from None


def _document(obj: Any, where: str) -> InputDocument:
    if not isinstance(obj, dict):
        raise InputError(f'{where}: expected a JSON object with "id" and "text", got {type(obj).__name__}')
    doc_id, text = obj.get("id"), obj.get("text")
    if not isinstance(doc_id, str) or not doc_id.strip():
        raise InputError(f'{where}: "id" must be a non-empty string, got {doc_id!r}')
    if not isinstance(text, str):
        raise InputError(f'{where}: document {doc_id!r}: "text" must be a string, got {type(text).__name__}')
    for field, value in (("id", doc_id), ("text", text)):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:  # "\ud800" decodes from JSON but is no text a tokenizer can take
            raise InputError(
                f'{where}: document {doc_id!r}: "{field}" holds a lone surrogate '
                f"{value[error.start]!r} at character {error.start}; fix the escape in the file"
            ) from None
    return InputDocument(doc_id, text, where)


def as_input_documents(items: Iterable[Any]) -> Iterator[InputDocument]:
    """``str`` (id = its position), ``(id, text)`` pairs, or objects with ``.id`` and ``.text`` (a ``Document``)."""
    for index, item in enumerate(items):
        if isinstance(item, str):
            yield InputDocument(str(index), item, f"item {index}")
        elif isinstance(item, tuple) and len(item) == 2 and all(isinstance(x, str) for x in item):
            yield InputDocument(item[0], item[1], f"item {index}")
        elif isinstance(getattr(item, "id", None), str) and isinstance(getattr(item, "text", None), str):
            yield InputDocument(item.id, item.text, f"item {index}")
        else:
            raise TypeError(
                "predict_stream() takes str, (id, text) pairs or objects with .id and .text; "
                f"item {index} is {type(item).__name__}"
            )


# --------------------------------------------------------------------------------------------------------------
# Predicting
# --------------------------------------------------------------------------------------------------------------


def chunks(documents: Iterable[InputDocument], chunk_size: int) -> Iterator[list[InputDocument]]:
    """Consecutive lists of ``chunk_size`` documents (the last may be shorter)."""
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
    iterator = iter(documents)
    while chunk := list(islice(iterator, chunk_size)):
        yield chunk


def predict_chunk(predictor: Any, texts: list[str], batch_size: int, min_score: float | None) -> list[list[Any]]:
    """``predictor.predict(texts)`` (a model or the rules), keeping records scored ``min_score`` or more."""
    return predictor.predict(texts, batch_size=batch_size, min_score=min_score)


def predict_documents(
    predictor: Any,
    documents: Iterable[InputDocument],
    *,
    batch_size: int = 16,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    min_score: float | None = None,
    rank: int = 0,
    world_size: int = 1,
    done: Callable[[str], bool] = lambda doc_id: False,
) -> Iterator[Prediction]:
    """Predictions of this rank's documents in input order, yielded as each chunk is done.

    Chunk ``k`` belongs to rank ``k % world_size``. A chunk whose documents are all ``done`` is skipped; one that
    is partly done is predicted whole (so its results do not change) and only its other documents are yielded.
    """
    for number, chunk in enumerate(chunks(documents, chunk_size)):
        if number % world_size != rank:
            continue
        todo = [not done(d.id) for d in chunk]
        if not any(todo):
            continue
        results = predict_chunk(predictor, [d.text for d in chunk], batch_size, min_score)
        for document, records, wanted in zip(chunk, results, todo):
            if wanted:
                yield Prediction(document.id, document.text, tuple(records))


def predict_stream(
    predictor: Any,
    documents: Iterable[Any],
    *,
    batch_size: int = 16,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    min_score: float | None = None,
) -> Iterator[Prediction]:
    """:meth:`QuoteExtractor.predict_stream`: one :class:`Prediction` per input, in order, as chunks finish."""
    return predict_documents(
        predictor, as_input_documents(documents), batch_size=batch_size, chunk_size=chunk_size, min_score=min_score
    )


def load_predictor(model: str | Path, device: str | None = None, boundaries: str | None = None) -> Any:
    """A :class:`QuoteExtractor` from a model directory, or the rule baseline for ``"rules"``.

    ``boundaries`` overrides the model's saved ``predict.boundaries`` (``"model"`` or ``"guidelines"``); the rule
    baseline has no content edges of a model to move, so it refuses one.
    """
    if str(model) == "rules":
        if boundaries is not None:
            raise ValueError("boundaries: the rule baseline has no model content edges to move; give a model")
        from quotes.baseline import RuleBasedExtractor

        return RuleBasedExtractor()
    from quotes.inference import QuoteExtractor
    from quotes.modeling import quiet_transformers

    quiet_transformers()
    if device is None and "LOCAL_RANK" in os.environ:  # under torchrun, one GPU per process where there are GPUs
        import torch

        if torch.cuda.is_available():
            device = f"cuda:{int(os.environ['LOCAL_RANK']) % torch.cuda.device_count()}"
    return QuoteExtractor.from_pretrained(model, device=device, boundaries=boundaries)


# --------------------------------------------------------------------------------------------------------------
# Writing, resuming, merging
# --------------------------------------------------------------------------------------------------------------


def check_output_path(path: Path) -> None:
    """Fail before any work if ``path`` cannot become a file we write: a folder, under a file, not writable.

    Creates missing parent folders (as writing would) and probes them with a temporary file.
    """
    if path.is_dir():
        raise InputError(f"{path}: is a directory; give a file name for the output, e.g. {path / 'quotes.jsonl'}")
    parent = path.parent
    for ancestor in [parent, *parent.parents]:
        if ancestor.exists():
            if not ancestor.is_dir():
                raise InputError(f"{path}: cannot write here: {ancestor} is a file, not a folder")
            break
    try:
        parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("ab"):  # opened for appending, nothing written: the content stays as it is
                pass
        else:
            import tempfile

            with tempfile.TemporaryFile(dir=parent):
                pass
    except OSError as error:
        raise InputError(f"{path}: cannot write here ({error.strerror}); choose another output path") from None


def finished_ids(path: Path) -> set[str]:
    """The ids of the documents already in a JSONL output, after cutting away a trailing half-written line.

    Raises:
        InputError: a complete line is not a prediction (then the file is not ours to append to).
    """
    if not path.exists():
        return set()
    ids: set[str] = set()
    end = 0  # byte offset after the last complete line
    with path.open("rb+") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.endswith(b"\n"):
                break
            end += len(raw)
            try:
                doc_id = json.loads(raw.decode("utf-8"))["id"]
            except (ValueError, KeyError, TypeError):
                raise InputError(
                    f"{path}: line {number} is not a prediction written by `quotes predict --format jsonl`; "
                    "cannot resume into this file (choose another output, or drop --resume to overwrite it)"
                ) from None
            ids.add(doc_id)
        if handle.seek(0, os.SEEK_END) != end:
            logger.info("%s: cut a half-written last line (%d bytes)", path, handle.tell() - end)
            handle.truncate(end)
    return ids


def part_path(output: Path, rank: int, world_size: int) -> Path:
    """Where rank ``rank`` writes its shard before rank 0 merges the parts into ``output``."""
    return output.with_name(f"{output.name}.part{rank}-of-{world_size}")


def merge_parts(output: Path, ids_in_order: Iterable[str], chunk_size: int, world_size: int) -> tuple[int, int]:
    """Interleave the ranks' part files into ``output`` in input order (written whole, then renamed).

    Returns:
        The numbers of documents and of quote records merged.

    Raises:
        InputError: a part file does not hold the document expected next (it was written by another run).
    """
    parts = [part_path(output, rank, world_size) for rank in range(world_size)]
    handles = [part.open("rb") for part in parts]
    temporary = output.with_name(f"{output.name}.merging")
    count = quotes = 0
    try:
        with temporary.open("wb") as merged:
            for index, doc_id in enumerate(ids_in_order):
                rank = (index // chunk_size) % world_size
                line = handles[rank].readline()
                prediction = json.loads(line) if line.endswith(b"\n") else {}
                if prediction.get("id") != doc_id:
                    raise InputError(
                        f"{parts[rank]}: expected document {doc_id!r} next; the part files do not match the input "
                        "(run again without --resume)"
                    )
                merged.write(line)
                count += 1
                quotes += len(prediction["quotes"])
    finally:
        for handle in handles:
            handle.close()
    os.replace(temporary, output)
    for part in parts:
        part.unlink()
    return count, quotes


def wait_for_all_ranks() -> None:
    """Block until every ``torchrun`` rank has written its part (gloo on CPU; no timeout worth hitting)."""
    from datetime import timedelta

    import torch.distributed as dist

    if not dist.is_initialized():
        dist.init_process_group("gloo", timeout=timedelta(days=30))  # ranks may finish hours apart
    dist.barrier()


class Progress:
    """Documents/s and tokens/s on stderr while stderr is a terminal; silent otherwise."""

    def __init__(self, predictor: Any, total: int | None, done: int, enabled: bool):
        self.bar = None
        self.tokens = 0
        self.start = time.perf_counter()
        self.tokenizer = getattr(predictor, "tokenizer", None)
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=done, unit="doc", file=sys.stderr, dynamic_ncols=True)

    def update(self, prediction: Prediction) -> None:
        if self.bar is None:
            return
        if self.tokenizer is not None:
            self.tokens += len(self.tokenizer(prediction.text, add_special_tokens=False)["input_ids"])
        else:
            self.tokens += len(prediction.text.split())
        self.bar.update(1)
        unit = "tok/s" if self.tokenizer is not None else "words/s"
        self.bar.set_postfix_str(f"{self.tokens / (time.perf_counter() - self.start):,.0f} {unit}", refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# --------------------------------------------------------------------------------------------------------------
# Ray Data (optional extra: pip install 'quotes[ray]')
# --------------------------------------------------------------------------------------------------------------


class _RayChunkPredictor:
    """A Ray Data worker: loads the model once, then predicts one chunk per call."""

    def __init__(
        self, model: str, batch_size: int, min_score: float | None, device: str | None, boundaries: str | None = None
    ):
        self.predictor = load_predictor(model, device=device, boundaries=boundaries)
        self.batch_size = batch_size
        self.min_score = min_score

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        lines = []
        for ids, texts in zip(batch["ids"], batch["texts"]):
            ids, texts = list(ids), list(texts)
            results = predict_chunk(self.predictor, texts, self.batch_size, self.min_score)
            lines.append([Prediction(i, t, tuple(r)).to_json_line() for i, t, r in zip(ids, texts, results)])
        return {"lines": lines}


def predict_with_ray(
    model: str | Path,
    documents: Iterable[InputDocument],
    *,
    num_workers: int = 2,
    batch_size: int = 16,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    min_score: float | None = None,
    device: str | None = None,
    boundaries: str | None = None,
    done: Callable[[str], bool] = lambda doc_id: False,
    chunks_per_wave: int = 256,
) -> Iterator[str]:
    """The JSONL output lines of ``documents`` in input order, predicted by ``num_workers`` Ray actors.

    Each row of the Ray dataset is one chunk, so a worker predicts exactly what one process would (same output
    bytes). The driver reads the input and hands Ray ``chunks_per_wave`` chunks at a time, which bounds its memory;
    each wave starts its actors anew (one model load per worker per wave). Connects to the cluster named by
    ``RAY_ADDRESS`` when set, else starts a local Ray with ``num_workers`` CPUs.
    """
    import ray

    if not ray.is_initialized():
        address = os.environ.get("RAY_ADDRESS")
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(num_cpus=num_workers, include_dashboard=False, log_to_driver=False)
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True  # rows come back in input order
    context.enable_progress_bars = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)  # no per-dataset INFO lines among the user's output
    arguments = {
        "model": str(model),
        "batch_size": batch_size,
        "min_score": min_score,
        "device": device,
        "boundaries": boundaries,
    }
    chunk_iterator = (chunk for chunk in chunks(documents, chunk_size) if not all(done(d.id) for d in chunk))
    while wave := list(islice(chunk_iterator, chunks_per_wave)):
        rows = [{"ids": [d.id for d in chunk], "texts": [d.text for d in chunk]} for chunk in wave]
        dataset = ray.data.from_items(rows).map_batches(
            _RayChunkPredictor,
            fn_constructor_kwargs=arguments,
            batch_size=1,
            concurrency=num_workers,
            num_cpus=1,
        )
        for row in dataset.iter_rows():
            for line in row["lines"]:
                if not done(json.loads(line)["id"]):  # a partly finished chunk is predicted whole, kept in part
                    yield line
