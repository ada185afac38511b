"""Inference: ``QuoteExtractor`` turns any text into linked quote records with exact character offsets and scores.

A text is cut into the same overlapping token windows the model was trained on; windows of all texts are sorted by
length and batched; each token keeps the prediction of the window in which it sits farthest from an edge, so
windows merge back with no span duplicated or split. Tags become word-aligned character spans
(:mod:`quotes.labels`) and spans become quote records (:mod:`quotes.linking`).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, overload

from quotes.data import encode_windows
from quotes.labels import ID2LABEL, LABELS, merge_split_contents, snap_to_words, tags_to_spans, viterbi_decode
from quotes.lexicon import is_communication_cue
from quotes.linking import link
from quotes.schema import QuoteRecord, ScoredSpan

logger = logging.getLogger(__name__)

DEFAULT_MAX_LENGTH, DEFAULT_STRIDE = 256, 64


class QuoteExtractor:
    """A trained quote tagger plus the linker: ``predict`` gives quote records for one text or many.

    Thread-safe: several threads may call :meth:`predict` on one extractor (tokenization is serialised; the
    forward pass runs under ``torch.inference_mode``).
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        max_length: int = DEFAULT_MAX_LENGTH,
        stride: int = DEFAULT_STRIDE,
        device: str | None = None,
        precision: str = "auto",
        decoding: str = "viterbi",
        communication_only: bool = False,
    ):
        import torch

        if decoding not in ("viterbi", "argmax"):
            raise ValueError(f"decoding must be 'viterbi' or 'argmax', got {decoding!r}")
        self.decoding = decoding
        self.communication_only = communication_only
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.model = model.to(self.device).eval()
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.stride = stride
        self.autocast_dtype = _autocast_dtype(self.device, precision)
        self._tokenizer_lock = threading.Lock()
        labels = [model.config.id2label[i] for i in range(model.config.num_labels)]
        if tuple(labels) != LABELS:
            raise ValueError(f"the model's labels {labels} are not quotes' labels {list(LABELS)}")

    @classmethod
    def from_pretrained(
        cls,
        path: str | Path,
        device: str | None = None,
        precision: str = "auto",
        decoding: str | None = None,
        communication_only: bool | None = None,
    ) -> QuoteExtractor:
        """Load a model directory written by ``quotes train`` (or any token-classification model with our labels).

        >>> extractor = QuoteExtractor.from_pretrained("runs/seed")
        >>> extractor.predict("‘Nuclear blackmail,’ posted Dmitry Rogozin.")[0].sources[0].text
        'Dmitry Rogozin'

        Args:
            path: the directory (``model.safetensors``, ``config.json``, tokenizer files, ``quotes.json``).
            device: ``"cpu"``, ``"cuda"``, ``"cuda:1"`` ...; default CUDA when available, else CPU.
            precision: ``"auto"`` (bf16 autocast where the hardware supports it, fp16 on older GPUs), ``"fp32"``,
                ``"bf16"`` or ``"fp16"``.
            decoding: ``"viterbi"`` (the most probable valid BIO sequence, then contents that one unsure token
                broke in two are joined) or ``"argmax"`` (each token's own best label; invalid BIO is repaired).
                Default: the ``predict.decoding`` the model was trained with.
            communication_only: drop records whose cue is no act of communication (``thinks``, ``believes``: PolNeAR
                marks those, our spec does not). Default: the model's ``predict.communication_only``.
        """
        from transformers import AutoModelForTokenClassification

        from quotes.modeling import load_tokenizer

        path = Path(path)
        if not (path / "config.json").is_file():
            raise FileNotFoundError(f"{path}: not a model directory (no config.json); train one with `quotes train`")
        meta_file = path / "quotes.json"
        meta = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.is_file() else {}
        saved = meta.get("predict", {})
        model = AutoModelForTokenClassification.from_pretrained(path, local_files_only=True)
        return cls(
            model,
            load_tokenizer(str(path)),
            max_length=meta.get("max_length", DEFAULT_MAX_LENGTH),
            stride=meta.get("stride", DEFAULT_STRIDE),
            device=device,
            precision=precision,
            decoding=decoding or saved.get("decoding", "viterbi"),
            communication_only=saved.get("communication_only", False)
            if communication_only is None
            else communication_only,
        )

    @overload
    def predict(self, text: str, batch_size: int = 16) -> list[QuoteRecord]: ...

    @overload
    def predict(self, text: Sequence[str], batch_size: int = 16) -> list[list[QuoteRecord]]: ...

    def predict(self, text: str | Sequence[str], batch_size: int = 16) -> list[QuoteRecord] | list[list[QuoteRecord]]:
        """Quote records of one text (a list), or of each of several texts (a list of lists).

        >>> extractor.predict("He said: ‘It goes like this.’")[0].to_dict()
        {'cue': {'start': 3, 'end': 7, 'text': 'said'}, 'sources': [{'start': 0, 'end': 2, 'text': 'He'}], ...}

        Raises:
            TypeError: ``text`` is neither a ``str`` nor a sequence of ``str``.
        """
        if isinstance(text, str):
            return self.predict_spans_and_records([text], batch_size)[0][1]
        texts = _check_texts(text)
        return [records for _, records in self.predict_spans_and_records(texts, batch_size)]

    def tag(self, texts: Sequence[str], batch_size: int = 16) -> list[list[tuple[str, ScoredSpan]]]:
        """The labelled spans of each text, before linking (what the token classifier found)."""
        return [spans for spans, _ in self.predict_spans_and_records(_check_texts(texts), batch_size)]

    def predict_spans_and_records(
        self, texts: Sequence[str], batch_size: int = 16
    ) -> list[tuple[list[tuple[str, ScoredSpan]], list[QuoteRecord]]]:
        results = []
        for text, (tags, offsets, scores) in zip(texts, self._tag_tokens(texts, batch_size)):
            spans = snap_to_words(tags_to_spans(tags, offsets, text, scores), text) if tags else []
            spans = merge_split_contents(spans, text) if self.decoding == "viterbi" else spans
            records = link(text, spans) if spans else []
            if self.communication_only:
                records = [r for r in records if r.cue is None or is_communication_cue(r.cue.text)]
            results.append((spans, records))
        return results

    def _tag_tokens(
        self, texts: Sequence[str], batch_size: int
    ) -> list[tuple[list[str], list[tuple[int, int]], list[float]]]:
        """Per text: the merged tokens' offsets, tags and tag probabilities (empty for blank texts)."""
        import numpy as np
        import torch

        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        windows: list[tuple[int, list[int], list[tuple[int, int]]]] = []  # (text index, input ids, offsets)
        indices = [index for index, text in enumerate(texts) if text.strip()]
        if indices:
            # One call for all texts: the Rust tokenizer encodes a batch on all cores (1.5x faster on 2 cores)
            with self._tokenizer_lock:  # fast tokenizers are not safe to call from several threads at once
                encoding = encode_windows(self.tokenizer, [texts[i] for i in indices], self.max_length, self.stride)
            for ids, offsets, sample in zip(
                encoding["input_ids"], encoding["offset_mapping"], encoding["overflow_to_sample_mapping"]
            ):
                windows.append((indices[sample], ids, offsets))
        order = sorted(range(len(windows)), key=lambda w: len(windows[w][1]))
        probabilities: list[Any] = [None] * len(windows)
        pad = self.tokenizer.pad_token_id or 0
        with (
            torch.inference_mode(),
            torch.autocast(
                self.device.type, dtype=self.autocast_dtype or torch.float32, enabled=self.autocast_dtype is not None
            ),
        ):
            for begin in range(0, len(order), batch_size):
                batch = order[begin : begin + batch_size]
                width = max(len(windows[w][1]) for w in batch)
                ids = torch.full((len(batch), width), pad, dtype=torch.long)
                mask = torch.zeros((len(batch), width), dtype=torch.long)
                for row, w in enumerate(batch):
                    length = len(windows[w][1])
                    ids[row, :length] = torch.tensor(windows[w][1])
                    mask[row, :length] = 1
                logits = self.model(input_ids=ids.to(self.device), attention_mask=mask.to(self.device)).logits
                probs = torch.softmax(logits.float(), dim=-1).cpu().numpy()
                for row, w in enumerate(batch):
                    probabilities[w] = probs[row, : len(windows[w][1])]

        # Merge: each token keeps the prediction of the window where it is farthest from an edge.
        merged: list[dict[tuple[int, int], tuple[int, Any]]] = [{} for _ in texts]
        for (index, _, offsets), probs in zip(windows, probabilities):
            real = [i for i, o in enumerate(offsets) if o[0] != o[1]]
            for rank, i in enumerate(real):
                margin = min(rank, len(real) - 1 - rank)
                best = merged[index].get(offsets[i])
                if best is None or margin > best[0]:
                    merged[index][offsets[i]] = (margin, probs[i])
        results = []
        for tokens in merged:
            offsets = sorted(tokens)
            if not offsets:
                results.append(([], [], []))
                continue
            matrix = np.stack([tokens[o][1] for o in offsets])
            best = np.array(viterbi_decode(matrix)) if self.decoding == "viterbi" else matrix.argmax(-1)
            results.append(([ID2LABEL[int(b)] for b in best], offsets, matrix[np.arange(len(best)), best].tolist()))
        return results

    def predict_stream(
        self,
        documents: Any,
        batch_size: int = 16,
        chunk_size: int = 64,
        min_score: float | None = None,
    ) -> Any:
        """Predictions of many documents, yielded in input order as each chunk of ``chunk_size`` is done.

        Memory stays bounded however long ``documents`` runs (a file read line by line, a database cursor).

        >>> for prediction in extractor.predict_stream([("a1", "He said: ‘Yes.’"), ("a2", "No quote.")]):
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


def _check_texts(texts: Any) -> list[str]:
    if isinstance(texts, (str, bytes)) or not isinstance(texts, Sequence):
        raise TypeError(f"predict() takes a str or a list of str, got {type(texts).__name__}")
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"predict() takes a str or a list of str; item {index} is {type(text).__name__}")
    return list(texts)


def _autocast_dtype(device: Any, precision: str) -> Any:
    """The autocast dtype for ``precision`` on ``device``; ``None`` means plain fp32."""
    import torch

    if precision == "fp32":
        return None
    if precision in ("bf16", "fp16"):
        return torch.bfloat16 if precision == "bf16" else torch.float16
    if precision != "auto":
        raise ValueError(f"precision must be 'auto', 'fp32', 'bf16' or 'fp16', got {precision!r}")
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    # bf16 autocast doubles CPU throughput with no argmax changed where the CPU has bf16 units (ENVIRONMENT.md)
    return torch.bfloat16 if device.type == "cpu" and _cpu_has_bf16() else None


def _cpu_has_bf16() -> bool:
    try:
        return "avx512_bf16" in Path("/proc/cpuinfo").read_text() or "amx_bf16" in Path("/proc/cpuinfo").read_text()
    except OSError:
        return False


@lru_cache(maxsize=4)
def _cached_extractor(model: str) -> QuoteExtractor:
    return QuoteExtractor.from_pretrained(model)


def predict(text: str | Sequence[str], model: str | Path, batch_size: int = 16) -> Any:
    """One-liner: ``quotes.predict("...", model="runs/seed")``; the extractor is loaded once and cached."""
    return _cached_extractor(str(model)).predict(text, batch_size=batch_size)
