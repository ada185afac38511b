"""The schema: documents read and written as Citron JSON, and a validator that names every problem."""

from __future__ import annotations

import json

import pytest

from quotes.schema import (
    DataValidationError,
    Document,
    Quote,
    QuoteRecord,
    ScoredSpan,
    Span,
    labelled_spans,
    read_documents,
    spans_of,
    write_documents,
)

TEXT = "‘Nuclear blackmail,’ posted Dmitry Rogozin, a senator."


def good_dict() -> dict:
    return {
        "id": "doc-1",
        "text": TEXT,
        "quotes": [
            {
                "cue": {"start": 21, "end": 27, "text": "posted"},
                "sources": [{"start": 28, "end": 42, "text": "Dmitry Rogozin"}],
                "contents": [{"start": 0, "end": 20, "text": "‘Nuclear blackmail,’"}],
                "coreferences": [],
            }
        ],
    }


def test_write_then_read_round_trips_json_and_jsonl(tmp_path, gold_documents):
    many = write_documents(gold_documents[1:], tmp_path / "b.jsonl")
    assert read_documents(many) == gold_documents[1:]
    single = write_documents(gold_documents[:1], tmp_path / "a.json")
    assert read_documents(single) == gold_documents[:1]
    assert read_documents(tmp_path) == gold_documents  # directories are read recursively in sorted order


def test_write_json_refuses_several_documents(tmp_path, gold_documents):
    with pytest.raises(ValueError, match="use .jsonl"):
        write_documents(gold_documents, tmp_path / "many.json")


def test_to_dict_is_exactly_the_citron_format():
    document = read_one(good_dict())
    assert document.to_dict() == good_dict()
    assert list(document.quotes[0].to_dict()) == ["cue", "sources", "contents", "coreferences"]


def read_one(obj: dict, tmp_path_factory=None) -> Document:
    from quotes.schema import document_from_dict

    return document_from_dict(obj, file="x.json")


def broken(mutate) -> dict:
    obj = good_dict()
    mutate(obj)
    return obj


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda o: o["quotes"][0]["contents"][0].update(text="Nuclear"),
            r"quotes\[0\]\.contents\[0\]\.text: 'Nuclear' != text\[0:20\]",
        ),
        (lambda o: o["quotes"][0]["cue"].update(end=999), r"quotes\[0\]\.cue\.end: offset 999 is past the end"),
        (
            lambda o: o["quotes"][0]["cue"].update(start=30, end=21),
            r"quotes\[0\]\.cue\.end: end 21 is not after start 30",
        ),
        (lambda o: o["quotes"][0]["cue"].update(start=-1), r"quotes\[0\]\.cue\.start: offset -1 is negative"),
        (
            lambda o: o["quotes"][0].update(contents=[]),
            r"quotes\[0\]\.contents: a quote needs at least one content span",
        ),
        (lambda o: o["quotes"][0].pop("contents"), r"quotes\[0\]\.contents: missing required field"),
        (lambda o: o["quotes"][0].update(speaker="x"), r"quotes\[0\]\.speaker: unknown field"),
        (lambda o: o.update(qoutes=[]), r"qoutes: unknown field; did you mean 'quotes'\?"),
        (lambda o: o.update(txt="x"), r"txt: unknown field; did you mean 'text'\?"),
        (lambda o: o["quotes"][0].update(source=[]), r"quotes\[0\]\.source: unknown field; did you mean 'sources'\?"),
        (lambda o: o["quotes"][0]["cue"].update(start="21"), r"quotes\[0\]\.cue\.start: expected an integer, got str"),
        (lambda o: o.update(quotes={}), r"quotes: expected a list of quotes, got dict"),
        (lambda o: o.update(text=5), r"text: expected a string, got int"),
        (
            lambda o: o["quotes"].append({"contents": [{"start": 1, "end": 8, "text": "Nuclear"}]}),
            r"quotes\[1\]\.contents\[0\]: content span overlaps quotes\[0\]\.contents\[0\]",
        ),
        (
            lambda o: o["quotes"][0]["sources"].append({"start": 21, "end": 27, "text": "posted"}),
            r"quotes\[0\]\.(cue|sources\[1\]): (CUE|SPEAKER) span overlaps (SPEAKER|CUE) span",
        ),
    ],
)
def test_validator_names_document_field_and_problem(mutate, expected):
    with pytest.raises(DataValidationError, match=r"x\.json: document 'doc-1': " + expected):
        read_one(broken(mutate))


def test_validator_reports_every_problem_with_file_and_line(tmp_path):
    bad = broken(lambda o: o["quotes"][0]["cue"].update(text="said"))
    bad["quotes"][0]["contents"][0]["end"] = 3.5
    lines = [json.dumps(good_dict()), "{not json", json.dumps(bad)]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as error:
        read_documents(path)
    messages = [str(issue) for issue in error.value.issues]
    assert len(messages) == 3
    assert messages[0].startswith(f"{path}:2: invalid JSON")
    assert f"{path}:3: document 'doc-1': quotes[0].contents[0].end: expected an integer, got float 3.5" in messages
    assert f"{path}:3: document 'doc-1': quotes[0].cue.text: 'said' != text[21:27] = 'posted'" in messages


def test_duplicate_ids_across_files_are_reported(tmp_path, gold_documents):
    write_documents(gold_documents[:1], tmp_path / "a.jsonl")
    write_documents(gold_documents[:1], tmp_path / "b.jsonl")
    with pytest.raises(DataValidationError, match="duplicate id"):
        read_documents(tmp_path)


def test_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        read_documents(tmp_path / "nope.jsonl")


def test_shared_source_of_two_cues_is_valid():
    text = "He said and added that it was over."
    he, said, added = Span(0, 2, "He"), Span(3, 7, "said"), Span(12, 17, "added")
    content = Span.from_text(text, 18, 34)
    doc = Document("d", text, (Quote((content,), (he,), said), Quote((Span.from_text(text, 8, 11),), (he,), added)))
    assert read_one(doc.to_dict()) == doc


def test_slice_keeps_whole_records_and_rebases_offsets(gold_documents):
    doc = gold_documents[1]
    second_paragraph = doc.text.index("‘Units")
    with pytest.raises(ValueError, match="crosses the cut"):
        doc.slice(second_paragraph, len(doc.text))  # its coreference lies in the first paragraph
    quoted = gold_documents[0]
    start = quoted.text.index("War")
    part = quoted.slice(start, len(quoted.text))
    assert part.quotes[0].contents[0].text == quoted.quotes[0].contents[0].text
    assert part.quotes[0].contents[0].start == quoted.quotes[0].contents[0].start - start
    whole = doc.slice(0, len(doc.text), id="same")
    assert whole.quotes == doc.quotes


def test_direct_flag_and_record_to_dict():
    quoted = Quote((Span(0, 20, "‘Nuclear blackmail,’"),))
    assert quoted.direct
    assert not Quote((Span(0, 4, "that"),)).direct
    record = QuoteRecord(contents=(ScoredSpan(0, 20, "‘Nuclear blackmail,’", 0.9),), direct=True, score=0.9)
    assert record.to_dict() == {
        "cue": None,
        "sources": [],
        "contents": [{"start": 0, "end": 20, "text": "‘Nuclear blackmail,’"}],
        "coreferences": [],
    }
    assert record.to_dict(include_scores=True)["contents"][0]["score"] == 0.9
    assert record.to_quote() == quoted


def test_a_predicted_record_reads_like_gold_once_its_scores_are_dropped():
    record = QuoteRecord(contents=(ScoredSpan(0, 4, "“Hi”", 0.9),), cue=ScoredSpan(8, 12, "said", 0.8))
    gold = Quote(contents=(Span(0, 4, "“Hi”"),), cue=Span(8, 12, "said"))

    assert record.to_quote() == gold
    assert [(kind, span.plain()) for kind, span in record.labelled_spans()] == list(gold.labelled_spans())
    assert [kind for kind, _ in labelled_spans(gold)] == ["QUOTE", "CUE"]
    assert spans_of(record, "CUE") == [record.cue] and spans_of(record, "SPEAKER") == []
    assert spans_of(Quote(contents=gold.contents), "CUE") == []
