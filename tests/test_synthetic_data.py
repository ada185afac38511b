"""The synthetic news set: its JSONL is what its markup says, and its splits share no article and no sentence."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from quotes.data import read_documents, shared_sentences

ROOT = Path(__file__).resolve().parent.parent
SYNTHETIC = ROOT / "data" / "annotations" / "synthetic"
sys.path.insert(0, str(ROOT / "scripts"))

from build_synthetic import MarkupError, parse_markup  # noqa: E402


def test_committed_jsonl_is_what_the_markup_gives():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_synthetic.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_splits_share_no_article_and_no_sentence():
    train, dev = read_documents(SYNTHETIC / "train.jsonl"), read_documents(SYNTHETIC / "dev.jsonl")
    assert len(train) + len(dev) >= 80
    assert sum(len(d.quotes) for d in train + dev) >= 600
    assert not {d.id for d in train} & {d.id for d in dev}
    assert shared_sentences(train, dev) == set()
    seed_test = read_documents(ROOT / "data" / "annotations" / "splits" / "test.jsonl")
    assert shared_sentences(train, seed_test) == set()


def test_markup_gives_exact_offsets_for_nested_and_shared_spans():
    document = parse_markup(
        "⟦S1;R2 Ama Osei⟧ ⟦C1 said⟧ ⟦Q1 that it was late⟧. ⟦Q2 “Go,”⟧ ⟦S2,3 she⟧ ⟦C2 said⟧, and ⟦C3 added⟧ "
        "⟦Q3 that Dr ⟦R4 Ines Varga⟧ agreed⟧. ⟦S4 He⟧ ⟦C4 denied⟧ ⟦Q4 it⟧.",
        "example",
    )
    text = document.text
    assert text == "Ama Osei said that it was late. “Go,” she said, and added that Dr Ines Varga agreed. He denied it."
    first, second, third, fourth = document.quotes
    assert (first.sources[0].text, first.cue.text, first.contents[0].text) == ("Ama Osei", "said", "that it was late")
    assert second.coreferences[0] == first.sources[0] and second.sources == third.sources
    assert fourth.coreferences[0].text == "Ines Varga"
    assert all(text[s.start : s.end] == s.text for q in document.quotes for _, s in q.labelled_spans())


@pytest.mark.parametrize(
    "markup, problem",
    [
        ("⟦Q1 open", "never closed"),
        ("closed⟧", "closes nothing"),
        ("⟦X1 bad⟧", "bad roles"),
        ("⟦S1 who⟧", "no content"),
    ],
)
def test_markup_mistakes_are_named(markup, problem):
    with pytest.raises(MarkupError, match=problem):
        parse_markup(markup, "broken")
