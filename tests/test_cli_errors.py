"""How `quotes` ends: a user's mistake is one line and exit 2, Ctrl-C exit 130, a bug in quotes a traceback."""

from __future__ import annotations

import pytest

from quotes import cli
from quotes.config import ConfigError
from quotes.errors import UserInputError
from quotes.schema import DataValidationError


def run_failing(monkeypatch, capsys, error: BaseException) -> tuple[int, str]:
    def failing(args):
        raise error

    monkeypatch.setattr(cli, "cmd_validate", failing)
    code = cli.main(["validate", "anything.jsonl"])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    "error, message",
    [
        (UserInputError("gold.jsonl: line 3: id: empty"), "gold.jsonl: line 3: id: empty"),
        (ConfigError(["configs/x.yaml: training.epochs: expected a finite number"]), "training.epochs"),
        (PermissionError(13, "Permission denied", "/read-only/out"), "/read-only/out: Permission denied"),
        (FileNotFoundError(2, "No such file or directory", "gone.txt"), "gone.txt: No such file or directory"),
        (IsADirectoryError(21, "Is a directory", "reports"), "reports: Is a directory"),
        (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), "not valid UTF-8"),
        (RecursionError(), "nested too deeply"),
    ],
)
def test_a_user_mistake_is_one_line_and_exit_2(monkeypatch, capsys, error, message):
    code, err = run_failing(monkeypatch, capsys, error)
    assert code == 2
    assert err.startswith("quotes: error: ") and message in err
    assert "Traceback" not in err


def test_data_and_config_errors_are_user_input_errors():
    assert issubclass(ConfigError, UserInputError) and issubclass(DataValidationError, UserInputError)
    assert issubclass(UserInputError, ValueError)  # callers catching ValueError keep working


def test_ctrl_c_exits_130_with_a_message(monkeypatch, capsys):
    code, err = run_failing(monkeypatch, capsys, KeyboardInterrupt())
    assert code == 130 and err == "quotes: interrupted\n"


def test_a_bug_in_quotes_is_not_passed_off_as_bad_input(monkeypatch, capsys):
    with pytest.raises(ValueError, match="internal invariant"):  # the interpreter prints it and exits 1
        run_failing(monkeypatch, capsys, ValueError("internal invariant broken"))
    with pytest.raises(KeyError):
        run_failing(monkeypatch, capsys, KeyError("missing"))


def test_verbose_shows_the_traceback_of_a_user_mistake(monkeypatch):
    monkeypatch.setattr(cli, "cmd_validate", lambda args: (_ for _ in ()).throw(UserInputError("bad")))
    with pytest.raises(UserInputError):
        cli.main(["--verbose", "validate", "x.jsonl"])


@pytest.mark.parametrize("command", ["validate", "convert", "train", "config", "predict", "evaluate"])
def test_every_command_says_what_it_does_with_an_example(capsys, command):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([command, "--help"])
    text = capsys.readouterr().out
    assert exit_info.value.code == 0
    after_usage = text.split("\n\n", 1)[1]
    assert "example" in after_usage.lower() and f"quotes {command} " in after_usage, "no example of use"
    description = text.split("\n\n")[1]  # argparse: usage, blank line, description
    assert len(description.split()) >= 8, f"`quotes {command} --help` has no description"
