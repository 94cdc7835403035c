"""The dyad timeline: one lane per member, waves left to right, each theme's presence drawn as a
dot sized by its segments, co-occurrence and the analyst's stance between the lanes, and the
members' per-wave scores (PROMs) along the top. A cell opens the segments behind it."""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from workbench.analysis.longitudinal import Cell, Timeline, dyad_timeline
from workbench.coding.study import list_dyads
from workbench.domain.missing import missing_words
from workbench.domain.study import StudyError
from workbench.storage.project import Project
from workbench.ui import theme as house
from workbench.ui.cell_details import CellDetails
from workbench.ui.charts import choose_chart_file, hatch, save_chart

LABEL_W = 260
LANE_H = 26
THEME_GAP = 14
HEADER_H = 34
LANE_COLOURS = {"patient": QColor("#2a6f97"), "clinician": QColor("#a44a3f")}
OTHER_COLOUR = QColor("#5b8e3e")
STANCE_MARK = {"convergent": "C", "divergent": "D", "mixed": "M"}
CHART_TITLE_H = 56
DOT_HINT = "Click a dot to read the segments behind it and your summary of that cell."


class TimelineCanvas(QWidget):
    sig_cell_chosen = Signal(str, str, str)
    """A lane cell was clicked: theme, participant, wave."""

    def __init__(self) -> None:
        super().__init__()
        self.timeline: Timeline | None = None
        self.selected: tuple[str, str, str] | None = None
        """The cell whose segments are shown below: theme, participant, wave."""
        self.setMouseTracking(True)
        self.setMinimumWidth(LABEL_W + 3 * 160)

    def set_timeline(self, timeline: Timeline | None) -> None:
        self.timeline = timeline
        self.selected = None
        self.updateGeometry()
        self.setMinimumHeight(self._height())
        self.update()

    def _rows_top(self) -> float:
        members = len(self.timeline.members) if self.timeline else 0
        return HEADER_H + members * 18 + 12

    def _height(self) -> int:
        if self.timeline is None:
            return 200
        block = len(self.timeline.members) * LANE_H + THEME_GAP
        return int(self._rows_top() + len(self.timeline.themes) * block + 20)

    def sizeHint(self) -> QSize:
        return QSize(LABEL_W + 3 * 200, self._height())

    def _column(self, index: int) -> tuple[float, float]:
        assert self.timeline is not None
        width = (self.width() - LABEL_W - 16) / max(len(self.timeline.waves), 1)
        return LABEL_W + index * width, width

    def _lane_rect(self, theme_index: int, member_index: int, wave_index: int) -> QRectF:
        assert self.timeline is not None
        block = len(self.timeline.members) * LANE_H + THEME_GAP
        top = self._rows_top() + theme_index * block + member_index * LANE_H
        left, width = self._column(wave_index)
        return QRectF(left, top, width, LANE_H)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        ink = house.current()
        painter.fillRect(self.rect(), QColor(ink.base))
        self.paint(painter, ink)
        painter.end()

    def paint(self, painter: QPainter, ink: house.Theme = house.LIGHT) -> None:
        """Draw the timeline at the canvas's size: on screen (in the window's light or dark
        colours), or into an exported chart (light: a manuscript page is white)."""
        t = self.timeline
        muted = QColor(ink.muted)
        if t is None:
            painter.setPen(muted)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Choose a dyad")
            return
        bold = QFont(self.font())
        bold.setBold(True)
        small = QFont(self.font())
        small.setPointSizeF(max(self.font().pointSizeF() - 1, 7))
        self._paint_header(painter, t, ink, bold, small)
        top_value = max((c.segments or 0 for c in t.lanes.values()), default=1) or 1
        for i, theme in enumerate(t.themes):
            self._paint_theme_label(painter, t, i, theme, ink, bold)
            painter.setFont(small)
            for w, wave in enumerate(t.waves):
                centres = []
                for m, (member, role) in enumerate(t.members):
                    rect = self._lane_rect(i, m, w)
                    centres.append(rect.center())
                    self._paint_cell(
                        painter,
                        rect,
                        t.lanes.get((theme, member, wave)),
                        LANE_COLOURS.get(role, OTHER_COLOUR),
                        ink,
                        top_value,
                        selected=self.selected == (theme, member, wave),
                    )
                self._paint_between(painter, t, theme, wave, centres, muted)

    def _paint_header(
        self, painter: QPainter, t: Timeline, ink: house.Theme, bold: QFont, small: QFont
    ) -> None:
        """The waves, then each member's per-wave scores."""
        painter.setFont(bold)
        painter.setPen(QColor(ink.text))
        for w, wave in enumerate(t.waves):
            left, width = self._column(w)
            painter.drawText(QRectF(left, 6, width, 22), Qt.AlignmentFlag.AlignCenter, wave)
        painter.setFont(small)
        for m, (member, role) in enumerate(t.members):
            y = HEADER_H + m * 18
            painter.setPen(LANE_COLOURS.get(role, OTHER_COLOUR))
            painter.drawText(
                QRectF(8, y, LABEL_W - 16, 16),
                Qt.AlignmentFlag.AlignLeft,
                f"{member} ({role}) scores",
            )
            painter.setPen(QColor(ink.muted))
            for w, wave in enumerate(t.waves):
                values = t.attributes.get((member, wave), {})
                left, width = self._column(w)
                label = ", ".join(f"{k} {v}" for k, v in values.items()) or "–"
                painter.drawText(QRectF(left, y, width, 16), Qt.AlignmentFlag.AlignCenter, label)

    def _paint_theme_label(
        self, painter: QPainter, t: Timeline, i: int, theme: str, ink: house.Theme, bold: QFont
    ) -> None:
        """A rule above the theme's lanes and its name beside them."""
        first = self._lane_rect(i, 0, 0)
        painter.setPen(QColor(ink.border))
        painter.drawLine(
            QPointF(8, first.top() - THEME_GAP / 2),
            QPointF(self.width() - 8, first.top() - THEME_GAP / 2),
        )
        painter.setFont(bold)
        painter.setPen(QColor(ink.text))
        painter.drawText(
            QRectF(8, first.top(), LABEL_W - 16, LANE_H * len(t.members)),
            Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap,
            theme,
        )

    def _paint_cell(
        self,
        painter: QPainter,
        rect: QRectF,
        cell: Cell | None,
        colour: QColor,
        ink: house.Theme,
        top_value: int,
        *,
        selected: bool,
    ) -> None:
        """One member's cell in one wave: a dot sized by the segments, a ring for a zero, or
        why the wave is missing; outlined when it is the cell shown below."""
        centre = rect.center()
        missing = rect.adjusted(rect.width() * 0.18, 4, -rect.width() * 0.18, -4)
        if selected:  # the cell shown below
            absent = cell is None or cell.segments is None
            ring = (
                missing.adjusted(-4, -3, 4, 3)
                if absent
                else QRectF(centre.x() - 17, rect.top() + 1, 52, LANE_H - 2)
            )
            painter.setPen(QPen(QColor("#2a6f97"), 1.5))
            painter.setBrush(QColor(42, 111, 151, 22))
            painter.drawRoundedRect(ring, 7, 7)
        if cell is None or cell.segments is None:
            _paint_missing(painter, missing, cell, ink)
            return
        if cell.segments == 0:  # observed, nothing coded for this theme: a zero
            painter.setPen(QPen(colour.lighter(150), 1.2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(centre, 4, 4)
            painter.setPen(colour.lighter(140))
            painter.drawText(
                QRectF(centre.x() + 7, centre.y() - 8, 30, 16),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                "0",
            )
            return
        radius = 4 + 8 * math.sqrt(cell.segments / top_value)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawEllipse(centre, radius, radius)
        beside = colour.lighter(150) if ink.name == "dark" else colour.darker(150)
        painter.setPen(QColor("white") if radius > 9 else beside)
        text_rect = QRectF(
            centre.x() + (0 if radius > 9 else radius + 2) - (radius if radius > 9 else 0),
            centre.y() - 8,
            2 * radius if radius > 9 else 30,
            16,
        )
        painter.drawText(
            text_rect,
            Qt.AlignmentFlag.AlignCenter if radius > 9 else Qt.AlignmentFlag.AlignLeft,
            str(cell.segments),
        )

    @staticmethod
    def _paint_between(
        painter: QPainter,
        t: Timeline,
        theme: str,
        wave: str,
        centres: list[QPointF],
        muted: QColor,
    ) -> None:
        """Between the lanes: a bar when both members voice the theme, the analyst's stance."""
        dyad_cell = t.dyad_cells.get((theme, wave))
        if dyad_cell is not None and dyad_cell.cooccurrence == "both_voice" and len(centres) > 1:
            x = centres[0].x() - 22
            painter.setPen(QPen(muted, 2))
            painter.drawLine(QPointF(x, centres[0].y() - 6), QPointF(x, centres[-1].y() + 6))
        stance = t.stances.get((theme, wave))
        if stance:
            badge = QRectF(centres[0].x() + 34, centres[0].y() + LANE_H / 2 - 9, 18, 18)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#b07d12") if stance == "divergent" else QColor("#6b7280"))
            painter.drawEllipse(badge)
            painter.setPen(QColor("white"))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, STANCE_MARK[stance])

    def mousePressEvent(self, event: QMouseEvent) -> None:
        t = self.timeline
        if t is None:
            return
        point = event.position()
        for i, theme in enumerate(t.themes):
            for m, (member, _) in enumerate(t.members):
                for w, wave in enumerate(t.waves):
                    if self._lane_rect(i, m, w).contains(point):
                        self.sig_cell_chosen.emit(theme, member, wave)
                        return


def _paint_missing(painter: QPainter, missing: QRectF, cell: Cell | None, ink: house.Theme) -> None:
    """A missing wave says why, in words: unlike a zero, nothing was observed."""
    lines = QColor("#4b5563" if ink.name == "dark" else "#cbd5e1")
    hatch(painter, missing, lines, radius=4, fill=QColor(ink.gutter))
    why = missing_words(cell.missing) if cell and cell.missing else "missing"
    text = painter.fontMetrics().elidedText(
        why, Qt.TextElideMode.ElideRight, int(missing.width()) - 10
    )
    advance = painter.fontMetrics().horizontalAdvance(text)
    pill = QRectF(0, 0, advance + 10, missing.height() - 2)
    pill.moveCenter(missing.center())
    backing = QColor(ink.gutter)
    backing.setAlpha(235)
    painter.setBrush(backing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawRoundedRect(pill, 3, 3)
    painter.setPen(QColor(ink.muted))
    painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)


def first_observed(timeline: Timeline) -> tuple[str, str, str] | None:
    """The first lane cell with something coded (else the first observed one), in the order
    drawn: theme, then member, then wave."""
    observed = None
    for theme in timeline.themes:
        for member, _ in timeline.members:
            for wave in timeline.waves:
                cell = timeline.lanes.get((theme, member, wave))
                if cell is None or cell.segments is None:
                    continue
                if cell.segments:
                    return (theme, member, wave)
                observed = observed or (theme, member, wave)
    return observed


class TimelineView(QWidget):
    """The dyad timeline with its dyad chooser and the segments behind the chosen cell."""

    def __init__(self) -> None:
        super().__init__()
        self.project: Project | None = None
        self.dyad = QComboBox()
        self.dyad.currentIndexChanged.connect(self.refresh)
        self.canvas = TimelineCanvas()
        self.canvas.sig_cell_chosen.connect(self.show_segments)
        self.export_action = QAction("Export chart…", self)
        self.export_action.setToolTip("Save this dyad's timeline as a PNG image or an SVG drawing")
        self.export_action.triggered.connect(self._choose_export)
        self.canvas.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.canvas.addAction(self.export_action)
        export = QPushButton("Export chart…")
        export.setToolTip(self.export_action.toolTip())
        export.clicked.connect(self.export_action.trigger)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.canvas)
        self.details = CellDetails(DOT_HINT)
        self.segments_title = self.details.title
        self.segments = self.details.segments
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(scroll)
        split.addWidget(self.details)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)

        header = QHBoxLayout()
        title = QLabel("Dyad timeline")
        title.setObjectName("transcriptTitle")
        header.addWidget(title)
        header.addSpacing(16)
        legend = QLabel(
            "<span style='color:#2a6f97'>●</span> patient &nbsp; "
            "<span style='color:#a44a3f'>●</span> clinician &nbsp; "
            "○ 0: observed, nothing coded &nbsp; hatched: missing wave, with why &nbsp; "
            "│ both voice &nbsp; C/D/M your stance"
        )
        legend.setObjectName("footnote")
        legend.setWordWrap(True)
        legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        legend.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        header.addWidget(legend, 1)
        header.addSpacing(12)
        header.addWidget(QLabel("Dyad"))
        header.addWidget(self.dyad)
        header.addSpacing(12)
        header.addWidget(export)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addLayout(header)
        layout.addWidget(split, 1)

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.dyad.blockSignals(True)
        self.dyad.clear()
        if project is not None:
            for d in list_dyads(project):
                self.dyad.addItem(f"{d.id}  ({' + '.join(d.members)})", d.id)
        self.dyad.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        dyad = self.dyad.currentData()
        before = self.canvas.timeline
        chosen = self.canvas.selected
        if self.project is None or dyad is None:
            self.canvas.set_timeline(None)
            self.details.clear(DOT_HINT)
            return
        timeline = dyad_timeline(self.project, str(dyad))
        self.canvas.set_timeline(timeline)
        # The cell open before stays open; else the first observed one: the details below are
        # never blank while there is a cell to open.
        same = before is not None and before.dyad == timeline.dyad
        if not (same and chosen is not None and chosen in timeline.lanes):
            chosen = first_observed(timeline)
        self.details.clear(DOT_HINT)
        if chosen is None:
            return
        # The ring at once; the segments just after the chart is drawn (reading them takes
        # longer than drawing), unless another cell was clicked in between.
        self.canvas.selected = chosen
        QTimer.singleShot(0, lambda: self._open_chosen(timeline, chosen))

    def _open_chosen(self, timeline: Timeline, chosen: tuple[str, str, str]) -> None:
        unchanged = self.canvas.timeline is timeline and self.canvas.selected == chosen
        if unchanged and self.details.cell is None:
            self.show_segments(*chosen)

    def show_segments(self, theme: str, participant: str, wave: str) -> None:
        """The segments behind a dot (this dyad's interviews only) and the summary of the cell."""
        if self.project is None:
            return
        dyad = str(self.dyad.currentData())
        timeline = self.canvas.timeline
        cell = timeline.lanes.get((theme, participant, wave)) if timeline else None
        self.canvas.selected = (theme, participant, wave)
        self.canvas.update()
        self.details.show_cell(
            self.project,
            theme,
            f"participant:{participant}",
            wave,
            dyad=dyad,
            missing=cell.missing if cell else None,
        )

    def export_chart(self, path: Path) -> Path:
        """Save the chosen dyad's whole timeline, with a title and a legend, as .png or .svg."""
        if self.canvas.timeline is None:
            raise StudyError("choose a dyad first")
        canvas = self.canvas
        width = max(canvas.width(), canvas.minimumWidth())
        if canvas.width() < width:
            canvas.resize(width, canvas.height())
        title = f"Dyad timeline · {self.dyad.currentText()}"

        def paint(painter: QPainter) -> None:
            big = QFont(canvas.font())
            big.setBold(True)
            big.setPointSizeF(canvas.font().pointSizeF() + 3)
            painter.setFont(big)
            painter.setPen(QColor("#1f2937"))
            painter.drawText(QRectF(16, 10, width - 32, 24), Qt.AlignmentFlag.AlignLeft, title)
            small = QFont(canvas.font())
            small.setPointSizeF(max(canvas.font().pointSizeF() - 1, 7))
            painter.setFont(small)
            x = 16.0
            for text, colour in (
                ("patient", LANE_COLOURS["patient"]),
                ("clinician", LANE_COLOURS["clinician"]),
                (
                    "│ both voice   C/D/M the analyst's stance   hatched: missing wave (why)   "
                    "dot size: segments (where the analysis coded, not findings)",
                    QColor("#6b7280"),
                ),
            ):
                if colour != QColor("#6b7280"):
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.setBrush(colour)
                    painter.drawEllipse(QPointF(x + 5, 43), 5, 5)
                    x += 14
                painter.setPen(QColor("#4b5563"))
                painter.drawText(QRectF(x, 35, width, 16), Qt.AlignmentFlag.AlignLeft, text)
                x += painter.fontMetrics().horizontalAdvance(text) + 16
            painter.translate(0, CHART_TITLE_H)
            canvas.paint(painter)

        size = QSize(width, canvas._height() + CHART_TITLE_H)
        return save_chart(path, size, paint, title=title, project=self.project)

    def _choose_export(self) -> None:
        dyad = self.dyad.currentData()
        path = choose_chart_file(self, f"dyad-timeline-{dyad or 'dyad'}.svg")
        if path is None:
            return
        try:
            self.export_chart(path)
        except StudyError as exc:
            QMessageBox.warning(self, "Cannot export the chart", str(exc))
