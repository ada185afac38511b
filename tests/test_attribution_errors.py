"""Tests for scripts/attribution_errors.py: the "by name" rule and the error classes, on hand-made records."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from quotes.schema import Quote, Span
from tests.helpers import span_at

_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "attribution_errors.py"
_spec = importlib.util.spec_from_file_location("attribution_errors", _SCRIPT)
attribution_errors = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(attribution_errors)

TEXT = "Fritz Henderson arrived. ‘We will recover,’ he said."


def span(snippet: str, start: int = 0) -> Span:
    return span_at(TEXT, snippet, start)


GOLD = Quote(
    contents=(span("‘We will recover,’"),),
    sources=(span("he"),),
    cue=span("said"),
    coreferences=(span("Fritz Henderson"),),
)


@pytest.mark.parametrize(
    ("coreferences", "right", "error"),
    [
        pytest.param((span("Fritz Henderson"),), True, None, id="resolved"),
        pytest.param((), False, "pronoun unresolved", id="unresolved"),
        pytest.param((span("Henderson"),), True, None, id="overlapping-name"),
    ],
)
def test_right_by_name_needs_the_gold_name(coreferences, right, error):
    predicted = Quote(contents=GOLD.contents, sources=GOLD.sources, cue=GOLD.cue, coreferences=coreferences)
    assert attribution_errors.right_by_name(GOLD, predicted) is right
    if error:
        assert attribution_errors.error_class(GOLD, predicted) == error


def test_name_key_ignores_case_spacing_and_possessive():
    assert attribution_errors.name_key("Fritz  HENDERSON’s") == attribution_errors.name_key("fritz henderson")


def test_main_oracle_on_a_gold_file(tmp_path, capsys):
    gold = tmp_path / "gold.jsonl"
    document = {"id": "d1", "text": TEXT, "quotes": [GOLD.to_dict()], "url": "ignored metadata"}
    gold.write_text(json.dumps(document) + "\n")
    out = tmp_path / "figures.json"

    assert attribution_errors.main([str(gold), "--model", "oracle", "--json", str(out)]) == 0
    figures = json.loads(out.read_text())
    assert figures["attribution_by_name_accuracy"] == 1.0 and figures["gold_with_coreference_right_by_name"] == 1
    assert "attribution errors by name: 0 of 1" in capsys.readouterr().out


def test_main_bad_path_is_exit_2(tmp_path, capsys):
    assert attribution_errors.main([str(tmp_path / "missing.json"), "--model", "oracle"]) == 2
    assert capsys.readouterr().err.startswith("quotes: error:")
