"""An interview's transcript loaded for coding: utterance rows, lengths, and anchor arithmetic."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.domain.positions import Side, text_length, to_anchor, utterance_starts
from workbench.domain.study import StudyError
from workbench.storage.models import Coding, Interview, UtteranceRow


@dataclass
class LoadedTranscript:
    interview: Interview
    rows: list[UtteranceRow]
    _cache: tuple[dict[int, int], list[int], list[int]] | None = field(default=None, repr=False)

    @classmethod
    def load(cls, session: Session, interview: Interview) -> LoadedTranscript:
        rows = list(
            session.scalars(
                select(UtteranceRow)
                .where(UtteranceRow.interview_id == interview.id)
                .order_by(UtteranceRow.position)
            )
        )
        return cls(interview, rows)

    @classmethod
    def load_for_reading(cls, session: Session, interview: Interview) -> LoadedTranscript:
        """Ids and texts only, as plain rows: for describing positions, never for changes."""
        rows = session.execute(
            select(UtteranceRow.id, UtteranceRow.text)
            .where(UtteranceRow.interview_id == interview.id)
            .order_by(UtteranceRow.position)
        ).all()
        return cls(interview, cast(list[UtteranceRow], rows))

    @property
    def lengths(self) -> list[int]:
        return [len(r.text) for r in self.rows]

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.rows)

    def _layout(self) -> tuple[dict[int, int], list[int], list[int]]:
        """Index by utterance id, start positions and lengths; call ``invalidate`` after
        changing rows."""
        if self._cache is None:
            index = {r.id: i for i, r in enumerate(self.rows)}
            lengths = [len(r.text) for r in self.rows]
            self._cache = (index, utterance_starts(lengths), lengths)
        return self._cache

    def invalidate(self) -> None:
        self._cache = None

    def index_of(self, utterance_id: int) -> int:
        return self._layout()[0][utterance_id]

    def anchor(self, position: int, side: Side) -> tuple[int, int]:
        """(utterance id, offset) for an interview position."""
        if not self.rows:
            raise StudyError(f"interview '{self.interview.key}' has no transcript yet")
        _, starts, lengths = self._layout()
        total = text_length(lengths)
        if not 0 <= position <= total:
            raise StudyError(
                f"position {position} is outside interview '{self.interview.key}' (0–{total})"
            )
        a = to_anchor(position, lengths, side, starts=starts)
        return self.rows[a.utterance].id, a.offset

    def position(self, utterance_id: int, offset: int) -> int:
        index, starts, _ = self._layout()
        return starts[index[utterance_id]] + offset

    def span(self, coding: Coding) -> tuple[int, int]:
        return (
            self.position(coding.start_utterance_id, coding.start_offset),
            self.position(coding.end_utterance_id, coding.end_offset),
        )

    def set_span(self, coding: Coding, start: int, end: int) -> None:
        coding.start_utterance_id, coding.start_offset = self.anchor(start, "start")
        coding.end_utterance_id, coding.end_offset = self.anchor(end, "end")

    def codings(self, session: Session) -> list[Coding]:
        return list(session.scalars(select(Coding).where(Coding.interview_id == self.interview.id)))
