"""The data layer: read gold documents in any supported format, split them without leaks, window them for a model.

:func:`read_documents` is the one reader: Citron JSON/JSONL files (:mod:`quotes.citron`), CoNLL files
(:mod:`quotes.conll`), BRAT standoff directories such as PolNeAR (:mod:`quotes.brat`), or directories holding any
of them. An input that yields no document is an error, not an empty success. ``leak_free_split`` cuts documents
into paragraph blocks and keeps out of training every block that shares a sentence with the test set (the seed
articles repeat each other's sentences). ``build_dataset`` turns documents into tokenized, labelled, overlapping
windows as a ``datasets.Dataset``, counting the gold spans a window cuts.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from quotes.errors import UserInputError
from quotes.labels import (
    DEFAULT_MAX_LENGTH,
    DEFAULT_STRIDE,
    CutStats,
    count_cut_spans,
    spans_to_label_ids,
    stride_problem,
    word_shape_ids,
)
from quotes.schema import DataValidationError, Document, ValidationIssue
from quotes.text import QUOTE_MARKS, sentences

if TYPE_CHECKING:  # pragma: no cover
    import datasets

logger = logging.getLogger(__name__)

Attributions = Literal["all", "communication"]
Conventions = Literal["source", "guidelines"]  # quotes.conventions.Conventions (not imported: keep this light)

EXPECTED = (
    "expected .json/.jsonl files (Citron JSON), .conll/.bio files (CoNLL token<TAB>tag), or a folder of "
    "<name>.txt + <name>.ann pairs (BRAT standoff, as in PolNeAR)"
)
"""What :func:`read_documents` reads, for messages."""


def is_brat_directory(path: Path) -> bool:
    return path.is_dir() and any(path.glob("*.ann"))


def read_documents(
    paths: str | Path | Iterable[str | Path],
    *,
    attributions: Attributions = "all",
    allow_empty: bool = False,
    conventions: Conventions = "source",
) -> list[Document]:
    """Read gold documents from Citron JSON/JSONL or CoNLL files, BRAT directories, or directories of them.

    >>> docs = read_documents("data/annotations/seed")
    >>> [d.id for d in docs]
    ['000_ffa0236e68dfa46f', '003_8b1ae2b3cf817a52']

    Args:
        paths: files or directories. A directory is read whole: the BRAT pairs at its top level and every
            ``.json``/``.jsonl``/``.conll``/``.bio`` file under it (sorted by path).
        attributions: for BRAT input, ``"communication"`` keeps only records whose cue is an act of communication
            (the spec's definition); ``"all"`` keeps beliefs and thoughts as well (PolNeAR's own semantics).
        allow_empty: return ``[]`` for an input that holds no document instead of raising.
        conventions: for BRAT input, ``"guidelines"`` redraws the spans to our guidelines' boundaries
            (:mod:`quotes.conventions`); ``"source"`` keeps the corpus's own (PolNeAR's). Other formats are ours.

    Raises:
        FileNotFoundError: a path does not exist.
        DataValidationError: every problem found, each naming file, line, document id and field; an input that
            yields no document (an empty file, an empty folder, a folder of ``.txt`` without ``.ann``) is one.
    """
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    for path in map(Path, paths):
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such file or directory")
    documents, issues = scan_documents(
        paths, attributions=attributions, allow_empty=allow_empty, conventions=conventions
    )
    if issues:
        raise DataValidationError(issues)
    return documents


def scan_documents(
    paths: str | Path | Iterable[str | Path],
    *,
    attributions: Attributions = "all",
    allow_empty: bool = False,
    conventions: Conventions = "source",
) -> tuple[list[Document], list[ValidationIssue]]:
    """What :func:`read_documents` reads, with every problem returned instead of raised (for ``quotes validate``).

    A missing path is one more problem; duplicate ids are found across all paths.
    """
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    documents: list[Document] = []
    issues: list[ValidationIssue] = []
    if not paths and not allow_empty:
        issues.append(ValidationIssue(None, None, None, "", f"no input given: {EXPECTED}"))
    first_seen: dict[str, str] = {}
    for path in map(Path, paths):
        found, problems = _read_path(path, attributions, conventions)
        if not found and not problems and not allow_empty:
            problems = [_nothing_found(path)]
        issues.extend(problems)
        for document, file in found:
            if document.id in first_seen:
                problem = f"duplicate id (first in {first_seen[document.id]})"
                issues.append(ValidationIssue(file, None, document.id, "id", problem))
            first_seen.setdefault(document.id, file)
            documents.append(document)
    return documents, issues


def validate_paths(paths: str | Path | Iterable[str | Path]) -> tuple[list[Document], list[ValidationIssue]]:
    """The valid documents under ``paths`` and every problem found (never raises on data): :func:`scan_documents`."""
    return scan_documents(paths)


def _read_path(
    path: Path, attributions: Attributions, conventions: Conventions = "source"
) -> tuple[list[tuple[Document, str]], list[ValidationIssue]]:
    """``(document, file)`` pairs and problems of one input path, whatever its format."""
    from quotes.citron import JSON_SUFFIXES
    from quotes.conll import CONLL_SUFFIXES

    if not path.exists():
        return [], [ValidationIssue(str(path), None, None, "", "no such file or directory")]
    if path.is_file():
        return _read_file(path, attributions, conventions)
    found: list[tuple[Document, str]] = []
    issues: list[ValidationIssue] = []
    if is_brat_directory(path):
        from quotes.brat import log_report, scan_brat

        report = scan_brat(path, attributions=attributions, conventions=conventions)
        issues.extend(report.errors)
        if not report.errors:
            log_report(report, path)
            found.extend((document, str(path / f"{document.id}.ann")) for document in report.documents)
    suffixes = (*JSON_SUFFIXES, *CONLL_SUFFIXES)
    for file in sorted(p for p in path.rglob("*") if p.suffix in suffixes and p.is_file()):
        more, problems = _read_file(file, attributions, conventions)
        found.extend(more)
        issues.extend(problems)
    return found, issues


def _read_file(
    path: Path, attributions: Attributions, conventions: Conventions = "source"
) -> tuple[list[tuple[Document, str]], list[ValidationIssue]]:
    from quotes.citron import JSON_SUFFIXES, read_citron_file
    from quotes.conll import CONLL_SUFFIXES, log_repairs, scan_conll

    name = str(path)
    if path.suffix in JSON_SUFFIXES:
        documents, issues = read_citron_file(path)
    elif path.suffix in CONLL_SUFFIXES:
        documents, issues, repairs = scan_conll(path)
        log_repairs(repairs, path)
    elif path.suffix == ".ann":
        from quotes.brat import log_report, scan_brat_document

        txt = path.with_suffix(".txt")
        if not txt.is_file():
            return [], [ValidationIssue(name, None, path.stem, "", f"no {txt.name} next to it")]
        report = scan_brat_document(txt, path, attributions=attributions, conventions=conventions)
        documents, issues = report.documents, report.errors
        if not issues:
            log_report(report, path)
    elif path.suffix == ".txt":
        problem = (
            "a .txt file holds text but no annotations: give the folder of its <name>.txt + <name>.ann pairs "
            "(BRAT), or its .ann file; a CoNLL file written as .txt reads as .conll (rename it); to find quotes "
            "in plain text, use `quotes predict`"
        )
        return [], [ValidationIssue(name, None, None, "", problem)]
    else:
        return [], [ValidationIssue(name, None, None, "", f"unsupported file type {path.suffix!r}: {EXPECTED}")]
    return [(document, name) for document in documents], issues


def _nothing_found(path: Path) -> ValidationIssue:
    """The problem of an input that yields no document, saying what was there and what is expected."""
    if path.is_file():
        return ValidationIssue(
            str(path), None, None, "", f"holds no documents (the file is empty or blank): {EXPECTED}"
        )
    texts = [p for p in path.glob("*.txt") if p.is_file()]
    nested = sorted({str(p.parent.relative_to(path)) for p in path.rglob("*.ann") if p.parent != path})
    if texts:
        found = f"{len(texts)} .txt file(s) without .ann"
    elif nested:
        found = f"no files to read here, but .ann files in the subfolder(s) {', '.join(nested[:5])}: name those"
    else:
        found = "no file to read (an empty folder?)"
    return ValidationIssue(str(path), None, None, "", f"no documents found: {found}; {EXPECTED}")


# --------------------------------------------------------------------------------------------------------------
# Leak-free splitting
# --------------------------------------------------------------------------------------------------------------

_QUOTE_MARKS = str.maketrans({c: "'" for c in QUOTE_MARKS})


def normalise_sentence(sentence: str) -> str:
    """A comparison key for a sentence: case, quote-mark style, accents, spacing and edge punctuation ignored."""
    text = unicodedata.normalize("NFKC", sentence).translate(_QUOTE_MARKS).lower()
    text = re.sub(r"\s+", " ", text)
    return text.strip(" '.,;:!?-–—=")


def sentence_keys(text: str, min_words: int = 4, passage_words: int = 8) -> set[str]:
    """Comparison keys of the sentences of ``text``: each run of ``passage_words`` words, or a whole shorter sentence.

    Two texts that share a key share a sentence or a passage of 8 words: near-duplicates such as ``Moscow said it
    had sent reserves ...`` and ``Moscow has said it had sent reserves ...`` collide, so neither can leak. Sentences
    under ``min_words`` words (``he said.``) say nothing about leaks and give no key.
    """
    keys = set()
    for start, end in sentences(text):
        words = normalise_sentence(text[start:end]).split()
        if len(words) < min_words:
            continue
        if len(words) <= passage_words:
            keys.add(" ".join(words))
        else:
            keys.update(" ".join(words[i : i + passage_words]) for i in range(len(words) - passage_words + 1))
    return keys


def paragraph_blocks(document: Document) -> list[tuple[int, int]]:
    """Character ranges of runs of paragraphs that no quote record crosses (a split quote stays in one block)."""
    breaks = [m.end() for m in re.finditer(r"\n+", document.text)]
    starts = [0, *breaks]
    ends = [*(m.start() for m in re.finditer(r"\n+", document.text)), len(document.text)]
    blocks = [[s, e] for s, e in zip(starts, ends) if e > s]
    for quote in document.quotes:
        spans = [span for _, span in quote.labelled_spans()] + list(quote.coreferences)
        lo, hi = min(s.start for s in spans), max(s.end for s in spans)
        first = next(i for i, b in enumerate(blocks) if b[1] > lo)
        last = next(i for i, b in enumerate(blocks) if b[1] >= hi)
        if last > first:
            blocks[first : last + 1] = [[blocks[first][0], blocks[last][1]]]
    return [(s, e) for s, e in blocks]


@dataclass(frozen=True)
class SplitReport:
    """What :func:`leak_free_split` kept and dropped, for logs and the data README."""

    train_blocks: int
    dropped_blocks: int
    dropped_quotes: int


def leak_free_split(candidates: Sequence[Document], test: Sequence[Document]) -> tuple[list[Document], SplitReport]:
    """Training documents from ``candidates`` that share no sentence with ``test``.

    Each candidate is cut into :func:`paragraph_blocks`; a block holding a sentence that also occurs in a test
    document is dropped (and counted); each run of kept blocks becomes one document ``<id>@<start>-<end>``, named
    by its character range in the original so that ids stay unique and traceable.
    """
    test_keys = set().union(*(sentence_keys(d.text) for d in test)) if test else set()
    kept_docs: list[Document] = []
    kept = dropped = dropped_quotes = 0
    for document in candidates:
        runs: list[list[tuple[int, int]]] = [[]]
        for start, end in paragraph_blocks(document):
            if sentence_keys(document.text[start:end]) & test_keys:
                dropped += 1
                dropped_quotes += sum(1 for q in document.quotes if start <= q.contents[0].start < end)
                runs.append([])
            else:
                kept += 1
                runs[-1].append((start, end))
        for run in filter(None, runs):
            start, end = run[0][0], run[-1][1]
            kept_docs.append(document.slice(start, end, id=f"{document.id}@{start}-{end}"))
    report = SplitReport(train_blocks=kept, dropped_blocks=dropped, dropped_quotes=dropped_quotes)
    logger.info(
        "leak-free split: kept %d blocks, dropped %d blocks (%d quotes) that share a sentence with test",
        kept,
        dropped,
        dropped_quotes,
    )
    return kept_docs, report


def shared_sentences(a: Sequence[Document], b: Sequence[Document]) -> set[str]:
    """Sentences and 8-word passages (normalised) that occur in both sets of documents; empty when leak-free."""
    keys_a = set().union(*(sentence_keys(d.text) for d in a)) if a else set()
    keys_b = set().union(*(sentence_keys(d.text) for d in b)) if b else set()
    return keys_a & keys_b


# --------------------------------------------------------------------------------------------------------------
# Windows for a model
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WindowStats:
    """Figures logged at the start of training: how much data, and how much of it windowing cuts."""

    documents: int
    windows: int
    tokens: int
    gold: CutStats

    def describe(self) -> str:
        return (
            f"{self.documents} documents -> {self.windows} windows, {self.tokens:,} tokens; "
            f"{self.gold.cut} of {self.gold.spans} gold spans ({self.gold.percent:.1f}%) are cut by every window"
        )


def encode_windows(tokenizer: Any, text: str, max_length: int, stride: int) -> Any:
    """Tokenize ``text`` into overlapping windows of ``max_length`` tokens sharing ``stride`` tokens."""
    return tokenizer(
        text,
        max_length=max_length,
        stride=stride,
        truncation=True,
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
    )


def window_features(
    documents: Sequence[Document],
    tokenizer: Any,
    max_length: int = DEFAULT_MAX_LENGTH,
    stride: int = DEFAULT_STRIDE,
    *,
    word_shape: bool = False,
) -> tuple[dict[str, list], WindowStats]:
    """Columns ``input_ids``, ``attention_mask``, ``labels``, ``document``, ``window`` for every window.

    With ``word_shape`` also ``token_type_ids``: each token's :func:`~quotes.labels.word_shape_ids` (the case an
    uncased tokenizer drops); without it the model sees no token type ids, as before.
    """
    if problem := stride_problem(max_length, stride):
        raise UserInputError(f"stride (tokens) {problem}")
    columns: dict[str, list] = {"input_ids": [], "attention_mask": [], "labels": [], "document": [], "window": []}
    if word_shape:
        columns["token_type_ids"] = []
    tokens = spans = cut = 0
    for index, document in enumerate(documents):
        encoding = encode_windows(tokenizer, document.text, max_length, stride)
        labelled = document.labelled_spans()
        offsets = [[tuple(o) for o in window] for window in encoding["offset_mapping"]]
        for number, window in enumerate(offsets):
            columns["input_ids"].append(encoding["input_ids"][number])
            columns["attention_mask"].append(encoding["attention_mask"][number])
            columns["labels"].append(spans_to_label_ids(labelled, window))
            columns["document"].append(index)
            columns["window"].append(number)
            if word_shape:
                columns["token_type_ids"].append(word_shape_ids(document.text, window))
            tokens += sum(1 for o in window if o[0] != o[1])
        stats = count_cut_spans([span for _, span in labelled], offsets)
        spans, cut = spans + stats.spans, cut + stats.cut
    result = WindowStats(len(documents), len(columns["input_ids"]), tokens, CutStats(spans, cut))
    logger.info("%s", result.describe())
    return columns, result


def build_dataset(
    documents: Sequence[Document],
    tokenizer: Any,
    max_length: int = DEFAULT_MAX_LENGTH,
    stride: int = DEFAULT_STRIDE,
    *,
    word_shape: bool = False,
) -> tuple[datasets.Dataset, WindowStats]:
    """Documents as a ``datasets.Dataset`` of tokenized, labelled windows, ready for a Trainer and its collator."""
    import datasets

    columns, stats = window_features(documents, tokenizer, max_length, stride, word_shape=word_shape)
    return datasets.Dataset.from_dict(columns), stats
