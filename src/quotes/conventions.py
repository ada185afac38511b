"""Our guidelines' span boundaries for data annotated by other conventions (PolNeAR's), one rule at a time.

PolNeAR marks attributions much as our guidelines do, but draws some boundaries its own way: speakers keep their
appositives (``Murphy, the head of Right to Rise USA,``), cues keep auxiliaries, adverbs and a colon (``has also
said:``), a few direct quotes leave out their quotation marks, some contents keep a final full stop or comma, and
negated communication (``did not say``) is an attribution there but no quote in our guidelines. Training on those
boundaries teaches the model PolNeAR's edges, which our exact-span scores then count as errors.

Each rule below is a pure function of the document text and one span that returns the span unchanged when it
does not apply; each is tested on its own. :func:`to_guidelines` applies them to a document's records in a fixed
order, never lets a span grow into another labelled span (that change is skipped and counted), and returns every
change as a :class:`Change` so that readers count and log them (:mod:`quotes.brat` does, with
``data.conventions: guidelines``). Only rules whose outcome the guidelines state are here; cues that carry an
object or an adjunct (``said at a town hall Thursday``) stay as they are. ``scripts/polnear_conventions.py``
prints how many spans each rule changes.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from quotes.schema import Document, Quote, Span
from quotes.text import ABBREVIATIONS, CLOSING_QUOTE_MARKS, OPENING_QUOTE_MARKS, QUOTE_MARKS, quote_role

Conventions = Literal["source", "guidelines"]
"""``source`` keeps a corpus's own span boundaries; ``guidelines`` converts them with :func:`to_guidelines`."""

CONVENTIONS = ("source", "guidelines")

_WORD = re.compile(r"\w")
_EDGE_SPACE = " \t\n\r\f\v\xa0\u2009\u200a\u202f\u3000"
_PUNCTUATION = ",;:—–-"
_MORE_ABBREVIATIONS = frozenset("etc Inc Jr Sr Co Corp Ltd Bros No Nos Calif Mass Wash Ariz Fla Ill Penn Tenn".split())
_INITIALS = re.compile(r"(?:[^\W\d_]\.)+")

AUXILIARIES = frozenset(
    "am is are was were be been being 's 're 'm has have had having 've 'd do does did "
    "will would shall should can could may might must 'll ought".split()
)
"""Auxiliaries and modals that our cues exclude (``has said`` -> ``said``)."""

ADVERBS = frozenset(
    "also again already always apparently basically bluntly briefly clearly directly earlier easily even "
    "eventually ever explicitly finally first firmly flatly formally frequently further immediately initially "
    "just later long loudly now officially often once only openly originally personally previously privately "
    "promptly publicly quickly quietly really recently reportedly repeatedly similarly simply sharply since "
    "soon specifically still strongly subsequently then today yesterday yet".split()
)
"""Adverbs that our cues exclude (``also called for`` -> ``called for``); other ``-ly`` words count too."""

_NOT_ADVERBS = frozenset(
    "reply apply imply comply supply rely ally rally tally fly bully sully multiply "  # verbs
    "likely unlikely friendly unfriendly elderly costly lonely lovely ugly silly holy".split()  # adjectives
)
NEGATIONS = frozenset("not never cannot".split())


@dataclass(frozen=True)
class Change:
    """One span changed (``after`` None: the record was dropped) by ``rule``; ``skipped``: it would overlap."""

    rule: str
    record: int  # index of the record in the document's quotes, as read
    kind: str  # QUOTE, SPEAKER or CUE
    before: Span
    after: Span | None
    skipped: bool = False

    def describe(self) -> str:
        after = "record dropped" if self.after is None else f"{self.after.start}-{self.after.end} {self.after.text!r}"
        verb = "would be (overlaps another span; kept)" if self.skipped else "->"
        return f"{self.rule}: {self.kind} {self.before.start}-{self.before.end} {self.before.text!r} {verb} {after}"


# --------------------------------------------------------------------------------------------------------------
# Rules: each takes the text and a span and returns the span (the same object when nothing changes)
# --------------------------------------------------------------------------------------------------------------


def _span(text: str, span: Span, start: int, end: int) -> Span:
    """``text[start:end]`` as a span, or ``span`` itself when the range is unchanged or holds no word character."""
    if (start, end) == (span.start, span.end) or start >= end or not _WORD.search(text, start, end):
        return span
    return Span.from_text(text, start, end)


def trim_whitespace(text: str, span: Span) -> Span:
    """Spaces at a span's edges, no-break spaces included, are no part of it.

    >>> trim_whitespace("He said\\xa0 it", Span(3, 9, "said\\xa0 ")).text
    'said'
    """
    start, end = span.start, span.end
    while start < end and text[start] in _EDGE_SPACE:
        start += 1
    while end > start and text[end - 1] in _EDGE_SPACE:
        end -= 1
    return _span(text, span, start, end)


def _opens(text: str) -> bool:
    return bool(text) and text[0] in OPENING_QUOTE_MARKS


def _depth(text: str, start: int, end: int) -> int:
    """Quotations opened and not closed between ``start`` and ``end`` (apostrophes ignored)."""
    return sum(quote_role(text, i) for i in range(start, end) if text[i] in QUOTE_MARKS)


def include_quote_marks(text: str, span: Span) -> Span:
    """A direct quote runs from its opening to its closing quotation mark, both included.

    An opening mark right before the span joins it; a span with a quotation left open, followed by punctuation and
    the closing mark (``Stop TTIP!`` + ``”``), runs on to that mark.

    >>> text = 'He said “we will stop it!” and left.'
    >>> include_quote_marks(text, Span(9, 24, "we will stop it")).text
    '“we will stop it!”'
    """
    start, end = span.start, span.end
    if start > 0 and not _opens(span.text) and quote_role(text, start - 1) == 1:
        start -= 1
    if _depth(text, start, end) > 0:
        after = re.match(r"[.,!?;:…]{0,3}", text[end : end + 4]).end()
        mark = end + after
        if mark < len(text) and text[mark] in CLOSING_QUOTE_MARKS and quote_role(text, mark) == -1:
            end = mark + 1
    return _span(text, span, start, end)


def include_leading_that(text: str, span: Span) -> Span:
    """Indirect content includes a leading ``that`` (``said that he would``: the content is ``that he would``).

    >>> include_leading_that("She said that he would win.", Span(14, 26, "he would win")).text
    'that he would win'
    """
    if _opens(span.text):
        return span
    match = re.search(r"(?<![\w’'-])that[ \t\xa0]+$", text[max(0, span.start - 12) : span.start])
    if match is None:
        return span
    return _span(text, span, span.start - len(match.group()), span.end)


def _is_abbreviation(text: str, stop: int) -> bool:
    """Whether the full stop at ``stop`` ends an abbreviation or initials (``U.S.``, ``etc.``), or an ellipsis."""
    word = re.search(r"\S*$", text[max(0, stop - 24) : stop]).group().lstrip("([{" + QUOTE_MARKS)
    if not word or word.endswith("."):
        return True  # "..." or ". ."
    return word in ABBREVIATIONS or word in _MORE_ABBREVIATIONS or _INITIALS.fullmatch(word + ".") is not None


def exclude_final_full_stop(text: str, span: Span) -> Span:
    """Content excludes its sentence's final full stop, unless the stop sits inside the quotation marks.

    A stop that ends an abbreviation (``U.S.``, ``etc.``) or an ellipsis is kept, and so is one inside a quotation
    left open (a quote that runs on to the next paragraph).

    >>> text = "He said the vote was fair. Then he left."
    >>> exclude_final_full_stop(text, Span(8, 26, "the vote was fair.")).text
    'the vote was fair'
    >>> exclude_final_full_stop('“It was fair.” He left.', Span(0, 14, "“It was fair.”")).text
    '“It was fair.”'
    """
    stop = span.end - 1
    if text[stop] != "." or (span.end < len(text) and not text[span.end].isspace()):
        return span
    if _is_abbreviation(text, stop) or _depth(text, span.start, stop) > 0:
        return span
    return _span(text, span, span.start, stop)


def exclude_trailing_punctuation(text: str, span: Span) -> Span:
    """Indirect content and speakers end before a trailing comma, semicolon, colon or dash (not part of them).

    Direct quotes keep the punctuation inside their marks; a quote left open (no closing mark) is not touched.

    >>> exclude_trailing_punctuation("the region, he said", Span(0, 11, "the region,")).text
    'the region'
    """
    if _depth(text, span.start, span.end) > 0:
        return span
    end = span.end
    while end > span.start and (text[end - 1] in _PUNCTUATION or text[end - 1] in _EDGE_SPACE):
        end -= 1
    return _span(text, span, span.start, end)


_RELATIVE = re.compile(r"(?:who|whom|whose|which)\b")
_LIST = re.compile(r",\s*(?:and|or|&)\s|^(?:and|or|but|nor|plus|as well as)\b")  # "A, B, and C"; "A, and B"


def exclude_appositive(text: str, span: Span) -> Span:
    """A speaker is the noun phrase naming them: an appositive or relative clause set off by commas goes.

    Cut at the first comma when what follows is a relative clause (``, who ...``), an age (``, 35,``) or a
    lowercase appositive after a name (``Dmitry Rogozin, a senator ...``). Lists (``Obama, Clinton, and others``),
    places (``Pasadena, Calif.``) and adjective runs (``The snarky, anti-GOP headline``) stay.

    >>> text = "Dmitry Rogozin, a senator who was previously Putin’s deputy, posted"
    >>> exclude_appositive(text, Span(0, 60, text[:60])).text
    'Dmitry Rogozin'
    >>> exclude_appositive("Obama, Clinton, and others said", Span(0, 26, "Obama, Clinton, and others")).text
    'Obama, Clinton, and others'
    """
    comma = re.search(r",\s+", span.text)
    if comma is None:
        return span
    head, rest = span.text[: comma.start()].rstrip(), span.text[comma.end() :]
    if not head or not rest or _LIST.search(span.text) or _LIST.match(rest):
        return span
    last_word = re.search(r"[\w’'.-]+$", head)
    after_name = last_word is not None and last_word.group()[0].isupper()
    appositive = (
        _RELATIVE.match(rest) is not None
        or re.match(r"\d+(?:,|$)", rest) is not None
        or (after_name and rest[0].islower())
    )
    if not appositive:
        return span
    return _span(text, span, span.start, span.start + len(head))


def _word(token: str) -> str:
    return token.lower().replace("’", "'").strip('.,;:!?"“”‘')


def _is_adverb(word: str) -> bool:
    return word in ADVERBS or (word.endswith("ly") and len(word) > 4 and word not in _NOT_ADVERBS)


def is_negated(cue: str) -> bool:
    """Whether a cue says the communication did not happen (``did not say``, ``never mentioned``, ``won’t say``).

    >>> is_negated("did not say"), is_negated("didn’t disclose"), is_negated("noted")
    (True, True, False)
    """
    return any(_word(token) in NEGATIONS or _word(token).endswith("n't") for token in cue.split())


def exclude_auxiliaries(text: str, span: Span) -> Span:
    """A cue is the lexical verb: leading auxiliaries, modals and adverbs, and trailing adverbs, go.

    A ``to`` they leave in front goes too (``has to remind`` -> ``remind``, as ``went on to add`` -> ``add``); a
    leading ``’s`` goes only before another auxiliary (``’s been saying``; in ``’s statement`` it is a possessive).
    At least one word stays (``is`` alone stays ``is``).

    >>> exclude_auxiliaries("He has also said it", Span(3, 16, "has also said")).text
    'said'
    >>> exclude_auxiliaries("She noted repeatedly", Span(4, 20, "noted repeatedly")).text
    'noted'
    >>> exclude_auxiliaries("He has yet to address it", Span(3, 21, "has yet to address")).text
    'address'
    """
    tokens = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[span.start : span.end])]
    words = [_word(text[span.start + start : span.start + end]) for start, end in tokens]
    first, last = 0, len(tokens)
    if words[:3] in (["went", "on", "to"], ["goes", "on", "to"], ["go", "on", "to"]) and last > 3:
        first = 3  # "went on to add": the cue is "add"
    while first < last - 1:
        word = words[first]
        if word == "'s" and words[first + 1] not in AUXILIARIES:
            break
        adverb = _is_adverb(word) or (word in ("likely", "unlikely") and words[first + 1] != "to")  # will likely
        if word not in AUXILIARIES and not adverb and not (word == "to" and first > 0):
            break
        first += 1
    while last - 1 > first and _is_adverb(words[last - 1]):
        last -= 1
    if not tokens:
        return span
    return _span(text, span, span.start + tokens[first][0], span.start + tokens[last - 1][1])


def exclude_cue_punctuation(text: str, span: Span) -> Span:
    """A cue holds words, not the colon or comma that introduces the quote (``continued:`` -> ``continued``).

    >>> exclude_cue_punctuation("Cruz continued: “No.”", Span(5, 15, "continued:")).text
    'continued'
    """
    start, end = span.start, span.end
    while end > start and (text[end - 1] in _PUNCTUATION + "." or text[end - 1] in _EDGE_SPACE):
        end -= 1
    while start < end and (text[start] in _PUNCTUATION or text[start] in _EDGE_SPACE):
        start += 1
    return _span(text, span, start, end)


Rule = Callable[[str, Span], Span]

RULES: dict[str, tuple[tuple[str, Rule], ...]] = {
    "QUOTE": (
        ("content.whitespace", trim_whitespace),
        ("content.quote_marks", include_quote_marks),
        ("content.leading_that", include_leading_that),
        ("content.final_full_stop", exclude_final_full_stop),
        ("content.trailing_punctuation", exclude_trailing_punctuation),
    ),
    "SPEAKER": (
        ("source.whitespace", trim_whitespace),
        ("source.appositive", exclude_appositive),
        ("source.trailing_punctuation", exclude_trailing_punctuation),
    ),
    "CUE": (
        ("cue.whitespace", trim_whitespace),
        ("cue.punctuation", exclude_cue_punctuation),
        ("cue.auxiliary", exclude_auxiliaries),
    ),
}
"""The rules of each span kind, in the order they apply."""

RULE_NAMES = ("record.negated_cue", *(name for rules in RULES.values() for name, _ in rules), "cue.that_to_content")
"""Every rule's name, as counted (``conventions.<name>``) and printed by ``scripts/polnear_conventions.py``."""


# --------------------------------------------------------------------------------------------------------------
# A document
# --------------------------------------------------------------------------------------------------------------


def to_guidelines(document: Document) -> tuple[Document, list[Change]]:
    """``document`` with every rule applied to its records, and the changes made (and skipped).

    A record whose cue is negated is dropped (our guidelines: communication that did not happen is no quote).
    A span that would grow into another labelled span keeps its boundary (a skipped :class:`Change`), except a
    leading ``that`` at the end of the record's own cue (``said that``), which moves from the cue to the content.
    Coreferences are kept as they are.

    >>> from quotes.schema import Quote
    >>> text = "Murphy, the head of the group, has said that it failed."
    >>> record = Quote(
    ...     contents=(Span(45, 55, "it failed."),),
    ...     sources=(Span(0, 30, "Murphy, the head of the group,"),),
    ...     cue=Span(31, 39, "has said"),
    ... )
    >>> converted, changes = to_guidelines(Document("d", text, (record,)))
    >>> [span.text for _, span in converted.quotes[0].labelled_spans()]
    ['that it failed', 'Murphy', 'said']
    >>> [change.rule for change in changes]
    ['content.leading_that', 'content.final_full_stop', 'source.appositive', 'cue.auxiliary']
    """
    text = document.text
    changes: list[Change] = []
    records: list[list[list]] = []  # per record kept: [kind, span] pairs, changed in place
    kept: list[int] = []  # the index of each record kept
    for index, quote in enumerate(document.quotes):
        if quote.cue is not None and is_negated(quote.cue.text):
            changes.append(Change("record.negated_cue", index, "CUE", quote.cue, None))
            continue
        records.append([[kind, span] for kind, span in quote.labelled_spans()])
        kept.append(index)
    seen: set[tuple[str, str, int, int]] = set()  # a span shared by two records changes once
    for number, parts in zip(kept, records, strict=True):
        for part in parts:
            for name, rule in RULES[part[0]]:
                before = part[1]
                after = rule(text, before)
                if after is before or after == before:
                    continue
                if _grows_into_other(after, before, part, records):
                    if name == "content.leading_that" and _take_that_from_cue(
                        text, after, part, parts, records, changes, number
                    ):
                        part[1] = after
                        changes.append(Change(name, number, part[0], before, after))
                        continue
                    changes.append(Change(name, number, part[0], before, after, skipped=True))
                    continue
                part[1] = after
                if (name, part[0], before.start, before.end) not in seen:
                    seen.add((name, part[0], before.start, before.end))
                    changes.append(Change(name, number, part[0], before, after))
    quotes = [
        Quote.from_labelled(((kind, span) for kind, span in parts), document.quotes[number].coreferences)
        for number, parts in zip(kept, records, strict=True)
    ]
    quotes.sort(key=lambda quote: (quote.contents[0].start, quote.contents[0].end))
    return dataclasses.replace(document, quotes=tuple(quotes)), changes


def _grows_into_other(after: Span, before: Span, own: list, records: list[list[list]]) -> bool:
    """Whether ``after`` overlaps a labelled span other than ``own`` (a span shared by two records is one span)."""
    for parts in records:
        for part in parts:
            other = part[1]
            if part is own or other == before or other == after:
                continue
            if other.start < after.end and after.start < other.end:
                return True
    return False


def _take_that_from_cue(
    text: str,
    content: Span,
    own: list,
    parts: list[list],
    records: list[list[list]],
    changes: list[Change],
    number: int,
) -> bool:
    """Move a ``that`` that ends the record's own cue (``said that``) into its content; False when it cannot."""
    cue_part = next((part for part in parts if part[0] == "CUE"), None)
    if cue_part is None:
        return False
    cue, before = cue_part[1], own[1]
    if not (cue.start < content.start < cue.end <= before.start):
        return False
    end = content.start
    while end > cue.start and text[end - 1] in _EDGE_SPACE:
        end -= 1
    shorter = _span(text, cue, cue.start, end)
    if shorter is cue:
        return False
    cue_part[1] = shorter
    if _grows_into_other(content, before, own, records):  # it overlaps more than the cue's that
        cue_part[1] = cue
        return False
    changes.append(Change("cue.that_to_content", number, "CUE", cue, shorter))
    return True


def count_changes(changes: list[Change]) -> Counter[str]:
    """``conventions.<rule>`` per change made and ``conventions.skipped.<rule>`` per change skipped."""
    return Counter(f"conventions.{'skipped.' if c.skipped else ''}{c.rule}" for c in changes)
