"""End to end with the real offline encoder: train configs/seed.yaml, then predict and evaluate like a user.

Marked ``slow`` (a few minutes on 2 CPU cores); it is part of the README's test command and CI. Set
``QUOTES_E2E_OUTPUT=DIR`` to keep the trained model there (CI's quality gate evaluates that same model); the
``seed_model`` fixture lives in conftest.py so that tests/test_ci_template.py scores the same model.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from quotes import QuoteExtractor, read_documents
from quotes.evaluation import score

ROOT = Path(__file__).resolve().parent.parent
TEST_SPLIT = ROOT / "data" / "annotations" / "splits" / "test.jsonl"


@pytest.mark.slow
def test_seed_model_finds_the_quote_and_its_speaker(seed_model):
    extractor = QuoteExtractor.from_pretrained(seed_model)
    text = "‘The situation in the region is under control,’ Governor Alexei Smirnov said on Telegram."
    records = extractor.predict(text)
    assert records, "a plain direct quote with a cue and a named speaker is found"
    record = records[0]
    assert record.cue is not None and record.cue.text == "said"
    assert record.contents[0].text.startswith("‘The situation")
    assert all(span.text == text[span.start : span.end] for span in record.contents)


@pytest.mark.slow
def test_seed_model_beats_chance_on_the_unseen_test_split(seed_model):
    gold = read_documents(TEST_SPLIT)
    predicted = QuoteExtractor.from_pretrained(seed_model).predict([d.text for d in gold])
    report = score(gold, predicted).to_dict()
    # Measured 2026-11-23 (see model_card.md): quote F1 ~0.6, CUE exact F1 ~0.75. The bounds leave room for
    # run-to-run variation but fail on a broken pipeline (an untrained model scores ~0 on both).
    assert report["quotes"]["f1"] >= 0.4
    assert report["spans"]["CUE"]["exact"]["f1"] >= 0.5
