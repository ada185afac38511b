"""Who said it, by name: person-name mentions in the cased text, pronoun antecedents and speakers the tagger missed.

The encoder is uncased but the text is not, so names are found by their capitals: :func:`name_mentions` lists the
runs of capitalised words outside quoted content, less the titles and sentence-opening words before them
(``Russian President Vladimir Putin`` gives ``Vladimir Putin``), and marks the ones that cannot be a person
(``White House``, ``NASA``). :func:`antecedent` picks, for a ``he``/``she`` speaker, the nearest earlier mention
of a person, following a surname back to the full name it shortens (``Henderson`` -> ``Fritz Henderson``), and
returns that person's nearest earlier full-name mention, as the annotation guidelines ask. :func:`speaker_near_cue`
reads the plain subject of a cue that has no tagged speaker (``Obama has said``, ``'A,' said Obama``), also past an
appositive, ``went on to`` and ``can be heard``; :func:`passive_cue`, :func:`appositive_head` and
:func:`subject_after_cue` serve the linker's choice among tagged speakers. The linker uses them in its rules 2, 7
and 8. Pure Python.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from quotes.lexicon import COMMUNICATION_LEMMAS, lemma
from quotes.text import OPENING_QUOTE_MARKS

PERSON_PRONOUNS = frozenset({"he", "she", "him", "her"})
"""Sources resolved to a person's full name. ``they``/``we``/``I`` name groups or the writer, never one person."""

_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*\.?")
_GAP = re.compile(r"[ \t\u00a0]+")  # words of one name are separated by spaces only (no comma, no line break)
_PARTICLES = frozenset("von van der den de del della da di du le la bin ibn al el ben dos das".split())
# Each particle as _WORD may match it: with a full stop, a possessive or both ("de", "de.", "de's", "de’s.").
_PARTICLE_FORMS = frozenset(p + s + f for p in _PARTICLES for s in ("", "'s", "’s") for f in ("", "."))
# Capitalised words that open a sentence or a clause, and dates: never part of a name.
_BREAKS = frozenset(
    """the a an and but or nor so yet in on at by for from with without of to into onto after before when while if
    as this that these those his her their its our my your he she they we i it you there here earlier later today
    tonight yesterday tomorrow meanwhile however also then now still even just only once one another some both all
    every each many most several last next during since under over through according speaking asked despite
    although though because unless until where what who whom whose why how which not no yes instead indeed
    monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
    september october november december""".split()
)
# Titles and roles: the name is what follows them ("President Vladimir Putin", "Ukraine’s governor ...").
_TITLES = frozenset(
    """former ex acting mr mrs ms mx miss dr doctor prof professor sir dame lord lady king queen prince princess pope
    father rev reverend bishop archbishop cardinal sheikh general gen lieutenant lt colonel col major maj captain
    capt sergeant sgt corporal private admiral adm marshal field commander cmdr brigadier president vice prime
    minister premier chancellor governor gov mayor senator sen representative rep congressman congresswoman
    secretary chairman chairwoman chair chief director ambassador judge justice spokesman spokeswoman
    spokesperson deputy foreign defence defense interior health finance home state ceo cfo coo cto founder leader
    head manager coach officer official attorney detective inspector agent sheriff senior junior republican
    democrat democratic""".split()
)
# A run holding one of these names a place, an organisation or a thing, not a person.
_NOT_PERSON = frozenset(
    """house office ministry department agency council committee commission parliament congress senate assembly
    party union states kingdom republic federation nations forces force army navy guard police court university
    college institute school academy company corporation corp inc ltd llc group bank fund foundation association
    society church hospital center centre station program programme project network news times post journal
    press media agency airlines airways motors street avenue road square bridge city county region district
    oblast province state island islands river sea ocean mountains airport hotel club team league cup games
    museum library service services authority organization organisation international national federal
    government administration embassy white red cross space world global plant power nuclear""".split()
)


@dataclass(frozen=True)
class Mention:
    """A run of capitalised words: ``words`` its name words; ``person`` when it can name a person."""

    start: int
    end: int
    text: str
    words: tuple[str, ...]
    person: bool
    possessive: bool = False  # "Putin’s deputy": a possessor, seldom the one a later pronoun means

    @cached_property  # asked of every mention for every pronoun: computed once
    def full(self) -> bool:
        """A first and a last name (two or more capitalised words)."""
        return self.person and sum(word[0].isupper() for word in self.words) >= 2


def name_mentions(text: str, skip: Sequence[tuple[int, int]] = ()) -> list[Mention]:
    """The name mentions of ``text`` in order, leaving out any inside the sorted, disjoint ``skip`` ranges.

    >>> [(m.text, m.full) for m in name_mentions("President Vladimir Putin met NASA. Later Putin left.")]
    [('Vladimir Putin', True), ('NASA', False), ('Putin', False)]
    """
    skip_starts = [start for start, _ in skip]
    mentions = []
    run: list[tuple[int, int, str]] = []

    def close(possessive: bool = False) -> None:
        if run:
            mentions.extend(_mentions_of_run(text, run, possessive))
            run.clear()

    for match in _WORD.finditer(text):
        word = match.group()
        if not word[0].isupper() and word not in _PARTICLE_FORMS:
            # Neither a name word nor a particle: it ends an open run, as does the gap over it, which holds more
            # than spaces when the next name word comes (most words of a text: skipped here, at little cost).
            continue
        start, end = match.span()
        inside = bisect_right(skip_starts, start) - 1
        if inside >= 0 and start < skip[inside][1]:
            if run:
                close()
            continue
        full_stop = word.endswith(".") and not _is_initial(word)
        if full_stop:
            word, end = word[:-1], end - 1
        possessive = word[-2:] in ("'s", "’s")
        if possessive:
            word, end = word[:-2], end - 2
        capitalised = word[:1].isupper()
        if run and not _GAP.fullmatch(text, run[-1][1], start):
            close()
        if capitalised or (run and word in _PARTICLES):
            run.append((start, end, word))
        elif run:
            close()
        if possessive and run:
            close(possessive=True)
        elif run and (full_stop or not (capitalised or word in _PARTICLES)):
            close()
    close()
    return mentions


def antecedent(mentions: Sequence[Mention], before: int) -> Mention | None:
    """The full-name mention that a person pronoun refers to, looking only at mentions ending before ``before``.

    The nearest person mention wins, possessors (``Putin’s deputy``) only when no other person is named; a surname
    (``Henderson``) stands for the nearest earlier full name that ends with it (or starts with it, for ``Xi`` of
    ``Xi Jinping``). Returns that person's nearest full-name mention before ``before``, or None when no person is
    named. (Preferring the previous quote's speaker instead was measured and lost: 19 vs 21 of 23 on the seed
    articles, where an untagged name between two quotes is often the next speaker.)
    """
    nearest_first = [m for m in reversed(mentions) if m.end <= before and m.person]
    for mention in [m for m in nearest_first if not m.possessive] + [m for m in nearest_first if m.possessive]:
        person = _full_name_of(mentions, mention)
        if person is not None:
            return _nearest_full(mentions, person, before)
    return None


def _full_name_of(mentions: Sequence[Mention], mention: Mention) -> Mention | None:
    """The mention itself when it is a full name, else the nearest earlier full name sharing its surname."""
    if mention.full:
        return mention
    if len(mention.words) != 1:
        return None
    word = mention.words[0]
    earlier = [m for m in mentions if m.end <= mention.start and m.full]
    for position in (-1, 0):  # "Henderson" shortens "Fritz Henderson"; "Xi" shortens "Xi Jinping"
        for candidate in reversed(earlier):
            if candidate.words[position] == word:
                return candidate
    return None


def _nearest_full(mentions: Sequence[Mention], person: Mention, limit: int) -> Mention:
    """The last full-name mention of the same name as ``person`` that ends before ``limit``."""
    same = [m for m in mentions if m.full and m.words == person.words and m.end <= limit]
    return same[-1] if same else person


def _mentions_of_run(text: str, run: list[tuple[int, int, str]], possessive: bool) -> list[Mention]:
    """Split a run of capitalised words at breaks and titles into mentions."""
    pieces: list[list[tuple[int, int, str]]] = [[]]
    for word in run:
        key = word[2].rstrip(".").lower()
        if key in _BREAKS or key in _TITLES:
            pieces.append([])
        else:
            pieces[-1].append(word)
    mentions = []
    for piece in pieces:
        while piece and piece[-1][2] in _PARTICLES:
            piece.pop()
        while piece and piece[0][2] in _PARTICLES:
            piece.pop(0)
        if not piece:
            continue
        words = tuple(word[2] for word in piece)
        # An acronym (NASA, BBC) is an organisation; an initial (W.) is part of a name.
        person = not any(w.lower() in _NOT_PERSON or (len(w.rstrip(".")) > 1 and w.isupper()) for w in words)
        start, end = piece[0][0], piece[-1][1]
        mentions.append(Mention(start, end, text[start:end], words, person, possessive and piece is pieces[-1]))
    return mentions


def _is_initial(word: str) -> bool:
    """``J.`` or ``U.S.``: full stops that belong to the word."""
    return re.fullmatch(r"(?:[^\W\d_]\.)+", word) is not None


# --------------------------------------------------------------------------------------------------------------
# Speakers the tagger missed
# --------------------------------------------------------------------------------------------------------------

# "it" is left out: before a cue it is mostly expletive ("it appeared that", "it is said").
SUBJECT_PRONOUNS = frozenset({"he", "she", "they", "we", "i"})
# Between a subject and its cue ("Obama has also said"); a passive auxiliary right before the cue means no subject.
_BETWEEN = frozenset(
    """has have had will would could can may might should must did does do also then later previously again
    repeatedly recently once today yesterday earlier now not never further publicly just already reportedly
    allegedly first last only angrily bluntly simply quickly""".split()
)
_PASSIVE = frozenset("was were is are been being be".split())
# Adverbs that may stand between a passive auxiliary and its participle ("was also told", "is reportedly asked").
_ADVERBS = frozenset(
    """also then later previously again repeatedly recently once today yesterday earlier now not never further
    publicly just already reportedly allegedly first last only reportedly""".split()
)
# Participles after which the passive subject is still the speaker ("X was quoted as saying").
_SPEAKER_PASSIVES = frozenset({"quoted", "heard", "seen", "filmed", "recorded", "caught", "shown", "overheard"})
# "can be heard asking", "was seen telling": the subject of the perception passive is the one speaking.
_PERCEIVED = frozenset({"heard", "seen", "filmed", "recorded", "caught", "shown", "overheard"})
# "goes on to add", "went on to accuse", "continued to insist": the subject of the first verb speaks.
_CHAIN_VERBS = frozenset(
    """go goes went gone going continue continues continued continuing begin begins began begun proceed proceeds
    proceeded""".split()
)


def passive_cue(text: str, cue: tuple[int, int], limit: int = 0) -> bool:
    """Whether the cue is a passive participle (``was told``, ``has been asked``): its subject is the addressee.

    The guidelines give a passive cue no source before it (``He was asked: '...'``); a speaker after ``by`` is
    still its source. A cue in ``-ing`` (``was saying``) or one whose passive subject speaks (``was quoted as
    saying``, ``was heard``) is not passive here.

    >>> text = "Putin was also told that the troops crossed."
    >>> passive_cue(text, (15, 19)), passive_cue("He was saying it.", (7, 13))
    (True, False)
    """
    first = text[cue[0] : cue[1]].split()[0].lower()
    limit = max(limit, cue[0] - 200)  # a few words back is enough; the regex search is linear in the window
    if first.endswith("ing") or first in _SPEAKER_PASSIVES or lemma(first) == first:
        return False
    end = cue[0]
    while True:
        match = _PREVIOUS_WORD.search(text, limit, end)
        if match is None or "\n" in match.group(2):
            return False
        word = match.group(1).lower()
        if word in _PASSIVE:
            return True
        if word not in _ADVERBS:
            return False
        end = match.start()


_PREVIOUS_WORD = re.compile(r"(\S+)(\s*)$")
_NEXT_WORD = re.compile(r"(\s*)([^\W\d_]+(?:['’\-][^\W\d_]+)*)")


def speaker_near_cue(
    text: str,
    cue: tuple[int, int],
    sentence: tuple[int, int],
    mentions: Sequence[Mention],
    *,
    inverted: bool,
    known_names: frozenset[str] = frozenset(),
) -> tuple[int, int] | None:
    """Where the subject of a cue with no tagged speaker is, read from the text; None when it is not plain.

    Before the cue (``Obama has said``, ``he told``): a name mention or a subject pronoun, with only auxiliaries and
    adverbs in between, and no passive (``was told``); before an inflected verb of saying also a short determiner
    phrase (``the committee says``, ``Supporters of the blackout claim``). After it (``'A,' said Obama.``,
    ``according to NASA``): a name or a pronoun right after the cue, followed by punctuation; tried first when the
    cue is ``inverted`` (its content comes before it). A one-word name opening the sentence counts only if it is in
    ``known_names`` (names also seen capitalised mid-sentence), since any word is capitalised there
    (``Officials said``).
    """
    last = text[cue[0] : cue[1]].split()[-1].lower()
    # "said", "claims"; a base form ("claim") only after a plural subject ("Supporters ... claim"), never "advice".
    verb_cue = "inflected" if lemma(last) != last else "base"
    # A participle modifies the noun before it ("a statement condemning"), which is not its subject.
    verb_cue = verb_cue if lemma(last) in COMMUNICATION_LEMMAS and not last.endswith("ing") else None
    before = _subject_before(text, cue[0], sentence[0], mentions, known_names, verb_cue)
    after = _subject_after(text, cue[1], sentence[1], mentions)
    first, second = (after, before) if inverted else (before, after)
    return first if first is not None else second


def _subject_before(
    text: str,
    cue_start: int,
    limit: int,
    mentions: Sequence[Mention],
    known_names: frozenset[str],
    verb_cue: str | None,
) -> tuple[int, int] | None:
    end = cue_start
    cue_word = text[cue_start:].split(maxsplit=1)[0].lower()
    chained = perceived = False
    while True:
        match = _PREVIOUS_WORD.search(text, limit, end)
        if match is None or (match.group(2) == "" and end != cue_start):
            return None
        word = match.group(1)
        lower = word.lower()
        if lower in _PERCEIVED and cue_word.endswith("ing") and not perceived:
            perceived = True  # "a frustrated Putin can be heard asking": skip "heard", then "be"
        elif lower in _PASSIVE and perceived:
            pass
        elif lower in _PASSIVE:
            return None
        elif lower == "to" and end == cue_start:
            chain = _chain_before(text, match.start(), limit)
            if chain is None:
                return None
            chained, end = True, chain
            continue
        elif lower not in _BETWEEN:
            break
        end = match.start()
    if word.lower() == "and":
        # "The summary documented A and suggested B": the subject of the first of two coordinated verbs
        return _coordinated_subject(text, match.start(1), limit, mentions, known_names, cue_word)
    if chained:
        verb_cue = "inflected"  # "The article went on to accuse": the chain verb agrees, not the cue
    if word.endswith(",") and word[:-1] and _NAME_WORD_ONLY.fullmatch(word[:-1]):
        return _before_appositive(text, match.start(1), limit, mentions)
    if not _NAME_WORD_ONLY.fullmatch(word):
        return None  # punctuation before the cue: a clause ends there
    if word.lower() in SUBJECT_PRONOUNS:
        return match.start(1), match.end(1)
    mention = next((m for m in reversed(mentions) if m.end == match.end(1)), None)
    if mention is None:
        phrase = _noun_phrase_before(text, match.start(1), match.end(1), limit) if verb_cue else None
        if phrase is None or verb_cue == "inflected":
            return phrase
        words = text[phrase[0] : phrase[1]].lower().split()
        head = words[words.index("of") - 1] if "of" in words else words[-1]  # "Supporters of the blackout"
        return phrase if head.endswith("s") and not head.endswith("ss") else None
    if mention.possessive:
        return None
    start = _with_titles(text, mention, limit)
    opens_sentence = text[limit:start].strip(OPENING_QUOTE_MARKS + " ") == ""
    if opens_sentence and len(mention.words) == 1 and mention.words[0] not in known_names:
        return None
    return start, mention.end


def _coordinated_subject(
    text: str, and_start: int, limit: int, mentions: Sequence[Mention], known_names: frozenset[str], cue_word: str
) -> tuple[int, int] | None:
    """The subject that opens the sentence when its verb and the cue are joined by ``and`` and share an ending
    (``The summary documented A and suggested B``, ``Obama thanks them and says B``); None otherwise."""
    suffix = next((end for end in ("ed", "s") if cue_word.endswith(end) and not cue_word.endswith("ss")), None)
    if suffix is None:
        return None
    words = list(_WORD.finditer(text, limit, and_start))
    if not words or text[limit : words[0].start()].strip(OPENING_QUOTE_MARKS + " "):
        return None
    subjects = []
    mention = next((m for m in mentions if m.start == words[0].start()), None)
    if mention is not None and not mention.possessive and (len(mention.words) > 1 or mention.words[0] in known_names):
        subjects.append((mention.start, mention.end))
    elif words[0].group().lower() in ("the", "a", "an", "this", "these", "those"):
        subjects += [(words[0].start(), words[n].end()) for n in range(1, min(4, len(words)))]
    for start, end in subjects:
        rest = [w.group().lower() for w in words if w.start() >= end]
        while rest and rest[0] in _BETWEEN:
            rest.pop(0)
        if len(rest) > 1 and rest[0].endswith(suffix) and not rest[0].endswith("ss") and "," not in text[start:end]:
            return start, end
    return None


def plain_gap(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` holds only auxiliaries and adverbs (``has also``), as between a subject and its
    verb."""
    return all(word.lower() in _BETWEEN for word in text[start:end].split())


def _chain_before(text: str, to_start: int, limit: int) -> int | None:
    """Where the subject search goes on before ``goes on to`` / ``continued to`` (the ``to`` starts at
    ``to_start``), or None when the ``to`` follows anything else (``in order to``, ``told reporters to``)."""
    match = _PREVIOUS_WORD.search(text, limit, to_start)
    if match is None or match.group(2) != " ":
        return None
    if match.group(1).lower() == "on":
        match = _PREVIOUS_WORD.search(text, limit, match.start())
        if match is None or match.group(2) != " ":
            return None
    if match.group(1).lower() not in _CHAIN_VERBS:
        return None
    return match.start()


# Between the two commas of an appositive ("the Chief of the General Staff", "iReport", "who ..."): no clause
# punctuation and no quotation mark.
_APPOSITIVE = re.compile(r",\s+([^,;:.!?\"“”‘\n]{1,120}),\s*$")
_HEAD_LIMIT = 15  # words


def _before_appositive(text: str, comma_word_start: int, limit: int, mentions: Sequence[Mention]):
    """``Valery Gerasimov, the Chief of the General Staff, confessed``: the subject before something set off by
    commas, or None. ``comma_word_start`` is where the word ending with the second comma starts."""
    end = text.index(",", comma_word_start) + 1
    match = _APPOSITIVE.search(text, limit, end)
    if match is None or len(match.group(1).split()) > _HEAD_LIMIT:
        return None
    return appositive_head(text, match.start(), limit, mentions)


def appositive_head(text: str, comma: int, limit: int, mentions: Sequence[Mention]) -> tuple[int, int] | None:
    """The noun phrase that ends at ``comma``, where an appositive starts; the guidelines make it the source.

    A name (``Valery Gerasimov, the Chief ..., confessed``, with its titles) or a determiner phrase that opens its
    clause (``One month ago, an article on CNN's citizen journalism wing, iReport, also accused``); None otherwise.

    >>> text = "On Monday, the president of the club, John Smith, said it."
    >>> start, end = appositive_head(text, text.index(", John"), 0, name_mentions(text))
    >>> text[start:end]
    'the president of the club'
    """
    mention = next((m for m in reversed(mentions) if m.end == comma), None)
    if mention is not None and not mention.possessive and mention.start >= limit:
        start = _with_titles(text, mention, limit)
        previous = _PREVIOUS_WORD.search(text, limit, start)
        # "in Washington, Marc Morial, the chief ..., told": a place, not the subject; the clause may still open
        # with one ("the President of the Church in New York City, John Carmichael, accused")
        if not (previous and previous.group(1).lower() in _PREPOSITIONS):
            return start, mention.end
    clause = max(text.rfind(",", limit, comma) + 1, limit)
    words = list(_WORD.finditer(text, clause, comma))
    if not words or len(words) > _HEAD_LIMIT or text[clause : words[0].start()].strip(OPENING_QUOTE_MARKS + " "):
        return None
    if words[0].group().lower() not in _DETERMINERS - {"one"} or any(
        lemma(w.group().lower()) in COMMUNICATION_LEMMAS for w in words
    ):
        return None
    return words[0].start(), words[-1].end()


def subject_after_cue(text: str, cue_end: int, limit: int, mentions: Sequence[Mention]) -> tuple[int, int] | None:
    """The plain subject right after an inverted cue (``'A,' said the Church in a release``), or None."""
    return _subject_after(text, cue_end, limit, mentions)


def _subject_after(text: str, cue_end: int, limit: int, mentions: Sequence[Mention]) -> tuple[int, int] | None:
    match = _NEXT_WORD.match(text, cue_end, limit)
    if match is None or not match.group(1) or "\n" in match.group(1):
        return None
    start = match.start(2)
    if match.group(2).lower() in SUBJECT_PRONOUNS and match.group(2) != "I":
        end = match.end(2)
    else:
        mention = next((m for m in mentions if m.start >= start), None)
        leading = text[start : mention.start].split() if mention is not None else []
        if leading and leading[0].lower() == "the":
            leading = leading[1:]  # "said the Church"
        if mention is None or mention.possessive or not all(w.lower() in _TITLES for w in leading):
            return None
        end = mention.end
    following = text[end : end + 1]
    if following == "" or end >= limit or following in ",.;:!?)":
        return start, end
    # "said Smith in a statement", "said the Church on Monday"
    after = _NEXT_WORD.match(text, end, limit)
    return (start, end) if after and after.group(1) == " " and after.group(2) in _SETTINGS else None


_SETTINGS = frozenset("in on at during after before from via through".split())


def _with_titles(text: str, mention: Mention, limit: int) -> int:
    """The start of ``mention`` with the capitalised words and titles right before it (``President Obama``)."""
    start = mention.start
    while True:
        match = _PREVIOUS_WORD.search(text, limit, start)
        if match is None or match.group(2) != " " or not _NAME_WORD_ONLY.fullmatch(match.group(1)):
            return start
        word = match.group(1)
        if word.lower() in _BREAKS or not (word[0].isupper() or word.lower() in _TITLES):
            return start
        start = match.start(1)


_NAME_WORD_ONLY = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")


_DETERMINERS = frozenset("the a an this these those its his her their our one another some several many".split())
_PREPOSITIONS = frozenset("in on at to for with from by about into against during after before over under".split())
_NOT_HEADS = _DETERMINERS | frozenset("and or but nor who whom which that to not".split())  # never end a subject


def _noun_phrase_before(text: str, start: int, end: int, limit: int) -> tuple[int, int] | None:
    """``the committee``, ``Supporters of the blackout``: a short determiner phrase ending at ``end``, or None.

    Up to four plain words back to a determiner, then over ``of`` to one more word; a determiner that follows a
    preposition (``officials in the capital``) heads no subject.
    """
    if text[start:end].lower() in _NOT_HEADS:
        return None
    words = [(start, end)]
    while len(words) <= 4:
        first = text[words[0][0] : words[0][1]].lower()
        if first in _DETERMINERS:
            break
        match = _PREVIOUS_WORD.search(text, limit, words[0][0])
        if match is None or match.group(2) != " " or not _NAME_WORD_ONLY.fullmatch(match.group(1)):
            return None
        if match.group(1).lower() in _BETWEEN | _PASSIVE | _PREPOSITIONS | SUBJECT_PRONOUNS | {"of", "that", "which"}:
            return None
        words.insert(0, (match.start(1), match.end(1)))
    else:
        return None
    match = _PREVIOUS_WORD.search(text, limit, words[0][0])
    if match is not None and match.group(2) == " " and match.group(1).lower() in _PREPOSITIONS:
        return None
    if match is not None and match.group(2) == " " and match.group(1).lower() == "of":
        head = _PREVIOUS_WORD.search(text, limit, match.start(1))
        if head is None or head.group(2) != " " or not _NAME_WORD_ONLY.fullmatch(head.group(1)):
            return None
        return head.start(1), end
    return words[0][0], end
