"""The steps of prediction, each alone: tokenize into windows, batch, merge windows, decode (no trained model)."""

from __future__ import annotations

import gc
import string

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotes.inference import (
    batch_windows,
    collector_paused,
    decode_tokens,
    merge_window_arrays,
    merge_windows,
    tokenize_windows,
    tokenizer_text,
)
from quotes.labels import LABEL2ID, LABELS


@pytest.fixture(scope="module")
def tokenizer():
    """A WordPiece tokenizer over letters and a few words (conftest's ``tiny_tokenizer`` knows only 5 tokens)."""
    from transformers import BertTokenizerFast

    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *string.ascii_lowercase, *string.punctuation]
    words += [f"##{c}" for c in string.ascii_lowercase] + "he said the army was in kursk putin told troops".split()
    return BertTokenizerFast(vocab={word: index for index, word in enumerate(dict.fromkeys(words))})


def one_hot(label: str, confidence: float = 0.9) -> np.ndarray:
    row = np.full(len(LABELS), (1 - confidence) / (len(LABELS) - 1))
    row[LABEL2ID[label]] = confidence
    return row


def test_merge_windows_keeps_each_token_from_the_window_where_it_is_farthest_from_an_edge():
    # two windows of one text sharing the tokens at (3, 5) and (6, 8); (0, 0) marks special tokens
    first = ([(0, 0), (0, 2), (3, 5), (6, 8), (0, 0)], ["a", "b", "c", "d", "e"])
    second = ([(0, 0), (3, 5), (6, 8), (9, 11), (0, 0)], ["f", "g", "h", "i", "j"])
    offsets, rows = merge_windows([first, second])
    assert offsets == [(0, 2), (3, 5), (6, 8), (9, 11)]
    # (3, 5) is 1 token from the first window's edge, 0 from the second's; (6, 8) the other way round
    assert rows == ["b", "c", "h", "i"]


def test_merge_windows_prefers_the_earlier_window_on_a_tie():
    first = ([(0, 1), (2, 3), (4, 5)], ["first-0", "first-1", "first-2"])
    second = ([(2, 3), (4, 5), (6, 7)], ["second-0", "second-1", "second-2"])
    third = ([(0, 1), (2, 3), (4, 5)], ["third-0", "third-1", "third-2"])  # same tokens, same margins as first
    assert merge_windows([first, second, third])[1] == ["first-0", "first-1", "second-1", "second-2"]


def test_merge_windows_of_nothing_or_only_special_tokens_is_empty():
    assert merge_windows([]) == ([], [])
    assert merge_windows([([(0, 0), (0, 0)], ["cls", "sep"])]) == ([], [])


def test_merge_windows_sorts_tokens_by_offset_whatever_the_window_order():
    later = ([(10, 12), (13, 15)], ["x", "y"])
    earlier = ([(0, 2), (3, 5)], ["p", "q"])
    assert merge_windows([later, earlier]) == ([(0, 2), (3, 5), (10, 12), (13, 15)], ["p", "q", "x", "y"])


def test_merge_window_arrays_keeps_the_rows_merge_windows_keeps():
    first = ([(0, 0), (0, 2), (3, 5), (6, 8), (0, 0)], np.arange(5.0)[:, None] * [1, 2])
    second = ([(0, 0), (3, 5), (6, 8), (9, 11), (0, 0)], np.arange(5.0, 10)[:, None] * [1, 2])
    offsets, matrix = merge_window_arrays([first, second])
    assert offsets == [(0, 2), (3, 5), (6, 8), (9, 11)]
    assert matrix.tolist() == [[1, 2], [2, 4], [7, 14], [8, 16]]
    assert merge_window_arrays([([(0, 0), (0, 0)], np.zeros((2, 7)))])[0] == []


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from([(0, 0), (0, 2), (2, 3), (3, 5), (3, 6), (6, 8), (9, 11)]), max_size=9), max_size=4
    )
)
def test_merge_window_arrays_agrees_with_merge_windows(windows):
    """Any windows, in any order, with special tokens, ties and a token twice in one window."""
    rows = [np.arange(len(offsets), dtype=np.float32)[:, None] + 100 * number for number, offsets in enumerate(windows)]
    offsets, matrix = merge_window_arrays(list(zip(windows, rows)))
    expected_offsets, expected_rows = merge_windows(list(zip(windows, rows)))
    assert offsets == expected_offsets
    assert matrix.tolist() == [row.tolist() for row in expected_rows]


def test_batch_windows_sorts_by_length_pads_and_masks():
    windows = [[5, 6, 7], [8], [9, 10, 11, 12], [13, 14]]
    batches = list(batch_windows(windows, batch_size=2, pad_id=0))
    assert [batch for batch, _, _ in batches] == [[1, 3], [0, 2]]
    _, ids, mask = batches[1]
    assert ids.tolist() == [[5, 6, 7, 0], [9, 10, 11, 12]]
    assert mask.tolist() == [[1, 1, 1, 0], [1, 1, 1, 1]]
    assert batches[0][1].tolist() == [[8, 0], [13, 14]]


def test_batch_windows_yields_every_window_once_in_batches_of_at_most_batch_size():
    windows = [[1] * length for length in (4, 2, 4, 3, 1, 2, 5)]
    batches = list(batch_windows(windows, batch_size=3, pad_id=9))
    assert [len(batch) for batch, _, _ in batches] == [3, 3, 1]
    assert sorted(w for batch, _, _ in batches for w in batch) == list(range(7))
    assert list(batch_windows([], batch_size=3, pad_id=0)) == []


def test_decode_tokens_viterbi_never_starts_a_span_with_i_where_argmax_does():
    offsets = [(0, 2), (3, 5), (6, 8)]
    rows = [one_hot("O"), one_hot("I-QUOTE", 0.5), one_hot("I-QUOTE")]
    rows[1][LABEL2ID["B-QUOTE"]] = 0.4
    tags, same_offsets, scores = decode_tokens(offsets, rows, "argmax")
    assert tags == ["O", "I-QUOTE", "I-QUOTE"] and same_offsets == offsets
    assert scores == pytest.approx([0.9, 0.5, 0.9])
    tags, _, scores = decode_tokens(offsets, rows, "viterbi")
    assert tags == ["O", "B-QUOTE", "I-QUOTE"]
    assert scores == pytest.approx([0.9, 0.4, 0.9])  # the chosen tag's probability, not the best one's


def test_tokenizer_text_replaces_lone_surrogates_one_for_one():
    text = "He said \ud800 ‘so’ \udfff."
    safe = tokenizer_text(text)
    assert len(safe) == len(text) and safe == "He said \ufffd ‘so’ \ufffd."
    assert safe.encode("utf-8")  # what the tokenizer needs
    plain = "Nothing to replace here, not even ‘this’ or 🙂."
    assert tokenizer_text(plain) is plain


def test_tokenize_windows_skips_blank_texts_and_keeps_offsets_into_the_original(tokenizer):
    texts = ["he said the army was in kursk", "   ", "", "putin \ud83d told troops"]
    windows = tokenize_windows(tokenizer, texts, max_length=8, stride=2)
    assert {w.text for w in windows} == {0, 3}
    assert [w.text for w in windows] == sorted(w.text for w in windows)  # text order, then window order
    assert all(len(w.ids) <= 8 and len(w.ids) == len(w.offsets) for w in windows)
    assert tokenizer.unk_token_id not in windows[0].ids
    words = {texts[w.text][s:e] for w in windows for s, e in w.offsets if s != e}
    assert {"kursk", "putin", "told", "troops"} <= words  # cut from the original text, surrogate and all


def test_tokenize_windows_of_no_text_is_empty(tokenizer):
    assert tokenize_windows(tokenizer, [], 8, 2) == []
    assert tokenize_windows(tokenizer, [" \n"], 8, 2) == []


def test_merge_windows_docstring_example_runs():
    import doctest

    from quotes import inference

    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner()
    for test in finder.find(inference.merge_windows, "merge_windows", globs={"merge_windows": merge_windows}):
        runner.run(test)
    assert runner.summarize(verbose=False) == doctest.TestResults(failed=0, attempted=1)


def test_collector_paused_pauses_the_garbage_collector_and_restores_it_even_after_an_error():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(KeyError), collector_paused():
        raise KeyError("boom")
    assert gc.isenabled()
    gc.disable()  # a caller that turned it off keeps it off
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
