"""Build the synthetic news set's gold JSONL from its annotated markup (``data/annotations/synthetic/markup/*.txt``).

Markup: the article text with every annotated span written ``⟦ROLES text⟧``. ROLES are one or more roles separated
by ``;``, each a letter and the numbers of the records it belongs to: ``Q`` content (QUOTE), ``S`` source (SPEAKER),
``C`` cue (CUE), ``R`` coreference. ``⟦S1;R3 Ama Osei⟧`` is the source of record 1 and the coreference of
record 3; ``⟦S2,3 She⟧`` is the source of records 2 and 3. Spans may nest (a coreference mention inside another
record's content). Record numbers are local to a file; records are written in order of their first content span.

    python scripts/build_synthetic.py            # writes data/annotations/synthetic/{train,dev}.jsonl
    python scripts/build_synthetic.py --check    # exit 1 if the JSONL files are not what the markup gives

Every 8th article (in file-name order, starting with the 4th) goes to the dev split; no article is in both.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from quotes.schema import Document, Quote, Span, validate_document, write_documents

ROOT = Path(__file__).resolve().parents[1] / "data" / "annotations" / "synthetic"
OPEN, CLOSE = "⟦", "⟧"
_ROLES = re.compile(r"([QSCR])(\d+(?:,\d+)*)")
DEV_EVERY, DEV_OFFSET = 8, 3


class MarkupError(ValueError):
    pass


def parse_markup(markup: str, doc_id: str) -> Document:
    """The document a markup text describes: plain text and its quote records."""
    text: list[str] = []
    stack: list[tuple[int, list[tuple[str, int]], int]] = []  # (start in text, roles, markup position)
    spans: list[tuple[str, int, Span]] = []  # (role, record, span)
    i = 0
    length = 0
    while i < len(markup):
        char = markup[i]
        if char == OPEN:
            head_end = markup.find(" ", i)
            if head_end < 0:
                raise MarkupError(f"{doc_id}: '{OPEN}' at {i} has no roles")
            roles = []
            for part in markup[i + 1 : head_end].split(";"):
                match = _ROLES.fullmatch(part)
                if not match:
                    raise MarkupError(f"{doc_id}: bad roles {markup[i + 1 : head_end]!r} at markup offset {i}")
                roles += [(match.group(1), int(n)) for n in match.group(2).split(",")]
            stack.append((length, roles, i))
            i = head_end + 1
        elif char == CLOSE:
            if not stack:
                raise MarkupError(f"{doc_id}: '{CLOSE}' at markup offset {i} closes nothing")
            start, roles, _ = stack.pop()
            plain = "".join(text)
            span = Span.from_text(plain, start, length)
            if not span.text or span.text != span.text.strip():
                raise MarkupError(f"{doc_id}: span {span.text!r} is empty or has outer whitespace")
            spans += [(role, record, span) for role, record in roles]
            i += 1
        else:
            text.append(char)
            length += 1
            i += 1
    if stack:
        raise MarkupError(f"{doc_id}: '{OPEN}' at markup offset {stack[-1][2]} is never closed")
    plain = "".join(text)
    records: dict[int, dict[str, list[Span]]] = {}
    for role, record, span in spans:
        records.setdefault(record, {"Q": [], "S": [], "C": [], "R": []})[role].append(span)
    quotes = []
    for number, parts in records.items():
        if not parts["Q"]:
            raise MarkupError(f"{doc_id}: record {number} has no content (Q) span")
        if len(parts["C"]) > 1:
            raise MarkupError(f"{doc_id}: record {number} has {len(parts['C'])} cues")
        order = sorted
        quotes.append(
            Quote(
                contents=tuple(order(parts["Q"], key=lambda s: s.start)),
                sources=tuple(order(parts["S"], key=lambda s: s.start)),
                cue=parts["C"][0] if parts["C"] else None,
                coreferences=tuple(order(parts["R"], key=lambda s: s.start)),
            )
        )
    quotes.sort(key=lambda q: (q.contents[0].start, q.contents[0].end))
    document = Document(id=doc_id, text=plain, quotes=tuple(quotes))
    problems = validate_document(document)
    if problems:
        raise MarkupError("\n".join(str(p) for p in problems))
    return document


def build(root: Path = ROOT) -> dict[str, list[Document]]:
    files = sorted((root / "markup").glob("*.txt"))
    splits: dict[str, list[Document]] = {"train": [], "dev": []}
    for index, path in enumerate(files):
        document = parse_markup(path.read_text(encoding="utf-8"), path.stem)
        splits["dev" if index % DEV_EVERY == DEV_OFFSET else "train"].append(document)
    return splits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed JSONL instead of writing")
    parser.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args()
    try:
        splits = build(args.root)
    except MarkupError as error:
        print(f"build_synthetic: {error}", file=sys.stderr)
        return 2
    stale = []
    for name, documents in splits.items():
        target = args.root / f"{name}.jsonl"
        if args.check:
            import tempfile

            with tempfile.TemporaryDirectory() as tmp:
                fresh = write_documents(documents, Path(tmp) / target.name).read_bytes()
            if not target.is_file() or target.read_bytes() != fresh:
                stale.append(str(target))
        else:
            write_documents(documents, target)
        quotes = sum(len(d.quotes) for d in documents)
        print(f"{name}: {len(documents)} articles, {quotes} quote records")
    if stale:
        hint = "run python scripts/build_synthetic.py"
        print(f"build_synthetic: out of date: {', '.join(stale)}; {hint}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
