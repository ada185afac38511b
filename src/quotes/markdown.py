"""``report.md``: the evaluation report as GitHub-flavoured Markdown, for a pull-request comment or a job summary.

:func:`render_report_markdown` formats the rows that :mod:`quotes.report` builds (the same numbers as
``report.html``): headline against the baseline with each measure's name, threshold verdict, comparison with an
earlier run, per-label table, documents worst first, missed and spurious quotes, and links to the plot files.
All text is escaped. Depends on :mod:`quotes.report`, never the reverse.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from quotes.report import LABEL_COLUMNS, Report, documents_worst_first, headline_rows, label_rows
from quotes.schema import KINDS

_MAX_CHANGED = 30  # documents listed under "Compared with", largest drop first


def render_report_markdown(report: Report, *, max_documents: int = 50, plot_files: Sequence[str] = ()) -> str:
    """The Markdown report; ``plot_files`` (paths relative to the Markdown file) are shown as images."""
    c = report.counts
    lines = [
        f"## Quote extraction: {_code(report.name)}",
        "",
        f"{c['documents']} documents · {c['gold_quotes']} gold quotes · {c['predicted_quotes']} predicted · "
        f"{c['matched_quotes']} matched",
        "",
    ]
    lines += _thresholds(report)
    rows = headline_rows(report)
    base = report.baseline
    if base is not None:
        lines += [f"| Metric | Model | Baseline ({_code(base.name)}) | Δ |", "|---|---:|---:|---:|"]
        lines += [f"| {r.name} | {r.value:.3f} | {r.baseline:.3f} | {_delta(r.delta)} |" for r in rows]
    else:
        lines += ["| Metric | Model |", "|---|---:|"]
        lines += [f"| {r.name} | {r.value:.3f} |" for r in rows]
    lines += [
        "",
        "Names: `<KIND>_exact_f1` Citron exact span, `<KIND>_overlap_f1` Citron token overlap, `<KIND>_seqeval_f1` "
        "strict IOB2; `quote_f1` records paired by content; `attribution_accuracy` paired records with the right "
        "speaker; `end_to_end_f1` paired and right speaker; `_by_name`: a pronoun speaker counts only when "
        "resolved to the gold name.",
        "",
    ]
    lines += _comparison(report)
    lines += ["### Per label", "", "| Label | " + " | ".join(LABEL_COLUMNS) + " |", "|---|" + "---:|" * 7]
    for kind, values in label_rows(report):
        lines.append(f"| {kind} | " + " | ".join(f"{v:.3f}" for v in values) + " |")
    q, a, e = report.quotes, report.attribution, report.end_to_end
    by_name = report.attribution_by_name
    lines += [
        "",
        f"Quotes: P {q['precision']:.3f} · R {q['recall']:.3f} · F1 {q['f1']:.3f} · "
        f"attribution {a['correct']}/{a['matched']} (by name {by_name.get('correct', 0)}/{by_name.get('matched', 0)})"
        f" · end-to-end P {e['precision']:.3f} · R {e['recall']:.3f} · F1 {e['f1']:.3f}",
        "",
    ]
    if plot_files:
        lines += ["### Plots", ""] + [f"![{name}]({name})" for name in plot_files] + [""]
    lines += _documents(report, max_documents)
    lines += _errors(report)
    return "\n".join(lines).rstrip() + "\n"


def _thresholds(report: Report) -> list[str]:
    if not report.thresholds:
        return []
    if report.failures:
        lines = [f"**❌ {len(report.failures)} of {len(report.thresholds)} thresholds failed**", ""]
        lines += [f"- {_md(failure)}" for failure in report.failures]
    else:
        checked = ", ".join(f"{key} ≥ {value:g}" for key, value in report.thresholds.items())
        lines = [f"**✅ all {len(report.thresholds)} thresholds passed** ({_md(checked)})"]
    return [*lines, ""]


def _comparison(report: Report) -> list[str]:
    comparison = report.comparison
    if not comparison:
        return []
    changed = [d for d in comparison["documents"] if d["delta"] != 0.0]
    lines = [
        f"### Compared with {_code(comparison.get('against', 'previous'))}",
        "",
        "| Metric | Before | Now | Δ |",
        "|---|---:|---:|---:|",
    ]
    for name, m in comparison["metrics"].items():
        lines.append(f"| {name} | {_fmt(m['before'])} | {m['now']:.3f} | {_delta(m['delta'])} |")
    if changed:
        lines += ["", "| Document | quote_f1 before | Now | Δ |", "|---|---:|---:|---:|"]
        lines += [
            f"| {_md(d['id'])} | {_fmt(d['before'])} | {_fmt(d['now'])} | {_delta(d['delta'])} |"
            for d in changed[:_MAX_CHANGED]
        ]
        if len(changed) > _MAX_CHANGED:
            lines.append(f"\n{len(changed) - _MAX_CHANGED} more changed documents in `report.json` (`comparison`).")
    else:
        lines += ["", "No document changed its quote F1."]
    return [*lines, ""]


def _documents(report: Report, max_documents: int) -> list[str]:
    if not report.documents:
        return []
    rows = documents_worst_first(report)
    lines = [
        "### Documents (lowest quote_f1 first)",
        "",
        "| Document | Gold | Predicted | Matched | quote_f1 | end_to_end_f1 | "
        + " | ".join(f"{kind}_exact_f1" for kind in KINDS)
        + " |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows[:max_documents]:
        f1s = " | ".join(_fmt(r["span_f1"][kind]) for kind in KINDS)
        lines.append(
            f"| {_md(r['id'])} | {r['gold_quotes']} | {r['predicted_quotes']} | {r['matched_quotes']} "
            f"| {_fmt(r['quote_f1'])} | {_fmt(r.get('end_to_end_f1'))} | {f1s} |"
        )
    if len(rows) > max_documents:
        lines.append(f"\n{len(rows) - max_documents} more documents in `report.json`.")
    return [*lines, ""]


def _errors(report: Report) -> list[str]:
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


def _delta(delta: float | None) -> str:
    """A signed difference with a coloured mark GitHub shows everywhere (Markdown has no colour of its own)."""
    if delta is None:
        return "–"
    mark = " 🟢" if delta > 0.0005 else " 🔴" if delta < -0.0005 else ""
    return f"{delta:+.3f}{mark}"


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


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
