"""Score predicted quote records against gold documents and report the result for people and for CI.

:func:`score` compares :class:`~quotes.schema.QuoteRecord` predictions with gold :class:`~quotes.schema.Document`
records at three levels: seqeval entity scores over word tags, BBC Citron's span metrics (exact and token
overlap, per kind), and quote-level matching with attribution. The :class:`Report` it returns serialises to JSON,
Markdown (a PR comment or GitHub job summary) and HTML (gold and predictions side by side). :func:`evaluate`
runs a model (or the rule baseline) over gold data, scores it, attaches the baseline's report and checks
thresholds. Pure Python plus seqeval: the model is imported only when :func:`evaluate` is given a path.
"""

from __future__ import annotations

import bisect
import difflib
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from quotes.labels import spans_to_tags, word_offsets
from quotes.schema import KINDS, Document, Quote, QuoteRecord, Span

logger = logging.getLogger(__name__)

REPORT_FORMAT = "quotes.evaluation.v1"
"""Value of the ``format`` key of :meth:`Report.to_dict`; bumped whenever a key changes."""

SPAN_KINDS = (*KINDS, "ALL")
"""Kinds of Citron's span metrics: each label, and ``ALL`` (cue, sources and contents of a record together)."""

THRESHOLD_ALIASES: dict[str, str] = {
    "QUOTE": "spans.QUOTE.exact.f1",
    "SPEAKER": "spans.SPEAKER.exact.f1",
    "CUE": "spans.CUE.exact.f1",
    "quote": "quotes.f1",
    "attribution": "attribution.accuracy",
    "end_to_end": "end_to_end.f1",
}
"""Short threshold keys and the :meth:`Report.to_dict` paths they stand for."""

HEADLINE_METRICS: tuple[tuple[str, str], ...] = (
    ("QUOTE exact F1", "spans.QUOTE.exact.f1"),
    ("QUOTE overlap F1", "spans.QUOTE.overlap.f1"),
    ("SPEAKER exact F1", "spans.SPEAKER.exact.f1"),
    ("SPEAKER overlap F1", "spans.SPEAKER.overlap.f1"),
    ("CUE exact F1", "spans.CUE.exact.f1"),
    ("CUE overlap F1", "spans.CUE.overlap.f1"),
    ("Quote F1", "quotes.f1"),
    ("Attribution accuracy", "attribution.accuracy"),
    ("End-to-end F1", "end_to_end.f1"),
)
"""The headline rows of the Markdown and HTML reports: label and :meth:`Report.to_dict` path."""
_CONTEXT_CHARS = 80  # characters of text shown on each side of a missed or spurious quote

AnyRecord = Quote | QuoteRecord


class Predictor(Protocol):
    def predict(self, texts: list[str], batch_size: int = ...) -> list[list[QuoteRecord]]: ...


# --------------------------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------------------------


@dataclass
class Report:
    """Every score of one evaluation run; :meth:`to_dict` documents the keys.

    ``baseline`` holds the rule baseline's report on the same data when one was attached; ``failures`` the
    sentences of the thresholds that were not met (empty when all passed or none were set).
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
    thresholds: dict[str, float] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    baseline: Report | None = None
    # Kept for to_html() only; not serialised.
    gold: Sequence[Document] = field(default=(), repr=False, compare=False)
    predicted: Sequence[Sequence[QuoteRecord]] = field(default=(), repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-serialisable data with stable keys.

        Keys: ``format`` (:data:`REPORT_FORMAT`), ``name`` (the model evaluated), ``counts`` (``documents``,
        ``gold_quotes``, ``predicted_quotes``, ``matched_quotes``), ``seqeval`` (``QUOTE``/``SPEAKER``/``CUE``/
        ``micro_avg`` -> ``precision``, ``recall``, ``f1``, ``support``), ``spans`` (``QUOTE``/``SPEAKER``/
        ``CUE``/``ALL`` -> ``exact`` {``precision``, ``recall``, ``f1``, ``tp``, ``fp``, ``fn``} and ``overlap``
        {``precision``, ``recall``, ``f1``, ``predicted_overlap``, ``predicted_tokens``, ``gold_overlap``,
        ``gold_tokens``}), ``quotes`` and ``end_to_end`` (``precision``, ``recall``, ``f1``, ``correct``,
        ``predicted``, ``gold``), ``attribution`` (``accuracy``, ``correct``, ``matched``), ``documents`` (one
        row per document: ``id``, ``gold_quotes``, ``predicted_quotes``, ``matched_quotes``, ``quote_f1``,
        ``span_f1`` {kind -> exact F1}; an F1 is ``null`` when the document has neither gold nor predictions),
        ``errors`` (``document``, ``type`` missed/spurious, ``start``, ``end``, ``text``, ``source``, ``before``,
        ``after``), ``thresholds`` (key -> required value), ``failures`` and ``baseline`` (the same keys, or null).
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
            "documents": [dict(row) for row in self.documents],
            "errors": [dict(error) for error in self.errors],
            "thresholds": dict(self.thresholds),
            "failures": list(self.failures),
            "baseline": self.baseline.to_dict() if self.baseline is not None else None,
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def value(self, path: str) -> float:
        """The number at a dotted path of :meth:`to_dict` (``spans.QUOTE.overlap.f1``) or a threshold alias."""
        return _lookup(self.to_dict(), THRESHOLD_ALIASES.get(path, path))

    def to_markdown(self, *, max_documents: int = 50) -> str:
        """Markdown for a PR comment or ``$GITHUB_STEP_SUMMARY``: headline (against the baseline when attached),
        thresholds, per-label details, documents (the ``max_documents`` with the lowest quote F1), worst errors."""
        from quotes.render import render_report_markdown

        return render_report_markdown(self, max_documents=max_documents)

    def to_html(self) -> str:
        """A standalone HTML page: the metrics, then gold and predicted records side by side for each document."""
        from quotes.render import render_report_html

        return render_report_html(self)

    def write(self, directory: str | Path) -> list[Path]:
        """Write ``report.json``, ``report.md`` and ``report.html`` to ``directory`` (created if missing)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        outputs = {
            "report.json": self.to_json() + "\n",
            "report.md": self.to_markdown(),
            "report.html": self.to_html(),
        }
        paths = []
        for name, content in outputs.items():
            path = directory / name
            path.write_text(content, encoding="utf-8")
            paths.append(path)
        return paths


# --------------------------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------------------------


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
    if len(gold) != len(predicted):
        raise ValueError(f"got {len(gold)} gold documents but {len(predicted)} lists of predicted records")
    for document, records in zip(gold, predicted, strict=True):
        _check_offsets(document, records)

    y_true: list[list[str]] = []
    y_pred: list[list[str]] = []
    span_counts = {kind: _SpanCounts() for kind in SPAN_KINDS}
    quote_counts = _QuoteCounts()
    rows: list[dict[str, Any]] = []
    missed: list[dict[str, Any]] = []
    spurious: list[dict[str, Any]] = []
    for document, records in zip(gold, predicted, strict=True):
        offsets = word_offsets(document.text)
        gold_spans = set(document.labelled_spans())
        pred_spans = {(kind, _plain(span)) for record in records for kind, span in _labelled(record)}
        y_true.append([tag or "O" for tag in spans_to_tags(gold_spans, offsets)])
        y_pred.append([tag or "O" for tag in spans_to_tags(pred_spans, offsets)])

        tokens = _Tokens(offsets)
        doc_spans = _citron_counts(document.quotes, records, tokens)
        for kind in SPAN_KINDS:
            span_counts[kind].add(doc_spans[kind])
        doc_quotes = _match_quotes(document.quotes, records)
        quote_counts.add(doc_quotes)

        rows.append(
            {
                "id": document.id,
                "gold_quotes": len(document.quotes),
                "predicted_quotes": len(records),
                "matched_quotes": len(doc_quotes.pairs),
                "quote_f1": _f1_or_none(len(doc_quotes.pairs), len(records), len(document.quotes)),
                "span_f1": {kind: doc_spans[kind].exact_f1_or_none() for kind in KINDS},
            }
        )
        matched_gold = {g for g, _ in doc_quotes.pairs}
        matched_pred = {p for _, p in doc_quotes.pairs}
        missed += [_error(document, q, "missed") for i, q in enumerate(document.quotes) if i not in matched_gold]
        spurious += [_error(document, r, "spurious") for i, r in enumerate(records) if i not in matched_pred]

    for errors in (missed, spurious):
        errors.sort(key=lambda e: (-(e["end"] - e["start"]), e["document"], e["start"]))
    return Report(
        name=name,
        counts={
            "documents": len(gold),
            "gold_quotes": quote_counts.gold,
            "predicted_quotes": quote_counts.predicted,
            "matched_quotes": quote_counts.matched,
        },
        seqeval=_seqeval_scores(y_true, y_pred),
        spans={kind: span_counts[kind].to_dict() for kind in SPAN_KINDS},
        quotes=_prf(quote_counts.matched, quote_counts.predicted, quote_counts.gold),
        attribution={
            "accuracy": _ratio(quote_counts.attributed, quote_counts.matched),
            "correct": quote_counts.attributed,
            "matched": quote_counts.matched,
        },
        end_to_end=_prf(quote_counts.attributed, quote_counts.predicted, quote_counts.gold),
        documents=rows,
        errors=missed[:max_errors] + spurious[:max_errors],
        gold=list(gold),
        predicted=[list(records) for records in predicted],
    )


def _seqeval_scores(y_true: list[list[str]], y_pred: list[list[str]]) -> dict[str, dict[str, float]]:
    """Entity P/R/F1 per label and micro average, strict IOB2 (an entity counts only with exact bounds and type)."""
    result = {label: {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0} for label in (*KINDS, "micro_avg")}
    has_entities = any(tag != "O" for tags in (*y_true, *y_pred) for tag in tags)
    if not has_entities:  # seqeval divides by zero and warns on entity-free input
        return result
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    report = classification_report(y_true, y_pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
    for label in result:
        values = report.get("micro avg" if label == "micro_avg" else label)
        if values is not None:
            result[label] = {
                "precision": _round(values["precision"]),
                "recall": _round(values["recall"]),
                "f1": _round(values["f1-score"]),
                "support": int(values["support"]),
            }
    return result


# BBC Citron's span metrics, from citron/metrics.py (evaluate(), get_*_exact_match_metrics(),
# get_quote_overlap_counts_and_lengths(), get_exact_scores(), get_overlap_scores()) and citron/utils.py
# (are_matching_span_lists, get_overlap), which scripts/evaluate/citron_evaluate.py calls; github.com/bbc/citron at
# b140405574424c58ed0188dd5befc51dea7e8390. The unit is the quote record and spans are compared as token ranges:
# - CUE exact: a predicted record is a true positive when its cue is the same token range as the cue of some gold
#   record, else a false positive; a gold record is a false negative when no predicted cue matches it.
# - SPEAKER (QUOTE) exact: the same, where a match is a gold record whose cue overlaps the predicted cue and whose
#   whole list of source (content) spans equals the predicted list; two empty lists are equal.
# - ALL exact: cue, sources and contents all equal.
# - P = tp / (tp + fp), R = tp / (tp + fn) (tp counts predicted records), F1 their harmonic mean; 0 when undefined.
# - Overlap: tokens of predicted spans that overlap gold spans of the same kind, over all predicted tokens (P)
#   and over all gold tokens (R); ALL sums the three kinds.
# Where the spec allows what Citron's data never has, or Citron is plainly off, we differ, and say so:
# - Records without a cue (continuation paragraphs) are left out of CUE; for SPEAKER, QUOTE and ALL two missing
#   cues "overlap" (Citron requires a cue on every record).
# - Citron sums the overlap of every predicted/gold record pair, so a source shared by two records (which the spec
#   allows) is counted twice and precision can pass 1; we count each predicted (gold) token once against the union
#   of the gold (predicted) tokens. With no shared spans the two agree.
# - Citron passes gold and predicted lengths in swapped order for ALL overlap (its README shows overlap P < R for
#   ALL while P > R for every kind); we do not swap them.
# - Citron's are_overlapping_spans also counts touching spans (start <= other end); we require a shared token.
# Tokens are labels.word_offsets words and punctuation marks (Citron uses spaCy tokens); a span covers the tokens
# its characters touch.


@dataclass
class _SpanCounts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    predicted_overlap: int = 0
    predicted_tokens: int = 0
    gold_overlap: int = 0
    gold_tokens: int = 0

    def add(self, other: _SpanCounts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def exact_f1_or_none(self) -> float | None:
        if self.tp + self.fp + self.fn == 0:
            return None
        return _prf_counts(self.tp, self.fp, self.fn)["f1"]

    def to_dict(self) -> dict[str, dict[str, float]]:
        precision = _ratio(self.predicted_overlap, self.predicted_tokens)
        recall = _ratio(self.gold_overlap, self.gold_tokens)
        return {
            "exact": {**_prf_counts(self.tp, self.fp, self.fn), "tp": self.tp, "fp": self.fp, "fn": self.fn},
            "overlap": {
                "precision": precision,
                "recall": recall,
                "f1": _round(_harmonic(precision, recall)),
                "predicted_overlap": self.predicted_overlap,
                "predicted_tokens": self.predicted_tokens,
                "gold_overlap": self.gold_overlap,
                "gold_tokens": self.gold_tokens,
            },
        }


class _Tokens:
    """Maps character spans of one text to the indices of the word tokens they touch."""

    def __init__(self, offsets: Sequence[tuple[int, int]]):
        self.starts = [start for start, _ in offsets]
        self.ends = [end for _, end in offsets]

    def range(self, span: Span | None) -> tuple[int, int] | None:
        if span is None:
            return None
        first = bisect.bisect_right(self.ends, span.start)
        last = bisect.bisect_left(self.starts, span.end)
        return (first, last) if first < last else (first, first)

    def set(self, spans: Iterable[Span]) -> set[int]:
        indices: set[int] = set()
        for span in spans:
            first, last = self.range(span)
            indices.update(range(first, last))
        return indices


def _citron_counts(gold: Sequence[Quote], predicted: Sequence[QuoteRecord], tokens: _Tokens) -> dict[str, _SpanCounts]:
    def ranges(spans: Iterable[Span]) -> list[tuple[int, int]]:
        return sorted(tokens.range(s) for s in spans)

    def view(record: AnyRecord) -> dict[str, Any]:
        return {
            "cue": tokens.range(record.cue),
            "SPEAKER": ranges(record.sources),
            "QUOTE": ranges(record.contents),
        }

    def cues_agree(a: dict[str, Any], b: dict[str, Any]) -> bool:
        if a["cue"] is None or b["cue"] is None:
            return a["cue"] is None and b["cue"] is None
        return a["cue"][0] < b["cue"][1] and b["cue"][0] < a["cue"][1]

    def same(kind: str, a: dict[str, Any], b: dict[str, Any]) -> bool:
        if kind == "CUE":
            return a["cue"] is not None and a["cue"] == b["cue"]
        if kind == "ALL":
            return a["cue"] == b["cue"] and a["SPEAKER"] == b["SPEAKER"] and a["QUOTE"] == b["QUOTE"]
        return cues_agree(a, b) and a[kind] == b[kind]

    gold_views = [view(q) for q in gold]
    pred_views = [view(r) for r in predicted]
    counts = {kind: _SpanCounts() for kind in SPAN_KINDS}
    for kind in SPAN_KINDS:
        c = counts[kind]
        golds = [g for g in gold_views if kind != "CUE" or g["cue"] is not None]
        preds = [p for p in pred_views if kind != "CUE" or p["cue"] is not None]
        for p in preds:
            if any(same(kind, p, g) for g in golds):
                c.tp += 1
            else:
                c.fp += 1
        c.fn = sum(1 for g in golds if not any(same(kind, p, g) for p in preds))

    def spans_of(record: AnyRecord, kind: str) -> list[Span]:
        if kind == "CUE":
            return [record.cue] if record.cue is not None else []
        return list(record.contents if kind == "QUOTE" else record.sources)

    for kind in KINDS:
        gold_union = tokens.set(s for q in gold for s in spans_of(q, kind))
        pred_union = tokens.set(s for r in predicted for s in spans_of(r, kind))
        c = counts[kind]
        for record in predicted:
            own = tokens.set(spans_of(record, kind))
            c.predicted_tokens += len(own)
            c.predicted_overlap += len(own & gold_union)
        for quote in gold:
            own = tokens.set(spans_of(quote, kind))
            c.gold_tokens += len(own)
            c.gold_overlap += len(own & pred_union)
        for name in ("predicted_overlap", "predicted_tokens", "gold_overlap", "gold_tokens"):
            setattr(counts["ALL"], name, getattr(counts["ALL"], name) + getattr(c, name))
    return counts


@dataclass
class _QuoteCounts:
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    attributed: int = 0
    pairs: list[tuple[int, int]] = field(default_factory=list)

    def add(self, other: _QuoteCounts) -> None:
        self.gold += other.gold
        self.predicted += other.predicted
        self.matched += other.matched
        self.attributed += other.attributed


def match_quotes(gold: Sequence[AnyRecord], predicted: Sequence[AnyRecord]) -> list[tuple[int, int]]:
    """Pair gold and predicted records one to one by shared content characters; ``(gold index, predicted index)``.

    Every pair whose contents share at least one character is a candidate. Candidates are taken largest overlap
    first (ties: earlier gold record, then earlier predicted record), skipping records already paired, so each
    record is in at most one pair. Pairs are returned sorted by gold index.
    """
    candidates = []
    for g, quote in enumerate(gold):
        for p, record in enumerate(predicted):
            shared = sum(_overlap(a, b) for a in quote.contents for b in record.contents)
            if shared > 0:
                candidates.append((-shared, g, p))
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs = []
    for _, g, p in sorted(candidates):
        if g not in used_gold and p not in used_pred:
            used_gold.add(g)
            used_pred.add(p)
            pairs.append((g, p))
    return sorted(pairs)


def _match_quotes(gold: Sequence[Quote], predicted: Sequence[QuoteRecord]) -> _QuoteCounts:
    pairs = match_quotes(gold, predicted)
    return _QuoteCounts(
        gold=len(gold),
        predicted=len(predicted),
        matched=len(pairs),
        attributed=sum(same_speaker(gold[g], predicted[p]) for g, p in pairs),
        pairs=pairs,
    )


def same_speaker(gold: AnyRecord, predicted: AnyRecord) -> bool:
    """Whether the predicted record names the gold speaker.

    With no gold source, right only when nothing is predicted either. Otherwise right when a predicted source or
    predicted coreference overlaps a gold source or gold coreference (a pronoun and the name it stands for both
    count).
    """
    if not gold.sources:
        return not predicted.sources
    if not predicted.sources:
        return False
    gold_mentions = [*gold.sources, *gold.coreferences]
    return any(_overlap(a, b) > 0 for a in (*predicted.sources, *predicted.coreferences) for b in gold_mentions)


# --------------------------------------------------------------------------------------------------------------
# Thresholds
# --------------------------------------------------------------------------------------------------------------


def threshold_keys() -> list[str]:
    """Every key :func:`parse_thresholds` accepts: the aliases, then each numeric path of :meth:`Report.to_dict`."""
    skeleton = score([], []).to_dict()
    skip = {"documents", "errors", "thresholds", "failures", "baseline", "format", "name"}
    paths = [path for path in _numeric_paths({k: v for k, v in skeleton.items() if k not in skip})]
    return [*THRESHOLD_ALIASES, *paths]


def parse_thresholds(spec: str | Mapping[str, float] | None) -> dict[str, float]:
    """Parse ``"QUOTE=0.6,SPEAKER=0.7,quote=0.8"`` (or a mapping) into ``{key: minimum}``.

    Keys: ``QUOTE``, ``SPEAKER``, ``CUE`` (span exact F1 of that kind), ``quote`` (quote F1), ``attribution``
    (attribution accuracy), ``end_to_end`` (end-to-end F1), or any numeric dotted path into :meth:`Report.to_dict`
    such as ``spans.QUOTE.overlap.f1`` or ``seqeval.micro_avg.f1``.

    Raises:
        ValueError: an item is not ``key=number`` or a key is unknown (the message lists the valid keys).
    """
    if not spec:
        return {}
    if isinstance(spec, Mapping):
        items = [(str(k), v) for k, v in spec.items()]
    else:
        items = []
        for item in (part.strip() for part in spec.split(",")):
            if not item:
                continue
            key, sep, value = item.partition("=")
            if not sep:
                raise ValueError(f"threshold {item!r} is not key=value (e.g. QUOTE=0.6)")
            items.append((key.strip(), value.strip()))
    valid = threshold_keys()
    thresholds: dict[str, float] = {}
    for key, value in items:
        if key not in valid:
            close = difflib.get_close_matches(key, valid, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"unknown threshold key {key!r}.{hint} Valid keys: {', '.join(valid)}")
        try:
            thresholds[key] = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"threshold {key}={value!r}: the value is not a number (e.g. {key}=0.6)") from None
    return thresholds


def check_thresholds(report: Report, thresholds: str | Mapping[str, float] | None) -> list[str]:
    """The thresholds the report does not meet, each as a sentence with the measured and required values."""
    failures = []
    for key, required in parse_thresholds(thresholds).items():
        path = THRESHOLD_ALIASES.get(key, key)
        measured = report.value(path)
        if measured < required:
            what = key if key == path else f"{key} ({path})"
            failures.append(f"{what} is {measured:.4f}, below the required {required:.4f}.")
    return failures


# --------------------------------------------------------------------------------------------------------------
# Running a model
# --------------------------------------------------------------------------------------------------------------


def evaluate(
    model: str | Path | Predictor,
    data: str | Path | Sequence[str | Path] | Sequence[Document],
    *,
    report_dir: str | Path | None = None,
    fail_under: str | Mapping[str, float] | None = None,
    batch_size: int = 16,
    baseline: bool = True,
) -> Report:
    """Predict quotes for gold documents, score them, and optionally write reports and check thresholds.

    >>> from quotes.schema import Document, Quote, Span
    >>> text = "‘We held the line,’ he said."
    >>> gold = Document("d1", text, (Quote(contents=(Span(0, 19, "‘We held the line,’"),),
    ...                                    sources=(Span(20, 22, "he"),), cue=Span(23, 27, "said")),))
    >>> report = evaluate("rules", [gold], fail_under="quote=0.5")
    >>> report.quotes["f1"], report.attribution["accuracy"], report.failures
    (1.0, 1.0, [])

    Args:
        model: a model directory (loaded with ``QuoteExtractor.from_pretrained``), ``"rules"`` for the rule
            baseline, or any object with ``predict(texts, batch_size=...)`` returning records per text.
        data: gold documents, or paths read with :func:`quotes.data.read_documents`.
        report_dir: when given, ``report.json``, ``report.md`` and ``report.html`` are written there.
        fail_under: thresholds as for :func:`parse_thresholds`; the unmet ones are in ``report.failures``.
        batch_size: texts per prediction batch.
        baseline: also score the rule baseline on the same data and attach it as ``report.baseline``.

    Raises:
        ValueError: no documents, or a bad threshold (checked before the model runs).
    """
    thresholds = parse_thresholds(fail_under)
    documents = _as_documents(data)
    if not documents:
        raise ValueError(f"no gold documents to evaluate in {data!r}")
    from quotes.baseline import RuleBasedExtractor

    predictor, name = _as_predictor(model)
    texts = [document.text for document in documents]
    logger.info("Evaluating %s on %d documents (%d gold quotes)", name, len(documents), _count_quotes(documents))
    report = score(documents, predictor.predict(texts, batch_size=batch_size), name=name)
    if baseline and not isinstance(predictor, RuleBasedExtractor):
        rules = RuleBasedExtractor()
        report.baseline = score(documents, rules.predict(texts, batch_size=batch_size), name="rules")
    report.thresholds = thresholds
    report.failures = check_thresholds(report, thresholds)
    for failure in report.failures:
        logger.warning("Threshold failed: %s", failure)
    if report_dir is not None:
        for path in report.write(report_dir):
            logger.info("Wrote %s", path)
    return report


def _as_documents(data: Any) -> list[Document]:
    if isinstance(data, Sequence) and not isinstance(data, str) and all(isinstance(d, Document) for d in data):
        return list(data)
    from quotes.data import read_documents

    return read_documents(data)


def _as_predictor(model: Any) -> tuple[Predictor, str]:
    from quotes.baseline import RuleBasedExtractor

    if isinstance(model, str) and model == "rules":
        return RuleBasedExtractor(), "rules"
    if isinstance(model, (str, Path)):
        from quotes.inference import QuoteExtractor

        return QuoteExtractor.from_pretrained(model), str(model)
    if callable(getattr(model, "predict", None)):
        return model, "rules" if isinstance(model, RuleBasedExtractor) else type(model).__name__
    raise TypeError(
        f"model must be a model directory, 'rules', or an object with .predict(texts, batch_size=...); "
        f"got {type(model).__name__}"
    )


# --------------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------------


def _check_offsets(document: Document, records: Sequence[QuoteRecord]) -> None:
    for index, record in enumerate(records):
        for kind, span in [*_labelled(record), *(("coreference", s) for s in record.coreferences)]:
            if document.text[span.start : span.end] != span.text:
                raise ValueError(
                    f"document {document.id!r}: predicted record {index} has a {kind} span {span.text!r} at "
                    f"[{span.start}, {span.end}) where the text reads {document.text[span.start : span.end]!r}; "
                    "are the predictions in the same order as the documents?"
                )


def _labelled(record: AnyRecord) -> list[tuple[str, Span]]:
    spans: list[tuple[str, Span]] = [("QUOTE", s) for s in record.contents]
    spans += [("SPEAKER", s) for s in record.sources]
    if record.cue is not None:
        spans.append(("CUE", record.cue))
    return spans


def _plain(span: Span) -> Span:
    return Span(span.start, span.end, span.text)


def _overlap(a: Span, b: Span) -> int:
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def _error(document: Document, record: AnyRecord, kind: str) -> dict[str, Any]:
    start = min(s.start for s in record.contents)
    end = max(s.end for s in record.contents)
    text = document.text
    return {
        "document": document.id,
        "type": kind,
        "start": start,
        "end": end,
        "text": text[start:end],
        "source": " / ".join(s.text for s in record.sources) or None,
        "before": text[max(0, start - _CONTEXT_CHARS) : start],
        "after": text[end : end + _CONTEXT_CHARS],
    }


def _count_quotes(documents: Sequence[Document]) -> int:
    return sum(len(d.quotes) for d in documents)


def _round(value: float) -> float:
    return round(float(value), 6)


def _ratio(numerator: int, denominator: int) -> float:
    return _round(numerator / denominator) if denominator else 0.0


def _harmonic(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _prf_counts(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return {"precision": precision, "recall": recall, "f1": _round(_harmonic(precision, recall))}


def _prf(correct: int, predicted: int, gold: int) -> dict[str, Any]:
    precision, recall = _ratio(correct, predicted), _ratio(correct, gold)
    return {
        "precision": precision,
        "recall": recall,
        "f1": _round(_harmonic(precision, recall)),
        "correct": correct,
        "predicted": predicted,
        "gold": gold,
    }


def _f1_or_none(correct: int, predicted: int, gold: int) -> float | None:
    return None if predicted == gold == 0 else _prf(correct, predicted, gold)["f1"]


def _lookup(data: Any, path: str) -> float:
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
