"""scripts/attribution_errors.py: which class a by-name error falls in, from the record and the tagger's spans."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from quotes.schema import Quote, ScoredSpan
from tests.helpers import span_at

_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "attribution_errors.py"
_spec = importlib.util.spec_from_file_location("attribution_errors_classes", _SCRIPT)
attribution_errors = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(attribution_errors)

TEXT = "Leroy Cain, the manager, said that the team is ready, NASA added."
GOLD = Quote(
    contents=(span_at(TEXT, "that the team is ready"),),
    sources=(span_at(TEXT, "Leroy Cain"),),
    cue=span_at(TEXT, "said"),
)


def tagged(snippet: str) -> tuple[str, ScoredSpan]:
    span = span_at(TEXT, snippet)
    return "SPEAKER", ScoredSpan(span.start, span.end, span.text, 0.9)


@pytest.mark.parametrize(
    ("sources", "spans", "error"),
    [
        pytest.param((), [], "no speaker span predicted", id="nothing-tagged"),
        pytest.param((), [tagged("Leroy Cain")], "speaker predicted but not linked", id="tagged-not-linked"),
        pytest.param(
            (span_at(TEXT, "the manager"),),
            [tagged("Leroy Cain"), tagged("the manager")],
            "speaker predicted but not linked",
            id="tagged-other-linked",
        ),
        pytest.param((span_at(TEXT, "NASA"),), [tagged("NASA")], "wrong speaker linked", id="wrong-linked"),
    ],
)
def test_error_class_tells_the_tagger_from_the_linker(sources, spans, error):
    predicted = Quote(contents=GOLD.contents, sources=sources, cue=GOLD.cue)

    assert not attribution_errors.right_by_name(GOLD, predicted)
    assert attribution_errors.error_class(GOLD, predicted, spans) == error


def test_error_class_spurious_and_surname():
    no_source = Quote(contents=GOLD.contents, cue=GOLD.cue)
    predicted = Quote(contents=GOLD.contents, sources=(span_at(TEXT, "NASA"),), cue=GOLD.cue)
    assert attribution_errors.error_class(no_source, predicted, []) == "spurious speaker"

    pronoun_gold = Quote(
        contents=GOLD.contents, sources=(span_at(TEXT, "Cain"),), cue=GOLD.cue, coreferences=(span_at(TEXT, "Leroy"),)
    )
    surname = Quote(contents=GOLD.contents, sources=(span_at(TEXT, "Cain"),), cue=GOLD.cue)
    assert attribution_errors.error_class(pronoun_gold, surname, []) == "surname not expanded"
