"""Builders the test modules share: spans and records from substrings (offsets are found, never typed).

``make_document`` builds gold documents, ``find`` and ``record`` predicted spans and records, ``as_prediction``
turns a gold record into a perfect prediction, and ``texts`` reads a record back as plain strings.
``put_in_hub_cache`` stores a model folder in a local Hub cache, the stand-in for the Hub.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

from quotes.schema import Document, Quote, QuoteRecord, ScoredSpan, Span


def make_document(doc_id: str, text: str, *records: dict) -> Document:
    """A gold document from records given as substrings: ``{"contents": [...], "sources": [...], "cue": ...}``.

    Each substring may be ``(text, occurrence)`` to pick a later occurrence. Offsets are found, never typed.
    """

    def span(item) -> Span:
        needle, occurrence = (item, 0) if isinstance(item, str) else item
        pattern = (r"\b" if needle[0].isalnum() else "") + re.escape(needle) + (r"\b" if needle[-1].isalnum() else "")
        match = list(re.finditer(pattern, text))[occurrence]
        return Span(match.start(), match.end(), needle)

    quotes = []
    for record in records:
        quotes.append(
            Quote(
                contents=tuple(span(c) for c in record["contents"]),
                sources=tuple(span(s) for s in record.get("sources", ())),
                cue=span(record["cue"]) if record.get("cue") else None,
                coreferences=tuple(span(c) for c in record.get("coreferences", ())),
            )
        )
    return Document(doc_id, text, tuple(quotes))


def span_at(text: str, needle: str, start: int = 0) -> Span:
    """The gold span of the first ``needle`` in ``text`` at or after ``start`` (anywhere, even inside a word)."""
    begin = text.index(needle, start)
    return Span(begin, begin + len(needle), needle)


def find(text: str, needle: str, occurrence: int = 0) -> ScoredSpan:
    """A predicted span (score 0.9) of a whole-word occurrence of ``needle`` ("he" is not the end of "the")."""
    matches = list(re.finditer(rf"(?<!\w){re.escape(needle)}(?!\w)", text))
    assert len(matches) > occurrence, f"{needle!r} is not {occurrence + 1} time(s) in {text!r}"
    match = matches[occurrence]
    return ScoredSpan(match.start(), match.end(), needle, 0.9)


def record(text: str, contents, sources=(), cue=None, coreferences=()) -> QuoteRecord:
    """A predicted record from substrings of ``text``; each may be ``(substring, occurrence)``."""

    def spans(items) -> tuple[ScoredSpan, ...]:
        return tuple(find(text, *((i, 0) if isinstance(i, str) else i)) for i in items)

    return QuoteRecord(
        contents=spans(contents),
        sources=spans(sources),
        cue=find(text, cue) if cue else None,
        coreferences=spans(coreferences),
    )


def as_prediction(quote: Quote, **changes) -> QuoteRecord:
    """The gold record as a prediction with every span scored 0.9; ``changes`` replace fields."""

    def scored(span: Span) -> ScoredSpan:
        return ScoredSpan(span.start, span.end, span.text, 0.9)

    fields = {
        "contents": tuple(map(scored, quote.contents)),
        "sources": tuple(map(scored, quote.sources)),
        "cue": scored(quote.cue) if quote.cue else None,
        "coreferences": tuple(map(scored, quote.coreferences)),
    }
    return QuoteRecord(**(fields | changes))


def texts(record: Quote | QuoteRecord) -> tuple[list[str], list[str], str | None]:
    """A record's content texts, source texts and cue text, to compare records without offsets or scores."""
    return [c.text for c in record.contents], [s.text for s in record.sources], record.cue.text if record.cue else None


def seeded_tiny_model(directory: Path) -> Path:
    """``conftest.build_tiny_model`` with weights from seed 0 and 64-token windows (its position table holds 128).

    The session's ``tiny_model_dir`` draws its weights from whatever the random state is when it is first used;
    with some draws it finds no span in these texts, which would make the comparisons below vacuous.
    """
    import torch
    from conftest import build_tiny_model

    with torch.random.fork_rng():
        torch.manual_seed(0)
        build_tiny_model(directory)
    (directory / "quotes.json").write_text(json.dumps({"max_length": 64, "stride": 16}), encoding="utf-8")
    return directory


def put_in_hub_cache(cache: Path, repo_id: str, folder: Path, revision: str = "main") -> str:
    """Store ``folder`` as a commit of ``repo_id`` the way ``huggingface_hub`` caches a download; return its hash.

    ``models--org--name/blobs/<sha256>`` holds each file once, ``snapshots/<commit>/<path>`` links to the blob
    (relative symlinks), and ``refs/<revision>`` names the commit.
    """
    storage = cache / ("models--" + repo_id.replace("/", "--"))
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    commit = hashlib.sha1(b"".join(p.read_bytes() for p in files)).hexdigest()
    for file in files:
        blob = storage / "blobs" / hashlib.sha256(file.read_bytes()).hexdigest()
        blob.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, blob)
        link = storage / "snapshots" / commit / file.relative_to(folder)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(os.path.relpath(blob, link.parent))
    (storage / "refs").mkdir(exist_ok=True)
    (storage / "refs" / revision).write_text(commit)
    return commit
