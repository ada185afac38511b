"""Presentation: HTML pages that show quote records over their text, and the Markdown of evaluation reports.

:func:`render_document_html` highlights one text's QUOTE, SPEAKER and CUE spans in three colours, numbers each
record and names its speaker; :func:`render_comparison_html` puts gold and predicted records side by side and
flags missed, spurious and misattributed quotes; :func:`render_report_html` and :func:`render_report_markdown` are
behind :meth:`quotes.evaluation.Report.to_html` and ``to_markdown``. Pages use inline CSS only (no scripts, no
network); all text is escaped, in HTML and in Markdown. Pure Python.
"""

from __future__ import annotations

import html
import itertools
import re
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from quotes.schema import Document, Quote, QuoteRecord, Span

if TYPE_CHECKING:  # pragma: no cover
    from quotes.evaluation import Report

AnyRecord = Quote | QuoteRecord

KIND_CLASSES = {"QUOTE": "quote", "SPEAKER": "speaker", "CUE": "cue"}
"""CSS class of each span kind; coreference spans get ``coref``."""

_CLASS_ORDER = ("quote", "coref", "speaker", "cue")
_SNIPPET_CHARS = 160  # characters of a quote shown in the list under a document

_CSS = """
:root { --quote: #fff0a0; --speaker: #bfe0ff; --cue: #ffc8d5; --ink: #1f2328; --muted: #59636e; --bad: #c62828; }
* { box-sizing: border-box; }
body { font: 16px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--ink);
       max-width: 1500px; margin: 1.5rem auto; padding: 0 1.5rem; background: #fff; }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; }
h2 { font-size: 1.2rem; margin: 2.5rem 0 .5rem; padding-bottom: .25rem; border-bottom: 1px solid #d0d7de; }
h3 { font-size: 1rem; margin: .5rem 0; color: var(--muted); }
.legend { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; font-size: .85rem; margin: .5rem 0 1rem; }
.legend > span { padding: .05rem .5rem; border-radius: 3px; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
.quote { background: var(--quote); }
.speaker { background: var(--speaker); font-weight: 600; }
.cue { background: var(--cue); font-style: italic; }
.coref { text-decoration: underline dotted 2px #1f6feb; text-underline-offset: 3px; }
sup.num { font-size: .7rem; font-weight: 700; font-style: normal; color: #fff; background: #57606a;
          border-radius: 8px; padding: 0 .4rem; margin-right: .15rem; }
sup.num.flagged { background: var(--bad); }
.note { font-size: .8rem; font-weight: 400; font-style: normal; color: var(--muted); margin-left: .3rem; }
.note .flag { color: var(--bad); font-weight: 700; }
.columns { display: grid; grid-template-columns: 1fr 1fr; gap: 2rem; }
.column { min-width: 0; }
ol.records { font-size: .9rem; color: var(--muted); padding-left: 1.5rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid #d0d7de; padding: .25rem .6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f6f8fa; }
.tables { display: flex; flex-wrap: wrap; gap: 2rem; align-items: flex-start; }
.failures { border-left: 4px solid var(--bad); padding: .25rem 1rem; background: #fff5f5; }
.passed { border-left: 4px solid #1a7f37; padding: .25rem 1rem; background: #f3fbf5; }
.meta { color: var(--muted); font-size: .9rem; }
"""


def render_document_html(text: str, records: Sequence[AnyRecord], *, title: str = "Quotes") -> str:
    """A standalone page: ``text`` with each record's spans highlighted and numbered, then a list of the records.

    >>> from quotes.schema import QuoteRecord, ScoredSpan
    >>> text = "‘Hold the line,’ he said."
    >>> record = QuoteRecord(contents=(ScoredSpan(0, 16, "‘Hold the line,’"),), sources=(ScoredSpan(17, 19, "he"),))
    >>> page = render_document_html(text, [record], title="Example")
    >>> '<span class="speaker"' in page and "— he" in page
    True
    """
    ordered = _sorted(records)
    body = [
        f"<h1>{_esc(title)}</h1>",
        _legend(),
        document_fragment(text, ordered),
        _record_list(ordered),
    ]
    return page(title, "\n".join(body))


def render_comparison_html(
    document: Document,
    gold_records: Sequence[AnyRecord],
    predicted_records: Sequence[AnyRecord],
    *,
    title: str | None = None,
) -> str:
    """A standalone page with the gold records (left) and the predicted ones (right) over the same text.

    Records are paired as in :func:`quotes.evaluation.match_quotes`; a gold record with no partner is flagged
    *missed*, a predicted one *spurious*, and a pair whose speakers disagree *wrong speaker*.
    """
    title = title or f"{document.id}: gold and predicted quotes"
    body = f"<h1>{_esc(title)}</h1>\n{_legend()}\n{comparison_fragment(document.text, gold_records, predicted_records)}"
    return page(title, body)


def render_report_html(report: Report) -> str:
    """The page of :meth:`quotes.evaluation.Report.to_html`: metrics first, then each document's comparison."""
    from quotes.evaluation import HEADLINE_METRICS, SPAN_KINDS

    title = f"Quote extraction report: {report.name}"
    c = report.counts
    parts = [
        f"<h1>{_esc(title)}</h1>",
        f'<p class="meta">{c["documents"]} documents · {c["gold_quotes"]} gold quotes · '
        f"{c['predicted_quotes']} predicted · {c['matched_quotes']} matched</p>",
    ]
    if report.thresholds:
        if report.failures:
            items = "".join(f"<li>{_esc(failure)}</li>" for failure in report.failures)
            parts.append(f'<div class="failures"><p><b>Thresholds failed</b></p><ul>{items}</ul></div>')
        else:
            checked = ", ".join(f"{key} ≥ {value:g}" for key, value in report.thresholds.items())
            parts.append(f'<p class="passed"><b>All thresholds passed</b> ({_esc(checked)})</p>')

    base = report.baseline
    head = "<tr><th>Metric</th><th>Model</th>"
    head += f"<th>Baseline ({_esc(base.name)})</th><th>Δ</th></tr>" if base else "</tr>"
    rows = []
    for label, path in HEADLINE_METRICS:
        ours = report.value(path)
        cells = f"<td>{_esc(label)}</td><td>{ours:.3f}</td>"
        if base is not None:
            theirs = base.value(path)
            cells += f"<td>{theirs:.3f}</td><td>{ours - theirs:+.3f}</td>"
        rows.append(f"<tr>{cells}</tr>")
    tables = [f'<table class="headline">{head}{"".join(rows)}</table>']

    rows = []
    for kind in SPAN_KINDS:
        exact, overlap = report.spans[kind]["exact"], report.spans[kind]["overlap"]
        tagged = report.seqeval["micro_avg" if kind == "ALL" else kind]
        values = [exact[m] for m in ("precision", "recall", "f1")] + [overlap[m] for m in ("precision", "recall", "f1")]
        cells = "".join(f"<td>{v:.3f}</td>" for v in [*values, tagged["f1"]])
        rows.append(f"<tr><td>{kind}</td>{cells}</tr>")
    tables.append(
        '<table class="labels"><tr><th>Label</th><th>Exact P</th><th>Exact R</th><th>Exact F1</th>'
        "<th>Overlap P</th><th>Overlap R</th><th>Overlap F1</th><th>seqeval F1</th></tr>" + "".join(rows) + "</table>"
    )
    parts.append(f'<div class="tables">{"".join(tables)}</div>')

    if not report.gold:
        parts.append('<p class="meta">The documents are not part of this report, so no comparison is shown.</p>')
    else:
        parts.append(_legend())
        for row, document, predicted in zip(report.documents, report.gold, report.predicted, strict=True):
            f1s = " · ".join(f"{kind} {_fmt(row['span_f1'][kind])}" for kind in row["span_f1"])
            parts.append(f"<h2>{_esc(document.id)}</h2>")
            parts.append(
                f'<p class="meta">gold {row["gold_quotes"]} · predicted {row["predicted_quotes"]} · '
                f"matched {row['matched_quotes']} · quote F1 {_fmt(row['quote_f1'])} · exact {f1s}</p>"
            )
            parts.append(comparison_fragment(document.text, document.quotes, predicted))
    return page(title, "\n".join(parts))


def page(title: str, body: str) -> str:
    """Wrap trusted ``body`` markup in a complete HTML document with the shared stylesheet."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def comparison_fragment(text: str, gold_records: Sequence[AnyRecord], predicted_records: Sequence[AnyRecord]) -> str:
    """Two columns of :func:`document_fragment` over ``text``, with unpaired and misattributed records flagged."""
    from quotes.evaluation import match_quotes, same_speaker

    gold, predicted = _sorted(gold_records), _sorted(predicted_records)
    pairs = match_quotes(gold, predicted)
    gold_flags: list[str | None] = ["missed"] * len(gold)
    pred_flags: list[str | None] = ["spurious"] * len(predicted)
    for g, p in pairs:
        flag = None if same_speaker(gold[g], predicted[p]) else "wrong speaker"
        gold_flags[g] = pred_flags[p] = flag
    columns = []
    for heading, records, flags in (("Gold", gold, gold_flags), ("Predicted", predicted, pred_flags)):
        columns.append(
            f'<section class="column"><h3>{heading} ({len(records)} quotes)</h3>\n'
            f"{document_fragment(text, records, flags=flags)}\n</section>"
        )
    return f'<div class="columns">\n{columns[0]}\n{columns[1]}\n</div>'


def document_fragment(text: str, records: Sequence[AnyRecord], *, flags: Sequence[str | None] | None = None) -> str:
    """``text`` as escaped markup with every record's spans highlighted, in the order given (numbered from 1).

    Each record's first content span opens with its number; its last content span is followed by a note naming
    the speaker (``— he (Valery Gerasimov)``) and ``flags[i]`` if set. Newlines are kept (``white-space:
    pre-wrap``), so paragraphs look as in the source.
    """
    labelled: list[tuple[int, int, str, int]] = []  # start, end, CSS class, record number
    before: dict[int, list[str]] = defaultdict(list)  # markup inserted before the character at an offset
    for number, record in enumerate(records, start=1):
        flag = flags[number - 1] if flags is not None else None
        labelled += [(s.start, s.end, "quote", number) for s in record.contents]
        labelled += [(s.start, s.end, "speaker", number) for s in record.sources]
        labelled += [(s.start, s.end, "coref", number) for s in record.coreferences]
        if record.cue is not None:
            labelled.append((record.cue.start, record.cue.end, "cue", number))
        if not record.contents:
            continue
        first = min(record.contents, key=lambda s: s.start)
        last = max(record.contents, key=lambda s: s.end)
        badge = "num flagged" if flag else "num"
        before[first.start].append(f'<sup class="{badge}">{number}</sup>')
        note = f"— {_esc(_speaker_name(record))}"
        if flag:
            note += f' <span class="flag">{_esc(flag)}</span>'
        before[last.end].insert(0, f'<span class="note">{note}</span>')

    points = sorted({0, len(text), *before, *(p for s, e, _, _ in labelled for p in (s, e) if 0 <= p <= len(text))})
    out = ['<div class="text">']
    for start, end in itertools.pairwise(points):
        out += before.get(start, [])
        covering = [(cls, number) for s, e, cls, number in labelled if s <= start and end <= e]
        chunk = _esc(text[start:end])
        if covering:
            classes = sorted({cls for cls, _ in covering}, key=_CLASS_ORDER.index)
            tip = ", ".join(f"{cls.upper()} {number}" for cls, number in sorted(set(covering), key=lambda c: c[1]))
            chunk = f'<span class="{" ".join(classes)}" title="{_esc(tip)}">{chunk}</span>'
        out.append(chunk)
    out += before.get(len(text), [])
    out.append("</div>")
    return "".join(out)


def _record_list(records: Sequence[AnyRecord]) -> str:
    if not records:
        return '<p class="meta">No quotes found.</p>'
    items = []
    for record in records:
        cue = f" <i>{_esc(record.cue.text)}</i>" if record.cue is not None else ""
        content = " … ".join(s.text for s in record.contents)
        if len(content) > _SNIPPET_CHARS:
            content = content[: _SNIPPET_CHARS - 1] + "…"
        items.append(f"<li><b>{_esc(_speaker_name(record))}</b>{cue}: {_esc(' '.join(content.split()))}</li>")
    return f'<ol class="records">{"".join(items)}</ol>'


def _legend() -> str:
    return (
        '<div class="legend"><span class="quote">QUOTE (content)</span><span class="speaker">SPEAKER (source)</span>'
        '<span class="cue">CUE</span><span class="coref">coreference</span>'
        '<span><sup class="num">1</sup> quote number</span></div>'
    )


def _speaker_name(record: AnyRecord) -> str:
    if not record.sources:
        return "no source"
    name = " and ".join(s.text for s in record.sources)
    if record.coreferences:
        name += f" ({', '.join(s.text for s in record.coreferences)})"
    return name


def _sorted(records: Sequence[AnyRecord]) -> list[AnyRecord]:
    def key(record: AnyRecord) -> tuple[int, int]:
        spans: list[Span] = list(record.contents) or list(record.sources) or ([record.cue] if record.cue else [])
        return (min(s.start for s in spans), max(s.end for s in spans)) if spans else (0, 0)

    return sorted(records, key=key)


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _esc(text: str) -> str:
    return html.escape(str(text), quote=True)


# --------------------------------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------------------------------


def render_report_markdown(report: Report, *, max_documents: int = 50) -> str:
    """The Markdown of :meth:`quotes.evaluation.Report.to_markdown` (GitHub-flavoured tables, all text escaped)."""
    from quotes.evaluation import HEADLINE_METRICS, SPAN_KINDS

    c = report.counts
    lines = [
        f"## Quote extraction: {_code(report.name)}",
        "",
        f"{c['documents']} documents · {c['gold_quotes']} gold quotes · {c['predicted_quotes']} predicted · "
        f"{c['matched_quotes']} matched",
        "",
    ]
    lines += _markdown_thresholds(report)
    base = report.baseline
    if base is not None:
        lines += [f"| Metric | Model | Baseline ({_code(base.name)}) | Δ |", "|---|---:|---:|---:|"]
        for label, path in HEADLINE_METRICS:
            ours, theirs = report.value(path), base.value(path)
            lines.append(f"| {label} | {ours:.3f} | {theirs:.3f} | {ours - theirs:+.3f} |")
    else:
        lines += ["| Metric | Model |", "|---|---:|"]
        lines += [f"| {label} | {report.value(path):.3f} |" for label, path in HEADLINE_METRICS]
    lines += [
        "",
        "### Per label",
        "",
        "| Label | Exact P | Exact R | Exact F1 | Overlap P | Overlap R | Overlap F1 | seqeval F1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in SPAN_KINDS:
        exact, overlap = report.spans[kind]["exact"], report.spans[kind]["overlap"]
        tagged = report.seqeval["micro_avg" if kind == "ALL" else kind]["f1"]
        lines.append(
            f"| {kind} | {exact['precision']:.3f} | {exact['recall']:.3f} | {exact['f1']:.3f} "
            f"| {overlap['precision']:.3f} | {overlap['recall']:.3f} | {overlap['f1']:.3f} | {tagged:.3f} |"
        )
    q, a, e = report.quotes, report.attribution, report.end_to_end
    lines += [
        "",
        f"Quotes: P {q['precision']:.3f} · R {q['recall']:.3f} · F1 {q['f1']:.3f} · "
        f"attribution {a['correct']}/{a['matched']} · end-to-end P {e['precision']:.3f} · "
        f"R {e['recall']:.3f} · F1 {e['f1']:.3f}",
        "",
    ]
    lines += _markdown_documents(report, max_documents)
    lines += _markdown_errors(report)
    return "\n".join(lines).rstrip() + "\n"


def _markdown_thresholds(report: Report) -> list[str]:
    if not report.thresholds:
        return []
    if report.failures:
        lines = [f"**❌ {len(report.failures)} of {len(report.thresholds)} thresholds failed**", ""]
        lines += [f"- {_md(failure)}" for failure in report.failures]
    else:
        checked = ", ".join(f"{key} ≥ {value:g}" for key, value in report.thresholds.items())
        lines = [f"**✅ all {len(report.thresholds)} thresholds passed** ({_md(checked)})"]
    return [*lines, ""]


def _markdown_documents(report: Report, max_documents: int) -> list[str]:
    if not report.documents:
        return []
    rows = sorted(report.documents, key=lambda r: (2.0 if r["quote_f1"] is None else r["quote_f1"], r["id"]))
    lines = [
        "### Documents (lowest quote F1 first)",
        "",
        "| Document | Gold | Predicted | Matched | Quote F1 | QUOTE F1 | SPEAKER F1 | CUE F1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows[:max_documents]:
        f1s = " | ".join(_fmt(r["span_f1"][kind]) for kind in KIND_CLASSES)
        lines.append(
            f"| {_md(r['id'])} | {r['gold_quotes']} | {r['predicted_quotes']} | {r['matched_quotes']} "
            f"| {_fmt(r['quote_f1'])} | {f1s} |"
        )
    if len(rows) > max_documents:
        lines.append(f"\n{len(rows) - max_documents} more documents in `report.json`.")
    return [*lines, ""]


def _markdown_errors(report: Report) -> list[str]:
    lines = []
    for kind, heading in (("missed", "Missed quotes"), ("spurious", "Spurious quotes")):
        errors = [e for e in report.errors if e["type"] == kind]
        if not errors:
            continue
        lines += [f"### {heading} (longest first)", "", "| Document | Source | In context |", "|---|---|---|"]
        for e in errors:
            context = f"…{_md(e['before'])}**{_md(_shorten(e['text'], 240))}**{_md(e['after'])}…"
            lines.append(f"| {_md(e['document'])} | {_md(e['source'] or '—')} | {context} |")
        lines.append("")
    return lines


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else f"{text[: limit // 2 - 1]} … {text[-(limit // 2 - 2) :]}"


def _code(text: str) -> str:
    """``text`` as Markdown inline code (backslash escapes do not work there; GitHub's ``\\|`` in tables does)."""
    return "`" + str(text).replace("`", "'").replace("|", "\\|") + "`"


_MD_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_[]|<>#"})


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell: one line (whitespace runs become one space), markup escaped."""
    return re.sub(r"\s+", " ", str(text)).translate(_MD_SPECIAL)
