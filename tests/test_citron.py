"""Citron JSON/JSONL files (quotes.citron): what we write we read back, whatever characters scraped news holds.

Every bad file is built here in ``tmp_path``; the characters under test are the ones ``str.splitlines`` treats as
line ends (U+2028, U+2029, U+0085, \\x0b, \\x0c, \\x1c-\\x1e) and lone surrogates, which UTF-8 cannot hold.
"""

from __future__ import annotations

import json
import re

import pytest

from quotes.citron import read_citron_file, write_documents
from quotes.cli import main
from quotes.data import read_documents
from quotes.schema import DataValidationError, Document, Quote, Span, document_from_dict

LINE_BREAKS_OF_SPLITLINES = "\u2028\u2029\u0085\x0b\x0c\x1c\x1d\x1e"


def odd_document(number: int = 1) -> Document:
    """A document with every character ``str.splitlines`` breaks at, in its id, its text and a span."""
    text = f"The minister said{LINE_BREAKS_OF_SPLITLINES}‘we will stay.’\u2028Next\x85paragraph.\n"
    content = text.index("‘we")
    return Document(
        id=f"odd{LINE_BREAKS_OF_SPLITLINES}{number}",
        text=text,
        quotes=(
            Quote(
                contents=(Span.from_text(text, content - 3, text.index("’") + 1),),
                sources=(Span.from_text(text, 4, 12),),
                cue=Span.from_text(text, 13, 17),
            ),
        ),
    )


def test_jsonl_lines_end_at_newline_only(tmp_path):
    documents = [odd_document(1), odd_document(2)]

    path = write_documents(documents, tmp_path / "odd.jsonl")

    assert path.read_bytes().count(b"\n") == 2  # one line per document: the odd characters stay inside strings
    assert read_documents(path) == documents
    single = write_documents(documents[:1], tmp_path / "odd.json")
    assert read_documents(single) == documents[:1]


def test_jsonl_written_by_another_tool_with_raw_line_separators_reads(tmp_path):
    document = odd_document()
    path = tmp_path / "other.jsonl"
    line = json.dumps(document.to_dict(), ensure_ascii=False)
    path.write_bytes(("\r\n".join([line, "", line.replace("odd", "odd-two", 1)]) + "\r\n").encode("utf-8"))

    first, second = read_documents(path)

    assert first == document and second.text == document.text


def test_convert_round_trips_the_odd_characters(tmp_path, capsys):
    source = write_documents([odd_document(1), odd_document(2)], tmp_path / "in.jsonl")
    output = tmp_path / "out.jsonl"

    assert main(["convert", str(source), "-o", str(output)]) == 0
    assert main(["validate", str(output)]) == 0

    assert output.read_bytes() == source.read_bytes()
    assert "ok: 2 documents, 2 quotes" in capsys.readouterr().out


# Encoding


def test_lone_surrogate_in_text_or_span_is_a_located_problem(tmp_path):
    quote = '{"contents": [{"start": 8, "end": 9, "text": "\\ud800"}]}'  # JSON escapes of a lone surrogate
    line = '{"id": "s1", "text": "He said \\ud800 no.", "quotes": [' + quote + "]}"
    path = tmp_path / "broken.jsonl"
    path.write_text('{"id": "fine", "text": "ok"}\n' + line + "\n", encoding="utf-8")

    documents, issues = read_citron_file(path)

    assert [d.id for d in documents] == ["fine"]
    messages = [str(issue) for issue in issues]
    assert f"{path}:2: document 's1': text: holds a lone surrogate U+D800 at character 8" in messages[0]
    assert messages[1].startswith(f"{path}:2: document 's1': quotes[0].contents[0].text: holds a lone surrogate")
    assert "cannot be written as UTF-8" in messages[0]


def test_write_documents_refuses_a_lone_surrogate_and_writes_nothing(tmp_path):
    document = Document("bad", "He said \ud800.")
    path = tmp_path / "out.jsonl"

    with pytest.raises(DataValidationError, match=r"out\.jsonl: document 'bad': text: holds a lone surrogate U\+D800"):
        write_documents([odd_document(), document], path)

    assert not path.exists()


def test_invalid_utf8_is_named_with_file_line_and_byte_offset(tmp_path):
    path = tmp_path / "latin1.jsonl"
    data = b'{"id": "a", "text": "ok"}\n{"id": "b", "text": "caf\xe9"}\n'
    path.write_bytes(data)
    offset = data.index(b"\xe9")

    with pytest.raises(
        DataValidationError, match=rf"{re.escape(str(path))}:2: not UTF-8 text: byte 0xe9 at byte offset {offset} "
    ):
        read_documents(path)


# Metadata and ids


WIKINEWS_LIKE = {
    "id": "launch",
    "url": "https://en.wikinews.org/wiki/Example",
    "license": "CC BY 2.5",
    "text": "NASA said the launch is delayed.",
    "quotes": [
        {
            "cue": {"start": 5, "end": 9, "text": "said"},
            "contents": [{"start": 10, "end": 31, "text": "the launch is delayed"}],
            "sources": [{"start": 0, "end": 4, "text": "NASA"}],
        }
    ],
    "date": "2008-02-07",
    "title": {"en": "Launch", "nested": [1, 2]},
}


def test_extra_document_fields_are_kept_as_metadata_and_written_back(tmp_path):
    path = tmp_path / "launch.json"
    path.write_text(json.dumps(WIKINEWS_LIKE), encoding="utf-8")

    (document,) = read_documents(path)

    assert document.metadata == {key: WIKINEWS_LIKE[key] for key in ("url", "license", "date", "title")}
    assert document == Document(document.id, document.text, document.quotes)  # metadata is not part of equality
    again = read_documents(write_documents([document], tmp_path / "again.jsonl"))[0]
    assert again.metadata == document.metadata
    assert json.loads((tmp_path / "again.jsonl").read_text(encoding="utf-8"))["url"] == WIKINEWS_LIKE["url"]


def test_documents_without_metadata_are_written_exactly_as_before(gold_documents):
    assert [list(d.to_dict()) for d in gold_documents] == [["id", "text", "quotes"]] * len(gold_documents)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda o: o.update(qoutes=o.pop("quotes")), r"qoutes: unknown field; did you mean 'quotes'\?"),
        (lambda o: o.update(Text=o.pop("text")), r"Text: unknown field; did you mean 'text'\?"),
        (lambda o: o["quotes"][0].update(speaker="NASA"), r"quotes\[0\]\.speaker: unknown field"),
        (lambda o: o["quotes"][0]["cue"].update(direct=True), r"quotes\[0\]\.cue\.direct: unknown field"),
        (lambda o: o["quotes"][0].update(score="high"), r"quotes\[0\]\.score: expected a number, got 'high'"),
        (lambda o: o.update(id=""), r"x\.json: id: '' is empty"),
        (lambda o: o.update(id="  \t"), r"x\.json: id: '  \\t' is empty"),
    ],
)
def test_near_misses_extra_record_fields_and_empty_ids_are_errors(mutate, message):
    obj = json.loads(json.dumps(WIKINEWS_LIKE))
    mutate(obj)
    with pytest.raises(DataValidationError, match=message):
        document_from_dict(obj, file="x.json")


def test_unlinked_spans_are_checked_like_other_spans():
    obj = {"id": "u", "text": "Ada said hi", "unlinked_spans": [{"kind": "NAME", "start": 0, "end": 3, "text": "Ada"}]}
    with pytest.raises(DataValidationError, match=r"unlinked_spans\[0\]\.kind: expected one of QUOTE, SPEAKER, CUE"):
        document_from_dict(obj)
    obj["unlinked_spans"] = [{"kind": "SPEAKER", "start": 0, "end": 3, "text": "Bob"}]
    with pytest.raises(DataValidationError, match=r"unlinked_spans\[0\]\.text: 'Bob' != text\[0:3\] = 'Ada'"):
        document_from_dict(obj)


def test_prediction_output_reads_as_documents_without_its_scores(tmp_path):
    from quotes.schema import QuoteRecord, ScoredSpan

    text = "NASA said the launch is delayed."
    record = QuoteRecord(
        contents=(ScoredSpan(10, 31, "the launch is delayed", 0.9),),
        sources=(ScoredSpan(0, 4, "NASA", 0.8),),
        cue=ScoredSpan(5, 9, "said", 0.7),
        direct=False,
        score=0.8,
    )
    path = tmp_path / "predicted.jsonl"  # what `quotes predict -o predicted.jsonl` writes
    line = json.dumps({"id": "p", "text": text, "quotes": [record.to_dict(include_scores=True)]}, ensure_ascii=False)
    path.write_text(line + "\n", encoding="utf-8")

    (document,) = read_documents(path)

    assert document.quotes == (record.to_quote(),)


def test_an_offset_of_5000_digits_is_a_problem_not_a_traceback(tmp_path):
    from quotes.citron import read_citron_file

    text = "He said hi."
    line = json.dumps({"id": "a", "text": text, "quotes": [{"contents": [{"start": 0, "end": 2, "text": "He"}]}]})
    for suffix, body in ((".jsonl", line), (".json", line)):
        path = tmp_path / f"big{suffix}"
        path.write_text(body.replace('"start": 0', '"start": ' + "9" * 5000), encoding="utf-8")
        documents, issues = read_citron_file(path)
        assert documents == [] and len(issues) == 1 and "4300 digits" in str(issues[0]), issues
