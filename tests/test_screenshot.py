"""``scripts/screenshot_html.py``: the page of ``quotes predict --format html`` as real headless Chromium draws it."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "screenshot_html.py"
REPORT_SCRIPT = ROOT / "scripts" / "screenshot_report.py"
# Words of the tiny tokenizer's vocabulary, so that the text stays under its 128 positions.
TEXT = "‘The army is in the region,’ the governor said.\nPutin told the minister that troops were at the border.\n"


def png_scanlines(path: Path) -> tuple[int, int, bytes]:
    """Width, height and the decompressed (still filtered) scanlines of a PNG; fails on anything that is not one."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    chunks, position = {}, 8
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        assert zlib.crc32(kind + body) == struct.unpack(">I", data[position + 8 + length : position + 12 + length])[0]
        chunks[kind] = chunks.get(kind, b"") + body
        position += 12 + length
    assert b"IEND" in chunks, "truncated PNG"
    width, height = struct.unpack(">II", chunks[b"IHDR"][:8])
    return width, height, zlib.decompress(chunks[b"IDAT"])


NO_CHROMIUM = pytest.mark.skipif(
    shutil.which("chromium") is None, reason="chromium is not on PATH (apt-get install -y chromium)"
)


@NO_CHROMIUM
def test_screenshot_of_predicted_html_is_a_drawn_png(tiny_model_dir, tmp_path):
    source = tmp_path / "army.txt"
    source.write_text(TEXT, encoding="utf-8")
    shot = tmp_path / "shots" / "army.png"
    page = tmp_path / "army.html"

    result = subprocess.run(
        [sys.executable, SCRIPT, "--model", tiny_model_dir, source, "-o", shot, "--html", page]
        + ["--width", "800", "--height", "600"],
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"wrote {shot} (800x600 px, ")
    assert "<title>army</title>" in page.read_text(encoding="utf-8")
    width, height, scanlines = png_scanlines(shot)
    assert (width, height) == (800, 600)
    assert 10_000 < shot.stat().st_size < 5_000_000  # a blank 800x600 page is about 3 KB
    assert len(set(scanlines)) > 64  # drawn text and highlights, not one flat colour (a blank page gives 4 values)


@NO_CHROMIUM
def test_screenshot_of_the_evaluation_report_shows_summary_and_plots(gold_documents, tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(d.to_dict(), ensure_ascii=False) + "\n" for d in gold_documents), "utf-8")
    shot, reports = tmp_path / "report.png", tmp_path / "reports"

    result = subprocess.run(
        [sys.executable, REPORT_SCRIPT, "--data", gold, "-o", shot, "--report-dir", reports]
        + ["--width", "1000", "--height", "900", "--fail-under", "quote_f1=0.5"],
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"wrote {shot} (1000x900 px, ")
    page = (reports / "report.html").read_text(encoding="utf-8")
    assert "All thresholds passed" in page and page.count("<svg ") == 6
    assert sorted(p.name for p in reports.glob("*.svg")) == [
        "confusion.svg", "documents.svg", "edges.svg", "labels.svg", "scores.svg", "threshold.svg",
    ]  # fmt: skip
    width, height, scanlines = png_scanlines(shot)
    assert (width, height) == (1000, 900)
    assert len(set(scanlines)) > 64  # a drawn table and plots, not a blank page
