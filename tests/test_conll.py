"""CoNLL files (quotes.conll): BIO tags written for seqeval and other tools, and read back as documents to train on.

CoNLL keeps tokens and tags only. Read back, a document's text is its tokens joined by spaces (sentences by
newlines), its id is ``<file stem>-<n>``, and its spans are ``unlinked_spans`` (no quote records): these tests pin
down exactly that, and that writing what was read gives the same bytes.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from seqeval.metrics import classification_report, f1_score
from seqeval.scheme import IOB2

from quotes.brat import read_brat_document
from quotes.cli import main
from quotes.conll import conll_sentences, read_conll, read_conll_documents, write_conll
from quotes.data import build_dataset, read_documents
from quotes.labels import LABEL2ID, spans_to_tags, word_offsets
from quotes.schema import DataValidationError, Span, validate_document
from tests.test_brat import Brat


def test_write_conll_round_trips_tags_that_seqeval_reads(tmp_path, gold_documents):
    path = write_conll(gold_documents, tmp_path / "gold.conll")

    sentences = read_conll(path)

    assert sentences == [s for document in gold_documents for s in conll_sentences(document)]
    written = [
        tag
        for document in gold_documents
        for tag in spans_to_tags(document.labelled_spans(), word_offsets(document.text))
    ]
    assert [tag for sentence in sentences for _, tag in sentence] == written
    tags = [[tag for _, tag in sentence] for sentence in sentences]
    assert f1_score(tags, tags, mode="strict", scheme=IOB2) == 1.0
    assert {"QUOTE", "SPEAKER", "CUE"} <= set(classification_report(tags, tags, output_dict=True))


def test_write_conll_puts_docstart_before_each_document_and_blank_line_after_each_sentence(tmp_path):
    text = "Ada said hi.\nBo said no.\n"
    brat = Brat(text)
    brat.attribution("hi", source="Ada", cue="said")
    document = read_brat_document(*brat.write(tmp_path))

    lines = write_conll([document, document], tmp_path / "out.conll").read_text(encoding="utf-8").split("\n")

    assert lines[:8] == ["-DOCSTART-\tO", "", "Ada\tB-SPEAKER", "said\tB-CUE", "hi\tB-QUOTE", ".\tO", "", "Bo\tO"]
    assert lines.count("-DOCSTART-\tO") == 2


def test_conll_sentences_begins_a_span_again_after_a_newline(tmp_path):
    text = "She wrote: “One.\nTwo.”\n"
    brat = Brat(text)
    brat.attribution("“One.\nTwo.”", source="She", cue="wrote")
    sentences = conll_sentences(read_brat_document(*brat.write(tmp_path)))

    assert [[tag for _, tag in sentence] for sentence in sentences] == [
        ["B-SPEAKER", "B-CUE", "O", "B-QUOTE", "I-QUOTE", "I-QUOTE"],
        ["B-QUOTE", "I-QUOTE", "I-QUOTE"],
    ]


def test_write_conll_rejects_tokens_with_whitespace(tmp_path, gold_documents):
    with pytest.raises(ValueError, match="document 'direct': token .* contains whitespace"):
        write_conll(gold_documents, tmp_path / "out.conll", tokenize=lambda text: [(0, len(text))])


def test_read_conll_raises_on_line_without_tab(tmp_path):
    path = tmp_path / "bad.conll"
    path.write_text("Ada\tB-SPEAKER\nsaid B-CUE\n", encoding="utf-8")

    with pytest.raises(
        DataValidationError, match=rf"{re.escape(str(path))}:2: expected 'token<TAB>tag', got 'said B-CUE'"
    ):
        read_conll(path)


# Reading CoNLL back as documents


def test_read_conll_documents_gives_text_of_tokens_and_spans_without_records(tmp_path, gold_documents):
    path = write_conll(gold_documents, tmp_path / "gold.conll")

    documents = read_conll_documents(path)

    assert [d.id for d in documents] == ["gold-1", "gold-2", "gold-3"]
    first, original = documents[0], gold_documents[0]
    assert first.text == "\n".join(" ".join(token for token, _ in s) for s in conll_sentences(original))
    assert first.quotes == () and first.unlinked_spans
    assert all(validate_document(document) == [] for document in documents)
    # the same tags as the original, token for token: what the format carries survives
    for document, gold in zip(documents, gold_documents, strict=True):
        assert conll_sentences(document) == conll_sentences(gold)


def test_conll_read_back_and_written_again_is_the_same_file(tmp_path, gold_documents):
    first = write_conll(gold_documents, tmp_path / "first.conll")
    second = write_conll(read_conll_documents(first), tmp_path / "second.conll")
    assert second.read_bytes() == first.read_bytes()


def test_read_conll_documents_finds_spans_by_offsets(tmp_path):
    path = tmp_path / "putin.conll"
    path.write_text(
        "-DOCSTART-\tO\n\nPutin\tB-SPEAKER\nsaid\tB-CUE\nit\tB-QUOTE\nis\tI-QUOTE\nover\tI-QUOTE\n.\tO\n\n", "utf-8"
    )

    (document,) = read_conll_documents(path)

    assert document.text == "Putin said it is over ."
    assert document.unlinked_spans == (
        ("SPEAKER", Span(0, 5, "Putin")),
        ("CUE", Span(6, 10, "said")),
        ("QUOTE", Span(11, 21, "it is over")),
    )


def test_read_conll_documents_reads_a_file_without_docstart_as_one_document(tmp_path):
    path = tmp_path / "plain.conll"
    path.write_text("Ada\tB-SPEAKER\nsaid\tB-CUE\nhi\tB-QUOTE\n\nBo\tO\n", encoding="utf-8")

    (document,) = read_conll_documents(path)

    assert (document.id, document.text) == ("plain-1", "Ada said hi\nBo")


def test_read_conll_documents_names_unknown_tags_with_file_and_line(tmp_path):
    path = tmp_path / "ner.conll"
    path.write_text("Ada\tB-PER\nsaid\tO\n", encoding="utf-8")

    with pytest.raises(DataValidationError, match=rf"{re.escape(str(path))}:1: unknown tag 'B-PER'"):
        read_conll_documents(path)


def test_read_conll_documents_reads_a_stray_inside_tag_as_a_beginning_with_a_warning(tmp_path, caplog):
    path = tmp_path / "loose.conll"
    path.write_text("Ada\tO\nsaid\tI-CUE\nhi\tI-QUOTE\n", encoding="utf-8")

    with caplog.at_level(logging.WARNING, logger="quotes.conll"):
        (document,) = read_conll_documents(path)

    assert [(kind, span.text) for kind, span in document.unlinked_spans] == [("CUE", "said"), ("QUOTE", "hi")]
    assert "2 I- tags begin a span (read as B-)" in caplog.text
    assert f"{path}:2: document 'loose-1': I-CUE continues no CUE span" in caplog.text


def test_conll_is_training_data(tmp_path, gold_documents, tiny_tokenizer):
    path = write_conll(gold_documents, tmp_path / "train.conll")

    documents = read_documents(path)  # what `quotes train` reads for data.train
    dataset, stats = build_dataset(documents, tiny_tokenizer, max_length=64, stride=16)

    assert stats.documents == 3 and stats.gold.spans == sum(len(d.unlinked_spans) for d in documents)
    labels = {label for row in dataset for label in row["labels"]}
    assert {LABEL2ID["B-QUOTE"], LABEL2ID["B-SPEAKER"], LABEL2ID["B-CUE"]} <= labels


# Through the command line


def test_convert_to_conll_says_what_is_lost_and_reads_back(tmp_path, gold_documents, capsys):
    from quotes.citron import write_documents

    gold = write_documents(gold_documents, tmp_path / "gold.jsonl")
    conll = tmp_path / "gold.conll"

    assert main(["convert", str(gold), "-o", str(conll)]) == 0
    err = capsys.readouterr().err
    assert "quote records" in err and "document ids" in err and "lost" in err

    assert main(["validate", str(conll)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: 3 documents, 0 quotes, ") and "spans without records" in out

    back = tmp_path / "back.jsonl"
    assert main(["convert", str(conll), "-o", str(back)]) == 0
    assert "unlinked_spans" in capsys.readouterr().err
    assert read_documents(back) == read_conll_documents(conll)
    again = tmp_path / "again.conll"
    assert main(["convert", str(back), "-o", str(again)]) == 0
    assert again.read_bytes() == conll.read_bytes()


@pytest.mark.slow  # trains the tiny model for one epoch (about 15 s of CPU)
def test_quotes_train_reads_a_conll_training_file(tmp_path, capsys):
    root = Path(__file__).resolve().parent.parent
    gold = root / "data" / "annotations" / "splits" / "train.jsonl"
    conll = tmp_path / "train.conll"
    assert main(["convert", str(gold), "-o", str(conll)]) == 0
    output = tmp_path / "run"

    code = main(
        [
            "train",
            str(root / "configs" / "tiny.yaml"),
            f"--data.train={conll}",
            f"--training.output_dir={output}",
            "--training.epochs=1",
        ]
    )

    assert code == 0 and (output / "model.safetensors").is_file()
    assert f"model saved to {output}" in capsys.readouterr().out
