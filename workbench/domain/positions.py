"""Positions in an interview's text, and how they survive edits.

The interview text is the utterances' texts joined by one LF. Positions are Unicode code points,
end exclusive. Internally a coding is anchored to utterances: ``(utterance index, offset)`` at
each end, so an edit inside one utterance never moves the anchors of any other.

Qt counts UTF-16 code units; ``utf16_to_codepoint`` and ``codepoint_to_utf16`` convert at the
window's boundary (an emoji outside the BMP is one code point but two UTF-16 units).
"""

from __future__ import annotations

import bisect
import difflib
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Side = Literal["start", "end"]


@dataclass(frozen=True, slots=True)
class Anchor:
    utterance: int
    """Index of the utterance in interview order."""
    offset: int
    """Code points from the start of that utterance's text."""


def utterance_starts(lengths: Sequence[int]) -> list[int]:
    """Where each utterance begins in the interview text (one LF between utterances)."""
    starts, at = [], 0
    for n in lengths:
        starts.append(at)
        at += n + 1
    return starts


def text_length(lengths: Sequence[int]) -> int:
    return sum(lengths) + max(len(lengths) - 1, 0)


def to_anchor(
    position: int, lengths: Sequence[int], side: Side, *, starts: Sequence[int] | None = None
) -> Anchor:
    """The canonical anchor of an interview position.

    A start anchor points at the first character it covers (so a start on the LF between two
    utterances belongs to the next one); an end anchor sits right after the last character it
    covers (so an end just after an LF belongs to the utterance before it). ``starts``: the
    utterances' starts when the caller has them (``utterance_starts(lengths)``).
    """
    if not lengths:
        raise ValueError("the interview has no text")
    if not 0 <= position <= text_length(lengths):
        raise ValueError(f"position {position} is outside the text (0–{text_length(lengths)})")
    if starts is None:
        starts = utterance_starts(lengths)
    i = bisect.bisect_right(starts, position) - 1
    offset = position - starts[i]
    if side == "start" and offset >= lengths[i] and i + 1 < len(lengths):
        return Anchor(i + 1, 0)
    if side == "end" and offset == 0 and i > 0:
        return Anchor(i - 1, lengths[i - 1])
    return Anchor(i, min(offset, lengths[i]))


_TOKEN_RE = re.compile(r"\w+|\s+|[^\w\s]")


def _is_filler(token: str) -> bool:
    return not token[:1].isalnum() and token[:1] != "_"


def edit_opcodes(old: str, new: str) -> list[tuple[str, int, int, int, int]]:
    """Character opcodes from old to new text, aligned on whole words.

    Diffing characters alone aligns "brother." with "brother Samer." as "brothe" + "r Same" +
    "r.", which would pull the new name into a coding that ended at "brother". Diffing tokens
    (words, runs of spaces, single punctuation marks) keeps edits on word boundaries.
    """
    a, b = _TOKEN_RE.findall(old), _TOKEN_RE.findall(new)
    a_at = [0, *itertools.accumulate(len(t) for t in a)]
    b_at = [0, *itertools.accumulate(len(t) for t in b)]
    # Spaces and punctuation cannot anchor a match on their own (a lone "." would otherwise tie
    # unrelated sentences together); they still extend matches between words.
    # Tokens compare case-insensitively: "Nightmares" corrected to "bad nightmares" keeps the
    # coded word matched, so "bad" is an insertion at the edge, not part of a rewrite.
    matcher = difflib.SequenceMatcher(
        _is_filler, [t.casefold() for t in a], [t.casefold() for t in b], autojunk=False
    )
    return [
        (tag, a_at[i1], a_at[i2], b_at[j1], b_at[j2])
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    ]


def map_offset(
    opcodes: Sequence[tuple[str, int, int, int, int]], offset: int, side: Side, new_length: int
) -> int:
    """Where an offset of the old text lands in the new text.

    Text inserted exactly at a coded span's edge stays outside it; text inserted strictly inside
    joins it; replaced text stays coded when the span's edge was at or beyond the replaced
    stretch; deleted text takes the offset to where it was.
    """
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            if i1 <= offset < i2:
                # Case-folded tokens can differ in length ("Straße", "STRASSE"): stay inside.
                return min(j1 + offset - i1, j2)
            continue
        if not i1 <= offset <= i2:
            continue
        if tag == "insert":
            return j2 if side == "start" else j1
        if tag == "delete":
            return j1
        if offset == i1:
            return j1
        if offset == i2:
            return j2
        return j1 if side == "start" else j2
    return new_length


def map_span(
    opcodes: Sequence[tuple[str, int, int, int, int]], start: int, end: int, new_length: int
) -> tuple[int, int, bool]:
    """Map a span through an edit. The flag says whether the whole span lay inside one replaced
    stretch: its words were rewritten, and the caller judges whether they are still the same."""
    inside = any(tag == "replace" and i1 <= start and end <= i2 for tag, i1, i2, _, _ in opcodes)
    return (
        map_offset(opcodes, start, "start", new_length),
        map_offset(opcodes, end, "end", new_length),
        inside,
    )


def words_went(old: str, new: str) -> bool:
    """Whether a coded span that held words holds none now (only a space and a full stop
    left: the coding's words were deleted, it is detached rather than left on punctuation)."""
    return _WORD.search(old) is not None and _WORD.search(new) is None


_WORD = re.compile(r"\w")


def still_the_same_words(old: str, new: str) -> bool:
    """Whether rewritten text is a correction of the old (a typo fixed), not other words."""
    return difflib.SequenceMatcher(None, old.casefold(), new.casefold()).ratio() >= 0.5


def utf16_to_codepoint(text: str, utf16_index: int) -> int:
    """The code point index of a UTF-16 index into ``text`` (as Qt reports cursor positions)."""
    if utf16_index < 0:
        raise ValueError("negative UTF-16 index")
    units = 0
    for i, ch in enumerate(text):
        if units >= utf16_index:
            return i
        units += 2 if ord(ch) > 0xFFFF else 1
    if units >= utf16_index:
        return len(text)
    raise ValueError(f"UTF-16 index {utf16_index} is past the end of the text")


def codepoint_to_utf16(text: str, index: int) -> int:
    """The UTF-16 index of a code point index into ``text``."""
    if not 0 <= index <= len(text):
        raise ValueError(f"index {index} is outside the text")
    return index + sum(1 for ch in text[:index] if ord(ch) > 0xFFFF)


_WIDE = re.compile("[\U00010000-\U0010ffff]")


class PositionMap:
    """``codepoint_to_utf16`` and ``utf16_to_codepoint`` for one text asked many times (an
    editor painting a long interview): built once, each lookup a bisection."""

    def __init__(self, text: str) -> None:
        # Positions of every character beyond the Basic Multilingual Plane (two UTF-16 units).
        self._wide = [m.start() for m in _WIDE.finditer(text)]

    def to_document(self, position: int) -> int:
        return position + bisect.bisect_left(self._wide, position)

    def to_interview(self, position: int) -> int:
        if not self._wide:
            return position
        # Each wide character before ``position`` took two units; find how many there are.
        lo, hi = 0, len(self._wide)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._wide[mid] + mid + 1 < position:
                lo = mid + 1
            else:
                hi = mid
        return position - lo
