"""Regenerate ``docs/report.png``: the top of an evaluation ``report.html`` as real headless Chromium draws it.

Usage: python scripts/screenshot_report.py [--model rules] [--data data/annotations/splits/test.jsonl]
                                           [-o docs/report.png] [--width 1280 --height 1500]

Runs ``quotes evaluate`` (the rule baseline on the seed test split by default, so no trained model is needed),
then saves a PNG of the top WIDTH x HEIGHT pixels of its ``report.html`` with Debian's ``chromium``
(``apt-get install -y chromium``), as ``scripts/screenshot_html.py`` does for prediction pages. Look at the PNG
whenever the page changes. Exit codes as in ``screenshot_html.py``: 0 written, 2 bad input (``quotes evaluate``
failed), 3 no Chromium or no valid PNG.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshot_html import EXIT_BAD_INPUT, EXIT_NO_BROWSER, EXIT_OK, _tail, find_chromium, png_size, screenshot  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def evaluate(model: str, data: list[Path], report_dir: Path, extra: list[str]) -> subprocess.CompletedProcess:
    """Run ``quotes evaluate`` in this interpreter's environment, writing the reports to ``report_dir``."""
    command = [sys.executable, "-m", "quotes", "evaluate", "--model", model, "--data", *map(str, data)]
    command += ["--report-dir", str(report_dir), "--progress", "off", *extra]
    return subprocess.run(command, capture_output=True, text=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="rules", help="a model directory, or rules (default)")
    parser.add_argument("--data", nargs="+", type=Path, default=[ROOT / "data/annotations/splits/test.jsonl"])
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "docs/report.png", help="the PNG to write")
    parser.add_argument("--width", type=int, default=1280, help="window width in CSS pixels")
    parser.add_argument("--height", type=int, default=1500, help="window height in CSS pixels (what is captured)")
    parser.add_argument("--report-dir", type=Path, help="keep the reports here (default: a temporary folder)")
    parser.add_argument("--fail-under", help="passed to quotes evaluate, so the verdict shows on the page")
    parser.add_argument("--chromium", help="the browser executable (default: $CHROMIUM, then chromium on PATH)")
    args = parser.parse_args(argv)

    def fail(code: int, message: str) -> int:
        print(f"screenshot_report: error: {message}", file=sys.stderr)
        return code

    chromium = find_chromium(args.chromium)
    if chromium is None:
        return fail(EXIT_NO_BROWSER, "chromium is not installed; on Debian: apt-get install -y chromium")
    with tempfile.TemporaryDirectory(prefix="quotes-report-") as tmp:
        report_dir = args.report_dir or Path(tmp)
        extra = ["--fail-under", args.fail_under] if args.fail_under else []
        result = evaluate(args.model, args.data, report_dir, extra)
        if result.returncode not in (0, 1):  # 1: a threshold failed, which the page shows
            return fail(EXIT_BAD_INPUT, f"quotes evaluate failed (exit {result.returncode}):\n{_tail(result.stderr)}")
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.unlink(missing_ok=True)  # a PNG left from an earlier run must not pass for this one
        try:
            drawn = screenshot(chromium, report_dir / "report.html", args.output.resolve(), args.width, args.height)
        except subprocess.TimeoutExpired:
            return fail(EXIT_NO_BROWSER, f"{chromium} did not finish in time")
    try:
        width, height = png_size(args.output)
    except (OSError, ValueError):
        return fail(EXIT_NO_BROWSER, f"{chromium} wrote no PNG (exit {drawn.returncode}):\n{_tail(drawn.stderr)}")
    print(f"wrote {args.output} ({width}x{height} px, {args.output.stat().st_size:,} bytes)")
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
