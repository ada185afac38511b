"""PolNeAR's span boundaries redrawn to our guidelines (quotes.conventions), one rule at a time, then through BRAT.

Each rule is shown on an invented sentence; then :func:`to_guidelines` on whole records (overlaps refused, a
negated cue dropped), then the BRAT reader and the training data with ``data.conventions: guidelines``.
"""

from __future__ import annotations

import logging

import pytest

from quotes.brat import read_brat, scan_brat
from quotes.config import ConfigError, load_config
from quotes.conventions import (
    count_changes,
    exclude_appositive,
    exclude_auxiliaries,
    exclude_cue_punctuation,
    exclude_final_full_stop,
    exclude_trailing_punctuation,
    include_leading_that,
    include_quote_marks,
    is_negated,
    to_guidelines,
    trim_whitespace,
)
from quotes.data import read_documents
from quotes.training_data import read_splits
from tests.helpers import make_document, span_at
from tests.test_brat import Brat


def converted(rule, text: str, needle: str) -> str:
    """The text of the span ``needle`` (first occurrence) after ``rule``."""
    return rule(text, span_at(text, needle)).text


# --------------------------------------------------------------------------------------------------------------
# One rule at a time
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "content", "expected"),
    [
        ("Sanders said he would win.", "he would win", "he would win"),  # no that: unchanged
        ("Sanders said that he would win.", "he would win", "that he would win"),
        ("Sanders said that\xa0 he would win.", "he would win", "that\xa0 he would win"),
        ("She said that “we will win.”", "“we will win.”", "“we will win.”"),  # a direct quote: no
        ("Sanders said That he would win.", "he would win", "he would win"),  # only a lowercase that
    ],
)
def test_a_leading_that_joins_indirect_content(text, content, expected):
    assert converted(include_leading_that, text, content) == expected


def test_a_that_inside_a_word_is_not_a_leading_that():
    assert converted(include_leading_that, "He spoke of Whatthat he said.", "he said") == "he said"


@pytest.mark.parametrize(
    ("text", "content", "expected"),
    [
        ("He said the vote was fair. Then he left.", "the vote was fair.", "the vote was fair"),
        ("He said the vote was fair.", "the vote was fair.", "the vote was fair"),  # at the end of the text
        ("He said it moved to the U.S. Then he left.", "it moved to the U.S.", "it moved to the U.S."),
        ("He said it was and so on etc. Then he left.", "it was and so on etc.", "it was and so on etc."),
        ("He said it was so... Then he left.", "it was so...", "it was so..."),
        ("He said: “It was fair.” Then he left.", "“It was fair.”", "“It was fair.”"),
        ("He said: “It was fair”. Then he left.", "“It was fair”.", "“It was fair”"),
        ("He said: “It was fair.\n\n“And so.”", "“It was fair.", "“It was fair."),  # a quote that runs on
        ("He called it fair.Then he left.", "fair.", "fair."),  # no space after it: no sentence end
    ],
)
def test_the_final_full_stop_leaves_content_unless_inside_quotation_marks(text, content, expected):
    assert converted(exclude_final_full_stop, text, content) == expected


@pytest.mark.parametrize(
    ("text", "content", "expected"),
    [
        ("He said “we will stop it!” and left.", "we will stop it", "“we will stop it!”"),
        ("He said “we will stop it!” and left.", "“we will stop it", "“we will stop it!”"),
        ("He said “we will stop it” and left.", "we will stop it”", "“we will stop it”"),
        ("He said “we will stop it,” and left.", "“we will stop it,”", "“we will stop it,”"),
        ("He called the plan a “disaster” today.", "the plan a “disaster", "the plan a “disaster”"),
        ("He said the players’ union agreed.", "union agreed", "union agreed"),  # an apostrophe opens nothing
        ("“We will stop it\n\n“And more,” he said.", "“We will stop it", "“We will stop it"),  # runs on
    ],
)
def test_direct_quotes_run_from_mark_to_mark(text, content, expected):
    assert converted(include_quote_marks, text, content) == expected


@pytest.mark.parametrize(
    ("text", "span", "expected"),
    [
        ("Putin will support the region, he said.", "Putin will support the region,", "Putin will support the region"),
        ("“It is going well so far,” Ross said.", "“It is going well so far,”", "“It is going well so far,”"),
        ("“It is going well so far,\n\nRoss said.", "“It is going well so far,", "“It is going well so far,"),
        ("Mr. Smith – the mayor – said it.", "Mr. Smith – the mayor –", "Mr. Smith – the mayor"),
        ("He saw it was the stage itself: “A.”", "it was the stage itself:", "it was the stage itself"),
    ],
)
def test_trailing_punctuation_leaves_indirect_content_and_speakers(text, span, expected):
    assert converted(exclude_trailing_punctuation, text, span) == expected


@pytest.mark.parametrize(
    ("speaker", "expected"),
    [
        ("Dmitry Rogozin, a senator who was previously Putin’s deputy,", "Dmitry Rogozin"),
        ("Louise Sunshine, who has known Trump since the 1970s", "Louise Sunshine"),
        ("The 60-second spot, which is airing on national cable", "The 60-second spot"),
        ("Stacey Edwards, 31,", "Stacey Edwards"),
        ("Samantha Phillips, the city's emergency operations director", "Samantha Phillips"),
        ("President Obama, Hillary Clinton, and other Democrats", None),  # a list
        ("Sen. Ted Cruz, a Texas Republican, and Marco Rubio", None),  # a list with an appositive inside
        ("A handful of skywriters in Pasadena, Calif.", None),  # a place
        ("The snarky, anti-GOP headline", None),  # adjectives
        ("Her father, Brad, 39", None),  # a name after a common noun: which one is the appositive?
        ("Mayor Ada Brook", None),
    ],
)
def test_speaker_appositives_and_relative_clauses_go(speaker, expected):
    text = f"{speaker} said it."
    assert converted(exclude_appositive, text, speaker) == (expected or speaker)


@pytest.mark.parametrize(
    ("cue", "expected"),
    [
        ("has said", "said"),
        ("has also said", "said"),
        ("’s been saying", "saying"),
        ("was announced", "announced"),
        ("will likely again serve up", "serve up"),
        ("noted repeatedly", "noted"),
        ("has yet to address", "address"),
        ("went on to add", "add"),
        ("is", "is"),  # one word always stays
        ("reply", "reply"),  # an -ly verb is no adverb
        ("is likely to stress", "likely to stress"),  # likely: an adjective here
        ("told reporters Thursday", "told reporters Thursday"),  # an object and an adjunct are left alone
        ("according to", "according to"),
    ],
)
def test_cues_lose_auxiliaries_modals_and_adverbs(cue, expected):
    text = f"Someone {cue} it."
    assert converted(exclude_auxiliaries, text, cue) == expected


@pytest.mark.parametrize(
    ("cue", "expected"),
    [("continued:", "continued"), ("added, ", "added"), ("said", "said"), ("stated on live TV,", "stated on live TV")],
)
def test_cues_lose_the_punctuation_that_introduces_the_quote(cue, expected):
    assert converted(exclude_cue_punctuation, f"He {cue} “No.”", cue) == expected


def test_whitespace_at_the_edges_goes_no_break_spaces_too():
    text = "He said\xa0 “No.”"
    assert converted(trim_whitespace, text, "said\xa0 ") == "said"
    assert converted(trim_whitespace, text, "said") == "said"


@pytest.mark.parametrize(
    ("cue", "negated"),
    [
        ("did not say", True),
        ("didn’t disclose", True),
        ("doesn't mention", True),
        ("never mentioned", True),
        ("cannot confirm", True),
        ("noted", False),
        ("nothing", False),
        ("announced", False),
    ],
)
def test_negated_cues(cue, negated):
    assert is_negated(cue) is negated


def test_an_unchanged_span_is_the_same_object():
    text = "Mayor Ada Brook said the bridge will reopen in May."
    span = span_at(text, "the bridge will reopen in May")
    for rule in (include_leading_that, exclude_final_full_stop, include_quote_marks, exclude_trailing_punctuation):
        assert rule(text, span) is span


# --------------------------------------------------------------------------------------------------------------
# Whole documents
# --------------------------------------------------------------------------------------------------------------

TEXT = "Murphy, the head of the group, has said that it failed. Smith did not say it worked.\n"


def murphy_document():
    return make_document(
        "d",
        TEXT,
        {"contents": ["it failed."], "sources": ["Murphy, the head of the group,"], "cue": "has said that"},
        {"contents": ["it worked"], "sources": ["Smith"], "cue": "did not say"},
    )


def test_to_guidelines_converts_every_record_and_lists_every_change():
    document, changes = to_guidelines(murphy_document())

    (quote,) = document.quotes
    assert [(kind, span.text) for kind, span in quote.labelled_spans()] == [
        ("QUOTE", "that it failed"),
        ("SPEAKER", "Murphy"),
        ("CUE", "said"),
    ]
    assert count_changes(changes) == {
        "conventions.record.negated_cue": 1,  # "did not say": no quote in our guidelines
        "conventions.cue.that_to_content": 1,  # "has said that" -> "has said" ...
        "conventions.content.leading_that": 1,  # ... and "that it failed."
        "conventions.content.final_full_stop": 1,
        "conventions.source.appositive": 1,
        "conventions.cue.auxiliary": 1,  # "has said" -> "said"
    }
    assert all(not change.skipped for change in changes)
    assert changes[0].after is None and changes[0].before.text == "did not say"


def test_a_span_never_grows_into_another_labelled_span():
    text = "He said that “the claim” was false.\n"
    document = make_document(
        "d",
        text,
        {"contents": ["the claim"], "sources": ["He"], "cue": "said"},
        {"contents": ["was false"], "sources": ["“"], "cue": None},  # an odd span on the opening mark
    )
    converted_document, changes = to_guidelines(document)
    assert converted_document.quotes[0].contents[0].text == "the claim"
    assert [(c.rule, c.skipped) for c in changes if c.rule == "content.quote_marks"] == [("content.quote_marks", True)]


def test_a_source_shared_by_two_records_is_changed_once_and_stays_shared():
    text = "Ada Brook, the mayor, said the bridge will reopen and added that it is safe.\n"
    document = make_document(
        "d",
        text,
        {"contents": ["the bridge will reopen"], "sources": ["Ada Brook, the mayor,"], "cue": "said"},
        {"contents": ["it is safe"], "sources": ["Ada Brook, the mayor,"], "cue": "added"},
    )
    converted_document, changes = to_guidelines(document)
    assert {q.sources[0].text for q in converted_document.quotes} == {"Ada Brook"}
    assert count_changes(changes)["conventions.source.appositive"] == 1


def test_documents_without_differences_come_back_equal():
    document = make_document(
        "d",
        "Mayor Ada Brook said the bridge will reopen in May.\n",
        {"contents": ["the bridge will reopen in May"], "sources": ["Mayor Ada Brook"], "cue": "said"},
    )
    assert to_guidelines(document) == (document, [])


# --------------------------------------------------------------------------------------------------------------
# Through the BRAT reader and the config
# --------------------------------------------------------------------------------------------------------------

ARTICLE = (
    "Murphy, the head of the group, has also said that the plan failed. "
    "Smith did not say it worked.\n"
    "Ada Brook continued: “We will rebuild,” she added.\n"
)


def write_article(directory):
    brat = Brat(ARTICLE)
    brat.attribution("the plan failed.", source="Murphy, the head of the group,", cue="has also said")
    brat.attribution("it worked", source="Smith", cue="did not say")
    brat.attribution("We will rebuild,", source="Ada Brook", cue="continued:")
    directory.mkdir(parents=True, exist_ok=True)
    brat.write(directory)
    return directory


def spans_of(documents):
    return [[(kind, span.text) for kind, span in quote.labelled_spans()] for quote in documents[0].quotes]


def test_brat_reads_source_conventions_by_default(tmp_path):
    documents = read_brat(write_article(tmp_path / "polnear"))
    assert spans_of(documents) == [
        [("QUOTE", "the plan failed."), ("SPEAKER", "Murphy, the head of the group,"), ("CUE", "has also said")],
        [("QUOTE", "it worked"), ("SPEAKER", "Smith"), ("CUE", "did not say")],
        [("QUOTE", "We will rebuild,"), ("SPEAKER", "Ada Brook"), ("CUE", "continued:")],
    ]


def test_brat_converts_to_guidelines_and_logs_every_change(tmp_path, caplog):
    folder = write_article(tmp_path / "polnear")
    with caplog.at_level(logging.DEBUG, logger="quotes.brat"):
        documents = read_brat(folder, conventions="guidelines")
    assert spans_of(documents) == [
        [("QUOTE", "that the plan failed"), ("SPEAKER", "Murphy"), ("CUE", "said")],
        [("QUOTE", "“We will rebuild,”"), ("SPEAKER", "Ada Brook"), ("CUE", "continued")],
    ]
    summary = next(r.getMessage() for r in caplog.records if "to our guidelines" in r.getMessage())
    assert "7 spans changed (or records dropped)" in summary
    assert "record.negated_cue=1" in summary and "cue.auxiliary=1" in summary
    assert sum("converted: " in r.getMessage() for r in caplog.records) == 7

    report = scan_brat(folder, conventions="guidelines")
    assert report.counts["conventions.source.appositive"] == 1
    assert report.counts["records"] == 2
    assert str(report.conventions[0]).startswith(f"{folder / 'doc.ann'}: document 'doc': quotes[1] CUE: ")


def test_unknown_conventions_are_refused(tmp_path):
    with pytest.raises(ValueError, match="conventions must be 'source' or 'guidelines', got 'ours'"):
        scan_brat(write_article(tmp_path / "polnear"), conventions="ours")


def test_the_data_layer_and_the_config_pass_the_setting_on(tmp_path):
    folder = write_article(tmp_path / "polnear")
    assert spans_of(read_documents(folder, conventions="guidelines"))[0][1] == ("SPEAKER", "Murphy")

    config = load_config(None, {"data.train": [str(folder)], "data.test": [], "data.conventions": "guidelines"})
    assert spans_of(read_splits(config)["train"])[0][1] == ("SPEAKER", "Murphy")
    assert load_config(None).data.conventions == "source"
    with pytest.raises(ConfigError, match=r"data\.conventions: expected one of 'source' \| 'guidelines'"):
        load_config(None, {"data.conventions": "ours"})


def test_citron_files_are_ours_already_and_never_converted(tmp_path):
    from quotes.schema import write_documents

    document = make_document(
        "d", TEXT, {"contents": ["it failed."], "sources": ["Murphy, the head of the group,"], "cue": "has said"}
    )
    path = tmp_path / "ours.jsonl"
    write_documents([document], path)
    assert read_documents(path, conventions="guidelines") == [document]


def test_the_measuring_script_prints_each_rule_with_its_total(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    folder = write_article(tmp_path / "polnear")
    result = subprocess.run(
        [sys.executable, str(root / "scripts" / "polnear_conventions.py"), str(folder), "--examples", "1"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "| record.negated_cue (records) | 1 | 3 | 33.3 | 0 |" in result.stdout
    assert "| source.appositive (SPEAKER) | 1 | 3 | 33.3 | 0 |" in result.stdout
    assert "| cue.auxiliary (CUE) | 1 | 3 | 33.3 | 0 |" in result.stdout
    assert "source.appositive: SPEAKER 0-30 'Murphy, the head of the group,' -> 0-6 'Murphy'" in result.stdout
