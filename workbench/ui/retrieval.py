"""The retrieval pane: the coded segments of the selected codes, filtered, with their context.

Segments come from the core's ``query_segments`` (consent honoured as it honours it: people whose
consent is pending or declined are left out). Double-clicking a segment emits
``jump_requested(interview, start, end)``.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from workbench.coding.queries import query_segments
from workbench.coding.study import list_dyads, list_participants, list_waves
from workbench.domain.coding import Segment
from workbench.domain.study import Consent, Role, StudyError
from workbench.storage.project import Project
from workbench.ui.models import _RecordsModel, format_ms, speaker_colour

_Index = QModelIndex | QPersistentModelIndex


class SegmentsModel(_RecordsModel[Segment]):
    """One row per coded segment."""

    HEADERS = ("Code", "Participant", "Role", "Wave", "Dyad", "Interview", "Time", "Text")
    TEXT = 7
    SegmentRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self) -> None:
        super().__init__()
        self.roles: dict[str, str] = {}
        """Participant id → role, to show whose words a segment holds."""

    def segment(self, row: int) -> Segment:
        return self._rows[row]

    def segments(self) -> list[Segment]:
        return list(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        g = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return g.code
            if column == 1:
                return ", ".join(g.participants) or ", ".join(g.speakers) or "—"
            if column == 2:
                roles = dict.fromkeys(self.roles.get(p, "?") for p in g.participants)
                return ", ".join(roles) or "—"
            if column == 3:
                return g.wave or "—"
            if column == 4:
                return g.dyad or "—"
            if column == 5:
                return g.interview
            if column == 6:
                return format_ms(g.start_ms)
            return " ".join(g.text.split())
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == 1 and g.participants:
                return speaker_colour(g.participants[0])
            if column in (2, 3, 4, 6):
                return QColor("#6b7280")
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = []
            if g.before:
                lines.append("… " + g.before)
            lines.append("» " + g.text + " «")
            if g.after:
                lines.append(g.after + " …")
            coder = f" · coder {g.coder}" if g.coder else ""
            lines.append(f"Speakers: {', '.join(g.speakers)}{coder}")
            return "\n".join(lines)
        if role == self.SegmentRole:
            return g
        return None


def context_html(g: Segment) -> str:
    """The segment in bold between the utterances around it, for the context view."""

    def para(text: str, style: str) -> str:
        body = html.escape(text).replace("\n", "<br>")
        return f'<p dir="auto" style="{style}">{body}</p>'

    when = format_ms(g.start_ms)
    head = " · ".join(
        x for x in (g.interview, g.wave, g.dyad, ", ".join(g.participants), when) if x
    )
    parts = [
        f'<p style="color:#6b7280; margin-bottom:6px;">{html.escape(head)}'
        f' — <span style="color:#2a6f97">{html.escape(g.code)}</span></p>'
    ]
    if g.before:
        parts.append(para(g.before, "color:#8a9099;"))
    parts.append(para(g.text, "color:#111827; font-weight:600;"))
    if g.after:
        parts.append(para(g.after, "color:#8a9099;"))
    if g.memo:
        parts.append(para("Memo: " + g.memo, "color:#6b4e00; font-style:italic;"))
    return "".join(parts)


class RetrievalPane(QWidget):
    """Segments of the selected codes with filters for wave, role, dyad and participant."""

    jump_requested = Signal(str, int, int)
    """(interview id, start, end): the segment's span in code points of the interview text
    (utterance texts joined by one LF), as ``Segment.start``/``Segment.end`` and ``apply_code``
    count them."""
    message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("retrieval")
        self.project: Project | None = None
        self.codes: list[str] = []
        self.model = SegmentsModel()

        self.title = QLabel()
        self.title.setObjectName("retrievalTitle")
        self.wave = self._combo("All waves", "retrievalWave")
        self.role = self._combo("All roles", "retrievalRole")
        self.dyad = self._combo("All dyads", "retrievalDyad")
        self.participant = self._combo("All participants", "retrievalParticipant")
        self.subcodes = QCheckBox("With sub-codes")
        self.subcodes.setChecked(True)
        self.subcodes.toggled.connect(self.refresh)

        self.table = QTableView()
        self.table.setObjectName("segments")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.doubleClicked.connect(self._double_clicked)
        self.table.selectionModel().currentRowChanged.connect(self._show_context)

        self.context = QTextBrowser()
        self.context.setObjectName("segmentContext")
        self.context.setOpenLinks(False)
        self.context.setPlaceholderText("Select a segment to read it in its context.")

        self.footnote = QLabel()
        self.footnote.setObjectName("footnote")
        self.footnote.setWordWrap(True)

        filters = QHBoxLayout()
        filters.setSpacing(6)
        filters.addWidget(self.title, 1)
        for combo in (self.wave, self.role, self.dyad, self.participant):
            filters.addWidget(combo)
        filters.addWidget(self.subcodes)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.context)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.setSpacing(6)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.footnote)
        self._show_title()

    def _combo(self, everything: str, name: str) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.addItem(everything, None)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.currentIndexChanged.connect(self.refresh)
        return combo

    # --- what to show ----------------------------------------------------------------------------

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.codes = []
        self.reload_choices()
        self.refresh()

    def set_codes(self, paths: list[str]) -> None:
        self.codes = list(paths)
        self.refresh()

    def reload_choices(self) -> None:
        """Fill the filter lists from the study, keeping what is chosen."""
        waves: list[str] = []
        dyads: list[str] = []
        people: list[tuple[str, str]] = []
        roles: list[str] = []
        unconsented = 0
        if self.project is not None:
            waves = [w.name for w in list_waves(self.project)]
            dyads = [d.id for d in list_dyads(self.project)]
            participants = list_participants(self.project)
            self.model.roles = {p.id: p.role.value for p in participants}
            present = {p.role for p in participants if p.role is not Role.RESEARCHER}
            roles = [r.value for r in Role if r in present]
            people = [
                (p.id, f"{p.id} ({p.role.value})")
                for p in participants
                if p.role is not Role.RESEARCHER
            ]
            unconsented = sum(p.consent is not Consent.CONSENTED for p in participants)
        self._fill(self.wave, [(w, w) for w in waves])
        self._fill(self.role, [(r, r) for r in roles])
        self._fill(self.dyad, [(d, d) for d in dyads])
        self._fill(self.participant, people)
        self.footnote.setText(
            f"{unconsented} participant{'s' if unconsented != 1 else ''} without consent "
            f"{'are' if unconsented != 1 else 'is'} left out, as in every query."
            if unconsented
            else ""
        )
        self.footnote.setVisible(bool(unconsented))

    def _fill(self, combo: QComboBox, items: list[tuple[str, str]]) -> None:
        chosen = combo.currentData()
        blocker = combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for value, label in items:
            combo.addItem(label, value)
        found = combo.findData(chosen) if chosen is not None else 0
        combo.setCurrentIndex(max(found, 0))
        combo.blockSignals(blocker)

    def filters(self) -> dict[str, str | None]:
        return {
            "wave": self.wave.currentData(),
            "role": self.role.currentData(),
            "dyad": self.dyad.currentData(),
            "participant": self.participant.currentData(),
        }

    def refresh(self, *_: Any) -> None:
        """Query the segments again (after a change to the project, the codes or a filter)."""
        rows: dict[str, Segment] = {}
        if self.project is not None:
            for path in self.codes:
                try:
                    found = query_segments(
                        self.project,
                        code=path,
                        include_subcodes=self.subcodes.isChecked(),
                        wave=self.wave.currentData(),
                        role=self.role.currentData(),
                        dyad=self.dyad.currentData(),
                        participant=self.participant.currentData(),
                    )
                except StudyError as exc:  # e.g. the code was deleted meanwhile
                    self.message.emit(str(exc))
                    continue
                for g in found:
                    rows.setdefault(g.coding, g)
        segments = sorted(rows.values(), key=lambda g: (g.interview, g.start, g.end, g.code))
        previous = self._current()
        self.model.set_rows(segments)
        self._fit_columns()
        if previous is not None:
            for row, g in enumerate(segments):
                if g.coding == previous.coding:
                    self.table.selectRow(row)
                    break
        if self._current() is None:
            self.context.clear()
        self._show_title()

    def _fit_columns(self) -> None:
        header = self.table.horizontalHeader()
        for column in range(SegmentsModel.TEXT):
            self.table.resizeColumnToContents(column)
            header.resizeSection(column, min(header.sectionSize(column) + 8, 220))

    def _show_title(self) -> None:
        n = self.model.rowCount()
        if not self.codes:
            self.title.setText("Select a code in the code tree to see its segments.")
        else:
            names = ", ".join(f"“{p}”" for p in self.codes[:3]) + (
                f" and {len(self.codes) - 3} more" if len(self.codes) > 3 else ""
            )
            self.title.setText(f"{names}  ·  {n} segment{'s' if n != 1 else ''}")

    # --- reading and jumping ---------------------------------------------------------------------

    def _current(self) -> Segment | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return None
        return self.model.segment(index.row())

    def _show_context(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self.context.clear()
            return
        self.context.setHtml(context_html(self.model.segment(current.row())))

    def _double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            g = self.model.segment(index.row())
            self.jump_requested.emit(g.interview, g.start, g.end)
