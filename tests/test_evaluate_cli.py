"""``quotes evaluate`` as a user runs it: gates that cannot be switched off by mistake, old threshold names,
``--compare`` with an earlier report, and the progress bar (only when asked or on a terminal)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quotes.cli import main


def run(capsys, *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def gold_path(gold_documents, tmp_path) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(d.to_dict(), ensure_ascii=False) + "\n" for d in gold_documents), "utf-8")
    return path


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("quote_f1=nan", "threshold 'quote_f1=nan': quote_f1 needs a number from 0 to 1, got 'nan'"),
        ("quote_f1=inf", "threshold 'quote_f1=inf'"),
        ("quote_f1=1.01", "threshold 'quote_f1=1.01'"),
        ("quote=-1", "threshold 'quote=-1': quote_f1 needs a number from 0 to 1"),
        (",", "empty item in threshold list ','"),
        ("", "the threshold list is empty"),
        ("=0.5", "threshold '=0.5' has no key"),
        ("quote_f1=0.5,,CUE_exact_f1=0.5", "empty item"),
    ],
)
def test_evaluate_refuses_gates_that_would_not_gate(capsys, gold_path, tmp_path, spec, message):
    code, out, err = run(capsys, "evaluate", "--model", "rules", "--data", gold_path, "--fail-under", spec,
                         "--report-dir", tmp_path / "reports")  # fmt: skip
    assert code == 2 and out == ""
    assert err.startswith("quotes: error: ") and message in err and "Traceback" not in err
    assert not (tmp_path / "reports").exists()  # refused before any work


def test_evaluate_old_threshold_keys_warn_and_still_gate(capsys, gold_path):
    code, out, err = run(capsys, "evaluate", "--model", "rules", "--data", gold_path, "--fail-under", "quote=0.99")
    assert "quotes: warning: threshold key 'quote' is deprecated; use 'quote_f1' (quotes.f1)" in err
    assert code == 0 and "all 1 thresholds passed** (quote\\_f1 ≥ 0.99)" in out  # gated under its new name


def test_evaluate_new_names_gate_by_name_measures(capsys, gold_path):
    spec = "attribution_by_name_accuracy=0.1,end_to_end_by_name_f1=0.1,QUOTE_seqeval_f1=0.1"
    code, out, err = run(capsys, "evaluate", "--model", "rules", "--data", gold_path, "--fail-under", spec)
    assert code == 0 and "all 3 thresholds passed" in out and "warning" not in err
    assert "| attribution_by_name_accuracy |" in out and "| end_to_end_by_name_f1 |" in out


def test_evaluate_compare_shows_deltas_against_an_earlier_report(capsys, gold_path, tmp_path):
    code, _, _ = run(capsys, "evaluate", "--model", "rules", "--data", gold_path, "--report-dir", tmp_path / "old")
    assert code == 0
    old = json.loads((tmp_path / "old" / "report.json").read_text("utf-8"))
    old["quotes"]["f1"] = 0.25  # as if the earlier run had been worse
    old["documents"][0]["quote_f1"] = 0.0
    (tmp_path / "old" / "report.json").write_text(json.dumps(old), "utf-8")

    code, out, err = run(capsys, "evaluate", "--model", "rules", "--data", gold_path,
                         "--report-dir", tmp_path / "new", "--compare", tmp_path / "old" / "report.json")  # fmt: skip
    assert code == 0, err
    now = json.loads((tmp_path / "new" / "report.json").read_text("utf-8"))
    quote_f1 = now["quotes"]["f1"]
    assert now["comparison"]["metrics"]["quote_f1"] == {
        "before": 0.25, "now": quote_f1, "delta": round(quote_f1 - 0.25, 6),
    }  # fmt: skip
    [changed] = [d for d in now["comparison"]["documents"] if d["before"] == 0.0]
    assert changed["id"] == old["documents"][0]["id"] and changed["delta"] == changed["now"]
    assert f"### Compared with `{tmp_path / 'old' / 'report.json'}`" in out
    assert f"| quote_f1 | 0.250 | {quote_f1:.3f} | {quote_f1 - 0.25:+.3f} 🟢 |" in out
    assert "Compared with" in (tmp_path / "new" / "report.html").read_text("utf-8")


@pytest.mark.parametrize("content", [None, "not json", '{"quotes": {}}'])
def test_evaluate_compare_with_a_bad_file_exits_2_before_predicting(capsys, gold_path, tmp_path, content):
    path = tmp_path / "old.json"
    if content is not None:
        path.write_text(content, "utf-8")
    code, out, err = run(capsys, "evaluate", "--model", "/no/such/model", "--data", gold_path, "--compare", path)
    assert code == 2 and f"quotes: error: --compare {path}" in err


def test_evaluate_report_dir_under_a_file_exits_2(capsys, gold_path, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", "utf-8")
    code, out, err = run(capsys, "evaluate", "--model", "rules", "--data", gold_path, "--report-dir", blocker / "r")
    assert code == 2 and f"{blocker} is a file" in err


def test_evaluate_progress_bar_only_when_asked_or_on_a_terminal(capsys, gold_path):
    code, _, err = run(capsys, "evaluate", "--model", "rules", "--data", gold_path, "--progress", "on")
    assert code == 0 and "predicting (rules)" in err and "3/3" in err
    code, _, err = run(capsys, "evaluate", "--model", "rules", "--data", gold_path)  # stderr is not a terminal here
    assert code == 0 and "predicting" not in err
