"""The scoring maths of quote extraction: pure functions over gold and predicted records, no model, no torch.

:func:`score_documents` compares predicted :class:`~quotes.schema.QuoteRecord` lists with gold
:class:`~quotes.schema.Document` records at four levels: seqeval entity scores over word tags, BBC Citron's span
metrics (exact and token overlap, per kind), quote records matched by content with their attribution (by span
overlap, and *by name*), and diagnostics for plots (QUOTE edge errors, a token-label confusion matrix, record
scores). It returns plain data with the keys of ``report.json``; :mod:`quotes.report` wraps it in a record.
:func:`same_speaker` and :func:`same_speaker_by_name` are the two attribution rules, public for error analysis;
:func:`seqeval_scores` is the one seqeval wrapper that training (token windows) and evaluation (documents) share.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from quotes.citron_metrics import SPAN_KINDS, SpanCounts, Tokens, citron_counts, harmonic, ratio
from quotes.labels import ID2LABEL, IGNORE_INDEX, LABELS, spans_to_tags, word_offsets
from quotes.schema import KINDS, AnyRecord, Document, Quote, QuoteRecord, Span, labelled_spans, span_text_problem

EDGE_CLASSES = ("exact", "starts_early", "starts_late", "ends_early", "ends_late", "split", "merged", "missed")
"""Classes of :func:`quote_edges`: how each gold QUOTE span was found (one span can start early *and* end late)."""

_CONTEXT_CHARS = 80  # characters of text shown on each side of a missed or spurious quote


# --------------------------------------------------------------------------------------------------------------
# seqeval (strict IOB2 entities), shared by training and evaluation
# --------------------------------------------------------------------------------------------------------------


def seqeval_scores(y_true: Sequence[Sequence[str]], y_pred: Sequence[Sequence[str]]) -> dict[str, dict[str, float]]:
    """Entity P/R/F1 and support per kind and ``micro_avg``, strict IOB2 (exact bounds and type), unrounded.

    >>> seqeval_scores([["B-CUE", "O"]], [["B-CUE", "O"]])["CUE"]
    {'precision': 1.0, 'recall': 1.0, 'f1': 1.0, 'support': 1}
    """
    result = {label: {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0} for label in (*KINDS, "micro_avg")}
    if not any(tag != "O" for tags in (*y_true, *y_pred) for tag in tags):
        return result  # seqeval divides by zero and warns on entity-free input
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    report = classification_report(
        [list(t) for t in y_true], [list(p) for p in y_pred], mode="strict", scheme=IOB2, output_dict=True,
        zero_division=0,
    )  # fmt: skip
    for label in result:
        values = report.get("micro avg" if label == "micro_avg" else label)
        if values is not None:
            result[label] = {
                "precision": float(values["precision"]),
                "recall": float(values["recall"]),
                "f1": float(values["f1-score"]),
                "support": int(values["support"]),
            }
    return result


WINDOW_METRIC = "window_seqeval"
"""Name of the training-time measure: seqeval over token windows with argmax decoding."""


def window_metric_key(split: str | None = None, kind: str | None = None, measure: str = "f1") -> str:
    """The one spelling of a training-time metric key, ``{split}_window_seqeval_{kind}_{measure}``.

    Without ``kind`` the micro average; without ``split`` the key :func:`window_seqeval_metrics` returns (the
    Trainer adds the split). :func:`window_metric_split` reads the split back.

    >>> window_metric_key("validation", "QUOTE"), window_metric_key(None, None, "precision")
    ('validation_window_seqeval_QUOTE_f1', 'window_seqeval_precision')
    """
    name = f"{WINDOW_METRIC}_{kind}_{measure}" if kind else f"{WINDOW_METRIC}_{measure}"
    return f"{split}_{name}" if split else name


def window_metric_split(key: str) -> str | None:
    """The split of a micro-average F1 key of :func:`window_metric_key`, or None for any other key.

    >>> window_metric_split("eval_window_seqeval_f1"), window_metric_split("eval_loss")
    ('eval', None)
    """
    suffix = "_" + window_metric_key()
    return key[: -len(suffix)] if key.endswith(suffix) and len(key) > len(suffix) else None


def window_seqeval_metrics(predictions: Any, label_ids: Any, *, prefix: str | None = None) -> dict[str, float]:
    """Training-time metrics: :func:`seqeval_scores` over token windows of label ids (special tokens skipped).

    Keys (:func:`window_metric_key`): ``window_seqeval_precision``/``recall``/``f1`` (micro average) and
    ``window_seqeval_<KIND>_precision``/``_recall``/``_f1``; the Trainer adds the split
    (``validation_window_seqeval_QUOTE_f1``). ``prefix`` is accepted for older callers and must be the default.
    """
    if prefix not in (None, f"{WINDOW_METRIC}_"):
        raise ValueError(f"window metrics are named {window_metric_key()!r} etc.; got prefix {prefix!r}")
    true, pred = [], []
    for row_pred, row_true in zip(predictions, label_ids, strict=True):
        keep = [i for i, t in enumerate(row_true) if t != IGNORE_INDEX]
        true.append([ID2LABEL[int(row_true[i])] for i in keep])
        pred.append([ID2LABEL[int(row_pred[i])] for i in keep])
    scores = seqeval_scores(true, pred)
    return {
        window_metric_key(None, kind, m): scores[kind or "micro_avg"][m]
        for kind in (None, *KINDS)
        for m in ("precision", "recall", "f1")
    }


# --------------------------------------------------------------------------------------------------------------
# Attribution rules
# --------------------------------------------------------------------------------------------------------------


def same_speaker(gold: AnyRecord, predicted: AnyRecord) -> bool:
    """Whether the predicted record names the gold speaker (``attribution_accuracy``).

    With no gold source, right only when nothing is predicted either. Otherwise right when a predicted source or
    predicted coreference overlaps a gold source or gold coreference (a pronoun and the name it stands for both
    count).
    """
    if not gold.sources:
        return not predicted.sources
    if not predicted.sources:
        return False
    gold_mentions = [*gold.sources, *gold.coreferences]
    return any(overlap(a, b) > 0 for a in (*predicted.sources, *predicted.coreferences) for b in gold_mentions)


def same_speaker_by_name(gold: AnyRecord, predicted: AnyRecord) -> bool:
    """Whether the predicted record names the gold speaker *by name* (``attribution_by_name_accuracy``).

    :func:`same_speaker`, and when the gold record has coreferences (its source is a pronoun) some predicted
    coreference or source must name the person: overlap a gold coreference span, or read the same as one after
    :func:`normalize_name` (so "Henderson's" in another paragraph names gold "Henderson").
    """
    if not same_speaker(gold, predicted):
        return False
    if not gold.coreferences:
        return True
    names = {normalize_name(s.text) for s in gold.coreferences}
    return any(
        any(overlap(mention, g) > 0 for g in gold.coreferences) or normalize_name(mention.text) in names
        for mention in (*predicted.coreferences, *predicted.sources)
    )


_POSSESSIVE = re.compile(r"['’]s$")


def normalize_name(text: str) -> str:
    """A mention's text for comparing names: casefolded, whitespace collapsed, a possessive ``'s`` dropped.

    >>> normalize_name("  Fritz\\nHenderson’s ")
    'fritz henderson'
    """
    return _POSSESSIVE.sub("", " ".join(text.split()).casefold())


# --------------------------------------------------------------------------------------------------------------
# Quote records: matching, attribution, end-to-end
# --------------------------------------------------------------------------------------------------------------


def match_quotes(gold: Sequence[AnyRecord], predicted: Sequence[AnyRecord]) -> list[tuple[int, int]]:
    """Pair gold and predicted records one to one by shared content characters; ``(gold index, predicted index)``.

    Every pair whose contents share at least one character is a candidate. Candidates are taken largest overlap
    first (ties: earlier gold record, then earlier predicted record), skipping records already paired, so each
    record is in at most one pair. Pairs are returned sorted by gold index.
    """
    candidates = []
    for g, quote in enumerate(gold):
        for p, record in enumerate(predicted):
            shared = sum(overlap(a, b) for a in quote.contents for b in record.contents)
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


@dataclass
class _QuoteCounts:
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    attributed: int = 0
    attributed_by_name: int = 0
    pairs: list[tuple[int, int]] = field(default_factory=list)

    def add(self, other: _QuoteCounts) -> None:
        for name in ("gold", "predicted", "matched", "attributed", "attributed_by_name"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _quote_counts(gold: Sequence[Quote], predicted: Sequence[QuoteRecord]) -> _QuoteCounts:
    pairs = match_quotes(gold, predicted)
    return _QuoteCounts(
        gold=len(gold),
        predicted=len(predicted),
        matched=len(pairs),
        attributed=sum(same_speaker(gold[g], predicted[p]) for g, p in pairs),
        attributed_by_name=sum(same_speaker_by_name(gold[g], predicted[p]) for g, p in pairs),
        pairs=pairs,
    )


# --------------------------------------------------------------------------------------------------------------
# Diagnostics for plots
# --------------------------------------------------------------------------------------------------------------


def quote_edges(gold: Sequence[AnyRecord], predicted: Sequence[AnyRecord], tokens: Tokens) -> dict[str, int]:
    """How each gold QUOTE span was found, as token ranges: counts of :data:`EDGE_CLASSES`, plus ``spurious``.

    A gold span touched by no predicted QUOTE span is ``missed``; by two or more, ``split``. One predicted span
    that also touches another gold span is ``merged``. Otherwise the one predicted span is ``exact``, or
    ``starts_early``/``starts_late`` and/or ``ends_early``/``ends_late``. ``spurious`` counts predicted spans
    touching no gold span.
    """
    gold_ranges = [tokens.range(s) for q in gold for s in q.contents]
    pred_ranges = [tokens.range(s) for r in predicted for s in r.contents]

    def touch(a: tuple[int, int], b: tuple[int, int]) -> bool:
        return a[0] < b[1] and b[0] < a[1]

    counts = dict.fromkeys((*EDGE_CLASSES, "spurious"), 0)
    for g in gold_ranges:
        found = [p for p in pred_ranges if touch(g, p)]
        if not found:
            counts["missed"] += 1
        elif len(found) > 1:
            counts["split"] += 1
        elif sum(touch(found[0], other) for other in gold_ranges) > 1:
            counts["merged"] += 1
        elif found[0] == g:
            counts["exact"] += 1
        else:
            p = found[0]
            counts["starts_early"] += p[0] < g[0]
            counts["starts_late"] += p[0] > g[0]
            counts["ends_early"] += p[1] < g[1]
            counts["ends_late"] += p[1] > g[1]
    counts["spurious"] = sum(1 for p in pred_ranges if not any(touch(p, g) for g in gold_ranges))
    return counts


def token_confusion(y_true: Sequence[Sequence[str]], y_pred: Sequence[Sequence[str]]) -> dict[str, Any]:
    """Word-token label confusion: ``{"labels": LABELS, "matrix": [[count of gold row label tagged column label]]}``."""
    index = {label: i for i, label in enumerate(LABELS)}
    matrix = [[0] * len(LABELS) for _ in LABELS]
    for tags_true, tags_pred in zip(y_true, y_pred, strict=True):
        for t, p in zip(tags_true, tags_pred, strict=True):
            matrix[index[t]][index[p]] += 1
    return {"labels": list(LABELS), "matrix": matrix}


def score_curve(matched: Sequence[float], spurious: Sequence[float], gold: int) -> list[dict[str, float]]:
    """Quote P/R/F1 if only records scoring at least each threshold were kept (the pairs held fixed).

    One row per distinct record score, highest first: ``threshold``, ``kept``, ``precision``, ``recall``, ``f1``.
    Dropping a record could free its gold partner for another record, so this slightly underestimates recall.
    """
    events = sorted([(s, True) for s in matched] + [(s, False) for s in spurious], reverse=True)
    rows, kept, correct = [], 0, 0
    for position, (threshold, is_match) in enumerate(events):
        kept += 1
        correct += is_match
        if position + 1 < len(events) and events[position + 1][0] == threshold:
            continue
        rows.append({"threshold": threshold, "kept": kept, **_prf(correct, kept, gold)})
    return rows


# --------------------------------------------------------------------------------------------------------------
# Everything for one run
# --------------------------------------------------------------------------------------------------------------


def score_documents(
    gold: Sequence[Document], predicted: Sequence[Sequence[QuoteRecord]], *, max_errors: int = 10
) -> dict[str, Any]:
    """Every measure of ``predicted`` (one record list per gold document, same order), keyed as in ``report.json``.

    Raises:
        ValueError: the two sequences differ in length, or a predicted span's text is not the document's text
            at its offsets (the predictions belong to other texts or are out of order).
    """
    if len(gold) != len(predicted):
        raise ValueError(f"got {len(gold)} gold documents but {len(predicted)} lists of predicted records")
    for document, records in zip(gold, predicted, strict=True):
        _check_offsets(document, records)
    totals = _Totals()
    for document, records in zip(gold, predicted, strict=True):
        totals.add(document, records)
    return totals.to_dict(max_errors)


@dataclass
class _Totals:
    """The counts :func:`score_documents` sums over documents, and the per-document rows and errors."""

    documents: int = 0
    y_true: list[list[str]] = field(default_factory=list)
    y_pred: list[list[str]] = field(default_factory=list)
    spans: dict[str, SpanCounts] = field(default_factory=lambda: {kind: SpanCounts() for kind in SPAN_KINDS})
    quotes: _QuoteCounts = field(default_factory=_QuoteCounts)
    edges: dict[str, int] = field(default_factory=lambda: dict.fromkeys((*EDGE_CLASSES, "spurious"), 0))
    rows: list[dict[str, Any]] = field(default_factory=list)
    missed: list[dict[str, Any]] = field(default_factory=list)
    spurious: list[dict[str, Any]] = field(default_factory=list)
    scores: dict[str, list[float]] = field(default_factory=lambda: {"matched": [], "spurious": []})

    def add(self, document: Document, records: Sequence[QuoteRecord]) -> None:
        """Score one document: word tags for seqeval, Citron counts, quote pairs, edges, its row and errors."""
        self.documents += 1
        offsets = word_offsets(document.text)
        gold_spans = set(document.labelled_spans())
        pred_spans = {(kind, span.plain()) for record in records for kind, span in labelled_spans(record)}
        self.y_true.append([tag or "O" for tag in spans_to_tags(gold_spans, offsets)])
        self.y_pred.append([tag or "O" for tag in spans_to_tags(pred_spans, offsets)])

        tokens = Tokens(offsets)
        doc_spans = citron_counts(document.quotes, records, tokens)
        for kind in SPAN_KINDS:
            self.spans[kind].add(doc_spans[kind])
        doc_quotes = _quote_counts(document.quotes, records)
        self.quotes.add(doc_quotes)
        for name, count in quote_edges(document.quotes, records, tokens).items():
            self.edges[name] += count

        gold_count, predicted_count = len(document.quotes), len(records)
        self.rows.append(
            {
                "id": document.id,
                "gold_quotes": gold_count,
                "predicted_quotes": predicted_count,
                "matched_quotes": len(doc_quotes.pairs),
                "quote_f1": _f1_or_none(len(doc_quotes.pairs), predicted_count, gold_count),
                "span_f1": {kind: doc_spans[kind].exact_f1_or_none() for kind in KINDS},
                "end_to_end_f1": _f1_or_none(doc_quotes.attributed, predicted_count, gold_count),
                "end_to_end_by_name_f1": _f1_or_none(doc_quotes.attributed_by_name, predicted_count, gold_count),
            }
        )
        matched_gold = {g for g, _ in doc_quotes.pairs}
        matched_pred = {p for _, p in doc_quotes.pairs}
        self.missed += [_error(document, q, "missed") for i, q in enumerate(document.quotes) if i not in matched_gold]
        self.spurious += [_error(document, r, "spurious") for i, r in enumerate(records) if i not in matched_pred]
        for i, record in enumerate(records):
            self.scores["matched" if i in matched_pred else "spurious"].append(_round(getattr(record, "score", 1.0)))

    def to_dict(self, max_errors: int) -> dict[str, Any]:
        """The ``report.json`` sections; errors are the ``max_errors`` longest missed, then spurious, quotes."""
        for errors in (self.missed, self.spurious):
            errors.sort(key=lambda e: (-(e["end"] - e["start"]), e["document"], e["start"]))
        q = self.quotes
        return {
            "counts": {
                "documents": self.documents,
                "gold_quotes": q.gold,
                "predicted_quotes": q.predicted,
                "matched_quotes": q.matched,
            },
            "seqeval": {
                label: {m: (_round(v) if m != "support" else v) for m, v in values.items()}
                for label, values in seqeval_scores(self.y_true, self.y_pred).items()
            },
            "spans": {kind: self.spans[kind].to_dict() for kind in SPAN_KINDS},
            "quotes": _prf(q.matched, q.predicted, q.gold),
            "attribution": {"accuracy": ratio(q.attributed, q.matched), "correct": q.attributed, "matched": q.matched},
            "end_to_end": _prf(q.attributed, q.predicted, q.gold),
            "attribution_by_name": {
                "accuracy": ratio(q.attributed_by_name, q.matched),
                "correct": q.attributed_by_name,
                "matched": q.matched,
            },
            "end_to_end_by_name": _prf(q.attributed_by_name, q.predicted, q.gold),
            "quote_edges": self.edges,
            "token_confusion": token_confusion(self.y_true, self.y_pred),
            "record_scores": {name: sorted(values) for name, values in self.scores.items()},
            "documents": self.rows,
            "errors": self.missed[:max_errors] + self.spurious[:max_errors],
        }


# --------------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------------


def _check_offsets(document: Document, records: Sequence[QuoteRecord]) -> None:
    for index, record in enumerate(records):
        for kind, span in [*labelled_spans(record), *(("coreference", s) for s in record.coreferences)]:
            problem = span_text_problem(document.text, span.start, span.end, span.text)
            if problem is not None:
                raise ValueError(
                    f"document {document.id!r}: predicted record {index} has a {kind} span {span.text!r} at "
                    f"[{span.start}, {span.end}) where the text reads {document.text[span.start : span.end]!r} "
                    f"({problem}); are the predictions in the same order as the documents?"
                )


def overlap(a: Span, b: Span) -> int:
    """Characters two spans share."""
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


def _round(value: float) -> float:
    return round(float(value), 6)


def _prf(correct: int, predicted: int, gold: int) -> dict[str, Any]:
    precision, recall = ratio(correct, predicted), ratio(correct, gold)
    return {
        "precision": precision,
        "recall": recall,
        "f1": _round(harmonic(precision, recall)),
        "correct": correct,
        "predicted": predicted,
        "gold": gold,
    }


def _f1_or_none(correct: int, predicted: int, gold: int) -> float | None:
    return None if predicted == gold == 0 else _prf(correct, predicted, gold)["f1"]
