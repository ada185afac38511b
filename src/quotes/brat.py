"""BRAT standoff attribution annotation (as in PolNeAR) in: ``<name>.txt`` + ``<name>.ann`` pairs to documents.

:func:`read_brat` turns every pair of a directory into a :class:`Document` with one :class:`Quote` per ``E``
(attribution event) line, checking every offset and text against the document. Reading one pair runs four steps,
each a function below: parse the ``T``/``E``/``#`` lines (:func:`_parse_ann`), build one record per event
(:func:`_build_records`), give every character to at most one label (:func:`_resolve_overlaps`), and assemble and
re-validate the document (:func:`_read_pair`). Broken files raise one :class:`DataValidationError` naming file,
line, document and ``T``/``E`` id of every problem; what PolNeAR leaves unused by design is counted and logged at
INFO; annotation slips are repaired by fixed rules (listed in :func:`read_brat`), counted (:data:`WARNING_COUNTS`)
and summarised in a WARNING with the first examples. Nothing is dropped or changed without a count. With
``conventions="guidelines"`` the assembled document's spans are redrawn to our guidelines' boundaries
(:mod:`quotes.conventions`), each change counted (``conventions.<rule>``) and summarised at INFO.
:func:`scan_brat` returns the same as a :class:`BratReport` with every count, for statistics.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Literal

from quotes.conventions import CONVENTIONS, RULE_NAMES, Conventions, count_changes, to_guidelines
from quotes.errors import UserInputError
from quotes.lexicon import is_communication_cue
from quotes.schema import (
    KINDS,
    DataValidationError,
    Document,
    Quote,
    Span,
    ValidationIssue,
    read_utf8,
    validate_document,
)

logger = logging.getLogger(__name__)

Attributions = Literal["all", "communication"]
"""``all`` keeps every attribution; ``communication`` drops those whose cue is no act of communication."""

ROLES = {"Content": "QUOTE", "Source": "SPEAKER", "Cue": "CUE"}
"""BRAT event roles (a trailing number, as in ``Content2``, is ignored) and the span kind they become."""

KNOWN_KINDS = (*ROLES, "Attribution", "Attribution-no-source", "Discuss", "Discard")
"""``T`` kinds PolNeAR uses; a ``T`` line of another kind that no event uses is ignored with a warning."""

WARNING_COUNTS = (
    "dropped.event_without_content",
    "unused_label",
    "unknown_kind",
    "trigger_read_as_role",
    "role_differs_from_kind",
    "offsets.trimmed_whitespace",
    "offsets.shifted",
    "overlap.span_trimmed",
    "overlap.span_dropped",
    "overlap.record_dropped",
)
"""Counts of annotation slips repaired by rule; each has a located warning in :attr:`BratReport.warnings`."""

SHIFTS = (-1, 1, -2, 2)
"""Offsets this far off are repaired when the ``T`` line's text lies exactly there (and nowhere nearer)."""

_ID = re.compile(r"([TERAMN]\d+|#\d*|\*)\t")
_T_LINE = re.compile(r"(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)", re.DOTALL)
_E_LINE = re.compile(r"(E\d+)\t([^\s:]+):(T\d+)((?: [^\s:]+:T\d+)*)")
_ARGUMENT = re.compile(r"([^\s:]+?)\d*:(T\d+)")
_ROLE_NUMBER = re.compile(r"\d+$")
_WORD = re.compile(r"\w")
_KIND_ORDER = {kind: index for index, kind in enumerate(KINDS)}
_EXAMPLES = 3


@dataclass
class BratReport:
    """What reading BRAT files produced: the documents, counts by category, repairs made and errors found."""

    documents: list[Document] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    warnings: list[ValidationIssue] = field(default_factory=list)
    errors: list[ValidationIssue] = field(default_factory=list)
    conventions: list[ValidationIssue] = field(default_factory=list)  # each span changed to our guidelines

    def extend(self, other: BratReport) -> None:
        self.documents.extend(other.documents)
        self.counts.update(other.counts)
        self.warnings.extend(other.warnings)
        self.errors.extend(other.errors)
        self.conventions.extend(other.conventions)


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
    type: str
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


@dataclass
class _Log:
    """Where one pair's errors, repairs and counts go: a :class:`BratReport`, each issue located."""

    file: str
    document_id: str
    report: BratReport = field(default_factory=BratReport)

    def error(self, line: int | None, path: str, problem: str) -> None:
        self.report.errors.append(ValidationIssue(self.file, line, self.document_id, path, problem))

    def warn(self, category: str, line: int | None, path: str, problem: str) -> None:
        self.report.counts[category] += 1
        self.report.warnings.append(ValidationIssue(self.file, line, self.document_id, path, problem))

    def count(self, category: str, by: int = 1) -> None:
        self.report.counts[category] += by


# --------------------------------------------------------------------------------------------------------------
# Step 1: parse the lines
# --------------------------------------------------------------------------------------------------------------


@dataclass
class _Annotations:
    bounds: dict[str, _TextBound] = field(default_factory=dict)
    events: dict[str, _Event] = field(default_factory=dict)


def _parse_ann(ann: str, text: str, log: _Log) -> _Annotations:
    """Every ``T`` and ``E`` line of an ``.ann`` file, checked against the text; ``#`` notes and blanks counted."""
    found = _Annotations()
    lines = ann.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the file's final newline
    pending: tuple[int, str] | None = None  # a T line and its text, which may run over several lines
    for number, line in enumerate(lines, start=1):
        if not _ID.match(line) and pending is not None:
            # PolNeAR keeps the newlines of a span's text, so a T line's text can run over several lines.
            pending = (pending[0], pending[1] + "\n" + line)
            log.count("lines.continuation")
            continue
        if pending is not None:
            _text_bound(*pending, text, found, log)
            pending = None
        if line.startswith("T"):
            pending = (number, line)
        elif line.startswith("E"):
            _event(number, line, found, log)
        elif line.startswith("#"):
            log.count("lines.note")
        elif not line.strip():
            log.count("lines.blank")
        elif _ID.match(line):
            kind = line.split("\t", 1)[0]
            log.error(number, kind, "unsupported BRAT annotation (this reader knows T, E and # lines)")
        else:
            log.error(number, "", f"cannot parse line {_clip(line)!r} (expected a T, E or # annotation)")
    if pending is not None:
        _text_bound(*pending, text, found, log)
    return found


def _text_bound(number: int, line: str, text: str, found: _Annotations, log: _Log) -> None:
    match = _T_LINE.fullmatch(line)
    if match is None:
        expected = "expected 'T1\\tKind START END\\ttext'"
        log.error(number, line.split("\t", 1)[0], f"cannot parse T line {_clip(line)!r} ({expected})")
        return
    tid, kind, ranges, written = match.groups()
    log.count("lines.T")
    fragments = [(int(a), int(b)) for a, b in (r.split() for r in ranges.split(";"))]
    bound = _TextBound(tid, kind, fragments, number)
    if tid in found.bounds:
        log.error(number, tid, f"duplicate id (first defined on line {found.bounds[tid].line})")
        return
    found.bounds[tid] = bound
    for start, end in fragments:
        if start >= end:
            log.error(number, tid, f"fragment {start}-{end} is empty or reversed")
            bound.valid = False
        elif end > len(text):
            log.error(number, tid, f"offsets {start}-{end} lie outside the text (length {len(text)})")
            bound.valid = False
    if bound.valid:
        _check_text(bound, written, ranges, text, log)


def _check_text(bound: _TextBound, written: str, ranges: str, text: str, log: _Log) -> None:
    """Compare a ``T`` line's text with the document; repair offsets that are plainly off, else an error."""
    cut = " ".join(text[start:end] for start, end in bound.fragments)  # BRAT joins fragments with a space
    if written == cut:
        return
    (start, end), single = bound.fragments[0], len(bound.fragments) == 1
    if single and written and written == written.strip() and cut.strip() == written:
        trimmed = start + (len(cut) - len(cut.lstrip())), end - (len(cut) - len(cut.rstrip()))
        bound.fragments = [trimmed]
        problem = f"offsets {start}-{end} hold {_clip(cut)!r}; read as {trimmed[0]}-{trimmed[1]} {_clip(written)!r}"
        log.warn("offsets.trimmed_whitespace", bound.line, bound.id, problem)
        return
    if written.split() == cut.split():
        log.count("text.whitespace_differs")
        return
    shift = next((d for d in SHIFTS if single and text[start + d : end + d] == written and start + d >= 0), None)
    if shift is not None:
        bound.fragments = [(start + shift, end + shift)]
        problem = (
            f"offsets {start}-{end} hold {_clip(cut)!r}; its text {_clip(written)!r} lies at "
            f"{start + shift}-{end + shift}, read there"
        )
        log.warn("offsets.shifted", bound.line, bound.id, problem)
        return
    problem = f"text {_clip(written)!r} differs from the document at {ranges}: {_clip(cut)!r}"
    if "\n" in written:
        problem += " (its text runs over several lines: is a line after it no annotation?)"
    log.error(bound.line, bound.id, problem)
    bound.valid = False


def _event(number: int, line: str, found: _Annotations, log: _Log) -> None:
    match = _E_LINE.fullmatch(line.rstrip())  # PolNeAR leaves a space after an event with no arguments
    if match is None:
        expected = "expected 'E1\\tType:T1 Role:T2 ...'"
        log.error(number, line.split("\t", 1)[0], f"cannot parse E line {_clip(line)!r} ({expected})")
        return
    eid, event_type, trigger, rest = match.groups()
    log.count("lines.E")
    if eid in found.events:
        log.error(number, eid, f"duplicate id (first defined on line {found.events[eid].line})")
        return
    arguments = []
    for role, tid in _ARGUMENT.findall(rest):
        if role not in ROLES:
            log.error(number, eid, f"unknown role {role!r} in {role}:{tid} (known: {', '.join(ROLES)})")
        else:
            arguments.append((role, tid))
    found.events[eid] = _Event(eid, event_type, trigger, arguments, number)


# --------------------------------------------------------------------------------------------------------------
# Step 2: one record per event
# --------------------------------------------------------------------------------------------------------------


def _build_records(found: _Annotations, text: str, log: _Log) -> list[_Record]:
    """One record per event with a content, in file order (events naming undefined ids are errors)."""
    complete = []
    for event in found.events.values():
        missing = [
            (role, tid) for role, tid in [("trigger", event.trigger), *event.arguments] if tid not in found.bounds
        ]
        for role, tid in missing:
            log.error(event.line, event.id, f"{role} {tid} is not defined by any T line")
        if not missing:
            _trigger_as_role(event, found, log)
            complete.append(event)
    _count_bounds(found, log)
    labelled = {tid for event in found.events.values() for _, tid in event.arguments}
    records = []
    for event in complete:
        if not event.arguments:
            log.count("ignored.event_without_arguments")
            continue
        if not any(role == "Content" for role, _ in event.arguments):
            roles = " ".join(f"{r}:{t}" for r, t in event.arguments)
            log.warn("dropped.event_without_content", event.line, event.id, f"no Content argument ({roles}); dropped")
            continue
        record = _record(event, found.bounds, labelled, text, log)
        if record is not None:
            records.append(record)
    return records


def _trigger_as_role(event: _Event, found: _Annotations, log: _Log) -> None:
    """An event typed by a role (``E1\\tCue:T2 ...``), or triggered by a ``Cue`` span, has its trigger in that role.

    PolNeAR triggers an event with an ``Attribution`` span and names the cue as an argument; other exports make
    the cue the trigger itself. Without this rule the cue would be lost.
    """
    trigger_kind = found.bounds[event.trigger].kind
    role = next((r for r in (_ROLE_NUMBER.sub("", event.type), trigger_kind) if r in ROLES), None)
    if role is None or (role, event.trigger) in event.arguments:
        return
    event.arguments.insert(0, (role, event.trigger))
    problem = f"trigger {event.type}:{event.trigger} (a {trigger_kind} span) read as its {role} argument"
    log.warn("trigger_read_as_role", event.line, f"{event.id} {event.type}:{event.trigger}", problem)


def _count_bounds(found: _Annotations, log: _Log) -> None:
    """Count every ``T`` line by kind; one that no event uses is ignored (by design, or with a warning)."""
    used = {tid for event in found.events.values() for tid in (event.trigger, *(t for _, t in event.arguments))}
    for bound in found.bounds.values():
        log.count(f"kind.{bound.kind}")
        if len(bound.fragments) > 1:
            log.count(f"discontinuous.{bound.kind}")
        if bound.id in used:
            continue
        if bound.kind in ROLES:
            log.warn("unused_label", bound.line, bound.id, f"{bound.kind} span used by no E line; ignored")
        elif bound.kind not in KNOWN_KINDS:
            known = ", ".join(KNOWN_KINDS)
            log.warn("unknown_kind", bound.line, bound.id, f"unknown kind {bound.kind!r} (known: {known}); ignored")
        else:
            log.count(f"ignored.{bound.kind}")


def _record(event: _Event, bounds: dict[str, _TextBound], labelled: set[str], text: str, log: _Log) -> _Record | None:
    parts: list[_Part] = []
    cues = [tid for role, tid in event.arguments if role == "Cue"]
    if len(cues) > 1:
        log.error(event.line, event.id, f"{len(cues)} Cue arguments ({', '.join(cues)}); a record has one cue")
        return None
    for role, tid in event.arguments:
        bound = bounds[tid]
        if not bound.valid:
            return None
        if bound.kind != role:
            problem = f"a {bound.kind} span used as {role}; read as {role}"
            log.warn("role_differs_from_kind", event.line, f"{event.id} {role}:{tid}", problem)
        kind = ROLES[role]
        label = f"{event.id} {role}:{tid}"
        if kind == "CUE":
            span = _joined_cue(bound, bounds, labelled, event, text, log)
            if span is None:
                return None
            parts.append(_Part(kind, span, label))
        else:
            parts.extend(_Part(kind, span, label) for span in _fragment_spans(bound, text, log))
    return _Record(event, parts)


def _fragment_spans(bound: _TextBound, text: str, log: _Log) -> list[Span]:
    """One span per fragment; fragments that touch (``4107 4154;4154 4193``) are one span."""
    joined: list[list[int]] = []
    for start, end in sorted(bound.fragments):
        if joined and start <= joined[-1][1]:
            joined[-1][1] = max(joined[-1][1], end)
            log.count("merged.touching_fragments")
        else:
            joined.append([start, end])
    return [Span.from_text(text, start, end) for start, end in joined]


def _joined_cue(
    bound: _TextBound, bounds: dict[str, _TextBound], labelled: set[str], event: _Event, text: str, log: _Log
) -> Span | None:
    """One span from the cue's first to its last character; an error if a gap between fragments holds a label."""
    fragments = sorted(bound.fragments)
    if len(fragments) == 1:
        return Span.from_text(text, *fragments[0])
    gaps = [(a_end, b_start) for (_, a_end), (b_start, _) in pairwise(fragments) if a_end < b_start]
    for other in sorted(labelled - {bound.id}):
        inside = [f"{s}-{e}" for s, e in bounds[other].fragments for g_s, g_e in gaps if s < g_e and g_s < e]
        if inside:
            log.error(
                event.line,
                f"{event.id} Cue:{bound.id}",
                f"the gap of discontinuous cue {bound.id} holds {other} ({bounds[other].kind} at "
                f"{inside[0]}); a cue is one span, so split the record or shorten the cue",
            )
            return None
    log.count("merged.discontinuous_cue")
    return Span.from_text(text, fragments[0][0], max(e for _, e in fragments))


# --------------------------------------------------------------------------------------------------------------
# Step 3: every character to at most one label
# --------------------------------------------------------------------------------------------------------------

_Warning = tuple[str, int, str, str]  # category, line, path, problem


def _resolve_overlaps(records: list[_Record], text: str, log: _Log) -> list[_Record]:
    """Give every character to at most one label; a record left without content is dropped.

    Passes repeat without the dropped records until none is dropped, so a dropped record's source or cue never
    trims a record that stays.
    """
    while True:
        kept, dropped, warnings = _resolve_once(records, text)
        if not dropped:
            break
        for category, line, path, problem in warnings:
            if path.split(" ", 1)[0] in dropped:
                log.warn(category, line, path, problem)
        records = [record for record in records if record.event.id not in dropped]  # untrimmed, for a fresh pass
    for warning in warnings:
        log.warn(*warning)
    return kept


def _resolve_once(records: list[_Record], text: str) -> tuple[list[_Record], set[str], list[_Warning]]:
    """One pass: the span that starts first (then the longer, then the earlier record) keeps its characters."""
    order = sorted(
        ((part.span.start, -part.span.end, index, _KIND_ORDER[part.kind], n), index, part)
        for n, (index, part) in enumerate((i, p) for i, record in enumerate(records) for p in record.parts)
    )
    claimed: list[tuple[int, int, str]] = []
    intact: set[tuple[str, int, int]] = set()
    kept_parts: list[list[_Part]] = [[] for _ in records]
    warnings: list[_Warning] = []
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
            pieces = _subtract(span, overlapping, text)
            if part.kind == "CUE":
                pieces = pieces[:1]
            owners = ", ".join(sorted({owner for _, _, owner in overlapping}))
            where = f"{span.start}-{span.end} {_clip(span.text)!r}"
            line = records[index].event.line
            if pieces:
                kept_text = " + ".join(repr(p.text) for p in pieces)
                warnings.append(
                    ("overlap.span_trimmed", line, part.source, f"{where} overlaps {owners}; kept {kept_text}")
                )
            else:
                warnings.append(("overlap.span_dropped", line, part.source, f"{where} lies inside {owners}; dropped"))
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


# --------------------------------------------------------------------------------------------------------------
# Step 4: the document
# --------------------------------------------------------------------------------------------------------------


def _read_pair(
    text: str, ann: str, log: _Log, attributions: Attributions, conventions: Conventions = "source"
) -> Document | None:
    """The document of one pair (None when it has errors), with every count and repair in ``log.report``."""
    records = _build_records(_parse_ann(ann, text, log), text, log)
    if log.report.errors:
        return None
    if attributions == "communication":
        communicated = [r for r in records if r.cue is None or is_communication_cue(r.cue.span.text)]
        log.count("filtered.not_communication", len(records) - len(communicated))
        records = communicated
    records = _resolve_overlaps(records, text, log)
    quotes = [Quote.from_labelled((part.kind, part.span) for part in record.parts) for record in records]
    quotes.sort(key=lambda quote: (quote.contents[0].start, quote.contents[0].end))
    document = Document(log.document_id, text, tuple(quotes))
    if conventions == "guidelines":
        document = _to_guidelines(document, log)
    for issue in validate_document(document):  # a bug here, not in the data: the rules above should prevent it
        log.error(None, issue.path, f"reader produced an invalid document: {issue.problem}")
    return None if log.report.errors else document


def _to_guidelines(document: Document, log: _Log) -> Document:
    """The document with our guidelines' span conventions (:mod:`quotes.conventions`), every change counted."""
    converted, changes = to_guidelines(document)
    log.report.counts.update(count_changes(changes))
    for change in changes:
        where = f"quotes[{change.record}] {change.kind}"
        log.report.conventions.append(ValidationIssue(log.file, None, log.document_id, where, change.describe()))
    return converted


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
        return read_utf8(path)
    except DataValidationError as error:
        report.errors.extend(ValidationIssue(i.file, i.line, document_id, i.path, i.problem) for i in error.issues)
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
    conventions: Conventions = "source",
) -> BratReport:
    """Read one BRAT pair into a :class:`BratReport` without raising on bad data or logging.

    Args:
        txt_path: the article text (UTF-8).
        ann_path: its standoff annotation.
        attributions: ``"communication"`` keeps only records whose cue passes
            :func:`quotes.lexicon.is_communication_cue` (records without a cue are kept).
        document_id: defaults to the name of ``txt_path`` without its suffix.
        conventions: ``"source"`` keeps the file's span boundaries; ``"guidelines"`` converts them to our
            guidelines' (:func:`quotes.conventions.to_guidelines`), each change counted (``conventions.<rule>``)
            and listed in :attr:`BratReport.conventions`.

    Returns:
        The report; ``documents`` holds the document only when ``errors`` is empty.
    """
    if attributions not in ("all", "communication"):
        raise UserInputError(f"attributions must be 'all' or 'communication', got {attributions!r}")
    if conventions not in CONVENTIONS:
        raise UserInputError(f"conventions must be 'source' or 'guidelines', got {conventions!r}")
    txt_path, ann_path = Path(txt_path), Path(ann_path)
    document_id = document_id if document_id is not None else txt_path.stem
    report = BratReport()
    text = _read_text(txt_path, report, document_id)
    ann = _read_text(ann_path, report, document_id)
    if text is None or ann is None:
        return report
    log = _Log(str(ann_path), document_id, report)
    document = _read_pair(text, ann, log, attributions, conventions)
    if document is not None:
        report.documents.append(document)
        _count_document(report, document)
    return report


def scan_brat(
    directory: str | Path, *, attributions: Attributions = "all", conventions: Conventions = "source"
) -> BratReport:
    """Read every ``<name>.txt`` + ``<name>.ann`` pair of ``directory`` (sorted by name) into one report.

    Never raises on bad data and logs nothing: the report lists every error and every repair, for tools that
    want the figures (``scripts/polnear_stats.py``). :func:`read_brat` is the same with errors raised.

    Args:
        directory: a folder such as PolNeAR's ``train``; other files in it are ignored.
        attributions: as for :func:`scan_brat_document`.
        conventions: as for :func:`scan_brat_document`.

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
        report.extend(
            scan_brat_document(
                texts[name], anns[name], attributions=attributions, document_id=name, conventions=conventions
            )
        )
    return report


def log_report(report: BratReport, where: str | Path) -> None:
    """Log what was read: counts at INFO, and every repair as one WARNING with counts and the first examples."""
    counts = report.counts
    ignored = ", ".join(
        f"{key.split('.', 1)[1]}={value}" for key, value in sorted(counts.items()) if key.startswith("ignored.")
    )
    logger.info(
        "%s: %d documents, %d quote records; unused by design: %s; annotator notes=%d; not communication=%d; "
        "T text differing from the document only in whitespace=%d",
        where,
        counts["documents"],
        counts["records"],
        ignored or "none",
        counts["lines.note"],
        counts["filtered.not_communication"],
        counts["text.whitespace_differs"],
    )
    if report.warnings:
        summary = ", ".join(f"{key}={counts[key]}" for key in WARNING_COUNTS if counts[key])
        examples = "; ".join(str(issue) for issue in report.warnings[:_EXAMPLES])
        logger.warning(
            "%s: %d annotation slips repaired (%s); first: %s (each is logged at DEBUG and listed by scan_brat)",
            where,
            len(report.warnings),
            summary,
            examples,
        )
        for issue in report.warnings:
            logger.debug("repaired: %s", issue)
    if report.conventions:
        made = ", ".join(
            f"{rule}={counts[f'conventions.{rule}']}" for rule in RULE_NAMES if counts[f"conventions.{rule}"]
        )
        skipped = sum(value for key, value in counts.items() if key.startswith("conventions.skipped."))
        examples = "; ".join(str(issue) for issue in report.conventions[:_EXAMPLES])
        logger.info(
            "%s: %d spans changed (or records dropped) to our guidelines' conventions (data.conventions: "
            "guidelines): %s; %d skipped (the span would overlap another); first: %s (each is logged at DEBUG and "
            "listed by scan_brat)",
            where,
            len(report.conventions) - skipped,
            made,
            skipped,
            examples,
        )
        for issue in report.conventions:
            logger.debug("converted: %s", issue)


def _finish(report: BratReport, where: str | Path) -> list[Document]:
    """Raise the report's errors, or log its counts and repairs and return its documents."""
    if report.errors:
        raise DataValidationError(report.errors)
    log_report(report, where)
    return report.documents


def read_brat_document(
    txt_path: str | Path,
    ann_path: str | Path,
    *,
    attributions: Attributions = "all",
    document_id: str | None = None,
    conventions: Conventions = "source",
) -> Document:
    """Read one BRAT ``.txt``/``.ann`` pair into a :class:`Document` (one :class:`Quote` per ``E`` line).

    Args:
        txt_path: the article text (UTF-8; offsets count characters with newlines untranslated).
        ann_path: its standoff annotation.
        attributions: ``"communication"`` keeps only records whose cue is an act of communication.
        document_id: defaults to the name of ``txt_path`` without its suffix.
        conventions: ``"guidelines"`` converts the spans to our guidelines' boundaries (:mod:`quotes.conventions`).

    Raises:
        DataValidationError: every problem in the pair, each naming file, line, document id and T/E id.
    """
    report = scan_brat_document(
        txt_path, ann_path, attributions=attributions, document_id=document_id, conventions=conventions
    )
    return _finish(report, ann_path)[0]


def read_brat(
    directory: str | Path, *, attributions: Attributions = "all", conventions: Conventions = "source"
) -> list[Document]:
    """Read every ``<name>.txt`` + ``<name>.ann`` pair of a directory, sorted by name; the id is ``<name>``.

    Each ``E`` line with a ``Content`` argument becomes a :class:`Quote`: its ``Content`` arguments (``Content2``
    too) the contents, its ``Source`` arguments the sources, its ``Cue`` argument the cue. Fragments of a
    discontinuous ``T`` line become separate spans (fragments that touch are joined); a discontinuous cue becomes
    one span from its first to its last character, which is an error if a gap holds another labelled span.

    Nothing is dropped silently; each case is handled one way:

    - errors (none occur in PolNeAR train or dev): a line that does not parse, a duplicate id, an undefined
      ``T`` id, offsets outside the text, a ``T`` text that differs from the document (beyond whitespace, and not
      found 1 or 2 characters away), an unknown role, two cues, a labelled gap in a cue, ``R``/``A``/``M``/``N``
      lines, a ``.txt`` without ``.ann``;
    - counted and logged at INFO (unused by design): ``T`` lines of other kinds than ``Source``/``Cue``/``Content``
      that no event uses (``Discuss``, ``Discard``, event triggers), ``E`` lines with no arguments, ``#`` notes,
      records removed by ``attributions="communication"``, ``T`` texts that differ from the document only inside
      (a newline written as a space);
    - repaired, counted (:data:`WARNING_COUNTS`), logged in one WARNING (counts and the first examples) and listed
      in :attr:`BratReport.warnings`: an ``E`` line with arguments but no ``Content`` is dropped; a
      ``Source``/``Cue``/``Content`` line no event uses is ignored, and so is a ``T`` line of a kind outside
      :data:`KNOWN_KINDS` that no event uses; an event typed or triggered by a role (``E1\\tCue:T2 Source:T1
      Content:T3``) has its trigger read as that role's argument; offsets whose text has extra whitespace at an
      edge are trimmed to the ``T`` line's text; offsets 1 or 2 characters off are moved to where the ``T`` line's
      text lies; a span used in a role other than its kind takes the role; overlapping spans (token labels are
      univocal) go to the span that starts first, then the longer, then the earlier ``E`` line, and later spans
      lose the overlapping characters (what is left is trimmed of whitespace and kept if it holds a word
      character; a record left with no content is dropped), except that an identical ``Source`` or ``Cue`` shared
      by two records stays in both. The communication filter runs before overlaps are resolved, so a dropped
      belief never takes characters from a quote.

    >>> docs = read_brat("PolNeAR/data/train", attributions="communication")  # doctest: +SKIP
    >>> len(docs), sum(len(d.quotes) for d in docs)  # doctest: +SKIP
    (840, 12500)

    Args:
        directory: a folder of BRAT pairs such as PolNeAR's ``train``; other files in it are ignored.
        attributions: ``"all"`` keeps every attribution; ``"communication"`` drops records whose cue is a
            belief or thought (``figures``, ``thinks``) per :func:`quotes.lexicon.is_communication_cue`; records
            without a cue are kept.
        conventions: ``"source"`` keeps PolNeAR's span boundaries (scores compare with published ones);
            ``"guidelines"`` converts them to our guidelines' (:func:`quotes.conventions.to_guidelines`: speaker
            appositives, cue auxiliaries, quotation marks, a leading ``that``, final punctuation; negated cues
            dropped), after overlaps are resolved, each change counted and logged at INFO.

    Raises:
        DataValidationError: every problem in every file, each naming file, line, document id and T/E id.
        FileNotFoundError: ``directory`` is not a directory.
    """
    return _finish(scan_brat(directory, attributions=attributions, conventions=conventions), directory)
