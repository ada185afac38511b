"""The ``quotes`` command as a user runs it: validate, convert, train, predict and evaluate, with their exit codes.

Commands run in-process through :func:`quotes.cli.main` (output read with ``capsys``); a few run as real
subprocesses to check the installed entry points. One tiny model is trained per session and shared
(``tiny_training`` in conftest.py).
"""

from __future__ import annotations

import html
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from quotes import __version__
from quotes.cli import format_text, main
from quotes.formats import read_conll
from quotes.schema import QuoteRecord, ScoredSpan, read_documents

ROOT = Path(__file__).resolve().parent.parent
ANNOTATIONS = ROOT / "data" / "annotations"
SPLITS = ANNOTATIONS / "splits"
TEST_SPLIT = SPLITS / "test.jsonl"
SEED_DOC = ANNOTATIONS / "seed" / "003_8b1ae2b3cf817a52.json"
TINY = ROOT / "configs" / "tiny.yaml"
QUOTES_SCRIPT = Path(sys.executable).parent / "quotes"

TEXT = (
    "‘Nuclear blackmail,’ posted Dmitry Rogozin, a senator.\n\n"
    "Kursk regional governor Alexei Smirnov said ‘several thousand’ people had been evacuated.\n"
)
DOCUMENT_KEYS = {"id", "text", "quotes"}
QUOTE_KEYS = {"cue", "sources", "contents", "coreferences"}
SPAN_KEYS = {"start", "end", "text"}


def run(capsys, *argv: str | Path) -> tuple[int, str, str]:
    """``quotes ARGV...`` in-process: exit code, stdout, stderr."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# --------------------------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------------------------


def test_quotes_help_runs_as_console_script_and_as_module():
    script = subprocess.run([QUOTES_SCRIPT, "--help"], capture_output=True, text=True, timeout=60)
    assert script.returncode == 0, script.stderr
    for command in ("validate", "convert", "train", "predict", "evaluate"):
        assert command in script.stdout
    module = subprocess.run([sys.executable, "-m", "quotes", "--version"], capture_output=True, text=True, timeout=60)
    assert module.returncode == 0 and module.stdout.strip() == f"quotes {__version__}"


def test_validate_starts_without_importing_torch():
    code = "import sys; from quotes.cli import main; rc = main(sys.argv[1:]); print(rc, 'torch' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code, "validate", str(ANNOTATIONS)], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.splitlines()[-1] == "0 False", result.stderr


def test_argument_errors_exit_2_with_usage(capsys):
    with pytest.raises(SystemExit) as missing_model:
        main(["predict", "x.txt"])
    with pytest.raises(SystemExit) as unknown_flag:
        main(["validate", str(ANNOTATIONS), "--strict"])
    assert missing_model.value.code == unknown_flag.value.code == 2
    err = capsys.readouterr().err
    assert "the following arguments are required: --model" in err
    assert "unrecognized arguments: --strict" in err


def test_output_into_a_closed_pipe_ends_quietly():
    proc = subprocess.Popen(
        [QUOTES_SCRIPT, "validate", ANNOTATIONS], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    proc.stdout.close()  # the reader is gone before the command prints, as with `| head -0` or a closed `less`
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=60) in (0, 141), err
    assert "Traceback" not in err and "BrokenPipeError" not in err


# --------------------------------------------------------------------------------------------------------------
# validate
# --------------------------------------------------------------------------------------------------------------


def test_validate_the_committed_gold_prints_counts(capsys):
    documents = read_documents(ANNOTATIONS)
    code, out, err = run(capsys, "validate", ANNOTATIONS)
    assert code == 0 and err == ""
    assert out == f"ok: {len(documents)} documents, {sum(len(d.quotes) for d in documents)} quotes\n"


def test_validate_lists_every_problem_with_file_line_document_and_field(capsys, tmp_path):
    bad = tmp_path / "bad.jsonl"
    lines = [
        {"id": "fine", "text": "He said hi.", "quotes": []},
        {
            "id": "wrong-text",
            "text": "He said: ‘Go.’",
            "quotes": [
                {
                    "cue": {"start": 3, "end": 7, "text": "said"},
                    "sources": [{"start": 0, "end": 2, "text": "She"}],
                    "contents": [{"start": 9, "end": 14, "text": "‘Go.’"}],
                }
            ],
        },
        "not json",
        {"id": "faults", "text": "x y", "quotes": [{"contents": [{"start": 2, "end": 1, "text": "y"}], "who": 1}]},
        {"text": "no id"},
    ]
    bad.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")

    code, out, err = run(capsys, "validate", bad)

    assert code == 2 and out == ""
    expected = [
        f"{bad}:2: document 'wrong-text': quotes[0].sources[0].text: 'She' != text[0:2] = 'He'",
        f"{bad}:3: invalid JSON: Expecting value at column 1",
        f"{bad}:4: document 'faults': quotes[0].who: unknown field (allowed: cue, sources, contents, coreferences)",
        f"{bad}:4: document 'faults': quotes[0].contents[0].end: end 1 is not after start 2 (reversed or empty span)",
        f"{bad}:5: id: missing required field",
        "5 problem(s); 1 valid document(s)",
    ]
    assert sorted(err.splitlines()) == sorted(expected)


def test_validate_finds_duplicate_ids_across_arguments(capsys):
    code, _, err = run(capsys, "validate", TEST_SPLIT, TEST_SPLIT)
    assert code == 2 and "duplicate id" in err


def test_validate_reports_a_missing_path_with_the_problems_of_the_others(capsys, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    code, _, err = run(capsys, "validate", bad, tmp_path / "missing.jsonl")
    assert code == 2
    assert f"{bad}:1: invalid JSON" in err and "missing.jsonl" in err


# --------------------------------------------------------------------------------------------------------------
# convert (BRAT standoff, formatted as in PolNeAR)
# --------------------------------------------------------------------------------------------------------------

BRAT = {
    "putin": (
        "Putin said Ukraine attacked the border.\n",
        "T1\tSource 0 5\tPutin\n"
        "T2\tCue 6 10\tsaid\n"
        "T3\tContent 11 38\tUkraine attacked the border\n"
        "T4\tAttribution 6 10\tsaid\n"
        "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n",
    ),
    "smirnov": (
        "‘Several thousand people left,’ Smirnov told reporters.\n",
        "T1\tContent 0 31\t‘Several thousand people left,’\n"
        "T2\tSource 32 39\tSmirnov\n"
        "T3\tCue 40 44\ttold\n"
        "T4\tAttribution 40 44\ttold\n"
        "E1\tAttribution:T4 Source:T2 Cue:T3 Content:T1\n"
        "#1\tAnnotatorNotes T1\tdirect quote\n",
    ),
}


@pytest.fixture
def brat_dir(tmp_path) -> Path:
    directory = tmp_path / "brat"
    directory.mkdir()
    for name, (text, ann) in BRAT.items():
        (directory / f"{name}.txt").write_text(text, encoding="utf-8")
        (directory / f"{name}.ann").write_text(ann, encoding="utf-8")
    return directory


def test_convert_brat_to_jsonl(capsys, brat_dir, tmp_path):
    output = tmp_path / "out" / "gold.jsonl"
    code, out, _ = run(capsys, "convert", brat_dir, "-o", output)
    assert code == 0 and out == f"wrote 2 documents, 2 quotes to {output}\n"
    putin, smirnov = read_documents(output)  # read back with full validation
    assert (putin.id, smirnov.id) == ("putin", "smirnov")
    quote = putin.quotes[0]
    assert [s.text for s in quote.contents] == ["Ukraine attacked the border"]
    assert [s.text for s in quote.sources] == ["Putin"] and quote.cue.text == "said"
    assert smirnov.quotes[0].contents[0].text == "‘Several thousand people left,’"
    assert run(capsys, "validate", output)[:2] == (0, "ok: 2 documents, 2 quotes\n")


def test_convert_brat_to_conll(capsys, brat_dir, tmp_path):
    output = tmp_path / "gold.conll"
    code, out, _ = run(capsys, "convert", brat_dir, "-o", output)
    assert code == 0 and out.startswith("wrote 2 documents")
    assert output.read_text(encoding="utf-8").startswith("-DOCSTART-\tO\n\n")
    putin, smirnov = read_conll(output)
    assert putin == [
        ("Putin", "B-SPEAKER"),
        ("said", "B-CUE"),
        ("Ukraine", "B-QUOTE"),
        ("attacked", "I-QUOTE"),
        ("the", "I-QUOTE"),
        ("border", "I-QUOTE"),
        (".", "O"),
    ]
    assert [tag for _, tag in smirnov][:2] == ["B-QUOTE", "I-QUOTE"]


def test_convert_and_validate_name_the_broken_brat_line(capsys, brat_dir, tmp_path):
    ann = brat_dir / "putin.ann"
    ann.write_text(ann.read_text().replace("Content 11 38\tUkraine", "Content 11 38\tRussia"), encoding="utf-8")
    code, out, err = run(capsys, "convert", brat_dir, "-o", tmp_path / "gold.jsonl")
    assert code == 2 and out == "" and not (tmp_path / "gold.jsonl").exists()
    assert f"{ann}:3: document 'putin': T3: text 'Russia attacked the border'" in err
    code, _, err = run(capsys, "validate", brat_dir)
    assert code == 2 and f"{ann}:3: document 'putin': T3:" in err


def test_convert_refuses_two_documents_in_one_json_file(capsys, brat_dir, tmp_path):
    code, _, err = run(capsys, "convert", brat_dir, "-o", tmp_path / "gold.json")
    assert code == 2 and "a .json file holds exactly one document, got 2; use .jsonl" in err


# --------------------------------------------------------------------------------------------------------------
# train
# --------------------------------------------------------------------------------------------------------------


def test_train_with_overrides_saves_a_model_and_prints_test_scores(tiny_training):
    assert tiny_training.code == 0
    assert re.search(
        r"^test: window_seqeval_QUOTE_f1 \d\.\d{3}, window_seqeval_SPEAKER_f1 \d\.\d{3}, "
        r"window_seqeval_CUE_f1 \d\.\d{3}$",
        tiny_training.out,
        re.M,
    )
    assert re.search(rf"^model saved to {re.escape(str(tiny_training.model))} \([\d.]+ s\)$", tiny_training.out, re.M)
    assert (tiny_training.model / "model.safetensors").is_file()
    resolved = (tiny_training.model / "config.yaml").read_text(encoding="utf-8")
    assert "epochs: 3.0" in resolved and f"output_dir: {tiny_training.model}" in resolved


def test_train_rejects_a_misspelt_override_and_suggests_the_key(capsys):
    code, out, err = run(capsys, "train", TINY, "--training.epocs=2")
    assert code == 2 and out == ""
    assert "training.epocs: unknown key (did you mean 'epochs'?)" in err


def test_train_rejects_an_override_without_value(capsys):
    code, _, err = run(capsys, "train", TINY, "--training.epochs")
    assert code == 2 and "--training.epochs: missing value (use --training.epochs=VALUE)" in err


def test_train_error_points_to_the_command_line_for_a_bad_override(capsys):
    _, _, err = run(capsys, "train", TINY, "--training.epocs=2")
    assert "tiny.yaml: training.epocs" not in err and "--training.epocs" in err


# --------------------------------------------------------------------------------------------------------------
# predict
# --------------------------------------------------------------------------------------------------------------


def spans_of(quote: dict) -> list[dict]:
    return [*quote["contents"], *quote["sources"], *quote["coreferences"], *([quote["cue"]] if quote["cue"] else [])]


def assert_exact_offsets(text: str, quotes: list[dict]) -> None:
    for quote in quotes:
        assert quote["contents"], "every record has content"
        for span in spans_of(quote):
            assert text[span["start"] : span["end"]] == span["text"]


def check_jsonl(output: str, inputs: list[tuple[str, str]]) -> int:
    lines = output.splitlines()
    assert len(lines) == len(inputs)
    for line, (doc_id, text) in zip(lines, inputs):
        document = json.loads(line)
        assert (document["id"], document["text"]) == (doc_id, text)
        assert_exact_offsets(text, document["quotes"])
        for quote in document["quotes"]:
            assert 0 <= quote["score"] <= 1 and all(0 <= s["score"] <= 1 for s in spans_of(quote))
    return sum(len(json.loads(line)["quotes"]) for line in lines)


def check_citron(output: str, inputs: list[tuple[str, str]]) -> int:
    [(doc_id, text)] = inputs
    document = json.loads(output)
    assert set(document) == DOCUMENT_KEYS  # the spec's keys exactly: no scores, no extras
    assert (document["id"], document["text"]) == (doc_id, text)
    for quote in document["quotes"]:
        assert set(quote) == QUOTE_KEYS
        assert all(set(span) == SPAN_KEYS for span in spans_of(quote))
    assert_exact_offsets(text, document["quotes"])
    return len(document["quotes"])


def check_text(output: str, inputs: list[tuple[str, str]]) -> int:
    [(doc_id, _)] = inputs
    header = output.split("\n", 1)[0]
    count = int(re.fullmatch(rf"# {re.escape(doc_id)}: (\d+) quote\(s\)", header).group(1))
    # counted by numbers and scores, not by lines: see test_text_format_gives_one_line_per_quote
    assert [int(n) for n in re.findall(r"^\[(\d+)\] ", output, re.M)] == list(range(1, count + 1))
    assert len(re.findall(r" \| score [01]\.\d\d$", output, re.M)) == count
    return count


def check_html(output: str, inputs: list[tuple[str, str]]) -> int:
    [(doc_id, _)] = inputs
    assert output.startswith("<!DOCTYPE html>") and output.rstrip().endswith("</html>")
    assert output.count("<html") == 1 and f"<title>{html.escape(doc_id)}</title>" in output
    assert '<div class="legend">' in output
    text = output.split('<div class="text">', 1)[1].split("</div>", 1)[0]  # the document, without the legend
    badges = text.count('<sup class="num">')  # one number per record, on its first content span
    assert badges == output.count("<li>") or (badges == 0 and "No quotes found." in output)
    return badges


CHECKS = {"jsonl": check_jsonl, "citron": check_citron, "text": check_text, "html": check_html}


@pytest.fixture
def txt_file(tmp_path) -> Path:
    path = tmp_path / "kursk.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", CHECKS)
@pytest.mark.parametrize("source", ["txt", "json", "stdin"])
def test_predict_each_input_kind_in_each_format(capsys, monkeypatch, tiny_training, txt_file, source, fmt):
    if source == "txt":
        inputs, files = [("kursk", TEXT)], [txt_file]
    elif source == "json":
        seed = json.loads(SEED_DOC.read_text(encoding="utf-8"))
        inputs, files = [(seed["id"], seed["text"])], [SEED_DOC]
    else:
        monkeypatch.setattr(sys, "stdin", io.StringIO(TEXT))
        inputs, files = [("stdin", TEXT)], []

    code, out, _ = run(capsys, "predict", "--model", tiny_training.model, "--format", fmt, *files)

    assert code == 0
    found = CHECKS[fmt](out, inputs)
    if source == "json":  # the seed article is long enough for the tiny model to find quotes: no vacuous checks
        assert found > 0


@pytest.mark.parametrize("fmt", CHECKS)
def test_predict_writes_to_a_file_with_o(capsys, tiny_training, txt_file, tmp_path, fmt):
    output = tmp_path / "new" / f"kursk.{fmt}"
    code, out, err = run(capsys, "predict", "--model", tiny_training.model, "--format", fmt, txt_file, "-o", output)
    assert code == 0 and out == ""
    count = CHECKS[fmt](output.read_text(encoding="utf-8"), [("kursk", TEXT)])
    assert f"wrote {count} quotes from 1 document(s) to {output}" in err


def test_predict_jsonl_gives_one_line_per_input_in_order(capsys, tiny_training, txt_file):
    code, out, _ = run(capsys, "predict", "--model", tiny_training.model, txt_file, SEED_DOC)
    seed = json.loads(SEED_DOC.read_text(encoding="utf-8"))
    assert code == 0
    check_jsonl(out, [("kursk", TEXT), (seed["id"], seed["text"])])


def test_predict_citron_with_two_inputs_exits_2(capsys, tiny_training, txt_file):
    code, out, err = run(capsys, "predict", "--model", tiny_training.model, "--format", "citron", txt_file, SEED_DOC)
    assert code == 2 and out == ""
    assert "--format citron writes one document; use --format jsonl for several inputs" in err


def test_predict_without_a_model_directory_exits_2(capsys, tmp_path, txt_file):
    code, _, err = run(capsys, "predict", "--model", tmp_path, txt_file)
    assert code == 2 and "not a model directory (no config.json)" in err


def test_predict_html_with_two_inputs_is_one_page_or_exit_2(capsys, tiny_training, txt_file):
    code, out, _ = run(capsys, "predict", "--model", tiny_training.model, "--format", "html", txt_file, SEED_DOC)
    assert code == 2 or out.count("<!DOCTYPE html>") == 1


def test_predict_names_an_input_that_is_not_utf8(capsys, tiny_training, tmp_path):
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Smirnov a dit : « évacués ».".encode("latin-1"))
    code, _, err = run(capsys, "predict", "--model", tiny_training.model, latin)
    assert code == 2 and str(latin) in err


def test_text_format_gives_one_line_per_quote():
    text = "‘The first paragraph.\nThe second,’ he said."
    content = ScoredSpan(0, 34, text[:34], 0.9)
    record = QuoteRecord(contents=(content,), sources=(ScoredSpan(35, 37, "he", 0.8),), score=0.9)
    assert format_text("d", [record]).splitlines() == [
        "# d: 1 quote(s)",
        "[1] he | - | ‘The first paragraph. The second,’ | score 0.90",
    ]


def test_predict_stderr_holds_only_the_summary(capsys, tiny_training, txt_file, tmp_path):
    import transformers

    transformers.utils.logging.enable_progress_bar()  # the default; the CLI itself must turn it off
    output = tmp_path / "kursk.jsonl"
    code, _, err = run(capsys, "predict", "--model", tiny_training.model, txt_file, "-o", output)
    assert code == 0 and re.fullmatch(r"wrote \d+ quotes from 1 document\(s\) to .+\n", err), err


# --------------------------------------------------------------------------------------------------------------
# evaluate
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["rules", "tiny"])
def test_evaluate_writes_reports_prints_markdown_and_exits_1_under_threshold(capsys, tiny_training, tmp_path, model):
    model_arg = "rules" if model == "rules" else str(tiny_training.model)
    reports = tmp_path / "reports"
    arguments = ["--data", TEST_SPLIT, "--report-dir", reports, "--fail-under", "QUOTE_exact_f1=0.99"]
    code, out, err = run(capsys, "evaluate", "--model", model_arg, *arguments)

    assert code == 1
    failed = (
        r"quotes: threshold failed: QUOTE_exact_f1 \(spans\.QUOTE\.exact\.f1\) is [\d.]+, below the required 0\.9900\."
    )
    assert re.search(failed, err)
    report = json.loads((reports / "report.json").read_text(encoding="utf-8"))
    assert report["name"] == model_arg and report["counts"]["documents"] == len(read_documents(TEST_SPLIT))
    assert report["thresholds"] == {"QUOTE_exact_f1": 0.99} and len(report["failures"]) == 1
    assert (report["baseline"] is None) == (model == "rules")  # a model is scored against the rule baseline
    markdown = (reports / "report.md").read_text(encoding="utf-8")
    assert out == markdown + "\n"
    assert out.startswith(f"## Quote extraction: `{model_arg}`") and "thresholds failed" in out
    assert (reports / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_evaluate_exits_0_when_thresholds_pass(capsys):
    code, out, err = run(capsys, "evaluate", "--model", "rules", "--data", TEST_SPLIT, "--fail-under", "quote=0.1")
    assert code == 0 and "all 1 thresholds passed" in out and "threshold failed" not in err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--fail-under", "NOPE=0.5"], "unknown threshold key 'NOPE'"),
        (["--fail-under", "QUOTE"], "threshold 'QUOTE' is not key=value"),
        (["--fail-under", "QUOTE=high"], "the value is not a number"),
    ],
)
def test_evaluate_bad_thresholds_exit_2(capsys, arguments, message):
    code, out, err = run(capsys, "evaluate", "--model", "rules", "--data", TEST_SPLIT, *arguments)
    assert code == 2 and out == "" and message in err


def test_evaluate_missing_data_exits_2(capsys, tmp_path):
    missing = tmp_path / "nope.jsonl"
    code, out, err = run(capsys, "evaluate", "--model", "rules", "--data", missing)
    assert code == 2 and out == ""
    assert err == f"quotes: error: {missing}: no such file or directory\n"
