"""Guard for speed work: dump a model's predictions, change the code, dump again and compare byte for byte.

Usage:
    python scripts/check_same_predictions.py --model runs/open --out /tmp/before [--texts FILE_OR_DIR ...]
    # ... change the post-processing ...
    python scripts/check_same_predictions.py --model runs/open --out /tmp/after --compare /tmp/before

Each text set is written to ``OUT/<name>.json``: per text, every labelled span (kind, offsets, text, ``repr`` of
its score) and every record (contents, sources, cue, coreferences, direct, score), with the model's saved
settings, and the same for the rule baseline (``OUT/<name>-baseline.json``), which shares the text splitters and
the linker. Text sets: ``news-like`` (the 1 MB corpus of scripts/bench_predict.py, ``--quick``: 0.2 MB), the
seed articles, and each ``--texts`` path: a ``.jsonl`` file or a folder of ``.json`` documents (field ``text``),
or a folder of ``.txt`` files. ``--compare`` exits 1 when any file differs and names the first differing text.
Scores are compared as written by ``repr``, so a change in the last bit of a score counts as a difference.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_predict import news_like_corpus, seed_texts  # noqa: E402 (the script's own folder)


def read_texts(path: Path) -> list[str]:
    """Texts of a ``.jsonl`` file, or of the ``.json`` / ``.txt`` files of a folder (sorted by name)."""
    if path.is_file():
        lines = path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line)["text"] for line in lines if line.strip()]
    if not path.is_dir():
        raise SystemExit(f"quotes: error: {path}: no such file or folder; give a .jsonl file or a folder of documents")
    texts = [json.loads(p.read_text(encoding="utf-8"))["text"] for p in sorted(path.glob("*.json"))]
    return texts + [p.read_text(encoding="utf-8") for p in sorted(path.glob("*.txt"))]


def span_row(span: Any) -> list[Any] | None:
    return None if span is None else [span.start, span.end, span.text, repr(span.score)]


def record_row(record: Any) -> dict[str, Any]:
    return {
        "contents": [span_row(s) for s in record.contents],
        "sources": [span_row(s) for s in record.sources],
        "cue": span_row(record.cue),
        "coreferences": [span_row(s) for s in record.coreferences],
        "direct": record.direct,
        "score": repr(record.score),
    }


def dump(extractor: Any, baseline: Any, texts: list[str], batch_size: int) -> tuple[list[Any], list[Any]]:
    results = extractor.predict_spans_and_records(texts, batch_size)
    model = [
        {"spans": [[kind, span_row(span)] for kind, span in spans], "records": [record_row(r) for r in records]}
        for spans, records in results
    ]
    rules = [[record_row(r) for r in baseline.predict(text)] for text in texts]
    return model, rules


def first_difference(before: list[Any], after: list[Any]) -> str:
    if len(before) != len(after):
        return f"{len(before)} texts before, {len(after)} now"
    index = next(i for i, (a, b) in enumerate(zip(before, after)) if a != b)
    return f"text {index} differs"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="a model folder (its saved predict settings are used)")
    parser.add_argument("--out", required=True, type=Path, help="folder to write the predictions to")
    parser.add_argument("--texts", nargs="*", type=Path, default=[], help=".jsonl files or folders of documents")
    parser.add_argument("--compare", type=Path, help="a folder written before: exit 1 unless every file is equal")
    parser.add_argument("--quick", action="store_true", help="0.2 MB of news-like text instead of 1 MB")
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args(argv)

    from quotes.baseline import RuleBasedExtractor
    from quotes.inference import QuoteExtractor
    from quotes.modeling import quiet_transformers

    sets = {"news-like": news_like_corpus(seed_texts(), 200_000 if args.quick else 1_000_000), "seed": seed_texts()}
    for path in args.texts:
        sets[path.stem] = read_texts(path)
    quiet_transformers()
    extractor = QuoteExtractor.from_pretrained(args.model, device="cpu")
    baseline = RuleBasedExtractor()
    args.out.mkdir(parents=True, exist_ok=True)
    differences = 0
    for name, texts in sets.items():
        for suffix, rows in zip(("", "-baseline"), dump(extractor, baseline, texts, args.batch_size)):
            path = args.out / f"{name}{suffix}.json"
            path.write_text(json.dumps(rows, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
            if args.compare is None:
                continue
            old = args.compare / path.name
            if not old.is_file():
                print(f"{path.name}: not in {args.compare}")
                differences += 1
            elif old.read_bytes() != path.read_bytes():
                print(f"{path.name}: DIFFERENT ({first_difference(json.loads(old.read_text('utf-8')), rows)})")
                differences += 1
            else:
                print(f"{path.name}: same ({len(texts)} texts)")
    print(f"written to {args.out}" + ("" if args.compare is None else f"; {differences} file(s) differ"))
    return 1 if differences else 0


if __name__ == "__main__":
    raise SystemExit(main())
