"""The scoring maths alone: attribution by name, QUOTE edge errors, confusion, score curve, the seqeval wrapper."""

from __future__ import annotations

import subprocess
import sys

import pytest

from quotes.labels import IGNORE_INDEX, LABEL2ID, LABELS, word_offsets
from quotes.metrics import (
    Tokens,
    normalize_name,
    quote_edges,
    same_speaker,
    same_speaker_by_name,
    score_curve,
    score_documents,
    seqeval_scores,
    token_confusion,
    window_metric_key,
    window_metric_split,
    window_seqeval_metrics,
)
from quotes.schema import QuoteRecord
from tests.helpers import find, make_document, record

TEXT = "Valery Gerasimov spoke.\n‘Units went on,’ he said. Later Gerasimov's aide and Valery  Gerasimov’s son left."
GOLD = make_document(
    "pronoun",
    TEXT,
    {"contents": ["‘Units went on,’"], "sources": ["he"], "cue": "said", "coreferences": ["Valery Gerasimov"]},
).quotes[0]


def predicted(sources=(), coreferences=(), contents=("‘Units went on,’",), text=TEXT) -> QuoteRecord:
    return record(text, contents, sources, "said", coreferences)


@pytest.mark.parametrize(
    ("sources", "coreferences", "by_span", "by_name"),
    [
        (["he"], ["Valery Gerasimov"], True, True),  # the coreference the guidelines ask for
        (["Valery Gerasimov"], [], True, True),  # the name itself as source
        (["he"], [], True, False),  # a pronoun, never resolved
        (["he"], ["Gerasimov"], True, True),  # overlaps the gold coreference
        (["he"], [("Valery  Gerasimov’s", 0)], True, True),  # same name elsewhere: case, spaces, possessive
        (["he"], [("Gerasimov's", 0)], True, False),  # another mention that is not the gold name's text
        (["he"], ["aide"], True, False),  # resolved to someone else
        ([], [], False, False),
        (["aide"], [], False, False),  # by name needs the speaker right first
    ],
)
def test_same_speaker_by_name_needs_the_pronoun_resolved_to_the_gold_person(sources, coreferences, by_span, by_name):
    record = predicted(sources, coreferences)
    assert same_speaker(GOLD, record) is by_span
    assert same_speaker_by_name(GOLD, record) is by_name


def test_same_speaker_by_name_is_same_speaker_when_the_gold_source_is_a_name():
    text = "‘We held,’ Putin said."
    gold = make_document("d", text, {"contents": ["‘We held,’"], "sources": ["Putin"], "cue": "said"}).quotes[0]
    for sources in (["Putin"], [], ["said"]):
        record = predicted(sources, contents=["‘We held,’"], text=text)
        assert same_speaker_by_name(gold, record) is same_speaker(gold, record)


def test_normalize_name_folds_case_space_and_possessive():
    assert normalize_name("Valery  Gerasimov’s") == normalize_name("VALERY\nGerasimov's") == "valery gerasimov"
    assert normalize_name("James") == "james"  # an s that is not possessive stays


def test_score_documents_counts_attribution_by_name_beside_attribution():
    document = make_document(
        "pronoun",
        TEXT,
        {"contents": ["‘Units went on,’"], "sources": ["he"], "cue": "said", "coreferences": ["Valery Gerasimov"]},
    )
    unresolved = score_documents([document], [[predicted(["he"])]])
    assert unresolved["attribution"] == {"accuracy": 1.0, "correct": 1, "matched": 1}
    assert unresolved["attribution_by_name"] == {"accuracy": 0.0, "correct": 0, "matched": 1}
    assert unresolved["end_to_end"]["f1"] == 1.0 and unresolved["end_to_end_by_name"]["f1"] == 0.0
    assert unresolved["documents"][0]["end_to_end_by_name_f1"] == 0.0
    resolved = score_documents([document], [[predicted(["he"], ["Valery Gerasimov"])]])
    assert resolved["attribution_by_name"]["accuracy"] == resolved["end_to_end_by_name"]["f1"] == 1.0


EDGE_TEXT = "one two three four five six seven eight nine ten"


def q(*parts: str) -> QuoteRecord:
    return QuoteRecord(contents=tuple(find(EDGE_TEXT, p) for p in parts))


@pytest.mark.parametrize(
    ("gold", "pred", "expected"),
    [
        ([q("two three")], [q("two three")], {"exact": 1}),
        ([q("two three")], [q("one two three")], {"starts_early": 1}),
        ([q("two three")], [q("three four")], {"starts_late": 1, "ends_late": 1}),
        ([q("two three four")], [q("two three")], {"ends_early": 1}),
        ([q("two three four")], [q("two"), q("four")], {"split": 1}),
        ([q("two"), q("four")], [q("two three four")], {"merged": 2}),
        ([q("two")], [q("nine")], {"missed": 1, "spurious": 1}),
    ],
)
def test_quote_edges_classify_each_gold_span(gold, pred, expected):
    counts = quote_edges(gold, pred, Tokens(word_offsets(EDGE_TEXT)))
    assert {k: v for k, v in counts.items() if v} == expected


def test_token_confusion_is_diagonal_for_perfect_tags():
    tags = [["O", "B-QUOTE", "I-QUOTE", "B-CUE"]]
    confusion = token_confusion(tags, tags)
    assert confusion["labels"] == list(LABELS)
    off_diagonal = [n for i, row in enumerate(confusion["matrix"]) for j, n in enumerate(row) if i != j]
    assert sum(off_diagonal) == 0 and sum(map(sum, confusion["matrix"])) == 4
    wrong = token_confusion(tags, [["O", "O", "I-QUOTE", "B-CUE"]])
    assert wrong["matrix"][LABEL2ID["B-QUOTE"]][LABEL2ID["O"]] == 1


def test_score_curve_trades_recall_for_precision():
    rows = score_curve(matched=[0.9, 0.7, 0.7], spurious=[0.8, 0.3], gold=4)
    assert [(r["threshold"], r["kept"], r["correct"]) for r in rows] == [
        (0.9, 1, 1),
        (0.8, 2, 1),
        (0.7, 4, 3),
        (0.3, 5, 3),
    ]
    assert rows[0]["precision"] == 1.0 and rows[0]["recall"] == 0.25
    assert rows[-1]["precision"] == 0.6 and rows[-1]["recall"] == 0.75
    assert score_curve([], [], gold=3) == []


def test_seqeval_scores_strict_entities_and_entity_free_input():
    scores = seqeval_scores([["B-QUOTE", "I-QUOTE", "O", "B-CUE"]], [["B-QUOTE", "O", "O", "B-CUE"]])
    assert scores["QUOTE"]["f1"] == 0.0 and scores["CUE"]["f1"] == 1.0 and scores["micro_avg"]["f1"] == 0.5
    assert seqeval_scores([["O"]], [["O"]])["micro_avg"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}


def test_window_seqeval_metrics_skip_special_tokens_and_use_one_name_per_measure():
    ids = [IGNORE_INDEX, LABEL2ID["B-CUE"], LABEL2ID["O"], IGNORE_INDEX]
    predicted_ids = [LABEL2ID["B-QUOTE"], LABEL2ID["B-CUE"], LABEL2ID["O"], LABEL2ID["B-QUOTE"]]
    metrics = window_seqeval_metrics([predicted_ids], [ids])
    assert metrics["window_seqeval_f1"] == metrics["window_seqeval_CUE_f1"] == 1.0  # the specials are not counted
    assert sorted(metrics) == sorted(
        [f"window_seqeval_{m}" for m in ("precision", "recall", "f1")]
        + [f"window_seqeval_{k}_{m}" for k in ("QUOTE", "SPEAKER", "CUE") for m in ("precision", "recall", "f1")]
    )


def test_metrics_report_and_rendering_import_without_torch():
    code = (
        "import sys, quotes.metrics, quotes.report, quotes.render, quotes.markdown, quotes.plots; "
        "print('torch' in sys.modules, 'transformers' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]


def quotes_imports(module: str) -> set[str]:
    """The ``quotes.*`` modules a module imports anywhere in its source (inside functions too)."""
    import ast
    import importlib.util

    source = importlib.util.find_spec(module).origin
    tree = ast.parse(open(source, encoding="utf-8").read())
    names = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    names |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    return {name for name in names if name.startswith("quotes.")}


@pytest.mark.parametrize(
    ("module", "never"),
    [
        ("quotes.metrics", {"quotes.report", "quotes.render", "quotes.markdown", "quotes.plots", "quotes.evaluation"}),
        ("quotes.report", {"quotes.render", "quotes.markdown", "quotes.plots", "quotes.evaluation"}),
        ("quotes.render", {"quotes.evaluation"}),
        ("quotes.markdown", {"quotes.evaluation", "quotes.render"}),
        ("quotes.plots", {"quotes.evaluation", "quotes.render"}),
    ],
)
def test_rendering_depends_on_the_report_never_the_reverse(module, never):
    assert quotes_imports(module) & never == set()


def test_window_metric_keys_have_one_spelling_and_give_their_split_back():
    assert window_metric_key("validation", "QUOTE") == "validation_window_seqeval_QUOTE_f1"
    assert window_metric_key(None, None, "recall") == "window_seqeval_recall"
    assert window_metric_split(window_metric_key("eval")) == "eval"
    assert window_metric_split(window_metric_key("eval", "CUE")) is None  # only the micro-average F1 names a split
    assert window_metric_split("window_seqeval_f1") is None


def test_predictions_of_another_text_are_refused_naming_the_document():
    gold = make_document("d1", TEXT)
    elsewhere = QuoteRecord(contents=(find("Some other text", "other"),))
    with pytest.raises(ValueError, match=r"document 'd1': predicted record 0 has a QUOTE span .*same order"):
        score_documents([gold], [[elsewhere]])
