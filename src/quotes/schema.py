"""Typed records for quote attribution, and the validator every reader uses.

Gold data is a :class:`Document` holding :class:`Quote` records made of :class:`Span` objects (character offsets,
``start`` inclusive, ``end`` exclusive, ``text == document[start:end]``, checked by :func:`span_text_problem`).
Predictions are :class:`QuoteRecord` objects made of :class:`ScoredSpan` objects. :func:`document_from_dict` checks
one decoded Citron JSON object and raises one :class:`DataValidationError` listing every problem with its file,
line, document id and field path, so nothing is dropped silently. Files are read and written by
:mod:`quotes.citron` (JSON/JSONL), :mod:`quotes.brat` and :mod:`quotes.conll`, all through
:func:`quotes.data.read_documents`. Pure Python: no torch, no transformers.
"""

from __future__ import annotations

import difflib
import importlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quotes.errors import UserInputError
from quotes.text import CLOSING_QUOTE_MARKS, OPENING_QUOTE_MARKS  # noqa: F401 (re-exported)

KINDS = ("QUOTE", "SPEAKER", "CUE")
"""Span kinds, in label order. QUOTE is a record's content, SPEAKER its source, CUE its cue."""

KIND_FIELDS = {"QUOTE": "contents", "SPEAKER": "sources", "CUE": "cue"}
"""The :class:`Quote` field (and Citron JSON key) that holds each kind: the one home of this mapping."""

_SPAN_KEYS = ("start", "end", "text")
_QUOTE_KEYS = ("cue", "sources", "contents", "coreferences")
_DOCUMENT_KEYS = ("id", "text", "quotes", "unlinked_spans")
_UNLINKED_KEYS = ("kind", "start", "end", "text")
_PREDICTION_KEYS = {"score": (int, float), "direct": (bool,)}
"""Fields ``quotes predict`` adds to records (``score``, ``direct``) and spans (``score``): read and dropped."""
_SURROGATE = re.compile("[\ud800-\udfff]")


def span_text_problem(document: str, start: int, end: int, text: str) -> str | None:
    """Why ``text`` is not ``document[start:end]`` (bad offsets or other characters), or None when it is.

    The one check every reader and the validator make, so a span's text always indexes exactly the user's text.
    """
    problem = _span_problem(document, start, end, text)
    return problem[1] if problem else None


def _span_problem(document: str | None, start: int, end: int, text: str) -> tuple[str, str] | None:
    """``(field, problem)`` for :func:`span_text_problem`; without a document only the offsets are checked."""
    if start < 0:
        return "start", f"offset {start} is negative"
    if end <= start:
        return "end", f"end {end} is not after start {start} (reversed or empty span)"
    if document is None:
        return None
    if end > len(document):
        return "end", f"offset {end} is past the end of the text (length {len(document)})"
    if document[start:end] != text:
        return "text", f"{text!r} != text[{start}:{end}] = {document[start:end]!r}"
    return None


def surrogate_problem(text: str) -> str | None:
    """Why ``text`` cannot be written as UTF-8 (a lone surrogate such as ``"\\ud800"``), or None."""
    match = _SURROGATE.search(text)
    if match is None:
        return None
    return (
        f"holds a lone surrogate U+{ord(match.group()):04X} at character {match.start()}, which cannot be written "
        "as UTF-8 (a broken \\u escape in the file?)"
    )


@dataclass(frozen=True)
class Span:
    """A half-open character range of a document and the text it covers."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def shifted(self, offset: int) -> Span:
        """The same span with both offsets moved by ``offset`` (used when cutting documents)."""
        return Span(self.start + offset, self.end + offset, self.text)

    def plain(self) -> Span:
        """The span without anything a subclass adds (a :class:`ScoredSpan`'s score), to compare with gold."""
        return Span(self.start, self.end, self.text)

    @classmethod
    def from_text(cls, text: str, start: int, end: int) -> Span:
        """The span of ``text[start:end]``; the only safe way to build a span from offsets."""
        return cls(start, end, text[start:end])


@dataclass(frozen=True)
class Quote:
    """One gold attribution: what was communicated (contents), by whom (sources) and the cue that signals it."""

    contents: tuple[Span, ...]
    sources: tuple[Span, ...] = ()
    cue: Span | None = None
    coreferences: tuple[Span, ...] = ()

    def labelled_spans(self) -> Iterator[tuple[str, Span]]:
        """``(kind, span)`` pairs for the token-labelled parts, in :data:`KINDS` order; coreferences are links."""
        return labelled_spans(self)

    @property
    def direct(self) -> bool:
        """True when every content span opens with a quotation mark (mixed quotes open with reported speech)."""
        return all(_is_quoted(span.text) for span in self.contents)

    def to_dict(self) -> dict[str, Any]:
        return {
            "cue": self.cue.to_dict() if self.cue else None,
            "sources": [s.to_dict() for s in self.sources],
            "contents": [s.to_dict() for s in self.contents],
            "coreferences": [s.to_dict() for s in self.coreferences],
        }

    @classmethod
    def from_labelled(cls, parts: Iterable[tuple[str, Span]], coreferences: Sequence[Span] = ()) -> Quote:
        """The record of ``(kind, span)`` parts, each put in its kind's field (:data:`KIND_FIELDS`).

        Raises:
            ValueError: two CUE parts (a record has one cue).
        """
        fields: dict[str, list[Span]] = {name: [] for name in KIND_FIELDS.values()}
        for kind, span in parts:
            fields[KIND_FIELDS[kind]].append(span)
        cues = fields.pop("cue")
        if len(cues) > 1:
            raise ValueError(f"a quote record has one cue, got {len(cues)}: {[c.text for c in cues]}")
        return cls(
            **{name: tuple(spans) for name, spans in fields.items()},
            cue=cues[0] if cues else None,
            coreferences=tuple(coreferences),
        )

    def shifted(self, offset: int) -> Quote:
        """The same record with every span moved by ``offset``."""
        return Quote(
            contents=tuple(s.shifted(offset) for s in self.contents),
            sources=tuple(s.shifted(offset) for s in self.sources),
            cue=self.cue.shifted(offset) if self.cue else None,
            coreferences=tuple(s.shifted(offset) for s in self.coreferences),
        )


@dataclass(frozen=True)
class Document:
    """A text, its gold quote records, and what the source file said beside them.

    ``unlinked_spans`` are labelled ``(kind, span)`` pairs that belong to no record: formats without linking
    (CoNLL) give only these, and training needs no more. ``metadata`` keeps every other top-level field of the
    input (``url``, ``license``, ``title``, ...) to be written back out; it does not take part in equality.
    """

    id: str
    text: str
    quotes: tuple[Quote, ...] = ()
    unlinked_spans: tuple[tuple[str, Span], ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        reserved = [key for key in self.metadata if key in _DOCUMENT_KEYS]
        if reserved:
            raise UserInputError(f"document {self.id!r}: metadata may not use the document fields {reserved}")

    def labelled_spans(self) -> list[tuple[str, Span]]:
        """Every distinct ``(kind, span)`` of the document sorted by position (a shared source counts once)."""
        unique = {(kind, span) for quote in self.quotes for kind, span in quote.labelled_spans()}
        unique.update(self.unlinked_spans)
        return sorted(unique, key=lambda item: (item[1].start, item[1].end, KINDS.index(item[0])))

    def to_dict(self) -> dict[str, Any]:
        """Citron JSON: ``id``, ``text``, ``quotes``; then ``unlinked_spans`` if any, then the metadata fields."""
        data: dict[str, Any] = {"id": self.id, "text": self.text, "quotes": [q.to_dict() for q in self.quotes]}
        if self.unlinked_spans:
            data["unlinked_spans"] = [{"kind": kind, **span.to_dict()} for kind, span in self.unlinked_spans]
        data.update(self.metadata)
        return data

    def slice(self, start: int, end: int, id: str | None = None) -> Document:
        """The part ``text[start:end]`` as a document of its own, with the quotes that lie wholly inside it.

        Raises:
            ValueError: a quote record (or an unlinked span) crosses the cut, so slicing would lose part of it.
        """
        kept = []
        for index, quote in enumerate(self.quotes):
            spans = [span for _, span in quote.labelled_spans()] + list(quote.coreferences)
            inside = [start <= s.start and s.end <= end for s in spans]
            if all(inside):
                kept.append(quote.shifted(-start))
            elif any(inside):
                raise ValueError(f"document {self.id!r}: quotes[{index}] crosses the cut [{start}, {end})")
        unlinked = []
        for index, (kind, span) in enumerate(self.unlinked_spans):
            if start <= span.start and span.end <= end:
                unlinked.append((kind, span.shifted(-start)))
            elif span.start < end and start < span.end:
                raise ValueError(f"document {self.id!r}: unlinked_spans[{index}] crosses the cut [{start}, {end})")
        return Document(
            id=id or f"{self.id}[{start}:{end}]",
            text=self.text[start:end],
            quotes=tuple(kept),
            unlinked_spans=tuple(unlinked),
            metadata=dict(self.metadata),
        )


@dataclass(frozen=True)
class ScoredSpan(Span):
    """A predicted span; ``score`` is the mean probability of its label over its tokens."""

    score: float = 1.0

    def to_dict(self, include_score: bool = False) -> dict[str, Any]:
        data = super().to_dict()
        if include_score:
            data["score"] = round(self.score, 6)
        return data


@dataclass(frozen=True)
class QuoteRecord:
    """A predicted quote: the linked spans, whether it is a direct quote, and a score.

    ``score`` is the mean of the scores of the record's content spans and cue (the parts that make it a quote);
    sources are scored on their own spans.
    """

    contents: tuple[ScoredSpan, ...]
    sources: tuple[ScoredSpan, ...] = ()
    cue: ScoredSpan | None = None
    coreferences: tuple[ScoredSpan, ...] = ()
    direct: bool = False
    score: float = 1.0

    def to_dict(self, include_scores: bool = False) -> dict[str, Any]:
        """The record in the spec's Citron JSON; ``include_scores`` adds ``score`` and ``direct`` fields."""
        data: dict[str, Any] = {
            "cue": self.cue.to_dict(include_scores) if self.cue else None,
            "sources": [s.to_dict(include_scores) for s in self.sources],
            "contents": [s.to_dict(include_scores) for s in self.contents],
            "coreferences": [s.to_dict(include_scores) for s in self.coreferences],
        }
        if include_scores:
            data["direct"] = self.direct
            data["score"] = round(self.score, 6)
        return data

    def labelled_spans(self) -> Iterator[tuple[str, ScoredSpan]]:
        """``(kind, span)`` pairs for the token-labelled parts, in :data:`KINDS` order; coreferences are links."""
        return labelled_spans(self)

    def to_quote(self) -> Quote:
        """The record as a gold-style :class:`Quote` (scores dropped), e.g. to compare with gold."""
        return Quote(
            contents=tuple(s.plain() for s in self.contents),
            sources=tuple(s.plain() for s in self.sources),
            cue=self.cue.plain() if self.cue else None,
            coreferences=tuple(s.plain() for s in self.coreferences),
        )


AnyRecord = Quote | QuoteRecord
"""A gold or a predicted record: what the metrics and the HTML pages accept."""


def labelled_spans(record: AnyRecord) -> Iterator[tuple[str, Any]]:
    """``(kind, span)`` pairs of a gold or predicted record, in :data:`KINDS` order (each from :data:`KIND_FIELDS`).

    >>> quote = Quote(contents=(Span(0, 4, "“Hi”"),), sources=(Span(5, 7, "he"),), cue=Span(8, 12, "said"))
    >>> [(kind, span.text) for kind, span in labelled_spans(quote)]
    [('QUOTE', '“Hi”'), ('SPEAKER', 'he'), ('CUE', 'said')]
    """
    for kind in KINDS:
        value = getattr(record, KIND_FIELDS[kind])
        for span in (value,) if isinstance(value, Span) else value or ():
            yield kind, span


def spans_of(record: AnyRecord, kind: str) -> list[Any]:
    """The spans of one kind of a record (its cue as a list of zero or one), read through :data:`KIND_FIELDS`."""
    value = getattr(record, KIND_FIELDS[kind])
    return [value] if isinstance(value, Span) else list(value or ())


def _is_quoted(text: str) -> bool:
    """Opens with a quotation mark (a quote that runs on to the next paragraph has no closing mark)."""
    text = text.strip()
    return len(text) >= 2 and text[0] in OPENING_QUOTE_MARKS


# --------------------------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidationIssue:
    """One problem in the input, located as precisely as the input allows."""

    file: str | None
    line: int | None
    document: str | None
    path: str
    problem: str

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
        doc = f" document {self.document!r}:" if self.document is not None else ""
        path = f" {self.path}:" if self.path else ""
        return f"{where}:{doc}{path} {self.problem}"


class DataValidationError(UserInputError):
    """Raised with every :class:`ValidationIssue` found, not only the first."""

    def __init__(self, issues: Sequence[ValidationIssue]):
        self.issues = list(issues)
        lines = "\n".join(f"  {issue}" for issue in self.issues)
        super().__init__(f"{len(self.issues)} problem(s) in the input:\n{lines}")


@dataclass
class _Checker:
    """Collects issues while turning one decoded JSON object into a :class:`Document`."""

    file: str | None
    line: int | None
    doc_id: str | None = None
    issues: list[ValidationIssue] = field(default_factory=list)

    def add(self, path: str, problem: str) -> None:
        self.issues.append(ValidationIssue(self.file, self.line, self.doc_id, path, problem))

    def keys(
        self, obj: dict, allowed: tuple[str, ...], required: tuple[str, ...], path: str, dropped: tuple[str, ...] = ()
    ) -> None:
        """Unknown keys are errors; ``dropped`` ones (prediction fields) are checked for type and not kept."""
        for key in obj:
            if key in dropped:
                value, types = obj[key], _PREDICTION_KEYS[key]
                if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
                    self.add(f"{path}.{key}", f"expected a {'boolean' if key == 'direct' else 'number'}, got {value!r}")
            elif key not in allowed:
                hint = _did_you_mean(key, allowed)
                self.add(f"{path}.{key}" if path else str(key), f"unknown field{hint} (allowed: {', '.join(allowed)})")
        for key in required:
            if key not in obj:
                self.add(f"{path}.{key}" if path else key, "missing required field")

    def string(self, value: str, path: str) -> None:
        problem = surrogate_problem(value)
        if problem:
            self.add(path, problem)

    def span(self, obj: Any, text: str | None, path: str, keys: tuple[str, ...] = _SPAN_KEYS) -> Span | None:
        if not isinstance(obj, dict):
            self.add(path, f"expected a span object {{{', '.join(keys)}}}, got {type(obj).__name__}")
            return None
        self.keys(obj, keys, keys, path, dropped=("score",) if keys == _SPAN_KEYS else ())
        start, end, span_text = obj.get("start"), obj.get("end"), obj.get("text")
        ok = True
        for name, value in (("start", start), ("end", end)):
            if name in obj and (not isinstance(value, int) or isinstance(value, bool)):
                self.add(f"{path}.{name}", f"expected an integer, got {type(value).__name__} {value!r}")
                ok = False
        if "text" in obj and not isinstance(span_text, str):
            self.add(f"{path}.text", f"expected a string, got {type(span_text).__name__}")
            ok = False
        if not ok or not all(k in obj for k in _SPAN_KEYS):
            return None
        self.string(span_text, f"{path}.text")
        problem = _span_problem(text, start, end, span_text)
        if problem:
            self.add(f"{path}.{problem[0]}", problem[1])
            return None
        return Span(start, end, span_text)

    def span_list(self, obj: Any, text: str | None, path: str) -> tuple[Span, ...]:
        if not isinstance(obj, list):
            self.add(path, f"expected a list of spans, got {type(obj).__name__}")
            return ()
        spans = [self.span(item, text, f"{path}[{i}]") for i, item in enumerate(obj)]
        return tuple(s for s in spans if s is not None)

    def quote(self, obj: Any, text: str | None, path: str) -> Quote | None:
        if not isinstance(obj, dict):
            self.add(path, f"expected a quote object, got {type(obj).__name__}")
            return None
        self.keys(obj, _QUOTE_KEYS, ("contents",), path, dropped=("score", "direct"))
        contents = self.span_list(obj.get("contents", []), text, f"{path}.contents")
        if "contents" in obj and isinstance(obj["contents"], list) and not obj["contents"]:
            self.add(f"{path}.contents", "a quote needs at least one content span")
        sources = self.span_list(obj.get("sources", []), text, f"{path}.sources")
        coreferences = self.span_list(obj.get("coreferences", []), text, f"{path}.coreferences")
        cue = None
        if obj.get("cue") is not None:
            cue = self.span(obj["cue"], text, f"{path}.cue")
        return Quote(contents=contents, sources=sources, cue=cue, coreferences=coreferences)

    def unlinked(self, obj: Any, text: str | None) -> list[tuple[str, Span]]:
        if not isinstance(obj, list):
            self.add("unlinked_spans", f"expected a list of spans, got {type(obj).__name__}")
            return []
        result = []
        for index, item in enumerate(obj):
            path = f"unlinked_spans[{index}]"
            span = self.span(item, text, path, _UNLINKED_KEYS)
            kind = item.get("kind") if isinstance(item, dict) else None
            if isinstance(item, dict) and "kind" in item and kind not in KINDS:
                self.add(f"{path}.kind", f"expected one of {', '.join(KINDS)}, got {kind!r}")
            elif span is not None:
                result.append((kind, span))
        return result

    def identifier(self, obj: dict) -> None:
        doc_id = obj.get("id")
        if isinstance(doc_id, (str, int)) and not isinstance(doc_id, bool):
            self.doc_id = str(doc_id)
        if "id" not in obj:
            return
        if self.doc_id is None:
            self.add("id", f"expected a string, got {type(doc_id).__name__}")
        elif not self.doc_id.strip():
            empty, self.doc_id = self.doc_id, None
            self.add("id", f"{empty!r} is empty; every document needs an id with a visible character")
        else:
            self.string(self.doc_id, "id")

    def document(self, obj: Any) -> Document | None:
        if not isinstance(obj, dict):
            self.add("", f"expected a document object {{id, text, quotes}}, got {type(obj).__name__}")
            return None
        self.identifier(obj)
        for key in ("id", "text"):
            if key not in obj:
                self.add(key, "missing required field")
        metadata = {key: value for key, value in obj.items() if key not in _DOCUMENT_KEYS}
        for key in metadata:
            hint = _did_you_mean(key, _DOCUMENT_KEYS)
            if hint:
                self.add(str(key), f"unknown field{hint} (other fields are kept as metadata)")
        for key, value in _strings(metadata):
            self.string(value, key)
        text = obj.get("text")
        if "text" in obj and not isinstance(text, str):
            self.add("text", f"expected a string, got {type(text).__name__}")
            text = None
        if text is not None:
            self.string(text, "text")
        raw_quotes = obj.get("quotes", [])
        if not isinstance(raw_quotes, list):
            self.add("quotes", f"expected a list of quotes, got {type(raw_quotes).__name__}")
            raw_quotes = []
        quotes = [self.quote(q, text, f"quotes[{i}]") for i, q in enumerate(raw_quotes)]
        unlinked = self.unlinked(obj.get("unlinked_spans", []), text)
        self.overlaps(
            [q for q in quotes if q is not None], [i for i, q in enumerate(quotes) if q is not None], unlinked
        )
        if self.issues or text is None or self.doc_id is None:
            return None
        return Document(
            id=self.doc_id,
            text=text,
            quotes=tuple(q for q in quotes if q is not None),
            unlinked_spans=tuple(unlinked),
            metadata=metadata,
        )

    def overlaps(self, quotes: list[Quote], indices: list[int], unlinked: list[tuple[str, Span]]) -> None:
        """Content spans never overlap; spans of different kinds never overlap (token labels are univocal)."""
        labelled = [
            (kind, span, f"quotes[{i}].{_field_name(quote, kind, span)}")
            for quote, i in zip(quotes, indices)
            for kind, span in quote.labelled_spans()
        ]
        labelled += [(kind, span, f"unlinked_spans[{i}]") for i, (kind, span) in enumerate(unlinked)]
        labelled.sort(key=lambda item: (item[1].start, item[1].end))
        for a in range(len(labelled)):
            kind_a, span_a, path_a = labelled[a]
            for b in range(a + 1, len(labelled)):
                kind_b, span_b, path_b = labelled[b]
                if span_b.start >= span_a.end:
                    break
                if kind_a == kind_b and span_a == span_b and kind_a != "QUOTE":
                    continue  # a source or cue shared by two records ("two cues with one subject")
                if kind_a == kind_b == "QUOTE":
                    self.add(path_b, f"content span overlaps {path_a} ({span_a.start}-{span_a.end})")
                else:
                    self.add(path_b, f"{kind_b} span overlaps {kind_a} span {path_a} ({span_a.start}-{span_a.end})")


def _did_you_mean(key: Any, known: Sequence[str]) -> str:
    """``"; did you mean 'quotes'?"`` for a key that is a near miss of a known one (``qoutes``, ``txt``, ``Text``)."""
    name = str(key)
    close = [k for k in known if k.lower() == name.lower()] or difflib.get_close_matches(name, known, n=1, cutoff=0.75)
    return f"; did you mean {close[0]!r}?" if close else ""


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string inside a decoded JSON value, with its field path (to check metadata for lone surrogates)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key, path)
            yield from _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")


def _field_name(quote: Quote, kind: str, span: Span) -> str:
    name = KIND_FIELDS[kind]
    if kind == "CUE":
        return name
    return f"{name}[{getattr(quote, name).index(span)}]"


def document_from_dict(obj: Any, *, file: str | None = None, line: int | None = None) -> Document:
    """Check one decoded Citron JSON object and build its :class:`Document`.

    Top-level fields other than ``id``, ``text``, ``quotes`` and ``unlinked_spans`` are kept as
    :attr:`Document.metadata`, except near misses of those names (``qoutes``, ``txt``), which are errors. Fields
    inside quotes and spans are checked strictly: an unknown one there is an error.

    Raises:
        DataValidationError: listing every problem, each with its field path.
    """
    checker = _Checker(file, line)
    document = checker.document(obj)
    if checker.issues or document is None:
        raise DataValidationError(checker.issues)
    return document


def validate_document(document: Document) -> list[ValidationIssue]:
    """The issues of an in-memory document (for documents built in code or by a reader)."""
    checker = _Checker(None, None)
    checker.document(document.to_dict())
    return checker.issues


def read_utf8(path: str | Path) -> str:
    """The file's text exactly as stored (no newline translation: offsets count ``\\r\\n`` as two characters).

    Raises:
        DataValidationError: the bytes are not UTF-8; the issue names the file, line and byte offset.
        OSError: the file cannot be read.
    """
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start]
        problem = (
            f"not UTF-8 text: byte 0x{byte:02x} at byte offset {error.start} ({error.reason}); save the file as UTF-8"
        )
        raise DataValidationError([ValidationIssue(str(path), line, None, "", problem)]) from None


# Reading and writing moved to quotes.citron and quotes.data; these names stay importable from here.
_MOVED = {
    "read_documents": "quotes.data",
    "validate_paths": "quotes.data",
    "write_documents": "quotes.citron",
    "iter_json_files": "quotes.citron",
    "JSON_SUFFIXES": "quotes.citron",
}


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module 'quotes.schema' has no attribute {name!r}")
