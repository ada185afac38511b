"""predict(): linked quote records with exact offsets from any text, single or batched, from several threads."""

from __future__ import annotations

import gc
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
    return QuoteExtractor.from_pretrained(output, device="cpu", dtype="fp32")


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
    assert gc.isenabled()  # each call paused the garbage collector while it post-processed, then restored it


def test_predict_pauses_the_garbage_collector_for_post_processing_not_for_the_forward_pass(extractor, monkeypatch):
    from quotes import inference

    forward_calls, link_calls = [], []
    forward, link = extractor.model.forward, inference.link
    monkeypatch.setattr(
        extractor.model, "forward", lambda *a, **k: (forward_calls.append(gc.isenabled()), forward(*a, **k))[1]
    )
    monkeypatch.setattr(inference, "link", lambda *a, **k: (link_calls.append(gc.isenabled()), link(*a, **k))[1])
    extractor.predict(SEED_TEXT[:2000])
    assert forward_calls and all(forward_calls)  # the forward pass frees its tensors as usual
    assert link_calls and not any(link_calls)
    assert gc.isenabled()


def test_module_level_predict_one_liner(extractor, tmp_path):
    model_dir = tmp_path / "model"
    extractor.model.save_pretrained(model_dir)
    extractor.tokenizer.save_pretrained(model_dir)
    text = "He said: ‘It goes like this.’"
    assert quotes.predict(text, model=model_dir) == QuoteExtractor.from_pretrained(model_dir).predict(text)


def test_to_dict_is_the_citron_quote_format(extractor):
    for record in extractor.predict(SEED_TEXT[:3000]):
        assert list(record.to_dict()) == ["cue", "sources", "contents", "coreferences"]


def test_lone_surrogates_reach_the_tokenizer_as_replacement_characters_and_offsets_stay_exact(extractor):
    text = "‘We will \ud800 stay,’ said Alexei Smirnov.\udfff He said \ud83d the troops left.\r\n" + SEED_TEXT[:1500]
    records = extractor.predict(text)
    assert_exact(text, records)
    for _, span in extractor.tag([text])[0]:
        assert span.text == text[span.start : span.end]
    # the same positions and scores as the text with U+FFFD typed in: one code point for one
    replaced = text.replace("\ud800", "\ufffd").replace("\udfff", "\ufffd").replace("\ud83d", "\ufffd")
    positions = lambda rs: [(s.start, s.end, s.score) for r in rs for s in [*r.contents, *r.sources]]  # noqa: E731
    assert positions(records) == positions(extractor.predict(replaced))


def test_min_score_drops_records_scored_below_it(extractor):
    every = extractor.predict(SEED_TEXT[:4000], min_score=0)
    assert len({r.score for r in every}) > 1, "the fixture model gives records of several scores"
    threshold = sorted(r.score for r in every)[len(every) // 2]
    kept = extractor.predict(SEED_TEXT[:4000], min_score=threshold)
    assert kept == [r for r in every if r.score >= threshold] and 0 < len(kept) < len(every)
    assert extractor.predict([SEED_TEXT[:4000]], min_score=threshold) == [kept]


def test_min_score_defaults_to_the_extractors_which_the_model_folder_saves(extractor, tmp_path):
    every = extractor.predict(SEED_TEXT[:4000], min_score=0)
    threshold = sorted(r.score for r in every)[len(every) // 2]
    saved = QuoteExtractor.from_pretrained(extractor.source, device="cpu", dtype="fp32", min_score=threshold)
    saved.save_pretrained(tmp_path / "thresholded")
    reloaded = QuoteExtractor.from_pretrained(tmp_path / "thresholded", device="cpu", dtype="fp32")
    assert reloaded.min_score == threshold
    assert reloaded.predict(SEED_TEXT[:4000]) == [r for r in every if r.score >= threshold]
    assert reloaded.predict(SEED_TEXT[:4000], min_score=0) == every  # a call overrides the saved default


def test_progress_shows_a_bar_over_windows_and_changes_nothing(extractor, capsys):
    texts = [SEED_TEXT[:2000], "", SEED_TEXT[2000:5000]]
    quiet = extractor.predict(texts)
    assert capsys.readouterr().err == ""
    assert extractor.predict(texts, progress=True) == quiet
    bar = capsys.readouterr().err
    assert "quotes predict" in bar and "windows" in bar


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"batch_size": 0}, ValueError, "batch_size must be >= 1"),
        ({"batch_size": "16"}, TypeError, "batch_size must be an int"),
        ({"batch_size": True}, TypeError, "batch_size must be an int"),
        ({"min_score": 1.5}, ValueError, r"min_score: expected a number in \[0, 1\]"),
        ({"min_score": float("nan")}, ValueError, "min_score: expected a number in"),
        ({"min_score": "0.5"}, TypeError, "min_score: expected a number or None, got str"),
        ({"progress": "yes"}, TypeError, "progress must be True or False"),
    ],
)
def test_predict_names_the_argument_it_refuses(extractor, arguments, error, message):
    with pytest.raises(error, match=message):
        extractor.predict("He said: ‘It goes like this.’", **arguments)


def test_from_pretrained_explains_a_wrong_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a model directory"):
        QuoteExtractor.from_pretrained(tmp_path)
