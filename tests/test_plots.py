"""Report plots: well-formed standalone SVG for any report, empty ones included, every name escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from quotes.plots import report_plots
from quotes.report import score
from quotes.schema import QuoteRecord, ScoredSpan

SVG = "{http://www.w3.org/2000/svg}"


def test_report_plots_are_well_formed_svg_with_titles(gold_documents):
    predicted = [[] for _ in gold_documents]
    text = gold_documents[0].text
    predicted[0] = [QuoteRecord(contents=(ScoredSpan(0, 3, text[:3], 0.4),), score=0.4)]  # one spurious record
    report = score(gold_documents, predicted, name="<model & co>")
    report.baseline = score(gold_documents, [[] for _ in gold_documents], name="rules")
    plots = report_plots(report)
    assert sorted(plots) == ["confusion.svg", "documents.svg", "edges.svg", "labels.svg", "scores.svg", "threshold.svg"]
    for name, svg in plots.items():
        root = ET.fromstring(svg)  # raises on unescaped text or broken markup
        assert root.tag == f"{SVG}svg" and root.get("viewBox"), name
        assert root.find(f"{SVG}title").text
    assert "&lt;model &amp; co&gt;" in plots["labels.svg"]
    bars = ET.fromstring(plots["edges.svg"]).findall(f".//{SVG}rect[{SVG}title]")
    assert {bar.find(f"{SVG}title").text.split(": ")[1] for bar in bars} >= {
        "missed 4",
        "spurious 1",
    }  # four gold QUOTE spans, one unmatched prediction


def test_report_plots_of_nothing_say_so():
    plots = report_plots(score([], []))
    assert "no predicted records" in plots["scores.svg"] and "no predicted records" in plots["threshold.svg"]
    assert "no document has gold or predicted quotes" in plots["documents.svg"]
    for svg in plots.values():
        ET.fromstring(svg)
