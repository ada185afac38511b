"""Span-level decoding: move predicted content edges to where the annotation guidelines put them.

The token classifier finds contents well but often misses their exact first or last word (on Wikinews, QUOTE
overlap F1 0.85 against exact F1 0.39 for the open model). The guidelines fix those edges from the text alone:
a direct quote runs from its opening to its closing quotation mark, both included; indirect content includes a
leading ``that`` and runs to the end of its sentence, less the final full stop. Each rule here is a pure function
over the text and the predicted spans (``(kind, ScoredSpan)`` pairs, as :func:`quotes.labels.tags_to_spans` gives
them), that only moves QUOTE edges into text no other span holds, so speakers and cues stay as the model found
them. :func:`apply_rules` runs the chosen rules in order; ``QuoteExtractor`` runs :data:`GUIDELINE_RULES` when its
``boundaries`` setting is ``"guidelines"`` (``predict.boundaries`` in ``quotes.json``; see docs/decoding.md for
what each rule measured).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from quotes.labels import join_contents
from quotes.schema import ScoredSpan
from quotes.text import QUOTE_MARKS, QUOTE_PAIRS, Layout, paragraphs
from quotes.text import quotations as quotations  # the quotations the rules snap to, re-exported from their old home

Spans = list[tuple[str, ScoredSpan]]
Rule = Callable[..., Spans]
"""A rule: ``rule(text, spans, layout=None)`` gives the new spans; ``layout`` is the text's :class:`Layout`, if
the caller has one (:func:`apply_rules` passes one to every rule)."""

BOUNDARIES = ("model", "guidelines")
"""Values of the ``boundaries`` setting: the model's own edges, or edges moved by :data:`GUIDELINE_RULES`."""

_WORD = re.compile(r"\w+")
_LEADING_THAT = re.compile(r"\b[Tt]hat\s+$")
_LINE_BREAKS = "\n\r\u2028\u2029"
_EDGE_PUNCTUATION = ",;:–—-"
_PLAIN_WORDS = re.compile(r"\s*(?:[^\W\d_][\w'’-]*\s+)*")  # words with letters only, no punctuation between
_ADDRESSEE_FOLLOWERS = frozenset({"that", "to", "whether", "if", "how", "why", "what", "when", "where", "who"})
_CLAUSE_END = re.compile(r"[,;]|\.\s*$")
MAX_SNAP_WORDS = 2
"""How many words a content edge may sit from a quotation mark and still be snapped to it."""
MAX_EXTEND_WORDS = 8
"""How many words an indirect content may grow by to reach its sentence's end."""


def snap_to_quote_marks(
    text: str, spans: Spans, max_words: int = MAX_SNAP_WORDS, *, layout: Layout | None = None
) -> Spans:
    """Move a content edge that sits within ``max_words`` words inside a quotation, or only punctuation outside
    it, onto the quotation mark (both marks belong to a direct quote). A content that starts inside a quotation
    and ends at (or just before) its closing mark, or the other way round, covers the whole quotation.

    >>> text = "‘We will not back down,’ he said."
    >>> snap_to_quote_marks(text, [("QUOTE", ScoredSpan(1, 22, text[1:22])), ("SPEAKER", ScoredSpan(25, 27, "he"))])
    [('QUOTE', ScoredSpan(start=0, end=24, text='‘We will not back down,’', score=1.0)), ('SPEAKER', ...)]
    """
    marks = Layout.of(text, layout).quotations
    result = list(spans)
    for index, (kind, span) in enumerate(result):
        if kind != "QUOTE":
            continue
        start, end = span.start, span.end
        inside = [(o, c) for o, c in marks if o < end and start < c]
        if not inside:
            continue
        first_open, first_close = inside[0]
        last_open, last_close = inside[-1]
        whole = first_open == last_open  # the content ends in the quotation it starts in
        near_close = end in (last_close, last_close - 1) or (end > last_close and not _words(text, last_close, end))
        near_open = start in (first_open, first_open + 1) or (
            start < first_open and not _words(text, start, first_open)
        )
        if first_open < start < first_close and (
            _words(text, first_open, start) <= max_words or (whole and near_close)
        ):
            start = first_open
        elif start < first_open and not _words(text, start, first_open):
            start = first_open
        if last_open < end < last_close and (_words(text, end, last_close) <= max_words or (whole and near_open)):
            end = last_close
        elif end > last_close and not _words(text, last_close, end):
            end = last_close
        moved = _moved(text, result, index, start, end)
        if moved is span:  # both edges at once collide with another span: move the one that does not
            moved = _moved(text, result, index, start, span.end)
            moved = moved if moved is not span else _moved(text, result, index, span.start, end)
        result[index] = (kind, moved)
    return result


def extend_to_sentence_end(
    text: str, spans: Spans, max_words: int = MAX_EXTEND_WORDS, *, layout: Layout | None = None
) -> Spans:
    """Run indirect content to the end of its sentence, less the final full stop (one outside any quotation mark).

    A content grows by at most ``max_words`` words, and only into plain text: not past another span (a cue, a
    speaker, another content) nor past a quotation mark. A content that holds the sentence's final full stop
    loses it. Direct quotes (a content that opens with a quotation mark) keep their ends.

    >>> text = "Officials said that the bridge will reopen in May. Traffic resumed."
    >>> [s.text for _, s in extend_to_sentence_end(text, [("CUE", ScoredSpan(10, 14, "said")),
    ...                                                   ("QUOTE", ScoredSpan(15, 38, text[15:38]))])]
    ['said', 'that the bridge will reopen in May']
    """
    layout = Layout.of(text, layout)
    result = list(spans)
    for index, (kind, span) in enumerate(result):
        if kind != "QUOTE" or text[span.start] in QUOTE_PAIRS:
            continue
        sentence_end = _sentence_end(layout, span.end)
        if sentence_end is None:
            continue
        target = sentence_end - 1 if text[sentence_end - 1] == "." else sentence_end
        end = span.end
        if end < target:
            gap = text[end:target]
            if not any(c in QUOTE_MARKS for c in gap) and _words(text, end, target) <= max_words:
                end = target
        elif end == sentence_end and target < end:
            end = target
        result[index] = (kind, _moved(text, result, index, span.start, end))
    return result


def include_leading_that(text: str, spans: Spans, *, layout: Layout | None = None) -> Spans:
    """Start a content at the ``that`` right before it (``said that ...``: the guidelines include it).

    >>> text = "He said that it was over."
    >>> include_leading_that(text, [("QUOTE", ScoredSpan(13, 24, "it was over"))])[0][1].text
    'that it was over'
    """
    result = list(spans)
    for index, (kind, span) in enumerate(result):
        if kind != "QUOTE":
            continue
        found = _LEADING_THAT.search(text, max(0, span.start - 12), span.start)
        if found is not None:
            result[index] = (kind, _moved(text, result, index, found.start(), span.end))
    return result


def drop_unsure(spans: Spans, floor: float = 0.5) -> Spans:
    """Drop contents whose mean token probability (``score``) is below ``floor``.

    >>> drop_unsure([("QUOTE", ScoredSpan(0, 2, "ab", 0.4)), ("CUE", ScoredSpan(3, 4, "c", 0.1))])
    [('CUE', ScoredSpan(start=3, end=4, text='c', score=0.1))]
    """
    return [(kind, span) for kind, span in spans if kind != "QUOTE" or span.score >= floor]


def drop_cueless(text: str, spans: Spans, *, layout: Layout | None = None) -> Spans:
    """Drop indirect contents with no cue in their sentence (title lines, fragments); direct quotes stay.

    >>> text = "Bridge will reopen in May\\nThe mayor said it will reopen."
    >>> [s.text for _, s in drop_cueless(text, [("QUOTE", ScoredSpan(0, 25, text[:25])),
    ...      ("CUE", ScoredSpan(36, 40, "said")), ("QUOTE", ScoredSpan(41, 55, "it will reopen"))])]
    ['said', 'it will reopen']
    """
    bounds = Layout.of(text, layout).sentences
    cues = [span for kind, span in spans if kind == "CUE"]

    def cued(span: ScoredSpan) -> bool:
        extent = [(s, e) for s, e in bounds if s < span.end and span.start < e]
        low, high = (extent[0][0], extent[-1][1]) if extent else (span.start, span.end)
        return any(low <= cue.start < high for cue in cues)

    return [(kind, span) for kind, span in spans if kind != "QUOTE" or text[span.start] in QUOTE_PAIRS or cued(span)]


def split_at_paragraphs(text: str, spans: Spans, *, layout: Layout | None = None) -> Spans:
    """Cut a content that runs over a line break: keep its first paragraph's part, and each later part that opens
    with a quotation mark (a quote continued in the next paragraph is one content span per paragraph).

    The encoder never sees line breaks, so a content often runs on into the next line (a caption, a heading).

    >>> text = "Russia claimed the assault had stopped\\n\\nSmoke billows on the border"
    >>> [s.text for _, s in split_at_paragraphs(text, [("QUOTE", ScoredSpan(15, 67, text[15:67]))])]
    ['the assault had stopped']
    """
    result: Spans = []
    for kind, span in spans:
        if kind != "QUOTE" or not any(c in span.text for c in _LINE_BREAKS):
            result.append((kind, span))
            continue
        for number, (start, end) in enumerate(paragraphs(span.text)):
            if number == 0 or span.text[start] in QUOTE_PAIRS:
                start, end = span.start + start, span.start + end
                result.append((kind, ScoredSpan(start, end, text[start:end], span.score)))
    return result


def strip_punctuation(text: str, spans: Spans, *, layout: Layout | None = None) -> Spans:
    """Drop commas, colons, semicolons, dashes and spaces from the edges of a content (``, 479 users ...``).

    >>> strip_punctuation(", the plan failed,", [("QUOTE", ScoredSpan(0, 18, ", the plan failed,"))])[0][1].text
    'the plan failed'
    """
    result: Spans = []
    for kind, span in spans:
        start, end = span.start, span.end
        if kind == "QUOTE":
            while start < end and (text[start] in _EDGE_PUNCTUATION or text[start].isspace()):
                start += 1
            while end > start and (text[end - 1] in _EDGE_PUNCTUATION or text[end - 1].isspace()):
                end -= 1
        if start == end:
            continue
        same = (start, end) == (span.start, span.end)
        result.append((kind, span if same else ScoredSpan(start, end, text[start:end], span.score)))
    return result


def join_gaps(text: str, spans: Spans, max_words: int = MAX_EXTEND_WORDS, *, layout: Layout | None = None) -> Spans:
    """Join two contents of one sentence that only plain text separates (no speaker, cue, line break or
    quotation mark), at most ``max_words`` words: one content the model was unsure about in the middle.

    >>> text = "He said it for what it was worth in the end."
    >>> found = [("QUOTE", ScoredSpan(8, 19, "it for what")), ("QUOTE", ScoredSpan(27, 43, "worth in the end"))]
    >>> [s.text for _, s in join_gaps(text, found)]
    ['it for what it was worth in the end']
    """
    layout = Layout.of(text, layout)
    bounds = layout.sentences

    def joinable(previous: ScoredSpan, span: ScoredSpan) -> bool:
        gap = text[previous.end : span.start]
        # one sentence: the only one that can hold both is the last to start at or before the first
        holder = layout.sentence_index(previous.start)
        return (
            holder >= 0
            and span.end <= bounds[holder][1]
            and _words(text, previous.end, span.start) <= max_words
            and not any(c in QUOTE_MARKS or c in _LINE_BREAKS for c in gap)
        )

    return join_contents(spans, text, joinable)


def join_in_quotation(text: str, spans: Spans, *, layout: Layout | None = None) -> Spans:
    """Join consecutive contents that lie in one quotation with no other span between them: the model left a
    stretch of a long direct quote untagged (often across a sentence end, where :func:`join_gaps` stops).

    >>> text = "“Would you help? Your name came up, so we ask.”"
    >>> found = [("QUOTE", ScoredSpan(0, 21, text[:21])), ("QUOTE", ScoredSpan(36, 47, text[36:47]))]
    >>> [s.text for _, s in join_in_quotation(text, found)]
    ['“Would you help? Your name came up, so we ask.”']
    """
    marks = Layout.of(text, layout).quotations

    def quotation_of(span: ScoredSpan) -> tuple[int, int] | None:
        return next(((o, c) for o, c in marks if o <= span.start and span.end <= c), None)

    def joinable(previous: ScoredSpan, span: ScoredSpan) -> bool:
        quotation = quotation_of(previous)
        return quotation is not None and quotation == quotation_of(span)

    return join_contents(spans, text, joinable)


def extend_to_clause_end(
    text: str, spans: Spans, max_words: int = MAX_EXTEND_WORDS, *, layout: Layout | None = None
) -> Spans:
    """Run indirect content on to the next comma, semicolon or sentence end (less the final full stop), over at
    most ``max_words`` words of plain text: a content the model stopped a few words short of its clause's end.

    >>> text = "Brennan acknowledged many of the failures outlined by the committee, but rebuked it."
    >>> [s.text for _, s in extend_to_clause_end(text, [("QUOTE", ScoredSpan(21, 53, text[21:53]))])]
    ['many of the failures outlined by the committee']
    """
    layout = Layout.of(text, layout)
    result = list(spans)
    for index, (kind, span) in enumerate(result):
        if kind != "QUOTE" or text[span.start] in QUOTE_PAIRS or text[span.end - 1] in QUOTE_MARKS:
            continue
        sentence_end = _sentence_end(layout, span.end)
        if sentence_end is None or span.end >= sentence_end:
            continue
        stop = _CLAUSE_END.search(text, span.end, sentence_end)
        target = stop.start() if stop else (sentence_end - 1 if text[sentence_end - 1] == "." else sentence_end)
        gap = text[span.end : target]
        if target > span.end and not any(c in QUOTE_MARKS for c in gap) and _words(text, span.end, target) <= max_words:
            result[index] = (kind, _moved(text, result, index, span.start, target))
    return result


def start_at_cue(text: str, spans: Spans, max_words: int = MAX_SNAP_WORDS, *, layout: Layout | None = None) -> Spans:
    """Start a content right after its cue when at most ``max_words`` plain words lie between them
    (``accused Anonymous of ...``: the model dropped the content's first word). A content that opens with ``that``
    or ``to`` keeps its start: the words before it are an addressee (``told reporters that ...``).

    >>> text = "The Church accused Anonymous of the shooting."
    >>> found = [("CUE", ScoredSpan(11, 18, "accused")), ("QUOTE", ScoredSpan(29, 44, "of the shooting"))]
    >>> [s.text for _, s in start_at_cue(text, found)]
    ['accused', 'Anonymous of the shooting']
    """
    result = list(spans)
    for index, (kind, span) in enumerate(result):
        if kind != "QUOTE" or index == 0 or result[index - 1][0] != "CUE":
            continue
        cue = result[index - 1][1]
        gap = text[cue.end : span.start]
        first = _WORD.match(text, span.start)
        if (
            _PLAIN_WORDS.fullmatch(gap)
            and _words(text, cue.end, span.start) <= max_words
            and not (first and first.group().lower() in _ADDRESSEE_FOLLOWERS)
        ):
            result[index] = (kind, _moved(text, result, index, cue.end + len(gap) - len(gap.lstrip()), span.end))
    return result


def start_at_quotation(text: str, spans: Spans, *, layout: Layout | None = None) -> Spans:
    """Start a content that ends with a quotation introduced by a comma or colon at its opening mark
    (``said of the crime scene, "it was a real butchery"``: the words before the comma are no content).

    >>> text = 'He said of the scene, "it was a butchery".'
    >>> [s.text for _, s in start_at_quotation(text, [("QUOTE", ScoredSpan(11, 41, text[11:41]))])]
    ['"it was a butchery"']
    """
    marks = Layout.of(text, layout).quotations
    result = list(spans)
    for index, (kind, span) in enumerate(result):
        if kind != "QUOTE" or text[span.start] in QUOTE_PAIRS:
            continue
        last = next((o for o, c in marks if span.start < o and c == span.end), None)
        if last is not None and text[span.start : last].rstrip().endswith((",", ":")):
            result[index] = (kind, ScoredSpan(last, span.end, text[last : span.end], span.score))
    return result


RULES: dict[str, Rule] = {
    "quote_marks": snap_to_quote_marks,
    "sentence_end": extend_to_sentence_end,
    "leading_that": include_leading_that,
    "paragraphs": split_at_paragraphs,
    "punctuation": strip_punctuation,
    "join": join_gaps,
    "quotation_join": join_in_quotation,
    "clause_end": extend_to_clause_end,
    "cue_start": start_at_cue,
    "quotation_start": start_at_quotation,
    "cueless": drop_cueless,
    "unsure": lambda text, spans, layout=None: drop_unsure(spans),
}
"""Every rule by name (``unsure`` and ``cueless`` drop spans; the others move edges; ``quotation_join`` joins)."""
GUIDELINE_RULES: tuple[str, ...] = (
    "paragraphs",
    "punctuation",
    "join",
    "quote_marks",
    "sentence_end",
    "cue_start",
    "quotation_start",
)
"""The rules that ``boundaries="guidelines"`` runs, in order (the ones that measured better; docs/decoding.md)."""


def apply_rules(
    text: str,
    spans: Sequence[tuple[str, ScoredSpan]],
    rules: Sequence[str] = GUIDELINE_RULES,
    *,
    layout: Layout | None = None,
) -> Spans:
    """``spans`` with each named rule of :data:`RULES` applied in turn, sorted by start. The rules share one
    :class:`~quotes.text.Layout` of ``text`` (``layout``, or one built here).

    >>> text = "‘It is over,’ she said. He said the war would end soon."
    >>> found = [("QUOTE", ScoredSpan(1, 12, "It is over,")), ("SPEAKER", ScoredSpan(14, 17, "she")),
    ...          ("CUE", ScoredSpan(18, 22, "said")), ("SPEAKER", ScoredSpan(24, 26, "He")),
    ...          ("CUE", ScoredSpan(27, 31, "said")), ("QUOTE", ScoredSpan(32, 45, "the war would"))]
    >>> [span.text for kind, span in apply_rules(text, found) if kind == "QUOTE"]
    ['‘It is over,’', 'the war would end soon']
    """
    layout = Layout.of(text, layout)
    result = sorted(spans, key=lambda item: item[1].start)
    for name in rules:
        result = sorted(RULES[name](text, result, layout=layout), key=lambda item: item[1].start)
    return result


def _sentence_end(layout: Layout, offset: int) -> int | None:
    """The end of the sentence ``(s, e)`` with ``s < offset <= e``, or None (sentences do not overlap: one at most)."""
    index = layout.sentence_index(offset - 1)
    if index >= 0 and offset <= layout.sentences[index][1]:
        return layout.sentences[index][1]
    return None


def _words(text: str, start: int, end: int) -> int:
    return len(_WORD.findall(text, start, end))


def _moved(text: str, spans: Spans, index: int, start: int, end: int) -> ScoredSpan:
    """Span ``index`` with new edges, where they hold no part of another span and no line break it did not hold
    (else the old span: rules move edges only into free text)."""
    span = spans[index][1]
    if (start, end) == (span.start, span.end) or start >= end:
        return span
    for other_index, (_, other) in enumerate(spans):
        if other_index != index and other.start < end and start < other.end:
            return span
    added = text[start : span.start] + text[span.end : end]
    if "\n" in added or "\r" in added:
        return span
    return ScoredSpan(start, end, text[start:end], span.score)
