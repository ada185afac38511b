"""Tests for quotes.coreference: name mentions read from the cased text, and the antecedent of a pronoun."""

from __future__ import annotations

import pytest

from quotes.coreference import antecedent, name_mentions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Russian President Vladimir Putin spoke.", [("Russian", False), ("Vladimir Putin", True)], id="title-cut"
        ),
        pytest.param(
            "Ursula von der Leyen and George W. Bush met.",
            [("Ursula von der Leyen", True), ("George W. Bush", True)],
            id="particles-and-initials",
        ),
        pytest.param(
            "On Monday Fritz Henderson said", [("Fritz Henderson", True)], id="sentence-opening-words-and-dates"
        ),
        pytest.param("The White House and NASA replied.", [("White House", False), ("NASA", False)], id="not-persons"),
        pytest.param(
            "Putin’s deputy, Dmitry\nRogozin",
            [("Putin", False), ("Dmitry", False), ("Rogozin", False)],
            id="possessive-and-line-break",
        ),
    ],
)
def test_name_mentions_reads_capitalised_runs(text, expected):
    assert [(m.text, m.full) for m in name_mentions(text)] == expected


def test_name_mentions_skips_ranges():
    text = "Alexei Smirnov said ‘Vladimir Putin pledged support’."
    quote = (text.index("‘"), len(text) - 1)
    assert [m.text for m in name_mentions(text, [quote])] == ["Alexei Smirnov"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("He met Ludwig van Beethoven in la France.", ["Ludwig van Beethoven", "France"], id="particles"),
        pytest.param("Fighters of Osama bin Laden’s network", ["Fighters", "Osama bin Laden"], id="possessive"),
        pytest.param("said de Gaulle, and the son of de", ["Gaulle"], id="particle-opens-no-name"),
        pytest.param("Charles de. Gaulle", ["Charles", "Gaulle"], id="full-stop-after-particle"),
        pytest.param("Vladimir the Great Putin", ["Vladimir", "Great Putin"], id="lower-case-word-ends-a-name"),
    ],
)
def test_name_mentions_joins_names_over_particles_only(text, expected):
    assert [m.text for m in name_mentions(text)] == expected


def test_name_mentions_marks_possessors():
    [putin] = name_mentions("Vladimir Putin’s deputy")
    assert putin.text == "Vladimir Putin" and putin.possessive and putin.full


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Fritz Henderson arrived. Henderson spoke. He said", "Fritz Henderson", id="surname"),
        pytest.param("Xi Jinping arrived. Later Xi spoke. He said", "Xi Jinping", id="family-name-first"),
        pytest.param("Fritz Henderson arrived. Fritz Henderson spoke. He said", "Fritz Henderson", id="nearest-copy"),
        pytest.param("Henderson spoke. He said", None, id="no-full-name"),
        pytest.param("NASA spoke. He said", None, id="no-person"),
    ],
)
def test_antecedent_is_the_nearest_full_name_of_the_nearest_person(text, expected):
    mentions = name_mentions(text)
    found = antecedent(mentions, text.rindex("He"))
    assert (found.text if found else None) == expected
    if found is not None:  # the nearest copy of the full name before the pronoun
        assert found.start == text.rindex(expected, 0, text.rindex("He"))
