"""Token labels are a view of the spans: spans -> BIO -> spans is lossless whenever span edges are token edges."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quotes.labels import (
    ID2LABEL,
    IGNORE_INDEX,
    LABELS,
    count_cut_spans,
    snap_to_words,
    spans_to_label_ids,
    spans_to_tags,
    tags_to_spans,
    word_offsets,
)
from quotes.schema import ScoredSpan, Span

TEXT = "‘Nuclear blackmail,’ posted Dmitry Rogozin."


def kinds_and_texts(spans):
    return [(kind, span.text) for kind, span in spans]


def test_labels_are_o_plus_bio_per_kind():
    assert LABELS == ("O", "B-QUOTE", "I-QUOTE", "B-SPEAKER", "I-SPEAKER", "B-CUE", "I-CUE")
    assert ID2LABEL[0] == "O"


def test_spans_to_tags_over_word_offsets():
    offsets = word_offsets(TEXT)
    spans = [
        ("QUOTE", Span(0, 20, "‘Nuclear blackmail,’")),
        ("CUE", Span(21, 27, "posted")),
        ("SPEAKER", Span(28, 42, "Dmitry Rogozin")),
    ]
    tags = spans_to_tags(spans, offsets)
    assert tags == ["B-QUOTE", "I-QUOTE", "I-QUOTE", "I-QUOTE", "I-QUOTE", "B-CUE", "B-SPEAKER", "I-SPEAKER", "O"]
    assert kinds_and_texts(tags_to_spans(tags, offsets, TEXT)) == kinds_and_texts(spans)


def test_special_tokens_get_ignore_index(tiny_tokenizer):
    encoding = tiny_tokenizer(TEXT, return_offsets_mapping=True)
    ids = spans_to_label_ids([("CUE", Span(21, 27, "posted"))], encoding["offset_mapping"])
    assert ids[0] == ids[-1] == IGNORE_INDEX
    assert ids.count(IGNORE_INDEX) == 2


def test_tags_to_spans_repairs_i_without_b_and_scores_by_mean():
    text = "he said it"
    offsets = word_offsets(text)
    spans = tags_to_spans(["I-SPEAKER", "B-CUE", "I-QUOTE"], offsets, text, scores=[0.5, 0.9, 0.7])
    assert spans == [
        ("SPEAKER", ScoredSpan(0, 2, "he", 0.5)),
        ("CUE", ScoredSpan(3, 7, "said", 0.9)),
        ("QUOTE", ScoredSpan(8, 10, "it", 0.7)),
    ]
    two = tags_to_spans(["B-QUOTE", "I-QUOTE", "I-CUE"], offsets, text, scores=[0.2, 0.4, 1.0])
    assert two == [("QUOTE", ScoredSpan(0, 7, "he said", 0.30000000000000004)), ("CUE", ScoredSpan(8, 10, "it", 1.0))]


def test_snap_to_words_never_leaves_half_a_word():
    text = "They were counting on it."
    half = [("CUE", ScoredSpan(10, 15, "count", 0.8))]
    assert snap_to_words(half, text) == [("CUE", ScoredSpan(10, 18, "counting", 0.8))]


def test_count_cut_spans_reports_spans_no_window_holds(tiny_tokenizer):
    text = " ".join(["word"] * 30) + " ‘the end of it all’"
    quote = Span(text.index("‘"), len(text), text[text.index("‘") :])
    windows = tiny_tokenizer(
        text, max_length=16, stride=4, truncation=True, return_overflowing_tokens=True, return_offsets_mapping=True
    )
    stats = count_cut_spans([quote, Span(0, 4, "word")], windows["offset_mapping"])
    assert (stats.spans, stats.cut) == (2, 0)
    cut = count_cut_spans([Span(0, len(text), text)], windows["offset_mapping"])
    assert (cut.cut, cut.percent) == (1, 100.0)


# --- property-based: random texts with curly quotes, emoji, no-break spaces and newlines -------------------------

PIECES = st.sampled_from(
    ["said", "Putin", "Kursk", "‘", "’", "“", "”", "«", "»", "'", '"', "😀", "—", ",", ".", "Zoë", "1,000", "we’re"]
    + list(string.ascii_letters[:10])
)
SEPARATORS = st.sampled_from([" ", " ", "\u00a0", "\n", "\n\n", "  "])


@st.composite
def texts_with_spans(draw):
    pieces = draw(st.lists(st.tuples(PIECES, SEPARATORS), min_size=1, max_size=40))
    text = "".join(piece + sep for piece, sep in pieces)
    return text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts_with_spans(), data=st.data())
def test_spans_labels_spans_round_trip_on_token_edges(tiny_tokenizer, text, data):
    offsets = [tuple(o) for o in tiny_tokenizer(text, return_offsets_mapping=True)["offset_mapping"]]
    real = [i for i, o in enumerate(offsets) if o[0] != o[1]]
    # Draw non-overlapping token ranges; each becomes a span whose edges are token edges.
    cuts = sorted(data.draw(st.sets(st.integers(0, len(real)), max_size=8)))
    spans = []
    for a, b in zip(cuts[::2], cuts[1::2]):
        if a == b:
            continue
        kind = data.draw(st.sampled_from(["QUOTE", "SPEAKER", "CUE"]))
        start, end = offsets[real[a]][0], offsets[real[b - 1]][1]
        spans.append((kind, Span(start, end, text[start:end])))
    tags = spans_to_tags(spans, offsets)
    back = tags_to_spans(tags, offsets, text)
    assert [(k, Span(s.start, s.end, s.text)) for k, s in back] == sorted(spans, key=lambda item: item[1].start)
    assert all(s.text == text[s.start : s.end] for _, s in back)


@settings(max_examples=100, deadline=None)
@given(text=texts_with_spans())
def test_word_offsets_cover_every_non_space_character(text):
    covered = {i for start, end in word_offsets(text) for i in range(start, end)}
    assert covered == {i for i, c in enumerate(text) if not c.isspace()}


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.floats(0.001, 1.0), min_size=7, max_size=7), min_size=1, max_size=30))
def test_viterbi_decode_always_gives_valid_bio(rows):
    from quotes.labels import LABEL2ID, allowed_transitions, viterbi_decode

    path = viterbi_decode(rows)
    allowed = allowed_transitions()
    assert not LABELS[path[0]].startswith("I-")
    assert all(allowed[a][b] for a, b in zip(path, path[1:]))
    argmax = [max(range(7), key=row.__getitem__) for row in rows]
    if not LABELS[argmax[0]].startswith("I-") and all(allowed[a][b] for a, b in zip(argmax, argmax[1:])):
        assert path == argmax  # a valid argmax path is already the best path
    assert LABEL2ID["O"] == 0


@pytest.mark.parametrize("seed", range(20))
def test_viterbi_decode_finds_the_best_valid_path(seed):
    import itertools
    import math
    import random

    from quotes.labels import allowed_transitions, viterbi_decode

    rng = random.Random(seed)
    rows = [[rng.random() * 0.9 + 1e-3 for _ in LABELS] for _ in range(4)]
    allowed = allowed_transitions()

    def valid(path):
        return not LABELS[path[0]].startswith("I-") and all(allowed[a][b] for a, b in zip(path, path[1:]))

    def log_probability(path):
        return sum(math.log(rows[t][label]) for t, label in enumerate(path))

    paths = (p for p in itertools.product(range(len(LABELS)), repeat=len(rows)) if valid(p))
    best = max(paths, key=log_probability)
    assert log_probability(viterbi_decode(rows)) == pytest.approx(log_probability(best))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from([0.001, 0.1, 0.25, 0.5, 0.9, 1.0]), min_size=7, max_size=7), min_size=1))
def test_viterbi_written_out_takes_the_loops_path_ties_included(rows):
    """The fast pass that ``viterbi_decode`` runs makes the same choices as the plain loop over the label table."""
    import numpy as np

    from quotes.labels import _viterbi_loop, _viterbi_unrolled

    logs = np.log(np.array(rows)).tolist()  # few distinct values: many equal scores, where ties decide
    assert _viterbi_unrolled(logs) == _viterbi_loop(logs)


def test_viterbi_decode_mends_a_content_broken_by_one_unsure_token():
    from quotes.labels import viterbi_decode

    o, b_quote, i_quote = 0, 1, 2
    rows = [[0.01] * 7 for _ in range(4)]
    for row, (label, p) in zip(rows, [(b_quote, 0.9), (i_quote, 0.9), (o, 0.5), (i_quote, 0.9)]):
        row[label] = p
    rows[2][i_quote] = 0.45  # argmax says O I-QUOTE: two pieces, the second with no B-
    assert [LABELS[i] for i in viterbi_decode(rows)] == ["B-QUOTE", "I-QUOTE", "I-QUOTE", "I-QUOTE"]


def test_merge_split_contents_joins_pieces_of_one_content_only():
    from quotes.labels import merge_split_contents

    text = "He said that the plan , he added, was over.\n‘More,’ he said."
    first = ScoredSpan(8, 21, "that the plan", 0.9)
    piece = ScoredSpan(22, 23, ",", 0.5)
    merged = merge_split_contents([("QUOTE", first), ("QUOTE", piece)], text)
    assert [(k, s.text) for k, s in merged] == [("QUOTE", "that the plan ,")]
    cue = ScoredSpan(27, 32, "added", 1.0)
    rest = ScoredSpan(34, 42, "was over", 1.0)
    kept = merge_split_contents([("QUOTE", first), ("CUE", cue), ("QUOTE", rest)], text)
    assert len(kept) == 3  # a cue between two contents: a split quote, not one broken content
    paragraph = ScoredSpan(44, 51, "‘More,’", 1.0)
    across = merge_split_contents([("QUOTE", rest), ("QUOTE", paragraph)], text)
    assert len(across) == 2  # a line break separates paragraphs of a multi-paragraph quote
