"""Small helpers every transcript reader shares: error messages, times, end-time filling."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from workbench.domain.transcript import TranscriptFormatError, UtteranceDraft

_LINE_BREAKS_RE = re.compile(r"\s*[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+\s*")


def one_line(text: str) -> str:
    """``text`` with every line break (and the blanks around it) turned into one space.

    Error messages end up in a single-line status bar or dialog title; a tier name or file
    name carrying a newline must not break that promise.
    """
    return _LINE_BREAKS_RE.sub(" ", text).strip()


def fail(name: str, problem: str) -> TranscriptFormatError:
    """The error to raise for file ``name``; returned, so call sites read ``raise fail(...)``."""
    return TranscriptFormatError(one_line(f"{name}: {problem}"))


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF; nothing else changes (no Unicode normalisation)."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def seconds_to_ms(seconds: Decimal) -> int:
    """Milliseconds, rounded half away from zero (12.5965 s → 12597 ms, 12.59634 s → 12596 ms).

    Times arrive as decimal text (TextGrid) or exact integers (SRT, VTT), so working in Decimal
    avoids binary-float surprises such as 0.0005 s rounding down.
    """
    return int((seconds * 1000).to_integral_value(rounding=ROUND_HALF_UP))


def timedelta_to_ms(delta: timedelta) -> int:
    """A ``timedelta`` in milliseconds, rounded like :func:`seconds_to_ms`."""
    microseconds = delta // timedelta(microseconds=1)
    return seconds_to_ms(Decimal(microseconds).scaleb(-6))


def fill_end_times(utterances: Sequence[UtteranceDraft]) -> tuple[list[UtteranceDraft], bool]:
    """Give each timed utterance without an end the next utterance's start as its end.

    Returns the new list and whether the times ever went backwards; there the end stays None
    rather than ending before it started.
    """
    out = list(utterances)
    backwards = False
    for i in range(len(out) - 1):
        this, nxt = out[i], out[i + 1]
        if this.start_ms is None or nxt.start_ms is None:
            continue
        if nxt.start_ms < this.start_ms:
            backwards = True
            continue
        if this.end_ms is None:
            out[i] = replace(this, end_ms=nxt.start_ms)
    return out, backwards
