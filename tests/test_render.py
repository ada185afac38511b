"""HTML pages: every text escaped, the three span kinds highlighted, records numbered with their speaker."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from conftest import make_document

from quotes.evaluation import score
from quotes.render import document_fragment, render_comparison_html, render_document_html
from quotes.schema import Quote, QuoteRecord, ScoredSpan


def as_prediction(quote: Quote, **changes) -> QuoteRecord:
    def scored(span):
        return ScoredSpan(span.start, span.end, span.text, 0.9)

    fields = {
        "contents": tuple(map(scored, quote.contents)),
        "sources": tuple(map(scored, quote.sources)),
        "cue": scored(quote.cue) if quote.cue else None,
        "coreferences": tuple(map(scored, quote.coreferences)),
    }
    return QuoteRecord(**(fields | changes))


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
    assert '<span class="note">— he (Valery Gerasimov)</span>' in page
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


def test_report_to_html_has_metrics_then_each_document(gold_documents):
    predicted = [[as_prediction(q) for q in d.quotes] for d in gold_documents]
    predicted[2] = []
    report = score(gold_documents, predicted, name="runs/<seed>")
    report.baseline = score(gold_documents, [[], [], []], name="rules")
    page = report.to_html()
    assert "Quote extraction report: runs/&lt;seed&gt;" in page
    assert "<th>Baseline (rules)</th><th>Δ</th>" in page
    assert "<td>Quote F1</td><td>0.800</td><td>0.000</td><td>+0.800</td>" in page
    assert page.index('<table class="headline">') < page.index("<h2>direct</h2>") < page.index("<h2>indirect</h2>")
    assert '<span class="flag">missed</span>' in page
