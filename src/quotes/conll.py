"""CoNLL-style BIO files: ``token<TAB>tag`` lines, written for tokenizer-free tools and read back as documents.

:func:`write_conll` writes a blank line after each sentence and ``-DOCSTART-<TAB>O`` before each document (tags
from :mod:`quotes.labels`). :func:`read_conll` gives the sentences back for seqeval; :func:`read_conll_documents`
gives documents to train on.

What the format cannot carry, and so what reading it back gives:

- the text: only tokens are stored. A document read back has its tokens joined by one space and its sentences by
  ``\\n``, so offsets index that text, not the original one;
- document ids: a document read back is ``<file stem>-<n>``, numbered from 1 in the file;
- quote records: which speaker and cue go with which content, and coreferences. A document read back has no
  :attr:`~quotes.schema.Document.quotes`; its spans are :attr:`~quotes.schema.Document.unlinked_spans`, which is
  all that training needs (record-level evaluation needs records, so evaluate on JSON or BRAT gold);
- a span across a line break: it becomes two spans (each sentence is a valid BIO sequence on its own).

Written again, a document read back gives the same file byte for byte.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from quotes.errors import UserInputError
from quotes.labels import LABELS, spans_to_tags, word_offsets
from quotes.schema import DataValidationError, Document, Span, ValidationIssue, read_utf8

logger = logging.getLogger(__name__)

Tokenize = Callable[[str], Sequence[tuple[int, int]]]

CONLL_SUFFIXES = (".conll", ".bio")
"""Suffixes read as CoNLL (``quotes convert`` also writes CoNLL to ``.txt``; rename such a file to read it)."""

LOST_IN_CONLL = (
    "document ids, the original whitespace and offsets, quote records (which speaker and cue go with which "
    "content) and coreferences"
)
"""What :func:`write_conll` cannot store, for messages."""

DOCSTART = "-DOCSTART-"
_EXAMPLES = 3


def conll_sentences(document: Document, tokenize: Tokenize = word_offsets) -> list[list[tuple[str, str]]]:
    """The document as sentences of ``(token, tag)`` pairs; a sentence ends where a newline separates two tokens.

    Tags come from :func:`quotes.labels.spans_to_tags`. A span that runs over a newline goes on with ``B-`` in
    the next sentence, so each sentence is a valid BIO sequence on its own.

    Raises:
        ValueError: the tokenizer gave a token containing whitespace, which the format cannot hold.
    """
    offsets = [o for o in tokenize(document.text) if o[0] != o[1]]
    tags = spans_to_tags(document.labelled_spans(), offsets)
    sentences: list[list[tuple[str, str]]] = []
    previous_end = None
    for (start, end), tag in zip(offsets, tags, strict=True):
        token = document.text[start:end]
        if any(c.isspace() for c in token):
            raise UserInputError(f"document {document.id!r}: token {token!r} at {start}-{end} contains whitespace")
        if previous_end is None or "\n" in document.text[previous_end:start]:
            sentences.append([])
            if tag.startswith("I-"):
                tag = "B-" + tag[2:]
        sentences[-1].append((token, tag))
        previous_end = end
    return sentences


def write_conll(documents: Iterable[Document], path: str | Path, tokenize: Tokenize = word_offsets) -> Path:
    """Write ``token<TAB>tag`` lines, a blank line after each sentence and ``-DOCSTART-`` before each document.

    Args:
        documents: gold or predicted documents.
        path: the file to write (UTF-8, ``\\n`` line ends).
        tokenize: text -> token offsets; the default splits words and single punctuation marks.

    Returns:
        ``path``.
    """
    path = Path(path)
    lines = []
    for document in documents:
        lines.append(f"{DOCSTART}\tO\n\n")
        for sentence in conll_sentences(document, tokenize):
            lines.extend(f"{token}\t{tag}\n" for token, tag in sentence)
            lines.append("\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes("".join(lines).encode("utf-8"))
    return path


def _parse(path: Path, check_tags: bool) -> tuple[list[list[list[tuple[str, str, int]]]], list[ValidationIssue]]:
    """Documents of sentences of ``(token, tag, line)``; a file without ``-DOCSTART-`` is one document."""
    try:
        raw = read_utf8(path)
    except DataValidationError as error:
        return [], error.issues
    except OSError as error:
        return [], [ValidationIssue(str(path), None, None, "", f"cannot read ({error.strerror})")]
    documents: list[list[list[tuple[str, str, int]]]] = []
    sentence: list[tuple[str, str, int]] = []
    issues = []

    def close_sentence() -> None:
        nonlocal sentence
        if sentence:
            if not documents:
                documents.append([])
            documents[-1].append(sentence)
        sentence = []

    lines = raw.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for number, line in enumerate(lines, start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            close_sentence()
            continue
        fields = line.split("\t")
        if len(fields) != 2 or not fields[0] or not fields[1]:
            problem = f"expected 'token<TAB>tag', got {_clip(line)!r}"
            issues.append(ValidationIssue(str(path), number, None, "", problem))
        elif fields[0] == DOCSTART:
            close_sentence()
            documents.append([])
        elif check_tags and fields[1] not in LABELS:
            problem = f"unknown tag {fields[1]!r} (expected one of {', '.join(LABELS)})"
            issues.append(ValidationIssue(str(path), number, None, "", problem))
        else:
            sentence.append((fields[0], fields[1], number))
    close_sentence()
    return documents, issues


def read_conll(path: str | Path) -> list[list[tuple[str, str]]]:
    """Read ``token<TAB>tag`` lines back as sentences (``-DOCSTART-`` lines are skipped).

    >>> tags = [[tag for _, tag in sentence] for sentence in read_conll("gold.conll")]  # doctest: +SKIP
    >>> seqeval.metrics.f1_score(tags, tags)  # doctest: +SKIP
    1.0

    Raises:
        DataValidationError: every line that is not ``token<TAB>tag``, with its file and line.
    """
    documents, issues = _parse(Path(path), check_tags=False)
    if issues:
        raise DataValidationError(issues)
    return [[(token, tag) for token, tag, _ in sentence] for document in documents for sentence in document]


def scan_conll(path: str | Path) -> tuple[list[Document], list[ValidationIssue], list[ValidationIssue]]:
    """``(documents, errors, repairs)`` of one CoNLL file, never raising on bad data (see the module docstring).

    A repair is an ``I-X`` that continues no ``X`` span (after ``O``, another kind, or at a sentence start): it
    begins a span, as seqeval's lenient mode reads it, and is listed so that nothing changes without a word.
    """
    path = Path(path)
    parsed, issues = _parse(path, check_tags=True)
    if issues:
        return [], issues, []
    documents, repairs = [], []
    for number, sentences in enumerate(parsed, start=1):
        doc_id = f"{path.stem}-{number}"
        text, spans = _document_text_and_spans(sentences, path, doc_id, repairs)
        documents.append(Document(doc_id, text, unlinked_spans=tuple(spans)))
    return documents, [], repairs


def _document_text_and_spans(
    sentences: list[list[tuple[str, str, int]]], path: Path, doc_id: str, repairs: list[ValidationIssue]
) -> tuple[str, list[tuple[str, Span]]]:
    """Tokens joined by a space, sentences by a newline; spans from the tags over that text."""
    pieces: list[str] = []
    spans: list[tuple[str, Span]] = []
    length = 0
    for sentence in sentences:
        if pieces:
            pieces.append("\n")
            length += 1
        current: list = []  # [kind, start, end] of the span being read
        for position, (token, tag, line) in enumerate(sentence):
            if position:
                pieces.append(" ")
                length += 1
            start, end = length, length + len(token)
            pieces.append(token)
            length = end
            if tag == "O":
                current = []
                continue
            prefix, kind = tag.split("-", 1)
            if prefix == "I" and current and current[0] == kind:
                current[2] = end
                spans[-1] = (kind, (current[1], end))
                continue
            if prefix == "I":
                problem = f"{tag} continues no {kind} span; read as B-{kind}"
                repairs.append(ValidationIssue(str(path), line, doc_id, "", problem))
            current = [kind, start, end]
            spans.append((kind, (start, end)))
    text = "".join(pieces)
    return text, [(kind, Span.from_text(text, start, end)) for kind, (start, end) in spans]


def read_conll_documents(path: str | Path) -> list[Document]:
    """The documents of a CoNLL file written by :func:`write_conll` (or another tool), spans without records.

    >>> docs = read_conll_documents("gold.conll")  # doctest: +SKIP
    >>> docs[0].id, docs[0].quotes, docs[0].unlinked_spans[0]  # doctest: +SKIP
    ('gold-1', (), ('SPEAKER', Span(start=0, end=5, text='Putin')))

    Raises:
        DataValidationError: every line that is not ``token<TAB>tag`` with a known tag, with its file and line.
    """
    documents, issues, repairs = scan_conll(path)
    if issues:
        raise DataValidationError(issues)
    log_repairs(repairs, path)
    return documents


def log_repairs(repairs: Sequence[ValidationIssue], where: str | Path) -> None:
    """One WARNING with the count and the first examples of the tags read leniently."""
    if repairs:
        examples = "; ".join(str(issue) for issue in repairs[:_EXAMPLES])
        logger.warning("%s: %d I- tags begin a span (read as B-); first: %s", where, len(repairs), examples)


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
