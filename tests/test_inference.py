"""predict(): linked quote records with exact offsets from any text, single or batched, from several threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import quotes
from quotes.inference import QuoteExtractor
from quotes.schema import QuoteRecord
from quotes.training import train

ROOT = Path(__file__).resolve().parent.parent
SEED_TEXT = (ROOT / "data" / "annotations" / "seed" / "003_8b1ae2b3cf817a52.json").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def extractor(tmp_path_factory) -> QuoteExtractor:
    splits = ROOT / "data" / "annotations" / "splits"
    output = train(
        ROOT / "configs" / "tiny.yaml",
        [
            f"--training.output_dir={tmp_path_factory.mktemp('runs') / 'tiny'}",
            f"--data.train={splits / 'train.jsonl'}",
            "--data.test=[]",
            "--training.epochs=3",
        ],
    )
    # fp32: an untrained tiny model has near-tied labels that bf16 rounding (which depends on padding) can flip
    return QuoteExtractor.from_pretrained(output, device="cpu", precision="fp32")


def assert_exact(text: str, records: list[QuoteRecord]) -> None:
    for record in records:
        spans = [*record.contents, *record.sources, *record.coreferences, *([record.cue] if record.cue else [])]
        assert record.contents, "every record has content"
        for span in spans:
            assert span.text == text[span.start : span.end]
            assert 0.0 <= span.score <= 1.0


def test_predict_one_text_gives_records_with_exact_offsets(extractor):
    text = "‘Nuclear blackmail,’ posted Dmitry Rogozin, a senator.\n\nHe said Ukraine had attacked."
    records = extractor.predict(text)
    assert isinstance(records, list) and all(isinstance(r, QuoteRecord) for r in records)
    assert_exact(text, records)
    assert [r.contents[0].start for r in records] == sorted(r.contents[0].start for r in records)


def test_predict_a_batch_gives_one_list_per_text_equal_to_single_calls(extractor):
    texts = ["He said: ‘It goes like this.’", "", SEED_TEXT[:3000], "   \n "]
    batch = extractor.predict(texts, batch_size=3)
    assert len(batch) == 4 and batch[1] == [] and batch[3] == []
    assert batch == [extractor.predict(t) for t in texts]


def test_predict_rejects_what_is_not_text(extractor):
    with pytest.raises(TypeError, match="takes a str or a list of str, got int"):
        extractor.predict(5)
    with pytest.raises(TypeError, match="item 1 is bytes"):
        extractor.predict(["ok", b"bytes"])
    assert extractor.predict("") == [] and extractor.predict([]) == []


def test_long_document_is_windowed_and_merged_without_duplicates(extractor):
    text = ("Kursk regional governor Alexei Smirnov said ‘several thousand’ people had been evacuated. " * 2400)[
        :200_000
    ]
    assert len(text) == 200_000
    spans = extractor.tag([text])[0]
    assert_exact(text, extractor.predict(text))
    # spans come from one merged token sequence: sorted, disjoint, none cut at a window edge into duplicates
    positions = [(s.start, s.end) for _, s in spans]
    assert positions == sorted(positions)
    assert all(a[1] <= b[0] for a, b in zip(positions, positions[1:]))


def test_spans_never_hold_half_a_word(extractor):
    text = SEED_TEXT[:4000]
    for _, span in extractor.tag([text])[0]:
        inside_word = lambda i: 0 < i < len(text) and text[i - 1].isalnum() and text[i].isalnum()  # noqa: E731
        assert not inside_word(span.start) and not inside_word(span.end)


def test_several_threads_get_identical_results(extractor):
    texts = [SEED_TEXT[i : i + 1500] for i in range(0, 6000, 500)]
    expected = [extractor.predict(t) for t in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(extractor.predict, texts * 2))
    assert results == expected * 2


def test_module_level_predict_one_liner(extractor, tmp_path):
    model_dir = tmp_path / "model"
    extractor.model.save_pretrained(model_dir)
    extractor.tokenizer.save_pretrained(model_dir)
    text = "He said: ‘It goes like this.’"
    assert quotes.predict(text, model=model_dir) == QuoteExtractor.from_pretrained(model_dir).predict(text)


def test_to_dict_is_the_citron_quote_format(extractor):
    for record in extractor.predict(SEED_TEXT[:3000]):
        assert list(record.to_dict()) == ["cue", "sources", "contents", "coreferences"]


def test_from_pretrained_explains_a_wrong_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a model directory"):
        QuoteExtractor.from_pretrained(tmp_path)
