"""HTML pages that show quote records over their text: predictions, gold beside predictions, evaluation reports.

:func:`render_document_html` (``quotes predict --format html``) highlights one text's QUOTE, SPEAKER and CUE
spans in three colours, numbers each record with its score and lists the records; :func:`render_comparison_html`
puts gold and predicted records side by side, paragraph by paragraph on shared rows, a matched pair under one
number, and flags missed, spurious and misattributed quotes; :func:`render_report_html` is the ``report.html``
of an evaluation: summary, verdict, plots, then each document worst first. Inline CSS and SVG only (no scripts,
no network); all text is escaped. Depends on :mod:`quotes.report`, never the reverse.
"""

from __future__ import annotations

import html
import itertools
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence

from quotes.metrics import match_quotes, same_speaker
from quotes.report import (
    DEFINITIONS,
    LABEL_COLUMNS,
    METRICS,
    Report,
    documents_worst_first,
    headline_rows,
    label_rows,
)
from quotes.schema import KINDS, AnyRecord, Document, Span, labelled_spans

KIND_CLASSES = {kind: kind.lower() for kind in KINDS}
"""CSS class of each span kind; coreference spans get ``coref``."""

_CLASS_ORDER = ("quote", "coref", "speaker", "cue")
_SNIPPET_CHARS = 160  # characters of a quote shown in the list under a document
_NEWLINES = re.compile(r"\n+")

_CSS = """
:root { --quote: #fff0a0; --speaker: #bfe0ff; --cue: #ffc8d5; --ink: #1f2328; --muted: #59636e; --bad: #c62828;
        --good: #1a7f37; --line: #d0d7de; }
* { box-sizing: border-box; }
body { font: 16px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--ink);
       max-width: 1500px; margin: 1.5rem auto; padding: 0 1.5rem; background: #fff; }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; }
h2 { font-size: 1.2rem; margin: 2.5rem 0 .5rem; padding-bottom: .25rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1rem; margin: .5rem 0; color: var(--muted); }
.legend { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; font-size: .85rem; margin: .5rem 0 1rem; }
.legend > span { padding: .05rem .5rem; border-radius: 3px; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
.para { display: block; margin: 0 0 .8rem; }
.quote { background: var(--quote); }
.speaker { background: var(--speaker); font-weight: 600; }
.cue { background: var(--cue); font-style: italic; }
.coref { text-decoration: underline dotted 2px #1f6feb; text-underline-offset: 3px; }
sup.num { font-size: .7rem; font-weight: 700; font-style: normal; color: #fff; background: #57606a;
          border-radius: 8px; padding: 0 .4rem; margin-right: .15rem; }
sup.num.flagged { background: var(--bad); }
.score { font-size: .7rem; font-weight: 600; color: #0550ae; background: #ddf4ff; border-radius: 8px;
         padding: 0 .35rem; margin-left: .2rem; white-space: nowrap; }
.note { font-size: .8rem; font-weight: 400; font-style: normal; color: var(--muted); margin-left: .3rem; }
.note .flag { color: var(--bad); font-weight: 700; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 2rem; }
.pair > div { min-width: 0; }
.pair.row { border-top: 1px solid #eaeef2; padding-top: .4rem; }
.pair.row .para { margin: 0 0 .3rem; }
ol.records { font-size: .9rem; color: var(--muted); padding-left: 1.5rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid var(--line); padding: .25rem .6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f6f8fa; }
td.up { color: var(--good); font-weight: 600; background: #eefbf1; }
td.down { color: var(--bad); font-weight: 600; background: #fff1f1; }
.tables, .plots { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
.plots svg { border: 1px solid #eaeef2; max-width: 100%; height: auto; }
.failures { border-left: 4px solid var(--bad); padding: .25rem 1rem; background: #fff5f5; }
.passed { border-left: 4px solid var(--good); padding: .25rem 1rem; background: #f3fbf5; }
.meta { color: var(--muted); font-size: .9rem; }
dl.defs { font-size: .85rem; color: var(--muted); display: grid; grid-template-columns: max-content 1fr;
          gap: .1rem 1rem; flex: 1 1 24rem; max-width: 60rem; margin: .5rem 0; }
dl.defs dt { font-weight: 600; color: var(--ink); }
dl.defs dd { margin: 0; }
ol.toc { columns: 2 24rem; font-size: .9rem; }
"""


# --------------------------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------------------------


def render_document_html(text: str, records: Sequence[AnyRecord], *, title: str = "Quotes") -> str:
    """A standalone page: ``text`` with each record's spans highlighted and numbered, then a list of the records.

    Each paragraph (text between newlines) is its own block; a predicted record shows its score as a badge in
    the list and on hover over its number and spans.

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
        document_fragment(text, ordered, windows=paragraphs_of(text)),
        f"<h2>Quotes found ({len(ordered)})</h2>",
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

    Records are paired as in :func:`quotes.metrics.match_quotes` and a pair shares one number; a gold record
    with no partner is flagged *missed*, a predicted one *spurious*, and a pair whose speakers disagree *wrong
    speaker*.
    """
    title = title or f"{document.id}: gold and predicted quotes"
    body = f"<h1>{_esc(title)}</h1>\n{_legend()}\n{comparison_fragment(document.text, gold_records, predicted_records)}"
    return page(title, body)


def render_report_html(report: Report, *, plots: Mapping[str, str] | None = None) -> str:
    """``report.html``: headline against the baseline, verdict, definitions, plots, per-label table, comparison
    with an earlier run, then a table of contents and each document (worst first) with gold beside predictions.

    Args:
        report: the scores (with ``gold`` and ``predicted`` for the document views).
        plots: file name -> SVG to embed; :func:`quotes.plots.report_plots` when None.
    """
    if plots is None:
        from quotes.plots import report_plots

        plots = report_plots(report)
    title = f"Quote extraction report: {report.name}"
    c = report.counts
    parts = [
        f"<h1>{_esc(title)}</h1>",
        f'<p class="meta">{c["documents"]} documents · {c["gold_quotes"]} gold quotes · '
        f"{c['predicted_quotes']} predicted · {c['matched_quotes']} matched</p>",
        f'<div class="tables">{_headline_table(report)}{_definitions()}</div>',
        _verdict(report),
    ]
    if report.comparison:
        parts.append(_comparison_tables(report.comparison))
    if plots:
        parts.append('<h2 id="plots">Plots</h2>')
        parts.append(f'<div class="plots">{"".join(plots.values())}</div>')
    parts.append('<h2 id="labels">Per label</h2>')
    parts.append(_label_table(report))
    parts += _documents(report)
    return page(title, "\n".join(parts))


def page(title: str, body: str) -> str:
    """Wrap trusted ``body`` markup in a complete HTML document with the shared stylesheet."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


# --------------------------------------------------------------------------------------------------------------
# Fragments
# --------------------------------------------------------------------------------------------------------------


def paragraphs_of(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each paragraph: the text between runs of newlines (blank paragraphs dropped)."""
    cuts = [0, *(p for m in _NEWLINES.finditer(text) for p in m.span()), len(text)]
    return [(a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=True) if text[a:b].strip()]


def comparison_fragment(text: str, gold_records: Sequence[AnyRecord], predicted_records: Sequence[AnyRecord]) -> str:
    """Gold (left) and predicted (right) views of ``text``, one row per paragraph, so the two stay aligned.

    Gold records are numbered in text order; a predicted record paired with a gold one gets its number, the
    others continue after the last gold number. Unpaired and misattributed records are flagged.
    """
    gold, predicted = _sorted(gold_records), _sorted(predicted_records)
    pairs = match_quotes(gold, predicted)
    gold_flags: list[str | None] = ["missed"] * len(gold)
    pred_flags: list[str | None] = ["spurious"] * len(predicted)
    pred_numbers = [0] * len(predicted)
    for g, p in pairs:
        flag = None if same_speaker(gold[g], predicted[p]) else "wrong speaker"
        gold_flags[g] = pred_flags[p] = flag
        pred_numbers[p] = g + 1
    extra = itertools.count(len(gold) + 1)
    pred_numbers = [n or next(extra) for n in pred_numbers]
    gold_numbers = list(range(1, len(gold) + 1))
    rows = [
        f'<div class="pair head"><h3>Gold ({len(gold)} quotes)</h3><h3>Predicted ({len(predicted)} quotes)</h3></div>'
    ]
    for window in paragraphs_of(text) or [(0, len(text))]:
        left = document_fragment(text, gold, flags=gold_flags, numbers=gold_numbers, windows=[window])
        right = document_fragment(text, predicted, flags=pred_flags, numbers=pred_numbers, windows=[window])
        rows.append(f'<div class="pair row"><div class="gold">{left}</div><div class="predicted">{right}</div></div>')
    return '<div class="comparison">\n' + "\n".join(rows) + "\n</div>"


def document_fragment(
    text: str,
    records: Sequence[AnyRecord],
    *,
    flags: Sequence[str | None] | None = None,
    numbers: Sequence[int] | None = None,
    windows: Sequence[tuple[int, int]] | None = None,
) -> str:
    """``text`` as one ``<div class="text">`` of escaped markup with every record's spans highlighted.

    Records are numbered from 1 in the order given, or by ``numbers``. Each record's first content span opens
    with its number; its last content span is followed by a note naming the speaker (``— he (Valery
    Gerasimov)``), the record's score as a badge (predicted records; hover shows span scores too) and
    ``flags[i]`` if set. Without ``windows`` the whole text is shown with its newlines (``white-space:
    pre-wrap``); with ``windows`` (``(start, end)`` slices, e.g. :func:`paragraphs_of`) each slice is its own
    paragraph block and spans crossing a slice's edges are cut there.
    """
    labelled: list[tuple[int, int, str, int, float | None]] = []  # start, end, CSS class, number, score
    opening: dict[int, list[str]] = defaultdict(list)  # markup before the character at an offset
    closing: dict[int, list[str]] = defaultdict(list)  # markup after the character before an offset
    for index, record in enumerate(records):
        number = numbers[index] if numbers is not None else index + 1
        flag = flags[index] if flags is not None else None
        parts = [
            *((KIND_CLASSES[kind], s) for kind, s in labelled_spans(record)),
            *(("coref", s) for s in record.coreferences),
        ]
        labelled += [(s.start, s.end, cls, number, getattr(s, "score", None)) for cls, s in parts]
        if not record.contents:
            continue
        first = min(record.contents, key=lambda s: s.start)
        last = max(record.contents, key=lambda s: s.end)
        opening[first.start].append(f'<sup class="{"num flagged" if flag else "num"}">{number}</sup>')
        note = f"— {_esc(_speaker_name(record))}"
        score = getattr(record, "score", None)
        if score is not None:
            note += f' <span class="score" title="quote {number}: record score">{score:.2f}</span>'
        if flag:
            note += f' <span class="flag">{_esc(flag)}</span>'
        closing[last.end].append(f'<span class="note">{note}</span>')

    if windows is None:
        body = _slice(text, labelled, opening, closing, 0, len(text))
    else:
        body = "".join(
            f'<span class="para">{_slice(text, labelled, opening, closing, a, b)}</span>' for a, b in windows
        )
    return f'<div class="text">{body}</div>'


def _slice(text: str, labelled: list, opening: dict, closing: dict, start_at: int, end_at: int) -> str:
    """Markup of ``text[start_at:end_at]``: highlighted runs, numbers before and notes after their offsets."""
    inside = {p for s, e, *_ in labelled for p in (s, e) if start_at < p < end_at}
    points = sorted({start_at, end_at, *inside, *(p for p in (*opening, *closing) if start_at < p < end_at)})
    out = []
    for start, end in itertools.pairwise(points):
        if start > start_at:  # a note at the slice's start belongs to the paragraph before
            out += closing.get(start, [])
        out += opening.get(start, [])
        covering = [(cls, number, sc) for s, e, cls, number, sc in labelled if s <= start and end <= e]
        chunk = _esc(text[start:end])
        if covering:
            classes = sorted({cls for cls, _, _ in covering}, key=_CLASS_ORDER.index)
            tip = ", ".join(
                f"{cls.upper()} {number}" + (f" ({sc:.2f})" if sc is not None else "")
                for cls, number, sc in sorted(set(covering), key=lambda c: c[1])
            )
            chunk = f'<span class="{" ".join(classes)}" title="{_esc(tip)}">{chunk}</span>'
        out.append(chunk)
    out += closing.get(end_at, [])
    if end_at == len(text) and start_at < end_at:
        out += opening.get(end_at, [])
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
        score = getattr(record, "score", None)
        badge = f' <span class="score" title="record score">{score:.2f}</span>' if score is not None else ""
        items.append(f"<li><b>{_esc(_speaker_name(record))}</b>{cue}: {_esc(' '.join(content.split()))}{badge}</li>")
    return f'<ol class="records">{"".join(items)}</ol>'


def _legend() -> str:
    return (
        '<div class="legend"><span class="quote">QUOTE (content)</span><span class="speaker">SPEAKER (source)</span>'
        '<span class="cue">CUE</span><span class="coref">coreference</span>'
        '<span><sup class="num">1</sup> quote number</span></div>'
    )


# --------------------------------------------------------------------------------------------------------------
# Report parts
# --------------------------------------------------------------------------------------------------------------


def _verdict(report: Report) -> str:
    if not report.thresholds:
        return '<p class="meta">No thresholds were set (<code>--fail-under</code>).</p>'
    if report.failures:
        items = "".join(f"<li>{_esc(failure)}</li>" for failure in report.failures)
        return f'<div class="failures"><p><b>Thresholds failed</b></p><ul>{items}</ul></div>'
    checked = ", ".join(f"{key} ≥ {value:g}" for key, value in report.thresholds.items())
    return f'<p class="passed"><b>All thresholds passed</b> ({_esc(checked)})</p>'


def _headline_table(report: Report) -> str:
    base = report.baseline
    head = "<tr><th>Metric</th><th>Model</th>"
    head += f"<th>Baseline ({_esc(base.name)})</th><th>Δ</th></tr>" if base else "</tr>"
    rows = []
    for row in headline_rows(report):
        cells = f'<td title="{_esc(METRICS[row.name][1])}">{_esc(row.name)}</td><td>{row.value:.3f}</td>'
        if row.baseline is not None:
            cells += f"<td>{row.baseline:.3f}</td>{_delta_cell(row.delta)}"
        rows.append(f"<tr>{cells}</tr>")
    return f'<table class="headline">{head}{"".join(rows)}</table>'


def _delta_cell(delta: float | None) -> str:
    if delta is None:
        return "<td>–</td>"
    css = "up" if delta > 0.0005 else "down" if delta < -0.0005 else "same"
    return f'<td class="{css}">{delta:+.3f}</td>'


def _definitions() -> str:
    items = "".join(f"<dt>{_esc(key)}</dt><dd>{_esc(text)}</dd>" for key, text in DEFINITIONS.items())
    return f'<dl class="defs">{items}</dl>'


def _label_table(report: Report) -> str:
    head = "<tr><th>Label</th>" + "".join(f"<th>{_esc(c)}</th>" for c in LABEL_COLUMNS) + "</tr>"
    rows = "".join(
        f"<tr><td>{kind}</td>" + "".join(f"<td>{v:.3f}</td>" for v in values) + "</tr>"
        for kind, values in label_rows(report)
    )
    return f'<table class="labels">{head}{rows}</table>'


def _comparison_tables(comparison: Mapping) -> str:
    against = _esc(comparison.get("against", "previous"))
    rows = "".join(
        f"<tr><td>{_esc(name)}</td><td>{_fmt(m['before'])}</td><td>{m['now']:.3f}</td>{_delta_cell(m['delta'])}</tr>"
        for name, m in comparison["metrics"].items()
    )
    metrics = f'<table class="compare"><tr><th>Metric</th><th>Before</th><th>Now</th><th>Δ</th></tr>{rows}</table>'
    changed = [d for d in comparison["documents"] if d["delta"] != 0.0]
    rows = "".join(
        f"<tr><td>{_esc(d['id'])}</td><td>{_fmt(d['before'])}</td><td>{_fmt(d['now'])}</td>{_delta_cell(d['delta'])}</tr>"
        for d in changed
    )
    docs = (
        f'<table class="compare-documents"><tr><th>Document</th><th>quote_f1 before</th><th>Now</th><th>Δ</th></tr>'
        f"{rows}</table>"
        if changed
        else '<p class="meta">No document changed its quote F1.</p>'
    )
    return f'<h2 id="compare">Compared with {against}</h2><div class="tables">{metrics}{docs}</div>'


def _documents(report: Report) -> list[str]:
    if not report.gold:
        return ['<p class="meta">The documents are not part of this report, so no comparison is shown.</p>']
    by_id = {
        id(row): (document, predicted)
        for row, document, predicted in zip(report.documents, report.gold, report.predicted, strict=True)
    }
    rows = documents_worst_first(report)
    toc = "".join(
        f'<li><a href="#doc-{n}">{_esc(row["id"])}</a> <span class="meta">quote_f1 {_fmt(row["quote_f1"])}</span></li>'
        for n, row in enumerate(rows, start=1)
    )
    parts = ['<h2 id="documents">Documents, worst quote_f1 first</h2>', f'<ol class="toc">{toc}</ol>', _legend()]
    for n, row in enumerate(rows, start=1):
        document, predicted = by_id[id(row)]
        f1s = " · ".join(f"{kind}_exact_f1 {_fmt(row['span_f1'][kind])}" for kind in row["span_f1"])
        parts.append(f'<h2 id="doc-{n}">{_esc(document.id)}</h2>')
        parts.append(
            f'<p class="meta">gold {row["gold_quotes"]} · predicted {row["predicted_quotes"]} · '
            f"matched {row['matched_quotes']} · quote_f1 {_fmt(row['quote_f1'])} · "
            f"end_to_end_f1 {_fmt(row.get('end_to_end_f1'))} · {f1s}</p>"
        )
        parts.append(comparison_fragment(document.text, document.quotes, predicted))
    return parts


# --------------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------------


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


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)
