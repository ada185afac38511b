"""The data layer: reading, leak-free splitting, and windows ready for a Trainer."""

from __future__ import annotations

import pytest

from quotes.data import (
    build_dataset,
    leak_free_split,
    paragraph_blocks,
    read_documents,
    shared_sentences,
)
from quotes.labels import IGNORE_INDEX, LABEL2ID
from quotes.schema import DataValidationError, write_documents
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


# --------------------------------------------------------------------------------------------------------------
# One reader for every format; reading nothing is an error
# --------------------------------------------------------------------------------------------------------------

BRAT_TEXT = "Ada said hi.\n"
BRAT_ANN = "T1\tSource 0 3\tAda\nT2\tCue 4 8\tsaid\nT3\tContent 9 11\thi\nT4\tAttribution 4 8\tsaid\n"
BRAT_ANN += "E1\tAttribution:T4 Source:T1 Cue:T2 Content:T3\n"


def test_one_read_documents_everywhere():
    import quotes
    import quotes.schema

    assert quotes.schema.read_documents is read_documents
    assert quotes.read_documents is read_documents


def test_a_folder_with_brat_pairs_and_jsonl_reads_both(tmp_path, gold_documents):
    (tmp_path / "ada.txt").write_text(BRAT_TEXT, encoding="utf-8")
    (tmp_path / "ada.ann").write_text(BRAT_ANN, encoding="utf-8")
    write_documents(gold_documents, tmp_path / "more" / "gold.jsonl")

    documents = read_documents(tmp_path)

    assert [d.id for d in documents] == ["ada", *(d.id for d in gold_documents)]
    assert read_documents(tmp_path / "ada.ann")[0] == documents[0]  # an .ann file names its pair


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda root: (root / "empty.jsonl").write_text(""),
            r"empty\.jsonl: holds no documents \(the file is empty or blank\)",
        ),
        (lambda root: (root / "empty").mkdir(), r"empty: no documents found: no file to read"),
        (
            lambda root: [(root / "texts").mkdir(), (root / "texts" / "a.txt").write_text("Hi.")],
            r"texts: no documents found: 1 \.txt file\(s\) without \.ann",
        ),
        (
            lambda root: [
                (root / "corpus" / "train").mkdir(parents=True),
                (root / "corpus" / "train" / "a.ann").touch(),
            ],
            r"corpus: no documents found: .*subfolder\(s\) train: name those",
        ),
    ],
)
def test_an_input_that_yields_nothing_is_an_error(tmp_path, build, message):
    build(tmp_path)
    target = next(p for p in tmp_path.iterdir())

    with pytest.raises(DataValidationError, match=message) as caught:
        read_documents(target)

    assert "expected .json/.jsonl files" in str(caught.value)
    assert read_documents(target, allow_empty=True) == []


def test_a_txt_file_is_no_gold_and_says_what_to_give(tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(BRAT_TEXT, encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"a \.txt file holds text but no annotations"):
        read_documents(path)


@pytest.mark.parametrize("kind", ["empty file", "empty folder", "folder of .txt"])
def test_validate_and_convert_exit_2_when_nothing_is_found(tmp_path, capsys, kind):
    from quotes.cli import main

    if kind == "empty file":
        target = tmp_path / "empty.jsonl"
        target.write_text("", encoding="utf-8")
    else:
        target = tmp_path / "folder"
        target.mkdir()
        if kind == "folder of .txt":
            (target / "a.txt").write_text(BRAT_TEXT, encoding="utf-8")

    assert main(["validate", str(target)]) == 2
    assert "no documents" in capsys.readouterr().err
    assert main(["convert", str(target), "-o", str(tmp_path / "out.jsonl")]) == 2
    captured = capsys.readouterr()
    assert "no documents" in captured.err and "wrote" not in captured.out
    assert not (tmp_path / "out.jsonl").exists()


def test_validate_checks_the_jsonl_beside_brat_files(tmp_path, capsys):
    from quotes.cli import main

    (tmp_path / "ada.txt").write_text(BRAT_TEXT, encoding="utf-8")
    (tmp_path / "ada.ann").write_text(BRAT_ANN, encoding="utf-8")
    (tmp_path / "bad.jsonl").write_text('{"id": "x", "text": "Hi", "qoutes": []}\n', encoding="utf-8")

    assert main(["validate", str(tmp_path)]) == 2
    assert "bad.jsonl:1: document 'x': qoutes: unknown field; did you mean 'quotes'?" in capsys.readouterr().err
