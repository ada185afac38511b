"""``quotes predict`` over archives: streaming output, --resume after a kill, bad input, torchrun and Ray."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from quotes.cli import main
from quotes.data import read_documents
from quotes.inference import QuoteExtractor
from tests.helpers import seeded_tiny_model

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "annotations" / "seed"
NEWLINE = b"\n"
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    """The tiny BERT, its random weights drawn from a fixed seed (so it finds spans), with 64-token windows."""
    return seeded_tiny_model(tmp_path_factory.mktemp("predict-model") / "tiny")


def write_archive(path: Path, count: int) -> list[str]:
    """A JSONL archive of ``count`` news paragraphs (the seed articles' paragraphs, repeated with new ids)."""
    paragraphs = [p for d in read_documents(SEED) for p in d.text.split("\n\n") if p.strip()]
    ids = [f"article-{i:05d}" for i in range(count)]
    with path.open("w", encoding="utf-8") as handle:
        for i, doc_id in enumerate(ids):
            handle.write(json.dumps({"id": doc_id, "text": paragraphs[i % len(paragraphs)]}, ensure_ascii=False) + "\n")
    return ids


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def quotes_cli(*argv) -> list[str]:
    return [sys.executable, "-m", "quotes", *map(str, argv)]


# --------------------------------------------------------------------------------------------------------------
# Inputs and outputs
# --------------------------------------------------------------------------------------------------------------


def test_predict_streams_a_jsonl_archive_in_input_order(capsys, model, tmp_path):
    ids = write_archive(tmp_path / "archive.jsonl", 23)
    output = tmp_path / "out" / "quotes.jsonl"
    code, out, err = run(
        capsys, "predict", "--model", model, tmp_path / "archive.jsonl", "-o", output, "--chunk-size", 5
    )
    assert code == 0 and out == ""
    lines = output.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "" and [json.loads(line)["id"] for line in lines[:-1]] == ids
    quotes = sum(len(json.loads(line)["quotes"]) for line in lines[:-1])
    assert quotes > 0 and f"wrote {quotes} quotes from 23 document(s) to {output}" in err


def test_folder_of_txt_files_gives_one_line_per_file(capsys, tmp_path):
    articles = tmp_path / "articles"
    for name in ["2019/kursk.txt", "2020/kursk.txt", "2020/rogozin.txt"]:
        (articles / name).parent.mkdir(parents=True, exist_ok=True)
        (articles / name).write_text("‘Nuclear blackmail,’ posted Dmitry Rogozin.", encoding="utf-8")
    code, out, _ = run(capsys, "predict", "--model", "rules", articles)
    assert code == 0 and [json.loads(line)["id"] for line in out.splitlines()] == [
        "2019/kursk",
        "2020/kursk",
        "2020/rogozin",
    ]


def test_crlf_text_file_keeps_its_bytes_and_matches_stdin(capsys, monkeypatch, model, tmp_path):
    text = "General Gerasimov spoke.\r\n‘Units went on the offensive,’ he said.\r\n‘The advance was halted.’\r\n"
    path = tmp_path / "crlf.txt"
    path.write_bytes(text.encode("utf-8"))
    _, from_file, _ = run(capsys, "predict", "--model", model, path)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))  # translates newlines
    _, from_stdin, _ = run(capsys, "predict", "--model", model)

    document, piped = json.loads(from_file), json.loads(from_stdin)
    assert document["text"] == text == piped["text"]  # "\r\n" kept: offsets index the user's file
    assert document["quotes"] == piped["quotes"] and document["quotes"]
    for quote in document["quotes"]:
        for span in quote["contents"] + quote["sources"]:
            assert text[span["start"] : span["end"]] == span["text"]


def test_invalid_utf8_on_stdin_exits_2_with_the_byte_offset(capsys, monkeypatch, model):
    data = b"Caf\xc3\xa9 au lait, caf\xe9 noir."  # the first \xe9 is UTF-8's second byte of "é"; the 2nd is Latin-1
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, err = run(capsys, "predict", "--model", model)
    assert code == 2 and out == ""
    assert f"quotes: error: <stdin>: not UTF-8 text (byte 0xe9 at byte offset {data.rindex(0xE9)})" in err


@pytest.mark.parametrize("kind", ["empty file", "blank jsonl", "empty folder", "folder of notes", "empty stdin"])
def test_input_without_documents_exits_2(capsys, monkeypatch, tmp_path, kind):
    inputs = []
    if kind == "empty file":
        inputs = [tmp_path / "empty.jsonl"]
        inputs[0].write_text("", encoding="utf-8")
    elif kind == "blank jsonl":
        inputs = [tmp_path / "blank.jsonl"]
        inputs[0].write_text("\n  \n", encoding="utf-8")
    elif kind == "empty folder":
        inputs = [tmp_path]
    elif kind == "folder of notes":
        (tmp_path / "README.md").write_text("notes", encoding="utf-8")
        inputs = [tmp_path]
    else:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    code, out, err = run(capsys, "predict", "--model", tmp_path / "no-model", "--stdin-format", "jsonl", *inputs)
    assert code == 2 and out == "" and err.startswith("quotes: error: ")
    assert "no documents" in err or "no .txt, .json or .jsonl files" in err
    assert "not a model directory" not in err  # refused before the model loads


@pytest.mark.parametrize("where", ["a folder", "under a file", "unwritable"])
def test_bad_output_path_exits_2_before_the_model_loads(capsys, tmp_path, where):
    source = tmp_path / "a.txt"
    source.write_text("‘Yes,’ he said.", encoding="utf-8")
    output = {"a folder": tmp_path, "under a file": source / "out.jsonl", "unwritable": "/proc/quotes/out.jsonl"}
    code, _, err = run(capsys, "predict", "--model", tmp_path / "no-model", source, "-o", output[where])
    assert code == 2 and err.startswith("quotes: error: ")
    assert ("is a directory" if where == "a folder" else "cannot write here") in err
    assert "Traceback" not in err and "not a model directory" not in err


def test_duplicate_ids_across_inputs_exit_2_naming_both(capsys, tmp_path):
    (tmp_path / "a.jsonl").write_text('{"id": "x", "text": "one"}\n', encoding="utf-8")
    (tmp_path / "b.jsonl").write_text('{"id": "x", "text": "two"}\n', encoding="utf-8")
    code, _, err = run(capsys, "predict", "--model", "rules", tmp_path / "a.jsonl", tmp_path / "b.jsonl")
    assert code == 2 and "duplicate document id 'x' in" in err
    assert f"{tmp_path / 'b.jsonl'}:1 (first in {tmp_path / 'a.jsonl'}:1)" in err


def test_rule_baseline_predicts_from_the_cli(capsys, tmp_path):
    path = tmp_path / "rogozin.txt"
    path.write_text("‘Nuclear blackmail,’ posted Dmitry Rogozin, a senator.", encoding="utf-8")
    code, out, _ = run(capsys, "predict", "--model", "rules", "--format", "text", path)
    assert code == 0 and "[1] Dmitry Rogozin | posted | ‘Nuclear blackmail,’" in out


def test_min_score_drops_records_below_it(capsys, model, tmp_path):
    write_archive(tmp_path / "archive.jsonl", 10)
    _, everything, _ = run(capsys, "predict", "--model", model, tmp_path / "archive.jsonl")
    scores = sorted(q["score"] for line in everything.splitlines() for q in json.loads(line)["quotes"])
    middle = len(scores) // 2  # halfway between two printed scores, which are rounded to 6 decimals
    threshold = round((scores[middle - 1] + scores[middle]) / 2, 9)
    assert scores[middle] - scores[middle - 1] > 2e-6, "the tiny model should give distinct record scores"
    code, kept, _ = run(capsys, "predict", "--model", model, tmp_path / "archive.jsonl", "--min-score", threshold)
    kept_scores = sorted(q["score"] for line in kept.splitlines() for q in json.loads(line)["quotes"])
    assert code == 0 and kept_scores == [s for s in scores if s >= threshold] and 0 < len(kept_scores) < len(scores)


def test_boundaries_flag_overrides_the_models_saved_setting(capsys, model, tmp_path):
    write_archive(tmp_path / "archive.jsonl", 30)
    _, own, _ = run(capsys, "predict", "--model", model, tmp_path / "archive.jsonl")
    code, guided, _ = run(capsys, "predict", "--model", model, tmp_path / "archive.jsonl", "--boundaries", "guidelines")
    extractor = QuoteExtractor.from_pretrained(model, boundaries="guidelines")
    documents = [json.loads(line) for line in guided.splitlines()]
    expected = extractor.predict([d["text"] for d in documents])
    assert code == 0 and own != guided
    written = [[[(c["start"], c["end"], c["text"]) for c in q["contents"]] for q in d["quotes"]] for d in documents]
    assert written == [[[(c.start, c.end, c.text) for c in r.contents] for r in records] for records in expected]


def test_boundaries_flag_with_the_rule_baseline_exits_2(capsys, tmp_path):
    code, _, err = run(capsys, "predict", "--model", "rules", "--boundaries", "guidelines", __file__)
    assert code == 2 and "the rule baseline (--model rules) has none to move" in err


@pytest.mark.parametrize("value", ["1.5", "-0.1", "nan"])
def test_min_score_outside_0_to_1_exits_2(capsys, value):
    code, _, err = run(capsys, "predict", "--model", "rules", "--min-score", value, __file__)
    assert code == 2 and "--min-score must be a number from 0 to 1" in err


def test_resume_needs_a_jsonl_output_file(capsys, tmp_path):
    code, _, err = run(capsys, "predict", "--model", "rules", "--resume", __file__)
    assert code == 2 and "--resume appends to a JSONL file: give -o FILE.jsonl" in err


def test_progress_bar_shows_documents_and_tokens_per_second_on_a_terminal(capsys, monkeypatch, model, tmp_path):
    write_archive(tmp_path / "archive.jsonl", 6)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, _, err = run(capsys, "predict", "--model", model, tmp_path / "archive.jsonl", "-o", tmp_path / "o.jsonl")
    assert code == 0 and "6/6" in err and "doc/s" in err and "tok/s" in err
    code, _, err = run(capsys, "predict", "--model", model, tmp_path / "archive.jsonl", "--progress", "off")
    assert code == 0 and err == ""


# --------------------------------------------------------------------------------------------------------------
# Resume after a kill
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT], ids=["kill", "ctrl-c"])
def test_resume_after_a_kill_gives_the_file_of_an_uninterrupted_run(model, tmp_path, stop):
    archive = tmp_path / "archive.jsonl"
    ids = write_archive(archive, 800)
    command = quotes_cli("predict", "--model", model, archive, "--chunk-size", 7)
    whole = tmp_path / "whole.jsonl"
    subprocess.run([*command, "-o", whole], env=ENV, check=True, capture_output=True, timeout=600)

    resumed = tmp_path / "resumed.jsonl"
    process = subprocess.Popen([*command, "-o", resumed], env=ENV, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while process.poll() is None and time.monotonic() < deadline:  # stop it once its first chunk is written
        if resumed.exists() and resumed.stat().st_size > 0:
            break
        time.sleep(0.005)
    process.send_signal(stop)
    _, err = process.communicate(timeout=60)
    written = resumed.read_bytes()
    assert 0 < written.count(b"\n") < len(ids), "the run was stopped mid-way"
    if stop == signal.SIGINT:  # Ctrl-C: a message with the way on, no traceback
        assert process.returncode == 130 and "run the same command with --resume" in err and "Traceback" not in err
    with resumed.open("ab") as handle:
        handle.write(b'{"id": "article-0')  # as if killed inside a write: resume cuts it away

    run = subprocess.run([*command, "-o", resumed, "--resume"], env=ENV, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert resumed.read_bytes() == whole.read_bytes()
    assert f"({written.count(NEWLINE)} already there)" in run.stderr


# --------------------------------------------------------------------------------------------------------------
# Several processes
# --------------------------------------------------------------------------------------------------------------


def test_two_torchrun_processes_write_the_bytes_one_process_writes(model, tmp_path):
    archive = tmp_path / "archive.jsonl"
    write_archive(archive, 40)
    arguments = ["predict", "--model", model, archive, "--chunk-size", 3]
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    subprocess.run(quotes_cli(*arguments, "-o", one), env=ENV, check=True, capture_output=True, timeout=600)

    torchrun = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", "-m", "quotes"]
    run = subprocess.run(
        [*torchrun, *map(str, arguments), "-o", str(two)], env=ENV, capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stderr[-4000:]
    assert two.read_bytes() == one.read_bytes()
    quotes = sum(len(json.loads(line)["quotes"]) for line in one.read_text(encoding="utf-8").splitlines())
    summary = f"wrote {quotes} quotes from 40 document(s) to {two}, merged from 2 processes"
    assert run.stderr.count(summary) == 1  # rank 0 reports for both
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive.jsonl", "one.jsonl", "two.jsonl"]  # parts gone


def test_ray_data_with_two_workers_writes_the_bytes_one_process_writes(model, tmp_path):
    pytest.importorskip("ray", reason="the Ray engine is an optional extra: pip install 'quotes[ray]'")
    archive = tmp_path / "archive.jsonl"
    write_archive(archive, 30)
    arguments = ["predict", "--model", model, archive, "--chunk-size", 4]
    one, two = tmp_path / "one.jsonl", tmp_path / "ray.jsonl"
    subprocess.run(quotes_cli(*arguments, "-o", one), env=ENV, check=True, capture_output=True, timeout=600)

    engine = ["--engine", "ray", "--workers", "2", "-o", two]
    run = subprocess.run(quotes_cli(*arguments, *engine), env=ENV, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-4000:]
    assert two.read_bytes() == one.read_bytes()


def test_a_json_number_too_long_to_read_exits_2_naming_the_line(capsys, tmp_path):
    path = tmp_path / "archive.jsonl"
    path.write_text('{"id": "a", "text": "x", "n": ' + "9" * 5000 + "}\n", encoding="utf-8")
    code, _, err = run(capsys, "predict", "--model", "rules", path)
    assert code == 2 and f"{path}:1: unreadable JSON value" in err
