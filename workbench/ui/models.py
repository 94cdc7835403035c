"""Qt item models: thin adapters over the plain records the core hands out. No SQL, no analysis."""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from workbench.domain.study import (
    InterviewInfo,
    InterviewStatus,
    ParticipantInfo,
    StudyGrid,
)

_Index = QModelIndex | QPersistentModelIndex
R = TypeVar("R")

STATUS_COLOURS: dict[InterviewStatus, str] = {
    InterviewStatus.PLANNED: "#eef1f4",
    InterviewStatus.TRANSCRIBED: "#dcebf7",
    InterviewStatus.CODING: "#fbecc8",
    InterviewStatus.CODED: "#d8efdf",
    InterviewStatus.STOPPED: "#f6dede",
}
MISSING_COLOUR = "#f7f7f8"

_SPEAKER_PALETTE = (
    "#2a6f97",
    "#a44a3f",
    "#5b8e3e",
    "#7b5ea7",
    "#b07d12",
    "#2f8f83",
    "#8c5a7b",
    "#4f6d7a",
)


def speaker_colour(name: str | None) -> QColor:
    if not name:
        return QColor("#6b7280")
    digest = hashlib.sha1(name.encode("utf-8")).digest()
    return QColor(_SPEAKER_PALETTE[digest[0] % len(_SPEAKER_PALETTE)])


def is_right_to_left(text: str) -> bool:
    """Whether the first strongly directional character is right-to-left (Arabic, Farsi, ...)."""
    for ch in text:
        direction = unicodedata.bidirectional(ch)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


def status_label(iv: InterviewInfo, transcribing: frozenset[str] = frozenset()) -> str:
    """What a navigator cell says: the status, refined by what the interview holds."""
    if iv.id in transcribing:
        return "transcribing…"
    if iv.status is InterviewStatus.PLANNED and iv.media_path and not iv.utterance_count:
        return "audio only"
    if iv.status is InterviewStatus.CODING and iv.utterance_count:
        return f"coding · {round(100 * iv.coded_utterances / iv.utterance_count)} %"
    if iv.status is InterviewStatus.STOPPED and iv.status_reason:
        return f"stopped: {iv.status_reason}"
    return iv.status.value


class StudyGridModel(QAbstractTableModel):
    """Lanes (dyad members) down, waves across; each cell is that member's interview status."""

    InterviewRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, grid: StudyGrid | None = None) -> None:
        super().__init__()
        self._grid = grid or StudyGrid(waves=(), lanes=(), cells={})
        self.transcribing: frozenset[str] = frozenset()

    def set_grid(self, grid: StudyGrid, transcribing: frozenset[str] = frozenset()) -> None:
        self.beginResetModel()
        self._grid = grid
        self.transcribing = transcribing
        self.endResetModel()

    def set_transcribing(self, interviews: frozenset[str]) -> None:
        self.transcribing = interviews
        if self.rowCount() and self.columnCount():
            self.dataChanged.emit(
                self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1)
            )

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._grid.lanes)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._grid.waves)

    def interviews_at(self, index: _Index) -> tuple[InterviewInfo, ...]:
        if not index.isValid():
            return ()
        return self._grid.cell(index.row(), self._grid.waves[index.column()])

    def index_of(self, interview: str) -> QModelIndex:
        """The cell that holds ``interview`` (invalid if none does)."""
        for row in range(self.rowCount()):
            for column, wave in enumerate(self._grid.waves):
                if any(iv.id == interview for iv in self._grid.cell(row, wave)):
                    return self.index(row, column)
        return QModelIndex()

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        interviews = self.interviews_at(index)
        if role == Qt.ItemDataRole.DisplayRole:
            if not interviews:
                return "no interview"
            return "\n".join(status_label(iv, self.transcribing) for iv in interviews)
        if role == Qt.ItemDataRole.BackgroundRole:
            return QColor(STATUS_COLOURS[interviews[0].status] if interviews else MISSING_COLOUR)
        if role == Qt.ItemDataRole.ForegroundRole and not interviews:
            return QColor("#9aa1a9")
        if role == Qt.ItemDataRole.ToolTipRole:
            if not interviews:
                return "No interview at this wave (attrition is data, not an error)"
            return "\n".join(
                f"{iv.id}: {iv.status.value}, {iv.utterance_count} utterances"
                + (
                    f" ({iv.coded_utterances} coded)"
                    if iv.utterance_count and iv.coded_utterances
                    else ""
                )
                + (f" — {iv.status_reason}" if iv.status_reason else "")
                + (f", {iv.date.isoformat()}" if iv.date else "")
                for iv in interviews
            )
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == self.InterviewRole:
            return interviews[0].id if interviews else None
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._grid.waves[section] if section < len(self._grid.waves) else None
        if section < len(self._grid.lanes):
            lane = self._grid.lanes[section]
            return f"{lane.participant} ({lane.role.value})\n{lane.dyad}"
        return None


class _RecordsModel(QAbstractTableModel, Generic[R]):
    """A flat table over a list of plain records; subclasses name the columns and the cells."""

    HEADERS: tuple[str, ...] = ()

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[R] = []

    def set_rows(self, rows: list[R]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None


class ParticipantsModel(_RecordsModel[ParticipantInfo]):
    HEADERS = ("Participant", "Role", "Consent", "Dyads")

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        p = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (p.id, p.role.value, p.consent.value, ", ".join(p.dyads))[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 2:
            return QColor("#9b2c2c" if p.consent.value != "consented" else "#2f6b3b")
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [f"{k}: {v}" for k, v in p.attributes.items()]
            for wave, values in p.wave_attributes.items():
                lines += [f"{k} at {wave}: {v}" for k, v in values.items()]
            return "\n".join(lines) or None
        return None
