"""The evaluation report as a record: its scores, one name per measure, thresholds, and its table rows.

:func:`score` wraps :func:`quotes.metrics.score_documents` in a :class:`Report`, whose :meth:`Report.to_dict` is
``report.json``. :data:`METRICS` gives each measure its one name (``QUOTE_exact_f1``, ``quote_f1``,
``end_to_end_by_name_f1``, ...) used in logs, reports and thresholds; :func:`parse_thresholds` reads
``--fail-under`` and refuses any gate that could quietly pass. :func:`headline_rows`, :func:`label_rows` and
:func:`compare` build the rows that :mod:`quotes.render` (HTML) and :mod:`quotes.markdown` format, so both show the
same numbers. Pure Python; rendering depends on this module, never the reverse.
"""

from __future__ import annotations

import difflib
import json
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from quotes.errors import UserInputError
from quotes.metrics import SPAN_KINDS, score_documents
from quotes.schema import KINDS, Document, QuoteRecord

REPORT_FORMAT = "quotes.evaluation.v1"
"""Value of the ``format`` key of :meth:`Report.to_dict`; bumped whenever a key is renamed or removed."""


def _metric_table() -> dict[str, tuple[str, str]]:
    table: dict[str, tuple[str, str]] = {}
    prf = ("precision", "recall", "f1")
    for kind in (*KINDS, "ALL"):
        table |= {f"{kind}_exact_{m}": (f"spans.{kind}.exact.{m}", f"{kind} exact span {m} (Citron)") for m in prf}
        table |= {
            f"{kind}_overlap_{m}": (f"spans.{kind}.overlap.{m}", f"{kind} token overlap {m} (Citron)") for m in prf
        }
        if kind != "ALL":
            table |= {f"{kind}_seqeval_{m}": (f"seqeval.{kind}.{m}", f"{kind} seqeval strict IOB2 {m}") for m in prf}
    table |= {f"seqeval_micro_{m}": (f"seqeval.micro_avg.{m}", f"seqeval micro-average {m}") for m in prf}
    table |= {f"quote_{m}": (f"quotes.{m}", f"quote records paired by content, {m}") for m in prf}
    table["attribution_accuracy"] = ("attribution.accuracy", "paired quotes with the right speaker")
    table["attribution_by_name_accuracy"] = ("attribution_by_name.accuracy", "paired quotes, speaker right by name")
    table |= {f"end_to_end_{m}": (f"end_to_end.{m}", f"paired and right speaker, {m}") for m in prf}
    table |= {
        f"end_to_end_by_name_{m}": (f"end_to_end_by_name.{m}", f"paired and speaker right by name, {m}") for m in prf
    }
    return table


METRICS: dict[str, tuple[str, str]] = _metric_table()
"""Every named measure: name -> (path in :meth:`Report.to_dict`, a few words saying what it is)."""

HEADLINE_METRICS: tuple[str, ...] = (
    *(f"{kind}_{measure}_f1" for kind in KINDS for measure in ("exact", "overlap", "seqeval")),
    "quote_f1",
    "attribution_accuracy",
    "attribution_by_name_accuracy",
    "end_to_end_f1",
    "end_to_end_by_name_f1",
)
"""The rows of the headline table of every report, by name."""

DEFINITIONS: dict[str, str] = {
    "exact": "Citron exact span F1: a predicted record counts when its span list of that kind covers the same "
    "word tokens as a gold record's (and, for QUOTE and SPEAKER, their cues overlap).",
    "overlap": "Citron overlap F1: the share of predicted tokens inside gold spans of the same kind (P) and of "
    "gold tokens inside predicted ones (R).",
    "seqeval": "seqeval strict IOB2 F1 over whole documents' word tokens: an entity counts only with exact bounds.",
    "quote": "quote_f1: gold and predicted records paired one to one by shared content characters.",
    "attribution": "attribution_accuracy: of the paired records, those whose predicted speaker (or its "
    "coreference) overlaps the gold speaker or the name it stands for.",
    "by_name": "…_by_name: as attribution, but a pronoun speaker counts only when the record's coreference (or "
    "source) names the gold person: it overlaps a gold coreference or reads the same.",
    "end_to_end": "end_to_end_f1: records both paired and right on the speaker, over all predicted and gold records.",
}
"""Short definitions of the measures, shown on the report pages."""

THRESHOLD_ALIASES: dict[str, str] = {
    **{kind: f"{kind}_exact_f1" for kind in KINDS},
    "quote": "quote_f1",
    "attribution": "attribution_accuracy",
    "end_to_end": "end_to_end_f1",
}
"""Deprecated threshold keys and the metric names that replace them (a ``FutureWarning`` says so)."""

_NOT_THRESHOLDS = {
    "documents", "errors", "thresholds", "failures", "baseline", "format", "name", "token_confusion",
    "record_scores", "comparison",
}  # fmt: skip
_RATES = {"precision", "recall", "f1", "accuracy"}
_SCORE_SECTIONS = {
    "counts", "seqeval", "spans", "quotes", "attribution", "end_to_end", "attribution_by_name", "end_to_end_by_name",
    "quote_edges",
}  # fmt: skip


@dataclass
class Report:
    """Every score of one evaluation run; :meth:`to_dict` documents the keys.

    ``baseline`` holds the rule baseline's report on the same data when one was attached; ``failures`` the
    sentences of the thresholds that were not met (empty when all passed or none were set); ``comparison`` the
    deltas against an earlier ``report.json`` (:func:`compare`).
    """

    name: str
    counts: dict[str, int]
    seqeval: dict[str, dict[str, float]]
    spans: dict[str, dict[str, dict[str, float]]]
    quotes: dict[str, float]
    attribution: dict[str, float]
    end_to_end: dict[str, float]
    documents: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    attribution_by_name: dict[str, float] = field(default_factory=dict)
    end_to_end_by_name: dict[str, float] = field(default_factory=dict)
    quote_edges: dict[str, int] = field(default_factory=dict)
    token_confusion: dict[str, Any] = field(default_factory=dict)
    record_scores: dict[str, list[float]] = field(default_factory=dict)
    thresholds: dict[str, float] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    baseline: Report | None = None
    comparison: dict[str, Any] | None = None
    # Kept for the HTML comparison view only; not serialised.
    gold: Sequence[Document] = field(default=(), repr=False, compare=False)
    predicted: Sequence[Sequence[QuoteRecord]] = field(default=(), repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-serialisable data with stable keys (new keys are added, none renamed).

        Keys: ``format`` (:data:`REPORT_FORMAT`), ``name`` (the model evaluated), ``counts`` (``documents``,
        ``gold_quotes``, ``predicted_quotes``, ``matched_quotes``), ``seqeval`` (``QUOTE``/``SPEAKER``/``CUE``/
        ``micro_avg`` -> ``precision``, ``recall``, ``f1``, ``support``), ``spans`` (``QUOTE``/``SPEAKER``/
        ``CUE``/``ALL`` -> ``exact`` {``precision``, ``recall``, ``f1``, ``tp``, ``fp``, ``fn``} and ``overlap``
        {``precision``, ``recall``, ``f1``, ``predicted_overlap``, ``predicted_tokens``, ``gold_overlap``,
        ``gold_tokens``}), ``quotes``, ``end_to_end`` and ``end_to_end_by_name`` (``precision``, ``recall``,
        ``f1``, ``correct``, ``predicted``, ``gold``), ``attribution`` and ``attribution_by_name`` (``accuracy``,
        ``correct``, ``matched``), ``quote_edges`` (:data:`quotes.metrics.EDGE_CLASSES` and ``spurious`` ->
        count), ``token_confusion`` (``labels``, ``matrix``), ``record_scores`` (``matched``, ``spurious``: sorted
        record scores), ``documents`` (one row per document: ``id``, ``gold_quotes``, ``predicted_quotes``,
        ``matched_quotes``, ``quote_f1``, ``span_f1`` {kind -> exact F1}, ``end_to_end_f1``,
        ``end_to_end_by_name_f1``; an F1 is ``null`` when the document has neither gold nor predictions),
        ``errors`` (``document``, ``type`` missed/spurious, ``start``, ``end``, ``text``, ``source``, ``before``,
        ``after``), ``thresholds`` (metric name -> required value), ``failures``, ``baseline`` (the same keys, or
        null) and ``comparison`` (:func:`compare`, or null).
        """
        return {
            "format": REPORT_FORMAT,
            "name": self.name,
            "counts": dict(self.counts),
            "seqeval": {label: dict(values) for label, values in self.seqeval.items()},
            "spans": {kind: {m: dict(v) for m, v in values.items()} for kind, values in self.spans.items()},
            "quotes": dict(self.quotes),
            "attribution": dict(self.attribution),
            "end_to_end": dict(self.end_to_end),
            "attribution_by_name": dict(self.attribution_by_name),
            "end_to_end_by_name": dict(self.end_to_end_by_name),
            "quote_edges": dict(self.quote_edges),
            "token_confusion": json.loads(json.dumps(self.token_confusion)),
            "record_scores": {k: list(v) for k, v in self.record_scores.items()},
            "documents": json.loads(json.dumps(self.documents)),
            "errors": [dict(error) for error in self.errors],
            "thresholds": dict(self.thresholds),
            "failures": list(self.failures),
            "baseline": self.baseline.to_dict() if self.baseline is not None else None,
            "comparison": self.comparison,
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def value(self, key: str) -> float:
        """The number of a metric name (``quote_f1``), a dotted path of :meth:`to_dict`, or a deprecated alias."""
        path = metric_path(THRESHOLD_ALIASES.get(key, key))
        section = path.split(".", 1)[0]
        if section in _SCORE_SECTIONS:  # the scores alone, without serialising documents and errors each time
            return lookup({section: getattr(self, section)}, path)
        return lookup(self.to_dict(), path)


def score(
    gold: Sequence[Document],
    predicted: Sequence[Sequence[QuoteRecord]],
    *,
    name: str = "model",
    max_errors: int = 10,
) -> Report:
    """Score predictions (one list of records per gold document, same order) against the gold records.

    Args:
        gold: gold documents.
        predicted: the records predicted for each document's text.
        name: what was evaluated (shown in the reports).
        max_errors: how many missed and how many spurious quotes to keep, longest first.

    Raises:
        ValueError: the two sequences differ in length, or a predicted span's text is not the document's text
            at its offsets (the predictions belong to other texts or are out of order).
    """
    scores = score_documents(gold, predicted, max_errors=max_errors)
    return Report(name=name, **scores, gold=list(gold), predicted=[list(r) for r in predicted])


# --------------------------------------------------------------------------------------------------------------
# Names and thresholds
# --------------------------------------------------------------------------------------------------------------


def metric_path(key: str) -> str:
    """The :meth:`Report.to_dict` path of a metric name; a path is returned as it is."""
    return METRICS[key][0] if key in METRICS else key


def metric_name(path: str) -> str:
    """The name of the measure at a path (``quotes.f1`` -> ``quote_f1``); other paths are their own name."""
    return next((name for name, (p, _) in METRICS.items() if p == path), path)


def threshold_keys() -> list[str]:
    """Every key :func:`parse_thresholds` accepts: metric names, then every other numeric path of ``report.json``.

    The deprecated aliases (:data:`THRESHOLD_ALIASES`) are accepted too but not listed.
    """
    skeleton = score([], []).to_dict()
    named = {path for path, _ in METRICS.values()}
    paths = _numeric_paths({k: v for k, v in skeleton.items() if k not in _NOT_THRESHOLDS})
    return [*METRICS, *(path for path in paths if path not in named)]


def parse_thresholds(spec: str | Mapping[str, float] | None) -> dict[str, float]:
    """Parse ``"QUOTE_exact_f1=0.6,quote_f1=0.8"`` (or a mapping) into ``{metric name: minimum}``.

    Keys are metric names (:data:`METRICS`) or numeric dotted paths of :meth:`Report.to_dict` (kept as given when
    they have no name, e.g. ``counts.matched_quotes``); a path with a name becomes that name. The old keys
    ``QUOTE``, ``SPEAKER``, ``CUE``, ``quote``, ``attribution`` and ``end_to_end`` still work with a
    ``FutureWarning`` naming the new key. A gate must gate: rates need a value in [0, 1], counts a finite value
    of at least 0.

    >>> parse_thresholds("quote_f1=0.8,spans.CUE.exact.f1=0.5")
    {'quote_f1': 0.8, 'CUE_exact_f1': 0.5}

    Raises:
        ValueError: the spec is empty, an item is not ``key=number``, a key is empty, unknown or repeated, or a
            value is not a finite number in its range (the message names the item).
    """
    if spec is None:
        return {}
    if isinstance(spec, Mapping):
        items = [(str(k), v, f"{k}={v}") for k, v in spec.items()]
    else:
        if not spec.strip():
            raise UserInputError("the threshold list is empty; give key=value items, e.g. quote_f1=0.5")
        items = []
        for item in (part.strip() for part in spec.split(",")):
            if not item:
                raise UserInputError(f"empty item in threshold list {spec!r}; remove the extra comma")
            key, sep, value = item.partition("=")
            if not sep:
                raise UserInputError(f"threshold {item!r} is not key=value (e.g. quote_f1=0.6)")
            items.append((key.strip(), value.strip(), item))
    valid = threshold_keys()
    thresholds: dict[str, float] = {}
    for key, value, item in items:
        name = _threshold_name(key, item, valid)
        if name in thresholds:
            raise UserInputError(f"threshold {item!r}: {name} is given twice")
        thresholds[name] = _threshold_value(name, value, item)
    return thresholds


def _threshold_name(key: str, item: str, valid: list[str]) -> str:
    if not key:
        raise UserInputError(f"threshold {item!r} has no key (e.g. quote_f1=0.6)")
    if key in THRESHOLD_ALIASES:
        new = THRESHOLD_ALIASES[key]
        warnings.warn(
            f"threshold key {key!r} is deprecated; use {new!r} ({METRICS[new][0]})", FutureWarning, stacklevel=3
        )
        return new
    named_paths = {path for path, _ in METRICS.values()}
    if key not in valid and key not in named_paths:
        close = difflib.get_close_matches(key, [*valid, *named_paths, *THRESHOLD_ALIASES], n=1)
        hint = f" Did you mean {metric_name(THRESHOLD_ALIASES.get(close[0], close[0]))!r}?" if close else ""
        raise UserInputError(
            f"unknown threshold key {key!r}.{hint} Valid keys: {', '.join(METRICS)}; or a numeric path of "
            "report.json (e.g. spans.QUOTE.exact.tp, counts.matched_quotes)"
        )
    return metric_name(key)


def _threshold_value(name: str, value: Any, item: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise UserInputError(f"threshold {item!r}: the value is not a number (e.g. {name}=0.6)") from None
    is_rate = metric_path(name).rsplit(".", 1)[-1] in _RATES
    if not math.isfinite(number) or number < 0 or (is_rate and number > 1):
        expected = "a number from 0 to 1" if is_rate else "a finite number of at least 0"
        raise UserInputError(f"threshold {item!r}: {name} needs {expected}, got {value!r}")
    return number


def check_thresholds(report: Report, thresholds: str | Mapping[str, float] | None) -> list[str]:
    """The thresholds the report does not meet, each as a sentence with the measured and required values."""
    failures = []
    for key, required in parse_thresholds(thresholds).items():
        path = metric_path(key)
        measured = report.value(path)
        if measured < required:
            what = key if key == path else f"{key} ({path})"
            failures.append(f"{what} is {measured:.4f}, below the required {required:.4f}.")
    return failures


# --------------------------------------------------------------------------------------------------------------
# Table rows, built once for Markdown and HTML
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One headline row: the measure's name, the model's value, the baseline's (or None) and the difference."""

    name: str
    value: float
    baseline: float | None = None

    @property
    def delta(self) -> float | None:
        return None if self.baseline is None else self.value - self.baseline


def headline_rows(report: Report) -> list[Row]:
    """The :data:`HEADLINE_METRICS` of the report, beside the baseline's when one is attached."""
    base = report.baseline
    return [Row(name, report.value(name), base.value(name) if base is not None else None) for name in HEADLINE_METRICS]


def label_rows(report: Report) -> list[tuple[str, list[float]]]:
    """Per kind (and ALL): exact P/R/F1, overlap P/R/F1 and seqeval F1 (micro average for ALL)."""
    rows = []
    for kind in SPAN_KINDS:
        exact, overlap = report.spans[kind]["exact"], report.spans[kind]["overlap"]
        tagged = report.seqeval["micro_avg" if kind == "ALL" else kind]["f1"]
        values = [exact[m] for m in ("precision", "recall", "f1")] + [overlap[m] for m in ("precision", "recall", "f1")]
        rows.append((kind, [*values, tagged]))
    return rows


LABEL_COLUMNS = ("exact P", "exact R", "exact F1", "overlap P", "overlap R", "overlap F1", "seqeval F1")
"""Column heads of :func:`label_rows` (the row of kind K, column "exact F1" is ``K_exact_f1``)."""


def documents_worst_first(report: Report) -> list[dict[str, Any]]:
    """Document rows by quote F1, lowest first (documents with nothing to find last), then by id."""
    return sorted(report.documents, key=lambda r: (2.0 if r["quote_f1"] is None else r["quote_f1"], r["id"]))


def compare(report: Report, previous: Mapping[str, Any], *, against: str = "previous") -> dict[str, Any]:
    """Deltas of ``report`` against an earlier ``report.json`` (as loaded): headline metrics and documents.

    Returns ``{"against", "name", "metrics": {name: {before, now, delta}}, "documents": [{id, before, now,
    delta}]}``; documents are matched by id (``before``/``now`` is null where a document is on one side only)
    and sorted by delta, largest drop first. A metric the earlier report lacks has ``before`` null.
    """
    metrics = {}
    for name in HEADLINE_METRICS:
        now = report.value(name)
        try:
            before: float | None = lookup(previous, metric_path(name))
        except KeyError:
            before = None
        metrics[name] = {"before": before, "now": now, "delta": None if before is None else _r(now - before)}
    old = {row["id"]: row.get("quote_f1") for row in previous.get("documents", [])}
    new = {row["id"]: row["quote_f1"] for row in report.documents}
    documents = []
    for doc_id in [*new, *(i for i in old if i not in new)]:
        before, now = old.get(doc_id), new.get(doc_id)
        delta = None if before is None or now is None else _r(now - before)
        documents.append({"id": doc_id, "before": before, "now": now, "delta": delta})
    documents.sort(key=lambda d: (d["delta"] is None, d["delta"] or 0.0, d["id"]))
    return {"against": against, "name": previous.get("name"), "metrics": metrics, "documents": documents}


def load_previous(path: str) -> dict[str, Any]:
    """An earlier ``report.json`` for :func:`compare`.

    Raises:
        ValueError: the file is missing, not JSON, or not a report (no ``format``/``documents``).
    """
    from pathlib import Path

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserInputError(f"--compare {path}: no such file; give the report.json of an earlier run") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UserInputError(f"--compare {path}: not a readable JSON file ({error})") from None
    if not isinstance(data, dict) or not str(data.get("format", "")).startswith("quotes.evaluation"):
        raise UserInputError(f"--compare {path}: not a report.json written by `quotes evaluate` (no format key)")
    return data


# --------------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------------


def lookup(data: Any, path: str) -> float:
    """The number at a dotted path of report data.

    Raises:
        KeyError: no such path, or not a number there.
    """
    node = data
    for part in path.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise KeyError(f"{path!r} is not a path of the report (stopped at {part!r})")
    if isinstance(node, bool) or not isinstance(node, (int, float)):
        raise KeyError(f"{path!r} is not a number in the report (found {type(node).__name__})")
    return float(node)


def _numeric_paths(data: Mapping[str, Any], prefix: str = "") -> Iterable[str]:
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _numeric_paths(value, f"{path}.")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            yield path


def _r(value: float) -> float:
    return round(value, 6)
