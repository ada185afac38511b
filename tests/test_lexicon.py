"""Cue words: which cues name an act of communication (the spec's quotes) and which a belief (PolNeAR's extra)."""

from __future__ import annotations

import pytest

from quotes.lexicon import COMMUNICATION_LEMMAS, is_communication_cue, lemma


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("said", "say"),  # irregular forms are looked up
        ("told", "tell"),
        ("warned", "warn"),
        ("insisting", "insist"),
        ("slammed", "slam"),  # doubled consonant
        ("denies", "deny"),
        ("notes", "note"),  # the stem + "e" when that is a known verb
        ("Posted", "post"),  # case does not matter
    ],
)
def test_lemma_strips_english_verb_endings_to_a_known_verb(word, expected):
    assert lemma(word) == expected
    assert expected in COMMUNICATION_LEMMAS


def test_lemma_of_a_word_outside_the_lexicon_is_a_rough_stem_outside_it_too():
    assert lemma("hope") == "hope"  # no ending: the word itself
    assert lemma("hoped") == "hope"  # the last candidate stem (stem + "e")
    assert lemma("thinks") not in COMMUNICATION_LEMMAS


@pytest.mark.parametrize(
    "cue",
    ["said", "has repeatedly warned", "according to", "in a statement", "a flurry of warnings", ":", "—", "Tweeted"],
)
def test_acts_of_communication_are_cues(cue):
    assert is_communication_cue(cue)


@pytest.mark.parametrize("cue", ["thinks", "figures", "believes", "hoped", "felt"])
def test_beliefs_and_thoughts_are_not(cue):
    assert not is_communication_cue(cue)
