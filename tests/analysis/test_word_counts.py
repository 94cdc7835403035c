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
