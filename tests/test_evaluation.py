"""Scores of hand-made predictions against hand-made gold: each error moves the metrics it should, and only them."""

from __future__ import annotations

import json
import warnings
from dataclasses import replace

import pytest

from quotes.evaluation import (
    REPORT_FORMAT,
    Report,
    check_thresholds,
    evaluate,
    match_quotes,
    parse_thresholds,
    score,
    threshold_keys,
)
from quotes.markdown import render_report_markdown
from quotes.schema import Document, QuoteRecord
from tests.helpers import as_prediction, find, make_document, record


def perfect(documents: list[Document]) -> list[list[QuoteRecord]]:
    return [[as_prediction(q) for q in d.quotes] for d in documents]


class Oracle:
    """A predictor that returns the gold records of the texts it was built with."""

    def __init__(self, documents):
        self.by_text = {d.text: [as_prediction(q) for q in d.quotes] for d in documents}
        self.calls = 0

    def predict(self, texts, batch_size=16):
        self.calls += 1
        return [self.by_text[text] for text in texts]


def all_scores(report: Report) -> dict[str, float]:
    data = report.to_dict()
    paths = {
        f"seqeval.{label}.{m}": data["seqeval"][label][m]
        for label in data["seqeval"]
        for m in ("precision", "recall", "f1")
    }
    for kind, values in data["spans"].items():
        for measure in ("exact", "overlap"):
            for m in ("precision", "recall", "f1"):
                paths[f"spans.{kind}.{measure}.{m}"] = values[measure][m]
    for section in ("quotes", "end_to_end"):
        for m in ("precision", "recall", "f1"):
            paths[f"{section}.{m}"] = data[section][m]
    paths["attribution.accuracy"] = data["attribution"]["accuracy"]
    return paths


def test_score_perfect_predictions_are_one_everywhere(gold_documents):
    report = score(gold_documents, perfect(gold_documents))
    assert {path: value for path, value in all_scores(report).items() if value != 1.0} == {}
    assert report.errors == []
    assert [row["quote_f1"] for row in report.documents] == [1.0, 1.0, 1.0]
    assert report.counts == {"documents": 3, "gold_quotes": 3, "predicted_quotes": 3, "matched_quotes": 3}


def test_score_missed_quote_lowers_recall_and_is_listed_with_context(gold_documents):
    predicted = perfect(gold_documents)
    predicted[2] = []  # the indirect quote is missed
    report = score(gold_documents, predicted)
    assert report.quotes["precision"] == 1.0
    assert report.quotes["recall"] == pytest.approx(2 / 3, abs=1e-6)
    assert report.spans["QUOTE"]["exact"]["fn"] == 1
    assert report.documents[2]["quote_f1"] == 0.0
    [error] = report.errors
    assert error["type"] == "missed" and error["document"] == "indirect" and error["source"] == "Putin"
    assert error["text"].startswith("that Ukraine carried out")
    assert error["before"].endswith("Putin declared ")


def test_score_spurious_quote_lowers_precision_only(gold_documents):
    predicted = perfect(gold_documents)
    text = gold_documents[1].text
    predicted[1].append(record(text, ["General Valery Gerasimov spoke"]))
    report = score(gold_documents, predicted)
    assert report.quotes["recall"] == 1.0
    assert report.quotes["precision"] == 0.75
    assert [(e["type"], e["text"]) for e in report.errors] == [("spurious", "General Valery Gerasimov spoke")]


def test_score_boundary_error_misses_exact_but_keeps_overlap(gold_documents):
    document = gold_documents[0]
    wrong = record(
        document.text,
        ["‘The plant is an object of desire."],  # the closing quotation mark is left out
        sources=["War correspondent Yuri Kotenok"],
        cue="posted",
    )
    report = score([document], [[wrong]])
    assert report.spans["QUOTE"]["exact"]["f1"] == 0.0
    assert report.seqeval["QUOTE"]["f1"] == 0.0
    overlap = report.spans["QUOTE"]["overlap"]
    assert overlap["precision"] == 1.0
    assert overlap["recall"] == pytest.approx(overlap["gold_overlap"] / overlap["gold_tokens"])
    assert 0.8 < overlap["recall"] < 1.0
    assert report.quotes["f1"] == 1.0 and report.end_to_end["f1"] == 1.0
    assert report.spans["SPEAKER"]["exact"]["f1"] == 1.0 and report.spans["CUE"]["exact"]["f1"] == 1.0


def test_score_wrong_speaker_counts_in_attribution_and_end_to_end(gold_documents):
    document = gold_documents[2]
    wrong = replace(as_prediction(document.quotes[0]), sources=(find(document.text, "Ukraine"),))
    report = score([document], [[wrong]])
    assert report.quotes["f1"] == 1.0
    assert report.attribution == {"accuracy": 0.0, "correct": 0, "matched": 1}
    assert report.end_to_end["f1"] == 0.0
    assert report.spans["SPEAKER"]["exact"]["f1"] == 0.0
    assert report.spans["QUOTE"]["exact"]["f1"] == 1.0


@pytest.mark.parametrize(
    ("sources", "coreferences", "right"),
    [
        (["Valery Gerasimov"], [], True),  # the name the gold pronoun stands for
        (["General Valery Gerasimov"], [], True),  # overlapping it is enough
        (["he"], ["Valery Gerasimov"], True),
        (["he"], [], True),
        (["General"], ["General Valery Gerasimov spoke"], True),  # the predicted coreference overlaps the gold one
        ([], [], False),
        (["offensive"], [], False),
    ],
)
def test_score_pronoun_speaker_matched_through_coreference(gold_documents, sources, coreferences, right):
    document = gold_documents[1]  # gold: "he" said, coreference "Valery Gerasimov"
    gold = document.quotes[0]
    predicted = record(
        document.text, [c.text for c in gold.contents], sources=sources, cue="said", coreferences=coreferences
    )
    report = score([document], [[predicted]])
    assert report.attribution["accuracy"] == (1.0 if right else 0.0)


def test_score_gold_quote_without_source_is_right_only_without_a_predicted_source():
    text = "He was asked: ‘Will it end?’ Nobody knows."
    document = make_document("passive", text, {"contents": ["‘Will it end?’"], "cue": "asked"})
    silent = record(text, ["‘Will it end?’"], cue="asked")
    guessed = record(text, ["‘Will it end?’"], sources=["He"], cue="asked")
    assert score([document], [[silent]]).end_to_end["f1"] == 1.0
    assert score([document], [[guessed]]).end_to_end["f1"] == 0.0


def test_match_quotes_is_one_to_one_by_largest_overlap(gold_documents):
    document = gold_documents[1]
    small = record(document.text, ["‘Units went"])
    large = record(document.text, ["‘Units went on the offensive,’", "‘The advance was halted.’"])
    assert match_quotes(document.quotes, [small, large]) == [(0, 1)]
    report = score([document], [[small, large]])
    assert report.counts["matched_quotes"] == 1
    assert [e["type"] for e in report.errors] == ["spurious"]


def test_citron_speaker_exact_needs_the_cue_to_overlap(gold_documents):
    document = gold_documents[0]
    elsewhere = record(
        document.text, ["‘The plant is an object of desire.’"], sources=["War correspondent Yuri Kotenok"]
    )
    report = score([document], [[elsewhere]])  # no cue where the gold record has one
    assert (report.spans["SPEAKER"]["exact"]["tp"], report.spans["SPEAKER"]["exact"]["fn"]) == (0, 1)
    assert report.spans["SPEAKER"]["overlap"]["f1"] == 1.0
    assert report.spans["CUE"]["exact"]["recall"] == 0.0


def test_score_rejects_predictions_for_other_texts(gold_documents):
    predicted = perfect(gold_documents)
    with pytest.raises(ValueError, match="same order"):
        score(gold_documents, list(reversed(predicted)))
    with pytest.raises(ValueError, match="3 gold documents but 2"):
        score(gold_documents, predicted[:2])


def test_score_of_nothing_is_zero_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = score([], [])
    assert report.quotes["f1"] == 0.0 and report.seqeval["micro_avg"]["f1"] == 0.0


def test_report_json_keys_are_stable(gold_documents):
    data = score(gold_documents, perfect(gold_documents)).to_dict()
    assert sorted(data) == sorted(
        [
            "format", "name", "counts", "seqeval", "spans", "quotes", "attribution", "end_to_end",
            "documents", "errors", "thresholds", "failures", "baseline",
            # added later (keys are added, never renamed):
            "attribution_by_name", "end_to_end_by_name", "quote_edges", "token_confusion", "record_scores",
            "comparison",
        ]
    )  # fmt: skip
    assert data["format"] == REPORT_FORMAT
    assert sorted(data["seqeval"]) == ["CUE", "QUOTE", "SPEAKER", "micro_avg"]
    assert sorted(data["seqeval"]["QUOTE"]) == ["f1", "precision", "recall", "support"]
    assert sorted(data["spans"]) == ["ALL", "CUE", "QUOTE", "SPEAKER"]
    assert sorted(data["spans"]["CUE"]["exact"]) == ["f1", "fn", "fp", "precision", "recall", "tp"]
    assert sorted(data["spans"]["CUE"]["overlap"]) == [
        "f1", "gold_overlap", "gold_tokens", "precision", "predicted_overlap", "predicted_tokens", "recall",
    ]  # fmt: skip
    assert (
        sorted(data["quotes"])
        == sorted(data["end_to_end"])
        == ["correct", "f1", "gold", "precision", "predicted", "recall"]
    )
    assert sorted(data["end_to_end_by_name"]) == sorted(data["end_to_end"])
    assert sorted(data["attribution"]) == sorted(data["attribution_by_name"]) == ["accuracy", "correct", "matched"]
    assert sorted(data["documents"][0]) == [
        "end_to_end_by_name_f1",
        "end_to_end_f1",
        "gold_quotes",
        "id",
        "matched_quotes",
        "predicted_quotes",
        "quote_f1",
        "span_f1",
    ]
    assert sorted(data["counts"]) == ["documents", "gold_quotes", "matched_quotes", "predicted_quotes"]
    assert json.loads(json.dumps(data)) == data


def test_error_keys_are_stable(gold_documents):
    [error] = score(gold_documents[:1], [[]]).to_dict()["errors"]
    assert sorted(error) == ["after", "before", "document", "end", "source", "start", "text", "type"]


def test_parse_thresholds_reads_names_and_paths_as_names():
    assert parse_thresholds("QUOTE_exact_f1=0.6, SPEAKER_seqeval_f1=0.7,quote_f1=0.8") == {
        "QUOTE_exact_f1": 0.6,
        "SPEAKER_seqeval_f1": 0.7,
        "quote_f1": 0.8,
    }
    assert parse_thresholds({"spans.QUOTE.overlap.f1": 0.5}) == {"QUOTE_overlap_f1": 0.5}
    assert parse_thresholds("seqeval.micro_avg.f1=0.4,end_to_end_by_name_f1=0.3,counts.matched_quotes=10") == {
        "seqeval_micro_f1": 0.4,
        "end_to_end_by_name_f1": 0.3,
        "counts.matched_quotes": 10.0,  # a path without a name stays a path
    }
    assert parse_thresholds(None) == parse_thresholds({}) == {}
    keys = threshold_keys()
    assert {"QUOTE_exact_f1", "attribution_by_name_accuracy", "spans.ALL.exact.tp"} <= set(keys)
    assert "spans.QUOTE.exact.f1" not in keys  # listed once, by its name


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("QUOTE", "QUOTE_exact_f1"),
        ("SPEAKER", "SPEAKER_exact_f1"),
        ("CUE", "CUE_exact_f1"),
        ("quote", "quote_f1"),
        ("attribution", "attribution_accuracy"),
        ("end_to_end", "end_to_end_f1"),
    ],
)
def test_parse_thresholds_old_keys_still_work_with_a_deprecation_warning(old, new):
    with pytest.warns(FutureWarning, match=f"threshold key '{old}' is deprecated; use '{new}'"):
        assert parse_thresholds(f"{old}=0.5") == {new: 0.5}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("QUOTES=0.5", r"unknown threshold key 'QUOTES'\. Did you mean 'QUOTE_exact_f1'\? Valid keys: QUOTE_exact"),
        ("quote_f2=0.5", r"Did you mean 'quote_f1'\?"),
        ("spans.QUOTE.fuzzy.f1=0.5", "Valid keys: .*QUOTE_overlap_f1"),
        ("QUOTE", "not key=value"),
        ("QUOTE_exact_f1=high", "not a number"),
        # gates that would quietly pass or quietly vanish
        ("quote_f1=nan", r"threshold 'quote_f1=nan': quote_f1 needs a number from 0 to 1, got 'nan'"),
        ("quote_f1=inf", "quote_f1=inf.*needs a number from 0 to 1"),
        ("quote_f1=-inf", "needs a number from 0 to 1"),
        ("quote_f1=1.5", "needs a number from 0 to 1, got '1.5'"),
        ("quote_f1=-0.1", "needs a number from 0 to 1"),
        ("counts.matched_quotes=nan", "needs a finite number of at least 0"),
        (",", "empty item in threshold list ','"),
        ("quote_f1=0.5,", "empty item"),
        ("", "the threshold list is empty"),
        ("  ", "the threshold list is empty"),
        ("=0.5", "threshold '=0.5' has no key"),
        ("quote_f1=0.5,quotes.f1=0.6", "quote_f1 is given twice"),
    ],
)
def test_parse_thresholds_rejects_bad_input(spec, message):
    with pytest.raises(ValueError, match=message):
        parse_thresholds(spec)


def test_check_thresholds_reports_measured_and_required(gold_documents):
    predicted = perfect(gold_documents)
    predicted[2] = []
    report = score(gold_documents, predicted)
    assert check_thresholds(report, "QUOTE_exact_f1=0.5,quote_f1=0.8") == []
    failures = check_thresholds(report, "quote_f1=0.9,spans.CUE.exact.recall=0.7")
    assert failures == [
        "quote_f1 (quotes.f1) is 0.8000, below the required 0.9000.",
        "CUE_exact_recall (spans.CUE.exact.recall) is 0.6667, below the required 0.7000.",
    ]


def test_markdown_has_the_tables(gold_documents):
    predicted = perfect(gold_documents)
    predicted[2] = []
    report = score(gold_documents, predicted, name="runs/seed")
    report.baseline = score(gold_documents, [[], [], []], name="rules")
    report.thresholds = {"quote_f1": 0.9}
    report.failures = check_thresholds(report, report.thresholds)
    markdown = render_report_markdown(report)
    assert "## Quote extraction: `runs/seed`" in markdown
    assert "| Metric | Model | Baseline (`rules`) | Δ |" in markdown
    assert "| quote_f1 | 0.800 | 0.000 | +0.800 🟢 |" in markdown
    assert "| end_to_end_by_name_f1 | 0.800 | 0.000 | +0.800 🟢 |" in markdown
    assert "| Label | exact P | exact R | exact F1 | overlap P | overlap R | overlap F1 | seqeval F1 |" in markdown
    assert (
        "| Document | Gold | Predicted | Matched | quote_f1 | end_to_end_f1 | QUOTE_exact_f1 | SPEAKER_exact_f1 "
        "| CUE_exact_f1 |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n| indirect | 1 | 0 | 0 | 0.000 | 0.000 |"
    ) in markdown
    assert "### Missed quotes (longest first)" in markdown
    assert "**❌ 1 of 1 thresholds failed**" in markdown
    assert "| indirect | Putin | …Earlier today, Putin declared **that Ukraine" in markdown


def test_markdown_escapes_table_breakers():
    text = "A | B <b>x</b> said: ‘No | way.’"
    document = make_document("pipes|doc", text, {"contents": ["‘No | way.’"], "cue": "said"})
    markdown = render_report_markdown(score([document], [[]]))
    assert "pipes\\|doc" in markdown and "<b>" not in markdown


def test_evaluate_with_a_predictor_writes_reports_and_attaches_the_baseline(gold_documents, tmp_path):
    report = evaluate(
        Oracle(gold_documents), gold_documents, report_dir=tmp_path / "reports", fail_under="quote_f1=0.9"
    )
    assert report.failures == [] and report.thresholds == {"quote_f1": 0.9}
    assert report.name == "Oracle"
    assert report.baseline is not None and report.baseline.name == "rules" and report.baseline.baseline is None
    files = sorted(p.name for p in (tmp_path / "reports").iterdir())
    plots = ["confusion.svg", "documents.svg", "edges.svg", "labels.svg", "scores.svg", "threshold.svg"]
    assert files == sorted(["report.html", "report.json", "report.md", *plots])
    data = json.loads((tmp_path / "reports" / "report.json").read_text(encoding="utf-8"))
    assert data["baseline"]["name"] == "rules" and data["quotes"]["f1"] == 1.0
    assert "Baseline (`rules`)" in (tmp_path / "reports" / "report.md").read_text(encoding="utf-8")


def test_evaluate_puts_unmet_thresholds_in_failures(gold_documents):
    predicted = perfect(gold_documents)
    predicted[0] = []

    class Half(Oracle):
        def predict(self, texts, batch_size=16):
            return [[] if text == gold_documents[0].text else self.by_text[text] for text in texts]

    report = evaluate(Half(gold_documents), gold_documents, fail_under={"CUE_exact_f1": 0.9}, baseline=False)
    assert report.baseline is None
    assert report.failures == ["CUE_exact_f1 (spans.CUE.exact.f1) is 0.8000, below the required 0.9000."]


def test_evaluate_checks_thresholds_before_predicting(gold_documents):
    oracle = Oracle(gold_documents)
    with pytest.raises(ValueError, match="unknown threshold key 'speaker'"):
        evaluate(oracle, gold_documents, fail_under="speaker=0.5")
    assert oracle.calls == 0


def test_evaluate_rules_on_a_direct_quote():
    text = "‘We held the line,’ he said."
    document = make_document("d1", text, {"contents": ["‘We held the line,’"], "sources": ["he"], "cue": "said"})
    report = evaluate("rules", [document], fail_under="quote_f1=0.5")
    assert (report.quotes["f1"], report.attribution["accuracy"], report.failures) == (1.0, 1.0, [])
    assert report.name == "rules" and report.baseline is None


def test_evaluate_reads_paths(gold_documents, tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text(
        "".join(json.dumps(d.to_dict(), ensure_ascii=False) + "\n" for d in gold_documents), encoding="utf-8"
    )
    report = evaluate(Oracle(gold_documents), path, baseline=False)
    assert report.counts["documents"] == 3 and report.quotes["f1"] == 1.0


def test_evaluate_rejects_what_cannot_predict(gold_documents):
    with pytest.raises(TypeError, match="an object with .predict"):
        evaluate(42, gold_documents)


class OracleWithProgress(Oracle):
    """A predictor with its own progress option, as ``QuoteExtractor.predict(..., progress=True)``."""

    def predict(self, texts, batch_size=16, *, progress=False):
        self.progress = progress
        return super().predict(texts, batch_size)


def test_evaluate_progress_uses_the_predictors_own_bar_in_one_call(gold_documents):
    oracle = OracleWithProgress(gold_documents)
    report = evaluate(oracle, gold_documents, progress=True, baseline=False)
    assert (oracle.calls, oracle.progress, report.quotes["f1"]) == (1, True, 1.0)
    evaluate(oracle, gold_documents, progress=False, baseline=False)
    assert (oracle.calls, oracle.progress) == (2, False)


def test_evaluate_progress_without_a_progress_option_predicts_in_chunks_with_the_same_result(gold_documents, capsys):
    oracle = Oracle(gold_documents * 4)  # 12 texts: two chunks
    documents = gold_documents * 4
    quiet = evaluate(oracle, documents, progress=False, baseline=False)
    shown = evaluate(oracle, documents, progress=True, baseline=False)
    assert oracle.calls == 1 + 2 and quiet.to_dict() == shown.to_dict()
    assert "predicting (Oracle)" in capsys.readouterr().err
