"""Tests for quotes.text: the quotation-mark table and the sentence and paragraph splitters that the linker, the
baseline and (through their imports) the rest of the package share."""

from __future__ import annotations

import pytest

from quotes.baseline import RuleBasedExtractor
from quotes.linking import link
from quotes.schema import ScoredSpan
from quotes.text import (
    CLOSING_QUOTE_MARKS,
    OPENING_QUOTE_MARKS,
    QUOTE_MARKS,
    QUOTE_PAIRS,
    Layout,
    paragraphs,
    quotations,
    quote_role,
    sentences,
)

# --------------------------------------------------------------------------------------------------------------
# The quotation-mark table
# --------------------------------------------------------------------------------------------------------------


def test_quote_pairs_derive_the_opening_and_closing_marks():
    assert OPENING_QUOTE_MARKS == "".join(QUOTE_PAIRS)
    assert set(CLOSING_QUOTE_MARKS) == set("".join(QUOTE_PAIRS.values()))
    assert set(QUOTE_MARKS) == set(OPENING_QUOTE_MARKS) | set(CLOSING_QUOTE_MARKS)
    assert QUOTE_PAIRS["„"] == "“”" and QUOTE_PAIRS["‚"] == "‘’" and QUOTE_PAIRS["“"] == "”"


@pytest.mark.parametrize(
    ("text", "index", "role"),
    [
        pytest.param("He said ‘no’.", 8, 1, id="english-opens"),
        pytest.param("He said ‘no’.", 11, -1, id="english-closes"),
        pytest.param("Er sagte „nein“.", 9, 1, id="german-opens"),
        pytest.param("Er sagte „nein“.", 14, -1, id="german-closes"),
        pytest.param("Russia’s army", 6, 0, id="apostrophe"),
        pytest.param("the '90s", 4, 0, id="elided-year"),
        pytest.param("said:“We", 5, 1, id="opens-after-colon"),
    ],
)
def test_quote_role_reads_a_mark_by_its_neighbours(text, index, role):
    assert quote_role(text, index) == role


# --------------------------------------------------------------------------------------------------------------
# paragraphs and sentences
# --------------------------------------------------------------------------------------------------------------


def test_paragraphs_are_non_blank_lines_without_edge_whitespace():
    text = "  Title\n\n\tFirst paragraph. \r\nSecond\u2029Third\n   \n"
    assert [text[s:e] for s, e in paragraphs(text)] == ["Title", "First paragraph.", "Second", "Third"]
    assert paragraphs("") == [] and paragraphs(" \n ") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Mr. Putin met Gen. Gerasimov in St. Petersburg near the U.S. Embassy. Then he left.",
            ["Mr. Putin met Gen. Gerasimov in St. Petersburg near the U.S. Embassy.", "Then he left."],
            id="abbreviations",
        ),
        pytest.param(
            "‘We have nothing there. Nothing at all,’ he said. Then he left.",
            ["‘We have nothing there. Nothing at all,’ he said.", "Then he left."],
            id="full-stop-inside-quotation",
        ),
        pytest.param(
            "He said: ‘Stop.’ Then he left. The plan failed. ‘We lost,’ he said.",
            ["He said: ‘Stop.’", "Then he left.", "The plan failed.", "‘We lost,’ he said."],
            id="closing-mark-after-stop-and-opening-mark-after-space",
        ),
        pytest.param(
            "Where is our army? Nobody knows! He paused… Then he spoke.",
            ["Where is our army?", "Nobody knows!", "He paused…", "Then he spoke."],
            id="question-exclamation-ellipsis",
        ),
        pytest.param(
            "Russia’s army is ‘deep’ inside. Ukraine’s troops advanced. It's the soldiers' war. It is 3.5 km away.",
            [
                "Russia’s army is ‘deep’ inside.",
                "Ukraine’s troops advanced.",
                "It's the soldiers' war.",
                "It is 3.5 km away.",
            ],
            id="apostrophes-are-not-quotation-marks",
        ),
        pytest.param(
            "Headline with no stop\n\nFirst line. Second line?\n  ‘Quoted paragraph.’  \n",
            ["Headline with no stop", "First line.", "Second line?", "‘Quoted paragraph.’"],
            id="newlines",
        ),
        pytest.param(
            "He said: ‘But it was far. And we were slow.\n‘I hope so.’",
            ["He said: ‘But it was far. And we were slow.", "‘I hope so.’"],
            id="unclosed-quotation-runs-to-paragraph-end",
        ),
        pytest.param("", [], id="empty"),
    ],
)
def test_sentences_splits(text, expected):
    spans = sentences(text)
    assert [text[start:end] for start, end in spans] == expected
    assert spans == sorted(spans)


def test_sentences_keep_a_german_quotation_with_its_cue():
    # „…“ closes at “, so the full stops inside do not split the sentence and the next one starts after it.
    text = "„Wir gewinnen. Sicher“, sagte er. Dann ging er."
    assert [text[s:e] for s, e in sentences(text)] == ["„Wir gewinnen. Sicher“, sagte er.", "Dann ging er."]


# --------------------------------------------------------------------------------------------------------------
# The layout of one text, found once
# --------------------------------------------------------------------------------------------------------------

LAYOUT_TEXTS = [
    "",
    "   ",
    "Mr. Putin spoke. 'We won. Twice,' he said.\nNew line",
    "He said:\n“We will win.\n“And we will rebuild.”\n\n  Russia’s ‘Z’ bloggers lie. It's 'fine'.",
    "„Wir gewinnen. Sicher“, sagte er. Dann ging er.\r\nU.S. Gen. Smith? “Yes!” No.",
]


@pytest.mark.parametrize("text", LAYOUT_TEXTS)
def test_layout_holds_what_the_splitters_find(text):
    layout = Layout(text)
    assert layout.paragraphs == tuple(paragraphs(text))
    assert layout.sentences == tuple(sentences(text))
    assert layout.quotations == tuple(quotations(text))
    assert layout.sentence_starts == tuple(start for start, _ in sentences(text))


def test_layout_finds_each_part_once_and_keeps_it():
    layout = Layout("One. Two.")
    assert layout.sentences is layout.sentences
    assert Layout("One. Two.") == layout  # a value: equal for equal texts


def test_layout_of_a_text_is_the_one_given_or_a_new_one_and_never_another_texts():
    layout = Layout("One. Two.")
    assert Layout.of("One. Two.", layout) is layout
    assert Layout.of("One. Two.") == layout
    with pytest.raises(ValueError, match="Layout of another text"):
        Layout.of("One. Three.", layout)


def test_sentence_index_is_the_last_sentence_starting_at_or_before_an_offset():
    text = "One here. Two here.\nThree"
    layout = Layout(text)
    assert layout.sentences == ((0, 9), (10, 19), (20, 25))
    assert [layout.sentence_index(offset) for offset in (0, 8, 9, 10, 19, 20, 24)] == [0, 0, 0, 1, 1, 2, 2]
    assert Layout("  x").sentence_index(1) == -1


# --------------------------------------------------------------------------------------------------------------
# One table for every user
# --------------------------------------------------------------------------------------------------------------


def test_linker_joins_a_german_quotation_to_its_cue():
    text = "„Wir gewinnen. Sicher“, sagte er."
    content = "„Wir gewinnen. Sicher“"
    spans = [
        ("QUOTE", ScoredSpan(0, len(content), content, 1.0)),
        ("SPEAKER", ScoredSpan(text.index("er."), text.index("er.") + 2, "er", 1.0)),
        ("CUE", ScoredSpan(text.index("sagte"), text.index("sagte") + 5, "sagte", 1.0)),
    ]
    [record] = link(text, spans)
    assert record.direct and record.cue.text == "sagte" and record.sources[0].text == "er"


@pytest.mark.parametrize("marks", ["‘’", "“”", "«»", "„“", "‚‘", '""'])
def test_baseline_finds_a_quotation_in_every_pair_style(marks):
    text = f"{marks[0]}We will hold the line,{marks[1]} said Dmitry Rogozin."
    [record] = RuleBasedExtractor().predict(text)
    assert record.contents[0].text == f"{marks[0]}We will hold the line,{marks[1]}"
    assert record.sources[0].text == "Dmitry Rogozin" and record.direct
