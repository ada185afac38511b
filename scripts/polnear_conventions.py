"""How PolNeAR's span boundaries differ from our guidelines: spans each conversion rule changes, of how many.

Usage: python scripts/polnear_conventions.py [--attributions all|communication] [--examples N] [PATH]
       (PATH defaults to $POLNEAR_DIR/train)

Reads the BRAT directory twice, as PolNeAR has it (``conventions="source"``) and converted to our guidelines
(``"guidelines"``, :mod:`quotes.conventions`), and prints a Markdown table: each rule, the spans it changed and
the spans of that kind it looked at (records, for a dropped record). Below it, differences measured but left
alone because no rule of the guidelines decides them one way. ``--examples N`` prints N changes per rule.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from collections import Counter, defaultdict

from quotes.brat import scan_brat
from quotes.conventions import RULE_NAMES, is_negated
from quotes.schema import Document
from quotes.text import CLOSING_QUOTE_MARKS, OPENING_QUOTE_MARKS

_KIND = {"content": "QUOTE", "source": "SPEAKER", "cue": "CUE", "record": "records"}


def _left_alone(documents: list[Document]) -> Counter[str]:
    """Differences from the guidelines that the conversion leaves (measured on converted documents)."""
    counts: Counter[str] = Counter()
    for document in documents:
        for quote in document.quotes:
            if quote.cue is not None and len(quote.cue.text.split()) >= 3:
                counts["cue of 3+ words (an object or adjunct: `said at a town hall Thursday`)"] += 1
            for source in quote.sources:
                if ", " in source.text:
                    counts["speaker with a comma left (lists, places, `Her father, Brad`)"] += 1
            for content in quote.contents:
                if content.text[0] in OPENING_QUOTE_MARKS and content.text[-1] not in CLOSING_QUOTE_MARKS:
                    counts["direct quote without its closing mark (runs on, or split mid-quote)"] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.path.join(os.environ["POLNEAR_DIR"], "train") if "POLNEAR_DIR" in os.environ else None
    parser.add_argument("path", nargs="?", default=default, help="a folder of BRAT pairs (default $POLNEAR_DIR/train)")
    parser.add_argument("--attributions", choices=("all", "communication"), default="all")
    parser.add_argument("--examples", type=int, default=0, metavar="N", help="print N changes per rule")
    args = parser.parse_args(argv)
    if args.path is None:
        parser.error("give a PolNeAR folder, or set POLNEAR_DIR")
    source = scan_brat(args.path, attributions=args.attributions)
    converted = scan_brat(args.path, attributions=args.attributions, conventions="guidelines")
    if source.errors or converted.errors:
        print(f"quotes: error: {args.path}: {len(source.errors)} errors, first: {source.errors[0]}", file=sys.stderr)
        return 2
    totals = Counter(source.counts)
    negated = sum(1 for d in source.documents for q in d.quotes if q.cue is not None and is_negated(q.cue.text))
    documents, records = totals["documents"], totals["records"]
    print(f"{args.path} (attributions={args.attributions}): {documents} documents, {records} records")
    print()
    print("| rule | spans changed | of | % | skipped (would overlap) |")
    print("|---|---:|---:|---:|---:|")
    for rule in RULE_NAMES:
        kind = _KIND[rule.split(".")[0]]
        total = totals["records"] if kind == "records" else totals[f"spans.{kind}"]
        changed = converted.counts[f"conventions.{rule}"]
        skipped = converted.counts[f"conventions.skipped.{rule}"]
        label = f"{rule} ({'records' if kind == 'records' else kind})"
        print(f"| {label} | {changed} | {total} | {100 * changed / max(total, 1):.1f} | {skipped} |")
    print()
    print(f"records with a negated cue: {negated}; after conversion: {converted.counts['records']} records")
    print()
    print("Left alone (no rule of the guidelines decides them), counted after conversion:")
    for what, count in sorted(_left_alone(converted.documents).items()):
        print(f"- {what}: {count}")
    if args.examples:
        by_rule: dict[str, list[str]] = defaultdict(list)
        for issue in converted.conventions:
            by_rule[issue.problem.split(":", 1)[0]].append(f"{issue.document}: {issue.problem}")
        rng = random.Random(0)
        for rule in sorted(by_rule):
            print(f"\n{rule}:")
            for line in rng.sample(by_rule[rule], min(args.examples, len(by_rule[rule]))):
                print(f"  {line[:240]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
