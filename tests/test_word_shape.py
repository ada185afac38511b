"""model.word_shape: an uncased encoder sees each word's case through token_type_ids, in training and in predict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from quotes.config import ConfigError, ModelConfig, load_config
from quotes.data import build_dataset, window_features
from quotes.errors import UserInputError
from quotes.inference import QuoteExtractor
from quotes.labels import WORD_SHAPE_TYPES, WORD_SHAPES, word_shape_ids
from quotes.modeling import build_model, check_word_shape_support, enable_word_shape
from quotes.training import train
from tests.helpers import put_in_hub_cache

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "configs" / "tiny.yaml"
SPLITS = ROOT / "data" / "annotations" / "splits"
SPECIAL, LOWER, CAPITALISED, ALLCAPS, UNCASED = range(5)
AWKWARD = "ÉLYSÉE: ‘Élysée said 😀 NO,’ posted McCain of the U.S. in 2024 (iPhone, I)."


def shapes_of(tokenizer, text: str) -> dict[str, set[str]]:
    """The shape names of the tokens inside each whitespace-separated word of ``text`` (and ``""``: specials)."""
    offsets = tokenizer(text, return_offsets_mapping=True)["offset_mapping"]
    shapes: dict[str, set[str]] = {}
    for (start, end), shape in zip(offsets, word_shape_ids(text, offsets)):
        word = "" if start == end else next(w for w in _words(text) if w[0] <= start and end <= w[1])[2]
        shapes.setdefault(word, set()).add(WORD_SHAPES[shape])
    return shapes


def _words(text: str):
    import re

    return [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", text)]


def test_shapes_come_from_the_original_case_at_each_tokens_offsets(tiny_tokenizer):
    # The tiny vocabulary spells unknown words letter by letter: every piece gets the shape of its whole word,
    # read from the original text (accents and inner capitals included), punctuation its own.
    assert shapes_of(tiny_tokenizer, AWKWARD) == {
        "": {"special"},  # [CLS], [SEP]
        "ÉLYSÉE:": {"ALLCAPS", "uncased"},  # an all-caps headline word, then the colon
        "‘Élysée": {"uncased", "Capitalised"},
        "said": {"lower"},
        "😀": {"uncased"},  # [UNK], its offsets still point at the emoji
        "NO,’": {"ALLCAPS", "uncased"},
        "posted": {"lower"},
        "McCain": {"Capitalised"},
        "of": {"lower"},
        "the": {"lower"},
        "U.S.": {"Capitalised", "uncased"},  # U and S are one capital letter each, not ALL CAPS
        "in": {"lower"},
        "2024": {"uncased"},
        "(iPhone,": {"uncased", "Capitalised"},
        "I).": {"Capitalised", "uncased"},
    }


def test_the_tokenizer_cannot_tell_case_but_the_shapes_can(tiny_tokenizer):
    upper, lower = "Putin said ARMY.", "putin said army."
    assert tiny_tokenizer(upper)["input_ids"] == tiny_tokenizer(lower)["input_ids"]
    offsets = tiny_tokenizer(upper, return_offsets_mapping=True)["offset_mapping"]
    assert word_shape_ids(upper, offsets) == [SPECIAL, CAPITALISED, LOWER, ALLCAPS, UNCASED, SPECIAL]
    assert word_shape_ids(lower, offsets) == [SPECIAL, LOWER, LOWER, LOWER, UNCASED, SPECIAL]


def test_windows_carry_shapes_only_when_asked(tiny_tokenizer, gold_documents):
    plain, _ = window_features(gold_documents, tiny_tokenizer, max_length=16, stride=4)
    shaped, _ = window_features(gold_documents, tiny_tokenizer, max_length=16, stride=4, word_shape=True)
    assert "token_type_ids" not in plain
    assert {k: v for k, v in shaped.items() if k != "token_type_ids"} == plain
    assert [len(t) for t in shaped["token_type_ids"]] == [len(i) for i in shaped["input_ids"]]
    assert all(0 <= i < WORD_SHAPE_TYPES for row in shaped["token_type_ids"] for i in row)
    assert any(CAPITALISED in row for row in shaped["token_type_ids"])


def test_the_collator_pads_shapes_with_the_special_id(tiny_tokenizer, gold_documents):
    from transformers import DataCollatorForTokenClassification

    dataset, _ = build_dataset(gold_documents, tiny_tokenizer, max_length=16, stride=4, word_shape=True)
    rows = [dataset[i] for i in range(len(dataset))]
    rows = [{k: r[k] for k in ("input_ids", "attention_mask", "labels", "token_type_ids")} for r in rows]
    batch = DataCollatorForTokenClassification(tiny_tokenizer, label_pad_token_id=-100)(rows)
    assert batch["token_type_ids"].shape == batch["input_ids"].shape
    assert (batch["token_type_ids"][batch["attention_mask"] == 0] == SPECIAL).all()


def test_grown_embeddings_start_as_the_pretrained_row_so_shape_changes_nothing_before_training(tiny_model_dir):
    from transformers import AutoModelForTokenClassification

    model = AutoModelForTokenClassification.from_pretrained(tiny_model_dir).eval()
    ids = torch.tensor([[2, 40, 41, 42, 3]])
    with torch.inference_mode():
        before = model(input_ids=ids).logits
    enable_word_shape(model)
    assert model.config.type_vocab_size == WORD_SHAPE_TYPES
    rows = model.bert.embeddings.token_type_embeddings.weight
    assert rows.shape[0] == WORD_SHAPE_TYPES and all(torch.equal(rows[i], rows[0]) for i in range(WORD_SHAPE_TYPES))
    with torch.inference_mode():
        after = model(input_ids=ids, token_type_ids=torch.tensor([[0, 1, 2, 3, 4]])).logits
    torch.testing.assert_close(after, before)


def test_encoders_without_token_types_are_refused_naming_the_key():
    from transformers import DistilBertConfig

    with pytest.raises(ConfigError, match="model.word_shape"):
        check_word_shape_support(DistilBertConfig(dim=32, n_layers=1, n_heads=2, hidden_dim=64))
    with pytest.raises(ConfigError, match="model.word_shape: DistilBertConfig has no token type embeddings"):
        build_model(ModelConfig(random_init=True, word_shape=True), DistilBertConfig(dim=32, n_layers=1, n_heads=2))


def test_word_shape_and_an_explicit_type_vocab_size_conflict(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("model: {word_shape: true, config_overrides: {type_vocab_size: 3}}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="model.config_overrides.type_vocab_size: model.word_shape"):
        load_config(config)
    config.write_text("model: {word_shape: maybe}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="model.word_shape"):
        load_config(config)


@pytest.fixture(scope="module")
def shape_run(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("runs") / "tiny-shape"
    overrides = [
        f"--training.output_dir={output}",
        f"--data.train={SPLITS / 'train.jsonl'}",
        "--data.test=[]",
        "--model.word_shape=true",
        "--training.max_steps=3",
    ]
    return train(TINY, overrides)


class Spy:
    """Records the keyword arguments of every forward call of a model."""

    def __init__(self, model):
        self.calls: list[dict] = []
        original = model.forward

        def forward(*args, **kwargs):
            self.calls.append(kwargs)
            return original(*args, **kwargs)

        model.forward = forward


def test_a_shape_model_is_a_stock_folder_that_says_so(shape_run):
    from transformers import AutoModelForTokenClassification

    assert json.loads((shape_run / "config.json").read_text())["type_vocab_size"] == WORD_SHAPE_TYPES
    assert json.loads((shape_run / "quotes.json").read_text())["word_shape"] is True
    model = AutoModelForTokenClassification.from_pretrained(shape_run)
    assert type(model).__name__ == "BertForTokenClassification"
    rows = model.bert.embeddings.token_type_embeddings.weight
    assert not torch.equal(rows[1], rows[2]), "training moved the shape rows apart"


def test_a_second_stage_keeps_the_learnt_shape_rows(shape_run):
    from transformers import AutoModelForTokenClassification

    stage_one = AutoModelForTokenClassification.from_pretrained(shape_run).bert.embeddings.token_type_embeddings
    stage_two = build_model(ModelConfig(name=str(shape_run), word_shape=True)).bert.embeddings.token_type_embeddings
    assert torch.equal(stage_two.weight, stage_one.weight)  # not grown again from row 0

    with pytest.raises(ConfigError, match="model.word_shape: .* was trained with word shape"):
        build_model(ModelConfig(name=str(shape_run)))  # its shape rows would go unused


def test_a_word_shape_model_from_the_hub_is_recognised_too(shape_run, tmp_path, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)  # the local Hub cache stands in for the Hub
    put_in_hub_cache(tmp_path / "hub", "org/quotes-shape", shape_run)
    with pytest.raises(ConfigError, match="model.word_shape: org/quotes-shape was trained with word shape"):
        build_model(ModelConfig(name="org/quotes-shape"))


def test_training_and_prediction_compute_the_same_ids(shape_run):
    from quotes.schema import Document

    extractor = QuoteExtractor.from_pretrained(shape_run, device="cpu", dtype="fp32")
    assert extractor.word_shape
    text = AWKWARD + " " + "Putin told NATO: ‘We will not stop.’ " * 12  # several windows
    spy = Spy(extractor.model)
    extractor.predict(text)
    passed = [
        row[: int(mask.sum())]
        for call in spy.calls
        for row, mask in zip(call["token_type_ids"].tolist(), call["attention_mask"])
    ]
    columns, _ = window_features(
        [Document("d", text, ())], extractor.tokenizer, extractor.max_length, extractor.stride, word_shape=True
    )
    assert len(columns["token_type_ids"]) > 1
    assert sorted(passed) == sorted(columns["token_type_ids"])


def test_a_shape_model_reloads_saves_and_predicts_the_same(shape_run, tmp_path):
    extractor = QuoteExtractor.from_pretrained(shape_run, device="cpu", dtype="fp32")
    text = "Apple said: ‘NATO is here.’ apple said no."
    tags = extractor.tag([text])
    again = QuoteExtractor.from_pretrained(extractor.save_pretrained(tmp_path / "copy"), device="cpu", dtype="fp32")
    assert again.word_shape and again.tag([text]) == tags
    assert json.loads((tmp_path / "copy" / "quotes.json").read_text())["word_shape"] is True
    # The ids matter: without them the same weights see another input.
    spy = Spy(again.model)
    again.predict(text)
    assert spy.calls and all("token_type_ids" in call for call in spy.calls)


def test_models_without_word_shape_get_no_token_type_ids(tiny_model_dir):
    extractor = QuoteExtractor.from_pretrained(tiny_model_dir, device="cpu", dtype="fp32")
    assert not extractor.word_shape
    spy = Spy(extractor.model)
    extractor.predict("Apple said: ‘NATO is here.’")
    assert spy.calls and all(set(call) == {"input_ids", "attention_mask"} for call in spy.calls)


def test_word_shape_needs_a_model_trained_with_it(tiny_model_dir, tmp_path):
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    model = AutoModelForTokenClassification.from_pretrained(tiny_model_dir)
    with pytest.raises(UserInputError, match="type_vocab_size 2"):
        QuoteExtractor(model, AutoTokenizer.from_pretrained(tiny_model_dir), word_shape=True)
    broken = QuoteExtractor(model, AutoTokenizer.from_pretrained(tiny_model_dir)).save_pretrained(tmp_path / "m")
    meta = json.loads((broken / "quotes.json").read_text())
    (broken / "quotes.json").write_text(json.dumps({**meta, "word_shape": "yes"}), encoding="utf-8")
    with pytest.raises(UserInputError, match="word_shape: expected true or false"):
        QuoteExtractor.from_pretrained(broken)
