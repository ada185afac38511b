"""Group predicted QUOTE, SPEAKER and CUE spans of one document into quote records.

The token classifier only labels spans; this module decides which of them form one quote. It is cue-anchored and
works sentence by sentence: a cue takes the contents and the speaker of its own sentence, an interrupted direct
quote (``'A,' he said. 'B.'``) and a continuation paragraph stay with the record they continue, and a content that
can be linked to nothing becomes a record of its own (unless its form says it is no quote: rule 9). A
``he``/``she`` source gets the person's nearest earlier full-name mention as its coreference
(:mod:`quotes.coreference`). Sentences and paragraphs come from :mod:`quotes.text`. Pure Python and deterministic.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import groupby, pairwise

from quotes.coreference import (
    PERSON_PRONOUNS,
    Mention,
    antecedent,
    appositive_head,
    name_mentions,
    passive_cue,
    plain_gap,
    speaker_near_cue,
    subject_after_cue,
)
from quotes.lexicon import is_communication_cue, lemma
from quotes.schema import KINDS, Quote, QuoteRecord, ScoredSpan, span_text_problem
from quotes.text import BEFORE_OPENING, CLOSING_QUOTE_MARKS, OPENING_QUOTE_MARKS, QUOTE_MARKS, Layout

logger = logging.getLogger(__name__)

PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i", "him", "her", "them"})
"""Pronoun sources (compared lower-cased); ``he``/``she`` and ``it`` get coreferences, see :func:`link`, rule 7."""

_FAR = 1 << 62  # an offset past the end of any text
# Rule 9: a cue-less content right after a preposition is a noun phrase in someone's clause, unless it opens with
# a word that opens reported content (then its cue was missed).
_PREPOSITIONS = frozenset(
    """in on at for of with from into under over after before against about by during without through across amid
    among""".split()
)
_CLAUSE_OPENERS = frozenset({"that", "to", "whether", "if", "how", "why", "what", "when", "where", "who"})
# What ends a line of running text; a line ending otherwise is a title or a caption (rule 9).
_SENTENCE_ENDS = ".!?:;…" + CLOSING_QUOTE_MARKS
_ASKING = frozenset({"ask", "question", "wonder", "query", "inquire", "demand"})
_INTRODUCTION = re.compile(r"\s*:")  # right after a cue: "said: 'A'"

# Separators between the speakers of one subject ("Putin and Lavrov", "X, Y and Z"): see _speaker_groups.
_COORDINATION = re.compile(r"\s*(,|,?\s*(?:and|&))\s*")

_WORD = re.compile(r"\S+")
# Relative pronouns open a clause of their own: never an appositive to skip, never a comma frame.
_RELATIVES = frozenset({"who", "whom", "whose", "which", "that", "where"})
# A possessive determiner right after a cue ("asking his colleagues") qualifies its object, not the speaker.
_POSSESSIVE_DETERMINERS = frozenset({"his", "their", "its", "my", "our", "your"})
# What separates a verb of saying from its addressee: "said to Putin" (a cue "confessed to" holds the "to").
_TO_ADDRESSEE = re.compile(r"\s*to\s*$", re.IGNORECASE)
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*\.?")
_NAME_PARTICLES = frozenset("von van der den de del della da di du le la bin ibn al el".split())
_NOT_NAMES = frozenset(
    """the a an another one former ex acting mr mrs ms mx miss dr doctor prof professor sir dame lord lady king queen
    prince princess pope father rev reverend bishop archbishop sheikh general gen lieutenant lt colonel col major maj
    captain capt sergeant sgt corporal private admiral adm marshal field commander cmdr brigadier president vice prime
    minister premier chancellor governor gov mayor senator sen representative rep congressman congresswoman secretary
    chairman chairwoman chair chief director ambassador judge justice spokesman spokeswoman spokesperson deputy
    foreign defence defense interior health finance home state""".split()
)


# --------------------------------------------------------------------------------------------------------------
# Linking
# --------------------------------------------------------------------------------------------------------------


@dataclass
class LinkStats:
    """What :func:`link` did; pass the same instance to several calls to total a corpus."""

    documents: int = 0
    records: int = 0
    contents: int = 0
    joined_split_quotes: int = 0  # contents added to the direct quote they follow (rule 5)
    joined_continuations: int = 0  # continuation-paragraph contents added to the previous record (rule 4)
    unattributed: int = 0  # records made of contents with no cue to link to (rule 6)
    dropped_cues: int = 0  # cues linked to no content: a cue with no content is not a quote
    dropped_speakers: int = 0  # speakers linked to no record (they may still serve as coreferences)
    coreferences: int = 0
    found_speakers: int = 0  # speakers read from the text for records with a cue and no tagged speaker (rule 8)
    cueless_speakers: int = 0  # records with no cue that took the tagged speaker of their sentence (rule 6a)
    dash_speakers: int = 0  # records that took a speaker after a dash ("'A.' ― Name", rule 6b)
    dropped_fragments: int = 0  # records whose form says they are no quote: a title line, a lone word (rule 9)

    def summary(self) -> str:
        """One log line of the counters, e.g. for :meth:`quotes.inference.QuoteExtractor.predict` over a batch.

        >>> LinkStats(documents=2, records=3, contents=4, dropped_cues=1).summary().split("; ")[:2]
        ['linked 2 document(s): 3 record(s) from 4 content span(s)', 'joined 0 split quote(s) and 0 continuation(s)']
        """
        return (
            f"linked {self.documents} document(s): {self.records} record(s) from {self.contents} content span(s); "
            f"joined {self.joined_split_quotes} split quote(s) and {self.joined_continuations} continuation(s); "
            f"{self.unattributed} unattributed; dropped {self.dropped_cues} cue(s) and {self.dropped_speakers} "
            f"speaker(s); {self.coreferences} coreference(s); {self.found_speakers} speaker(s) found in the text"
        )


@dataclass
class _Draft:
    """A record being built; ``end`` is where its last span ends, ``unit``/``paragraph`` hold its last content."""

    contents: list[ScoredSpan]
    unit: int
    paragraph: int
    cue: ScoredSpan | None = None
    sources: tuple[ScoredSpan, ...] = ()
    end: int = field(init=False)

    def __post_init__(self) -> None:
        self.end = max(span.end for span in (*self.contents, *self.sources, *((self.cue,) if self.cue else ())))

    @property
    def attributed(self) -> bool:
        return self.cue is not None or bool(self.sources)

    def add(self, content: ScoredSpan, unit: int, paragraph: int) -> None:
        self.contents.append(content)
        self.unit, self.paragraph, self.end = unit, paragraph, max(self.end, content.end)


@dataclass
class _Document:
    """Offsets shared by every step of one :func:`link` call."""

    text: str
    spans: list[tuple[str, ScoredSpan]]
    paragraph_starts: list[int]
    continuation_paragraphs: set[int]
    attribution_starts: list[int]  # starts of all CUE and SPEAKER spans, sorted
    sentence_ranges: list[tuple[int, int]]  # never empty: a text with no sentence is one
    mentions: list[Mention] = field(default_factory=list)  # name mentions outside contents
    find_speakers: bool = True  # read speakers from the text (rule 8 and the text subjects of rule 2)
    drafts: list[_Draft] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.sentence_starts = [start for start, _ in self.sentence_ranges]
        self.content_starts = [span.start for kind, span in self.spans if kind == "QUOTE"]

    def sentence_of(self, offset: int) -> tuple[int, int]:
        return self.sentence_ranges[max(0, bisect_right(self.sentence_starts, offset) - 1)]

    def paragraph_of(self, offset: int) -> int:
        return max(0, bisect_right(self.paragraph_starts, offset) - 1)

    def attributions_between(self, start: int, end: int) -> bool:
        return _count_between(self.attribution_starts, start, end) > 0


def link(
    text: str,
    spans: Sequence[tuple[str, ScoredSpan]],
    *,
    stats: LinkStats | None = None,
    find_speakers: bool = True,
    drop_fragments: bool = True,
    layout: Layout | None = None,
) -> list[QuoteRecord]:
    """Group one document's labelled spans into quote records, following the annotation guidelines.

    Rules, in the order they apply:

    1. Sentences that one predicted span runs across are treated as one sentence.
    2. In a sentence with cues, each content goes to the adjacent cue before or after it (a cue that already has
       content on its far side yields; otherwise the nearer wins), except that a cue followed by ``:`` takes no
       content before it (``'A?' to which he said: 'B'``: ``'A'`` becomes a record of its own). Each cue takes its
       nearest speaker, preferring one with no other cue in between and one before the cue; a speaker after the
       cue must come before any content. Speakers joined by ``and`` are one subject; two cues may share a speaker.
       Contents of one cue form one record. Who the subject is follows the guidelines' grammar:

       a. a passive cue (``was told``, ``has been asked``) takes no speaker before it, only one after ``by``;
       b. an addressee after a verb of saying (``confessed to Putin``), a cue's object (``Mahugh contacted
          Jelliffe and offered``) and a possessive right after a cue (``asking his colleagues``) are no subject;
          a possessor before a noun cue is (``Trump's claim``, ``his comment about``);
       c. a plain subject right before the cue (only auxiliaries and adverbs between: ``Smith also told Jones``)
          beats any other; a speaker from an earlier paragraph across a content is none;
       d. of ``Name, description said`` and ``description, Name, said`` the first noun phrase is the subject
          (appositives are excluded), read from the text with ``find_speakers`` when it is not tagged; a relative
          pronoun (``who``) and a span holding its own appositive stay as tagged;
       e. an inverted cue (``'A,' said the Church in a release``) takes the subject after it, with
          ``find_speakers``, over a speaker before its quote;
       f. a content followed by a comma frame that ends its sentence (``Putin has pledged A, he said``) goes to the
          frame's cue, not to the cue before it (not for a relative clause: ``..., whose leaders said``);
       g. a cue between a sentence-opening ``according to`` and the next comma describes the source and is no cue.
    3. A content in a sentence with no cue, right after a sentence that ends with ``:`` and an unused cue
       (``He said:`` on its own line), takes that cue and its speaker.
    4. A continuation paragraph (it opens with a quotation mark and has no cue or speaker) joins the previous record.
    5. Otherwise a content with no cue joins the previous record when that record's last content is direct, is no
       question put with ``asked`` (or with no cue), and is in the same paragraph or the previous sentence
       (``'A,' he said. 'B.'``, ``'A?' she said. 'B.'``).
    6. Otherwise it becomes a record with no cue: with (6a) the nearest tagged speaker before it in its sentence as
       source when there is one (``Gerasimov goes on to add that A``, ``reports by the news media that A``), else
       with no source. Rules 4 and 5 only join a record that has a cue or a source, and only when no cue or
       speaker lies between the two. (6b) A record with no source whose last content is followed by a dash and a
       tagged speaker on its line (``'A.' ― Sonya Herridge``) takes that speaker.
    7. A record whose only source is ``he``/``she``/``him``/``her`` gets, as its coreference, the person's nearest
       earlier full-name mention (first and last name, no title), found in the cased text whether tagged or not
       (:func:`quotes.coreference.antecedent`: the nearest person named outside quoted content, not before a
       content in the pronoun's own sentence unless it is some record's source, a possessor only as a last
       resort, a surname followed back to its full name).
       ``it`` gets the nearest earlier speaker that is neither a pronoun nor a full name (``the defence
       ministry``); ``they``, ``we`` and ``I`` get none (a group or the writer has no full name).
    8. With ``find_speakers``, a record with a cue and no speaker takes the cue's plain subject from the text
       (:func:`quotes.coreference.speaker_near_cue`: ``Obama has said``, ``'A,' said Obama``, ``according to
       NASA``, ``he told``, ``Gerasimov, the Chief of Staff, confessed``, ``The article went on to accuse``, ``a
       frustrated Putin can be heard asking``, ``The summary documented A and suggested``; no passive), scored as
       its cue, unless it overlaps a tagged span. It runs before rule 7, so a pronoun found this way is resolved.
    9. With ``drop_fragments``, a record with no quotation mark in its contents is dropped when it has no cue and
       its content is a title line (the line ends with no ``.``, ``!``, ``?``, ``:``, ``;`` or closing mark and
       does not follow a line ending with ``:``, which introduces a list); when it has no source and its only
       content is one word (``[The] action was confirmed``); or when it has neither cue nor source and its content
       is the object of a preposition (``will go offline in [protest against ...]``; one that opens with ``that``,
       ``to``, ``whether`` ... stays: its cue was missed). Such spans, tagged in headlines and captions or cut
       from a sentence, report nothing anyone communicated.

    Cues and speakers left out of every record are dropped, counted in ``stats`` and logged at DEBUG.

    Args:
        text: the document text that the span offsets index.
        spans: ``(kind, span)`` pairs, kind one of ``"QUOTE"``, ``"SPEAKER"``, ``"CUE"``; non-overlapping, any order.
        stats: if given, its counters are increased by what this call did.
        find_speakers: apply rule 8 and rules 2d/2e (read speakers from the text).
        drop_fragments: apply rule 9 (drop records that are no quote by their form).
        layout: the paragraphs and sentences of ``text`` (:class:`~quotes.text.Layout`), when the caller has them
            already (``QuoteExtractor`` shares one with the boundary rules); else they are found here.

    Returns:
        The records sorted by the start of their first content span; every QUOTE span is in exactly one, but for
        those of records dropped by rule 9 (none with ``drop_fragments=False``). A record
        is ``direct`` when all its contents are in quotation marks, and its ``score`` is the mean score of its
        contents and cue.

    Raises:
        ValueError: listing every span with an unknown kind, bad offsets, text that differs from the document, or an
            overlap with another span; or ``layout`` is the layout of another text.

    >>> text = "‘We will win,’ he said."
    >>> record = link(text, [("QUOTE", ScoredSpan(0, 14, "‘We will win,’", 0.9)),
    ...                      ("SPEAKER", ScoredSpan(15, 17, "he", 0.8)), ("CUE", ScoredSpan(18, 22, "said", 0.7))])[0]
    >>> record.contents[0].text, record.sources[0].text, record.cue.text, record.direct, round(record.score, 2)
    ('‘We will win,’', 'he', 'said', True, 0.8)
    """
    ordered = _checked(text, spans)
    if not ordered:
        if stats is not None:
            stats.documents += 1
        return []
    layout = Layout.of(text, layout)
    paragraph_ranges = list(layout.paragraphs) or [(0, len(text))]
    attribution_starts = [span.start for kind, span in ordered if kind != "QUOTE"]
    document = _Document(
        text=text,
        spans=ordered,
        paragraph_starts=[start for start, _ in paragraph_ranges],
        continuation_paragraphs=set(),
        attribution_starts=attribution_starts,
        sentence_ranges=list(layout.sentences) or [(0, len(text))],
        mentions=name_mentions(text, [(span.start, span.end) for kind, span in ordered if kind == "QUOTE"]),
        find_speakers=find_speakers,
    )
    for index, (start, end) in enumerate(paragraph_ranges):
        if text[start] in OPENING_QUOTE_MARKS and not document.attributions_between(start, end):
            document.continuation_paragraphs.add(index)

    counts = LinkStats(documents=1)
    units, unit_ends = _units(document.sentence_ranges, ordered)
    _link_units(document, units, unit_ends, counts)
    _dash_speakers(document, counts)
    mentions = document.mentions
    if find_speakers:
        _find_speakers(document, mentions, counts)
    records = _records(document, mentions, counts)
    if drop_fragments:
        kept = [record for record in records if not is_fragment(text, record)]
        counts.dropped_fragments = len(records) - len(kept)
        records = kept

    used_cues = {id(d.cue) for d in document.drafts if d.cue is not None}
    used_speakers = {id(s) for d in document.drafts for s in d.sources}
    counts.records = len(records)
    counts.contents = sum(kind == "QUOTE" for kind, _ in ordered)
    counts.dropped_cues = sum(kind == "CUE" and id(span) not in used_cues for kind, span in ordered)
    counts.dropped_speakers = sum(kind == "SPEAKER" and id(span) not in used_speakers for kind, span in ordered)
    logger.debug(
        "linked %d spans into %d records; dropped %d cue(s) and %d speaker(s) linked to no content",
        len(ordered),
        counts.records,
        counts.dropped_cues,
        counts.dropped_speakers,
    )
    if stats is not None:
        for name in vars(counts):
            setattr(stats, name, getattr(stats, name) + getattr(counts, name))
    return records


def _checked(text: str, spans: Sequence[tuple[str, ScoredSpan]]) -> list[tuple[str, ScoredSpan]]:
    """The spans sorted by position, after checking every one of them (all problems reported together)."""
    problems = []
    for index, (kind, span) in enumerate(spans):
        if kind not in KINDS:
            problems.append(f"spans[{index}]: unknown kind {kind!r} (expected one of {', '.join(KINDS)})")
        elif not 0 <= span.start < span.end <= len(text):
            problems.append(f"spans[{index}]: offsets {span.start}-{span.end} are not a non-empty range of the text")
        elif problem := span_text_problem(text, span.start, span.end, span.text):
            problems.append(f"spans[{index}]: {problem}")
    ordered = sorted(spans, key=lambda item: (item[1].start, item[1].end, str(item[0])))
    for (kind_a, a), (kind_b, b) in pairwise(ordered):
        if b.start < a.end:
            problems.append(f"{kind_b} {b.text!r} ({b.start}-{b.end}) overlaps {kind_a} {a.text!r} ({a.start}-{a.end})")
    if problems:
        lines = "\n".join(f"  {problem}" for problem in problems)
        raise ValueError(f"{len(problems)} problem(s) in the spans to link (fix the predicted spans):\n{lines}")
    return ordered


def _units(
    sentence_ranges: list[tuple[int, int]], ordered: list[tuple[str, ScoredSpan]]
) -> tuple[list[int], list[int]]:
    """The linking unit of each span (its sentence, with sentences that one span runs across merged) and where
    each unit ends."""
    starts = [start for start, _ in sentence_ranges]
    joined = [False] * len(sentence_ranges)  # joined[i]: sentence i and i + 1 are one unit
    first = [max(0, bisect_right(starts, span.start) - 1) for _, span in ordered]
    for (_, span), a in zip(ordered, first, strict=True):
        for i in range(a, max(0, bisect_right(starts, span.end - 1) - 1)):
            joined[i] = True
    unit_of_sentence = [0] * len(sentence_ranges)
    unit_ends = [sentence_ranges[0][1]]
    for i in range(1, len(sentence_ranges)):
        if joined[i - 1]:
            unit_ends[-1] = sentence_ranges[i][1]
        else:
            unit_ends.append(sentence_ranges[i][1])
        unit_of_sentence[i] = len(unit_ends) - 1
    return [unit_of_sentence[a] for a in first], unit_ends


def _link_units(document: _Document, units: list[int], unit_ends: list[int], stats: LinkStats) -> None:
    """Apply rules 2 to 6 unit by unit, in document order, appending to ``document.drafts``."""
    last: _Draft | None = None  # the record holding the latest content seen
    pending: tuple[int, ScoredSpan, tuple[ScoredSpan, ...]] | None = None  # rule 3: (unit, cue, its speakers)

    for unit, group in groupby(zip(units, document.spans, strict=True), key=lambda item: item[0]):
        members = [item for _, item in group]
        contents = [span for kind, span in members if kind == "QUOTE"]
        cues = _outside_according_to(document.text, [span for kind, span in members if kind == "CUE"])
        unit_speakers = _speaker_groups(document.text, [span for kind, span in members if kind == "SPEAKER"])
        if not cues:
            introduced = pending if pending is not None and pending[0] == unit - 1 else None
            for content in contents:
                last = _place_uncued(document, last, introduced, content, unit, unit_speakers, stats)
                introduced = None
            pending = None
            continue

        speakers = _Speakers(document, [span for kind, span in members if kind == "SPEAKER"], cues, contents)
        owners = _pair_contents(document.text, contents, cues, speakers.groups)
        by_cue: dict[int, _Draft] = {}
        for content, owner in zip(contents, owners, strict=True):
            paragraph = document.paragraph_of(content.start)
            if owner is None:  # its sentence's cue introduces other words ("'A?' to which he said: 'B'")
                stats.unattributed += 1
                last = _Draft([content], unit, paragraph)
                document.drafts.append(last)
            elif owner in by_cue:
                by_cue[owner].add(content, unit, paragraph)
                last = by_cue[owner]
            else:
                by_cue[owner] = last = _Draft([content], unit, paragraph, cue=cues[owner], sources=speakers.of(owner))
                document.drafts.append(last)
        pending = None
        # "He said:" closing its line: the quote follows on the next line, with no cue of its own.
        ends_with_colon = document.text[unit_ends[unit] - 1] == ":"
        if ends_with_colon and len(cues) - 1 not in by_cue and not (contents and contents[-1].start > cues[-1].start):
            pending = (unit, cues[-1], speakers.of(len(cues) - 1))


def _outside_according_to(text: str, cues: list[ScoredSpan]) -> list[ScoredSpan]:
    """The cues less those inside the source of an ``according to`` (``According to the page where the issue was
    debated, 479 users ...``: ``debated`` describes the source; the content after the comma is the page's)."""
    kept: list[ScoredSpan] = []
    source_end = -1
    for cue in cues:
        if cue.start < source_end:
            continue
        kept.append(cue)
        if cue.text.lower() == "according to":
            comma = text.find(",", cue.end)
            stop = min((i for i in (text.find(".", cue.end), text.find("\n", cue.end)) if i >= 0), default=len(text))
            source_end = comma if 0 <= comma < stop else -1
    return kept


def _place_uncued(
    document: _Document,
    last: _Draft | None,
    introduced: tuple[int, ScoredSpan, tuple[ScoredSpan, ...]] | None,
    content: ScoredSpan,
    unit: int,
    speaker_groups: list[tuple[ScoredSpan, ...]],
    stats: LinkStats,
) -> _Draft:
    """Rules 3 to 6 for a content whose sentence has no cue; returns the record it went to."""
    paragraph = document.paragraph_of(content.start)
    # Rule 6a: the tagger found the speaker but not the cue ("Gerasimov goes on to add that ...", "reports by the
    # news media that ..."): the nearest speaker before the content in its own sentence, no other content between.
    own = [
        group
        for group in speaker_groups
        if group[-1].end <= content.start and not _count_between(document.content_starts, group[-1].end, content.start)
    ]
    if introduced is not None:
        draft = _Draft([content], unit, paragraph, cue=introduced[1], sources=introduced[2])
    elif last is not None and _continues(document, last, content, paragraph, unit):
        if paragraph in document.continuation_paragraphs:
            stats.joined_continuations += 1
        else:
            stats.joined_split_quotes += 1
        last.add(content, unit, paragraph)
        return last
    elif own:
        draft = _Draft([content], unit, paragraph, sources=own[-1])
        stats.cueless_speakers += 1
    else:
        stats.unattributed += 1
        draft = _Draft([content], unit, paragraph)
    document.drafts.append(draft)
    return draft


def _continues(document: _Document, last: _Draft, content: ScoredSpan, paragraph: int, unit: int) -> bool:
    """Rules 4 and 5: whether a content with no cue of its own continues the record ``last``."""
    if not last.attributed or document.attributions_between(last.end, content.start):
        return False
    if paragraph in document.continuation_paragraphs:
        return True
    previous = last.contents[-1]
    # A quote interrupted by its attribution ends in a comma ("'A,' he said. 'B.'"); a question that was asked is
    # answered by someone else ("'And Putin?' they asked. 'Putin? I don't know.'"), one that was said goes on
    # ("'How many times?' she said. 'In Tulsa, ...'": PolNeAR dev, oracle spans, 1 more quote right).
    question = previous.text.rstrip().rstrip(CLOSING_QUOTE_MARKS).endswith("?")
    asked = last.cue is None or lemma(last.cue.text.split()[-1]) in _ASKING
    answered = question and asked
    return _is_direct(previous) and not answered and (paragraph == last.paragraph or unit == last.unit + 1)


def _pair_contents(
    text: str, contents: list[ScoredSpan], cues: list[ScoredSpan], speakers: list[tuple[ScoredSpan, ...]] = ()
) -> list[int | None]:
    """For each content of a unit, the index of its cue among ``cues``, or None if no cue there is its (rule 2)."""
    cue_starts = [cue.start for cue in cues]
    # "Putin has pledged to support the region, he said": a content followed by a comma and a "speaker cue"
    # frame belongs to that frame, not to the cue before it.
    last_content = max((content.start for content in contents), default=-1)
    framed = {
        group[0].start
        for group in speakers
        if _comma_before(text, group[0].start)
        and group[0].text.split()[0].lower() not in _RELATIVES  # "..., whose leaders are in despair over B"
        and bisect_left(cue_starts, group[-1].end) < len(cues)
        and last_content < cues[bisect_left(cue_starts, group[-1].end)].start  # the frame ends the sentence
    }
    content_starts = [content.start for content in contents]

    def has_content(start: int, end: int) -> bool:
        return _count_between(content_starts, start, end) > 0

    owners: list[int | None] = []
    for content in contents:
        right = bisect_left(cue_starts, content.start)
        left = right - 1
        # A cue with content of its own on its far side ("said: 'A'", "'B,' he said") leaves this one to the other.
        left_taken = left >= 0 and has_content(cues[left - 1].end if left else 0, cues[left].start)
        right_taken = right < len(cues) and has_content(
            cues[right].end, cues[right + 1].start if right + 1 < len(cues) else _FAR
        )
        if left < 0:
            # "said:" introduces what follows; a content before it and after it is someone else's question.
            introduces = right_taken and _INTRODUCTION.match(text, cues[right].end) is not None
            owners.append(None if introduces else right)
        elif right == len(cues):
            owners.append(left)
        elif left_taken != right_taken:
            owners.append(right if left_taken else left)
        elif not right_taken and _frames(text, content, cues[right], speakers, framed):
            owners.append(right)
        else:
            owners.append(left if content.start - cues[left].end <= cues[right].start - content.end else right)
    return owners


def _frames(
    text: str, content: ScoredSpan, cue: ScoredSpan, speakers: list[tuple[ScoredSpan, ...]], framed: set[int]
) -> bool:
    """Whether ``content, SPEAKER cue`` follows: only a comma, one speaker group and adverbs before the cue."""
    gap = text[content.end : cue.start]
    after_comma = gap.lstrip(CLOSING_QUOTE_MARKS + " ")
    if not after_comma.startswith(","):
        return False
    for group in speakers:
        if group[0].start in framed and content.end <= group[0].start and group[-1].end <= cue.start:
            between = text[content.end : group[0].start].strip(CLOSING_QUOTE_MARKS + " ,")
            return between == "" and plain_gap(text, group[-1].end, cue.start)
    return False


def _comma_before(text: str, offset: int) -> bool:
    """Whether the last character before ``offset`` that is not whitespace is a comma."""
    index = offset - 1
    while index >= 0 and text[index].isspace():
        index -= 1
    return index >= 0 and text[index] == ","


def _ends_with_to(cue: str) -> bool:
    """``confessed to``: a cue whose ``to`` introduces an addressee (``according to`` introduces the source)."""
    words = cue.lower().split()
    return len(words) > 1 and words[-1] == "to" and words[-2] != "according"


class _Speakers:
    """The speakers of one unit, grouped into subjects, and the choice of a subject for each cue."""

    def __init__(
        self, document: _Document, speakers: list[ScoredSpan], cues: list[ScoredSpan], contents: list[ScoredSpan]
    ):
        self.document = document
        self.text = text = document.text
        self.contents = contents
        # "asking his colleagues": a possessive right after a cue qualifies its object ("his comment" keeps it)
        speakers = [
            s
            for s in speakers
            if s.text.strip().lower() not in _POSSESSIVE_DETERMINERS
            or not any(c.end <= s.start and not text[c.end : s.start].strip() for c in cues)
        ]
        self.groups = _speaker_groups(text, speakers)
        self.group_starts = [group[0].start for group in self.groups]
        self.cues = cues
        self.cue_starts = [cue.start for cue in cues]
        self.content_starts = [content.start for content in contents]
        self.objects = {i for i, group in enumerate(self.groups) if self._object(group)}

    def _object(self, group: tuple[ScoredSpan, ...]) -> bool:
        """``Doug Mahugh contacted Rick Jelliffe ... and offered``: a group right after a cue that has its own plain
        subject before it is that cue's object, nobody's speaker."""
        index = bisect_left(self.cue_starts, group[0].start) - 1
        if index < 0:
            return False
        cue = self.cues[index]
        gap = self.text[cue.end : group[0].start]
        to_addressee = _TO_ADDRESSEE.fullmatch(gap) or (gap.strip() == "" and _ends_with_to(cue.text))
        if to_addressee and is_communication_cue(cue.text):
            return True  # "confessed to Putin": an addressee ("seems credible to me" holds an opinion)
        if gap.strip() or self.text[group[-1].end : group[-1].end + 2] in ("'s", "’s"):
            return False  # "seized on Trump's claim": a possessor speaks through its noun cue
        return any(g[-1].end <= cue.start and plain_gap(self.text, g[-1].end, cue.start) for g in self.groups)

    def of(self, index: int) -> tuple[ScoredSpan, ...]:
        """The subject of ``cues[index]``: fewest cues in between, then nearest, then the one before the cue.

        A subject may sit before the cue across a content (``He said A, adding B``), but one after the cue must
        follow it with no content in between (``'A,' said X``, ``revealed by X that A``): in ``Asked A, he said B``
        the ``he`` belongs to ``said`` alone. A passive cue (``was told``) takes only a subject after ``by``; an
        addressee (``confessed to Putin``) and a cue's object are no subject; a plain subject right before the cue
        (``Smith also told Jones``) wins over one after it; of ``Name, description said`` the name is the subject.
        """
        cue = self.cues[index]
        text = self.text
        passive = passive_cue(text, (cue.start, cue.end), self.document.sentence_of(cue.start)[0])
        after = bisect_left(self.group_starts, cue.end)
        candidates = []
        before = next((i for i in range(after - 1, -1, -1) if i not in self.objects), None)
        if before is not None and not passive:
            end = self.groups[before][-1].end
            across = _count_between(self.content_starts, end, cue.start)
            if not (across and "\n" in text[end : cue.start]):  # not from another paragraph, across a content
                plain = not across and plain_gap(text, end, cue.start)
                rank = -1 if plain else _count_between(self.cue_starts, end, cue.start)
                candidates.append((rank, cue.start - end, 0, before))
        if after < len(self.groups) and after not in self.objects:
            start = self.group_starts[after]
            by = text[cue.end : start].strip().lower() == "by"
            if not _count_between(self.content_starts, cue.end, start) and (by or not passive):
                candidates.append((_count_between(self.cue_starts, cue.end, start), start - cue.end, 1, after))
        if not candidates:
            return ()
        chosen = min(candidates)
        if chosen[2] == 1:
            return self.groups[chosen[3]]
        if self._inverted(cue) and self.document.find_speakers:
            # "'A,' said the Church in a release": the subject after an inverted cue, not a speaker before its quote
            sentence = self.document.sentence_of(cue.start)
            found = subject_after_cue(text, cue.end, sentence[1], self.document.mentions)
            if found is not None and self._free(*found):
                return (ScoredSpan(found[0], found[1], text[found[0] : found[1]], cue.score),)
        return self._head_of_appositive(chosen[3], cue)

    def _inverted(self, cue: ScoredSpan) -> bool:
        """Whether a content ends right before the cue (``'A,' said``)."""
        strip = CLOSING_QUOTE_MARKS + " ,"
        return any(c.end <= cue.start and not self.text[c.end : cue.start].strip(strip) for c in self.contents)

    def _free(self, start: int, end: int) -> bool:
        """Whether no tagged span overlaps ``[start, end)``."""
        return not any(span.start < end and start < span.end for _, span in self.document.spans)

    def _head_of_appositive(self, index: int, cue: ScoredSpan) -> tuple[ScoredSpan, ...]:
        """``Leroy Cain, the American manager of the mission said``, ``the President ..., John Carmichael, also
        accused``: the group before a comma-set appositive is the subject (the guidelines exclude appositives);
        with no group there, the noun phrase before the comma read from the text."""
        group = self.groups[index]
        text = self.text
        if "," in group[-1].text.rstrip().rstrip(",") or group[0].text.split()[0].lower() in _RELATIVES:
            return group  # it holds its own appositive, or it is a relative clause's subject ("who said")
        closed = text[group[-1].end : cue.start].lstrip().startswith(",") or group[-1].text.rstrip().endswith(",")
        if index == 0 or (index - 1) in self.objects:
            opened = _comma_before(text, group[0].start)
            if not (opened and closed and plain_gap(text, text.index(",", group[-1].end - 1) + 1, cue.start)):
                return group
            if not self.document.find_speakers:
                return group
            sentence_start = self.document.sentence_of(group[0].start)[0]
            comma = text.rindex(",", 0, group[0].start)
            head = appositive_head(text, comma, sentence_start, self.document.mentions)
            if head is None or not self._free(*head):
                return group
            return (ScoredSpan(head[0], head[1], text[head[0] : head[1]], group[0].score),)
        previous = self.groups[index - 1]
        gap = text[previous[-1].end : group[0].start]
        comma_before = gap.rstrip().endswith(",") or (not gap.strip() and previous[-1].text.rstrip().endswith(","))
        if not comma_before or any(mark in gap for mark in ".;:!?\n") or len(gap.split()) > 12:
            return group
        if _count_between(self.cue_starts, previous[-1].end, cue.start) or _count_between(
            self.content_starts, previous[-1].end, cue.start
        ):
            return group
        description = group[0].text[:1].islower()
        return previous if closed or description else group


def _speaker_groups(text: str, speakers: list[ScoredSpan]) -> list[tuple[ScoredSpan, ...]]:
    """Speakers in order, coordinated ones (``X and Y``, ``X, Y and Z``) grouped as one subject."""
    chains: list[list[ScoredSpan]] = []
    links: list[list[str]] = []
    for speaker in speakers:
        separator = _COORDINATION.fullmatch(text, chains[-1][-1].end, speaker.start) if chains else None
        if separator:
            chains[-1].append(speaker)
            links[-1].append(separator.group(1))
        else:
            chains.append([speaker])
            links.append([])
    groups: list[tuple[ScoredSpan, ...]] = []
    for chain, separators in zip(chains, links, strict=True):
        conjunctions = [separator for separator in separators if separator != ","]
        # Commas alone separate speakers ("'A,' said X, Y added"), and so does ", and" between two of them
        # ("said X, and Y replied" joins clauses); "X and Y" and "X, Y, and Z" are one subject.
        if conjunctions and (len(chain) > 2 or "," not in conjunctions[0]):
            groups.append(tuple(chain))
        else:
            groups.extend((speaker,) for speaker in chain)
    return groups


def _count_between(starts: list[int], start: int, end: int) -> int:
    """How many of the sorted ``starts`` lie in ``[start, end)``."""
    return bisect_left(starts, end) - bisect_left(starts, start)


def _is_direct(span: ScoredSpan) -> bool:
    """The schema's rule for a content in quotation marks, applied to one span."""
    return Quote(contents=(span,)).direct


# --------------------------------------------------------------------------------------------------------------
# Records and coreference
# --------------------------------------------------------------------------------------------------------------


_DASH = re.compile(r"[^\S\n]*[―—–][^\S\n]*")  # no line break; a no-break space is common there


def _dash_speakers(document: _Document, stats: LinkStats) -> None:
    """Rule 6b: a record with no source whose last content is followed by a dash and a tagged speaker on the same
    line (``'A.' ― Sonya Herridge``, a pull quote or a testimonial) takes that speaker."""
    used = {id(span) for draft in document.drafts for span in draft.sources}
    speakers = [span for kind, span in document.spans if kind == "SPEAKER" and id(span) not in used]
    starts = [span.start for span in speakers]
    for draft in document.drafts:
        if draft.sources:
            continue
        end = draft.contents[-1].end
        index = bisect_left(starts, end)
        if index < len(speakers) and _DASH.fullmatch(document.text, end, speakers[index].start):
            draft.sources = (speakers[index],)
            stats.dash_speakers += 1


def _find_speakers(document: _Document, mentions: list[Mention], stats: LinkStats) -> None:
    """Rule 8: a record with a cue and no speaker takes the cue's plain subject from the text, if it has one."""
    text = document.text

    def opens_sentence(offset: int) -> bool:
        return text[document.sentence_of(offset)[0] : offset].strip(OPENING_QUOTE_MARKS + " ") == ""

    known = frozenset(m.words[0] for m in mentions if len(m.words) == 1 and not opens_sentence(m.start))
    taken = sorted((span.start, span.end) for _, span in document.spans)
    for draft in document.drafts:
        if draft.cue is None or draft.sources:
            continue
        cue = draft.cue
        sentence = document.sentence_of(cue.start)
        inverted = any(content.end <= cue.start for content in draft.contents)
        found = speaker_near_cue(text, (cue.start, cue.end), sentence, mentions, inverted=inverted, known_names=known)
        if found is None:
            continue
        start, end = found
        index = bisect_left(taken, (end, end))
        if index > 0 and taken[index - 1][1] > start:
            continue  # it overlaps a span of the tagger's
        taken.insert(index, found)
        draft.sources = (ScoredSpan(start, end, text[start:end], cue.score),)
        stats.found_speakers += 1


def _records(document: _Document, mentions: list[Mention], stats: LinkStats) -> list[QuoteRecord]:
    """Freeze the drafts into sorted records, adding pronoun coreferences (rule 7)."""
    speakers = [span for kind, span in document.spans if kind == "SPEAKER"]
    contents = [(span.start, span.end) for kind, span in document.spans if kind == "QUOTE"]

    # A tagged speaker counts as an antecedent in the pronoun's own sentence only when it is some record's source:
    # in "Putin has pledged 'support', he said" the frame took the content from "pledged", so Putin said nothing.
    sources = sorted((span.start, span.end) for draft in document.drafts for span in draft.sources)
    source_starts = [start for start, _ in sources]

    def _tagged(mention: Mention) -> bool:
        index = bisect_right(source_starts, mention.start) - 1
        return index >= 0 and mention.end <= sources[index][1]

    full_names = {id(span): _full_name(document.text, span) for span in speakers}
    # "it" is never a person: its antecedent is the nearest earlier speaker that is neither a pronoun nor a full
    # name ("the defence ministry").
    things = [s for s in speakers if full_names[id(s)] is None and s.text.strip().lower() not in PRONOUNS]
    thing_starts = [span.start for span in things]
    records = []
    for draft in sorted(document.drafts, key=lambda d: d.contents[0].start):
        coreferences: tuple[ScoredSpan, ...] = ()
        source = draft.sources[0] if len(draft.sources) == 1 else None
        pronoun = source.text.strip().lower() if source is not None else None
        if pronoun == "it":
            nearest = bisect_left(thing_starts, source.start) - 1
            if nearest >= 0:
                coreferences = (things[nearest],)
        elif pronoun in PERSON_PRONOUNS:
            # In the pronoun's own sentence, an untagged name before a content is not its antecedent ("Putin
            # pledged 'support', he said"); a tagged speaker is ("Brennan acknowledged A, but rebuked it for what he
            # called 'B'").
            sentence_start = document.sentence_of(source.start)[0]
            between = [end for start, end in contents if sentence_start <= start and end <= source.start]
            candidates = mentions
            if between:
                candidates = [m for m in mentions if not sentence_start <= m.start < between[-1] or _tagged(m)]
            found = antecedent(candidates, source.start)
            if found is not None:
                coreferences = (_scored(document, found, source.score),)
        stats.coreferences += bool(coreferences)
        parts = [*draft.contents, *((draft.cue,) if draft.cue else ())]
        records.append(
            QuoteRecord(
                contents=tuple(draft.contents),
                sources=draft.sources,
                cue=draft.cue,
                coreferences=coreferences,
                direct=Quote(contents=tuple(draft.contents)).direct,
                score=sum(span.score for span in parts) / len(parts),
            )
        )
    return records


def _scored(document: _Document, mention: Mention, score: float) -> ScoredSpan:
    """A name mention as a span; it scores as the speaker span holding it, else as the pronoun it resolves."""
    for kind, span in document.spans:
        if kind == "SPEAKER" and span.start <= mention.start and mention.end <= span.end:
            score = span.score
            break
    return ScoredSpan(mention.start, mention.end, mention.text, score)


def _full_name(text: str, speaker: ScoredSpan) -> ScoredSpan | None:
    """The trailing name of a speaker span if it is a full name, else None.

    The name is the longest run of capitalised words at the end of the span, less leading titles and determiners,
    and must keep two capitalised words: ``Russia’s chief of the general staff General Valery Gerasimov`` gives
    ``Valery Gerasimov``; ``General Gerasimov`` and ``the defence ministry`` give None.
    """
    words = []
    for match in _WORD.finditer(speaker.text):
        start, end = match.span()
        while start < end and speaker.text[start] in BEFORE_OPENING:
            start += 1
        while end > start and speaker.text[end - 1] in ",;:!?)]}" + CLOSING_QUOTE_MARKS:
            end -= 1
        if end - start > 2 and speaker.text[end - 1] == ".":
            end -= 1  # a sentence's full stop, not an initial's ("W.")
        words.append((start, end, speaker.text[start:end]))
    run: list[tuple[int, int, str]] = []
    for word in reversed(words):
        token = word[2]
        possessive = token[-2:] in ("'s", "’s")
        if _NAME_WORD.fullmatch(token) and not possessive and (token[0].isupper() or token in _NAME_PARTICLES):
            run.append(word)
        else:
            break
    run.reverse()
    while run and (run[0][2].rstrip(".").lower() in _NOT_NAMES or run[0][2] in _NAME_PARTICLES):
        run.pop(0)
    if sum(word[2][0].isupper() for word in run) < 2:
        return None
    start, end = speaker.start + run[0][0], speaker.start + run[-1][1]
    return ScoredSpan(start, end, text[start:end], speaker.score)


def is_fragment(text: str, record: QuoteRecord) -> bool:
    """Rule 9 of :func:`link`: whether a record is no quote by its form: no quotation mark, and one word with no
    source, a title line with no cue, or the object of a preposition with no cue and no source.

    >>> text = "Total evacuation of New Orleans planned\\n\\nThe mayor said A."
    >>> is_fragment(text, QuoteRecord(contents=(ScoredSpan(0, 39, text[:39], 0.9),)))
    True
    """
    if any(mark in span.text for span in record.contents for mark in QUOTE_MARKS):
        return False
    first = record.contents[0]
    if not record.sources and len(record.contents) == 1 and len(first.text.split()) == 1:
        return True  # "[The] action was confirmed": a word cut from a sentence names nothing communicated
    if record.cue is not None:
        return False
    line_start = max(text.rfind("\n", 0, first.start), text.rfind("\r", 0, first.start)) + 1
    ends = (text.find("\n", first.start), text.find("\r", first.start))
    line_end = min((i for i in ends if i >= 0), default=len(text))
    line = text[line_start:line_end].rstrip()
    previous = text[:line_start].rstrip()
    if bool(line) and line[-1] not in _SENTENCE_ENDS and not previous.endswith(":"):
        return True  # a headline or a caption
    if record.sources:
        return False
    # The object of a preposition, with no cue and no speaker: "will go offline in [protest against ...]" (reported
    # content whose cue the tagger missed opens a clause instead: "asks readers [to email their senators]").
    before = text[max(0, first.start - 20) : first.start].split()
    opening = first.text.split()[0].lower().strip(",;:")
    return bool(before) and before[-1].lower() in _PREPOSITIONS and opening not in _CLAUSE_OPENERS
