"""Span-level decoding: content edges move to the guidelines' quotation marks, sentence ends and paragraphs."""

from __future__ import annotations

import json
import shutil

import pytest

from quotes.boundaries import (
    GUIDELINE_RULES,
    RULES,
    apply_rules,
    extend_to_sentence_end,
    include_leading_that,
    join_gaps,
    quotations,
    snap_to_quote_marks,
    split_at_paragraphs,
    start_at_cue,
    start_at_quotation,
    strip_punctuation,
)
from quotes.cli import main
from quotes.config import load_config
from quotes.errors import UserInputError
from quotes.inference import QuoteExtractor
from quotes.labels import word_offsets
from quotes.schema import ScoredSpan
from quotes.text import Layout


def span(text: str, part: str, score: float = 0.9, after: int = 0) -> ScoredSpan:
    """The scored span of the first ``part`` of ``text`` at or after ``after``."""
    start = text.index(part, after)
    return ScoredSpan(start, start + len(part), part, score)


def contents(spans: list[tuple[str, ScoredSpan]]) -> list[str]:
    return [s.text for kind, s in spans if kind == "QUOTE"]


# --------------------------------------------------------------------------------------------------------------
# Quotation marks
# --------------------------------------------------------------------------------------------------------------


def test_quotations_pair_marks_and_skip_apostrophes_and_nested_quotes():
    text = "“Russia’s ‘Z’ bloggers lie,” he said. It's 'fine'."
    assert [text[s:e] for s, e in quotations(text)] == ["“Russia’s ‘Z’ bloggers lie,”", "'fine'"]


def test_a_quotation_that_opens_a_paragraph_and_never_closes_runs_to_its_end():
    text = "He said:\n“We will win.\n“And we will rebuild.”"
    assert [text[s:e] for s, e in quotations(text)] == ["“We will win.", "“And we will rebuild.”"]


def test_content_edges_a_word_or_two_inside_a_quotation_snap_to_its_marks():
    text = "“We will not back down, whatever it costs,” he said."
    predicted = [("QUOTE", span(text, "will not back down, whatever it")), ("SPEAKER", span(text, "he"))]
    assert contents(snap_to_quote_marks(text, predicted)) == ["“We will not back down, whatever it costs,”"]


def test_content_edges_far_inside_a_quotation_stay():
    text = "“One two three four five six seven eight,” he said."
    predicted = [("QUOTE", span(text, "four five"))]
    assert contents(snap_to_quote_marks(text, predicted)) == ["four five"]


def test_a_content_from_inside_a_quotation_to_its_closing_mark_covers_the_whole_quotation():
    text = "‘Units of the Armed Forces of Ukraine, numbering up to 1,000 men, went on the offensive,’ he said."
    predicted = [("QUOTE", span(text, "numbering up to 1,000 men, went on the offensive,’"))]
    assert contents(snap_to_quote_marks(text, predicted)) == [text[: text.index(" he")]]


def test_punctuation_after_a_closing_mark_is_trimmed_and_a_leading_that_kept():
    text = "She said that the plan was “a disaster”. Nobody replied."
    predicted = [("QUOTE", span(text, "that the plan was “a disaster”."))]
    assert contents(snap_to_quote_marks(text, predicted)) == ["that the plan was “a disaster”"]


def test_an_edge_never_moves_into_another_span():
    text = "“Yes, he said, we go.”"
    predicted = [("QUOTE", span(text, "Yes,")), ("SPEAKER", span(text, "he")), ("CUE", span(text, "said"))]
    assert contents(snap_to_quote_marks(text, predicted)) == ["“Yes,"]  # the closing mark lies past the cue


# --------------------------------------------------------------------------------------------------------------
# Sentence ends, paragraphs, punctuation, gaps
# --------------------------------------------------------------------------------------------------------------


def test_indirect_content_runs_to_its_sentence_end_less_the_full_stop():
    text = "Officials said the bridge will reopen in May. Traffic resumed."
    predicted = [("CUE", span(text, "said")), ("QUOTE", span(text, "the bridge will"))]
    assert contents(extend_to_sentence_end(text, predicted)) == ["the bridge will reopen in May"]


def test_a_final_full_stop_is_dropped_outside_quotation_marks_only():
    text = "He said it was over. She said “it was over.”"
    predicted = [("QUOTE", span(text, "it was over.")), ("QUOTE", span(text, "“it was over.”"))]
    assert contents(extend_to_sentence_end(text, predicted)) == ["it was over", "“it was over.”"]


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("The bridge will reopen, the mayor said.", "The bridge will reopen"),  # a speaker and a cue follow
        ("He said the plan was “a disaster” for all.", "the plan was"),  # a quotation mark follows
        ("He said it would end in one two three four five six seven eight nine.", "it would end"),  # too far
    ],
)
def test_indirect_content_does_not_grow_past_spans_marks_or_many_words(text, part):
    predicted = [("QUOTE", span(text, part))]
    if "mayor" in text:
        predicted += [("SPEAKER", span(text, "the mayor")), ("CUE", span(text, "said"))]
    assert contents(extend_to_sentence_end(text, predicted)) == [part]


def test_a_content_that_runs_over_a_line_break_keeps_its_first_paragraph():
    text = "Russia claimed the assault had stopped\n\nSmoke billows on the border\n\n‘We hold,’ he said."
    predicted = [("QUOTE", ScoredSpan(15, text.index(","), text[15 : text.index(",")], 0.8))]
    assert contents(split_at_paragraphs(text, predicted)) == ["the assault had stopped", "‘We hold"]


def test_commas_and_spaces_at_content_edges_go():
    text = "Where the issue was debated, 479 users supported it, while"
    predicted = [("QUOTE", span(text, ", 479 users supported it, "))]
    assert contents(strip_punctuation(text, predicted)) == ["479 users supported it"]


def test_two_contents_a_few_plain_words_apart_in_one_sentence_join():
    text = "He accused Anonymous of being behind the shooting, and several other alleged terrorist plots."
    predicted = [("QUOTE", span(text, "Anonymous of being behind the shooting")), ("QUOTE", span(text, "terrorist"))]
    assert contents(join_gaps(text, predicted)) == [
        "Anonymous of being behind the shooting, and several other alleged terrorist"
    ]


def test_contents_with_a_cue_between_them_stay_apart():
    text = "It was over, he said, and it was time."
    predicted = [
        ("QUOTE", span(text, "It was over")),
        ("SPEAKER", span(text, "he")),
        ("CUE", span(text, "said")),
        ("QUOTE", span(text, "it was time")),
    ]
    assert contents(join_gaps(text, predicted)) == ["It was over", "it was time"]


def test_a_content_a_plain_word_after_its_cue_starts_right_after_the_cue():
    text = "The Church also accused Anonymous of the shooting."
    predicted = [("CUE", span(text, "accused")), ("QUOTE", span(text, "of the shooting"))]
    assert contents(start_at_cue(text, predicted)) == ["Anonymous of the shooting"]


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("She told reporters that it was over.", "that it was over"),  # an addressee, not content
        ("She asked colleagues to report it.", "to report it"),
        ("She said on Monday, it was over.", "it was over"),  # punctuation between
    ],
)
def test_a_content_keeps_its_start_after_an_addressee_or_punctuation(text, part):
    cue = text.split()[1]
    predicted = [("CUE", span(text, cue)), ("QUOTE", span(text, part))]
    assert contents(start_at_cue(text, predicted)) == [part]


def test_a_content_ending_in_a_quotation_after_a_comma_or_colon_starts_at_the_mark():
    text = 'He said of the scene, "it was a butchery". She called it "a plan to fail".'
    predicted = [("QUOTE", span(text, 'the scene, "it was a butchery"')), ("QUOTE", span(text, 'it "a plan to fail"'))]
    assert contents(start_at_quotation(text, predicted)) == ['"it was a butchery"', 'it "a plan to fail"']


def test_a_that_right_before_a_content_joins_it():
    text = "He said that it was over."
    assert contents(include_leading_that(text, [("QUOTE", span(text, "it was over"))])) == ["that it was over"]


# --------------------------------------------------------------------------------------------------------------
# All rules together
# --------------------------------------------------------------------------------------------------------------


def test_the_guideline_rules_fix_a_direct_and_an_indirect_content_and_leave_speakers_and_cues():
    text = "‘It is over,’ she said. He said the war would end soon.\n\nPhoto: the front"
    found = [
        ("QUOTE", span(text, "It is over,")),
        ("SPEAKER", span(text, "she")),
        ("CUE", span(text, "said")),
        ("SPEAKER", span(text, "He")),
        ("CUE", span(text, "said", after=20)),
        ("QUOTE", ScoredSpan(text.index("the war"), len(text) - 10, text[text.index("the war") : -10], 0.7)),
    ]
    fixed = apply_rules(text, found)
    assert contents(fixed) == ["‘It is over,’", "the war would end soon"]
    assert [s for kind, s in fixed if kind != "QUOTE"] == [s for kind, s in found if kind != "QUOTE"]


def every_case() -> tuple[str, list[tuple[str, ScoredSpan]]]:
    """A text with a case for every rule (quote marks, sentence ends, a line break, an unsure span, a paragraph),
    and the spans a model might tag in it."""
    text = "“A b,” he said. C said d e f,\nand g. “H i j k l m n”. O claimed that p q. 'R s\n\n“T u” v."
    found = [
        ("QUOTE", ScoredSpan(1, 4, "A b")),
        ("SPEAKER", span(text, "he")),
        ("CUE", span(text, "said")),
        ("QUOTE", ScoredSpan(23, 33, text[23:33], 0.3)),
        ("QUOTE", ScoredSpan(38, 55, text[38:55])),
        ("CUE", span(text, "claimed")),
        ("QUOTE", ScoredSpan(text.index("p q"), len(text) - 4, text[text.index("p q") : -4])),
    ]
    return text, found


def test_every_rule_keeps_spans_exact_and_apart():
    text, found = every_case()
    for rules in [*([name] for name in RULES), list(GUIDELINE_RULES)]:
        fixed = apply_rules(text, found, rules)
        assert all(s.text == text[s.start : s.end] and s.start < s.end for _, s in fixed), rules
        assert all(a.end <= b.start for (_, a), (_, b) in zip(fixed, fixed[1:])), rules


def test_every_rule_gives_the_same_with_the_layout_it_is_handed():
    text, found = every_case()
    layout = Layout(text)
    for name, rule in RULES.items():
        assert rule(text, found, layout=layout) == rule(text, found), name
    assert apply_rules(text, found, list(RULES), layout=layout) == apply_rules(text, found, list(RULES))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param("the bridge", "the bridge will reopen", id="inside-a-sentence"),
        pytest.param("the bridge will reopen.", "the bridge will reopen", id="at-its-end"),
        pytest.param("Traffic", "Traffic resumed", id="the-next-sentence"),
    ],
)
def test_a_content_grows_to_the_end_of_the_sentence_it_ends_in(content, expected):
    text = "Officials said that the bridge will reopen. Traffic resumed."
    found = [("CUE", span(text, "said")), ("QUOTE", span(text, content))]
    assert contents(extend_to_sentence_end(text, found)) == [expected]


# --------------------------------------------------------------------------------------------------------------
# The setting: config, model folder, extractor, evaluate
# --------------------------------------------------------------------------------------------------------------


def test_the_config_defaults_to_the_models_own_boundaries_and_checks_the_value():
    assert load_config(None).predict.boundaries == "model"
    assert load_config(None, ["--predict.boundaries=guidelines"]).predict.boundaries == "guidelines"
    with pytest.raises(UserInputError, match="predict.boundaries"):
        load_config(None, ["--predict.boundaries=rules"])


def test_guideline_boundaries_run_the_rules_on_what_the_model_tagged(tiny_model_dir, monkeypatch):
    text = "He said the bridge will reopen in May. Traffic resumed."
    offsets = word_offsets(text)
    tags = ["B-SPEAKER", "B-CUE", "B-QUOTE", "I-QUOTE", "I-QUOTE"] + ["O"] * (len(offsets) - 5)
    model = QuoteExtractor.from_pretrained(tiny_model_dir, device="cpu", dtype="fp32")
    guided = QuoteExtractor.from_pretrained(tiny_model_dir, device="cpu", dtype="fp32", boundaries="guidelines")
    for extractor in (model, guided):  # what a trained model would tag, so the test needs no trained model
        monkeypatch.setattr(extractor, "_tag_tokens", lambda texts, *_: [(tags, offsets, [0.9] * len(tags))])
    assert (model.boundaries, guided.boundaries) == ("model", "guidelines")
    assert contents(model.tag([text])[0]) == ["the bridge will"]
    assert contents(guided.tag([text])[0]) == ["the bridge will reopen in May"]
    assert guided.tag([text]) == [apply_rules(text, model.tag([text])[0])]
    assert [r.contents[0].text for r in guided.predict(text)] == ["the bridge will reopen in May"]


def test_the_setting_is_saved_with_the_model_and_a_bad_saved_value_is_named(tiny_model_dir, tmp_path):
    guided = QuoteExtractor.from_pretrained(tiny_model_dir, device="cpu", dtype="fp32", boundaries="guidelines")
    saved = guided.save_pretrained(tmp_path / "guided")
    assert json.loads((saved / "quotes.json").read_text())["predict"]["boundaries"] == "guidelines"
    assert QuoteExtractor.from_pretrained(saved, device="cpu").boundaries == "guidelines"
    assert QuoteExtractor.from_pretrained(saved, device="cpu", boundaries="model").boundaries == "model"
    broken = shutil.copytree(saved, tmp_path / "broken")
    meta = json.loads((broken / "quotes.json").read_text())
    meta["predict"]["boundaries"] = "spans"
    (broken / "quotes.json").write_text(json.dumps(meta))
    with pytest.raises(UserInputError, match=r"predict.boundaries: expected 'model' or 'guidelines', got 'spans'"):
        QuoteExtractor.from_pretrained(broken, device="cpu")
    with pytest.raises(ValueError, match="boundaries: expected 'model' or 'guidelines'"):
        QuoteExtractor.from_pretrained(saved, device="cpu", boundaries="words")


def test_evaluate_takes_boundaries_for_a_model_only(tmp_path, capsys):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "d", "text": "He said it.", "quotes": []}) + "\n")
    assert main(["evaluate", "--model", "rules", "--data", str(gold), "--boundaries", "guidelines"]) == 2
    assert "quotes: error: --boundaries" in capsys.readouterr().err
