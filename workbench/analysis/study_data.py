"""The tidy tables' shapes: the study as ``collect`` reads it, and an interview's rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.sql import ClauseElement

from workbench.domain.study import Span

MEASURES = ("segments", "words", "presence", "participants")
BY = ("study", "role", "participant", "dyad")
UNIT_ROLES = ("patient", "clinician", "interpreter", "other")


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    key: str
    role: str
    consented: bool
    team: bool = False
    """study role *team*: never voicing, never a unit"""


@dataclass(frozen=True, slots=True)
class InterviewFacts:
    id: int
    key: str
    wave: str | None
    dyad_id: int | None
    status: str
    coded_at: Any
    roles: dict[int, str]
    """participant id -> interview role"""


@dataclass
class StudyData:
    """Everything the longitudinal tables need, read in one go."""

    waves: list[str]
    people: dict[int, Person]
    dyads: dict[int, tuple[str, list[int]]]
    member_of: dict[int, set[int]]
    interviews: dict[int, InterviewFacts]
    themes: dict[int, str]
    theme_latest_code: dict[int, Any]
    segments: pd.DataFrame
    """theme, interview, segment, participant — one row per attributed participant"""
    theme_words: pd.DataFrame
    """theme, interview, participant, words — words wholly inside the theme's segments"""
    speech: pd.DataFrame
    """interview, participant, words — all words of the participant's attributed speech"""
    trajectories: dict[tuple[int, str], str | None] = field(default_factory=dict)
    wave_attributes: dict[tuple[int, str], dict[str, str]] = field(default_factory=dict)
    _by_person: dict[tuple[int, str | None], list[InterviewFacts]] | None = field(
        default=None, repr=False, compare=False
    )

    def interviews_of(self, pid: int, wave: str | None) -> list[InterviewFacts]:
        """The interviews the participant took part in (in any role) at the wave."""
        if self._by_person is None:
            self._by_person = {}
            for iv in self.interviews.values():
                for person in iv.roles:
                    self._by_person.setdefault((person, iv.wave), []).append(iv)
        return self._by_person.get((pid, wave), [])


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of overlapping spans (spans that only touch stay apart)."""
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


Utterance = tuple[int, str, int | None, int | None, int]
"""id, text, speaker, renders, word count — in interview order."""
Rows = tuple[np.ndarray, np.ndarray, np.ndarray]
"""An interview's share of the tidy tables, as int64 arrays: its segments (theme, segment
number, participant), the words inside them (theme, participant, words) and the attributed
speech (participant, words)."""


Marks = tuple[dict[int, list[Span]], list[tuple[int, int]]]
"""An interview's rendering spans (utterance id -> spans) and links (original, rendering)."""


_NO_ROWS: Rows = (
    np.zeros((0, 3), dtype=np.int64),
    np.zeros((0, 3), dtype=np.int64),
    np.zeros((0, 2), dtype=np.int64),
)


def _bare_rows(s: Any, stmt: ClauseElement) -> list[tuple[Any, ...]]:
    """The rows of ``stmt`` as plain tuples straight from the database driver: the two big reads
    (codings, utterance texts) skip the per-row work of result objects. Only for statements whose
    parameters are ids (integers), which are written into the SQL."""
    connection = s.connection()
    sql = stmt.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(str(sql))
        return list(cursor.fetchall())
    finally:
        cursor.close()
