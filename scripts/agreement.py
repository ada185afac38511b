"""Inter-annotator agreement of the synthetic news set: the second annotation scored against the first.

    python scripts/agreement.py                       # data/annotations/synthetic/second/*.txt vs the markup
    python scripts/agreement.py --json agreement.json

Agreement is the F1 of one annotation against the other (symmetric: swapping them swaps precision and recall),
with the same measures as `quotes evaluate`: quote F1 (records matched by content overlap), attribution accuracy
and end-to-end F1, and Citron exact / overlap span F1 per label.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_synthetic import ROOT, parse_markup  # noqa: E402

from quotes.evaluation import score  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    second_files = sorted((ROOT / "second").glob("*.txt"))
    if not second_files:
        print("agreement: no second annotation in data/annotations/synthetic/second/", file=sys.stderr)
        return 2
    first, second = [], []
    for path in second_files:
        other = parse_markup(path.read_text(encoding="utf-8"), path.stem)
        mine = parse_markup((ROOT / "markup" / path.name).read_text(encoding="utf-8"), path.stem)
        if other.text != mine.text:
            print(f"agreement: {path.name}: the two annotations are of different texts", file=sys.stderr)
            return 2
        first.append(mine)
        second.append(other)
    report = score(first, [list(d.quotes) for d in second], name="second annotation").to_dict()
    figures = {
        "articles": len(first),
        "records": {"first": sum(len(d.quotes) for d in first), "second": sum(len(d.quotes) for d in second)},
        "quote_f1": report["quotes"]["f1"],
        "attribution_accuracy": report["attribution"]["accuracy"],
        "end_to_end_f1": report["end_to_end"]["f1"],
        **{f"{kind}_exact_f1": report["spans"][kind]["exact"]["f1"] for kind in ("QUOTE", "SPEAKER", "CUE")},
        **{f"{kind}_overlap_f1": report["spans"][kind]["overlap"]["f1"] for kind in ("QUOTE", "SPEAKER", "CUE")},
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
