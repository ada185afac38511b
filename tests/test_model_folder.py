"""Model folders: loaded from a path or a Hub id (offline, from the local Hub cache), saved, pushed, and refused
with an error naming the file when broken. Devices that do not exist are refused before anything loads."""

from __future__ import annotations

import json
import os
import shutil
import string
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from quotes import model_folder
from quotes.inference import QuoteExtractor
from quotes.labels import LABELS
from quotes.model_folder import resolve_device, resolve_model_dir
from tests.helpers import put_in_hub_cache

TEXT = "He said the army was in Kursk. ‘They told troops to go,’ Putin said. She added that it was not war."


# --------------------------------------------------------------------------------------------------------------
# A local stand-in for the Hub: its cache layout (https://huggingface.co/docs/hub/local-cache)
# --------------------------------------------------------------------------------------------------------------


class LocalHub:
    """A stand-in for ``huggingface_hub.HfApi`` whose uploads land in a local Hub cache (no network)."""

    def __init__(self, cache: Path):
        self.cache, self.repos, self.branches, self.uploads = cache, {}, [], []

    def create_repo(self, repo_id, *, private=None, exist_ok=False, repo_type=None, token=None):
        if repo_id in self.repos and not exist_ok:
            raise FileExistsError(repo_id)
        self.repos.setdefault(repo_id, {"private": private, "repo_type": repo_type})
        return SimpleNamespace(repo_id=repo_id, url=f"https://huggingface.co/{repo_id}")

    def create_branch(self, repo_id, *, branch, exist_ok=False, token=None):
        self.branches.append((repo_id, branch))

    def upload_folder(self, *, repo_id, folder_path, commit_message, revision, create_pr, repo_type, token):
        assert repo_id in self.repos, "create_repo comes first"
        self.uploads.append({"files": sorted(p.name for p in Path(folder_path).iterdir()), "message": commit_message})
        commit = put_in_hub_cache(self.cache, repo_id, Path(folder_path), revision or "main")
        return SimpleNamespace(oid=commit, commit_url=f"https://huggingface.co/{repo_id}/commit/{commit}")


@pytest.fixture
def offline_hub(tmp_path, monkeypatch) -> Path:
    """An empty local Hub cache that ``huggingface_hub`` uses by default, with the network switched off."""
    from huggingface_hub import constants

    cache = tmp_path / "hub-cache"
    cache.mkdir()
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    return cache


@pytest.fixture(scope="module")
def random_model_dir(tmp_path_factory) -> Path:
    """A random 2-layer BERT (hidden size 32) with a WordPiece vocabulary of letters and a few words.

    Not conftest's ``tiny_model_dir``: under transformers 5 its tokenizer ignores ``vocab_file`` and knows only the
    5 special tokens, which is exactly what ``from_pretrained`` now refuses.
    """
    from transformers import BertConfig, BertForTokenClassification, BertTokenizerFast

    folder = tmp_path_factory.mktemp("random-model")
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *string.ascii_lowercase, *string.punctuation]
    words += [f"##{c}" for c in string.ascii_lowercase] + "he said the army was in kursk putin told troops".split()
    tokenizer = BertTokenizerFast(vocab={word: index for index, word in enumerate(dict.fromkeys(words))})
    tokenizer.save_pretrained(folder)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        id2label=dict(enumerate(LABELS)),
        label2id={label: index for index, label in enumerate(LABELS)},
    )
    torch.manual_seed(0)
    BertForTokenClassification(config).save_pretrained(folder)
    return folder


@pytest.fixture
def model_dir(random_model_dir, tmp_path) -> Path:
    """A copy of the random model with the ``quotes.json`` that ``quotes train`` writes, and a model card."""
    folder = tmp_path / "model"
    shutil.copytree(random_model_dir, folder)
    meta = {"labels": list(LABELS), "max_length": 32, "stride": 8, "predict": {"decoding": "viterbi"}}
    (folder / "quotes.json").write_text(json.dumps(meta))
    (folder / "README.md").write_text("---\nlicense: mit\n---\n# A tiny quotes model\n")
    return folder


def load(folder, **kwargs) -> QuoteExtractor:
    return QuoteExtractor.from_pretrained(folder, device="cpu", dtype="fp32", **kwargs)


def outputs(extractor: QuoteExtractor) -> tuple:
    """Records and the tagged spans under them (a random model links few records but tags many spans)."""
    return extractor.predict(TEXT, min_score=0), extractor.tag([TEXT])


# --------------------------------------------------------------------------------------------------------------
# Hub ids
# --------------------------------------------------------------------------------------------------------------


def test_from_pretrained_loads_a_hub_id_from_the_local_cache_offline(model_dir, offline_hub):
    commit = put_in_hub_cache(offline_hub, "org/quotes-tiny", model_dir)
    by_id = load("org/quotes-tiny")
    assert by_id.source == offline_hub / "models--org--quotes-tiny" / "snapshots" / commit
    assert (by_id.max_length, by_id.stride) == (32, 8)
    assert outputs(by_id) == outputs(load(model_dir))


def test_from_pretrained_picks_a_revision_by_tag_or_commit(model_dir, offline_hub):
    main = put_in_hub_cache(offline_hub, "org/quotes-tiny", model_dir)
    meta = json.loads((model_dir / "quotes.json").read_text())
    (model_dir / "quotes.json").write_text(json.dumps({**meta, "max_length": 48}))
    tagged = put_in_hub_cache(offline_hub, "org/quotes-tiny", model_dir, revision="v2")
    assert main != tagged
    assert load("org/quotes-tiny").max_length == 32
    assert load("org/quotes-tiny", revision="v2").max_length == 48
    assert load("org/quotes-tiny", revision=main).max_length == 32
    with pytest.raises(FileNotFoundError, match="revision 'v3'"):
        load("org/quotes-tiny", revision="v3")


def test_a_hub_id_missing_from_the_cache_offline_says_so(offline_hub):
    with pytest.raises(FileNotFoundError, match=r"org/absent: .* not in the local Hub cache \(.*hub-cache\), .*=1"):
        load("org/absent")


def test_a_missing_local_path_is_never_sent_to_the_hub(offline_hub, monkeypatch):
    import huggingface_hub

    def no_network(*args, **kwargs):
        raise AssertionError("the Hub was asked")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", no_network)
    for path in ("./runs/missing", "/no/such/model", "runs/a/b", "../model", Path("runs/seed"), " "):
        with pytest.raises(FileNotFoundError, match="no such model folder|empty path"):
            resolve_model_dir(path)


def test_loading_by_id_honours_hf_home_and_hf_hub_offline_in_a_fresh_process(model_dir, tmp_path):
    put_in_hub_cache(tmp_path / "home" / "hub", "org/quotes-tiny", model_dir)
    script = (
        "from quotes.inference import QuoteExtractor\n"
        "extractor = QuoteExtractor.from_pretrained('org/quotes-tiny', device='cpu')\n"
        "print(extractor.source, extractor.max_length)\n"
    )
    env = {
        **os.environ,
        "HF_HOME": str(tmp_path / "home"),
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": str(Path(model_folder.__file__).parents[1]),
    }
    env.pop("HF_HUB_CACHE", None)
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "32" and "models--org--quotes-tiny/snapshots/" in result.stdout


# --------------------------------------------------------------------------------------------------------------
# save_pretrained and push_to_hub
# --------------------------------------------------------------------------------------------------------------


def test_save_pretrained_writes_a_folder_that_loads_with_the_same_settings(model_dir, tmp_path):
    extractor = load(model_dir, decoding="argmax", min_score=0.25)
    saved = extractor.save_pretrained(tmp_path / "export" / "tiny")
    names = {p.name for p in saved.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "quotes.json", "README.md"} <= names
    meta = json.loads((saved / "quotes.json").read_text())
    assert meta["max_length"] == 32 and meta["stride"] == 8 and meta["labels"] == list(LABELS)
    assert meta["predict"] == {"decoding": "argmax", "attributions": "all", "min_score": 0.25}
    again = load(saved)
    assert (again.decoding, again.min_score, again.max_length) == ("argmax", 0.25, 32)
    assert outputs(again) == outputs(extractor)


def test_save_pretrained_never_writes_into_a_folder_of_other_files(model_dir, tmp_path):
    extractor = load(model_dir)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match="holds other files"):
        extractor.save_pretrained(tmp_path / "mine")
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["notes.txt"]
    (tmp_path / "file").write_text("")
    with pytest.raises(FileExistsError, match="is a file"):
        extractor.save_pretrained(tmp_path / "file")


def test_push_to_hub_round_trip_through_a_local_hub(model_dir, offline_hub):
    hub = LocalHub(offline_hub)
    extractor = load(model_dir, min_score=0.1)
    commit = extractor.push_to_hub("org/pushed", private=True, api=hub)
    assert hub.repos == {"org/pushed": {"private": True, "repo_type": "model"}}
    assert {"README.md", "config.json", "model.safetensors", "quotes.json"} <= set(hub.uploads[0]["files"])
    pulled = load("org/pushed")
    assert pulled.source.name == commit.oid and pulled.min_score == 0.1
    assert (pulled.source / "README.md").read_text() == (model_dir / "README.md").read_text()
    assert outputs(pulled) == outputs(extractor)


def test_push_to_hub_to_a_branch_creates_it_first(model_dir, offline_hub):
    hub = LocalHub(offline_hub)
    load(model_dir).push_to_hub("org/pushed", revision="experiment", api=hub)
    assert hub.branches == [("org/pushed", "experiment")]
    assert load("org/pushed", revision="experiment").max_length == 32


def test_push_to_hub_offline_says_why_it_cannot(model_dir, offline_hub):
    with pytest.raises(RuntimeError, match="HF_HUB_OFFLINE=1"):
        load(model_dir).push_to_hub("org/pushed")


# --------------------------------------------------------------------------------------------------------------
# Broken folders fail at load, naming the file
# --------------------------------------------------------------------------------------------------------------


def remove_tokenizer(folder: Path) -> None:
    for name in ("tokenizer.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"):
        (folder / name).unlink(missing_ok=True)


def truncate_weights(folder: Path) -> None:
    data = (folder / "model.safetensors").read_bytes()
    (folder / "model.safetensors").write_bytes(data[: len(data) // 2])


def corrupt_weights(folder: Path) -> None:
    (folder / "model.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all" + b"\0" * 64)


def pickle_weights(folder: Path) -> None:
    (folder / "model.safetensors").rename(folder / "pytorch_model.bin")


def foreign_labels(folder: Path) -> None:
    config = json.loads((folder / "config.json").read_text())
    config["id2label"] = {"0": "O", "1": "B-PER", "2": "I-PER"}
    (folder / "config.json").write_text(json.dumps(config))


def special_tokens_only_vocabulary(folder: Path) -> None:
    remove_tokenizer(folder)
    (folder / "vocab.txt").write_text("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n")


def larger_vocabulary(folder: Path) -> None:
    tokenizer = json.loads((folder / "tokenizer.json").read_text())
    vocabulary = tokenizer["model"]["vocab"]
    vocabulary.update({f"word{i}": len(vocabulary) + i for i in range(50)})
    (folder / "tokenizer.json").write_text(json.dumps(tokenizer))


@pytest.mark.parametrize(
    ("break_it", "error", "message"),
    [
        (remove_tokenizer, FileNotFoundError, r"no tokenizer files \(one of tokenizer.json, vocab.txt"),
        (larger_vocabulary, ValueError, r"the tokenizer \(\d+ tokens\) does not fit the model \(\d+ embeddings\)"),
        (truncate_weights, ValueError, r"model.safetensors: truncated or corrupt safetensors weights: it has \d+"),
        (corrupt_weights, ValueError, r"model.safetensors: truncated or corrupt safetensors weights"),
        (lambda f: (f / "model.safetensors").write_bytes(b""), ValueError, r"model.safetensors: truncated"),
        (pickle_weights, FileNotFoundError, r"no model.safetensors \(pytorch_model.bin is a pickle"),
        (foreign_labels, ValueError, r"config.json: id2label \['O', 'B-PER', 'I-PER'\] are not quotes' labels"),
        (lambda f: (f / "config.json").write_text("{"), ValueError, r"config.json: not valid JSON"),
        (lambda f: (f / "config.json").unlink(), FileNotFoundError, r"not a model directory \(no config.json\)"),
        (lambda f: (f / "quotes.json").write_text('{"max_length": 32,'), ValueError, r"quotes.json: not valid JSON"),
        (lambda f: (f / "quotes.json").write_text("[256, 64]"), ValueError, r"quotes.json: expected a JSON object"),
    ],
    ids=[
        "no-tokenizer",
        "tokenizer-larger-than-the-model",
        "truncated-weights",
        "corrupt-weights",
        "empty-weights",
        "pickle-weights",
        "foreign-labels",
        "malformed-config",
        "no-config",
        "malformed-quotes-json",
        "quotes-json-not-an-object",
    ],
)
def test_a_broken_model_folder_fails_at_load_naming_the_problem(model_dir, break_it, error, message):
    break_it(model_dir)
    with pytest.raises(error, match=message) as raised:
        load(model_dir)
    assert str(model_dir) in str(raised.value)


def test_quotes_json_with_wrong_values_lists_every_problem_with_its_key(model_dir):
    meta = {"max_length": "big", "labels": ["O"], "predict": {"decoding": "beam", "min_score": 2}}
    (model_dir / "quotes.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="quotes.json: malformed model metadata") as raised:
        load(model_dir)
    for key in ("max_length: expected an int", "labels: expected", "predict.decoding:", "predict.min_score:"):
        assert key in str(raised.value)


def test_a_folder_without_quotes_json_loads_with_a_warning_naming_the_defaults(model_dir, caplog):
    (model_dir / "quotes.json").unlink()
    extractor = load(model_dir)
    assert (extractor.max_length, extractor.stride, extractor.min_score) == (256, 64, None)
    assert "no quotes.json" in caplog.text and "max_length=256, stride=64" in caplog.text


def test_a_vocabulary_of_special_tokens_only_loads_with_a_warning(model_dir, caplog):
    special_tokens_only_vocabulary(model_dir)
    assert len(load(model_dir).tokenizer) == 5
    assert "the tokenizer knows only its 5 special tokens" in caplog.text and str(model_dir) in caplog.text


def test_a_file_is_not_a_model_folder(tmp_path):
    (tmp_path / "model.safetensors").write_bytes(b"")
    with pytest.raises(FileNotFoundError, match="is a file, not a model folder"):
        load(tmp_path / "model.safetensors")


# --------------------------------------------------------------------------------------------------------------
# Devices and settings
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("device", "message"),
    [
        ("bogus", r"device 'bogus' is not a device name; devices here: cpu"),
        ("cuda", r"device 'cuda': CUDA is not available here; devices here: cpu"),
        ("cuda:1", r"device 'cuda:1': CUDA is not available here"),
        ("mps", r"device 'mps': Apple MPS is not available here; devices here: cpu"),
        ("meta", r"quotes runs on cpu, cuda or mps"),
    ],
)
def test_a_device_this_machine_lacks_is_refused_before_loading(device, message, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(model_folder, "_mps_available", lambda: False)
    with pytest.raises(ValueError, match=message):
        QuoteExtractor.from_pretrained("/no/such/model/either", device=device)  # the device is checked first


def test_auto_device_is_cuda_then_mps_then_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert resolve_device(None) == torch.device("cuda")
    assert resolve_device("cuda:1") == torch.device("cuda:1")
    with pytest.raises(ValueError, match=r"'cuda:2': no such GPU; devices here: cpu, cuda, cuda:0, cuda:1"):
        resolve_device("cuda:2")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(model_folder, "_mps_available", lambda: True)
    assert resolve_device(None) == torch.device("mps")
    assert resolve_device("mps") == torch.device("mps")
    monkeypatch.setattr(model_folder, "_mps_available", lambda: False)
    assert resolve_device(None) == torch.device("cpu")


def test_dtype_is_checked_and_precision_is_its_deprecated_name(model_dir):
    with pytest.warns(DeprecationWarning, match=r"precision=\.\.\.\) is deprecated, use dtype='fp32'"):
        extractor = QuoteExtractor.from_pretrained(model_dir, device="cpu", precision="fp32")
    assert extractor.dtype == "fp32" and extractor.autocast_dtype is None
    with pytest.raises(ValueError, match="dtype: expected one of 'auto', 'fp32', 'bf16', 'fp16', got 'int8'"):
        QuoteExtractor.from_pretrained(model_dir, dtype="int8")
    with pytest.raises(TypeError, match="give dtype= only"):
        QuoteExtractor.from_pretrained(model_dir, dtype="bf16", precision="fp32")
    assert load(model_dir, decoding="argmax").autocast_dtype is None
    assert QuoteExtractor.from_pretrained(model_dir, device="cpu", dtype="bf16").autocast_dtype == torch.bfloat16


@pytest.mark.parametrize(
    ("settings", "error", "message"),
    [
        ({"decoding": "beam"}, ValueError, "decoding: expected 'viterbi' or 'argmax'"),
        ({"communication_only": "yes"}, TypeError, "communication_only: expected True or False"),
        ({"attributions": "beliefs"}, ValueError, "attributions: expected 'all' or 'communication'"),
        ({"min_score": 1.5}, ValueError, r"min_score: expected a number in \[0, 1\]"),
        ({"min_score": "0.5"}, TypeError, "min_score: expected a number or None, got str"),
    ],
)
def test_load_settings_are_checked_before_loading(settings, error, message):
    with pytest.raises(error, match=message):
        QuoteExtractor.from_pretrained("/no/such/model", **settings)


def test_older_models_saved_with_communication_only_load_as_attributions(model_dir):
    meta = json.loads((model_dir / "quotes.json").read_text())
    meta["predict"] = {"decoding": "viterbi", "communication_only": True}  # what quotes 0.1 wrote
    (model_dir / "quotes.json").write_text(json.dumps(meta))
    assert load(model_dir).attributions == "communication"
    assert load(model_dir, attributions="all").attributions == "all"
    with pytest.warns(DeprecationWarning, match="attributions='all'"):
        assert load(model_dir, communication_only=False).attributions == "all"
