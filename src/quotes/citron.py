"""Citron JSON files: ``.json`` (one document) and ``.jsonl`` (one document per line), read and written.

The format is the spec's (``id``, ``text``, ``quotes``; README, "Data format"), the one the BBC Citron quote
extractor uses, plus what a document read from elsewhere may carry: ``unlinked_spans`` (labelled spans with no
record, from CoNLL) and any other top-level field (``url``, ``license``), kept as metadata and written back out.
JSONL lines end at ``\\n`` and nowhere else: U+2028, U+2029, U+0085 and control characters are valid inside JSON
strings of scraped news, and every file :func:`write_documents` writes, :func:`read_citron_file` reads back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from quotes.errors import UserInputError
from quotes.schema import (
    DataValidationError,
    Document,
    ValidationIssue,
    document_from_dict,
    read_utf8,
    surrogate_problem,
    validate_document,
)

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


def jsonl_lines(raw: str) -> list[tuple[int, str]]:
    """``(line number, line)`` for each non-blank line, split at ``\\n`` only (never ``str.splitlines``)."""
    return [(number, line) for number, line in enumerate(raw.split("\n"), start=1) if line.strip(" \t\r")]


def read_citron_file(path: str | Path) -> tuple[list[Document], list[ValidationIssue]]:
    """The valid documents of one ``.json`` or ``.jsonl`` file, and every problem found (never raises on data)."""
    path = Path(path)
    name = str(path)
    if path.suffix not in JSON_SUFFIXES:
        return [], [
            ValidationIssue(name, None, None, "", f"unsupported file type {path.suffix!r} (use .json or .jsonl)")
        ]
    try:
        raw = read_utf8(path)
    except DataValidationError as error:
        return [], error.issues
    except OSError as error:
        return [], [ValidationIssue(name, None, None, "", f"cannot read ({error.strerror})")]
    issues: list[ValidationIssue] = []
    records = []
    if path.suffix == ".jsonl":
        for number, line in jsonl_lines(raw):
            try:
                records.append((number, json.loads(line)))
            except json.JSONDecodeError as error:
                issues.append(
                    ValidationIssue(name, number, None, "", f"invalid JSON: {error.msg} at column {error.colno}")
                )
            except RecursionError:
                issues.append(ValidationIssue(name, number, None, "", "invalid JSON: nested too deeply"))
            except ValueError as error:  # e.g. an integer of more than 4,300 digits
                issues.append(ValidationIssue(name, number, None, "", f"unreadable JSON value: {error}"))
    else:
        try:
            records = [(None, json.loads(raw))]
        except json.JSONDecodeError as error:
            return [], [ValidationIssue(name, error.lineno, None, "", f"invalid JSON: {error.msg}")]
        except RecursionError:
            return [], [ValidationIssue(name, None, None, "", "invalid JSON: nested too deeply")]
        except ValueError as error:  # e.g. an integer of more than 4,300 digits
            return [], [ValidationIssue(name, None, None, "", f"unreadable JSON value: {error}")]
    documents = []
    for line, obj in records:
        try:
            documents.append(document_from_dict(obj, file=name, line=line))
        except DataValidationError as error:
            issues.extend(error.issues)
    return documents, issues


def write_documents(documents: Iterable[Document], path: str | Path) -> Path:
    """Write documents as ``.jsonl`` (one per line) or ``.json`` (exactly one document), UTF-8 with ``\\n`` ends.

    The file is written only once every document has been encoded, so a bad document leaves no half-written file.

    Raises:
        ValueError: the suffix is neither ``.json`` nor ``.jsonl``, or ``.json`` is asked for several documents.
        DataValidationError: a document holds a lone surrogate, which UTF-8 cannot encode.
    """
    path = Path(path)
    documents = list(documents)
    if path.suffix not in JSON_SUFFIXES:
        raise UserInputError(f"{path}: unsupported file type {path.suffix!r} (use .json or .jsonl)")
    if path.suffix == ".json" and len(documents) != 1:
        raise UserInputError(f"{path}: a .json file holds exactly one document, got {len(documents)}; use .jsonl")
    issues = [
        ValidationIssue(str(path), None, document.id, issue.path, issue.problem)
        for document in documents
        if surrogate_problem(document.id + document.text) or any(surrogate_problem(str(v)) for v in _texts(document))
        for issue in validate_document(document)
    ]
    if issues:
        raise DataValidationError(issues)
    if path.suffix == ".json":
        content = json.dumps(documents[0].to_dict(), ensure_ascii=False, indent=2) + "\n"
    else:
        content = "".join(json.dumps(document.to_dict(), ensure_ascii=False) + "\n" for document in documents)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8"))
    return path


def _texts(document: Document) -> list[str]:
    """The span texts and metadata values of a document (where a lone surrogate may hide)."""
    texts = [span.text for _, span in document.labelled_spans()]
    texts += [span.text for quote in document.quotes for span in quote.coreferences]
    texts += [json.dumps(value, ensure_ascii=False) for value in document.metadata.values()]
    return texts
