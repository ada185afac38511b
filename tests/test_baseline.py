"""The rule baseline on the spec's own examples: what it finds, what it leaves, and that it is deterministic."""

from __future__ import annotations

import itertools

import pytest

from quotes.baseline import RuleBasedExtractor
from tests.helpers import texts


@pytest.fixture(scope="module")
def extractor() -> RuleBasedExtractor:
    return RuleBasedExtractor()


def test_baseline_finds_a_direct_quote_with_an_inverted_cue(extractor):
    text = (
        "‘Nuclear blackmail,’ posted Dmitry Rogozin, a senator who was previously Putin’s deputy prime minister "
        "and head of the Russian Space Agency."
    )
    [record] = extractor.predict(text)
    assert texts(record) == (["‘Nuclear blackmail,’"], ["Dmitry Rogozin"], "posted")
    assert record.direct


def test_baseline_finds_according_to(extractor):
    text = "The offensive was planned for weeks, according to an insider."
    [record] = extractor.predict(text)
    assert texts(record) == (["The offensive was planned for weeks"], ["an insider"], "according to")


def test_baseline_splits_content_around_a_mid_sentence_according_to(extractor):
    text = "Kyiv pummelled the region overnight, according to the local governor, with defences destroying five."
    [record] = extractor.predict(text)
    assert texts(record) == (
        ["Kyiv pummelled the region overnight", "with defences destroying five"],
        ["the local governor"],
        "according to",
    )


def test_baseline_does_not_take_apostrophes_for_quotation_marks(extractor):
    text = "Russia’s army and Ukraine’s drones don’t rest, and the soldiers’ advance goes on.\n"
    assert extractor.find_spans(text) == []
    text = "Russia’s border is quiet. ‘We don’t know what Russia’s army will do,’ he said."
    [record] = extractor.predict(text)
    assert texts(record) == (["‘We don’t know what Russia’s army will do,’"], ["he"], "said")


def test_baseline_ignores_scare_quotes(extractor):
    text = "One pro-war 'Z'-blogger shared a ‘deep’ map of the region."
    assert extractor.predict(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "War correspondent Yuri Kotenok posted: ‘The plant is an object of desire.’",
            (["‘The plant is an object of desire.’"], ["War correspondent Yuri Kotenok"], "posted"),
        ),
        (
            "Earlier today, Putin declared that Ukraine carried out a ‘large-scale provocation’ at the border.",
            (["that Ukraine carried out a ‘large-scale provocation’ at the border"], ["Putin"], "declared"),
        ),
        (
            "Moscow said it had sent reserves to the border.",
            (["it had sent reserves to the border"], ["Moscow"], "said"),
        ),
        (
            "Now, it has been revealed by Russia’s chief of staff General Valery Gerasimov that troops attacked.",
            (["that troops attacked"], ["Russia’s chief of staff General Valery Gerasimov"], "revealed"),
        ),
        (
            "Valery Gerasimov, the Chief of the General Staff, confessed to Putin that soldiers had crossed.",
            (["that soldiers had crossed"], ["Valery Gerasimov"], "confessed"),
        ),
        (
            "Ukraine launched several waves of drones overnight, Alexei Smirnov’s posts stated.",
            (["Ukraine launched several waves of drones overnight"], ["Alexei Smirnov’s posts"], "stated"),
        ),
        ("He was asked: ‘Will it end?’", (["‘Will it end?’"], [], "asked")),
    ],
)
def test_baseline_on_spec_examples(extractor, text, expected):
    [record] = extractor.predict(text)
    assert texts(record) == expected


def test_baseline_keeps_an_interrupted_quote_in_one_record(extractor):
    text = "General Valery Gerasimov spoke.\n‘Units went on the offensive,’ he said. ‘The advance was halted.’\n"
    [record] = extractor.predict(text)
    assert texts(record) == (["‘Units went on the offensive,’", "‘The advance was halted.’"], ["he"], "said")


def test_baseline_follows_a_quote_over_paragraphs(extractor):
    text = "Putin said: ‘The regime has undertaken a provocation.\n‘It is firing at civilian buildings.’\n"
    [record] = extractor.predict(text)
    contents, sources, cue = texts(record)
    assert contents == ["‘The regime has undertaken a provocation.", "‘It is firing at civilian buildings.’"]
    assert (sources, cue) == (["Putin"], "said")


def test_baseline_predict_takes_a_str_or_a_list(extractor):
    text = "‘We held the line,’ he said."
    single = extractor.predict(text)
    assert extractor.predict([text, "No quotes here."], batch_size=1) == [single, []]
    assert extractor.predict([]) == []
    with pytest.raises(TypeError, match="str or a list of str"):
        extractor.predict(42)


def test_baseline_spans_never_overlap_and_are_deterministic(extractor):
    text = (
        "Putin said the attack, according to officials, was ‘a provocation’, he added. "
        "‘It will fail,’ said Putin, who added that Russia would respond."
    )
    spans = extractor.find_spans(text)
    assert spans == extractor.find_spans(text)
    for (_, a), (_, b) in itertools.pairwise(spans):
        assert a.end <= b.start
    assert all(text[s.start : s.end] == s.text and s.score == 1.0 for _, s in spans)


def test_baseline_logs_what_the_linker_did_over_a_batch(extractor, caplog):
    caplog.set_level("DEBUG", logger="quotes.baseline")
    extractor.predict(["‘Nuclear blackmail,’ posted Dmitry Rogozin, a senator.", "No quote here."])
    assert "rules: linked 2 document(s): 1 record(s) from 1 content span(s)" in caplog.text


def test_baseline_predict_takes_min_score_like_the_model(extractor):
    text = "‘We held the line,’ he said. Officials said the talks would resume."
    records = extractor.predict(text)
    assert records and all(r.score == 1.0 for r in records)  # rules are sure of what they find
    assert extractor.predict(text, min_score=1.0) == records
    assert extractor.predict([text], min_score=0.5) == [records]
    with pytest.raises(ValueError, match="min_score"):
        extractor.predict(text, min_score=1.5)
