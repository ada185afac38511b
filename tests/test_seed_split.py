"""The committed seed data: valid gold, and a split in which no sentence of the test set occurs in training."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from quotes.data import read_documents, sentence_keys, shared_sentences

ROOT = Path(__file__).resolve().parent.parent
SPLITS = ROOT / "data" / "annotations" / "splits"


def test_seed_annotations_are_valid_and_complete():
    read_documents(ROOT / "data" / "annotations")  # every committed gold file; raises on any invalid span
    seed = {d.id: d for d in read_documents(ROOT / "data" / "annotations" / "seed")}
    assert set(seed) == {"000_ffa0236e68dfa46f", "003_8b1ae2b3cf817a52"}
    assert 90 <= sum(len(d.quotes) for d in seed.values()) <= 120
    pronoun_records = [q for d in seed.values() for q in d.quotes if q.sources and q.sources[0].text.lower() == "he"]
    assert pronoun_records and all(q.coreferences for q in pronoun_records if q.sources[0].text == "he")


def test_seed_split_shares_no_sentence_between_train_and_test():
    train, test = read_documents(SPLITS / "train.jsonl"), read_documents(SPLITS / "test.jsonl")
    assert shared_sentences(train, test) == set()
    assert sum(len(d.quotes) for d in test) >= 30
    # the guard is not vacuous: the two seed articles themselves share many sentences
    seed = read_documents(ROOT / "data" / "annotations" / "seed")
    assert len(sentence_keys(seed[0].text) & sentence_keys(seed[1].text)) > 50


def test_committed_split_is_what_the_script_writes():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_seed_split.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
