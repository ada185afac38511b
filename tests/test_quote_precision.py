"""Quote precision rules (issue 12): records that are no quote by their form, the communication cue filter's
reporting verbs, and a direct quote the model tagged in pieces."""

from __future__ import annotations

from quotes.boundaries import GUIDELINE_RULES, apply_rules, join_in_quotation
from quotes.lexicon import is_communication_cue, lemma
from quotes.linking import LinkStats, is_fragment, link
from quotes.schema import QuoteRecord, ScoredSpan


def spans_of(text: str, *parts: tuple[str, str]) -> list[tuple[str, ScoredSpan]]:
    """``(kind, words)`` pairs as spans at the first place the words occur."""
    found = []
    for kind, words in parts:
        start = text.index(words)
        found.append((kind, ScoredSpan(start, start + len(words), words, 0.9)))
    return found


def contents(records: list[QuoteRecord]) -> list[str]:
    return [span.text for record in records for span in record.contents]


HEADLINE = "Total evacuation of New Orleans planned\n\nThe mayor said the city would be emptied."


def test_a_cueless_title_line_is_no_quote() -> None:
    spans = spans_of(
        HEADLINE,
        ("QUOTE", "Total evacuation of New Orleans planned"),
        ("SPEAKER", "The mayor"),
        ("CUE", "said"),
        ("QUOTE", "the city would be emptied"),
    )
    stats = LinkStats()
    assert contents(link(HEADLINE, spans, stats=stats)) == ["the city would be emptied"]
    assert stats.dropped_fragments == 1
    kept = link(HEADLINE, spans, drop_fragments=False)
    assert contents(kept) == ["Total evacuation of New Orleans planned", "the city would be emptied"]


def test_a_title_line_with_a_tagged_speaker_but_no_cue_is_dropped_too() -> None:
    text = "Senate publish report on CIA torture\n\nA report was released on Tuesday."
    spans = spans_of(text, ("SPEAKER", "Senate"), ("QUOTE", "CIA torture"))
    assert link(text, spans) == []


def test_a_headline_quote_with_a_cue_stays() -> None:
    text = "Mayor says city will be evacuated\n\nThe storm is coming."
    spans = spans_of(text, ("SPEAKER", "Mayor"), ("CUE", "says"), ("QUOTE", "city will be evacuated"))
    assert contents(link(text, spans)) == ["city will be evacuated"]


def test_a_quoted_title_line_stays() -> None:
    text = "“We will not leave”\n\nResidents refused to go."
    assert contents(link(text, spans_of(text, ("QUOTE", "“We will not leave”")))) == ["“We will not leave”"]


def test_lines_of_a_list_introduced_by_a_colon_stay() -> None:
    text = "The network suggested these tasks for her:\n\nSell her plans to voters\nTell more jokes"
    spans = spans_of(text, ("CUE", "suggested"), ("QUOTE", "Sell her plans to voters"))
    assert contents(link(text, spans)) == ["Sell her plans to voters"]


def test_a_cueless_piece_of_a_sentence_is_no_quote() -> None:
    text = "Wikipedia will go offline for a day in protest against anti-piracy laws."
    spans = spans_of(text, ("QUOTE", "protest against anti-piracy laws"))
    assert link(text, spans) == []


def test_a_cueless_clause_that_opens_reported_content_stays() -> None:
    text = "A message on the page asks readers to email their senators."
    spans = spans_of(text, ("QUOTE", "to email their senators"))
    assert contents(link(text, spans)) == ["to email their senators"]


def test_a_cueless_sentence_in_running_text_stays() -> None:
    text = "Lightning struck the pad. No damage was sustained when the bolt hit."
    spans = spans_of(text, ("QUOTE", "No damage was sustained when the bolt hit"))
    assert contents(link(text, spans)) == ["No damage was sustained when the bolt hit"]


def test_a_lone_unattributed_word_is_no_quote_even_with_a_cue() -> None:
    text = "The action was confirmed on Monday night."
    spans = spans_of(text, ("QUOTE", "The"), ("CUE", "confirmed"))
    assert link(text, spans) == []


def test_a_one_word_content_with_its_speaker_stays() -> None:
    text = "Asked about the plan, Smith said no."
    spans = spans_of(text, ("SPEAKER", "Smith"), ("CUE", "said"), ("QUOTE", "no"))
    assert contents(link(text, spans)) == ["no"]


def test_is_fragment_reads_only_the_record_and_its_text() -> None:
    text = "Bridge to reopen in May\n\nIt was closed."
    headline = QuoteRecord(contents=(ScoredSpan(0, 23, text[:23], 0.9),))
    assert is_fragment(text, headline)
    cued = QuoteRecord(contents=headline.contents, cue=ScoredSpan(26, 28, "It", 0.9))
    assert not is_fragment(text, cued)


def test_reporting_verbs_pass_the_communication_filter_beliefs_do_not() -> None:
    for cue in ("reads", "refutes", "offered", "is defending", "documented", "discusses", "characterized"):
        assert is_communication_cue(cue), cue
    for cue in ("fears", "thinks", "blocked", "discourages", "shows"):
        assert not is_communication_cue(cue), cue


def test_lemmas_of_communication_verbs_are_unchanged_by_the_reporting_verbs() -> None:
    assert [lemma(w) for w in ("said", "warned", "insisting", "reads", "refuted")] == [
        "say",
        "warn",
        "insist",
        "read",
        "refute",
    ]


LETTER = "“Would you help us? Your reputation would carry weight, so your name came up today.”"


def test_pieces_of_one_quotation_become_one_content() -> None:
    found = spans_of(LETTER, ("QUOTE", "“Would you help us? Your"), ("QUOTE", "so your name came up today.”"))
    assert [span.text for _, span in join_in_quotation(LETTER, found)] == [LETTER]
    # Measured, not a guideline rule: on Wikinews dev the joined quote outweighs its cued first part in the
    # matching and takes the gold record from it (quote F1 up, end-to-end by name down); docs/decoding.md.
    assert "quotation_join" not in GUIDELINE_RULES
    joined = apply_rules(LETTER, found, ("quotation_join", "quote_marks"))
    assert [span.text for _, span in joined] == [LETTER]


def test_two_quotations_or_a_cue_between_stay_apart() -> None:
    text = "“We will win,” he said. “Nobody doubts it.”"
    found = spans_of(text, ("QUOTE", "“We will win,”"), ("QUOTE", "“Nobody doubts it.”"))
    assert join_in_quotation(text, found) == found
    cued = spans_of(LETTER, ("QUOTE", "“Would you help us? Your"), ("CUE", "carry"), ("QUOTE", "so your name came up"))
    assert join_in_quotation(LETTER, cued) == cued
