"""Read a PolNeAR (BRAT standoff) directory with quotes.formats and print its counts and the reading time.

Usage: python scripts/polnear_stats.py [--warnings] PATH [PATH ...]   (e.g. a checkout's data/train)

For each directory and each ``attributions`` setting it prints documents, records and spans per kind, what was
ignored by design, what was repaired (see ``quotes.formats.read_brat``; ``--warnings`` lists each repair) and the
seconds the read took, then the cues most often removed by the communication filter.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter

from quotes.formats import WARNING_COUNTS, scan_brat
from quotes.lexicon import is_communication_cue


def _section(title: str, counts: Counter[str], prefix: str) -> None:
    items = sorted((key, value) for key, value in counts.items() if key.startswith(prefix) and value)
    if items:
        print(f"  {title}: " + ", ".join(f"{key[len(prefix) :]}={value}" for key, value in items))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="directories of <name>.txt + <name>.ann pairs")
    parser.add_argument("--warnings", action="store_true", help="list every repaired annotation slip")
    args = parser.parse_args(argv)
    status = 0
    for path in args.paths:
        for attributions in ("all", "communication"):
            started = time.perf_counter()
            report = scan_brat(path, attributions=attributions)
            seconds = time.perf_counter() - started
            counts = report.counts
            print(f"{path} attributions={attributions}: read in {seconds:.2f} s")
            if report.errors:
                print(f"  {len(report.errors)} errors, first: {report.errors[0]}")
                status = 2
            print(
                f"  documents={counts['documents']} records={counts['records']} "
                f"filtered.not_communication={counts['filtered.not_communication']}"
            )
            _section("spans", counts, "spans.")
            _section("records", counts, "records.")
            _section("annotation lines", counts, "lines.")
            _section("T lines by kind", counts, "kind.")
            _section("discontinuous T lines", counts, "discontinuous.")
            _section("merged", counts, "merged.")
            _section("ignored (INFO)", counts, "ignored.")
            print("  repaired (WARNING): " + ", ".join(f"{key}={counts[key]}" for key in WARNING_COUNTS))
            if args.warnings:
                for issue in report.warnings:
                    print(f"    {issue}")
            if attributions == "all":
                cues = (q.cue.text.lower() for d in report.documents for q in d.quotes if q.cue is not None)
                dropped = Counter(cue for cue in cues if not is_communication_cue(cue))
                print("  cues the communication filter drops, most common: " + repr(dropped.most_common(25)))
    return status


if __name__ == "__main__":
    sys.exit(main())
