"""The data layer: reading, leak-free splitting, and windows ready for a Trainer."""

from __future__ import annotations

from quotes.data import (
    build_dataset,
    build_dataset_dict,
    leak_free_split,
    paragraph_blocks,
    read_documents,
    shared_sentences,
)
from quotes.labels import IGNORE_INDEX, LABEL2ID
from quotes.schema import write_documents
from tests.conftest import make_document

LONG = (
    "Putin declared that Ukraine carried out a large provocation at the border.\n\n"
    "‘Units went on the offensive in the region,’ he said.\n\n"
    "‘The advance deep into the territory was halted.’\n\n"
    "Kursk regional governor Alexei Smirnov said thousands of people had left the region.\n"
)
SHORT = "Kursk regional governor Alexei Smirnov said thousands of people had left the region.\n"


def long_document():
    return make_document(
        "long",
        LONG,
        {
            "contents": ["that Ukraine carried out a large provocation at the border"],
            "sources": ["Putin"],
            "cue": "declared",
        },
        {
            "contents": [
                "‘Units went on the offensive in the region,’",
                "‘The advance deep into the territory was halted.’",
            ],
            "sources": ["he"],
            "cue": "said",
        },
        {
            "contents": ["thousands of people had left the region"],
            "sources": ["Kursk regional governor Alexei Smirnov"],
            "cue": ("said", 1),
        },
    )


def test_read_documents_accepts_files_and_directories(tmp_path, gold_documents):
    write_documents(gold_documents, tmp_path / "gold" / "docs.jsonl")
    assert read_documents(tmp_path / "gold") == gold_documents
    assert read_documents([tmp_path / "gold" / "docs.jsonl"]) == gold_documents


def test_paragraph_blocks_keep_a_multi_paragraph_quote_together():
    document = long_document()
    blocks = [document.text[s:e] for s, e in paragraph_blocks(document)]
    assert len(blocks) == 3
    assert blocks[1].startswith("‘Units") and blocks[1].endswith("halted.’")


def test_leak_free_split_drops_blocks_that_share_a_sentence_with_test():
    test = [
        make_document(
            "short",
            SHORT,
            {
                "contents": ["thousands of people had left the region"],
                "sources": ["Kursk regional governor Alexei Smirnov"],
                "cue": "said",
            },
        )
    ]
    train, report = leak_free_split([long_document()], test)
    assert (report.train_blocks, report.dropped_blocks, report.dropped_quotes) == (2, 1, 1)
    assert shared_sentences(train, test) == set()
    assert [d.id for d in train] == [f"long@0-{LONG.index('Kursk') - 2}"]
    assert len(train[0].quotes) == 2
    assert all(s.text == train[0].text[s.start : s.end] for q in train[0].quotes for _, s in q.labelled_spans())


def test_shared_sentences_ignores_quote_style_and_case():
    a = [make_document("a", "He said ‘we will win this war’ today.\n")]
    b = [make_document("b", "he said 'We will win this war' today.\n")]
    assert shared_sentences(a, b) == {"he said 'we will win this war' today"}


def test_build_dataset_windows_and_labels(tiny_tokenizer, gold_documents, caplog):
    caplog.set_level("INFO", logger="quotes.data")
    dataset, stats = build_dataset(gold_documents, tiny_tokenizer, max_length=16, stride=4)
    assert set(dataset.column_names) == {"input_ids", "attention_mask", "labels", "document", "window"}
    assert stats.documents == 3 and stats.windows == len(dataset) > 3
    assert all(len(row["labels"]) == len(row["input_ids"]) <= 16 for row in dataset)
    first = dataset[0]
    assert first["labels"][0] == IGNORE_INDEX and first["labels"][-1] == IGNORE_INDEX
    assert LABEL2ID["B-SPEAKER"] in first["labels"]
    assert stats.gold.cut > 0  # 16-token windows cut the long quotes, and that is reported
    assert "gold spans" in caplog.text and "are cut by every window" in caplog.text


def test_build_dataset_dict_has_one_dataset_per_split(tiny_tokenizer, gold_documents):
    splits, stats = build_dataset_dict(
        {"train": gold_documents[:2], "validation": gold_documents[2:]}, tiny_tokenizer, 64, 16
    )
    assert set(splits) == {"train", "validation"}
    assert stats["validation"].documents == 1
    assert stats["train"].gold.cut == 0
