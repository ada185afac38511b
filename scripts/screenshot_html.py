"""Screenshot the page that ``quotes predict --format html`` writes, as real headless Chromium draws it.

Usage: python scripts/screenshot_html.py --model DIR INPUT.txt|INPUT.json -o shot.png [--width 1280 --height 2000]

Runs ``quotes predict --format html`` on INPUT (a ``.txt`` file or one Citron ``.json`` document) with the model in
DIR, opens the page in Debian's ``chromium`` (``apt-get install -y chromium``) with a throwaway profile and no
network traffic of its own, and saves a PNG of the top WIDTH x HEIGHT pixels of the page. Use it to look at what
a reader sees; ``tests/test_screenshot.py`` runs it with the tiny test model.

Exit codes: 0 the PNG was written, 2 bad input (no model or input, ``quotes predict`` failed), 3 Chromium is not
installed or wrote no valid PNG.
"""

from __future__ import annotations

import argparse
import os
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

EXIT_OK, EXIT_BAD_INPUT, EXIT_NO_BROWSER = 0, 2, 3
BROWSERS = ("chromium", "chromium-browser")  # Debian's package name, then Ubuntu's
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BROWSER_TIMEOUT_S = 120  # a cold start on a busy 2-core machine takes ~3 s; a hung browser must not hang CI


def find_chromium(explicit: str | None = None) -> str | None:
    """The browser to run: ``explicit`` if given, else ``$CHROMIUM``, else the first of :data:`BROWSERS` on PATH."""
    if explicit or os.environ.get("CHROMIUM"):
        return shutil.which(explicit or os.environ["CHROMIUM"])
    return next((path for path in map(shutil.which, BROWSERS) if path), None)


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk.

    Raises:
        ValueError: the file is not a PNG.
    """
    head = path.read_bytes()[:24]
    if len(head) < 24 or head[:8] != PNG_SIGNATURE or head[12:16] != b"IHDR":
        raise ValueError(f"{path}: not a PNG file")
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def render_html(model: Path, source: Path, html_path: Path) -> subprocess.CompletedProcess:
    """Run ``quotes predict --format html`` in this interpreter's environment, writing ``html_path``."""
    command = [sys.executable, "-m", "quotes", "predict", "--model", str(model), "--format", "html"]
    command += ["-o", str(html_path), str(source)]
    return subprocess.run(command, capture_output=True, text=True)


def screenshot(chromium: str, html_path: Path, png_path: Path, width: int, height: int) -> subprocess.CompletedProcess:
    """Draw ``html_path`` in headless Chromium and write the visible ``width`` x ``height`` pixels to ``png_path``."""
    with tempfile.TemporaryDirectory(prefix="quotes-chromium-") as profile:
        command = [
            chromium,
            "--headless",
            "--no-sandbox",  # containers and CI run as root, where Chromium's sandbox cannot start
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            f"--screenshot={png_path}",
            html_path.resolve().as_uri(),
        ]
        return subprocess.run(command, capture_output=True, text=True, timeout=BROWSER_TIMEOUT_S)


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, type=Path, help="a model directory written by `quotes train`")
    parser.add_argument("input", type=Path, help="a .txt file or one Citron .json document")
    parser.add_argument("-o", "--output", required=True, type=Path, help="the PNG to write")
    parser.add_argument("--width", type=int, default=1280, help="window width in CSS pixels")
    parser.add_argument("--height", type=int, default=2000, help="window height in CSS pixels (what is captured)")
    parser.add_argument("--html", type=Path, help="also keep the page here (default: a temporary file)")
    parser.add_argument("--chromium", help="the browser executable (default: $CHROMIUM, then chromium on PATH)")
    args = parser.parse_args(argv)

    def fail(code: int, message: str) -> int:
        print(f"screenshot_html: error: {message}", file=sys.stderr)
        return code

    chromium = find_chromium(args.chromium)
    if chromium is None:
        wanted = args.chromium or os.environ.get("CHROMIUM") or " or ".join(BROWSERS)
        return fail(EXIT_NO_BROWSER, f"{wanted} is not installed; on Debian: apt-get install -y chromium")
    if not args.input.is_file():
        return fail(EXIT_BAD_INPUT, f"{args.input}: no such file")
    if not (args.model / "config.json").is_file():
        return fail(EXIT_BAD_INPUT, f"{args.model}: not a model directory (no config.json)")

    with tempfile.TemporaryDirectory(prefix="quotes-screenshot-") as tmp:
        html_path = args.html or Path(tmp) / f"{args.input.stem}.html"
        predicted = render_html(args.model, args.input, html_path)
        if predicted.returncode != 0:
            return fail(
                EXIT_BAD_INPUT, f"quotes predict failed (exit {predicted.returncode}):\n{_tail(predicted.stderr)}"
            )
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.unlink(missing_ok=True)  # a PNG left from an earlier run must not pass for this one
        try:
            drawn = screenshot(chromium, html_path, args.output.resolve(), args.width, args.height)
        except subprocess.TimeoutExpired:
            return fail(EXIT_NO_BROWSER, f"{chromium} did not finish within {BROWSER_TIMEOUT_S} s")
    try:
        width, height = png_size(args.output)
    except (OSError, ValueError):
        return fail(
            EXIT_NO_BROWSER, f"{chromium} wrote no PNG (exit {drawn.returncode}); its output:\n{_tail(drawn.stderr)}"
        )
    print(f"wrote {args.output} ({width}x{height} px, {args.output.stat().st_size:,} bytes)")
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
