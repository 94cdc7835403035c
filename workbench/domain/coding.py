"""Records of the codebook and of codings, as services hand them out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

THEME_STATUSES = ("candidate", "reviewed", "defined", "named")
"""A theme's way through reflexive thematic analysis, in order (the database checks it too)."""

CONSENSUS_DECISIONS = ("keep_a", "keep_b", "both", "neither", "merged")
"""What a team may decide between two analysts' codings of one stretch (``coding.consensus``)."""


@dataclass(frozen=True, slots=True)
class CodeInfo:
    name: str
    path: str
    """Names from the root, joined by " / " (codes are unique among siblings only)."""
    parent: str | None
    """The parent's path, or None at the top."""
    color: str | None
    definition: str | None
    inclusion: str | None
    exclusion: str | None
    created_at: dt.datetime
    codings: int


@dataclass(frozen=True, slots=True)
class CodingInfo:
    id: str
    """The coding's stable id (a GUID)."""
    interview: str
    code: str
    """The code's path."""
    start: int
    end: int
    """Code points of the interview text, end exclusive."""
    text: str
    coder: str | None
    created_at: dt.datetime
    memo: str | None
    important: bool


@dataclass(frozen=True, slots=True)
class DetachedCodingInfo:
    id: str
    interview: str
    code: str
    text: str
    """The words the coding held when they were deleted."""
    coder: str | None
    detached_at: dt.datetime
    memo: str | None


@dataclass(frozen=True, slots=True)
class MemoInfo:
    id: str
    about: str
    """``project``, or ``interview:ID``, ``participant:ID``, ``dyad:ID``, ``code:PATH``, ..."""
    title: str | None
    text: str
    coder: str | None
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class JournalEntryInfo:
    id: str
    date: dt.date
    text: str
    coder: str | None


@dataclass(frozen=True, slots=True)
class Segment:
    """A coded segment as queries return it: one per coding, with whom it is attributed to."""

    coding: str
    interview: str
    wave: str | None
    dyad: str | None
    code: str
    start: int
    end: int
    text: str
    participants: tuple[str, ...]
    """Attributed participants (DESIGN.md, Attribution): never the interviewer; an interpreter's
    rendering counts for the person rendered."""
    speakers: tuple[str, ...]
    """Who speaks in the span, as labelled (participant ids or unmapped labels)."""
    start_ms: int | None
    end_ms: int | None
    before: str | None
    """The utterance before the segment's first, for context."""
    after: str | None
    coder: str | None
    memo: str | None
    important: bool
    verified: bool = False
    """Every utterance the segment covers was checked against the audio."""
