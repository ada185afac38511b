"""Write the leak-free seed split to data/annotations/splits/{train,test}.jsonl.

The short seed article repeats most sentences of the long one. The test split is every paragraph block of the long
article that shares no sentence with the short one; the training split is the short article plus the rest of the
long one, less any block that shares a sentence with the test split. tests/test_seed_split.py checks that the
committed files are exactly what this script writes and that no sentence occurs in both.

    python scripts/make_seed_split.py [--check]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from quotes.data import leak_free_split, read_documents, shared_sentences
from quotes.schema import Document, write_documents

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "annotations" / "seed"
SPLITS = ROOT / "data" / "annotations" / "splits"
LONG, SHORT = "000_ffa0236e68dfa46f", "003_8b1ae2b3cf817a52"


def seed_split() -> tuple[list[Document], list[Document]]:
    """(train, test) documents of the seed split."""
    documents = {d.id: d for d in read_documents(SEED)}
    test, _ = leak_free_split([documents[LONG]], [documents[SHORT]])
    train, _ = leak_free_split([documents[SHORT], documents[LONG]], test)
    return train, test


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed files differ")
    args = parser.parse_args()
    train, test = seed_split()
    if shared_sentences(train, test):
        print("leak: sentences in both splits", file=sys.stderr)
        return 1
    if args.check:
        same = read_documents(SPLITS / "train.jsonl") == train and read_documents(SPLITS / "test.jsonl") == test
        print("splits are up to date" if same else "splits differ: run python scripts/make_seed_split.py")
        return 0 if same else 1
    write_documents(train, SPLITS / "train.jsonl")
    write_documents(test, SPLITS / "test.jsonl")
    for name, docs in (("train", train), ("test", test)):
        quotes = sum(len(d.quotes) for d in docs)
        chars = sum(len(d.text) for d in docs)
        print(f"{name}: {len(docs)} documents, {quotes} quotes, {chars:,} characters")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
