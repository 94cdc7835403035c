"""How close a transcript is to a reference: word error rate, the measure the tests and the
transcription benchmark hold our pipeline to (beside raw faster-whisper)."""

from __future__ import annotations

import re
from collections.abc import Sequence


def words(text: str) -> list[str]:
    """The words of ``text``, lower-cased, punctuation dropped (apostrophes kept), any script."""
    return re.findall(r"[^\W_]+(?:'[^\W_]+)*", text.lower())


def word_error_rate(reference: Sequence[str] | str, heard: Sequence[str] | str) -> float:
    """(substitutions + deletions + insertions) / reference words, by edit distance over words;
    strings are split with ``words``."""
    ref = words(reference) if isinstance(reference, str) else list(reference)
    hyp = words(heard) if isinstance(heard, str) else list(heard)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        previous, row = row, [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (r != h))
    return row[-1] / max(len(ref), 1)
