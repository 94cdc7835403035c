"""Themes across waves: a heat map of the longitudinal matrix, beside the analyst's trajectory.

Missing waves look different from zero (hatched, with the reason on hover); the computed coding
pattern is shown in grey beside the analyst's own trajectory, which leads. The numbers describe
where the analyst coded — the footer says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from workbench.analysis.longitudinal import Cell, TrajectoryRow, matrix, trajectories
from workbench.domain.missing import missing_words
from workbench.domain.study import StudyError
from workbench.storage.project import Project
from workbench.ui import theme as house
from workbench.ui.case_matrix import CaseMatrixView
from workbench.ui.cell_details import CellDetails
from workbench.ui.charts import chart_metrics, choose_chart_file, hatch, save_chart

_Index = QModelIndex | QPersistentModelIndex
ACCENT = QColor("#2a6f97")
MEASURE_LABELS = {
    "segments": "Segments",
    "words": "Share of words",
    "presence": "Presence",
    "participants": "Participants voicing",
}


def _blend(share: float, ink: house.Theme = house.LIGHT) -> QColor:
    """The paper colour to the accent colour (a lighter accent on dark paper)."""
    share = max(0.0, min(1.0, share))
    paper = QColor(ink.base)
    end = ACCENT if ink.name != "dark" else ACCENT.lighter(140)
    return QColor(
        round(paper.red() + (end.red() - paper.red()) * share),
        round(paper.green() + (end.green() - paper.green()) * share),
        round(paper.blue() + (end.blue() - paper.blue()) * share),
    )


class HeatmapModel(QAbstractTableModel):
    """Rows: theme × unit. Columns: the analyst's trajectory, the waves, the coding pattern."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[tuple[str, str]] = []
        self._waves: list[str] = []
        self._cells: dict[tuple[str, str, str], Cell] = {}
        self._trajectories: dict[tuple[str, str], TrajectoryRow] = {}
        self._measure = "segments"
        self._top = 1.0
        self.ink: house.Theme | None = None
        """The colours to answer in (None: the window's theme now; an export asks for light)."""

    def set_data(self, cells: list[Cell], rows: list[TrajectoryRow], measure: str) -> None:
        self.beginResetModel()
        self._measure = measure
        self._cells = {(c.theme, c.unit, c.wave): c for c in cells}
        self._rows = list(dict.fromkeys((c.theme, c.unit) for c in cells))
        self._waves = list(dict.fromkeys(c.wave for c in cells))
        self._trajectories = {(r.theme, r.unit): r for r in rows}
        values = [float(c.value(measure) or 0) for c in cells if c.value(measure) is not None]
        self._top = max(values, default=1.0) or 1.0
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._waves) + 2

    def first_observed(self) -> QModelIndex:
        """The first cell with something coded in it (else the first observed one): what the
        view opens first, so its details are never blank."""
        observed = QModelIndex()
        for row, (theme, unit) in enumerate(self._rows):
            for column, wave in enumerate(self._waves, start=1):
                cell = self._cells.get((theme, unit, wave))
                if cell is None or cell.value(self._measure) is None:
                    continue
                if cell.segments:
                    return self.index(row, column)
                if not observed.isValid():
                    observed = self.index(row, column)
        return observed

    def index_of(self, theme: str, unit: str, wave: str) -> QModelIndex:
        """The cell of ``theme`` × ``unit`` (its name, as in the rows) × ``wave``, if shown."""
        if (theme, unit) not in self._rows or wave not in self._waves:
            return QModelIndex()
        return self.index(self._rows.index((theme, unit)), self._waves.index(wave) + 1)

    def cell_at(self, index: _Index) -> Cell | None:
        if not index.isValid() or not 1 <= index.column() <= len(self._waves):
            return None
        theme, unit = self._rows[index.row()]
        return self._cells.get((theme, unit, self._waves[index.column() - 1]))

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        theme, unit = self._rows[index.row()]
        column = index.column()
        trajectory = self._trajectories.get((theme, unit))
        ink = self.ink or house.current()
        dark = ink.name == "dark"
        if column == 0:
            if role == Qt.ItemDataRole.DisplayRole:
                return trajectory.trajectory if trajectory and trajectory.trajectory else "—"
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(ink.text if trajectory and trajectory.trajectory else ink.muted)
            if role == Qt.ItemDataRole.ToolTipRole:
                return "The analyst's own reading of change (what exports headline)"
            return None
        if column == len(self._waves) + 1:
            if role == Qt.ItemDataRole.DisplayRole and trajectory:
                return trajectory.pattern.replace("_", " ") + (" · gap" if trajectory.gap else "")
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(ink.muted)
            if role == Qt.ItemDataRole.ToolTipRole and trajectory:
                seq = ", ".join("–" if x is None else str(x) for x in trajectory.sequence)
                return f"Computed from segment counts {seq}: describes the coding, not a finding"
            return None
        cell = self.cell_at(index)
        if cell is None:
            return None
        value = cell.value(self._measure)
        if role == Qt.ItemDataRole.DisplayRole:
            if value is None:
                return "–"
            return f"{value:.0%}" if self._measure == "words" else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            if value is None:
                return QBrush(QColor("#3a4049" if dark else "#e5e7eb"), Qt.BrushStyle.BDiagPattern)
            return _blend(float(value) / self._top * 0.85, ink)
        if role == Qt.ItemDataRole.ForegroundRole:
            if value is None:
                return QColor(ink.muted)
            if dark:
                return QColor("white" if float(value) / self._top > 0.55 else ink.text)
            return QColor("white" if float(value) / self._top > 0.55 else "#1f2937")
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = []
            if cell.missing is not None:
                lines.append(f"Missing wave: {missing_words(cell.missing)}")
            if cell.cooccurrence and cell.cooccurrence != "incomplete":
                lines.append(f"Dyad: {cell.cooccurrence.replace('_', ' ')}")
            if cell.drift:
                lines.append("Codebook drift: coded before one of this theme's codes existed")
            for person, values in cell.attributes.items():
                lines += [f"{person} {k}: {v}" for k, v in values.items()]
            return "\n".join(lines) or None
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if section == 0:
                return "Analyst's trajectory"
            if section == len(self._waves) + 1:
                return "Coding pattern"
            return self._waves[section - 1] if section - 1 < len(self._waves) else None
        if section < len(self._rows):
            theme, unit = self._rows[section]
            return theme if unit == "study" else f"{theme} · {unit}"
        return None


FOOTNOTE = (
    "Counts show where the analysis coded; they support your reading, they are not "
    "findings. Hatched cells are missing waves (hover for the reason), not zeros."
)


CELL_HINT = "Click a cell to read the segments behind it and write your summary of it."


class HeatmapChart:
    """The whole heat map drawn for export: every row, not only those scrolled into view."""

    PAD, TITLE_H, HEAD_H, ROW_H, FOOT_H, WAVE_W = 16, 34, 30, 28, 34, 110

    def __init__(self, model: HeatmapModel, title: str, font: QFont) -> None:
        self.model = model
        self.title = title
        self.font = QFont(font)
        self.bold = QFont(font)
        self.bold.setBold(True)
        self.big = QFont(self.bold)
        self.big.setPointSizeF(font.pointSizeF() + 3)
        plain, bold = chart_metrics(self.font), chart_metrics(self.bold)
        rows = range(model.rowCount())

        def widest(texts: list[str], header: str, cap: float) -> float:
            wanted = [plain.horizontalAdvance(t) for t in texts] + [bold.horizontalAdvance(header)]
            return min(cap, max(wanted) + 24)

        last = model.columnCount() - 1
        self.widths = [
            widest([str(model.headerData(r, Qt.Orientation.Vertical)) for r in rows], "", 380),
            widest([str(model.data(model.index(r, 0))) for r in rows], "Analyst's trajectory", 280),
            *[
                max(float(self.WAVE_W), bold.horizontalAdvance(str(wave)) + 24)
                for wave in (model.headerData(c, Qt.Orientation.Horizontal) for c in range(1, last))
            ],
            widest(
                [str(model.data(model.index(r, last)) or "") for r in rows], "Coding pattern", 260
            ),
        ]

    def size(self) -> QSize:
        width = 2 * self.PAD + sum(self.widths)
        height = (
            2 * self.PAD + self.TITLE_H + self.HEAD_H + self.model.rowCount() * self.ROW_H
        ) + self.FOOT_H
        return QSize(int(width), int(height))

    def paint(self, painter: QPainter) -> None:
        """On white, in the light colours, whatever the window's theme (a manuscript page)."""
        self.model.ink = house.LIGHT
        try:
            self._paint(painter)
        finally:
            self.model.ink = None

    def _paint(self, painter: QPainter) -> None:
        model, left = self.model, float(self.PAD)
        width = sum(self.widths)
        painter.setFont(self.big)
        painter.setPen(QColor("#1f2937"))
        painter.drawText(
            QRectF(left, self.PAD, width, self.TITLE_H), Qt.AlignmentFlag.AlignLeft, self.title
        )
        top = self.PAD + self.TITLE_H
        edges = [left]
        for w in self.widths:
            edges.append(edges[-1] + w)
        painter.setFont(self.bold)
        painter.setPen(QColor("#4b5563"))
        for column in range(model.columnCount()):
            header = model.headerData(column, Qt.Orientation.Horizontal) or ""
            rect = QRectF(edges[column + 1] + 8, top, self.widths[column + 1] - 16, self.HEAD_H)
            align = Qt.AlignmentFlag.AlignVCenter | (
                Qt.AlignmentFlag.AlignHCenter
                if 1 < column + 1 < model.columnCount()
                else Qt.AlignmentFlag.AlignLeft
            )
            painter.drawText(rect, align, str(header))
        painter.setPen(QPen(QColor("#d1d5db"), 1))
        painter.drawLine(
            QPointF(left, top + self.HEAD_H - 1), QPointF(left + width, top + self.HEAD_H - 1)
        )
        painter.setFont(self.font)
        plain = chart_metrics(self.font)
        for row in range(model.rowCount()):
            y = top + self.HEAD_H + row * self.ROW_H
            label = str(model.headerData(row, Qt.Orientation.Vertical))
            painter.setPen(QColor("#1f2937"))
            painter.drawText(
                QRectF(left, y, self.widths[0] - 8, self.ROW_H),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                plain.elidedText(label, Qt.TextElideMode.ElideRight, self.widths[0] - 12),
            )
            for column in range(model.columnCount()):
                index = model.index(row, column)
                rect = QRectF(edges[column + 1], y, self.widths[column + 1], self.ROW_H)
                text = str(model.data(index) or "")
                background = model.data(index, Qt.ItemDataRole.BackgroundRole)
                cell = rect.adjusted(1, 1, -1, -1)
                if isinstance(background, QBrush):
                    hatch(painter, cell, QColor("#cbd5e1"))
                elif isinstance(background, QColor):
                    painter.fillRect(cell, background)
                foreground = model.data(index, Qt.ItemDataRole.ForegroundRole)
                painter.setPen(foreground if isinstance(foreground, QColor) else QColor("#1f2937"))
                centred = model.cell_at(index) is not None
                painter.drawText(
                    rect.adjusted(8, 0, -8, 0),
                    Qt.AlignmentFlag.AlignVCenter
                    | (Qt.AlignmentFlag.AlignHCenter if centred else Qt.AlignmentFlag.AlignLeft),
                    plain.elidedText(text, Qt.TextElideMode.ElideRight, rect.width() - 16),
                )
        painter.setPen(QColor("#6b7280"))
        small = QFont(self.font)
        small.setPointSizeF(max(self.font.pointSizeF() - 1, 7))
        painter.setFont(small)
        foot = top + self.HEAD_H + model.rowCount() * self.ROW_H + 8
        painter.drawText(
            QRectF(left, foot, width, self.FOOT_H),
            Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap,
            FOOTNOTE.replace(" (hover for the reason)", ""),
        )


class HeatmapView(QWidget):
    """The heat map with its controls: unit kind and measure."""

    def __init__(self) -> None:
        super().__init__()
        self.project: Project | None = None
        self._generation = 0
        self.model = HeatmapModel()
        self.by = QComboBox()
        for label, value in (
            ("Whole study", "study"),
            ("By role", "role"),
            ("By participant", "participant"),
            ("By dyad", "dyad"),
        ):
            self.by.addItem(label, value)
        self.by.setCurrentIndex(3)
        self.measure = QComboBox()
        for value, label in MEASURE_LABELS.items():
            self.measure.addItem(label, value)
        self.by.currentIndexChanged.connect(self.refresh)
        self.measure.currentIndexChanged.connect(self.refresh)
        self.export_action = QAction("Export chart…", self)
        self.export_action.setToolTip("Save the heat map as a PNG image or an SVG drawing")
        self.export_action.triggered.connect(self._choose_export)
        export = QPushButton("Export chart…")
        export.setToolTip(self.export_action.toolTip())
        export.clicked.connect(self.export_action.trigger)

        self.table = QTableView()
        self.table.setObjectName("heatmap")
        self.table.setModel(self.model)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setMinimumSectionSize(60)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.table.addAction(self.export_action)

        controls = QHBoxLayout()
        title = QLabel("Themes across waves")
        title.setObjectName("transcriptTitle")
        controls.addWidget(title)
        controls.addStretch(1)
        self.map_controls = QWidget()  # the map's own: hidden with it
        mine = QHBoxLayout(self.map_controls)
        mine.setContentsMargins(0, 0, 0, 0)
        mine.addWidget(QLabel("Show"))
        mine.addWidget(self.by)
        mine.addWidget(QLabel("Measure"))
        mine.addWidget(self.measure)
        mine.addSpacing(12)
        mine.addWidget(export)
        controls.addWidget(self.map_controls)
        self.footer = footer = QLabel(FOOTNOTE)
        footer.setObjectName("footnote")
        footer.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        self.details = CellDetails(CELL_HINT)
        self.table.clicked.connect(self.open_cell)
        # Beside the heat map, the chosen theme's case-ordered matrix (read when shown).
        self.case = CaseMatrixView()
        self.views = QTabWidget()
        self.views.setObjectName("heatmapViews")
        self.views.setDocumentMode(True)
        self.views.addTab(self.table, "Heat map")
        self.views.addTab(self.case, "Case-ordered matrix")
        self.views.currentChanged.connect(lambda _: self._show_case())
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.views)
        split.addWidget(self.details)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout.addLayout(controls)
        layout.addWidget(split, 1)
        layout.addWidget(footer)

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.refresh()

    def _show_case(self) -> None:
        """The case-ordered matrix of the theme whose cell is open (read only when shown)."""
        shown = self.views.currentWidget() is self.case
        self.details.setVisible(not shown)  # the cell below and the note belong to the map
        self.footer.setVisible(not shown)
        self.map_controls.setVisible(not shown)
        if shown:
            chosen = self.details.cell[0] if self.details.cell is not None else None
            self.case.set_project(self.project, chosen)

    def open_cell(self, index: QModelIndex) -> None:
        """The segments behind a wave cell and the analyst's summary of it, below the map."""
        cell = self.model.cell_at(index)
        if cell is None or self.project is None:
            return
        by = str(self.by.currentData())
        unit = "study" if by == "study" else f"{by}:{cell.unit}"
        self.details.show_cell(self.project, cell.theme, unit, cell.wave, missing=cell.missing)
        if self.views.currentWidget() is self.case:
            self.case.show_theme(cell.theme)

    def refresh(self) -> None:
        self._generation += 1
        chosen = self.details.cell
        self.details.clear(CELL_HINT)
        self._show_case()
        if self.project is None:
            self.model.set_data([], [], "segments")
            return
        by = str(self.by.currentData())
        measure = str(self.measure.currentData())
        self.model.set_data(
            matrix(self.project, by, measure), trajectories(self.project, by), measure
        )
        header = self.table.horizontalHeader()
        last = self.model.columnCount() - 1
        for column in range(self.model.columnCount()):
            if column == 0:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
            elif column == last:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
            else:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
                header.resizeSection(column, 130)
        # The cell open before stays open; else the first observed one: the details below are
        # never blank while there is a cell to open.
        again = QModelIndex()
        if chosen is not None:
            theme, unit, wave = chosen
            kind, _, name = unit.partition(":")
            if kind == by or unit == by:
                again = self.model.index_of(theme, name or unit, wave)
        first = again if again.isValid() else self.model.first_observed()
        if first.isValid():
            # Marked at once; its segments read just after the map is drawn, unless another
            # cell was opened (or the map refreshed) in between.
            self.table.setCurrentIndex(first)
            self._generation += 1
            generation = self._generation
            QTimer.singleShot(0, lambda: self._open_first(first, generation))

    def _open_first(self, index: QModelIndex, generation: int) -> None:
        if generation == self._generation and self.details.cell is None:
            self.open_cell(index)

    def chart_title(self) -> str:
        return f"Themes across waves · {self.by.currentText()} · {self.measure.currentText()}"

    def export_chart(self, path: Path) -> Path:
        """Save the whole heat map (every row) as .png or .svg."""
        chart = HeatmapChart(self.model, self.chart_title(), self.font())
        return save_chart(
            path, chart.size(), chart.paint, title=self.chart_title(), project=self.project
        )

    def _choose_export(self) -> None:
        path = choose_chart_file(self, "themes-across-waves.svg")
        if path is None:
            return
        try:
            self.export_chart(path)
        except StudyError as exc:
            QMessageBox.warning(self, "Cannot export the chart", str(exc))
