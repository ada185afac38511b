"""Token labels as a view of the spans: spans to BIO tags over any tokenizer's offsets, and back.

The spans of a :class:`~quotes.schema.Document` are the truth; the BIO tags ``O``, ``B-``/``I-`` ``QUOTE``,
``SPEAKER``, ``CUE`` are derived from them over token character offsets (a token belongs to a span when its
characters fall inside it) and turned back into character spans after prediction. Pure Python: works with the
offset mapping of any fast tokenizer, or with :func:`word_offsets` for tokenizer-free tools (CoNLL, seqeval).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import Any

from quotes.schema import KINDS, ScoredSpan, Span

DEFAULT_MAX_LENGTH, DEFAULT_STRIDE = 256, 64
"""Tokens per window (special tokens included; 256 is the CPU sweet spot) and tokens that neighbouring windows share."""


def stride_problem(max_length: int, stride: int, length_name: str = "max_length") -> str | None:
    """Why ``stride`` does not fit windows of ``max_length`` tokens (two of them special), or ``None`` if it does.

    >>> stride_problem(256, 64) is None, stride_problem(64, 62)
    (True, 'must be >= 0 and < max_length - 2 (62), got 62')
    """
    if 0 <= stride < max_length - 2:
        return None
    return f"must be >= 0 and < {length_name} - 2 ({max_length - 2}), got {stride}"


LABELS: tuple[str, ...] = ("O", *(f"{prefix}-{kind}" for kind in KINDS for prefix in ("B", "I")))
LABEL2ID: dict[str, int] = {label: index for index, label in enumerate(LABELS)}
ID2LABEL: dict[int, str] = dict(enumerate(LABELS))
IGNORE_INDEX = -100
"""Label id of special tokens; ignored by the loss (PyTorch's cross-entropy default) and by metrics."""

Offsets = Sequence[tuple[int, int]]
_WORD = re.compile(r"\w+|[^\w\s]")


def word_offsets(text: str) -> list[tuple[int, int]]:
    """Offsets of words and single punctuation marks: the tokenizer-free view used for CoNLL and seqeval."""
    return [match.span() for match in _WORD.finditer(text)]


def is_special(offset: tuple[int, int]) -> bool:
    """Fast tokenizers give special tokens ([CLS], [SEP], padding) the empty offset ``(0, 0)``."""
    return offset[0] == offset[1]


def spans_to_tags(spans: Iterable[tuple[str, Span]], offsets: Offsets) -> list[str | None]:
    """BIO tag of each token (``None`` for special tokens) from labelled character spans.

    A token is inside a span when ``span.start <= token_start and token_end <= span.end``; the first token inside
    a span gets ``B-``, the following ones ``I-``. Spans must not overlap (the schema validator guarantees it).
    """
    tags: list[str | None] = [None if is_special(o) else "O" for o in offsets]
    ordered = sorted(spans, key=lambda item: item[1].start)
    # Token starts are non-decreasing, so one forward sweep over both lists suffices.
    token_order = sorted((o[0], i) for i, o in enumerate(offsets) if not is_special(o))
    cursor = 0
    for kind, span in ordered:
        while cursor < len(token_order) and token_order[cursor][0] < span.start:
            cursor += 1
        first = True
        position = cursor
        while position < len(token_order) and token_order[position][0] < span.end:
            index = token_order[position][1]
            if offsets[index][1] <= span.end:
                tags[index] = f"{'B' if first else 'I'}-{kind}"
                first = False
            position += 1
    return tags


def spans_to_label_ids(spans: Iterable[tuple[str, Span]], offsets: Offsets) -> list[int]:
    """Label ids for a model: :func:`spans_to_tags` with special tokens as :data:`IGNORE_INDEX`."""
    return [IGNORE_INDEX if tag is None else LABEL2ID[tag] for tag in spans_to_tags(spans, offsets)]


def tags_to_spans(
    tags: Sequence[str | None], offsets: Offsets, text: str, scores: Sequence[float] | None = None
) -> list[tuple[str, ScoredSpan]]:
    """Character spans from BIO tags, repairing invalid sequences.

    An ``I-X`` that does not continue an ``X`` span (after ``O``, another kind, or at the start) opens a new span,
    as seqeval's lenient mode does. A span runs from its first token's start to its last token's end; its score
    is the mean of its tokens' scores (1.0 without scores). Special tokens (``None`` tags) are skipped.
    """
    result: list[tuple[str, ScoredSpan]] = []
    kind: str | None = None  # the open span: its kind, first token's start, last token's end, token scores
    first = last = 0
    token_scores: list[float] = []
    for index, tag in enumerate(tags):
        if tag is None:
            continue
        if tag == "O":
            if kind is not None:
                result.append((kind, ScoredSpan(first, last, text[first:last], sum(token_scores) / len(token_scores))))
                kind = None
            continue
        prefix, tag_kind = _TAG_PARTS.get(tag) or tag.split("-", 1)
        start, end = offsets[index]
        score = 1.0 if scores is None else float(scores[index])
        if prefix == "I" and tag_kind == kind:
            last = end
            token_scores.append(score)
        else:
            if kind is not None:
                result.append((kind, ScoredSpan(first, last, text[first:last], sum(token_scores) / len(token_scores))))
            kind, first, last, token_scores = tag_kind, start, end, [score]
    if kind is not None:
        result.append((kind, ScoredSpan(first, last, text[first:last], sum(token_scores) / len(token_scores))))
    return result


_TAG_PARTS = {label: tuple(label.split("-", 1)) for label in LABELS if label != "O"}


def snap_to_words(spans: Iterable[tuple[str, ScoredSpan]], text: str) -> list[tuple[str, ScoredSpan]]:
    """Widen spans whose edges fall inside a word to the whole word, so no span holds half a word.

    Subword tokenizers can tag ``##ing`` without its stem; the span then grows to the word's edges. Spans that
    come to overlap after widening are merged into the earlier one (same kind) or cut at its end.
    """
    snapped: list[tuple[str, ScoredSpan]] = []
    for kind, span in sorted(spans, key=lambda item: item[1].start):
        start, end = span.start, span.end
        while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
            start -= 1
        while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
            end += 1
        if snapped and start < snapped[-1][1].end:
            prev_kind, prev = snapped[-1]
            if prev_kind == kind:
                merged_end = max(end, prev.end)
                score = (prev.score + span.score) / 2
                snapped[-1] = (kind, ScoredSpan(prev.start, merged_end, text[prev.start : merged_end], score))
                continue
            start = prev.end
            if start >= end:
                continue
        snapped.append((kind, ScoredSpan(start, end, text[start:end], span.score)))
    return snapped


WORD_SHAPES: tuple[str, ...] = ("special", "lower", "Capitalised", "ALLCAPS", "uncased")
"""Word-shape classes given to a model as ``token_type_ids`` (``model.word_shape``), index = id.

``special``: [CLS], [SEP] and padding (id 0, the encoder's own segment row, also what collators pad with);
``lower``: the token's word has cased letters, none upper (``apple``); ``Capitalised``: some upper and some lower
letters, or a single upper letter (``Apple``, ``McCain``, ``iPhone``, ``I``); ``ALLCAPS``: two or more cased
letters, all upper (``NATO``, ``BBC``); ``uncased``: no cased letter (digits, punctuation, emoji, CJK). Case is read
from the original text, which an uncased tokenizer lowercases and strips of accents.
"""
WORD_SHAPE_TYPES = len(WORD_SHAPES)
"""The ``type_vocab_size`` of a word-shape model."""


def word_shape(word: str) -> int:
    """The :data:`WORD_SHAPES` id of a word from its cased letters (never ``special``)."""
    upper = sum(1 for c in word if c.isupper())
    lower = sum(1 for c in word if c.islower())
    if not upper and not lower:
        return 4
    if not upper:
        return 1
    return 3 if not lower and upper >= 2 else 2


def word_shape_ids(text: str, offsets: Offsets) -> list[int]:
    """One :data:`WORD_SHAPES` id per token, read from the ORIGINAL ``text`` (case kept) at the token's offsets.

    A token takes the shape of the alphanumeric run (word) that holds it, so every piece of ``Apple`` (``apple``
    or ``app`` ``##le``) is Capitalised; a token with no letter or digit (punctuation, an emoji's [UNK]) is shaped
    by its own characters. Special tokens (empty offsets) get 0. Training and ``QuoteExtractor`` both call this.

    >>> word_shape_ids("Apple sells apples to NATO.", [(0, 0), (0, 5), (6, 11), (12, 18), (19, 21), (22, 26),
    ...                                                 (26, 27), (0, 0)])
    [0, 2, 1, 1, 1, 3, 4, 0]
    """
    ids = []
    for start, end in offsets:
        if start == end:
            ids.append(0)
            continue
        lo, hi = start, end
        if any(c.isalnum() for c in text[start:end]):
            while lo > 0 and text[lo - 1].isalnum():
                lo -= 1
            while hi < len(text) and text[hi].isalnum():
                hi += 1
        ids.append(word_shape(text[lo:hi]))
    return ids


@dataclass(frozen=True)
class CutStats:
    """How many gold spans no single window holds whole (they are seen only in pieces in training)."""

    spans: int
    cut: int

    @property
    def percent(self) -> float:
        return 100.0 * self.cut / self.spans if self.spans else 0.0


def count_cut_spans(spans: Iterable[Span], windows: Iterable[Offsets]) -> CutStats:
    """Count the spans that lie wholly inside no window (a window covers its first to last real token)."""
    ranges = []
    for offsets in windows:
        real = [o for o in offsets if not is_special(o)]
        if real:
            ranges.append((real[0][0], real[-1][1]))
    spans = list(spans)
    cut = sum(1 for s in spans if not any(lo <= s.start and s.end <= hi for lo, hi in ranges))
    return CutStats(spans=len(spans), cut=cut)


def allowed_transitions() -> list[list[bool]]:
    """``allowed[a][b]``: may label ``b`` follow label ``a`` in BIO? (``I-X`` only after ``B-X`` or ``I-X``)."""
    allowed = []
    for before in LABELS:
        row = []
        for after in LABELS:
            if after.startswith("I-"):
                row.append(before in (f"B-{after[2:]}", after))
            else:
                row.append(True)
        allowed.append(row)
    return allowed


def viterbi_decode(probabilities: Any) -> list[int]:
    """The most probable label sequence that is valid BIO, from a ``(tokens, labels)`` probability matrix.

    Plain argmax can emit ``O I-QUOTE`` or ``B-QUOTE I-CUE``; the constrained path never does, so a content does
    not break into pieces where one token is unsure. When the argmax path is already valid it is the answer (it is
    the best of all paths). Otherwise a plain-Python pass in O(tokens x labels): ``O`` and ``B-X`` may follow any
    label, so their best predecessor is the overall best; ``I-X`` may follow only ``B-X`` or ``I-X``. (NumPy
    calls on 7x7 arrays for every token took about twice as long as this loop: per-call overhead dominates.)
    """
    import numpy as np

    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.shape[0] == 0:
        return []
    best = probabilities.argmax(-1)
    if _valid_bio(best):
        return best.tolist()
    logs = np.log(np.clip(probabilities, 1e-12, 1.0))
    if _UNROLLED and not np.isnan(logs).any():
        return _viterbi_unrolled(logs.tolist())
    return _viterbi_loop(logs.tolist())


def _viterbi_loop(rows: list[list[float]]) -> list[int]:
    """The Viterbi pass over log-probability rows, for any label layout (and NaN rows, however they compare)."""
    score = [-math.inf if label.startswith("I-") else value for label, value in zip(LABELS, rows[0])]
    back = []
    for row in rows[1:]:
        top = max(score)
        previous = [score.index(top)] * len(LABELS)
        new = [top + value for value in row]
        for inside, begin in _INSIDE_BEGIN:
            if score[begin] >= score[inside]:  # ties go to B-X, the lower index, as numpy's argmax did
                new[inside], previous[inside] = score[begin] + row[inside], begin
            else:
                new[inside], previous[inside] = score[inside] + row[inside], inside
        back.append(previous)
        score = new
    return _backtrack(score, back)


def _viterbi_unrolled(rows: list[list[float]]) -> list[int]:
    """:func:`_viterbi_loop` written out for the labels O, B-X, I-X of three kinds: the same additions and
    comparisons in the same order (so the very same path, ties included), about eight times faster; the loop
    runs once per token of every text."""
    s0, s1, _, s3, _, s5, _ = rows[0]
    s2 = s4 = s6 = -math.inf
    back = []
    append = back.append
    for r0, r1, r2, r3, r4, r5, r6 in islice(rows, 1, None):
        top, arg = s0, 0  # max(score) and the first label that reaches it
        if s1 > top:
            top, arg = s1, 1
        if s2 > top:
            top, arg = s2, 2
        if s3 > top:
            top, arg = s3, 3
        if s4 > top:
            top, arg = s4, 4
        if s5 > top:
            top, arg = s5, 5
        if s6 > top:
            top, arg = s6, 6
        if s1 >= s2:  # ties go to B-X
            s2, b2 = s1 + r2, 1
        else:
            s2, b2 = s2 + r2, 2
        if s3 >= s4:
            s4, b4 = s3 + r4, 3
        else:
            s4, b4 = s4 + r4, 4
        if s5 >= s6:
            s6, b6 = s5 + r6, 5
        else:
            s6, b6 = s6 + r6, 6
        s0, s1, s3, s5 = top + r0, top + r1, top + r3, top + r5
        append((arg, arg, b2, arg, b4, arg, b6))
    return _backtrack([s0, s1, s2, s3, s4, s5, s6], back)


def _backtrack(score: list[float], back: list[Sequence[int]]) -> list[int]:
    path = [score.index(max(score))]
    for previous in reversed(back):
        path.append(previous[path[-1]])
    return path[::-1]


_INSIDE_BEGIN = [(i, LABELS.index(f"B-{label[2:]}")) for i, label in enumerate(LABELS) if label.startswith("I-")]
_UNROLLED = LABELS[0] == "O" and _INSIDE_BEGIN == [(2, 1), (4, 3), (6, 5)]  # the labels _viterbi_unrolled is for


@lru_cache(maxsize=1)
def _allowed_array() -> Any:
    import numpy as np

    return np.array(allowed_transitions())


def _valid_bio(path: Any) -> bool:
    """Does a label-id sequence (NumPy array) obey BIO: no ``I-X`` at the start or after anything but B-X/I-X?"""
    allowed = _allowed_array()
    starts_inside = LABELS[int(path[0])].startswith("I-")
    return not starts_inside and bool(allowed[path[:-1], path[1:]].all())


def merge_split_contents(
    spans: Iterable[tuple[str, ScoredSpan]], text: str, max_gap_chars: int = 3
) -> list[tuple[str, ScoredSpan]]:
    """Join QUOTE spans that one content broke into: consecutive, in one paragraph, and at most a few characters
    of plain text apart (no speaker or cue between them, which would make them a split quote such as
    ``‘A,’ he said. ‘B.’``, and no line break, which separates the paragraphs of a multi-paragraph quote).
    """

    def joinable(previous: ScoredSpan, span: ScoredSpan) -> bool:
        gap = text[previous.end : span.start]
        return len(gap) <= max_gap_chars and "\n" not in gap

    return join_contents(spans, text, joinable)


def join_contents(
    spans: Iterable[tuple[str, ScoredSpan]], text: str, joinable: Callable[[ScoredSpan, ScoredSpan], bool]
) -> list[tuple[str, ScoredSpan]]:
    """The spans in order, each QUOTE span joined to the QUOTE span right before it when ``joinable(previous,
    span)``; a joined span's score is the length-weighted mean of its parts'. Other kinds pass unchanged.

    >>> text = "it for what it was worth"
    >>> parts = [("QUOTE", ScoredSpan(0, 11, text[:11], 1.0)), ("QUOTE", ScoredSpan(12, 24, text[12:], 0.5))]
    >>> [(s.text, round(s.score, 2)) for _, s in join_contents(parts, text, lambda a, b: True)]
    [('it for what it was worth', 0.74)]
    """
    merged: list[tuple[str, ScoredSpan]] = []
    for kind, span in sorted(spans, key=lambda item: item[1].start):
        if merged and kind == "QUOTE" and merged[-1][0] == "QUOTE" and joinable(merged[-1][1], span):
            previous = merged[-1][1]
            length = (previous.end - previous.start) + (span.end - span.start)
            score = (previous.score * (previous.end - previous.start) + span.score * (span.end - span.start)) / length
            merged[-1] = (kind, ScoredSpan(previous.start, span.end, text[previous.start : span.end], score))
        else:
            merged.append((kind, span))
    return merged
