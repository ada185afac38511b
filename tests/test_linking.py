"""Tests for quotes.linking: hand-made spans, found in the text by substring so that offsets are exact."""

from __future__ import annotations

import logging
import random

import pytest

from quotes.linking import LinkStats, link
from quotes.schema import QuoteRecord, ScoredSpan
from quotes.text import Layout


def spans_in(text: str, *parts: tuple) -> list[tuple[str, ScoredSpan]]:
    """``(kind, span)`` for each ``(kind, snippet[, score])``; each snippet is searched after the previous one."""
    found = []
    position = 0
    for kind, snippet, *score in parts:
        start = text.index(snippet, position)
        position = start + len(snippet)
        found.append((kind, ScoredSpan(start, position, snippet, score[0] if score else 1.0)))
    return found


def summary(record: QuoteRecord) -> dict:
    """The texts of a record's parts, to compare records without offsets or scores."""
    return {
        "contents": [span.text for span in record.contents],
        "sources": [span.text for span in record.sources],
        "cue": record.cue.text if record.cue else None,
        "coreferences": [span.text for span in record.coreferences],
    }


def record(contents: list[str], sources: list[str] = (), cue: str | None = None, coreferences: list[str] = ()) -> dict:
    return {"contents": list(contents), "sources": list(sources), "cue": cue, "coreferences": list(coreferences)}


UNITS = (
    "‘Units of the Armed Forces of Ukraine, numbering up to 1,000 men, went on the offensive in order to seize a "
    "section of territory in the Sudzhinsky district of Kursk region,’"
)
BLOGGER = (
    "The Ukrainians are some 40 miles from the power plant. One pro-war ‘Z’-blogger said: ‘But [ten miles] was still "
    "a lot yesterday, and the [Ukrainians] covered this distance in 24 hours.\n\n"
    "‘I really hope that everyone understands this and measures will be taken.’"
)


# --------------------------------------------------------------------------------------------------------------
# link: one record per quote
# --------------------------------------------------------------------------------------------------------------


def test_link_single_direct_quote():
    text = f"{UNITS} he said."
    records = link(text, spans_in(text, ("QUOTE", UNITS), ("SPEAKER", "he"), ("CUE", "said")))

    assert [summary(r) for r in records] == [record([UNITS], ["he"], "said")]
    assert records[0].direct


def test_link_indirect_quote():
    text = (
        "Earlier today, Putin declared that Ukraine carried out a ‘large-scale provocation’ following a daring "
        "surprise assault on Russia’s border region of Kursk, which saw thousands evacuated."
    )
    content = text[text.index("that") : -1]
    records = link(text, spans_in(text, ("SPEAKER", "Putin"), ("CUE", "declared"), ("QUOTE", content)))

    assert [summary(r) for r in records] == [record([content], ["Putin"], "declared")]
    assert not records[0].direct  # mixed: reported speech with a quoted fragment


def test_link_takes_the_layout_the_caller_already_has():
    text = f"{UNITS} he said.\n\n‘We go on,’ Putin said. He added: ‘Soon.’"
    parts = [("QUOTE", UNITS), ("SPEAKER", "he"), ("CUE", "said"), ("QUOTE", "‘We go on,’"), ("SPEAKER", "Putin")]
    spans = spans_in(text, *parts, ("CUE", "said"), ("SPEAKER", "He"), ("CUE", "added"), ("QUOTE", "‘Soon.’"))
    records = link(text, spans, layout=Layout(text))

    assert records == link(text, spans)
    assert [summary(r)["cue"] for r in records] == ["said", "said", "added"]
    with pytest.raises(ValueError, match="Layout of another text"):
        link(text, spans, layout=Layout(text.upper()))


@pytest.mark.parametrize("separator", [" ", "\n\n"], ids=["same-paragraph", "next-paragraph"])
def test_link_split_direct_quote_is_one_record(separator):
    first = "‘Fifty-four units of armoured vehicles, including seven tanks, were destroyed,’"
    second = "‘The operation will be completed by defeating the enemy and reaching the state border.’"
    text = f"{first} he said.{separator}{second}"
    parts = ("QUOTE", first), ("SPEAKER", "he"), ("CUE", "said"), ("QUOTE", second)
    records = link(text, spans_in(text, *parts))

    assert [summary(r) for r in records] == [record([first, second], ["he"], "said")]
    assert records[0].direct


def test_link_split_quote_does_not_take_a_content_with_its_own_cue():
    text = "‘We will win,’ he said. ‘We will see,’ she replied."
    parts = ("QUOTE", "‘We will win,’"), ("SPEAKER", "he"), ("CUE", "said")
    records = link(text, spans_in(text, *parts, ("QUOTE", "‘We will see,’"), ("SPEAKER", "she"), ("CUE", "replied")))

    assert [summary(r) for r in records] == [
        record(["‘We will win,’"], ["he"], "said"),
        record(["‘We will see,’"], ["she"], "replied"),
    ]


def test_link_split_quote_needs_a_direct_quote_before_it():
    text = "Putin said that the attack failed. ‘We will respond.’"
    parts = ("SPEAKER", "Putin"), ("CUE", "said"), ("QUOTE", "that the attack failed"), ("QUOTE", "‘We will respond.’")
    records = link(text, spans_in(text, *parts))

    assert [summary(r) for r in records] == [
        record(["that the attack failed"], ["Putin"], "said"),
        record(["‘We will respond.’"]),
    ]


def test_link_continuation_paragraphs_join_the_previous_record():
    text = BLOGGER + "\n\nA caption with no quotes\n\n‘We will see.’"
    opening = text[text.index("‘But") : text.index("\n")]
    parts = ("SPEAKER", "One pro-war ‘Z’-blogger"), ("CUE", "said"), ("QUOTE", opening)
    hope = "‘I really hope that everyone understands this and measures will be taken.’"
    stats = LinkStats()
    records = link(text, spans_in(text, *parts, ("QUOTE", hope), ("QUOTE", "‘We will see.’")), stats=stats)

    assert [summary(r) for r in records] == [
        record([opening, hope, "‘We will see.’"], ["One pro-war ‘Z’-blogger"], "said")
    ]
    assert stats.joined_continuations == 2


def test_link_continuation_stops_at_another_attribution():
    text = "‘We will win,’ he said.\n\nGeneral Gerasimov, speaking by video, was calm.\n\n‘We will see.’"
    parts = ("QUOTE", "‘We will win,’"), ("SPEAKER", "he"), ("CUE", "said")
    stray = ("SPEAKER", "General Gerasimov"), ("CUE", "speaking")
    records = link(text, spans_in(text, *parts, *stray, ("QUOTE", "‘We will see.’")))

    assert [summary(r) for r in records] == [record(["‘We will win,’"], ["he"], "said"), record(["‘We will see.’"])]


def test_link_cue_ending_a_line_with_a_colon_takes_the_next_line():
    text = "In a televised meeting, Putin said earlier:\n‘The Kyiv regime has undertaken another provocation.’"
    content = "‘The Kyiv regime has undertaken another provocation.’"
    records = link(text, spans_in(text, ("SPEAKER", "Putin"), ("CUE", "said"), ("QUOTE", content)))

    assert [summary(r) for r in records] == [record([content], ["Putin"], "said")]


# --------------------------------------------------------------------------------------------------------------
# link: several cues in one sentence
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parts", "expected"),
    [
        pytest.param(
            "Putin declared that Ukraine carried out a provocation, while Zelensky claimed that the raid succeeded.",
            [
                ("SPEAKER", "Putin"),
                ("CUE", "declared"),
                ("QUOTE", "that Ukraine carried out a provocation"),
                ("SPEAKER", "Zelensky"),
                ("CUE", "claimed"),
                ("QUOTE", "that the raid succeeded"),
            ],
            [
                record(["that Ukraine carried out a provocation"], ["Putin"], "declared"),
                record(["that the raid succeeded"], ["Zelensky"], "claimed"),
            ],
            id="indirect-indirect",
        ),
        pytest.param(
            "‘We will win,’ said Putin, and Zelensky replied that the war was lost.",
            [
                ("QUOTE", "‘We will win,’"),
                ("CUE", "said"),
                ("SPEAKER", "Putin"),
                ("SPEAKER", "Zelensky"),
                ("CUE", "replied"),
                ("QUOTE", "that the war was lost"),
            ],
            [
                record(["‘We will win,’"], ["Putin"], "said"),
                record(["that the war was lost"], ["Zelensky"], "replied"),
            ],
            id="speaker-after-cue-then-speaker-before-cue",
        ),
        pytest.param(
            "‘We will win,’ he said, ‘whatever it takes.’",
            [("QUOTE", "‘We will win,’"), ("SPEAKER", "he"), ("CUE", "said"), ("QUOTE", "‘whatever it takes.’")],
            [record(["‘We will win,’", "‘whatever it takes.’"], ["he"], "said")],
            id="one-cue-inside-its-quote",
        ),
    ],
)
def test_link_pairs_each_content_with_its_own_cue(text, parts, expected):
    assert [summary(r) for r in link(text, spans_in(text, *parts))] == expected


def test_link_speaker_after_a_cue_does_not_reach_across_a_content():
    text = "Asked if they were abandoned, he said: ‘It goes like this.’"
    parts = ("CUE", "Asked"), ("QUOTE", "if they were abandoned"), ("SPEAKER", "he"), ("CUE", "said")
    records = link(text, spans_in(text, *parts, ("QUOTE", "‘It goes like this.’")))

    assert [summary(r) for r in records] == [
        record(["if they were abandoned"], [], "Asked"),  # passive: no source
        record(["‘It goes like this.’"], ["he"], "said"),
    ]


def test_link_cue_with_a_colon_takes_no_content_before_it():
    text = "‘How do you feel about the war in Ukraine?’ to which he said: ‘I have a negative attitude.’"
    question, answer = "‘How do you feel about the war in Ukraine?’", "‘I have a negative attitude.’"
    records = link(text, spans_in(text, ("QUOTE", question), ("SPEAKER", "he"), ("CUE", "said"), ("QUOTE", answer)))

    assert [summary(r) for r in records] == [record([question]), record([answer], ["he"], "said")]


def test_link_quote_after_a_question_is_an_answer_not_a_continuation():
    text = "‘And Putin?’ they asked. ‘Putin? I don’t know.’"
    parts = ("QUOTE", "‘And Putin?’"), ("SPEAKER", "they"), ("CUE", "asked"), ("QUOTE", "‘Putin? I don’t know.’")
    records = link(text, spans_in(text, *parts))

    assert [summary(r) for r in records] == [
        record(["‘And Putin?’"], ["they"], "asked"),
        record(["‘Putin? I don’t know.’"]),
    ]


def test_link_two_cues_share_one_source():
    text = (
        "He said he did ‘not exactly’ support what his president was doing, adding: ‘I had been avoiding the army "
        "altogether [but was conscripted in the end].’"
    )
    first = "he did ‘not exactly’ support what his president was doing"
    second = text[text.index("‘I had") :]
    parts = ("SPEAKER", "He"), ("CUE", "said"), ("QUOTE", first), ("CUE", "adding"), ("QUOTE", second)
    records = link(text, spans_in(text, *parts))

    assert [summary(r) for r in records] == [record([first], ["He"], "said"), record([second], ["He"], "adding")]
    assert records[0].sources == records[1].sources


@pytest.mark.parametrize(
    ("subject", "names"),
    [("Putin and Lavrov", ["Putin", "Lavrov"]), ("Putin, Lavrov and Shoigu", ["Putin", "Lavrov", "Shoigu"])],
)
def test_link_coordinated_speakers_are_one_subject(subject, names):
    text = f"{subject} said that the talks had failed."
    parts = [("SPEAKER", name) for name in names] + [("CUE", "said"), ("QUOTE", "that the talks had failed")]
    records = link(text, spans_in(text, *parts))

    assert [summary(r) for r in records] == [record(["that the talks had failed"], names, "said")]


# --------------------------------------------------------------------------------------------------------------
# link: coreference, leftovers, order, scores, input checks
# --------------------------------------------------------------------------------------------------------------


def test_link_pronoun_source_gets_the_nearest_full_name_as_coreference():
    text = (
        "Vladimir Putin declared that Ukraine carried out a provocation.\n\n"
        "Now, it has been revealed by Russia’s chief of the general staff General Valery Gerasimov that 1,000 troops "
        "went on the offensive.\n\n"
        "Gerasimov claimed the thrust had been stopped.\n\n"
        "‘Fifty-four units of armoured vehicles were destroyed,’ he said."
    )
    gerasimov = "Russia’s chief of the general staff General Valery Gerasimov"
    parts = [
        ("SPEAKER", "Vladimir Putin"),
        ("CUE", "declared"),
        ("QUOTE", "that Ukraine carried out a provocation"),
        ("CUE", "revealed"),
        ("SPEAKER", gerasimov),
        ("QUOTE", "that 1,000 troops went on the offensive"),
        ("SPEAKER", "Gerasimov"),  # a surname alone is not a full name
        ("CUE", "claimed"),
        ("QUOTE", "the thrust had been stopped"),
        ("QUOTE", "‘Fifty-four units of armoured vehicles were destroyed,’"),
        ("SPEAKER", "he", 0.8),
        ("CUE", "said"),
    ]
    records = link(text, spans_in(text, *parts))

    assert [r.coreferences for r in records[:3]] == [(), (), ()]
    (name,) = records[3].coreferences
    assert name == ScoredSpan(text.index("Valery Gerasimov"), text.index("Valery Gerasimov") + 16, "Valery Gerasimov")
    assert text[name.start : name.end] == name.text


def test_link_it_refers_to_the_nearest_earlier_speaker_that_is_no_person():
    text = (
        "Volodymyr Artyukh said the evacuation had begun. ‘The operation is continuing,’ the defence ministry said.\n\n"
        "‘The enemy’s movement has been prevented,’ it added."
    )
    parts = [
        ("SPEAKER", "Volodymyr Artyukh"),
        ("CUE", "said"),
        ("QUOTE", "the evacuation had begun"),
        ("QUOTE", "‘The operation is continuing,’"),
        ("SPEAKER", "the defence ministry"),
        ("CUE", "said"),
        ("QUOTE", "‘The enemy’s movement has been prevented,’"),
        ("SPEAKER", "it"),
        ("CUE", "added"),
    ]
    records = link(text, spans_in(text, *parts))

    assert [span.text for span in records[-1].coreferences] == ["the defence ministry"]


def test_link_pronoun_with_no_earlier_full_name_has_no_coreference():
    text = f"Gerasimov spoke.\n\n{UNITS} he said."
    records = link(text, spans_in(text, ("SPEAKER", "Gerasimov"), ("QUOTE", UNITS), ("SPEAKER", "he"), ("CUE", "said")))

    assert records[0].coreferences == ()


@pytest.mark.parametrize(
    ("text", "name"),
    [
        pytest.param(
            "Fritz Henderson, the chief executive, arrived on Monday.\n\n‘We will recover,’ he said.",
            "Fritz Henderson",
            id="untagged-name",
        ),
        pytest.param(
            "Fritz Henderson opened the meeting in New York.\n\nHenderson spoke first. ‘We will recover,’ he said.",
            "Fritz Henderson",
            id="surname-back-to-full-name",
        ),
        pytest.param(
            "Governor Alexei Smirnov spoke on Telegram.\n\n‘President Vladimir Putin pledged support,’ he said.",
            "Alexei Smirnov",
            id="names-inside-quoted-content-are-not-antecedents",
        ),
        pytest.param(
            "Vladimir Putin met officials. Dmitry Rogozin, Putin’s former deputy, was there.\n\n‘Blackmail,’ he said.",
            "Dmitry Rogozin",
            id="a-possessor-is-a-last-resort",
        ),
        pytest.param(
            "Fritz Henderson later visited the White House and NASA.\n\n‘We will recover,’ he said.",
            "Fritz Henderson",
            id="places-and-organisations-are-no-person",
        ),
        pytest.param(
            "Former Prime Minister Gordon Brown resigned.\n\n‘It was time,’ he said.",
            "Gordon Brown",
            id="titles-are-cut",
        ),
    ],
)
def test_link_pronoun_resolves_to_a_full_name_anywhere_earlier(text, name):
    quote = text[text.index("‘") : text.index(",’") + 2]
    records = link(text, spans_in(text, ("QUOTE", quote), ("SPEAKER", "he", 0.7), ("CUE", "said")))

    [record] = [r for r in records if r.sources]
    [coreference] = record.coreferences
    assert coreference.text == name and text[coreference.start : coreference.end] == name
    assert coreference.score == 0.7  # an untagged name scores as the pronoun it resolves


def test_link_pronoun_antecedent_in_its_own_sentence_must_be_a_tagged_speaker():
    untagged = "Alexei Smirnov spoke.\n\nPresident Vladimir Putin pledged support ‘on all fronts’, he said."
    records = link(untagged, spans_in(untagged, ("QUOTE", "‘on all fronts’"), ("SPEAKER", "he"), ("CUE", "said")))
    assert records[0].coreferences[0].text == "Alexei Smirnov"

    tagged = "Colin Powell was not told.\n\nJohn Brennan admitted the failures, but rebuked what he called ‘a picture’."
    parts = [
        ("SPEAKER", "John Brennan"),
        ("CUE", "admitted"),
        ("QUOTE", "the failures"),
        ("SPEAKER", "he"),
        ("CUE", "called"),
        ("QUOTE", "‘a picture’"),
    ]
    records = link(tagged, spans_in(tagged, *parts))
    assert records[-1].sources[0].text == "he" and records[-1].coreferences[0].text == "John Brennan"


def test_link_group_pronouns_get_no_personal_name():
    text = "Fritz Henderson met the workers.\n\n‘We will strike,’ they said."
    records = link(text, spans_in(text, ("QUOTE", "‘We will strike,’"), ("SPEAKER", "they"), ("CUE", "said")))

    assert records[0].sources[0].text == "they" and records[0].coreferences == ()


@pytest.mark.parametrize(
    ("text", "cue", "content", "speaker"),
    [
        pytest.param("‘We will win,’ said Obama.", "said", "‘We will win,’", "Obama", id="inverted"),
        pytest.param(
            "Shares in Airbus fell.\n\nAirbus has also said that it will cut jobs.",
            "said",
            "that it will cut jobs",
            "Airbus",
            id="subject-with-auxiliaries",
        ),
        pytest.param(
            "US President Barack Obama said that France is an ally.",
            "said",
            "that France is an ally",
            "US President Barack Obama",
            id="titles-kept",
        ),
        pytest.param("‘We will win,’ he said.", "said", "‘We will win,’", "he", id="pronoun"),
        pytest.param("It rained, according to NASA.", "according to", "It rained", "NASA", id="according-to"),
        pytest.param(
            "The records which the committee says disputes it.",
            "says",
            "disputes it",
            "the committee",
            id="noun-phrase",
        ),
        pytest.param(
            "Supporters of the blackout claim that it works.",
            "claim",
            "that it works",
            "Supporters of the blackout",
            id="plural-noun-phrase-with-base-verb",
        ),
        pytest.param("The annual report claim that it works.", "claim", "that it works", None, id="base-verb-singular"),
        pytest.param(
            "Obama issued a statement condemning the attack.", "condemning", "the attack", None, id="participle"
        ),
        pytest.param(
            "Officials in the capital said that it works.", "said", "that it works", None, id="prepositional-phrase"
        ),
        pytest.param("Officials said that it will rain.", "said", "that it will rain", None, id="opening-word-unknown"),
        pytest.param("He was told that it will rain.", "told", "that it will rain", None, id="passive"),
        pytest.param(
            "Leroy Cain, the manager, said that it will rain.",
            "said",
            "that it will rain",
            "Leroy Cain",
            id="appositive",
        ),
        pytest.param("The plan, said to be ready, failed.", "said", "to be ready", None, id="no-plain-subject"),
    ],
)
def test_link_cue_without_speaker_takes_its_plain_subject_from_the_text(text, cue, content, speaker):
    spans = sorted(spans_in(text, ("CUE", cue, 0.6)) + spans_in(text, ("QUOTE", content)), key=lambda s: s[1].start)
    stats = LinkStats()
    [record] = link(text, spans, stats=stats)

    assert [span.text for span in record.sources] == ([speaker] if speaker else [])
    assert all(span.score == 0.6 and text[span.start : span.end] == span.text for span in record.sources)
    assert stats.found_speakers == (speaker is not None)
    [unchanged] = link(text, spans, find_speakers=False)
    assert unchanged.sources == ()


def test_link_found_pronoun_speaker_is_resolved_by_name():
    text = "Fritz Henderson arrived.\n\n‘We will recover,’ he said."
    [record] = link(text, spans_in(text, ("QUOTE", "‘We will recover,’"), ("CUE", "said")))

    assert record.sources[0].text == "he" and record.coreferences[0].text == "Fritz Henderson"


def test_link_said_question_goes_on_but_asked_question_is_answered():
    said = "‘How many times?’ she said. ‘In Tulsa, again.’"
    asked = "‘And Putin?’ they asked. ‘Putin? I don’t know.’"
    for text, cue, joined in ((said, "said", True), (asked, "asked", False)):
        first, second = text[: text.index("’") + 1], text[text.rindex("‘") :]
        speaker = "she" if joined else "they"
        spans = spans_in(text, ("QUOTE", first), ("SPEAKER", speaker), ("CUE", cue), ("QUOTE", second))
        assert len(link(text, spans)) == (1 if joined else 2)


def test_link_content_without_cue_is_a_record_of_its_own():
    text = "Kursk Nuclear Power Plant is seen by some analysts as ‘the target of the incursion’."
    stats = LinkStats()
    records = link(text, spans_in(text, ("QUOTE", "‘the target of the incursion’", 0.6)), stats=stats)

    assert [summary(r) for r in records] == [record(["‘the target of the incursion’"])]
    assert records[0].direct and records[0].score == pytest.approx(0.6)
    assert stats.unattributed == 1


def test_link_drops_cue_and_speaker_without_content(caplog):
    text = "General Gerasimov – speaking by video from an operational control point – then describes the advances."
    stats = LinkStats()
    with caplog.at_level(logging.DEBUG, logger="quotes.linking"):
        records = link(text, spans_in(text, ("SPEAKER", "General Gerasimov"), ("CUE", "speaking")), stats=stats)

    assert records == []
    assert (stats.dropped_cues, stats.dropped_speakers) == (1, 1)
    assert "dropped 1 cue(s) and 1 speaker(s)" in caplog.text


def test_link_records_are_sorted_whatever_the_input_order():
    text = f"{BLOGGER}\n\n{UNITS} he said.\n\nPutin declared that the raid was a provocation."
    parts = [
        ("SPEAKER", "One pro-war ‘Z’-blogger"),
        ("CUE", "said"),
        ("QUOTE", text[text.index("‘But") : text.index("\n")]),
        ("QUOTE", "‘I really hope that everyone understands this and measures will be taken.’"),
        ("QUOTE", UNITS),
        ("SPEAKER", "he"),
        ("CUE", "said"),
        ("SPEAKER", "Putin"),
        ("CUE", "declared"),
        ("QUOTE", "that the raid was a provocation"),
    ]
    spans = spans_in(text, *parts)
    shuffled = spans[:]
    random.Random(0).shuffle(shuffled)

    records = link(text, shuffled)
    assert records == link(text, spans)
    assert [r.contents[0].start for r in records] == sorted(r.contents[0].start for r in records)
    assert [r.cue.text for r in records] == ["said", "said", "declared"]


def test_link_direct_flag_and_score_follow_the_record_docstring():
    text = "‘We will win,’ he said. ‘The enemy was halted.’ He added that the raid failed."
    parts = [
        ("QUOTE", "‘We will win,’", 0.9),
        ("SPEAKER", "he", 0.1),  # sources do not count towards the score
        ("CUE", "said", 0.5),
        ("QUOTE", "‘The enemy was halted.’", 0.7),
        ("SPEAKER", "He", 0.2),
        ("CUE", "added", 0.4),
        ("QUOTE", "that the raid failed", 0.8),
    ]
    direct, indirect = link(text, spans_in(text, *parts))

    assert (direct.direct, indirect.direct) == (True, False)
    assert direct.score == pytest.approx((0.9 + 0.7 + 0.5) / 3)
    assert indirect.score == pytest.approx((0.8 + 0.4) / 2)


@pytest.mark.parametrize(
    ("spans", "message"),
    [
        ([("NAME", ScoredSpan(0, 5, "Putin"))], "unknown kind 'NAME'"),
        ([("SPEAKER", ScoredSpan(0, 5, "Lavro"))], r"'Lavro' != text\[0:5\] = 'Putin'"),
        ([("QUOTE", ScoredSpan(0, 40, "x"))], "not a non-empty range"),
        ([("SPEAKER", ScoredSpan(0, 5, "Putin")), ("CUE", ScoredSpan(4, 9, "n sai"))], "overlaps SPEAKER 'Putin'"),
    ],
    ids=["unknown-kind", "wrong-text", "out-of-range", "overlap"],
)
def test_link_rejects_bad_spans(spans, message):
    with pytest.raises(ValueError, match=message):
        link("Putin said so.", spans)


def test_link_without_spans_returns_no_records():
    assert link("Nothing to see here.", []) == []


def test_link_long_document_keeps_every_content():
    block = (
        "Valery Gerasimov said that the thrust had been stopped.\n\n"
        "‘We will win,’ he said. ‘The enemy was halted.’ Putin, speaking by video, was silent.\n\n"
        "‘It was a provocation.’\n\n"
    )
    parts = [
        ("SPEAKER", "Valery Gerasimov"),
        ("CUE", "said"),
        ("QUOTE", "that the thrust had been stopped"),
        ("QUOTE", "‘We will win,’"),
        ("SPEAKER", "he"),
        ("CUE", "said"),
        ("QUOTE", "‘The enemy was halted.’"),
        ("SPEAKER", "Putin"),
        ("CUE", "speaking"),
        ("QUOTE", "‘It was a provocation.’"),
    ]
    local = spans_in(block, *parts)
    copies = 200_000 // len(block) + 1
    text = block * copies
    spans = [
        (kind, ScoredSpan(s.start + copy * len(block), s.end + copy * len(block), s.text))
        for copy in range(copies)
        for kind, s in local
    ]
    stats = LinkStats()
    records = link(text, spans, stats=stats)

    assert len(text) >= 200_000 and len(spans) >= 10_000
    assert len(records) == 3 * copies  # Gerasimov's, the split quote, the unattributed last paragraph
    assert sorted(s.start for r in records for s in r.contents) == [s.start for kind, s in spans if kind == "QUOTE"]
    assert (stats.dropped_cues, stats.dropped_speakers, stats.coreferences) == (copies, copies, copies)
    assert records[-2].coreferences[0].text == "Valery Gerasimov"


def test_link_stats_total_several_calls_and_read_as_one_log_line():
    stats = LinkStats()
    quoted = "‘We will win,’ he said."
    link(quoted, spans_in(quoted, ("QUOTE", "‘We will win,’"), ("CUE", "said")), stats=stats)
    link("Nothing to see.", [], stats=stats)
    assert (stats.documents, stats.records, stats.contents) == (2, 1, 1)
    assert stats.summary().startswith("linked 2 document(s): 1 record(s) from 1 content span(s);")
