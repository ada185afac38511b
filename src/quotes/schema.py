"""Typed records for quote attribution and their Citron-compatible JSON form.

Gold data is a :class:`Document` holding :class:`Quote` records made of :class:`Span` objects (character offsets,
``start`` inclusive, ``end`` exclusive, ``text == document[start:end]``). Predictions are :class:`QuoteRecord`
objects made of :class:`ScoredSpan` objects. Every reader checks the whole input and raises one
:class:`DataValidationError` listing every problem with its file, line, document id and field path, so nothing
is dropped silently. Pure Python: no torch, no transformers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KINDS = ("QUOTE", "SPEAKER", "CUE")
"""Span kinds, in label order. QUOTE is a record's content, SPEAKER its source, CUE its cue."""

_SPAN_KEYS = ("start", "end", "text")
_QUOTE_KEYS = ("cue", "sources", "contents", "coreferences")
_DOCUMENT_KEYS = ("id", "text", "quotes")
OPENING_QUOTE_MARKS = "'\"‘“«‹„‚`"
CLOSING_QUOTE_MARKS = "'\"’”»›‟`"


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
        """``(kind, span)`` pairs for the token-labelled parts; coreferences are links, not labels."""
        for span in self.contents:
            yield "QUOTE", span
        for span in self.sources:
            yield "SPEAKER", span
        if self.cue is not None:
            yield "CUE", self.cue

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


@dataclass(frozen=True)
class Document:
    """A text and its gold quote records."""

    id: str
    text: str
    quotes: tuple[Quote, ...] = ()

    def labelled_spans(self) -> list[tuple[str, Span]]:
        """Every distinct ``(kind, span)`` of the document sorted by position (a shared source counts once)."""
        unique = {(kind, span) for quote in self.quotes for kind, span in quote.labelled_spans()}
        return sorted(unique, key=lambda item: (item[1].start, item[1].end, KINDS.index(item[0])))

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "quotes": [q.to_dict() for q in self.quotes]}

    def slice(self, start: int, end: int, id: str | None = None) -> Document:
        """The part ``text[start:end]`` as a document of its own, with the quotes that lie wholly inside it.

        Raises:
            ValueError: a quote record crosses the cut, so slicing would lose part of it.
        """
        kept = []
        for index, quote in enumerate(self.quotes):
            spans = [span for _, span in quote.labelled_spans()] + list(quote.coreferences)
            inside = [start <= s.start and s.end <= end for s in spans]
            if all(inside):
                kept.append(
                    Quote(
                        contents=tuple(s.shifted(-start) for s in quote.contents),
                        sources=tuple(s.shifted(-start) for s in quote.sources),
                        cue=quote.cue.shifted(-start) if quote.cue else None,
                        coreferences=tuple(s.shifted(-start) for s in quote.coreferences),
                    )
                )
            elif any(inside):
                raise ValueError(f"document {self.id!r}: quotes[{index}] crosses the cut [{start}, {end})")
        return Document(id=id or f"{self.id}[{start}:{end}]", text=self.text[start:end], quotes=tuple(kept))


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

    def to_quote(self) -> Quote:
        """The record as a gold-style :class:`Quote` (scores dropped), e.g. to compare with gold."""

        def plain(span: Span) -> Span:
            return Span(span.start, span.end, span.text)

        return Quote(
            contents=tuple(plain(s) for s in self.contents),
            sources=tuple(plain(s) for s in self.sources),
            cue=plain(self.cue) if self.cue else None,
            coreferences=tuple(plain(s) for s in self.coreferences),
        )


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


class DataValidationError(ValueError):
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

    def keys(self, obj: dict, allowed: tuple[str, ...], required: tuple[str, ...], path: str) -> None:
        for key in obj:
            if key not in allowed:
                self.add(f"{path}.{key}" if path else str(key), f"unknown field (allowed: {', '.join(allowed)})")
        for key in required:
            if key not in obj:
                self.add(f"{path}.{key}" if path else key, "missing required field")

    def span(self, obj: Any, text: str | None, path: str) -> Span | None:
        if not isinstance(obj, dict):
            self.add(path, f"expected a span object {{start, end, text}}, got {type(obj).__name__}")
            return None
        self.keys(obj, _SPAN_KEYS, _SPAN_KEYS, path)
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
        if start < 0:
            self.add(f"{path}.start", f"offset {start} is negative")
            return None
        if end <= start:
            self.add(f"{path}.end", f"end {end} is not after start {start} (reversed or empty span)")
            return None
        if text is not None:
            if end > len(text):
                self.add(f"{path}.end", f"offset {end} is past the end of the text (length {len(text)})")
                return None
            if text[start:end] != span_text:
                self.add(f"{path}.text", f"{span_text!r} != text[{start}:{end}] = {text[start:end]!r}")
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
        self.keys(obj, _QUOTE_KEYS, ("contents",), path)
        contents = self.span_list(obj.get("contents", []), text, f"{path}.contents")
        if "contents" in obj and isinstance(obj["contents"], list) and not obj["contents"]:
            self.add(f"{path}.contents", "a quote needs at least one content span")
        sources = self.span_list(obj.get("sources", []), text, f"{path}.sources")
        coreferences = self.span_list(obj.get("coreferences", []), text, f"{path}.coreferences")
        cue = None
        if obj.get("cue") is not None:
            cue = self.span(obj["cue"], text, f"{path}.cue")
        return Quote(contents=contents, sources=sources, cue=cue, coreferences=coreferences)

    def document(self, obj: Any) -> Document | None:
        if not isinstance(obj, dict):
            self.add("", f"expected a document object {{id, text, quotes}}, got {type(obj).__name__}")
            return None
        doc_id = obj.get("id")
        if isinstance(doc_id, (str, int)) and not isinstance(doc_id, bool):
            self.doc_id = str(doc_id)
        self.keys(obj, _DOCUMENT_KEYS, ("id", "text"), "")
        if "id" in obj and self.doc_id is None:
            self.add("id", f"expected a string, got {type(doc_id).__name__}")
        text = obj.get("text")
        if "text" in obj and not isinstance(text, str):
            self.add("text", f"expected a string, got {type(text).__name__}")
            text = None
        raw_quotes = obj.get("quotes", [])
        if not isinstance(raw_quotes, list):
            self.add("quotes", f"expected a list of quotes, got {type(raw_quotes).__name__}")
            raw_quotes = []
        quotes = [self.quote(q, text, f"quotes[{i}]") for i, q in enumerate(raw_quotes)]
        self.overlaps([q for q in quotes if q is not None], [i for i, q in enumerate(quotes) if q is not None])
        if self.issues or text is None or self.doc_id is None:
            return None
        return Document(id=self.doc_id, text=text, quotes=tuple(q for q in quotes if q is not None))

    def overlaps(self, quotes: list[Quote], indices: list[int]) -> None:
        """Content spans never overlap; spans of different kinds never overlap (token labels are univocal)."""
        labelled = [
            (kind, span, f"quotes[{i}].{_field_name(quote, kind, span)}")
            for quote, i in zip(quotes, indices)
            for kind, span in quote.labelled_spans()
        ]
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


def _field_name(quote: Quote, kind: str, span: Span) -> str:
    if kind == "CUE":
        return "cue"
    group, name = (quote.contents, "contents") if kind == "QUOTE" else (quote.sources, "sources")
    return f"{name}[{group.index(span)}]"


def document_from_dict(obj: Any, *, file: str | None = None, line: int | None = None) -> Document:
    """Check one decoded Citron JSON object and build its :class:`Document`.

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


# --------------------------------------------------------------------------------------------------------------
# Reading and writing
# --------------------------------------------------------------------------------------------------------------

JSON_SUFFIXES = (".json", ".jsonl")


def iter_json_files(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    """The ``.json``/``.jsonl`` files named by ``paths``, directories searched recursively in sorted order."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in JSON_SUFFIXES and p.is_file()))
        elif path.exists():
            files.append(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or directory")
    return files


def _load_file(path: Path) -> tuple[list[Document], list[ValidationIssue]]:
    documents: list[Document] = []
    issues: list[ValidationIssue] = []
    name = str(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        return [], [ValidationIssue(name, None, None, "", f"not UTF-8 text ({error})")]
    if path.suffix == ".jsonl":
        records = []
        for number, line in enumerate(raw.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append((number, json.loads(line)))
            except json.JSONDecodeError as error:
                issues.append(
                    ValidationIssue(name, number, None, "", f"invalid JSON: {error.msg} at column {error.colno}")
                )
    elif path.suffix == ".json":
        try:
            records = [(None, json.loads(raw))]
        except json.JSONDecodeError as error:
            return [], [ValidationIssue(name, error.lineno, None, "", f"invalid JSON: {error.msg}")]
    else:
        return [], [
            ValidationIssue(name, None, None, "", f"unsupported file type {path.suffix!r} (use .json or .jsonl)")
        ]
    for line, obj in records:
        try:
            documents.append(document_from_dict(obj, file=name, line=line))
        except DataValidationError as error:
            issues.extend(error.issues)
    return documents, issues


def validate_paths(paths: str | Path | Iterable[str | Path]) -> tuple[list[Document], list[ValidationIssue]]:
    """Read every document under ``paths`` and return the valid ones with all issues found (never raises on data)."""
    documents: list[Document] = []
    issues: list[ValidationIssue] = []
    first_seen: dict[str, str] = {}
    for path in iter_json_files(paths):
        found, problems = _load_file(path)
        issues.extend(problems)
        for document in found:
            if document.id in first_seen:
                issues.append(
                    ValidationIssue(
                        str(path), None, document.id, "id", f"duplicate id (first in {first_seen[document.id]})"
                    )
                )
            first_seen.setdefault(document.id, str(path))
        documents.extend(found)
    return documents, issues


def read_documents(paths: str | Path | Iterable[str | Path]) -> list[Document]:
    """Read Citron JSON (``.json``, one document) and JSONL (one per line) files or directories of them.

    >>> docs = read_documents("data/annotations/seed")
    >>> docs[0].quotes[0].contents[0].text
    '1,000 Ukrainian soldiers have crossed Russian border'

    Raises:
        DataValidationError: every problem in every file, each naming file, line, document id and field path.
        FileNotFoundError: a path does not exist.
    """
    documents, issues = validate_paths(paths)
    if issues:
        raise DataValidationError(issues)
    return documents


def write_documents(documents: Iterable[Document], path: str | Path) -> Path:
    """Write documents as ``.jsonl`` (one per line) or ``.json`` (exactly one document)."""
    path = Path(path)
    documents = list(documents)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".json":
        if len(documents) != 1:
            raise ValueError(f"{path}: a .json file holds exactly one document, got {len(documents)}; use .jsonl")
        path.write_text(json.dumps(documents[0].to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    elif path.suffix == ".jsonl":
        with path.open("w", encoding="utf-8") as handle:
            for document in documents:
                handle.write(json.dumps(document.to_dict(), ensure_ascii=False) + "\n")
    else:
        raise ValueError(f"{path}: unsupported file type {path.suffix!r} (use .json or .jsonl)")
    return path
