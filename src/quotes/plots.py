"""Plots of an evaluation report as small standalone SVG files, written by hand (no plotting dependency).

:func:`report_plots` draws, from a :class:`~quotes.report.Report`: per-label exact P/R/F1 of the model beside the
rule baseline, per-document quote F1 worst first, the score distribution of matched and spurious records, quote
P/R/F1 over a minimum-score threshold, the QUOTE span-edge error breakdown and the word-token label confusion
matrix. Each plot is one SVG string: embedded inline in ``report.html`` and written beside it as ``*.svg`` (for a
pull-request comment or a job summary). SVG keeps the package free of matplotlib and the files a few KB; nothing
here is imported by ``import quotes`` or by prediction.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from quotes.metrics import EDGE_CLASSES, score_curve
from quotes.report import Report, documents_worst_first
from quotes.schema import KINDS

MODEL_COLOUR, BASELINE_COLOUR = "#1f6feb", "#9aa4ae"
MATCHED_COLOUR, SPURIOUS_COLOUR = "#1a7f37", "#cf222e"
_FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"'
_MAX_DOCUMENTS = 40  # bars in the per-document plot; the rest are in the tables
_BINS = 20  # score histogram bins over [0, 1]


def report_plots(report: Report) -> dict[str, str]:
    """File name -> SVG of every plot of the report (empty data gives a plot saying so, never an error)."""
    plots = {
        "labels.svg": labels_plot(report),
        "documents.svg": documents_plot(report),
        "scores.svg": scores_plot(report),
        "threshold.svg": threshold_plot(report),
        "edges.svg": edges_plot(report),
    }
    if report.token_confusion:
        plots["confusion.svg"] = confusion_plot(report.token_confusion["labels"], report.token_confusion["matrix"])
    return plots


def labels_plot(report: Report) -> str:
    """Grouped bars: exact-span precision, recall and F1 of each label, model beside baseline."""
    groups, model, base = [], [], []
    for kind in KINDS:
        for m, short in (("precision", "P"), ("recall", "R"), ("f1", "F1")):
            groups.append(f"{kind} {short}")
            model.append(report.spans[kind]["exact"][m])
            base.append(report.baseline.spans[kind]["exact"][m] if report.baseline is not None else None)
    series = [(report.name, model, MODEL_COLOUR)]
    if report.baseline is not None:
        series.append((f"baseline ({report.baseline.name})", base, BASELINE_COLOUR))
    return grouped_bars("Exact span P / R / F1 per label (<KIND>_exact_*)", groups, series)


def documents_plot(report: Report) -> str:
    """Horizontal bars: quote F1 of each document, lowest first (at most 40)."""
    rows = [r for r in documents_worst_first(report) if r["quote_f1"] is not None][:_MAX_DOCUMENTS]
    return horizontal_bars("quote_f1 per document, worst first", [r["id"] for r in rows], [r["quote_f1"] for r in rows])


def scores_plot(report: Report) -> str:
    """Histogram of record scores: matched (right) records against spurious ones."""
    matched, spurious = report.record_scores.get("matched", []), report.record_scores.get("spurious", [])
    return histogram(
        "Record scores: matched vs spurious",
        [("matched", matched, MATCHED_COLOUR), ("spurious", spurious, SPURIOUS_COLOUR)],
    )


def threshold_plot(report: Report) -> str:
    """Quote precision, recall and F1 if records scoring under a threshold were dropped."""
    rows = score_curve(
        report.record_scores.get("matched", []), report.record_scores.get("spurious", []), report.counts["gold_quotes"]
    )
    rows = sorted(rows, key=lambda r: r["threshold"])
    xs = [r["threshold"] for r in rows]
    colours = (("precision", "#8250df"), ("recall", "#bf8700"), ("f1", "#1f6feb"))
    series = [(m, [r[m] for r in rows], c) for m, c in colours]
    return lines("Quote P / R / F1 over a minimum record score", xs, series, x_label="minimum score")


def edges_plot(report: Report) -> str:
    """Bars: how gold QUOTE spans were found (exact, starts early/late, ends early/late, split, merged, missed)."""
    names = [*EDGE_CLASSES, "spurious"]
    values = [float(report.quote_edges.get(n, 0)) for n in names]
    return grouped_bars(
        "QUOTE span edges (gold spans)",
        [n.replace("_", " ") for n in names],
        [(report.name, values, MODEL_COLOUR)],
        percent=False,
    )


def confusion_plot(labels: Sequence[str], matrix: Sequence[Sequence[int]]) -> str:
    """Word-token label confusion: rows gold, columns predicted; shade = share of the row, text = count."""
    cell, left, top = 46, 90, 70
    width, height = left + cell * len(labels) + 20, top + cell * len(labels) + 20
    out = [_open(width, height, "Word-token labels: gold (rows) vs predicted (columns)")]
    for j, label in enumerate(labels):
        x = left + j * cell + cell / 2
        out.append(
            f'<text x="{x}" y="{top - 8}" font-size="11" text-anchor="start" '
            f'transform="rotate(-40 {x} {top - 8})">{_e(label)}</text>'
        )
    for i, (label, row) in enumerate(zip(labels, matrix, strict=True)):
        y = top + i * cell
        out.append(f'<text x="{left - 6}" y="{y + cell / 2 + 4}" font-size="11" text-anchor="end">{_e(label)}</text>')
        total = sum(row) or 1
        for j, count in enumerate(row):
            share = count / total
            fill = f"rgba(31,111,235,{share:.3f})" if i != j else f"rgba(26,127,55,{share:.3f})"
            ink = "#fff" if share > 0.55 else "#1f2328"
            x = left + j * cell
            out.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{fill}" stroke="#d0d7de"/>')
            if count:
                out.append(
                    f'<text x="{x + cell / 2}" y="{y + cell / 2 + 4}" font-size="10" text-anchor="middle" '
                    f'fill="{ink}">{count}</text>'
                )
    return "".join(out) + "</svg>"


# --------------------------------------------------------------------------------------------------------------
# Chart primitives
# --------------------------------------------------------------------------------------------------------------


def grouped_bars(
    title: str, groups: Sequence[str], series: Sequence[tuple[str, Sequence[float | None], str]], *, percent=True
) -> str:
    """Vertical bars, one group per label and one bar per series; values in [0, 1] unless ``percent`` is False."""
    left, top, plot_h, group_w = 44, 44 if percent else 58, 180, max(34, 14 * len(series) + 14)
    width, height = max(left + group_w * len(groups) + 20, 16 + 7.5 * len(title)), top + plot_h + 60
    top_value = 1.0 if percent else max([v or 0 for _, vs, _ in series for v in vs] + [1])
    out = [_open(width, height, title), _legend(series, left, 34)]
    out += _y_axis(left, top, plot_h, width - 20, top_value, percent)
    bar_w = (group_w - 10) / len(series)
    for g, label in enumerate(groups):
        x0 = left + g * group_w + 5
        for s, (name, values, colour) in enumerate(series):
            value = values[g]
            if value is None:
                continue
            h = plot_h * value / top_value
            x = x0 + s * bar_w
            tip = f"{name}: {label} {value:.3f}" if percent else f"{name}: {label} {value:g}"
            out.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 1:.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{_e(tip)}</title></rect>'
            )
            if not percent:
                out.append(
                    f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h - h - 3:.1f}" font-size="10" '
                    f'text-anchor="middle">{value:g}</text>'
                )
        cx = x0 + (group_w - 10) / 2
        out.append(
            f'<text x="{cx:.1f}" y="{top + plot_h + 14}" font-size="10" text-anchor="end" '
            f'transform="rotate(-35 {cx:.1f} {top + plot_h + 14})">{_e(label)}</text>'
        )
    return "".join(out) + "</svg>"


def horizontal_bars(title: str, labels: Sequence[str], values: Sequence[float]) -> str:
    """One horizontal bar per label, values in [0, 1], in the order given."""
    if not labels:
        return _empty(title, "no document has gold or predicted quotes")
    left, top, bar_h, plot_w = 230, 30, 16, 360
    width, height = left + plot_w + 60, top + bar_h * len(labels) + 24
    out = [_open(width, height, title)]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + i * bar_h
        colour = SPURIOUS_COLOUR if value < 0.5 else "#bf8700" if value < 0.8 else MATCHED_COLOUR
        out.append(f'<text x="{left - 6}" y="{y + 12}" font-size="11" text-anchor="end">{_e(_short(label))}</text>')
        out.append(
            f'<rect x="{left}" y="{y + 2}" width="{plot_w * value:.1f}" height="{bar_h - 4}" fill="{colour}">'
            f"<title>{_e(label)}: {value:.3f}</title></rect>"
        )
        out.append(f'<text x="{left + plot_w * value + 4:.1f}" y="{y + 12}" font-size="10">{value:.2f}</text>')
    axis_y = top + bar_h * len(labels) + 2
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{axis_y}" stroke="#57606a"/>')
    for tick in (0, 0.5, 1):
        x = left + plot_w * tick
        out.append(f'<text x="{x}" y="{axis_y + 14}" font-size="10" text-anchor="middle">{tick:g}</text>')
    return "".join(out) + "</svg>"


def histogram(title: str, series: Sequence[tuple[str, Sequence[float], str]]) -> str:
    """Overlaid histograms over [0, 1] in :data:`_BINS` bins (counts), one colour per series."""
    if not any(values for _, values, _ in series):
        return _empty(title, "no predicted records")
    counts = []
    for _, values, _ in series:
        row = [0] * _BINS
        for v in values:
            row[min(_BINS - 1, max(0, int(v * _BINS)))] += 1
        counts.append(row)
    left, top, plot_w, plot_h = 44, 44, 400, 180
    top_count = max(max(row) for row in counts)
    out = [_open(left + plot_w + 20, top + plot_h + 44, title), _legend(series, left, 34)]
    out += _y_axis(left, top, plot_h, left + plot_w, top_count, False)
    bin_w = plot_w / _BINS
    for (name, _, colour), row in zip(series, counts, strict=True):
        for b, count in enumerate(row):
            if count:
                h = plot_h * count / top_count
                out.append(
                    f'<rect x="{left + b * bin_w:.1f}" y="{top + plot_h - h:.1f}" width="{bin_w - 1:.1f}" '
                    f'height="{h:.1f}" fill="{colour}" fill-opacity="0.55"><title>{_e(name)} '
                    f"{b / _BINS:.2f}–{(b + 1) / _BINS:.2f}: {count}</title></rect>"
                )
    out += _x_axis(left, top + plot_h, plot_w, "record score")
    return "".join(out) + "</svg>"


def lines(title: str, xs: Sequence[float], series: Sequence[tuple[str, Sequence[float], str]], *, x_label: str) -> str:
    """Step lines over x in [0, 1], y in [0, 1]."""
    if not xs:
        return _empty(title, "no predicted records")
    left, top, plot_w, plot_h = 44, 44, 400, 180
    out = [_open(left + plot_w + 20, top + plot_h + 44, title), _legend(series, left, 34)]
    out += _y_axis(left, top, plot_h, left + plot_w, 1.0, True)
    for name, ys, colour in series:
        points = " ".join(f"{left + plot_w * x:.1f},{top + plot_h * (1 - y):.1f}" for x, y in zip(xs, ys, strict=True))
        out.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"><title>{_e(name)}</title>'
            "</polyline>"
        )
        for x, y in zip(xs, ys, strict=True):
            out.append(
                f'<circle cx="{left + plot_w * x:.1f}" cy="{top + plot_h * (1 - y):.1f}" r="2.5" fill="{colour}">'
                f"<title>{_e(name)} {y:.3f} at score ≥ {x:.3f}</title></circle>"
            )
    out += _x_axis(left, top + plot_h, plot_w, x_label)
    return "".join(out) + "</svg>"


def _open(width: float, height: float, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" {_FONT} fill="#1f2328">'
        f"<title>{_e(title)}</title>"
        f'<rect width="100%" height="100%" fill="#fff"/>'
        f'<text x="8" y="18" font-size="13" font-weight="600">{_e(title)}</text>'
    )


def _empty(title: str, message: str) -> str:
    return _open(360, 60, title) + f'<text x="8" y="44" font-size="12" fill="#59636e">{_e(message)}</text></svg>'


def _legend(series: Sequence[tuple], x: float, y: float) -> str:
    out = []
    for name, _, colour in series:
        out.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{x + 14}" y="{y}" font-size="11">{_e(_short(name, 40))}</text>')
        x += 24 + 6.5 * len(_short(name, 40))
    return "".join(out)


def _y_axis(left: float, top: float, height: float, right: float, top_value: float, percent: bool) -> list[str]:
    out = []
    ticks = (0, 0.25, 0.5, 0.75, 1) if percent else sorted({0, round(top_value / 2), round(top_value)})
    for tick in ticks:
        y = top + height * (1 - tick / top_value)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="#eaeef2"/>')
        out.append(f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{tick:g}</text>')
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + height}" stroke="#57606a"/>')
    return out


def _x_axis(left: float, y: float, width: float, label: str) -> list[str]:
    out = [f'<line x1="{left}" y1="{y}" x2="{left + width}" y2="{y}" stroke="#57606a"/>']
    for tick in (0, 0.25, 0.5, 0.75, 1):
        x = left + width * tick
        out.append(f'<text x="{x:.1f}" y="{y + 14}" font-size="10" text-anchor="middle">{tick:g}</text>')
    out.append(f'<text x="{left + width / 2}" y="{y + 30}" font-size="11" text-anchor="middle">{_e(label)}</text>')
    return out


def _short(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)
