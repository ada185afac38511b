"""Inference: ``QuoteExtractor`` turns any text into linked quote records with exact character offsets and scores.

Prediction runs in four steps, each a function of its own: :func:`tokenize_windows` cuts every text into the same
overlapping token windows the model was trained on; :func:`batch_windows` sorts the windows of all texts by length
and pads them into batches for the forward pass; :func:`merge_windows` joins the windows of one text back into one
token sequence (each token keeps the prediction of the window in which it sits farthest from an edge, so no span is
duplicated or split); :func:`decode_tokens` picks the tags. Tags become word-aligned character spans
(:mod:`quotes.labels`), whose content edges the guidelines' rules may move (:mod:`quotes.boundaries`, with
``boundaries="guidelines"``), and spans become quote records (:mod:`quotes.linking`).

A model folder (local, or a Hub id resolved through the local Hub cache) is checked once, at load, by
:mod:`quotes.model_folder`: a broken folder fails there with an error naming the file, and ``predict`` checks
nothing again.
"""

from __future__ import annotations

import gc
import json
import logging
import re
import shutil
import tempfile
import threading
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any, NamedTuple, overload

from quotes import __version__
from quotes.boundaries import apply_rules
from quotes.data import encode_windows
from quotes.errors import UserInputError
from quotes.labels import (
    LABELS,
    WORD_SHAPE_TYPES,
    merge_split_contents,
    snap_to_words,
    stride_problem,
    tags_to_spans,
    viterbi_decode,
    word_shape_ids,
)
from quotes.lexicon import is_communication_cue
from quotes.linking import LinkStats, link
from quotes.model_folder import (
    DEFAULT_MAX_LENGTH,
    DEFAULT_STRIDE,
    QUOTES_FILE,
    autocast_dtype,
    check_model_dir,
    check_settings,
    is_int,
    load_model_and_tokenizer,
    resolve_device,
    resolve_model_dir,
    saved_attributions,
)
from quotes.schema import QuoteRecord, ScoredSpan
from quotes.text import Layout

logger = logging.getLogger(__name__)

CARD_FILES = ("README.md", "config.yaml", "metrics.json")
"""Files of a trained run that ``save_pretrained`` carries along (the model card and how the model was made)."""
_SURROGATE = re.compile("[\ud800-\udfff]")


class Window(NamedTuple):
    """One token window of one text: the text's index in the batch, token ids, and character offsets."""

    text: int
    ids: list[int]
    offsets: list[tuple[int, int]]


class QuoteExtractor:
    """A trained quote tagger plus the linker: ``predict`` gives quote records for one text or many.

    Load one with :meth:`from_pretrained` (a local folder or a Hub id), save it with :meth:`save_pretrained`, share
    it with :meth:`push_to_hub`. Thread-safe: several threads may call :meth:`predict` on one extractor
    (tokenization is serialised; the forward pass runs under ``torch.inference_mode``).

    Args:
        model: a token-classification model with quotes' seven labels.
        tokenizer: its fast tokenizer (character offsets come from it).
        max_length: tokens per window, special tokens included (the window size the model was trained on).
        stride: tokens shared by neighbouring windows.
        device: see :meth:`from_pretrained`.
        dtype: see :meth:`from_pretrained`.
        decoding: see :meth:`from_pretrained`.
        attributions: see :meth:`from_pretrained`.
        min_score: default of :meth:`predict`'s ``min_score``.
        boundaries: see :meth:`from_pretrained`.
        word_shape: give the model each token's word shape as ``token_type_ids``
            (:func:`~quotes.labels.word_shape_ids`), as it was trained (``model.word_shape``; saved in ``quotes.json``).
        precision: deprecated name of ``dtype``.
        metadata: the model's ``quotes.json`` (kept and written back by :meth:`save_pretrained`).
        source: the folder the model came from (its model card is carried along by :meth:`save_pretrained`).
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        max_length: int = DEFAULT_MAX_LENGTH,
        stride: int = DEFAULT_STRIDE,
        device: Any = None,
        dtype: str = "auto",
        decoding: str = "viterbi",
        attributions: str = "all",
        min_score: float | None = None,
        boundaries: str = "model",
        word_shape: bool = False,
        precision: str | None = None,
        communication_only: bool | None = None,
        metadata: dict[str, Any] | None = None,
        source: str | Path | None = None,
    ):
        dtype = _dtype_from_precision(dtype, precision, "QuoteExtractor")
        attributions = _attributions_from(attributions, communication_only, "QuoteExtractor")
        check_settings(
            dtype=dtype, decoding=decoding, attributions=attributions, min_score=min_score, boundaries=boundaries
        )
        for name, value in (("max_length", max_length), ("stride", stride)):
            if not is_int(value):
                raise TypeError(f"{name} must be an int (tokens), got {type(value).__name__}")
        if problem := stride_problem(max_length, stride):
            raise UserInputError(f"stride (tokens) {problem}")
        labels = [model.config.id2label[i] for i in range(model.config.num_labels)]
        if tuple(labels) != LABELS:
            raise UserInputError(f"the model's labels {labels} are not quotes' labels {list(LABELS)}")
        if not isinstance(word_shape, bool):
            raise TypeError(f"word_shape must be True or False, got {type(word_shape).__name__}")
        types = getattr(model.config, "type_vocab_size", None)
        if word_shape and (not isinstance(types, int) or types < WORD_SHAPE_TYPES):
            raise UserInputError(
                f"word_shape=True needs a model with {WORD_SHAPE_TYPES} token types (trained with model.word_shape: "
                f"true), but this one has type_vocab_size {types}"
            )
        self.device = resolve_device(device)
        self.model = model.to(self.device).eval()
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.stride = stride
        self.dtype = dtype
        self.autocast_dtype = autocast_dtype(self.device, dtype)
        self.decoding = decoding
        self.attributions = attributions
        self.min_score = min_score
        self.boundaries = boundaries
        self.word_shape = word_shape
        self.metadata = dict(metadata or {})
        self.source = Path(source) if source is not None else None
        self._tokenizer_lock = threading.Lock()

    @classmethod
    def from_pretrained(
        cls,
        name_or_path: str | Path,
        device: Any = None,
        dtype: str = "auto",
        decoding: str | None = None,
        attributions: str | None = None,
        *,
        min_score: float | None = None,
        boundaries: str | None = None,
        revision: str | None = None,
        cache_dir: str | Path | None = None,
        token: str | bool | None = None,
        local_files_only: bool = False,
        precision: str | None = None,
        communication_only: bool | None = None,
    ) -> QuoteExtractor:
        """Load a model folder written by ``quotes train`` or :meth:`save_pretrained`, or a Hub id (``org/name``).

        A Hub id is resolved with ``huggingface_hub.snapshot_download``: from the local Hub cache when it holds the
        revision and ``HF_HUB_OFFLINE=1`` is set (or ``local_files_only=True``), else downloaded into that cache.
        The folder is checked once, here: missing or broken files raise an error that names them.

        >>> extractor = QuoteExtractor.from_pretrained("runs/seed")  # doctest: +SKIP
        >>> extractor.predict("‘Nuclear blackmail,’ posted Dmitry Rogozin.")[0].sources[0].text  # doctest: +SKIP
        'Dmitry Rogozin'
        >>> hub = QuoteExtractor.from_pretrained("org/quotes-news", revision="v1.0")  # doctest: +SKIP

        Args:
            name_or_path: a model folder (``model.safetensors``, ``config.json``, tokenizer files,
                ``quotes.json``), or the id of a Hub model repository holding one.
            device: ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"`` ...; default CUDA when available, else MPS, else
                CPU.
            dtype: ``"auto"`` (bf16 autocast where the hardware supports it, fp16 on older GPUs, fp32 on MPS and on
                CPUs without bf16 units), ``"fp32"``, ``"bf16"`` or ``"fp16"``.
            decoding: ``"viterbi"`` (the most probable valid BIO sequence, then contents that one unsure token
                broke in two are joined) or ``"argmax"`` (each token's own best label; invalid BIO is repaired).
                Default: the ``predict.decoding`` the model was trained with.
            attributions: ``"communication"`` drops records whose cue is no act of communication (``thinks``,
                ``believes``: PolNeAR marks those, our spec does not), as ``data.attributions`` does for training
                data; ``"all"`` keeps them. Default: the model's ``predict.attributions``.
            min_score: default of :meth:`predict`'s ``min_score``. Default: the model's ``predict.min_score``, if any.
            boundaries: ``"model"`` keeps the content edges the model tagged; ``"guidelines"`` moves them where the
                annotation guidelines put them (quotation marks, sentence ends; :mod:`quotes.boundaries`).
                Default: the model's ``predict.boundaries`` (``"model"`` for models saved without one).
            revision: branch, tag or commit of a Hub model (default ``main``).
            cache_dir: the Hub cache to use instead of ``HF_HUB_CACHE`` (``~/.cache/huggingface/hub``).
            token: Hub token for private models (default: the logged-in user's, if any).
            local_files_only: never use the network, only the local Hub cache.
            precision: deprecated name of ``dtype``.
            communication_only: deprecated: ``True`` is ``attributions="communication"``.

        Raises:
            FileNotFoundError: no such folder, no such Hub model (or not in the cache when offline), or a file the
                model needs is missing.
            ValueError: a file is malformed (``quotes.json``, ``config.json``, truncated weights), the labels are not
                quotes' labels, or an argument is invalid (an unknown or unavailable ``device``, say).
        """
        dtype = _dtype_from_precision(dtype, precision, "from_pretrained")
        if attributions is not None or communication_only is not None:
            given = "all" if attributions is None else attributions
            attributions = _attributions_from(given, communication_only, "from_pretrained")
        check_settings(
            dtype=dtype, decoding=decoding, attributions=attributions, min_score=min_score, boundaries=boundaries
        )
        resolved_device = resolve_device(device)  # before any download or loading: a typo costs nothing
        directory = resolve_model_dir(
            name_or_path, revision=revision, cache_dir=cache_dir, token=token, local_files_only=local_files_only
        )
        meta = check_model_dir(directory)
        model, tokenizer = load_model_and_tokenizer(directory)
        saved = meta.get("predict", {})
        return cls(
            model,
            tokenizer,
            max_length=meta.get("max_length", DEFAULT_MAX_LENGTH),
            stride=meta.get("stride", DEFAULT_STRIDE),
            device=resolved_device,
            dtype=dtype,
            decoding=decoding or saved.get("decoding", "viterbi"),
            attributions=saved_attributions(saved) if attributions is None else attributions,
            min_score=saved.get("min_score") if min_score is None else min_score,
            boundaries=boundaries or saved.get("boundaries", "model"),
            word_shape=meta.get("word_shape", False),
            metadata=meta,
            source=directory,
        )

    def save_pretrained(self, directory: str | Path) -> Path:
        """Write a folder that :meth:`from_pretrained` loads: weights, config, tokenizer and ``quotes.json``.

        ``quotes.json`` records this extractor's window size, overlap and ``predict`` defaults (``decoding``,
        ``attributions``, ``min_score``, ``boundaries``); the model card, ``config.yaml`` and ``metrics.json`` of
        the folder the model was loaded from come along. The folder must be new, empty, or a model folder.

        >>> extractor = QuoteExtractor.from_pretrained("runs/seed", min_score=0.5)  # doctest: +SKIP
        >>> sorted(p.name for p in extractor.save_pretrained("export/seed").iterdir())  # doctest: +SKIP
        ['README.md', 'config.json', 'config.yaml', 'metrics.json', 'model.safetensors', 'quotes.json', ...]

        Returns:
            The folder.
        """
        directory = Path(directory)
        if directory.exists() and not directory.is_dir():
            raise FileExistsError(f"{directory}: is a file; give a folder to save the model in")
        if directory.is_dir() and any(directory.iterdir()) and not (directory / "config.json").is_file():
            raise FileExistsError(
                f"{directory}: holds other files and no model; save into a new or empty folder (nothing was written)"
            )
        directory.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(directory)
        self.tokenizer.save_pretrained(directory)
        meta = {
            **self.metadata,
            "quotes_version": __version__,
            "labels": list(LABELS),
            "max_length": self.max_length,
            "stride": self.stride,
            "word_shape": self.word_shape,
            "predict": {
                **self.metadata.get("predict", {}),
                "decoding": self.decoding,
                "attributions": self.attributions,
                "min_score": self.min_score,
            },
        }
        if self.boundaries != "model" or "boundaries" in meta["predict"]:
            # only when set: a folder saved with the defaults loads in older quotes without an unknown-key warning
            meta["predict"]["boundaries"] = self.boundaries
        (directory / QUOTES_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        if self.source is not None and self.source.resolve() != directory.resolve():
            for name in CARD_FILES:
                if (self.source / name).is_file():
                    shutil.copyfile(self.source / name, directory / name)
        return directory

    def push_to_hub(
        self,
        repo_id: str,
        *,
        private: bool | None = None,
        token: str | None = None,
        revision: str | None = None,
        commit_message: str = "Upload quotes model",
        create_pr: bool = False,
        api: Any = None,
    ) -> Any:
        """Upload the model to a Hub repository (created if needed) as :meth:`save_pretrained` writes it.

        >>> extractor.push_to_hub("org/quotes-news", private=True).commit_url  # doctest: +SKIP
        'https://huggingface.co/org/quotes-news/commit/...'

        Args:
            repo_id: ``org/name`` (or ``name`` for the logged-in user).
            private: create the repository private (an existing repository keeps its visibility).
            token: Hub token with write access (default: the logged-in user's).
            revision: the branch to commit to (created if needed; default ``main``).
            commit_message: the commit's message.
            create_pr: open a pull request instead of committing to the branch.
            api: an ``huggingface_hub.HfApi`` (default: a new one with ``token``).

        Returns:
            The ``huggingface_hub.CommitInfo`` of the upload.
        """
        from huggingface_hub import HfApi, constants

        if api is None:
            if constants.is_offline_mode():
                raise RuntimeError("push_to_hub needs the network, but HF_HUB_OFFLINE=1 is set; unset it to upload")
            api = HfApi(token=token)
        url = api.create_repo(repo_id, private=private, exist_ok=True, repo_type="model", token=token)
        repo_id = getattr(url, "repo_id", None) or repo_id
        if revision is not None and not create_pr:
            api.create_branch(repo_id, branch=revision, exist_ok=True, token=token)
        with tempfile.TemporaryDirectory(prefix="quotes-push-") as folder:
            self.save_pretrained(folder)
            return api.upload_folder(
                repo_id=repo_id,
                folder_path=folder,
                commit_message=commit_message,
                revision=revision,
                create_pr=create_pr,
                repo_type="model",
                token=token,
            )

    @overload
    def predict(
        self, text: str, batch_size: int = 16, *, min_score: float | None = None, progress: bool = False
    ) -> list[QuoteRecord]: ...

    @overload
    def predict(
        self, text: Sequence[str], batch_size: int = 16, *, min_score: float | None = None, progress: bool = False
    ) -> list[list[QuoteRecord]]: ...

    def predict(
        self,
        text: str | Sequence[str],
        batch_size: int = 16,
        *,
        min_score: float | None = None,
        progress: bool = False,
    ) -> list[QuoteRecord] | list[list[QuoteRecord]]:
        """Quote records of one text (a list), or of each of several texts (a list of lists).

        >>> extractor.predict("He said: ‘It goes like this.’")[0].to_dict()  # doctest: +SKIP
        {'cue': {'start': 3, 'end': 7, 'text': 'said'}, 'sources': [{'start': 0, 'end': 2, 'text': 'He'}], ...}
        >>> [round(r.score, 2) for r in extractor.predict(article, min_score=0.5)]  # doctest: +SKIP
        [0.74, 0.61]

        Args:
            text: a text, or a list of texts. Offsets index it exactly, whatever it holds (``\\r\\n``, emoji, lone
                surrogates: these reach the tokenizer as U+FFFD, one code point for one).
            batch_size: token windows per forward pass (a long text has several windows; all texts' windows are
                batched together, sorted by length).
            min_score: drop records whose :attr:`QuoteRecord.score` is below it (``0`` keeps all). Default: the
                extractor's ``min_score`` (the model's saved ``predict.min_score``, if any).
            progress: show a progress bar over the token windows (tqdm).

        Raises:
            TypeError: ``text`` is neither a ``str`` nor a sequence of ``str``, or an argument has the wrong type.
            ValueError: ``batch_size`` < 1, or ``min_score`` outside [0, 1].
        """
        if isinstance(text, str):
            return self.predict_spans_and_records([text], batch_size, min_score=min_score, progress=progress)[0][1]
        texts = _check_texts(text)
        results = self.predict_spans_and_records(texts, batch_size, min_score=min_score, progress=progress)
        return [records for _, records in results]

    def tag(
        self, texts: Sequence[str], batch_size: int = 16, *, progress: bool = False
    ) -> list[list[tuple[str, ScoredSpan]]]:
        """The labelled spans of each text, before linking (what the token classifier found)."""
        results = self.predict_spans_and_records(_check_texts(texts), batch_size, min_score=0.0, progress=progress)
        return [spans for spans, _ in results]

    def predict_spans_and_records(
        self,
        texts: Sequence[str],
        batch_size: int = 16,
        *,
        min_score: float | None = None,
        progress: bool = False,
    ) -> list[tuple[list[tuple[str, ScoredSpan]], list[QuoteRecord]]]:
        """Per text: the labelled spans (all of them) and the linked records (``min_score`` applied)."""
        _check_predict_arguments(batch_size, min_score, progress)
        threshold = self.min_score if min_score is None else min_score
        results = []
        stats = LinkStats()
        tagged = self._tag_tokens(texts, batch_size, progress)
        with collector_paused():
            for text, (tags, offsets, scores) in zip(texts, tagged):
                spans = snap_to_words(tags_to_spans(tags, offsets, text, scores), text) if tags else []
                spans = merge_split_contents(spans, text) if self.decoding == "viterbi" else spans
                layout = Layout(text)  # the text's paragraphs, sentences and quotations, found once for all steps
                spans = apply_rules(text, spans, layout=layout) if self.boundaries == "guidelines" and spans else spans
                records = link(text, spans, stats=stats, layout=layout) if spans else []
                if self.attributions == "communication":
                    records = [r for r in records if r.cue is None or is_communication_cue(r.cue.text)]
                if threshold:
                    records = [r for r in records if r.score >= threshold]
                results.append((spans, records))
        logger.debug("%s", stats.summary())  # what the linker joined, dropped and found (quotes -v shows it)
        return results

    def autocast(self) -> Any:
        """The autocast context of the forward pass (disabled for fp32)."""
        import torch

        dtype = self.autocast_dtype
        return torch.autocast(self.device.type, dtype=dtype or torch.float32, enabled=dtype is not None)

    def _tag_tokens(
        self, texts: Sequence[str], batch_size: int, progress: bool = False
    ) -> list[tuple[list[str], list[tuple[int, int]], list[float]]]:
        """Per text: the merged tokens' tags, offsets and tag probabilities (empty for blank texts)."""
        with collector_paused(), self._tokenizer_lock:  # fast tokenizers are not safe to call from several threads
            windows = tokenize_windows(self.tokenizer, texts, self.max_length, self.stride)
            types = [word_shape_ids(texts[w.text], w.offsets) for w in windows] if self.word_shape else None
        probabilities = self._forward(windows, batch_size, progress, types)
        per_text: list[list[tuple[list[tuple[int, int]], Any]]] = [[] for _ in texts]
        for window, probs in zip(windows, probabilities):
            per_text[window.text].append((window.offsets, probs))
        results = []
        with collector_paused():
            for text_windows in per_text:
                offsets, matrix = merge_window_arrays(text_windows)
                results.append(decode_tokens(offsets, matrix, self.decoding) if offsets else ([], [], []))
        return results

    def _forward(
        self, windows: Sequence[Window], batch_size: int, progress: bool, types: Sequence[list[int]] | None = None
    ) -> list[Any]:
        """Label probabilities (tokens x labels, numpy) of each window, in the order of ``windows``.

        ``types``: each window's token type ids (word shape), or None to pass none (the model's default zeros).
        """
        import torch

        probabilities: list[Any] = [None] * len(windows)
        bar = _progress_bar(len(windows), "windows") if progress else None
        pad = self.tokenizer.pad_token_id or 0
        try:
            with torch.inference_mode(), self.autocast():
                for batch, ids, mask in batch_windows([w.ids for w in windows], batch_size, pad):
                    inputs = {"input_ids": ids.to(self.device), "attention_mask": mask.to(self.device)}
                    if types is not None:
                        inputs["token_type_ids"] = _pad_types([types[w] for w in batch], ids.shape[1]).to(self.device)
                    logits = self.model(**inputs).logits
                    probs = torch.softmax(logits.float(), dim=-1).cpu().numpy()
                    for row, w in enumerate(batch):
                        probabilities[w] = probs[row, : len(windows[w].ids)]
                    if bar is not None:
                        bar.update(len(batch))
        finally:
            if bar is not None:
                bar.close()
        return probabilities

    def predict_stream(
        self,
        documents: Any,
        batch_size: int = 16,
        chunk_size: int = 64,
        min_score: float | None = None,
    ) -> Any:
        """Predictions of many documents, yielded in input order as each chunk of ``chunk_size`` is done.

        Memory stays bounded however long ``documents`` runs (a file read line by line, a database cursor).

        >>> documents = [("a1", "He said: ‘Yes.’"), ("a2", "No quote.")]
        >>> for prediction in extractor.predict_stream(documents):  # doctest: +SKIP
        ...     print(prediction.id, len(prediction.records))
        a1 1
        a2 0

        Args:
            documents: ``str`` (its id is its position), ``(id, text)`` pairs, or objects with ``.id`` and
                ``.text`` (a :class:`~quotes.schema.Document`).
            chunk_size: documents predicted together; the same chunks give the same bytes (see :mod:`quotes.bulk`).
            min_score: drop records scored below it.

        Yields:
            :class:`~quotes.bulk.Prediction` (``id``, ``text``, ``records``; ``to_dict()`` gives Citron JSON).
        """
        from quotes.bulk import predict_stream

        return predict_stream(self, documents, batch_size=batch_size, chunk_size=chunk_size, min_score=min_score)


# --------------------------------------------------------------------------------------------------------------
# The prediction steps
# --------------------------------------------------------------------------------------------------------------


def tokenize_windows(tokenizer: Any, texts: Sequence[str], max_length: int, stride: int) -> list[Window]:
    """The overlapping token windows of all non-blank texts, in text order (one tokenizer call for all texts).

    Lone surrogates (``"\\ud800"``, which the tokenizer refuses) reach it as U+FFFD: one code point for one, so the
    offsets still index the original text, from which every span is cut.
    """
    indices = [index for index, text in enumerate(texts) if text.strip()]
    if not indices:
        return []
    # One call for all texts: the Rust tokenizer encodes a batch on all cores (1.5x faster on 2 cores)
    encoding = encode_windows(tokenizer, [tokenizer_text(texts[i]) for i in indices], max_length, stride)
    return [
        Window(indices[sample], ids, offsets)
        for ids, offsets, sample in zip(
            encoding["input_ids"], encoding["offset_mapping"], encoding["overflow_to_sample_mapping"]
        )
    ]


def tokenizer_text(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD (same length, same offsets), for the tokenizer only."""
    return text if text.isascii() or not _SURROGATE.search(text) else _SURROGATE.sub("\ufffd", text)


def batch_windows(
    windows: Sequence[Sequence[int]], batch_size: int, pad_id: int
) -> Iterator[tuple[list[int], Any, Any]]:
    """Batches for the forward pass: ``(window indices, input ids, attention mask)``, CPU tensors.

    Windows are sorted by length (stably) before batching, so a batch pads little; ``batch_size`` counts windows.
    """
    import torch

    order = sorted(range(len(windows)), key=lambda w: len(windows[w]))
    for begin in range(0, len(order), batch_size):
        batch = order[begin : begin + batch_size]
        width = max(len(windows[w]) for w in batch)
        ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, w in enumerate(batch):
            length = len(windows[w])
            ids[row, :length] = torch.tensor(windows[w])
            mask[row, :length] = 1
        yield batch, ids, mask


def _pad_types(rows: Sequence[list[int]], width: int) -> Any:
    """Token type ids of one batch as a tensor, padded with 0 (the id of special tokens and padding)."""
    import torch

    types = torch.zeros((len(rows), width), dtype=torch.long)
    for row, ids in enumerate(rows):
        types[row, : len(ids)] = torch.tensor(ids, dtype=torch.long)
    return types


def merge_windows(
    windows: Sequence[tuple[Sequence[tuple[int, int]], Sequence[Any]]],
) -> tuple[list[tuple[int, int]], list[Any]]:
    """One token sequence from the overlapping windows of one text: sorted token offsets and one row per token.

    Each window is ``(offsets, rows)``, a row per token (its label probabilities). A token, known by its offsets,
    keeps the row of the window where it sits farthest from the window's edge (the earlier window on a tie), where
    the model saw the most context around it. Special tokens (empty offsets) are dropped.

    >>> merge_windows([([(0, 0), (0, 2), (3, 5), (6, 8), (0, 0)], ["a", "b", "c", "d", "e"]),
    ...                ([(0, 0), (3, 5), (6, 8), (9, 11), (0, 0)], ["f", "g", "h", "i", "j"])])
    ([(0, 2), (3, 5), (6, 8), (9, 11)], ['b', 'c', 'h', 'i'])
    """
    best: dict[tuple[int, int], tuple[int, Any]] = {}  # token offsets -> (distance from the edge, row)
    for offsets, rows in windows:
        real = [i for i, o in enumerate(offsets) if o[0] != o[1]]  # labels.is_special, inlined: a hot loop
        last = len(real) - 1
        for rank, i in enumerate(real):
            margin = min(rank, last - rank)
            offset = offsets[i]
            kept = best.get(offset)
            if kept is None or margin > kept[0]:
                best[offset] = (margin, rows[i])
    ordered = sorted(best)
    return ordered, [best[offset][1] for offset in ordered]


def merge_window_arrays(
    windows: Sequence[tuple[Sequence[tuple[int, int]], Any]],
) -> tuple[list[tuple[int, int]], Any]:
    """:func:`merge_windows` for windows whose rows are NumPy arrays (tokens x labels), vectorised: the same
    tokens, each with the row of the same window, as one ``(tokens, labels)`` array (empty when no token is real).

    ``QuoteExtractor`` merges every text's windows this way; a Python loop over every token of every window
    took as long as the rest of the post-processing. Ties go to the earlier window, and a token that appears
    twice in one window (same offsets) keeps its first appearance farthest from the edge, as in
    :func:`merge_windows`.

    >>> import numpy as np
    >>> first = ([(0, 0), (0, 2), (3, 5), (6, 8), (0, 0)], np.arange(5.0)[:, None])
    >>> second = ([(0, 0), (3, 5), (6, 8), (9, 11), (0, 0)], np.arange(5.0, 10)[:, None])
    >>> offsets, matrix = merge_window_arrays([first, second])
    >>> offsets, matrix[:, 0].tolist()
    ([(0, 2), (3, 5), (6, 8), (9, 11)], [1.0, 2.0, 7.0, 8.0])
    """
    import numpy as np

    lengths = [len(offsets) for offsets, _ in windows]
    every = list(chain.from_iterable(offsets for offsets, _ in windows))  # the windows' own offset tuples, kept
    pairs = np.fromiter(chain.from_iterable(every), np.int64, 2 * len(every)).reshape(len(every), 2)
    real = pairs[:, 0] != pairs[:, 1]  # labels.is_special, vectorised
    row = np.flatnonzero(real)  # the rows of the real tokens in the concatenation of all windows' rows
    if not len(row):
        return [], np.zeros((0, len(LABELS)), dtype=np.float32)
    window = np.repeat(np.arange(len(windows)), lengths)[row]
    counts = np.bincount(window, minlength=len(windows))  # real tokens per window
    rank = np.arange(len(row)) - (np.cumsum(counts) - counts)[window]  # a token's place among its window's real ones
    margin = np.minimum(rank, counts[window] - 1 - rank)  # how far it sits from its window's edge
    start, end = pairs[row, 0], pairs[row, 1]
    # By offsets, then farthest from the edge, then first seen (window order, then position): the winner of each
    # token comes first among its copies.
    order = np.lexsort((row, -margin, end, start))
    start, end, row = start[order], end[order], row[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (start[1:] != start[:-1]) | (end[1:] != end[:-1])
    rows = np.concatenate([np.asarray(r)[:n] for (_, r), n in zip(windows, lengths)])
    return [every[i] for i in row[first].tolist()], rows[row[first]]


def decode_tokens(
    offsets: list[tuple[int, int]], rows: Sequence[Any], decoding: str
) -> tuple[list[str], list[tuple[int, int]], list[float]]:
    """Tags, offsets and the chosen tags' probabilities of one text's merged tokens (rows: label probabilities,
    one per token, or a ``(tokens, labels)`` array)."""
    import numpy as np

    matrix = rows if isinstance(rows, np.ndarray) and rows.ndim == 2 else np.stack(rows)
    best = viterbi_decode(matrix) if decoding == "viterbi" else matrix.argmax(-1).tolist()
    return [LABELS[b] for b in best], offsets, matrix[np.arange(len(best)), best].tolist()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the block (if it was running), then let it run again.

    Tokenizing and post-processing a batch allocate millions of small objects (token offsets, tags, spans) that
    die by reference counting; the collector, triggered by their number, would meanwhile walk every object of the
    process again and again (the model's and the tokenizer's too): 0.1 to 0.5 s per MB of text, as much as all the
    post-processing rules. The forward pass runs outside such a block, so its tensors are freed as before. Output
    is unchanged: the collector frees only unreachable cycles, and it runs again at the end of the block.
    (Several threads may be inside at once: the collector runs again when the first of them leaves.)
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


# --------------------------------------------------------------------------------------------------------------
# Arguments
# --------------------------------------------------------------------------------------------------------------


def _check_predict_arguments(batch_size: Any, min_score: Any, progress: Any) -> None:
    if not is_int(batch_size):
        raise TypeError(f"batch_size must be an int (token windows per forward pass), got {type(batch_size).__name__}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1 (token windows per forward pass), got {batch_size}")
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be True or False, got {type(progress).__name__}")
    check_settings(min_score=min_score)


def _dtype_from_precision(dtype: str, precision: str | None, where: str) -> str:
    """``precision=`` is the old name of ``dtype=`` (issue 13: elsewhere precision is the P of P/R/F1)."""
    if precision is None:
        return dtype
    if dtype != "auto":
        raise TypeError(f"{where}: give dtype= only (precision= is its deprecated name), not both")
    warnings.warn(f"{where}(precision=...) is deprecated, use dtype={precision!r}", DeprecationWarning, stacklevel=3)
    return precision


def _attributions_from(attributions: Any, communication_only: bool | None, where: str) -> Any:
    """``communication_only=True`` (and a bool given as ``attributions``) is the old spelling of ``"communication"``."""
    if isinstance(attributions, bool):
        communication_only, attributions = attributions, "all"
    if communication_only is None:
        return attributions
    if not isinstance(communication_only, bool):
        raise TypeError(f"communication_only: expected True or False, got {communication_only!r}")
    new = "communication" if communication_only else "all"
    if attributions not in ("all", new):
        raise TypeError(f"{where}: give attributions= only (communication_only= is its deprecated name), not both")
    warnings.warn(
        f"{where}(communication_only=...) is deprecated, use attributions={new!r}", DeprecationWarning, stacklevel=3
    )
    return new


def _progress_bar(total: int, unit: str) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, unit=f" {unit}", desc="quotes predict", dynamic_ncols=True)


def _check_texts(texts: Any) -> list[str]:
    if isinstance(texts, (str, bytes)) or not isinstance(texts, Sequence):
        raise TypeError(f"predict() takes a str or a list of str, got {type(texts).__name__}")
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"predict() takes a str or a list of str; item {index} is {type(text).__name__}")
    return list(texts)


@lru_cache(maxsize=4)
def _cached_extractor(model: str) -> QuoteExtractor:
    return QuoteExtractor.from_pretrained(model)


def predict(
    text: str | Sequence[str],
    model: str | Path,
    batch_size: int = 16,
    *,
    min_score: float | None = None,
    progress: bool = False,
) -> Any:
    """One-liner: ``quotes.predict("...", model="runs/seed")`` (a folder or a Hub id); the model is loaded once.

    >>> quotes.predict("‘Nuclear blackmail,’ posted Dmitry Rogozin.", model="runs/seed")[0].cue.text  # doctest: +SKIP
    'posted'
    """
    return _cached_extractor(str(model)).predict(text, batch_size=batch_size, min_score=min_score, progress=progress)
