"""Shared fixtures: a tiny tokenizer and random BERT built offline, one tiny trained model, hand-written gold documents.

Builders for spans, records and documents are in ``tests/helpers.py`` (``make_document`` is importable here too).
"""

from __future__ import annotations

import contextlib
import io
import string
from dataclasses import dataclass
from pathlib import Path

import pytest

from quotes.schema import Document
from tests.helpers import make_document  # noqa: F401 (modules import it from here too)

_WORDS = (
    "the a he she they said told posted added that to of in and is was were it we i you not by according "
    "putin gerasimov smirnov ukraine russia kursk border troops region army war minister governor general"
).split()


def build_tiny_tokenizer(directory: Path):
    """An uncased WordPiece tokenizer that can spell any word letter by letter (unknown symbols map to [UNK])."""
    from transformers import BertTokenizerFast

    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    vocab += list(string.ascii_lowercase + string.digits + string.punctuation)
    vocab += [f"##{c}" for c in string.ascii_lowercase + string.digits]
    vocab += _WORDS
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "vocab.txt").write_text("\n".join(dict.fromkeys(vocab)) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab=str(directory / "vocab.txt"), do_lower_case=True)
    tokenizer.save_pretrained(directory)
    return tokenizer


def build_tiny_model(directory: Path) -> Path:
    """Save a randomly initialised 2-layer BERT (hidden size 32) with the tiny tokenizer to ``directory``."""
    from transformers import BertConfig, BertForTokenClassification

    from quotes.labels import ID2LABEL, LABEL2ID

    tokenizer = build_tiny_tokenizer(directory)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        id2label=ID2LABEL,
        label2id=LABEL2ID,
    )
    BertForTokenClassification(config).save_pretrained(directory)
    return directory


@pytest.fixture(scope="session")
def tiny_tokenizer(tmp_path_factory):
    return build_tiny_tokenizer(tmp_path_factory.mktemp("tiny-tokenizer"))


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny-model"))


@dataclass
class TrainRun:
    code: int
    out: str
    model: Path


@pytest.fixture(scope="session")
def tiny_training(tmp_path_factory) -> TrainRun:
    """``quotes train configs/tiny.yaml`` on the seed splits for 3 epochs, once per session (~15 s on 2 cores).

    Its exit code, stdout and model folder, for every test that needs a trained (if useless) model.
    """
    from quotes.cli import main

    root = Path(__file__).resolve().parent.parent
    splits = root / "data" / "annotations" / "splits"
    model = tmp_path_factory.mktemp("runs") / "tiny"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(
            [
                "train",
                str(root / "configs" / "tiny.yaml"),
                f"--training.output_dir={model}",
                f"--data.train={splits / 'train.jsonl'}",
                f"--data.test={splits / 'test.jsonl'}",
                "--training.epochs",  # the two-token form works too
                "3",
            ]
        )
    return TrainRun(code, out.getvalue(), model)


@pytest.fixture(scope="session")
def seed_model(tmp_path_factory) -> Path:
    """The seed model trained with the real encoder (configs/seed.yaml), once per session; slow tests only.

    ``QUOTES_E2E_OUTPUT=DIR`` keeps it there (CI's quality gate scores that same model).
    """
    import os

    from quotes import train

    root = Path(__file__).resolve().parent.parent
    output = os.environ.get("QUOTES_E2E_OUTPUT") or str(tmp_path_factory.mktemp("runs") / "seed")
    return train(root / "configs" / "seed.yaml", [f"--training.output_dir={output}"])


@pytest.fixture
def gold_documents() -> list[Document]:
    """A direct quote, an interrupted quote, an indirect quote and a pronoun speaker with its coreference."""
    direct = make_document(
        "direct",
        "War correspondent Yuri Kotenok posted: ‘The plant is an object of desire.’\n",
        {
            "contents": ["‘The plant is an object of desire.’"],
            "sources": ["War correspondent Yuri Kotenok"],
            "cue": "posted",
        },
    )
    interrupted = make_document(
        "interrupted",
        "General Valery Gerasimov spoke.\n‘Units went on the offensive,’ he said. ‘The advance was halted.’\n",
        {
            "contents": ["‘Units went on the offensive,’", "‘The advance was halted.’"],
            "sources": ["he"],
            "cue": "said",
            "coreferences": ["Valery Gerasimov"],
        },
    )
    indirect = make_document(
        "indirect",
        "Earlier today, Putin declared that Ukraine carried out a ‘large-scale provocation’ at the border.\n",
        {
            "contents": ["that Ukraine carried out a ‘large-scale provocation’ at the border"],
            "sources": ["Putin"],
            "cue": "declared",
        },
    )
    return [direct, interrupted, indirect]
