"""Cue words of communication acts, shared by the rule-based baseline and the PolNeAR label filter.

The spec counts only communicated content (said, wrote, posted, according to ...), while PolNeAR also marks
beliefs and thoughts (figures, thinks, hopes). :func:`is_communication_cue` tells the two apart by the cue's
lexical head, with a small suffix-stripping lemmatiser so ``says``, ``saying`` and ``said`` all match ``say``.
"""

from __future__ import annotations

import re

COMMUNICATION_LEMMAS: frozenset[str] = frozenset(
    """
    accuse acknowledge add address admit advise affirm agree allege allude announce answer argue ask assert assure
    blame blast boast brag call caution charge cite claim comment complain concede conclude confess confide confirm
    contend counter cry decry declare demand deny describe dismiss dispute echo emphasize emphasise estimate explain
    express give grumble highlight hint implore indicate inform insist instruct joke lament lash mention note
    notify object order outline pledge plead point post praise predict proclaim promise propose protest query
    question quip quote rage rail recall recount reiterate reject remark remind repeat reply report request respond
    retort reveal say scoff scream shout signal slam snap speak state stress suggest swear talk tell testify thank
    threaten tout tweet urge vow warn whisper write yell criticize criticise condemn applaud welcome
    mock rebuke publish broadcast message email text continue refer
    """.split()
)
"""Verbs (and nouns) whose act communicates content."""

REPORTING_LEMMAS: frozenset[str] = frozenset(
    """
    advocate characterise characterize contact debate defend denounce detail discuss document encourage label
    offer preface read reference refute
    """.split()
)
"""Verbs that report communicated content (``the email reads``, ``refutes the accuracy``, ``offered to pay``) but
too often mean something else to find quotes by themselves: :func:`is_communication_cue` keeps a cue the tagger
found with one of them, the rule baseline and speaker finding (which use :data:`COMMUNICATION_LEMMAS`) do not
look for them."""

COMMUNICATION_NOUNS: frozenset[str] = frozenset(
    """
    statement statements comment comments remark remarks warning warnings claim claims announcement
    announcements interview speech post posts tweet tweets message messages report reports letter words
    testimony account accounts allegation allegations assertion promise pledge memo release
    """.split()
)

_PHRASES = ("according to", "in a statement", "quoted as", "told reporters", "went on to")
_IRREGULAR = {
    "said": "say",
    "says": "say",
    "told": "tell",
    "wrote": "write",
    "written": "write",
    "spoke": "speak",
    "spoken": "speak",
    "gave": "give",
    "given": "give",
    "swore": "swear",
    "sworn": "swear",
    "replied": "reply",
    "replies": "reply",
    "cried": "cry",
    "cries": "cry",
    "testified": "testify",
    "notified": "notify",
    "queried": "query",
    "denied": "deny",
    "denies": "deny",
    "implied": "imply",
}
_WORD = re.compile(r"[a-z]+")


def lemma(word: str) -> str:
    """A rough lemma of an English verb form: ``warned`` -> ``warn``, ``insisting`` -> ``insist``."""
    word = word.lower()
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    candidates = [word]
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            stem = word[: -len(suffix)]
            candidates += [stem, stem + "e"]
            if len(stem) >= 2 and stem[-1] == stem[-2]:
                candidates.append(stem[:-1])  # "slammed" -> "slam"
            if suffix == "es" and stem.endswith("i"):
                candidates.append(stem[:-1] + "y")
    for known in (COMMUNICATION_LEMMAS, REPORTING_LEMMAS):  # a communication lemma first, as before the second set
        for candidate in candidates:
            if candidate in known:
                return candidate
    return candidates[-1] if len(candidates) > 1 else word


def is_communication_cue(cue_text: str) -> bool:
    """True when the cue names an act of communication (``said``, ``according to``, ``a flurry of warnings``).

    >>> is_communication_cue("reads"), is_communication_cue("fears")
    (True, False)
    """
    text = cue_text.lower()
    if not any(c.isalnum() for c in text):
        return True  # a bare ':' or dash introducing a quotation (headline style, as PolNeAR marks it)
    if any(phrase in text for phrase in _PHRASES):
        return True
    words = _WORD.findall(text)
    return any(
        lemma(w) in COMMUNICATION_LEMMAS or lemma(w) in REPORTING_LEMMAS or w in COMMUNICATION_NOUNS for w in words
    )
