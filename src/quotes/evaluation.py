"""Run a model (or the rule baseline) over gold documents, score it, and write the reports.

:func:`evaluate` loads the model, predicts every gold text, scores the predictions with
:func:`quotes.report.score` (the maths lives in :mod:`quotes.metrics`), attaches the rule baseline's report,
compares with an earlier ``report.json`` when asked, and checks thresholds. :func:`write_report` writes
``report.json``, ``report.md``, ``report.html`` and the plots (``*.svg``) to a folder. The model is imported only
when :func:`evaluate` is given a path. The names most callers need are re-exported here.
"""

from __future__ import annotations

import inspect
import logging
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from quotes.errors import UserInputError
from quotes.metrics import match_quotes, same_speaker, same_speaker_by_name
from quotes.report import (
    HEADLINE_METRICS,
    METRICS,
    REPORT_FORMAT,
    THRESHOLD_ALIASES,
    Report,
    check_thresholds,
    compare,
    load_previous,
    parse_thresholds,
    score,
    threshold_keys,
)
from quotes.schema import Document, QuoteRecord

__all__ = [
    "HEADLINE_METRICS",
    "METRICS",
    "REPORT_FORMAT",
    "THRESHOLD_ALIASES",
    "Predictor",
    "Report",
    "check_thresholds",
    "evaluate",
    "match_quotes",
    "parse_thresholds",
    "same_speaker",
    "same_speaker_by_name",
    "score",
    "threshold_keys",
    "write_report",
]

logger = logging.getLogger(__name__)

_PROGRESS_CHUNK = 8  # documents per predict() call while a progress bar is shown


class Predictor(Protocol):
    def predict(self, texts: list[str], batch_size: int = ...) -> list[list[QuoteRecord]]: ...


def evaluate(
    model: str | Path | Predictor,
    data: str | Path | Sequence[str | Path] | Sequence[Document],
    *,
    report_dir: str | Path | None = None,
    fail_under: str | Mapping[str, float] | None = None,
    batch_size: int = 16,
    baseline: bool = True,
    compare_with: str | Path | None = None,
    progress: bool | None = None,
    boundaries: str | None = None,
) -> Report:
    """Predict quotes for gold documents, score them, and optionally write reports and check thresholds.

    >>> from quotes.schema import Document, Quote, Span
    >>> text = "‘We held the line,’ he said."
    >>> gold = Document("d1", text, (Quote(contents=(Span(0, 19, "‘We held the line,’"),),
    ...                                    sources=(Span(20, 22, "he"),), cue=Span(23, 27, "said")),))
    >>> report = evaluate("rules", [gold], fail_under="quote_f1=0.5")
    >>> report.quotes["f1"], report.attribution["accuracy"], report.failures
    (1.0, 1.0, [])

    Args:
        model: a model directory (loaded with ``QuoteExtractor.from_pretrained``), ``"rules"`` for the rule
            baseline, or any object with ``predict(texts, batch_size=...)`` returning records per text.
        data: gold documents, or paths read with :func:`quotes.data.read_documents`.
        report_dir: when given, the reports and plots are written there (:func:`write_report`).
        fail_under: thresholds as for :func:`quotes.report.parse_thresholds`; the unmet ones are in
            ``report.failures``.
        batch_size: windows per forward pass of the model (a text of many windows fills several); the rule
            baseline ignores it.
        baseline: also score the rule baseline on the same data and attach it as ``report.baseline``.
        compare_with: an earlier ``report.json``; its deltas go to ``report.comparison``.
        progress: show a progress bar over documents on stderr; None shows it when stderr is a terminal.
        boundaries: for a model directory, ``"model"`` or ``"guidelines"`` content edges (see
            ``QuoteExtractor.from_pretrained``); default: the model's saved ``predict.boundaries``.

    Raises:
        ValueError: no documents, a bad threshold, or an unreadable ``compare_with`` (checked before the model
            runs).
    """
    thresholds = parse_thresholds(fail_under)
    previous = load_previous(str(compare_with)) if compare_with is not None else None
    documents = _as_documents(data)
    if not documents:
        raise UserInputError(f"no gold documents to evaluate in {data!r}")
    from quotes.baseline import RuleBasedExtractor

    predictor, name = _as_predictor(model, boundaries)
    texts = [document.text for document in documents]
    logger.info("Evaluating %s on %d documents (%d gold quotes)", name, len(documents), _count_quotes(documents))
    show = sys.stderr.isatty() if progress is None else progress
    report = score(documents, _predict(predictor, texts, batch_size, show, name), name=name)
    if baseline and not isinstance(predictor, RuleBasedExtractor):
        rules = RuleBasedExtractor()
        report.baseline = score(documents, rules.predict(texts, batch_size=batch_size), name="rules")
    if previous is not None:
        report.comparison = compare(report, previous, against=str(compare_with))
    report.thresholds = thresholds
    report.failures = check_thresholds(report, thresholds)
    for failure in report.failures:
        logger.warning("Threshold failed: %s", failure)
    if report_dir is not None:
        for path in write_report(report, report_dir):
            logger.info("Wrote %s", path)
    return report


def write_report(report: Report, directory: str | Path, *, plots: bool = True) -> list[Path]:
    """Write ``report.json``, ``report.md``, ``report.html`` and (with ``plots``) one ``*.svg`` per plot.

    The SVGs are also embedded in the HTML, so ``report.html`` stands alone; ``report.md`` links the files.
    """
    from quotes.markdown import render_report_markdown
    from quotes.plots import report_plots
    from quotes.render import render_report_html

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    svgs = report_plots(report) if plots else {}
    outputs = {
        "report.json": report.to_json() + "\n",
        "report.md": render_report_markdown(report, plot_files=list(svgs)),
        "report.html": render_report_html(report, plots=svgs),
        **svgs,
    }
    paths = []
    for name, content in outputs.items():
        path = directory / name
        path.write_text(content, encoding="utf-8")
        paths.append(path)
    return paths


def _predict(predictor: Predictor, texts: list[str], batch_size: int, show: bool, name: str) -> list:
    """All texts in one call. With ``show``: the predictor's own bar when its ``predict`` takes ``progress``
    (the same batches, so the same records), else chunks of texts under a tqdm bar."""
    if not show:
        return predictor.predict(texts, batch_size=batch_size)
    if "progress" in inspect.signature(predictor.predict).parameters:
        return predictor.predict(texts, batch_size=batch_size, progress=True)  # type: ignore[call-arg]
    from tqdm.auto import tqdm

    records: list = []
    with tqdm(total=len(texts), desc=f"predicting ({name})", unit="doc", file=sys.stderr) as bar:
        for start in range(0, len(texts), _PROGRESS_CHUNK):
            chunk = texts[start : start + _PROGRESS_CHUNK]
            records += predictor.predict(chunk, batch_size=batch_size)
            bar.update(len(chunk))
    return records


def _as_documents(data: Any) -> list[Document]:
    if isinstance(data, Sequence) and not isinstance(data, str) and all(isinstance(d, Document) for d in data):
        return list(data)
    from quotes.data import read_documents

    return read_documents(data)


def _as_predictor(model: Any, boundaries: str | None = None) -> tuple[Predictor, str]:
    from quotes.baseline import RuleBasedExtractor

    if boundaries is not None and not (isinstance(model, (str, Path)) and str(model) != "rules"):
        raise UserInputError(f"boundaries={boundaries!r} applies to a model directory only, not to {model!r}")

    if isinstance(model, str) and model == "rules":
        return RuleBasedExtractor(), "rules"
    if isinstance(model, (str, Path)):
        from quotes.inference import QuoteExtractor

        extractor = QuoteExtractor.from_pretrained(model, boundaries=boundaries)
        return extractor, str(model) if boundaries is None else f"{model} (boundaries: {boundaries})"
    if callable(getattr(model, "predict", None)):
        return model, "rules" if isinstance(model, RuleBasedExtractor) else type(model).__name__
    raise TypeError(
        f"model must be a model directory, 'rules', or an object with .predict(texts, batch_size=...); "
        f"got {type(model).__name__}"
    )


def _count_quotes(documents: Sequence[Document]) -> int:
    return sum(len(d.quotes) for d in documents)
