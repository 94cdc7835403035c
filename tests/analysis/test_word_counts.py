"""The fast word count inside coded stretches is the DESIGN.md rule, ``words_inside``, exactly."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.analysis.longitudinal import _word_edges, words_inside
from workbench.domain.positions import utterance_starts

# Letters, digits, the underscore, Arabic, a combining mark, a non-ASCII digit, an emoji,
# spaces and punctuation: every kind of edge a word can have.
ALPHABET = "ab_Z9 ,.?'-\u0644\u0627\u064e\u0663é😀\t"


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(st.text(alphabet=ALPHABET, max_size=30), min_size=1, max_size=5),
    data=st.data(),
)
def test_word_edges_count_what_words_inside_counts(texts: list[str], data: st.DataObject) -> None:
    starts = utterance_starts([len(t) for t in texts])
    word_starts, word_ends = _word_edges("\n".join(texts))
    for i, text in enumerate(texts):
        lo = data.draw(st.integers(0, len(text)))
        hi = data.draw(st.integers(lo, len(text)))
        a, b = starts[i] + lo, starts[i] + hi
        found = int(np.searchsorted(word_ends, b, side="right") - np.searchsorted(word_starts, a))
        assert (max(found, 0) if lo < hi else 0) == words_inside(text, lo, hi)
        assert len(word_starts) == len(word_ends)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_theme_segments_merge_as_the_rule_does(data: st.DataObject) -> None:
    """All themes' segments at once (numpy) are each theme's codings merged one theme at a time
    by ``_merge`` (overlapping spans join, touching ones stay apart), numbered in text order."""
    from workbench.analysis.longitudinal import _merge, _theme_segments

    lengths = data.draw(st.lists(st.integers(0, 12), min_size=1, max_size=4))
    rows = tuple((100 + i, "x" * n, None, None, 0) for i, n in enumerate(lengths))
    starts = utterance_starts(lengths)
    codings = []
    for _ in range(data.draw(st.integers(0, 8))):
        a = data.draw(st.integers(0, len(lengths) - 1))
        b = data.draw(st.integers(a, len(lengths) - 1))
        so = data.draw(st.integers(0, lengths[a]))
        eo = data.draw(st.integers(so if a == b else 0, lengths[b]))
        codings.append((data.draw(st.integers(1, 4)), 100 + a, so, 100 + b, eo))
    codes_of = {
        theme: set(data.draw(st.lists(st.integers(1, 5), max_size=3)))
        for theme in data.draw(st.lists(st.integers(1, 6), unique=True, max_size=4))
    }
    expected = {}
    for theme, codes in codes_of.items():
        spans = [
            (starts[su - 100] + so, starts[eu - 100] + eo)
            for code, su, so, eu, eo in codings
            if code in codes
        ]
        if spans:
            expected[theme] = _merge(spans)
    found = _theme_segments(rows, starts, codes_of, codings)
    got: dict[int, list[tuple[int, int]]] = {}
    if found is not None:
        theme, number, lo, hi = (a.tolist() for a in found)
        for t, n, a, b in sorted(zip(theme, number, lo, hi, strict=True)):
            assert n == len(got.get(t, []))
            got.setdefault(t, []).append((a, b))
    assert got == expected
