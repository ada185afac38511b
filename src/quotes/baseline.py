"""A rule-based quote extractor: the floor that a trained model has to beat.

:class:`RuleBasedExtractor` finds QUOTE, SPEAKER and CUE spans with a handful of readable rules (quotation marks,
cue verbs from :mod:`quotes.lexicon`, ``according to X``, ``X said (that) ...`` clauses and the noun phrase next
to the cue) and groups them with :func:`quotes.linking.link`, the same linker the model's spans go through, so
the two differ only in the spans they find. Deterministic and pure Python; every span scores 1.0.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import overload

from quotes.lexicon import COMMUNICATION_LEMMAS, lemma
from quotes.linking import LinkStats, link
from quotes.model_folder import check_settings
from quotes.schema import QuoteRecord, ScoredSpan
from quotes.text import QUOTE_MARKS, QUOTE_PAIRS, paragraphs, sentences

logger = logging.getLogger(__name__)

_WORD = re.compile(r"\w+(?:[’'\-]\w+)*")
_CLAUSE_BREAK = ",;:()[]–—" + QUOTE_MARKS  # a speaker noun phrase never runs across these
_TRAILING = " \t,;:–—"

_PRONOUNS = frozenset("he she they it we i you".split())
_DETERMINERS = frozenset(
    "the a an one another this these those his her their its our my your some several two three many".split()
)
# A cue verb right after one of these is a noun ("in posts on Telegram", "the claims").
_NOUN_CONTEXT = _DETERMINERS | frozenset("in on of for with from at about into to by".split())
# Auxiliaries, modals, negation and adverbs between a speaker and its cue ("he has also said").
_BETWEEN = frozenset(
    """has have had was is were are will would could can may might should must did does do also then later
    previously again repeatedly recently once today yesterday earlier now not never further publicly just already
    reportedly allegedly first last only angrily bluntly simply quickly""".split()
)
_CONJUNCTIONS = frozenset("and but so yet while as or then".split())
_PASSIVE = frozenset("was were is are been being be".split())
# Lexicon verbs too ambiguous to start a clause on their own ("given", "called", "in order to").
_AMBIGUOUS = frozenset(
    "give call order point question signal text email broadcast address charge echo express welcome thank estimate "
    "message publish cite quote talk speak".split()
)
# Verbs that take a reported clause without "that" ("Moscow said it had sent reserves").
_CLAUSE_VERBS = frozenset(
    """say claim insist warn add state report announce declare confirm deny reveal write post explain argue suggest
    stress admit confess note tweet allege assert acknowledge predict promise vow pledge""".split()
)


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    text: str

    @property
    def lower(self) -> str:
        return self.text.lower()


@dataclass
class _Candidate:
    """One record the rules found; ``rule`` orders candidates when their spans collide (lower wins)."""

    rule: int
    contents: list[tuple[int, int]]
    cue: tuple[int, int] | None = None
    source: tuple[int, int] | None = None


class RuleBasedExtractor:
    """Find quotes with rules; the baseline that evaluation reports put next to the model.

    Rules, in the order they claim text (a later rule never overlaps an earlier one's spans):

    1. **Direct quotes**: text between matching quotation marks (``‘’ “” «» "" ''``) in one paragraph. A mark
       between two letters (``Russia’s``, ``don’t``) is an apostrophe. A quote counts when a cue verb is next to it
       (``,’ posted Dmitry Rogozin``, ``,’ he said``, ``Kotenok posted: ‘...’``, ``’, according to X``).
    2. **according to X**: the rest of the sentence is the content (split in two around a mid-sentence
       ``according to X,``), ``X`` (up to the next punctuation) the source.
    3. **..., X said.**: a sentence ending in a short ``speaker cue`` clause; the content is what precedes the comma.
    4. **X said (that) ...**: a cue verb followed by ``that``, or a verb of saying followed by a clause, takes the
       rest of the sentence (less the final full stop) as content; a passive (``was told``) has no source unless a
       ``by`` phrase names one.
    5. **Continuations**: a quotation of ``min_quote_words`` or more that opens its sentence, with no cue; the
       linker attaches it to the quote it continues.

    The source is the noun phrase next to the cue: the words from the last clause break up to the cue when they
    are few (``Official Russian social media accounts``), else the capitalised run or pronoun just before it;
    after an appositive (``Valery Gerasimov, the Chief of ..., confessed``) the name before the commas; after an
    inverted cue, the name or pronoun that follows it (``posted Dmitry Rogozin``).

    >>> extractor = RuleBasedExtractor()
    >>> record = extractor.predict("‘Nuclear blackmail,’ posted Dmitry Rogozin, a senator.")[0]
    >>> record.contents[0].text, record.sources[0].text, record.cue.text
    ('‘Nuclear blackmail,’', 'Dmitry Rogozin', 'posted')
    """

    def __init__(self, *, min_quote_words: int = 3, max_speaker_words: int = 6):
        self.min_quote_words = min_quote_words  # words in an unattributed quotation for it to count (rule 5)
        self.max_speaker_words = max_speaker_words  # longest clause taken whole as a source noun phrase

    @overload
    def predict(self, texts: str, batch_size: int = ..., *, min_score: float | None = ...) -> list[QuoteRecord]: ...

    @overload
    def predict(
        self, texts: Sequence[str], batch_size: int = ..., *, min_score: float | None = ...
    ) -> list[list[QuoteRecord]]: ...

    def predict(
        self, texts: str | Sequence[str], batch_size: int = 16, *, min_score: float | None = None
    ) -> list[QuoteRecord] | list[list[QuoteRecord]]:
        """Quote records of one text (a ``str``) or of each text of a list, as :meth:`QuoteExtractor.predict`.

        ``batch_size`` is accepted and unused; ``min_score`` drops records scored below it, as the model's does.
        """
        check_settings(min_score=min_score)
        if isinstance(texts, str):
            return _at_least(link(texts, self.find_spans(texts)), min_score)
        if not isinstance(texts, Sequence) or not all(isinstance(t, str) for t in texts):
            raise TypeError(f"predict takes a str or a list of str, got {type(texts).__name__}")
        stats = LinkStats()
        records = [_at_least(link(text, self.find_spans(text), stats=stats), min_score) for text in texts]
        logger.debug("rules: %s", stats.summary())
        return records

    def find_spans(self, text: str) -> list[tuple[str, ScoredSpan]]:
        """The non-overlapping ``(kind, span)`` pairs the rules find, sorted by position, before linking."""
        sentence_ranges = sentences(text)
        paragraph_ranges = paragraphs(text)
        quoted = []
        for index, (start, end) in enumerate(paragraph_ranges):
            # A quote running on into the next paragraph leaves this one open; the next opens with a mark again.
            runs_on = index + 1 < len(paragraph_ranges) and text[paragraph_ranges[index + 1][0]] in QUOTE_PAIRS
            quoted += _quotations(text, start, end, runs_on=runs_on)
        candidates: list[_Candidate] = []
        for start, end in quoted:
            candidate = self._direct(text, start, end, _sentence_of(sentence_ranges, start, end))
            if candidate is not None:
                candidates.append(candidate)
        for start, end in sentence_ranges:
            words = _words(text, start, end)
            candidates += self._according_to(text, words, start, end)
            candidates += self._reverse(text, words, start, end)
            candidates += self._forward(text, words, end)
        return _resolve(text, candidates)

    # ----------------------------------------------------------------------------------------------------------
    # Rules
    # ----------------------------------------------------------------------------------------------------------

    def _direct(self, text: str, start: int, end: int, sentence: tuple[int, int]) -> _Candidate | None:
        """Rules 1 and 5 for the quotation ``text[start:end]``."""
        after = _words(text, end, sentence[1])
        gap = text[end : after[0].start] if after else ""
        if after and gap.strip(" ,") == "":
            if after[0].lower == "according" and len(after) > 1 and after[1].lower == "to":
                source = _phrase_after(text, after[1].end, sentence[1], 8)
                return _Candidate(1, [(start, end)], (after[0].start, after[1].end), source)
            if _is_cue(after, 0):
                return _Candidate(1, [(start, end)], _span(after[0]), self._after_cue(text, after[0].end, sentence[1]))
            for k in range(1, min(len(after), self.max_speaker_words + 1)):
                if _is_cue(after, k) and not _has_break(text, after[0].start, after[k].start):
                    speaker = _strip_between(after[:k])
                    source = (speaker[0].start, speaker[-1].end) if speaker and _plausible(speaker[0]) else None
                    if speaker and _is_passive(after, k):
                        source = None
                    return _Candidate(1, [(start, end)], _span(after[k]), source)
        before = _words(text, sentence[0], start)
        tail = text[before[-1].end : start] if before else ""
        if before and tail.strip() in ("", ":", ","):
            for k in range(len(before) - 1, max(-1, len(before) - 5), -1):
                if _has_break(text, before[k].end, before[-1].end):
                    break
                # Words between cue and quote ("told reporters: '...'") need the colon; without it they are more
                # likely an indirect clause ending in a scare quote ("insisted the situation was 'controllable'").
                if _is_cue(before, k) and (k == len(before) - 1 or tail.strip()):
                    source = None if _is_passive(before, k) else self._subject(text, before, k, sentence[0])
                    return _Candidate(1, [(start, end)], _span(before[k]), source)
        opens_sentence = text[sentence[0] : start].strip() == ""
        if opens_sentence and len(_words(text, start, end)) >= self.min_quote_words:
            return _Candidate(5, [(start, end)])
        return None

    def _according_to(self, text: str, words: list[_Word], start: int, end: int) -> list[_Candidate]:
        """Rule 2."""
        found = []
        for i in range(len(words) - 1):
            if words[i].lower != "according" or words[i + 1].lower != "to":
                continue
            source = _phrase_after(text, words[i + 1].end, end, 8)
            if source is None:
                continue
            contents = []
            head = text[start : words[i].start].rstrip(_TRAILING)
            if head:
                contents.append((start, start + len(head)))
            rest = text[source[1] : end]
            if rest.startswith(",") and _WORD.search(rest):
                tail_start = source[1] + len(rest) - len(rest[1:].lstrip())
                contents.append((tail_start, _content_end(text, tail_start, end)))
            if contents:
                found.append(_Candidate(2, contents, (words[i].start, words[i + 1].end), source))
        return found

    def _reverse(self, text: str, words: list[_Word], start: int, end: int) -> list[_Candidate]:
        """Rule 3: ``<content>, <speaker> <cue> [two more words].``"""
        comma = text.rfind(",", start, end)
        if comma < 0:
            return []
        tail = [w for w in words if w.start > comma]
        for k in range(1, min(len(tail), self.max_speaker_words + 1)):
            if _is_cue(tail, k) and len(tail) - k - 1 <= 2 and not _has_break(text, comma + 1, tail[-1].end):
                speaker = _strip_between(tail[:k])
                if not speaker or not _plausible(speaker[0]) or _is_passive(tail, k):
                    return []
                head_end = start + len(text[start:comma].rstrip(_TRAILING))
                if len(_words(text, start, head_end)) < 3:
                    return []
                return [_Candidate(3, [(start, head_end)], _span(tail[k]), (speaker[0].start, speaker[-1].end))]
        return []

    def _forward(self, text: str, words: list[_Word], end: int) -> list[_Candidate]:
        """Rule 4: ``<speaker> <cue> [that] <content to the end of the sentence>``."""
        found = []
        sentence_start = words[0].start if words else end
        for i, word in enumerate(words):
            if not _is_cue(words, i) or i + 1 >= len(words):
                continue
            passive = _is_passive(words, i)
            source = None
            content_from = i + 1
            if passive and words[i + 1].lower == "by":
                that = next((j for j in range(i + 2, min(len(words), i + 14)) if words[j].lower == "that"), None)
                if that is None or _has_break(text, words[i + 1].end, words[that].start):
                    continue
                source = (words[i + 2].start, words[that - 1].end) if that > i + 2 else None
                content_from = that
            else:
                that = next((j for j in range(i + 1, min(len(words), i + 6)) if words[j].lower == "that"), None)
                if that is not None and not _has_break(text, word.end, words[that].start):
                    content_from = that
                elif word.lower.endswith("ing") or lemma(word.lower) not in _CLAUSE_VERBS:
                    continue
                elif text[word.end : words[i + 1].start].strip():  # "said: '...'" is rule 1's
                    continue
                if not passive:
                    source = self._subject(text, words, i, sentence_start)
            content_start = words[content_from].start
            content_end = _content_end(text, content_start, end)
            if len(_words(text, content_start, content_end)) >= 2:
                found.append(_Candidate(4, [(content_start, content_end)], _span(word), source))
        return found

    # ----------------------------------------------------------------------------------------------------------
    # Sources
    # ----------------------------------------------------------------------------------------------------------

    def _subject(self, text: str, words: list[_Word], cue: int, limit: int) -> tuple[int, int] | None:
        """The source noun phrase before ``words[cue]``, not reaching before ``limit``."""
        boundary = _last_break(text, limit, words[cue].start)
        chunk = _strip_between([w for w in words[:cue] if w.start >= boundary])
        while chunk and chunk[0].lower in _CONJUNCTIONS:
            chunk.pop(0)
        if not chunk:
            # "Valery Gerasimov, the Chief of ..., confessed": skip the appositive, keep the name before it; with no
            # name there ("..., the acting governor of the region, insisted") the phrase between commas is the source.
            if boundary <= limit or text[boundary - 1] not in ",)–—":
                return None
            appositive_start = _last_break(text, limit, boundary - 1)
            if appositive_start <= limit:
                return None
            name_start = _last_break(text, limit, appositive_start - 1)
            name = [w for w in words if name_start <= w.start and w.end < appositive_start]
            if 0 < len(name) <= 4 and all(w.text[0].isupper() for w in name):
                return name[0].start, name[-1].end
            phrase = [w for w in words if appositive_start <= w.start and w.end < boundary]
            if 0 < len(phrase) <= self.max_speaker_words + 2 and _plausible(phrase[0]):
                return phrase[0].start, phrase[-1].end
            return None
        if len(chunk) <= self.max_speaker_words and _plausible(chunk[0]):
            return chunk[0].start, chunk[-1].end
        if chunk[-1].lower in _PRONOUNS:
            return _span(chunk[-1])
        run = []
        for w in reversed(chunk):
            if not w.text[0].isupper():
                break
            run.insert(0, w)
        return (run[0].start, run[-1].end) if run else None

    def _after_cue(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """The source after an inverted cue: a pronoun, a capitalised name, or a short determiner phrase."""
        words = _words(text, start, end)
        if not words or _has_break(text, start, words[0].start):
            return None
        if words[0].lower in _PRONOUNS:
            return _span(words[0])
        if words[0].lower in _DETERMINERS:
            return _phrase_after(text, start, end, self.max_speaker_words)
        run = []
        for w in words:
            if not w.text[0].isupper() or (run and _has_break(text, run[-1].end, w.start)):
                break
            run.append(w)
        return (run[0].start, run[-1].end) if run else None


# --------------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------------


def _quotations(text: str, start: int, end: int, *, runs_on: bool = False) -> list[tuple[int, int]]:
    """``(start, end)`` of each outermost quotation in the paragraph ``text[start:end]``, both marks included.

    With ``runs_on``, a last quotation that never closes runs to the end of the paragraph.
    """
    found = []
    i = start
    while i < end:
        closers = QUOTE_PAIRS.get(text[i])
        if closers is None or not _can_open(text, i, start):
            i += 1
            continue
        j = i + 1
        while j < end and not (text[j] in closers and _can_close(text, j, end)):
            j += 1
        if j < end and _WORD.search(text, i + 1, j):
            found.append((i, j + 1))
            i = j + 1
        elif j == end and runs_on and _WORD.search(text, i + 1, end):
            found.append((i, end))
            break
        else:
            i += 1
    return found


def _can_open(text: str, i: int, start: int) -> bool:
    before = text[i - 1] if i > start else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in "([{—–-/:" or before in QUOTE_MARKS) and not after.isspace()


def _can_close(text: str, i: int, end: int) -> bool:
    before = text[i - 1]
    after = text[i + 1] if i + 1 < end else " "
    return not before.isspace() and not after.isalnum()  # "Russia’s", "don’t": an apostrophe


def _sentence_of(sentences: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The extent of the sentences that ``[start, end)`` touches (a quotation may hold several)."""
    touching = [s for s in sentences if s[0] < end and start < s[1]]
    return (touching[0][0], touching[-1][1]) if touching else (start, end)


def _words(text: str, start: int, end: int) -> list[_Word]:
    return [_Word(m.start(), m.end(), m.group()) for m in _WORD.finditer(text, start, end)]


def _span(word: _Word) -> tuple[int, int]:
    return word.start, word.end


def _is_cue(words: list[_Word], i: int) -> bool:
    """Whether ``words[i]`` is an inflected communication verb (``said``, ``posted``) used as a verb."""
    word = words[i].text
    if word != word.lower():
        return False
    base = lemma(word)
    if base not in COMMUNICATION_LEMMAS or base in _AMBIGUOUS or word == base:
        return False
    previous = words[i - 1].lower if i > 0 else ""
    return previous not in _NOUN_CONTEXT and not previous.endswith(("’s", "'s"))


def _is_passive(words: list[_Word], i: int) -> bool:
    return i > 0 and words[i - 1].lower in _PASSIVE


def _plausible(first: _Word) -> bool:
    """Whether a noun phrase starting with ``first`` can name a speaker."""
    return first.text[0].isupper() or first.lower in _PRONOUNS or first.lower in _DETERMINERS


def _strip_between(words: list[_Word]) -> list[_Word]:
    words = list(words)
    while words and words[-1].lower in _BETWEEN:
        words.pop()
    return words


def _is_break(text: str, i: int) -> bool:
    """Whether ``text[i]`` ends a clause: punctuation or a quotation mark, not an apostrophe (``Russia’s``)."""
    char = text[i]
    if char in "’'" and 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum():
        return False
    return char in _CLAUSE_BREAK or char in ".!?"


def _has_break(text: str, start: int, end: int) -> bool:
    return any(_is_break(text, i) for i in range(start, end))


def _last_break(text: str, limit: int, end: int) -> int:
    """The offset just after the last clause break in ``text[limit:end]`` (full stops aside), or ``limit``."""
    for i in range(end - 1, limit - 1, -1):
        if text[i] not in ".!?" and _is_break(text, i):
            return i + 1
    return limit


def _phrase_after(text: str, start: int, end: int, max_words: int) -> tuple[int, int] | None:
    """The words after ``start`` up to the next clause break or full stop, if there are 1 to ``max_words``."""
    stop = start
    while stop < end and not _is_break(text, stop):
        stop += 1
    words = _words(text, start, stop)
    if not 0 < len(words) <= max_words:
        return None
    return words[0].start, words[-1].end


def _content_end(text: str, start: int, end: int) -> int:
    """Where reported content from ``start`` stops: the sentence end, less a final full stop outside quotes."""
    stop = start + len(text[start:end].rstrip())
    while stop > start and text[stop - 1] in ".;:,":
        stop -= 1
    return stop


def _resolve(text: str, candidates: list[_Candidate]) -> list[tuple[str, ScoredSpan]]:
    """Keep candidates in rule order whose contents and cue collide with nothing kept; drop colliding sources.

    A source identical to a kept source is shared (two cues with one subject), not repeated.
    """
    taken: list[tuple[str, int, int]] = []

    def collides(start: int, end: int) -> bool:
        return any(s < end and start < e for _, s, e in taken)

    for candidate in sorted(candidates, key=lambda c: (c.rule, c.contents[0][0])):
        parts = [("QUOTE", s, e) for s, e in candidate.contents if s < e]
        if candidate.cue is not None:
            parts.append(("CUE", *candidate.cue))
        if not parts or any(collides(s, e) for _, s, e in parts):
            continue
        if candidate.source is not None and ("SPEAKER", *candidate.source) not in taken:
            source_start, source_end = candidate.source
            inside_own = any(s < source_end and source_start < e for _, s, e in parts)
            if not inside_own and not collides(source_start, source_end):
                parts.append(("SPEAKER", source_start, source_end))
        taken += parts
    ordered = sorted(taken, key=lambda part: part[1])
    return [(kind, ScoredSpan(start, end, text[start:end], 1.0)) for kind, start, end in ordered]


def _at_least(records: list[QuoteRecord], min_score: float | None) -> list[QuoteRecord]:
    """The records scored ``min_score`` or more (all of them when it is ``None`` or 0)."""
    return [r for r in records if r.score >= min_score] if min_score else records
