"""Who said it: the linker's speaker rules for passives, addressees, appositives, frames and cue-less sentences.

Each example is one sentence of news with hand-made spans (found by substring, so offsets are exact), linked by
:func:`quotes.linking.link`; the speaker asked for is the one the annotation guidelines give.
"""

from __future__ import annotations

import pytest

from quotes.coreference import appositive_head, name_mentions, passive_cue, plain_gap
from quotes.linking import LinkStats, link
from quotes.schema import ScoredSpan


def spans_in(text: str, *parts: tuple[str, str]) -> list[tuple[str, ScoredSpan]]:
    """``(kind, span)`` for each ``(kind, snippet)``; each snippet is searched after the previous one."""
    found, position = [], 0
    for kind, snippet in parts:
        start = text.index(snippet, position)
        position = start + len(snippet)
        found.append((kind, ScoredSpan(start, position, snippet, 0.9)))
    return found


def who(text: str, *parts: tuple[str, str], content: str, **options) -> tuple[list[str], str | None]:
    """The sources and the cue of the record holding ``content``."""
    records = link(text, spans_in(text, *parts), **options)
    [record] = [r for r in records if any(c.text == content for c in r.contents)]
    return [s.text for s in record.sources], record.cue.text if record.cue else None


# --------------------------------------------------------------------------------------------------------------
# Passive cues, addressees and objects are not speakers
# --------------------------------------------------------------------------------------------------------------


def test_passive_cue_has_no_speaker_before_it():
    text = "This is the moment a furious Vladimir Putin was told that troops had crossed the border."
    content = "that troops had crossed the border"
    parts = ("SPEAKER", "a furious Vladimir Putin"), ("CUE", "told"), ("QUOTE", content)

    assert who(text, *parts, content=content) == ([], "told")


def test_passive_cue_takes_the_speaker_after_by():
    text = "It was reported by the BBC that the talks had failed."
    content = "that the talks had failed"

    assert who(text, ("CUE", "reported"), ("SPEAKER", "the BBC"), ("QUOTE", content), content=content) == (
        ["the BBC"],
        "reported",
    )


@pytest.mark.parametrize(
    ("text", "cue", "passive"),
    [
        ("He was also told that it works.", "told", True),
        ("She has been asked to leave.", "asked", True),
        ("He was saying that it works.", "saying", False),
        ("He was quoted as saying it works.", "quoted", False),
        ("He told them that it works.", "told", False),
    ],
)
def test_passive_cue(text, cue, passive):
    start = text.index(cue)

    assert passive_cue(text, (start, start + len(cue))) is passive


def test_addressee_after_to_is_not_the_speaker():
    text = "Valery Gerasimov, the Chief of the General Staff, confessed to Putin that 1,000 soldiers had crossed."
    content = "that 1,000 soldiers had crossed"
    parts = ("CUE", "confessed to"), ("SPEAKER", "Putin"), ("QUOTE", content)

    # With no speaker left, the subject before the appositive is read from the text.
    assert who(text, *parts, content=content) == (["Valery Gerasimov"], "confessed to")


def test_object_of_an_earlier_cue_is_not_the_next_cues_speaker():
    text = "Doug Mahugh contacted Rick Jelliffe, a consultant, and offered to pay him for the work."
    content = "to pay him for the work"
    parts = (
        ("SPEAKER", "Doug Mahugh"),
        ("CUE", "contacted"),
        ("SPEAKER", "Rick Jelliffe"),
        ("CUE", "offered"),
        ("QUOTE", content),
    )

    assert who(text, *parts, content=content) == (["Doug Mahugh"], "offered")


def test_a_possessor_after_a_cue_speaks_through_its_noun_cue():
    text = "Politifact seized on Trump’s claim that there were thousands of shootings."
    content = "that there were thousands of shootings"
    parts = ("SPEAKER", "Politifact"), ("CUE", "seized on"), ("SPEAKER", "Trump"), ("CUE", "claim"), ("QUOTE", content)

    assert who(text, *parts, content=content) == (["Trump"], "claim")


def test_possessive_determiner_is_no_speaker_and_the_perceived_subject_is_read():
    text = "In the meeting, a frustrated Putin can be heard asking his colleagues to report on the situation."
    content = "to report on the situation"
    parts = ("CUE", "asking"), ("SPEAKER", "his"), ("QUOTE", content)

    assert who(text, *parts, content=content) == (["Putin"], "asking")


# --------------------------------------------------------------------------------------------------------------
# Appositives: the guidelines take the noun phrase before the comma
# --------------------------------------------------------------------------------------------------------------


def test_name_before_a_tagged_description_is_the_speaker():
    text = "Leroy Cain, the American manager of the mission said that the team is ready."
    content = "that the team is ready"
    parts = ("SPEAKER", "Leroy Cain,"), ("SPEAKER", "the American manager of the mission"), ("CUE", "said")

    assert who(text, *parts, ("QUOTE", content), content=content) == (["Leroy Cain,"], "said")


def test_description_before_a_tagged_name_set_off_by_commas_is_read_from_the_text():
    text = "On Monday, the president of the club, John Smith, also accused the board of lying."
    content = "the board of lying"
    parts = ("SPEAKER", "John Smith"), ("CUE", "accused"), ("QUOTE", content)

    assert who(text, *parts, content=content) == (["the president of the club"], "accused")
    assert who(text, *parts, content=content, find_speakers=False) == (["John Smith"], "accused")


def test_cue_without_speaker_reads_the_subject_before_an_appositive():
    text = "One month ago, an article on the news site, iReport, also accused the group of the attack."
    content = "the group of the attack"

    assert who(text, ("CUE", "accused"), ("QUOTE", content), content=content) == (
        ["an article on the news site"],
        "accused",
    )


@pytest.mark.parametrize(
    ("text", "comma_before", "head"),
    [
        ("Valery Gerasimov, the chief of staff, said it.", ", the", "Valery Gerasimov"),
        ("Later, the head of the union, Ann Lee, said it.", ", Ann", "the head of the union"),
        (
            "Later, the head of the union in New York City, Ann Lee, said it.",
            ", Ann",
            "the head of the union in New York City",
        ),
        ("Officials in the capital, Ann Lee said it.", ", Ann", None),  # no determiner opens the clause
        ("The plan announced yesterday, Ann Lee said it.", ", Ann", None),  # a verb of saying is no noun phrase
    ],
)
def test_appositive_head(text, comma_before, head):
    found = appositive_head(text, text.index(comma_before), 0, name_mentions(text))

    assert (text[found[0] : found[1]] if found else None) == head


# --------------------------------------------------------------------------------------------------------------
# Frames, inverted cues, chains, cue-less sentences and dashes
# --------------------------------------------------------------------------------------------------------------


def test_comma_frame_takes_the_content_from_the_cue_before_it():
    text = (
        "Alexei Smirnov spoke on Telegram. Russian President Vladimir Putin has pledged to support the region, "
        "he said in the video."
    )
    content = "to support the region"
    parts = (
        ("SPEAKER", "Russian President Vladimir Putin"),
        ("CUE", "pledged"),
        ("QUOTE", content),
        ("SPEAKER", "he"),
        ("CUE", "said"),
    )
    [record] = link(text, spans_in(text, *parts))

    assert [s.text for s in record.sources] == ["he"] and record.cue.text == "said"
    assert [s.text for s in record.coreferences] == ["Alexei Smirnov"]  # Putin said nothing here


@pytest.mark.parametrize(
    "text",
    [
        "Clinton criticised the plan, whose authors said nothing.",  # a relative clause is no frame
        "Clinton criticised the plan, aides said, and Jones replied that it would fail.",  # content after the frame
    ],
)
def test_no_frame(text):
    parts = [("SPEAKER", "Clinton"), ("CUE", "criticised"), ("QUOTE", "the plan")]
    parts += [("SPEAKER", "whose authors") if "whose" in text else ("SPEAKER", "aides"), ("CUE", "said")]
    if "Jones" in text:
        parts += [("SPEAKER", "Jones"), ("CUE", "replied"), ("QUOTE", "that it would fail")]

    assert who(text, *parts, content="the plan") == (["Clinton"], "criticised")


def test_inverted_cue_takes_the_subject_after_it_over_a_name_inside_the_quote():
    text = '"Smith shot seven people," said the Church in a press release.'
    parts = ("QUOTE", '"'), ("SPEAKER", "Smith"), ("QUOTE", 'shot seven people,"'), ("CUE", "said")

    assert who(text, *parts, content='"') == (["the Church"], "said")


@pytest.mark.parametrize(
    ("text", "cue", "content", "speaker"),
    [
        (
            "The article also went on to accuse the group of the attack.",
            "accuse",
            "the group of the attack",
            "The article",
        ),
        (
            "Valery Gerasimov goes on to add that the offensive stopped.",
            "add",
            "that the offensive stopped",
            "Valery Gerasimov",
        ),
        ('"It works," said the Church on Monday.', "said", '"It works,"', "the Church"),
        ("He was asked in order to explain that it works.", "explain", "that it works", None),
    ],
)
def test_cue_without_speaker_reads_chains_and_inverted_subjects(text, cue, content, speaker):
    parts = sorted([("CUE", cue), ("QUOTE", content)], key=lambda part: text.index(part[1]))

    assert who(text, *parts, content=content) == ([speaker] if speaker else [], cue)


def test_sentence_without_cue_takes_its_tagged_speaker():
    text = "While his general speaks, Putin stares.\n\nGerasimov goes on to add that Ukraine lost 315 men."
    content = "that Ukraine lost 315 men"
    stats = LinkStats()

    assert who(text, ("SPEAKER", "Gerasimov"), ("QUOTE", content), content=content, stats=stats) == (
        ["Gerasimov"],
        None,
    )
    assert stats.cueless_speakers == 1


def test_quote_followed_by_a_dash_and_a_speaker_takes_it():
    text = "“He represents our greatest shame.” ― Sonya Herridge\n“I am ashamed.”\xa0―\xa0Pamela Padilla"
    parts = (
        ("QUOTE", "“He represents our greatest shame.”"),
        ("SPEAKER", "Sonya Herridge"),
        ("QUOTE", "“I am ashamed.”"),
        ("SPEAKER", "Pamela Padilla"),
    )
    records = link(text, spans_in(text, *parts))

    assert [[s.text for s in r.sources] for r in records] == [["Sonya Herridge"], ["Pamela Padilla"]]


def test_plain_gap():
    text = "Obama has also said it; Obama, a senator, said it."

    assert plain_gap(text, 5, 15) and not plain_gap(text, 29, 40)


def test_a_cue_inside_the_source_of_according_to_is_no_cue():
    text = "According to the page where the issue was debated, 479 users supported a blackout."
    parts = (
        ("CUE", "According to"),
        ("SPEAKER", "the page where"),
        ("QUOTE", "the issue"),
        ("CUE", "debated"),
        ("QUOTE", ", 479 users supported a blackout"),
    )
    [record] = link(text, spans_in(text, *parts))

    assert record.cue.text == "According to" and [s.text for s in record.sources] == ["the page where"]
    assert len(record.contents) == 2


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("The summary documented long detentions and suggested that more were waterboarded.", "The summary"),
        ("The summary documents long detentions and suggested that more were waterboarded.", None),  # tenses differ
        ("Many were detained, and suggested that more were waterboarded.", None),  # no subject opens the sentence
    ],
)
def test_cue_joined_by_and_takes_the_subject_of_the_first_verb(text, speaker):
    content = "that more were waterboarded"

    assert who(text, ("CUE", "suggested"), ("QUOTE", content), content=content) == (
        [speaker] if speaker else [],
        "suggested",
    )


def test_possessive_before_a_noun_cue_is_the_speaker():
    text = "Clinton recalled his infamous comment about 47 percent of the country."
    content = "47 percent of the country"
    parts = ("SPEAKER", "his"), ("CUE", "infamous comment about"), ("QUOTE", content)

    assert who(text, *parts, content=content) == (["his"], "infamous comment about")


@pytest.mark.parametrize(
    ("text", "speaker", "cue", "content"),
    [
        # a relative pronoun is the subject of its own clause, not an appositive to skip
        ("Mr. Kamin, who emphasized that the plan works, left.", "who", "emphasized", "that the plan works"),
        # a speaker span that holds its own appositive is kept whole; "in Washington" is a place
        (
            "In a panel in Washington, Marc Morial, the head of the league, told a woman that voting matters.",
            "Marc Morial, the head of the league,",
            "told",
            "that voting matters",
        ),
        # "to me" after a cue that is no verb of saying holds an opinion: it is no addressee
        ("Nothing about them seems credible to me.", "me", "seems credible", "Nothing about them"),
    ],
)
def test_speakers_that_stay(text, speaker, cue, content):
    parts = sorted([("SPEAKER", speaker), ("CUE", cue), ("QUOTE", content)], key=lambda part: text.index(part[1]))
    if text.startswith("Mr. Kamin"):
        parts = [("SPEAKER", "Mr. Kamin"), *parts]

    assert who(text, *parts, content=content) == ([speaker], cue)
