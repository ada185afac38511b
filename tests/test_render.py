"""HTML pages: every text escaped, the three span kinds highlighted, records numbered with their speaker."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from quotes.evaluation import check_thresholds, score
from quotes.render import (
    comparison_fragment,
    document_fragment,
    paragraphs_of,
    render_comparison_html,
    render_document_html,
    render_report_html,
)
from quotes.report import compare
from quotes.schema import QuoteRecord, ScoredSpan
from tests.helpers import as_prediction, make_document


def visible_text(markup: str) -> str:
    """The text a browser shows for a fragment, notes and numbers removed (to compare with the source text)."""
    markup = re.sub(r'<sup class="num[^"]*">\d+</sup>', "", markup)
    markup = re.sub(r'<span class="note">.*?</span></span>|<span class="note">[^<]*</span>', "", markup)

    class Collector(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.parts = []

        def handle_data(self, data):
            self.parts.append(data)

    collector = Collector()
    collector.feed(markup)
    return "".join(collector.parts)


def test_render_document_html_escapes_everything():
    text = "The <script>alert('x')</script> page & co said: ‘<b>Hi</b> & bye.’"
    document = make_document(
        "x",
        text,
        {"contents": ["‘<b>Hi</b> & bye.’"], "sources": ["The <script>alert('x')</script> page & co"], "cue": "said"},
    )
    page = render_document_html(text, [as_prediction(q) for q in document.quotes], title="<i>title</i>")
    assert "<script>" not in page and "<b>Hi</b>" not in page and "<i>title" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "&lt;i&gt;title&lt;/i&gt;" in page
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page


def test_render_document_html_highlights_three_kinds_with_a_legend(gold_documents):
    document = gold_documents[1]
    page = render_document_html(document.text, [as_prediction(q) for q in document.quotes])
    for css_class in ("quote", "speaker", "cue"):
        assert f'<span class="{css_class}"' in page
        assert f".{css_class} {{" in page
    assert 'class="legend"' in page and "QUOTE (content)" in page and "SPEAKER (source)" in page
    assert '<sup class="num">1</sup>' in page
    assert (
        '<span class="note">— he (Valery Gerasimov) <span class="score" title="quote 1: record score">1.00</span>'
        in page
    )
    assert '<span class="coref"' in page


def test_document_fragment_keeps_the_text_and_its_paragraphs(gold_documents):
    for document in gold_documents:
        fragment = document_fragment(document.text, [as_prediction(q) for q in document.quotes])
        assert visible_text(fragment) == document.text
    assert "\n‘" in document_fragment(gold_documents[1].text, [])


def test_quote_without_source_says_so():
    text = "He was asked: ‘Will it end?’"
    document = make_document("p", text, {"contents": ["‘Will it end?’"], "cue": "asked"})
    page = render_document_html(text, [as_prediction(document.quotes[0])])
    assert "— no source" in page


def test_render_comparison_flags_missed_spurious_and_wrong_speaker(gold_documents):
    document = gold_documents[1]
    text = document.text
    wrong = as_prediction(document.quotes[0], sources=(ScoredSpan(0, 7, text[0:7]),), coreferences=())
    start = text.index("General Valery Gerasimov spoke")
    spurious = QuoteRecord(contents=(ScoredSpan(start, start + 30, text[start : start + 30]),))
    page = render_comparison_html(document, document.quotes, [wrong, spurious])
    assert "Gold (1 quotes)" in page and "Predicted (2 quotes)" in page
    assert page.count('<span class="flag">wrong speaker</span>') == 2
    assert '<span class="flag">spurious</span>' in page
    assert '<sup class="num flagged">' in page

    missed = render_comparison_html(document, document.quotes, [])
    assert '<span class="flag">missed</span>' in missed


def test_render_report_html_puts_the_summary_first_then_documents_worst_first(gold_documents):
    predicted = [[as_prediction(q) for q in d.quotes] for d in gold_documents]
    predicted[2] = []
    report = score(gold_documents, predicted, name="runs/<seed>")
    report.baseline = score(gold_documents, [[], [], []], name="rules")
    report.thresholds = {"quote_f1": 0.9}
    report.failures = check_thresholds(report, report.thresholds)
    page = render_report_html(report)
    assert "Quote extraction report: runs/&lt;seed&gt;" in page
    assert "<th>Baseline (rules)</th><th>Δ</th>" in page
    assert '<td title="quote records paired by content, f1">quote_f1</td><td>0.800</td><td>0.000</td>' in page
    assert '<td class="up">+0.800</td>' in page  # coloured delta
    order = [
        '<table class="headline">',
        '<dl class="defs">',
        "Thresholds failed",
        '<h2 id="plots">',
        '<h2 id="labels">',
        '<ol class="toc">',
        '<h2 id="doc-1">indirect</h2>',  # quote F1 0: first
        '<h2 id="doc-2">direct</h2>',
    ]
    positions = [page.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert '<a href="#doc-1">indirect</a>' in page
    assert '<span class="flag">missed</span>' in page
    assert "<dt>by_name</dt>" in page and "seqeval strict IOB2" in page


def test_render_report_html_embeds_every_plot(gold_documents):
    report = score(gold_documents, [[as_prediction(q) for q in d.quotes] for d in gold_documents])
    page = render_report_html(report)
    for title in (
        "Exact span P / R / F1 per label (&lt;KIND&gt;_exact_*)",
        "quote_f1 per document, worst first",
        "Record scores: matched vs spurious",
        "Quote P / R / F1 over a minimum record score",
        "QUOTE span edges",
        "Word-token labels: gold (rows) vs predicted (columns)",
    ):
        assert f"<title>{title}" in page
    assert page.count("<svg ") == 6 and "<script" not in page


def test_comparison_rows_keep_gold_and_predicted_paragraphs_side_by_side(gold_documents):
    document = gold_documents[1]  # two paragraphs
    fragment = comparison_fragment(document.text, document.quotes, [as_prediction(document.quotes[0])])
    rows = re.findall(r'<div class="pair row"><div class="gold">(.*?)</div><div class="predicted">(.*?)</div></div>',
                      fragment)  # fmt: skip
    assert len(rows) == len(paragraphs_of(document.text)) == 2
    for (gold_cell, predicted_cell), (start, end) in zip(rows, paragraphs_of(document.text), strict=True):
        assert visible_text(gold_cell) == visible_text(predicted_cell) == document.text[start:end]


def test_comparison_numbers_a_matched_pair_once_and_spurious_records_after_gold(gold_documents):
    document = gold_documents[1]
    text = document.text
    start = text.index("General Valery Gerasimov spoke")
    spurious = QuoteRecord(contents=(ScoredSpan(start, start + 30, text[start : start + 30], 0.3),), score=0.3)
    matched = as_prediction(document.quotes[0])
    fragment = comparison_fragment(text, document.quotes, [spurious, matched])
    gold_side = "".join(re.findall(r'<div class="gold">(.*?)</div><div class="predicted">', fragment))
    predicted_side = "".join(re.findall(r'<div class="predicted">(.*?)</div></div>', fragment))
    assert re.findall(r"<sup[^>]*>(\d+)</sup>", gold_side) == ["1"]
    assert re.findall(r"<sup[^>]*>(\d+)</sup>", predicted_side) == ["2", "1"]  # spurious (first in text) is 2
    assert (
        '<span class="score" title="quote 2: record score">0.30</span> <span class="flag">spurious</span>'
        in predicted_side
    )


def test_render_document_html_shows_scores_a_heading_and_paragraphs():
    text = "Putin spoke.\n‘We will win,’ he said.\nNothing else."
    start = text.index("‘")
    record = QuoteRecord(
        contents=(ScoredSpan(start, start + 14, text[start : start + 14], 0.81),),
        sources=(ScoredSpan(start + 15, start + 17, "he", 0.66),),
        score=0.74,
    )
    page = render_document_html(text, [record], title="t")
    assert "<h2>Quotes found (1)</h2>" in page
    assert '<span class="score" title="record score">0.74</span>' in page
    assert 'title="QUOTE 1 (0.81)"' in page and 'title="SPEAKER 1 (0.66)"' in page  # span scores on hover
    assert page.count('<span class="para">') == 3  # one block per line of the text
    assert "<h2>Quotes found (0)</h2>" in render_document_html(text, [])


def test_render_report_html_shows_the_comparison_with_an_earlier_run(gold_documents):
    perfect = [[as_prediction(q) for q in d.quotes] for d in gold_documents]
    before = score(gold_documents, perfect).to_dict()
    worse = [list(p) for p in perfect]
    worse[0] = []
    report = score(gold_documents, worse)
    report.comparison = compare(report, before, against="old/report.json")
    assert report.comparison["metrics"]["quote_f1"] == {"before": 1.0, "now": 0.8, "delta": -0.2}
    assert report.comparison["documents"][0] == {"id": "direct", "before": 1.0, "now": 0.0, "delta": -1.0}
    page = render_report_html(report)
    assert "Compared with old/report.json" in page
    assert '<td>direct</td><td>1.000</td><td>0.000</td><td class="down">-1.000</td>' in page
