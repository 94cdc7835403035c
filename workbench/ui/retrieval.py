"""The retrieval pane: the coded segments of the selected codes, filtered, with their context.

Segments come from the core's ``query_segments`` (consent honoured as it honours it: people whose
consent is pending or declined are left out). Double-clicking a segment emits
``jump_requested(interview, start, end)``.
"""

from __future__ import annotations

import html
from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QTextLayout,
    QTextLine,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from workbench.coding.codebook import PATH_SEPARATOR
from workbench.coding.queries import query_segments
from workbench.coding.study import list_dyads, list_participants, list_waves
from workbench.coding.transcripts import utterances
from workbench.domain.coding import Segment
from workbench.domain.positions import utterance_starts
from workbench.domain.study import Consent, Role, StudyError, Utterance
from workbench.domain.transcript import format_ms
from workbench.storage.project import Project
from workbench.ui.models import _RecordsModel, is_right_to_left, speaker_colour

_Index = QModelIndex | QPersistentModelIndex
ACCENT = "#2a6f97"
MARK = "#fbecc8"
QUIET = "#8a9099"
"""Grey for what is read second (who, when, the utterances around a segment): legible on light
and dark backgrounds alike."""


class SegmentsModel(_RecordsModel[Segment]):
    """One row per coded segment."""

    HEADERS = ("Code", "Participant", "Role", "Wave", "Dyad", "Interview", "Time", "Text")
    TEXT = 7
    SegmentRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self) -> None:
        super().__init__()
        self.roles: dict[str, str] = {}
        """Participant id → role, to show whose words a segment holds."""
        self.show_code = True
        """Name the code above each segment (not needed when every segment has the same)."""

    def meta_parts(self, g: Segment) -> list[tuple[str, QColor | None]]:
        """The line above a segment's words: code, who (in their colour), role, wave, dyad,
        interview and time; None for the quiet colour."""
        parts: list[tuple[str, QColor | None]] = []
        if self.show_code:
            parts += [(g.code.rsplit(PATH_SEPARATOR, 1)[-1], QColor(ACCENT)), ("   ", None)]
        people = g.participants or g.speakers
        for i, person in enumerate(people):
            parts.append(((", " if i else "") + person, speaker_colour(person)))
        roles = dict.fromkeys(self.roles.get(p, "?") for p in g.participants)
        details = [", ".join(roles), g.wave, g.dyad, g.interview, format_ms(g.start_ms)]
        parts.append(("  ·  " + "  ·  ".join(d for d in details if d), None))
        return parts

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
                return g.code.rsplit(PATH_SEPARATOR, 1)[-1]
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
                return QColor(QUIET)
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [g.code]
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


def context_html(g: Segment, lines: Sequence[Utterance] = ()) -> str:
    """The segment marked inside its utterances, with the one before and after, for reading.

    ``lines`` are the interview's utterances; without them the segment's own context is used.
    """

    def para(speaker: str | None, body: str, style: str = "") -> str:
        who = ""
        if speaker:
            colour = speaker_colour(speaker).name()
            who = f'<span style="color:{colour}; font-weight:600;">{html.escape(speaker)}</span> '
        return f'<p dir="auto" style="margin:0 0 6px 0; {style}">{who}{body}</p>'

    head = " · ".join(
        x
        for x in (g.interview, g.wave, g.dyad, ", ".join(g.participants), format_ms(g.start_ms))
        if x
    )
    parts = [
        f'<p style="color:{QUIET}; margin:0 0 8px 0;">{html.escape(head)}'
        f' — <span style="color:{ACCENT};">{html.escape(g.code)}</span></p>'
    ]
    grey = f"color:{QUIET};"
    mark = f'<span style="background:{MARK}; color:#111827;">'
    if lines:
        starts = utterance_starts([len(u.text) for u in lines])
        first = max(bisect_right(starts, g.start) - 1, 0)
        last = max(bisect_right(starts, max(g.end - 1, g.start)) - 1, first)
        if first > 0:
            before = lines[first - 1]
            parts.append(para(before.speaker, html.escape(before.text), grey))
        for i in range(first, last + 1):
            u, at = lines[i], starts[i]
            a = min(max(g.start - at, 0), len(u.text))
            b = min(max(g.end - at, 0), len(u.text))
            body = (
                html.escape(u.text[:a])
                + mark
                + html.escape(u.text[a:b])
                + "</span>"
                + html.escape(u.text[b:])
            )
            parts.append(para(u.speaker, body))
        if last + 1 < len(lines):
            after = lines[last + 1]
            parts.append(para(after.speaker, html.escape(after.text), grey))
    else:
        if g.before:
            parts.append(para(None, html.escape(g.before), grey))
        parts.append(para(None, mark + html.escape(g.text) + "</span>"))
        if g.after:
            parts.append(para(None, html.escape(g.after), grey))
    if g.memo:
        parts.append(
            para(None, "Memo: " + html.escape(g.memo), "color:#b07d12; font-style:italic;")
        )
    return "".join(parts)


class SegmentDelegate(QStyledItemDelegate):
    """A segment as two parts: who, when and where in small grey, then up to two lines of its
    words (laid out right to left when they are Arabic or Farsi)."""

    PAD = 8
    LINES = 2

    def _small(self, font: QFont) -> QFont:
        small = QFont(font)
        small.setPointSizeF(max(font.pointSizeF() - 1, 7))
        return small

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        small = QFontMetrics(self._small(option.font))
        body = QFontMetrics(option.font)
        height = 2 * self.PAD + small.height() + 4 + self.LINES * body.lineSpacing()
        return QSize(240, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        g = index.data(SegmentsModel.SegmentRole)
        model = index.model()
        if not isinstance(g, Segment) or not isinstance(model, SegmentsModel):
            super().paint(painter, option, index)
            return
        view = QStyleOptionViewItem(option)
        self.initStyleOption(view, index)
        view.text = ""
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, view, painter, widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        text_colour = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        grey = text_colour if selected else QColor(QUIET)
        rect = option.rect.adjusted(self.PAD + 2, self.PAD, -self.PAD, -self.PAD)

        painter.save()
        painter.setClipRect(option.rect)
        small = self._small(option.font)
        painter.setFont(small)
        metrics = QFontMetrics(small)
        x, baseline = rect.left(), rect.top() + metrics.ascent()
        for text, colour in model.meta_parts(g):
            if x >= rect.right():
                break
            piece = metrics.elidedText(text, Qt.TextElideMode.ElideRight, rect.right() - x)
            if colour is None or selected:
                painter.setPen(grey if colour is None else text_colour)
            else:
                painter.setPen(colour)
            painter.drawText(x, baseline, piece)
            x += metrics.horizontalAdvance(piece)

        font = option.font
        painter.setFont(font)
        painter.setPen(text_colour)
        top = rect.top() + metrics.height() + 4
        words = " ".join(g.text.split())
        layout = QTextLayout(words, font)
        text_option = QTextOption()
        text_option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        if is_right_to_left(words):
            text_option.setTextDirection(Qt.LayoutDirection.RightToLeft)
            text_option.setAlignment(Qt.AlignmentFlag.AlignRight)
        layout.setTextOption(text_option)
        body = QFontMetrics(font)
        layout.beginLayout()
        lines: list[QTextLine] = []
        while len(lines) < self.LINES:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(rect.width())
            line.setPosition(QPointF(0, len(lines) * body.lineSpacing()))
            lines.append(line)
        layout.endLayout()
        for n, line in enumerate(lines):
            last = n == len(lines) - 1
            rest = words[line.textStart() :]
            if last and line.textStart() + line.textLength() < len(words):
                flags = Qt.AlignmentFlag.AlignRight if is_right_to_left(words) else 0
                elided = body.elidedText(rest, Qt.TextElideMode.ElideRight, rect.width())
                painter.drawText(
                    QRectF(rect.left(), top + n * body.lineSpacing(), rect.width(), body.height()),
                    int(flags),
                    elided,
                )
            else:
                line.draw(painter, QPointF(rect.left(), top))
        painter.restore()


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
        self.setStyleSheet(
            "QLabel#retrievalTitle { font-weight: 600; padding: 2px 0; }"
            " QTextBrowser#segmentContext { border: 1px solid #d9dce1; padding: 6px; }"
            " QListView#segments { border: 1px solid #d9dce1; }"
        )
        self.project: Project | None = None
        self.codes: list[str] = []
        self.model = SegmentsModel()
        self._lines: dict[str, list[Utterance]] = {}
        """Utterances of the interviews read in context since the last refresh."""

        self.title = QLabel()
        self.title.setObjectName("retrievalTitle")
        self.wave = self._combo("All waves", "retrievalWave")
        self.role = self._combo("All roles", "retrievalRole")
        self.dyad = self._combo("All dyads", "retrievalDyad")
        self.participant = self._combo("All participants", "retrievalParticipant")
        self.subcodes = QCheckBox("With sub-codes")
        self.subcodes.setChecked(True)
        self.subcodes.toggled.connect(self.refresh)

        self.list = QListView()
        self.list.setObjectName("segments")
        self.list.setModel(self.model)
        self.list.setItemDelegate(SegmentDelegate(self.list))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setUniformItemSizes(True)
        self.list.setAlternatingRowColors(True)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Double-click or Enter (the platform's "activate").
        self.list.activated.connect(self._double_clicked)
        self.list.selectionModel().currentRowChanged.connect(self._show_context)

        self.context = QTextBrowser()
        self.context.setObjectName("segmentContext")
        self.context.setOpenLinks(False)
        self.context.setPlaceholderText("Select a segment to read it in its context.")

        self.footnote = QLabel()
        self.footnote.setObjectName("footnote")
        self.footnote.setWordWrap(True)

        self.title.setWordWrap(True)
        filters = QHBoxLayout()
        filters.setSpacing(6)
        for combo in (self.wave, self.role, self.dyad, self.participant):
            filters.addWidget(combo, 1)
        filters.addWidget(self.subcodes)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.list)
        splitter.addWidget(self.context)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.footnote)
        self._show_title()

    def _combo(self, everything: str, name: str) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.addItem(everything, None)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(6)
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
        self._lines.clear()
        self.model.show_code = len({g.code for g in segments}) > 1
        self.model.set_rows(segments)
        if previous is not None:
            for row, g in enumerate(segments):
                if g.coding == previous.coding:
                    self.list.setCurrentIndex(self.model.index(row, 0))
                    break
        if self._current() is None:
            self.context.clear()
        self._show_title()

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
        index = self.list.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return None
        return self.model.segment(index.row())

    def _show_context(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid() or current.row() >= self.model.rowCount():
            self.context.clear()
            return
        g = self.model.segment(current.row())
        if g.interview not in self._lines and self.project is not None:
            try:
                self._lines[g.interview] = utterances(self.project, g.interview)
            except StudyError as exc:
                self.message.emit(str(exc))
        self.context.setHtml(context_html(g, self._lines.get(g.interview, ())))

    def _double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            g = self.model.segment(index.row())
            self.jump_requested.emit(g.interview, g.start, g.end)
