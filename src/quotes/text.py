"""Quotation marks, paragraphs and sentences: the text facts that the linker, the baseline and the data layer share.

:data:`QUOTE_PAIRS` is the one table of quotation marks (each opening mark and the marks that close it);
:data:`OPENING_QUOTE_MARKS` and :data:`CLOSING_QUOTE_MARKS` are derived from it. :func:`paragraphs` and
:func:`sentences` split a text into character ranges with the rules the annotation guidelines assume (a sentence
with its quotation and cue stays whole); :func:`quotations` finds its quotations. :func:`quote_role` tells an
opening mark from a closing one and from an apostrophe by its neighbours. A :class:`Layout` holds all three for one
text, each found once, for the many steps of prediction that ask. Pure Python, no imports from the rest of the
package (so any module may use it).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property

QUOTE_PAIRS: dict[str, str] = {
    "'": "'",
    '"': '"',
    "‘": "’",  # English single
    "“": "”",  # English double
    "«": "»",  # French, Russian
    "‹": "›",
    "„": "“”",  # German „…“, Polish and Hungarian „…”
    "‚": "‘’",  # German ‚…‘
    "`": "`'",  # typewriter ``…'' and `…'
    "‟": "”",  # reversed 9 (‟…”), a typeface variant of “
    "‛": "’",  # reversed 9 (‛…’), a typeface variant of ‘
}
"""Each opening quotation mark and the marks that close it. Whether a mark opens, closes or is an apostrophe
(``Russia’s``) depends on its neighbours: see :func:`quote_role`."""

OPENING_QUOTE_MARKS: str = "".join(QUOTE_PAIRS)
CLOSING_QUOTE_MARKS: str = "".join(dict.fromkeys("".join(QUOTE_PAIRS.values())))
QUOTE_MARKS: str = "".join(dict.fromkeys(OPENING_QUOTE_MARKS + CLOSING_QUOTE_MARKS))
"""Every mark that can open or close a quotation."""

# Followed by a capitalised word, these end an abbreviation, not a sentence ("Mr. Putin", "St. Petersburg").
# Abbreviations usually followed by a digit ("Aug. 6", "No. 10") need no entry: a digit never starts a sentence here.
ABBREVIATIONS = frozenset(
    "Mr Mrs Ms Mx Dr Prof Gen Lt Col Maj Capt Cpt Sgt Cpl Pte Adm Cmdr Cdr Brig Gov Sen Rep Pres Rev Hon Supt Insp "
    "Det Messrs Mme Mlle St Mt Ft vs".split()
)
TERMINATORS = ".!?…"
"""Characters that can end a sentence."""
BEFORE_OPENING = "([{<—–-/:" + OPENING_QUOTE_MARKS
"""Characters after which a quotation mark opens (besides whitespace)."""

_INITIALS = re.compile(r"(?:[^\W\d_]\.)+")  # "U.S.", "e.g.", "J." (an initial)
_LAST_WORD = re.compile(r"\S*$")
_SCAN = re.compile(f"[{re.escape(QUOTE_MARKS)}]|[{re.escape(TERMINATORS)}]+")
_AFTER_TERMINATOR = CLOSING_QUOTE_MARKS + ")]"
_PARAGRAPH = re.compile(r"[^\n\r\u2028\u2029]+")
_MARK = re.compile(f"[{re.escape(QUOTE_MARKS)}]")


def paragraphs(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each non-blank line of ``text``, surrounding whitespace excluded.

    >>> paragraphs("  First line.\\n\\nSecond ")
    [(2, 13), (15, 21)]
    """
    spans = []
    for match in _PARAGRAPH.finditer(text):
        start, end = match.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            spans.append((start, end))
    return spans


def sentences(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text``, surrounding whitespace excluded, in order.

    Paragraphs (lines) split first. Inside one, a sentence ends at ``. ! ? …`` (and any closing quotation marks or
    brackets right after it) followed by whitespace and an uppercase letter or an opening quotation mark, unless the
    full stop ends an abbreviation (``Mr.``, ``Gen.``, ``St.``, ``U.S.``) or the terminator sits inside quotation
    marks, so that ``'A. B,' he said.`` stays one sentence with its cue. A quotation left open runs to the end of
    its paragraph, as a quote continued in the next paragraph does.

    >>> sentences("Mr. Putin spoke. 'We won. Twice,' he said.\\nNew line")
    [(0, 16), (17, 42), (43, 51)]
    """
    return _sentences(text, paragraphs(text))


def _sentences(text: str, paragraph_ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    found = []
    for start, end in paragraph_ranges:
        found.extend(_split_paragraph(text, start, end))
    return found


def _split_paragraph(text: str, start: int, end: int) -> list[tuple[int, int]]:
    found = []
    depth = 0  # how many quotations are open at the scan position
    sentence_start = start
    for match in _SCAN.finditer(text, start, end):
        i = match.start()
        if text[i] in QUOTE_MARKS:
            depth = max(0, depth + quote_role(text, i, start, end))
            continue
        close = match.end()
        closed = 0
        while close < end and text[close] in _AFTER_TERMINATOR:
            closed += quote_role(text, close, start, end) == -1
            close += 1
        if depth - closed > 0 or close >= end or not text[close].isspace():
            continue
        following = close
        while following < end and text[following].isspace():
            following += 1
        if not (text[following].isupper() or text[following] in OPENING_QUOTE_MARKS):
            continue
        if match.group() == "." and _is_abbreviation(text, sentence_start, i):
            continue
        found.append((sentence_start, close))
        sentence_start = following
    found.append((sentence_start, end))
    return found


def quote_role(text: str, i: int, start: int = 0, end: int | None = None) -> int:
    """+1 if the mark at ``text[i]`` opens a quotation, -1 if it closes one, 0 for an apostrophe (``Russia’s``).

    A mark opens after whitespace or an opening bracket, dash or mark and before a non-space; it closes after a
    non-space and before anything but a letter or digit. ``start`` and ``end`` bound the paragraph it is read in.

    >>> [quote_role("„Ja“, sagte er", i) for i in (0, 3)], quote_role("Russia’s", 6)
    ([1, -1], 0)
    """
    end = len(text) if end is None else end
    mark = text[i]
    before = text[i - 1] if i > start else " "
    after = text[i + 1] if i + 1 < end else " "
    if mark in OPENING_QUOTE_MARKS and (before.isspace() or before in BEFORE_OPENING) and not after.isspace():
        # An elided year ('90s) is an apostrophe, not an opening mark that would never close.
        return 0 if after.isdigit() and mark == "'" else 1
    if mark in CLOSING_QUOTE_MARKS and not before.isspace() and not after.isalnum():
        return -1
    return 0


def _is_abbreviation(text: str, sentence_start: int, stop: int) -> bool:
    """Whether the full stop at ``stop`` ends an abbreviation or an initial rather than the sentence."""
    word = _LAST_WORD.search(text, max(sentence_start, stop - 24), stop).group().lstrip(BEFORE_OPENING)
    return word in ABBREVIATIONS or _INITIALS.fullmatch(word + ".") is not None


def quotations(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each outermost quotation of ``text``, both marks included, in order.

    Marks are told apart from apostrophes by :func:`quote_role`; a closing mark must close the opening one
    (:data:`QUOTE_PAIRS`). A quotation still open at the end of its paragraph runs to that end when it opens the
    paragraph (a quote continued in the next paragraph); other unclosed marks are ignored.

    >>> quotations("‘Yes,’ he said, ‘we’ll go.’ Russia’s ‘Z’ bloggers\\n“It goes on")
    [(0, 6), (16, 27), (37, 40), (50, 61)]
    """
    return _quotations(text, paragraphs(text))


def _quotations(text: str, paragraph_ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    found = []
    for start, end in paragraph_ranges:
        stack: list[int] = []  # positions of the open marks
        for mark in _MARK.finditer(text, start, end):  # a regex scan, not a Python loop over every character
            i = mark.start()
            role = quote_role(text, i, start, end)
            if role == -1 and stack:
                match = next((k for k in range(len(stack) - 1, -1, -1) if text[i] in QUOTE_PAIRS[text[stack[k]]]), None)
                if match is not None:
                    if match == 0:
                        found.append((stack[0], i + 1))
                    del stack[match:]
                    continue
            if role == 1 and text[i] in QUOTE_PAIRS:
                stack.append(i)
        if stack and stack[0] == start:
            found.append((start, end))
    return found


@dataclass(frozen=True)
class Layout:
    """The paragraphs, sentences and quotations of one text, each found once, when first asked for.

    Prediction builds one per text and hands it to the boundary rules (:mod:`quotes.boundaries`) and the linker
    (:func:`quotes.linking.link`), which would otherwise each split the text again; the functions that take a
    ``layout`` build their own when given none. The ranges are those of :func:`paragraphs`, :func:`sentences` and
    :func:`quotations`, as tuples.

    >>> layout = Layout("Mr. Putin spoke. 'We won. Twice,' he said.\\nNew line")
    >>> layout.sentences, layout.sentence_index(20), layout.quotations
    (((0, 16), (17, 42), (43, 51)), 1, ((17, 33),))
    """

    text: str

    @classmethod
    def of(cls, text: str, layout: Layout | None = None) -> Layout:
        """``layout`` if it is the layout of ``text``, a new layout of ``text`` if it is None.

        Raises:
            ValueError: ``layout`` is the layout of another text (its ranges would not fit this one).
        """
        if layout is None:
            return cls(text)
        if layout.text is not text and layout.text != text:
            raise ValueError("layout: a Layout of another text; give Layout(text) of the text the spans index")
        return layout

    @cached_property
    def paragraphs(self) -> tuple[tuple[int, int], ...]:
        return tuple(paragraphs(self.text))

    @cached_property
    def sentences(self) -> tuple[tuple[int, int], ...]:
        return tuple(_sentences(self.text, self.paragraphs))

    @cached_property
    def sentence_starts(self) -> tuple[int, ...]:
        return tuple(start for start, _ in self.sentences)

    @cached_property
    def quotations(self) -> tuple[tuple[int, int], ...]:
        return tuple(_quotations(self.text, self.paragraphs))

    def sentence_index(self, offset: int) -> int:
        """The index of the last sentence that starts at or before ``offset`` (-1 when none does)."""
        return bisect_right(self.sentence_starts, offset) - 1
