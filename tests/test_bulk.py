"""Bulk prediction from Python: ``predict_stream`` and the readers, writers and mergers behind ``quotes predict``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from quotes.bulk import (
    InputError,
    Prediction,
    check_output_path,
    finished_ids,
    input_files,
    iter_documents,
    merge_parts,
    part_path,
)
from quotes.data import read_documents
from quotes.schema import Document
from tests.helpers import seeded_tiny_model

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "annotations" / "seed"


def paragraphs() -> list[str]:
    """The seed articles cut into paragraphs: about 60 short news texts with quotes in them."""
    return [p for d in read_documents(SEED) for p in d.text.split("\n\n") if p.strip()]


@pytest.fixture(scope="module")
def tiny_extractor(tmp_path_factory):
    """The tiny BERT, its random weights drawn from a fixed seed (so it finds spans), with 64-token windows."""
    from quotes.inference import QuoteExtractor

    return QuoteExtractor.from_pretrained(seeded_tiny_model(tmp_path_factory.mktemp("bulk-model") / "tiny"))


def as_dicts(records) -> list[dict]:
    return [r.to_dict(include_scores=True) for r in records]


# --------------------------------------------------------------------------------------------------------------
# predict_stream
# --------------------------------------------------------------------------------------------------------------


def test_predict_stream_equals_predict_chunk_by_chunk(tiny_extractor):
    texts = paragraphs()[:30]
    streamed = list(tiny_extractor.predict_stream(texts, chunk_size=4))

    expected = [records for i in range(0, len(texts), 4) for records in tiny_extractor.predict(texts[i : i + 4])]
    assert [p.records for p in streamed] == [tuple(r) for r in expected]  # the same records, scores to the bit
    assert [p.text for p in streamed] == texts and [p.id for p in streamed] == [str(i) for i in range(30)]
    assert sum(len(p.records) for p in streamed) > 0  # the random model finds spans: the comparison is not vacuous


def test_predict_stream_in_one_chunk_equals_one_predict_call(tiny_extractor):
    texts = paragraphs()[:12]
    streamed = tiny_extractor.predict_stream(texts, chunk_size=len(texts))
    assert [p.records for p in streamed] == [tuple(r) for r in tiny_extractor.predict(texts)]


def test_predict_stream_yields_before_reading_everything(tiny_extractor):
    read = []

    def endless():
        number = 0
        while True:
            read.append(number)
            yield f"Document {number}: ‘It goes on,’ he said."
            number += 1

    stream = tiny_extractor.predict_stream(endless(), chunk_size=5)
    first = next(stream)
    assert first.id == "0" and len(read) == 5  # one chunk read, one chunk predicted
    assert [next(stream).id for _ in range(6)] == ["1", "2", "3", "4", "5", "6"] and len(read) == 10


def test_predict_stream_takes_pairs_documents_and_strings(tiny_extractor):
    document = Document("doc-1", "Putin said that the border holds.")
    ids = [p.id for p in tiny_extractor.predict_stream([("a", "He said so."), document, "plain text"])]
    assert ids == ["a", "doc-1", "2"]
    with pytest.raises(TypeError, match=r"item 1 is int"):
        list(tiny_extractor.predict_stream(["fine", 42]))


def test_predict_stream_min_score_keeps_records_at_or_above_it(tiny_extractor):
    texts = paragraphs()[:20]
    everything = [r for p in tiny_extractor.predict_stream(texts) for r in p.records]
    threshold = sorted(r.score for r in everything)[len(everything) // 2]  # the median: drops about half
    kept = [r for p in tiny_extractor.predict_stream(texts, min_score=threshold) for r in p.records]
    assert kept == [r for r in everything if r.score >= threshold]
    assert 0 < len(kept) < len(everything)


def test_prediction_to_dict_is_citron_json_with_scores(tiny_extractor):
    [prediction] = tiny_extractor.predict_stream([("kursk", paragraphs()[3])])
    data = json.loads(prediction.to_json_line())
    assert set(data) == {"id", "text", "quotes"} and data["id"] == "kursk"
    for quote in data["quotes"]:
        for span in quote["contents"]:
            assert data["text"][span["start"] : span["end"]] == span["text"] and 0 <= span["score"] <= 1


def test_rule_baseline_streams_too():
    from quotes.baseline import RuleBasedExtractor
    from quotes.bulk import predict_stream

    text = "‘Nuclear blackmail,’ posted Dmitry Rogozin, a senator."
    [prediction] = predict_stream(RuleBasedExtractor(), [text])
    assert prediction.records[0].sources[0].text == "Dmitry Rogozin"


# --------------------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------------------


def test_txt_is_read_as_bytes_without_newline_translation(tmp_path):
    path = tmp_path / "windows.txt"
    path.write_bytes("Line one.\r\n‘Two,’ he said.\r\n".encode())
    [document] = iter_documents([path])
    assert document.text == "Line one.\r\n‘Two,’ he said.\r\n" and document.id == "windows"


def test_jsonl_lines_end_at_newline_only(tmp_path):
    text = "One\u2028two\u2029three\x85four"
    path = tmp_path / "scraped.jsonl"
    path.write_text(json.dumps({"id": "a", "text": text}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert [d.text for d in iter_documents([path])] == [text]


def test_invalid_utf8_names_file_line_and_byte_offset(tmp_path):
    path = tmp_path / "mixed.jsonl"
    good = json.dumps({"id": "a", "text": "fine"}).encode() + b"\n"
    data = good + b'{"id": "b", "text": "caf\xe9"}\n'
    path.write_bytes(data)
    offset = data.index(b"\xe9")
    with pytest.raises(InputError, match=rf"mixed.jsonl: line 2: not UTF-8 text \(byte 0xe9 at byte offset {offset}\)"):
        list(iter_documents([path]))


def test_lone_surrogate_is_refused_with_its_place(tmp_path):
    path = tmp_path / "escaped.jsonl"
    path.write_text('{"id": "a", "text": "ab\\ud800"}\n', encoding="utf-8")
    with pytest.raises(
        InputError, match=r"escaped.jsonl:1: document 'a': \"text\" holds a lone surrogate .* at character 2"
    ):
        list(iter_documents([path]))


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('{"id": "a"', "invalid JSON"),
        ('["a", "b"]', 'expected a JSON object with "id" and "text", got list'),
        ('{"id": "", "text": "x"}', '"id" must be a non-empty string'),
        ('{"id": "a", "text": 3}', '"text" must be a string, got int'),
    ],
)
def test_bad_jsonl_lines_are_named(tmp_path, line, problem):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "ok", "text": "fine"}\n\n' + line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.jsonl:3: .*" + re.escape(problem)):
        list(iter_documents([path]))


def test_duplicate_ids_name_both_places(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"id": "x", "text": "one"}\n', encoding="utf-8")
    (tmp_path / "b.jsonl").write_text('{"id": "y", "text": "two"}\n{"id": "x", "text": "three"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"duplicate document id 'x' in .*b.jsonl:2 \(first in .*a.jsonl:1\)"):
        list(iter_documents([tmp_path / "a.jsonl", tmp_path / "b.jsonl"]))


def test_folder_gives_txt_ids_relative_to_it_in_sorted_order(tmp_path):
    for name in ["2019/kursk.txt", "2020/kursk.txt", "notes.md", ".hidden/x.txt", "feed.jsonl"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text('{"id": "f1", "text": "t"}\n' if name.endswith("l") else "text", encoding="utf-8")
    assert [d.id for d in iter_documents([tmp_path])] == ["2019/kursk", "2020/kursk", "f1"]


def test_output_inside_an_input_folder_is_not_read_as_input(tmp_path):
    (tmp_path / "a.txt").write_text("text", encoding="utf-8")
    (tmp_path / "out.jsonl").write_text('{"id": "a", "text": "already predicted"}\n', encoding="utf-8")
    assert [d.id for d in iter_documents([tmp_path], exclude=tmp_path / "out.jsonl")] == ["a"]
    with pytest.raises(InputError, match=r"out.jsonl: is also the output"):
        list(iter_documents([tmp_path / "out.jsonl"], exclude=tmp_path / "out.jsonl"))


def test_folder_without_usable_files_is_an_error(tmp_path):
    (tmp_path / "notes.md").write_text("nothing to tag", encoding="utf-8")
    with pytest.raises(InputError, match=r"no \.txt, \.json or \.jsonl files in this folder"):
        input_files([tmp_path])


def test_stdin_jsonl_streams(tmp_path):
    import io

    stdin = io.BytesIO(b'{"id": "a", "text": "one"}\n{"id": "b", "text": "two"}\n')
    assert [(d.id, d.where) for d in iter_documents([], stdin=stdin, stdin_format="jsonl")] == [
        ("a", "<stdin>:1"),
        ("b", "<stdin>:2"),
    ]


# --------------------------------------------------------------------------------------------------------------
# Writing, resuming, merging
# --------------------------------------------------------------------------------------------------------------


def test_finished_ids_cuts_a_half_written_last_line(tmp_path):
    output = tmp_path / "out.jsonl"
    whole = Prediction("a", "t", ()).to_json_line() + Prediction("b", "t", ()).to_json_line()
    output.write_text(whole + '{"id": "c", "te', encoding="utf-8")
    assert finished_ids(output) == {"a", "b"}
    assert output.read_text(encoding="utf-8") == whole


def test_finished_ids_refuses_a_file_that_is_not_ours(tmp_path):
    output = tmp_path / "notes.jsonl"
    output.write_text("my own notes\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"notes.jsonl: line 1 is not a prediction .* drop --resume"):
        finished_ids(output)
    assert output.read_text(encoding="utf-8") == "my own notes\n"  # untouched


def test_check_output_path_refuses_folders_files_in_the_way_and_unwritable_places(tmp_path):
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match=r"is a directory"):
        check_output_path(tmp_path)
    with pytest.raises(InputError, match=r"file is a file, not a folder"):
        check_output_path(tmp_path / "file" / "sub" / "out.jsonl")
    with pytest.raises(InputError, match=r"cannot write here"):
        check_output_path(Path("/proc/quotes-test/out.jsonl"))  # refused even to root
    check_output_path(tmp_path / "new" / "out.jsonl")
    assert (tmp_path / "new").is_dir() and not (tmp_path / "new" / "out.jsonl").exists()


def test_merge_parts_puts_chunks_back_in_input_order(tmp_path):
    output = tmp_path / "out.jsonl"
    ids = [f"d{i}" for i in range(7)]  # chunks of 2: d0 d1 | d2 d3 | d4 d5 | d6 -> ranks 0, 1, 0, 1
    shards = {0: ["d0", "d1", "d4", "d5"], 1: ["d2", "d3", "d6"]}
    for rank, shard in shards.items():
        lines = "".join(Prediction(i, "t", ()).to_json_line() for i in shard)
        part_path(output, rank, 2).write_text(lines, encoding="utf-8")
    assert merge_parts(output, ids, chunk_size=2, world_size=2) == (7, 0)
    assert [json.loads(line)["id"] for line in output.read_text(encoding="utf-8").splitlines()] == ids
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]  # parts removed
