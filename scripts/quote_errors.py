"""Spurious and missed quote records by class: what keeps quote F1 down, and which linker rule could fix it.

Usage:
    python scripts/quote_errors.py DATA [DATA ...] --model MODEL_DIR [--spans-cache FILE] [--keep-fragments]
        [--attributions all|communication] [--min-score X] [--examples 3] [--json FILE]

The model's spans come from ``scripts/attribution_errors.py``'s ``predicted_spans`` (its ``--spans-cache`` files
are shared, so the model runs once per set). They are linked as ``quotes evaluate`` links them, with the model's
saved ``predict.attributions`` and ``predict.min_score`` unless given here; ``--keep-fragments`` links with
``drop_fragments=False`` (rule 9 of :func:`quotes.linking.link` off). Records are paired with gold as
``quotes evaluate`` pairs them (:func:`quotes.metrics.match_quotes`).

Classes of a spurious record (a predicted record paired with no gold record), first that applies:

- ``title line``: no cue, and its line ends with no sentence punctuation (headline, caption);
- ``lone word``: one one-word content, no source;
- ``cue-less fragment``: no cue and no source;
- ``cue-less, speaker only``: no cue, a source (rule 6a of the linker);
- ``not communication``: its cue is no act of communication (:func:`quotes.lexicon.is_communication_cue`:
  ``fears``, ``shows``, ``blocked``);
- ``negated cue``: ``not``/``never``/``n't`` right before the cue (``has not claimed``);
- ``inside a gold content``: its content overlaps a gold content that another record took (a nested attribution
  counted twice, or a content split into two records);
- ``cued, no gold``: the rest (a communication the annotators did not mark, or a gold miss: read the examples).

Classes of a missed gold record: ``belief or thought (gold)`` when the gold cue is no communication cue (PolNeAR
marks these); ``content tagged, taken by another record`` when a predicted record's content overlaps it;
otherwise by the gold content's form: ``direct``, ``that/wh clause``, ``to-infinitive``, ``noun phrase``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path

from quotes.lexicon import is_communication_cue
from quotes.linking import link
from quotes.metrics import match_quotes
from quotes.text import QUOTE_MARKS

_SPEC = importlib.util.spec_from_file_location("attribution_errors", Path(__file__).with_name("attribution_errors.py"))
attribution_errors = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(attribution_errors)

SPURIOUS = (
    "title line",
    "lone word",
    "cue-less fragment",
    "cue-less, speaker only",
    "not communication",
    "negated cue",
    "inside a gold content",
    "cued, no gold",
)
MISSED = (
    "belief or thought (gold)",
    "content tagged, taken by another record",
    "direct",
    "that/wh clause",
    "to-infinitive",
    "noun phrase",
)
_NEGATION = re.compile(r"(?:\b(?:not|never)|n['’]t)\s+$", re.IGNORECASE)
_CLAUSE = frozenset({"that", "whether", "if", "how", "why", "what", "when", "where", "who"})
_ENDS = ".!?:;…" + QUOTE_MARKS


def _overlaps(a, b) -> bool:
    return a.start < b.end and b.start < a.end


def spurious_class(text: str, record, gold_records) -> str:
    """The class of a predicted record paired with no gold record (see the module docstring)."""
    first = record.contents[0]
    if record.cue is None:
        line_start = text.rfind("\n", 0, first.start) + 1
        line_end = text.find("\n", first.start)
        line = text[line_start : line_end if line_end >= 0 else len(text)].rstrip()
        if line and line[-1] not in _ENDS:
            return "title line"
    if not record.sources and len(record.contents) == 1 and len(first.text.split()) == 1:
        return "lone word"
    if record.cue is None:
        return "cue-less, speaker only" if record.sources else "cue-less fragment"
    if not is_communication_cue(record.cue.text):
        return "not communication"
    if _NEGATION.search(text[max(0, record.cue.start - 12) : record.cue.start]):
        return "negated cue"
    if any(_overlaps(c, g) for c in record.contents for gold in gold_records for g in gold.contents):
        return "inside a gold content"
    return "cued, no gold"


def missed_class(gold, records) -> str:
    """The class of a gold record paired with no predicted record."""
    if gold.cue is not None and not is_communication_cue(gold.cue.text):
        return "belief or thought (gold)"
    if any(_overlaps(c, g) for record in records for c in record.contents for g in gold.contents):
        return "content tagged, taken by another record"
    content = gold.contents[0].text.lstrip()
    word = content.split()[0].lower() if content.split() else ""
    if content[:1] in QUOTE_MARKS:
        return "direct"
    if word in _CLAUSE:
        return "that/wh clause"
    return "to-infinitive" if word == "to" else "noun phrase"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="+", help="gold documents: .json/.jsonl files or folders, BRAT folders")
    parser.add_argument("--model", required=True, help="a model directory")
    parser.add_argument("--spans-cache", type=Path, help="save the model's spans here, or read them if it exists")
    parser.add_argument("--keep-fragments", action="store_true", help="link with drop_fragments=False")
    parser.add_argument("--attributions", choices=("all", "communication"), help="default: the model's setting")
    parser.add_argument("--min-score", type=float, help="default: the model's predict.min_score")
    parser.add_argument("--examples", type=int, default=3, help="errors printed per class")
    parser.add_argument("--json", type=Path, help="also write the counts and every error here")
    args = parser.parse_args(argv)
    if not Path(args.model).is_dir():
        print(f"quotes: error: --model {args.model}: not a model directory", file=sys.stderr)
        return 2
    try:
        documents = attribution_errors.read_gold(args.data)
        spans, extractor = attribution_errors.predicted_spans(args.model, documents, args.spans_cache)
    except ValueError as error:
        print(f"quotes: error: {error}", file=sys.stderr)
        return 2
    attributions = args.attributions or getattr(extractor, "attributions", "all")
    min_score = args.min_score if args.min_score is not None else (getattr(extractor, "min_score", None) or 0.0)

    counts = {"gold": 0, "predicted": 0, "matched": 0}
    spurious: Counter[str] = Counter()
    missed: Counter[str] = Counter()
    errors: list[dict] = []
    for document, doc_spans in zip(documents, spans, strict=True):
        records = link(document.text, doc_spans, drop_fragments=not args.keep_fragments) if doc_spans else []
        if attributions == "communication":
            records = [r for r in records if r.cue is None or is_communication_cue(r.cue.text)]
        records = [r for r in records if r.score >= min_score]
        pairs = match_quotes(document.quotes, records)
        counts["gold"] += len(document.quotes)
        counts["predicted"] += len(records)
        counts["matched"] += len(pairs)
        paired_gold = {g for g, _ in pairs}
        paired = {p for _, p in pairs}
        for index, record in enumerate(records):
            if index not in paired:
                kind = spurious_class(document.text, record, document.quotes)
                spurious[kind] += 1
                errors.append(_error("spurious", kind, document, record))
        for index, gold in enumerate(document.quotes):
            if index not in paired_gold:
                kind = missed_class(gold, records)
                missed[kind] += 1
                errors.append(_error("missed", kind, document, gold))

    total = counts["gold"] + counts["predicted"]
    counts["quote_f1"] = round(2 * counts["matched"] / total, 3) if total else 0.0
    print(f"{args.model} on {', '.join(args.data)} (attributions {attributions}, min_score {min_score})")
    print("  " + ", ".join(f"{key} {value}" for key, value in counts.items()))
    for title, classes, found in (("spurious", SPURIOUS, spurious), ("missed", MISSED, missed)):
        print(f"{title}: {sum(found.values())}")
        for kind in classes:
            print(f"  {kind}: {found[kind]}")
    for error in errors:
        shown = [e for e in errors if (e["type"], e["class"]) == (error["type"], error["class"])]
        if error is shown[0] and args.examples:
            print(f"\n{error['type']}, {error['class']}:")
            for example in shown[: args.examples]:
                print(f"  [{example['document']}] ...{example['before']}[[{example['content']}]]")
    if args.json is not None:
        figures = {**counts, "spurious": dict(spurious), "missed": dict(missed), "errors": errors}
        args.json.write_text(json.dumps(figures, indent=1, ensure_ascii=False))
    return 0


def _error(kind: str, name: str, document, record) -> dict:
    first = record.contents[0]
    return {
        "type": kind,
        "class": name,
        "document": document.id,
        "before": document.text[max(0, first.start - 50) : first.start].replace("\n", " "),
        "content": " || ".join(span.text for span in record.contents)[:120],
        "cue": record.cue.text if record.cue else None,
        "sources": [span.text for span in record.sources],
    }


if __name__ == "__main__":
    sys.exit(main())
