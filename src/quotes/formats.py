"""Other corpus formats: BRAT standoff attribution annotation (as in PolNeAR) in, CoNLL-style BIO tags out.

:func:`read_brat` turns every ``<name>.txt`` + ``<name>.ann`` pair of a directory into a :class:`Document` with one
:class:`Quote` per ``E`` (attribution event) line, checking every offset and text against the document; broken
files raise one :class:`DataValidationError` naming file, line, document and ``T``/``E`` id of every problem, what
PolNeAR leaves unused by design is counted and logged at INFO, and the few annotation slips PolNeAR contains are
repaired by fixed rules (listed in :func:`read_brat`), counted and summarised in a WARNING. :func:`scan_brat`
returns the same as a :class:`BratReport` with every count, for statistics. :func:`write_conll` writes documents
as ``token<TAB>tag`` lines (tags from :mod:`quotes.labels`) for tokenizer-free tools such as seqeval.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Literal

from quotes.labels import spans_to_tags, word_offsets
from quotes.lexicon import is_communication_cue
from quotes.schema import DataValidationError, Document, Quote, Span, ValidationIssue, validate_document

logger = logging.getLogger(__name__)

Attributions = Literal["all", "communication"]
"""``all`` keeps every attribution; ``communication`` drops those whose cue is no act of communication."""

Tokenize = Callable[[str], Sequence[tuple[int, int]]]

ROLES = {"Content": "QUOTE", "Source": "SPEAKER", "Cue": "CUE"}
"""BRAT event roles (a trailing number, as in ``Content2``, is ignored) and the span kind they become."""

WARNING_COUNTS = (
    "dropped.event_without_content",
    "unused_label",
    "role_differs_from_kind",
    "overlap.span_trimmed",
    "overlap.span_dropped",
    "overlap.record_dropped",
)
"""Counts of annotation slips repaired by rule; each has a located warning in :attr:`BratReport.warnings`."""

_ID = re.compile(r"([TERAMN]\d+|#\d*|\*)\t")
_T_LINE = re.compile(r"(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)", re.DOTALL)
_E_LINE = re.compile(r"(E\d+)\t([^\s:]+):(T\d+)((?: [^\s:]+:T\d+)*)")
_ARGUMENT = re.compile(r"([^\s:]+?)\d*:(T\d+)")
_WORD = re.compile(r"\w")
_KIND_ORDER = {"QUOTE": 0, "SPEAKER": 1, "CUE": 2}
_CONLL_DOCSTART = "-DOCSTART-"


@dataclass
class BratReport:
    """What reading BRAT files produced: the documents, counts by category, repairs made and errors found."""

    documents: list[Document] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    warnings: list[ValidationIssue] = field(default_factory=list)
    errors: list[ValidationIssue] = field(default_factory=list)

    def extend(self, other: BratReport) -> None:
        self.documents.extend(other.documents)
        self.counts.update(other.counts)
        self.warnings.extend(other.warnings)
        self.errors.extend(other.errors)


@dataclass
class _TextBound:
    id: str
    kind: str
    fragments: list[tuple[int, int]]
    line: int
    valid: bool = True


@dataclass
class _Event:
    id: str
    trigger: str
    arguments: list[tuple[str, str]]  # (role without its number, T id)
    line: int


@dataclass
class _Part:
    """A labelled span of a record under construction, with the ``T`` line it came from."""

    kind: str
    span: Span
    source: str  # "E3 Content:T9", to name it in warnings


@dataclass
class _Record:
    event: _Event
    parts: list[_Part]

    @property
    def cue(self) -> _Part | None:
        return next((p for p in self.parts if p.kind == "CUE"), None)


class _DocumentReader:
    """Parses one ``.txt``/``.ann`` pair, collecting counts, warnings and errors into a :class:`BratReport`."""

    def __init__(self, text: str, ann_file: str, document_id: str):
        self.text = text
        self.file = ann_file
        self.document_id = document_id
        self.report = BratReport()
        self.bounds: dict[str, _TextBound] = {}
        self.events: dict[str, _Event] = {}

    def error(self, line: int | None, path: str, problem: str) -> None:
        self.report.errors.append(ValidationIssue(self.file, line, self.document_id, path, problem))

    def warn(self, category: str, line: int | None, path: str, problem: str) -> None:
        self.report.counts[category] += 1
        self.report.warnings.append(ValidationIssue(self.file, line, self.document_id, path, problem))

    def parse(self, ann: str) -> None:
        lines = ann.split("\n")
        if lines and lines[-1] == "":
            lines.pop()  # the file's final newline
        pending: tuple[int, str] | None = None  # a T line and its text, which may run over several lines
        for number, line in enumerate(lines, start=1):
            if not _ID.match(line) and pending is not None:
                # PolNeAR keeps the newlines of a span's text, so a T line's text can run over several lines.
                pending = (pending[0], pending[1] + "\n" + line)
                self.report.counts["lines.continuation"] += 1
                continue
            if pending is not None:
                self.text_bound(*pending)
                pending = None
            if line.startswith("T"):
                pending = (number, line)
            elif line.startswith("E"):
                self.event(number, line)
            elif line.startswith("#"):
                self.report.counts["lines.note"] += 1
            elif not line.strip():
                self.report.counts["lines.blank"] += 1
            elif _ID.match(line):
                kind = line.split("\t", 1)[0]
                self.error(number, kind, "unsupported BRAT annotation (this reader knows T, E and # lines)")
            else:
                self.error(number, "", f"cannot parse line {_clip(line)!r} (expected a T, E or # annotation)")
        if pending is not None:
            self.text_bound(*pending)

    def text_bound(self, number: int, line: str) -> None:
        match = _T_LINE.fullmatch(line)
        if match is None:
            self.error(
                number,
                line.split("\t", 1)[0],
                f"cannot parse T line {_clip(line)!r} (expected 'T1\\tKind START END\\ttext')",
            )
            return
        tid, kind, ranges, written = match.groups()
        self.report.counts["lines.T"] += 1
        fragments = [(int(a), int(b)) for a, b in (r.split() for r in ranges.split(";"))]
        bound = _TextBound(tid, kind, fragments, number)
        if tid in self.bounds:
            self.error(number, tid, f"duplicate id (first defined on line {self.bounds[tid].line})")
            return
        self.bounds[tid] = bound
        for start, end in fragments:
            if start >= end:
                self.error(number, tid, f"fragment {start}-{end} is empty or reversed")
                bound.valid = False
            elif end > len(self.text):
                self.error(number, tid, f"offsets {start}-{end} lie outside the text (length {len(self.text)})")
                bound.valid = False
        if not bound.valid:
            return
        cut = " ".join(self.text[start:end] for start, end in fragments)  # BRAT joins fragments with a space
        if written != cut:
            if written.split() == cut.split():
                self.report.counts["text.whitespace_differs"] += 1
            else:
                problem = f"text {_clip(written)!r} differs from the document at {ranges}: {_clip(cut)!r}"
                if "\n" in written:
                    problem += " (its text runs over several lines: is a line after it no annotation?)"
                self.error(number, tid, problem)
                bound.valid = False

    def event(self, number: int, line: str) -> None:
        match = _E_LINE.fullmatch(line.rstrip())  # PolNeAR leaves a space after an event with no arguments
        if match is None:
            self.error(
                number,
                line.split("\t", 1)[0],
                f"cannot parse E line {_clip(line)!r} (expected 'E1\\tType:T1 Role:T2 ...')",
            )
            return
        eid, _, trigger, rest = match.groups()
        self.report.counts["lines.E"] += 1
        if eid in self.events:
            self.error(number, eid, f"duplicate id (first defined on line {self.events[eid].line})")
            return
        arguments = []
        for role, tid in _ARGUMENT.findall(rest):
            if role not in ROLES:
                self.error(number, eid, f"unknown role {role!r} in {role}:{tid} (known: {', '.join(ROLES)})")
            else:
                arguments.append((role, tid))
        self.events[eid] = _Event(eid, trigger, arguments, number)

    def records(self) -> list[_Record]:
        """One record per event with a content, in file order (events naming undefined ids are errors)."""
        complete = []
        for event in self.events.values():
            missing = [
                (role, tid) for role, tid in [("trigger", event.trigger), *event.arguments] if tid not in self.bounds
            ]
            for role, tid in missing:
                self.error(event.line, event.id, f"{role} {tid} is not defined by any T line")
            if not missing:
                complete.append(event)
        used = {tid for event in self.events.values() for tid in (event.trigger, *(t for _, t in event.arguments))}
        labelled = {tid for event in self.events.values() for _, tid in event.arguments}
        for bound in self.bounds.values():
            self.report.counts[f"kind.{bound.kind}"] += 1
            if len(bound.fragments) > 1:
                self.report.counts[f"discontinuous.{bound.kind}"] += 1
            if bound.id in used:
                continue
            if bound.kind in ROLES:
                self.warn("unused_label", bound.line, bound.id, f"{bound.kind} span used by no E line; ignored")
            else:
                self.report.counts[f"ignored.{bound.kind}"] += 1
        records = []
        for event in complete:
            if not event.arguments:
                self.report.counts["ignored.event_without_arguments"] += 1
                continue
            if not any(role == "Content" for role, _ in event.arguments):
                roles = " ".join(f"{r}:{t}" for r, t in event.arguments)
                self.warn(
                    "dropped.event_without_content", event.line, event.id, f"no Content argument ({roles}); dropped"
                )
                continue
            record = self.record(event, labelled)
            if record is not None:
                records.append(record)
        return records

    def record(self, event: _Event, labelled: set[str]) -> _Record | None:
        parts: list[_Part] = []
        cues = [tid for role, tid in event.arguments if role == "Cue"]
        if len(cues) > 1:
            self.error(event.line, event.id, f"{len(cues)} Cue arguments ({', '.join(cues)}); a record has one cue")
            return None
        for role, tid in event.arguments:
            bound = self.bounds[tid]
            if not bound.valid:
                return None
            if bound.kind != role:
                self.warn(
                    "role_differs_from_kind",
                    event.line,
                    f"{event.id} {role}:{tid}",
                    f"a {bound.kind} span used as {role}; read as {role}",
                )
            kind = ROLES[role]
            label = f"{event.id} {role}:{tid}"
            if kind == "CUE":
                span = self.joined_cue(bound, labelled, event)
                if span is None:
                    return None
                parts.append(_Part(kind, span, label))
            else:
                parts.extend(_Part(kind, span, label) for span in self.fragment_spans(bound))
        return _Record(event, parts)

    def fragment_spans(self, bound: _TextBound) -> list[Span]:
        """One span per fragment; fragments that touch (``4107 4154;4154 4193``) are one span."""
        joined: list[list[int]] = []
        for start, end in sorted(bound.fragments):
            if joined and start <= joined[-1][1]:
                joined[-1][1] = max(joined[-1][1], end)
                self.report.counts["merged.touching_fragments"] += 1
            else:
                joined.append([start, end])
        return [Span.from_text(self.text, start, end) for start, end in joined]

    def joined_cue(self, bound: _TextBound, labelled: set[str], event: _Event) -> Span | None:
        """One span from the cue's first to its last character; an error if a gap between fragments holds a label."""
        fragments = sorted(bound.fragments)
        if len(fragments) == 1:
            return Span.from_text(self.text, *fragments[0])
        gaps = [(a_end, b_start) for (_, a_end), (b_start, _) in pairwise(fragments) if a_end < b_start]
        for other in sorted(labelled - {bound.id}):
            inside = [f"{s}-{e}" for s, e in self.bounds[other].fragments for g_s, g_e in gaps if s < g_e and g_s < e]
            if inside:
                self.error(
                    event.line,
                    f"{event.id} Cue:{bound.id}",
                    f"the gap of discontinuous cue {bound.id} holds {other} ({self.bounds[other].kind} at "
                    f"{inside[0]}); a cue is one span, so split the record or shorten the cue",
                )
                return None
        self.report.counts["merged.discontinuous_cue"] += 1
        return Span.from_text(self.text, fragments[0][0], max(e for _, e in fragments))

    def resolve_overlaps(self, records: list[_Record]) -> list[_Record]:
        """Give every character to at most one label; a record left without content is dropped.

        Passes repeat without the dropped records until none is dropped, so a dropped record's source or cue never
        trims a record that stays.
        """
        while True:
            kept, dropped, warnings = self.resolve_once(records)
            if not dropped:
                break
            for category, line, path, problem in warnings:
                if path.split(" ", 1)[0] in dropped:
                    self.warn(category, line, path, problem)
            records = [record for record in records if record.event.id not in dropped]  # untrimmed, for a fresh pass
        for warning in warnings:
            self.warn(*warning)
        return kept

    def resolve_once(self, records: list[_Record]) -> tuple[list[_Record], set[str], list[tuple[str, int, str, str]]]:
        """One pass: the span that starts first (then the longer, then the earlier record) keeps its characters."""
        order = sorted(
            ((part.span.start, -part.span.end, index, _KIND_ORDER[part.kind], n), index, part)
            for n, (index, part) in enumerate((i, p) for i, record in enumerate(records) for p in record.parts)
        )
        claimed: list[tuple[int, int, str]] = []
        intact: set[tuple[str, int, int]] = set()
        kept_parts: list[list[_Part]] = [[] for _ in records]
        warnings: list[tuple[str, int, str, str]] = []
        for _, index, part in order:  # n in the key is unique, so parts are never compared
            span = part.span
            if part.kind != "QUOTE" and (part.kind, span.start, span.end) in intact:
                kept_parts[index].append(part)  # a source or cue shared by two records
                continue
            overlapping = [c for c in claimed if c[0] < span.end and span.start < c[1]]
            if not overlapping:
                pieces = [span]
                intact.add((part.kind, span.start, span.end))
            else:
                pieces = _subtract(span, overlapping, self.text)
                if part.kind == "CUE":
                    pieces = pieces[:1]
                owners = ", ".join(sorted({owner for _, _, owner in overlapping}))
                where = f"{span.start}-{span.end} {_clip(span.text)!r}"
                line = records[index].event.line
                if pieces:
                    kept_text = " + ".join(repr(p.text) for p in pieces)
                    problem = f"{where} overlaps {owners}; kept {kept_text}"
                    warnings.append(("overlap.span_trimmed", line, part.source, problem))
                else:
                    warnings.append(
                        ("overlap.span_dropped", line, part.source, f"{where} lies inside {owners}; dropped")
                    )
            claimed.extend((p.start, p.end, part.source) for p in pieces)
            kept_parts[index].extend(_Part(part.kind, p, part.source) for p in pieces)
        kept, dropped = [], set()
        for record, parts in zip(records, kept_parts, strict=True):
            if any(p.kind == "QUOTE" for p in parts):
                kept.append(_Record(record.event, sorted(parts, key=lambda p: p.span.start)))
            else:
                dropped.add(record.event.id)
                problem = "every content span overlaps another record's span; record dropped"
                warnings.append(("overlap.record_dropped", record.event.line, record.event.id, problem))
        return kept, dropped, warnings

    def document(self, attributions: Attributions) -> Document | None:
        records = self.records()
        if self.report.errors:
            return None
        if attributions == "communication":
            communicated = [r for r in records if r.cue is None or is_communication_cue(r.cue.span.text)]
            self.report.counts["filtered.not_communication"] += len(records) - len(communicated)
            records = communicated
        records = self.resolve_overlaps(records)
        quotes = [
            Quote(
                contents=tuple(p.span for p in record.parts if p.kind == "QUOTE"),
                sources=tuple(p.span for p in record.parts if p.kind == "SPEAKER"),
                cue=record.cue.span if record.cue else None,
            )
            for record in records
        ]
        quotes.sort(key=lambda quote: (quote.contents[0].start, quote.contents[0].end))
        document = Document(self.document_id, self.text, tuple(quotes))
        for issue in validate_document(document):  # a bug here, not in the data: the rules above should prevent it
            self.error(None, issue.path, f"reader produced an invalid document: {issue.problem}")
        return None if self.report.errors else document


def _subtract(span: Span, claimed: Iterable[tuple[int, int, str]], text: str) -> list[Span]:
    """The parts of ``span`` outside the claimed ranges, trimmed of whitespace; parts without a word character go."""
    pieces = [(span.start, span.end)]
    for c_start, c_end, _ in claimed:
        pieces = [
            piece
            for start, end in pieces
            for piece in ((start, min(end, c_start)), (max(start, c_end), end))
            if piece[0] < piece[1]
        ]
    result = []
    for start, end in pieces:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if _WORD.search(text, start, end):
            result.append(Span.from_text(text, start, end))
    return result


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _read_text(path: Path, report: BratReport, document_id: str) -> str | None:
    """The file as UTF-8 with newlines untouched: BRAT offsets count ``\\r\\n`` as two characters."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return handle.read()
    except UnicodeDecodeError as error:
        report.errors.append(ValidationIssue(str(path), None, document_id, "", f"not UTF-8 text ({error})"))
    except OSError as error:
        report.errors.append(ValidationIssue(str(path), None, document_id, "", f"cannot read ({error.strerror})"))
    return None


def _count_document(report: BratReport, document: Document) -> None:
    report.counts["documents"] += 1
    report.counts["records"] += len(document.quotes)
    for kind, _ in document.labelled_spans():
        report.counts[f"spans.{kind}"] += 1
    for quote in document.quotes:
        report.counts["records.without_source"] += not quote.sources
        report.counts["records.without_cue"] += quote.cue is None
        report.counts["records.several_contents"] += len(quote.contents) > 1


def scan_brat_document(
    txt_path: str | Path,
    ann_path: str | Path,
    *,
    attributions: Attributions = "all",
    document_id: str | None = None,
) -> BratReport:
    """Read one BRAT pair into a :class:`BratReport` without raising on bad data or logging.

    Args:
        txt_path: the article text (UTF-8).
        ann_path: its standoff annotation.
        attributions: ``"communication"`` keeps only records whose cue passes
            :func:`quotes.lexicon.is_communication_cue` (records without a cue are kept).
        document_id: defaults to the name of ``txt_path`` without its suffix.

    Returns:
        The report; ``documents`` holds the document only when ``errors`` is empty.
    """
    if attributions not in ("all", "communication"):
        raise ValueError(f"attributions must be 'all' or 'communication', got {attributions!r}")
    txt_path, ann_path = Path(txt_path), Path(ann_path)
    document_id = document_id if document_id is not None else txt_path.stem
    report = BratReport()
    text = _read_text(txt_path, report, document_id)
    ann = _read_text(ann_path, report, document_id)
    if text is None or ann is None:
        return report
    reader = _DocumentReader(text, str(ann_path), document_id)
    reader.parse(ann)
    document = reader.document(attributions)
    report.extend(reader.report)
    if document is not None:
        report.documents.append(document)
        _count_document(report, document)
    return report


def scan_brat(directory: str | Path, *, attributions: Attributions = "all") -> BratReport:
    """Read every ``<name>.txt`` + ``<name>.ann`` pair of ``directory`` (sorted by name) into one report.

    Never raises on bad data and logs nothing: the report lists every error and every repair, for tools that
    want the figures (``scripts/polnear_stats.py``). :func:`read_brat` is the same with errors raised.

    Args:
        directory: a folder such as PolNeAR's ``train``; other files in it are ignored.
        attributions: as for :func:`scan_brat_document`.

    Raises:
        FileNotFoundError: ``directory`` is not a directory.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory}: not a directory")
    texts = {p.stem: p for p in directory.glob("*.txt") if p.is_file()}
    anns = {p.stem: p for p in directory.glob("*.ann") if p.is_file()}
    report = BratReport()
    for name in sorted(texts.keys() - anns.keys()):
        report.errors.append(ValidationIssue(str(texts[name]), None, name, "", f"no {name}.ann next to it"))
    for name in sorted(anns.keys() - texts.keys()):
        report.errors.append(ValidationIssue(str(anns[name]), None, name, "", f"no {name}.txt next to it"))
    if not texts and not anns:
        report.errors.append(ValidationIssue(str(directory), None, None, "", "no <name>.txt + <name>.ann pairs found"))
    for name in sorted(texts.keys() & anns.keys()):
        report.extend(scan_brat_document(texts[name], anns[name], attributions=attributions, document_id=name))
    return report


def _finish(report: BratReport, where: str | Path) -> list[Document]:
    """Raise the report's errors, or log its counts and repairs and return its documents."""
    if report.errors:
        raise DataValidationError(report.errors)
    counts = report.counts
    ignored = ", ".join(
        f"{key.split('.', 1)[1]}={value}" for key, value in sorted(counts.items()) if key.startswith("ignored.")
    )
    logger.info(
        "%s: %d documents, %d quote records; unused by design: %s; annotator notes=%d; not communication=%d",
        where,
        counts["documents"],
        counts["records"],
        ignored or "none",
        counts["lines.note"],
        counts["filtered.not_communication"],
    )
    if report.warnings:
        summary = ", ".join(f"{key}={counts[key]}" for key in WARNING_COUNTS if counts[key])
        logger.warning(
            "%s: %d annotation slips repaired (%s); first: %s (each is logged at DEBUG and listed by scan_brat)",
            where,
            len(report.warnings),
            summary,
            report.warnings[0],
        )
        for issue in report.warnings:
            logger.debug("repaired: %s", issue)
    return report.documents


def read_brat_document(
    txt_path: str | Path,
    ann_path: str | Path,
    *,
    attributions: Attributions = "all",
    document_id: str | None = None,
) -> Document:
    """Read one BRAT ``.txt``/``.ann`` pair into a :class:`Document` (one :class:`Quote` per ``E`` line).

    Args:
        txt_path: the article text (UTF-8; offsets count characters with newlines untranslated).
        ann_path: its standoff annotation.
        attributions: ``"communication"`` keeps only records whose cue is an act of communication.
        document_id: defaults to the name of ``txt_path`` without its suffix.

    Raises:
        DataValidationError: every problem in the pair, each naming file, line, document id and T/E id.
    """
    report = scan_brat_document(txt_path, ann_path, attributions=attributions, document_id=document_id)
    return _finish(report, ann_path)[0]


def read_brat(directory: str | Path, *, attributions: Attributions = "all") -> list[Document]:
    """Read every ``<name>.txt`` + ``<name>.ann`` pair of a directory, sorted by name; the id is ``<name>``.

    Each ``E`` line with a ``Content`` argument becomes a :class:`Quote`: its ``Content`` arguments (``Content2``
    too) the contents, its ``Source`` arguments the sources, its ``Cue`` argument the cue. Fragments of a
    discontinuous ``T`` line become separate spans (fragments that touch are joined); a discontinuous cue becomes
    one span from its first to its last character, which is an error if a gap holds another labelled span.

    Nothing is dropped silently; each case is handled one way:

    - errors (none occur in PolNeAR train or dev): a line that does not parse, a duplicate id, an undefined
      ``T`` id, offsets outside the text, a ``T`` text that differs from the document (beyond whitespace), an
      unknown role, two cues, a labelled gap in a cue, ``R``/``A``/``M``/``N`` lines, a ``.txt`` without ``.ann``;
    - counted and logged at INFO (unused by design): ``T`` lines of other kinds than ``Source``/``Cue``/``Content``
      that no event uses (``Discuss``, ``Discard``, event triggers), ``E`` lines with no arguments, ``#`` notes,
      records removed by ``attributions="communication"``;
    - repaired, counted (:data:`WARNING_COUNTS`), logged in one WARNING and listed in
      :attr:`BratReport.warnings`: an ``E`` line with arguments but no ``Content`` is dropped; a
      ``Source``/``Cue``/``Content`` line no event uses is ignored; a span used in a role other than its kind
      takes the role; overlapping spans (token labels are univocal) go to the span that starts first, then the
      longer, then the earlier ``E`` line, and later spans lose the overlapping characters (what is left is
      trimmed of whitespace and kept if it holds a word character; a record left with no content is dropped),
      except that an identical ``Source`` or ``Cue`` shared by two records stays in both. The communication
      filter runs before overlaps are resolved, so a dropped belief never takes characters from a quote.

    >>> docs = read_brat("PolNeAR/data/train", attributions="communication")  # doctest: +SKIP
    >>> len(docs), sum(len(d.quotes) for d in docs)
    (840, 12190)

    Args:
        directory: a folder of BRAT pairs such as PolNeAR's ``train``; other files in it are ignored.
        attributions: ``"all"`` keeps every attribution; ``"communication"`` drops records whose cue is a
            belief or thought (``figures``, ``thinks``) per :func:`quotes.lexicon.is_communication_cue`; records
            without a cue are kept.

    Raises:
        DataValidationError: every problem in every file, each naming file, line, document id and T/E id.
        FileNotFoundError: ``directory`` is not a directory.
    """
    return _finish(scan_brat(directory, attributions=attributions), directory)


# --------------------------------------------------------------------------------------------------------------
# CoNLL
# --------------------------------------------------------------------------------------------------------------


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
            raise ValueError(f"document {document.id!r}: token {token!r} at {start}-{end} contains whitespace")
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
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for document in documents:
            handle.write(f"{_CONLL_DOCSTART}\tO\n\n")
            for sentence in conll_sentences(document, tokenize):
                handle.writelines(f"{token}\t{tag}\n" for token, tag in sentence)
                handle.write("\n")
    return path


def read_conll(path: str | Path) -> list[list[tuple[str, str]]]:
    """Read ``token<TAB>tag`` lines back as sentences (``-DOCSTART-`` lines are skipped).

    >>> tags = [[tag for _, tag in sentence] for sentence in read_conll("gold.conll")]  # doctest: +SKIP
    >>> seqeval.metrics.f1_score(tags, tags)
    1.0

    Raises:
        DataValidationError: every line that is not ``token<TAB>tag``, with its file and line number.
    """
    sentences: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    issues = []
    with Path(path).open(encoding="utf-8", newline="") as handle:
        for number, line in enumerate(handle, start=1):
            line = line.rstrip("\r\n")
            if not line.strip():
                if current:
                    sentences.append(current)
                current = []
                continue
            fields = line.split("\t")
            if len(fields) != 2 or not fields[0] or not fields[1]:
                issues.append(
                    ValidationIssue(str(path), number, None, "", f"expected 'token<TAB>tag', got {_clip(line)!r}")
                )
            elif fields[0] != _CONLL_DOCSTART:
                current.append((fields[0], fields[1]))
    if current:
        sentences.append(current)
    if issues:
        raise DataValidationError(issues)
    return sentences
