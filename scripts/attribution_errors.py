"""Attribution errors by class: who said each matched quote, and where the linker or the model got it wrong.

Usage:
    python scripts/attribution_errors.py DATA [DATA ...] --model oracle|rules|MODEL_DIR [--spans-cache FILE]
        [--examples 3] [--json FILE]

``DATA`` are gold paths (Citron ``.json``/``.jsonl`` files or folders, BRAT folders); unknown metadata fields in
JSON documents (``url``, ``license`` in wikinews-dev) are ignored. ``--model``:

- ``oracle``: the gold QUOTE, SPEAKER and CUE spans of each document go through :func:`quotes.linking.link`, so the
  errors are the linker's alone;
- ``rules``: the rule baseline's spans, linked;
- a model directory: the model's spans (``QuoteExtractor.predict_spans_and_records``), linked. With
  ``--spans-cache FILE`` the model's spans are saved there on the first run and read back on later runs, so two
  linkers can be compared on the same spans without running the model again.

Gold and predicted records are paired as ``quotes evaluate`` pairs them (:func:`quotes.evaluation.match_quotes`).
A pair is right **by name** when :func:`quotes.evaluation.same_speaker` holds and, if the gold record has
coreferences, a predicted source or coreference overlaps a gold coreference or has the same text (after case
folding, collapsing whitespace and dropping a possessive ``'s``). Printed: quote F1, attribution accuracy and
end-to-end F1, each also by name, then every matched pair that is wrong by name, counted by class:

- ``no speaker span predicted``: the gold record has a source, the prediction none, and no predicted SPEAKER span
  overlaps the gold source (the tagger missed it; the linker found nothing in the text either);
- ``speaker predicted but not linked``: a predicted SPEAKER span overlaps the gold source, but the record has
  another source or none (the linker's choice);
- ``wrong speaker linked``: the record has a source that overlaps no gold source or coreference, and no predicted
  SPEAKER span overlaps the gold source;
- ``spurious speaker``: the prediction has a source where gold has none;
- ``pronoun unresolved``: the speaker is right (a pronoun) but the prediction has no coreference to the name;
- ``pronoun resolved wrong``: the speaker is right but its coreference names someone else;
- ``surname not expanded``: the speaker is right and not a pronoun (``Henderson``), but gold asks for the full name.

Plural or organisation speakers and gold oddities are judgements left to the reader of the examples.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

from quotes.evaluation import match_quotes, same_speaker
from quotes.schema import Document, QuoteRecord, ScoredSpan, document_from_dict

CLASSES = (
    "no speaker span predicted",
    "speaker predicted but not linked",
    "wrong speaker linked",
    "spurious speaker",
    "pronoun unresolved",
    "pronoun resolved wrong",
    "surname not expanded",
)
PRONOUNS = frozenset("he she they it we i him her them his their its".split())


def read_gold(paths: list[str]) -> list[Document]:
    """Gold documents of each path; JSON documents keep only ``id``, ``text`` and ``quotes``."""
    documents: list[Document] = []
    for name in paths:
        path = Path(name)
        if not path.exists():
            raise ValueError(f"{path}: no such file or folder (give a gold .json/.jsonl file or a folder)")
        files = sorted(path.glob("*.json")) + sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
        if path.is_dir() and not files:
            from quotes.data import read_documents

            documents += read_documents(path)
            continue
        for file in files:
            lines = file.read_text(encoding="utf-8").splitlines() if file.suffix == ".jsonl" else [file.read_text()]
            for line in filter(str.strip, lines):
                obj = json.loads(line)
                obj = {key: obj[key] for key in ("id", "text", "quotes") if key in obj}
                documents.append(document_from_dict(obj, file=str(file)))
    return documents


def oracle_spans(document: Document) -> list[tuple[str, ScoredSpan]]:
    """The gold labelled spans as scored spans (a shared source once); None when they overlap and cannot link."""
    return [(kind, ScoredSpan(s.start, s.end, s.text, 1.0)) for kind, s in document.labelled_spans()]


def predicted_spans(model: str, documents: list[Document], cache: Path | None) -> tuple[list, object | None]:
    """Per document, the ``(kind, span)`` pairs to link, and the extractor (for its communication filter)."""
    if model == "oracle":
        return [oracle_spans(d) for d in documents], None
    if model == "rules":
        from quotes.baseline import RuleBasedExtractor

        rules = RuleBasedExtractor()
        return [rules.find_spans(d.text) for d in documents], None
    from quotes.inference import QuoteExtractor

    extractor = QuoteExtractor.from_pretrained(model)
    if cache is not None and cache.exists():
        stored = json.loads(cache.read_text())
        if [d.id for d in documents] != stored["ids"]:
            raise ValueError(f"{cache}: the cached spans are for other documents (delete the file to rerun the model)")
        spans = [[(kind, ScoredSpan(*span)) for kind, span in doc] for doc in stored["spans"]]
        return spans, extractor
    spans = [s for s, _ in extractor.predict_spans_and_records([d.text for d in documents])]
    if cache is not None:
        rows = [[(kind, [s.start, s.end, s.text, s.score]) for kind, s in doc] for doc in spans]
        cache.write_text(json.dumps({"model": model, "ids": [d.id for d in documents], "spans": rows}))
    return spans, extractor


def link_all(
    documents: list[Document], spans: list, extractor: object | None, options: dict
) -> tuple[list[list[QuoteRecord]], int]:
    """Records of each document through today's linker; documents whose spans overlap are left empty (counted)."""
    from quotes.linking import link

    records, failed = [], 0
    for document, doc_spans in zip(documents, spans, strict=True):
        try:
            linked = link(document.text, doc_spans, **options) if doc_spans else []
        except ValueError:
            failed += 1
            linked = []
        if getattr(extractor, "attributions", "all") == "communication":
            from quotes.lexicon import is_communication_cue

            linked = [r for r in linked if r.cue is None or is_communication_cue(r.cue.text)]
        records.append(linked)
    return records, failed


def name_key(text: str) -> str:
    """A name compared loosely: case folded, whitespace collapsed, possessive ``'s`` dropped."""
    key = re.sub(r"\s+", " ", text.casefold()).strip()
    return re.sub(r"['’]s$", "", key)


def right_by_name(gold, predicted) -> bool:
    """The "by name" rule: the speaker is right and, where gold names the person, the prediction names them too."""
    if not same_speaker(gold, predicted):
        return False
    if not gold.coreferences:
        return True
    gold_keys = {name_key(span.text) for span in gold.coreferences}
    for span in (*predicted.coreferences, *predicted.sources):
        if any(span.start < g.end and g.start < span.end for g in gold.coreferences):
            return True
        if name_key(span.text) in gold_keys:
            return True
    return False


def error_class(gold, predicted, spans: list | None = None) -> str:
    """The class of a pair that is wrong by name; ``spans`` are the document's predicted ``(kind, span)`` pairs
    (without them a missing or wrong speaker counts as not predicted)."""
    if not gold.sources:
        return "spurious speaker"
    if not same_speaker(gold, predicted):
        tagged = any(
            kind == "SPEAKER" and span.start < g.end and g.start < span.end
            for kind, span in spans or ()
            for g in (*gold.sources, *gold.coreferences)
        )
        if tagged:
            return "speaker predicted but not linked"
        return "wrong speaker linked" if predicted.sources else "no speaker span predicted"
    pronoun = len(predicted.sources) == 1 and predicted.sources[0].text.strip().lower() in PRONOUNS
    if pronoun and not predicted.coreferences:
        return "pronoun unresolved"
    if pronoun:
        return "pronoun resolved wrong"
    return "surname not expanded"


def describe(record) -> str:
    sources = " + ".join(repr(s.text) for s in record.sources) or "-"
    coreferences = " + ".join(repr(s.text) for s in record.coreferences)
    cue = repr(record.cue.text) if record.cue else "-"
    return f"speaker {sources}{f' -> {coreferences}' if coreferences else ''}, cue {cue}"


def f1(correct: int, predicted: int, gold: int) -> float:
    return 2 * correct / (predicted + gold) if predicted + gold else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="+", help="gold documents: .json/.jsonl files or folders, BRAT folders")
    parser.add_argument("--model", required=True, help="oracle, rules, or a model directory")
    parser.add_argument("--spans-cache", type=Path, help="save the model's spans here, or read them if it exists")
    parser.add_argument("--examples", type=int, default=3, help="errors printed per class")
    parser.add_argument("--json", type=Path, help="also write the figures and the errors here")
    parser.add_argument("--no-find-speakers", action="store_true", help="link with find_speakers=False (rule 8 off)")
    args = parser.parse_args(argv)
    if args.model not in ("oracle", "rules") and not Path(args.model).is_dir():
        print(f"quotes: error: --model {args.model}: not 'oracle', 'rules' or a model directory", file=sys.stderr)
        return 2

    try:
        documents = read_gold(args.data)
        spans, extractor = predicted_spans(args.model, documents, args.spans_cache)
    except ValueError as error:  # includes the schema's DataValidationError
        print(f"quotes: error: {error}", file=sys.stderr)
        return 2
    options = {"find_speakers": False} if args.no_find_speakers else {}
    predicted, failed = link_all(documents, spans, extractor, options)

    gold_total = sum(len(d.quotes) for d in documents)
    predicted_total = sum(len(r) for r in predicted)
    matched = attributed = by_name = 0
    pronoun_gold = pronoun_right = 0
    classes: Counter[str] = Counter()
    errors: list[dict] = []
    for document, records, doc_spans in zip(documents, predicted, spans, strict=True):
        for g, p in match_quotes(document.quotes, records):
            gold, record = document.quotes[g], records[p]
            matched += 1
            attributed += same_speaker(gold, record)
            right = right_by_name(gold, record)
            by_name += right
            if gold.coreferences:
                pronoun_gold += 1
                pronoun_right += right
            if not right:
                kind = error_class(gold, record, doc_spans)
                classes[kind] += 1
                errors.append(
                    {
                        "class": kind,
                        "document": document.id,
                        "content": gold.contents[0].text[:70],
                        "gold": describe(gold),
                        "predicted": describe(record),
                    }
                )

    figures = {
        "documents": len(documents),
        "unlinkable_documents": failed,
        "gold_quotes": gold_total,
        "predicted_quotes": predicted_total,
        "matched_quotes": matched,
        "quote_f1": round(f1(matched, predicted_total, gold_total), 3),
        "attribution_accuracy": round(attributed / matched, 3) if matched else 0.0,
        "attribution_by_name_accuracy": round(by_name / matched, 3) if matched else 0.0,
        "end_to_end_f1": round(f1(attributed, predicted_total, gold_total), 3),
        "end_to_end_by_name_f1": round(f1(by_name, predicted_total, gold_total), 3),
        "gold_with_coreference_matched": pronoun_gold,
        "gold_with_coreference_right_by_name": pronoun_right,
        "errors_by_class": {kind: classes[kind] for kind in CLASSES},
    }
    print(f"{args.model} on {', '.join(args.data)}")
    for key, value in figures.items():
        if key != "errors_by_class":
            print(f"  {key}: {value}")
    print(f"attribution errors by name: {len(errors)} of {matched} matched quotes")
    for kind in CLASSES:
        print(f"  {kind}: {classes[kind]}")
    for kind in CLASSES:
        shown = [e for e in errors if e["class"] == kind][: args.examples]
        if shown:
            print(f"\n{kind}:")
            for error in shown:
                print(f"  [{error['document']}] {error['content']!r}")
                print(f"      gold {error['gold']}\n      pred {error['predicted']}")
    if args.json is not None:
        args.json.write_text(json.dumps({**figures, "errors": errors}, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
