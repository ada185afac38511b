"""BBC Citron's span metrics (exact and token overlap, per kind), over word tokens of one document at a time.

:func:`citron_counts` counts, for QUOTE, SPEAKER, CUE and ALL, Citron's exact-match true/false positives and
negatives and its overlapping tokens; :class:`SpanCounts` sums them over documents and turns them into P/R/F1.
The rules, and where we differ from Citron, are in the comment below. Pure Python; used by
:mod:`quotes.metrics` (the Citron JSON format itself is :mod:`quotes.citron`).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from quotes.schema import KINDS, AnyRecord, Quote, QuoteRecord, Span, spans_of

SPAN_KINDS = (*KINDS, "ALL")
"""Kinds of Citron's span metrics: each label, and ``ALL`` (cue, sources and contents of a record together)."""

# --------------------------------------------------------------------------------------------------------------

# From citron/metrics.py (evaluate(), get_*_exact_match_metrics(), get_quote_overlap_counts_and_lengths(),
# get_exact_scores(), get_overlap_scores()) and citron/utils.py (are_matching_span_lists, get_overlap), which
# scripts/evaluate/citron_evaluate.py calls; github.com/bbc/citron at b140405574424c58ed0188dd5befc51dea7e8390.
# The unit is the quote record and spans are compared as token ranges:
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
class SpanCounts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    predicted_overlap: int = 0
    predicted_tokens: int = 0
    gold_overlap: int = 0
    gold_tokens: int = 0

    def add(self, other: SpanCounts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def exact_f1_or_none(self) -> float | None:
        if self.tp + self.fp + self.fn == 0:
            return None
        return prf_counts(self.tp, self.fp, self.fn)["f1"]

    def to_dict(self) -> dict[str, dict[str, float]]:
        precision = ratio(self.predicted_overlap, self.predicted_tokens)
        recall = ratio(self.gold_overlap, self.gold_tokens)
        return {
            "exact": {**prf_counts(self.tp, self.fp, self.fn), "tp": self.tp, "fp": self.fp, "fn": self.fn},
            "overlap": {
                "precision": precision,
                "recall": recall,
                "f1": _round(harmonic(precision, recall)),
                "predicted_overlap": self.predicted_overlap,
                "predicted_tokens": self.predicted_tokens,
                "gold_overlap": self.gold_overlap,
                "gold_tokens": self.gold_tokens,
            },
        }


class Tokens:
    """Maps character spans of one text to the indices of the word tokens (:func:`word_offsets`) they touch."""

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


def citron_counts(gold: Sequence[Quote], predicted: Sequence[QuoteRecord], tokens: Tokens) -> dict[str, SpanCounts]:
    counts = {kind: SpanCounts() for kind in SPAN_KINDS}
    _citron_exact(gold, predicted, tokens, counts)
    _citron_overlap(gold, predicted, tokens, counts)
    return counts


def _citron_exact(gold: Sequence[Quote], predicted: Sequence[QuoteRecord], tokens: Tokens, counts: dict) -> None:
    def view(record: AnyRecord) -> dict[str, Any]:
        lists = {kind: sorted(tokens.range(s) for s in spans_of(record, kind)) for kind in ("SPEAKER", "QUOTE")}
        return {"cue": tokens.range(record.cue), **lists}

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


def _citron_overlap(gold: Sequence[Quote], predicted: Sequence[QuoteRecord], tokens: Tokens, counts: dict) -> None:
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


def _round(value: float) -> float:
    return round(float(value), 6)


def ratio(numerator: int, denominator: int) -> float:
    """``numerator / denominator`` rounded to 6 digits; 0 when the denominator is 0."""
    return _round(numerator / denominator) if denominator else 0.0


def harmonic(precision: float, recall: float) -> float:
    """F1 of a precision and a recall (0 when both are 0), unrounded."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def prf_counts(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Rounded precision, recall and F1 from true positives, false positives and false negatives."""
    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    return {"precision": precision, "recall": recall, "f1": _round(harmonic(precision, recall))}
