"""The case-ordered summary matrix of one theme, beside the heat map (Miles & Huberman).

One row per participant, grouped by dyad (patient first); the waves across, with weeks in
treatment and sessions under each; in each cell the analyst's summary and the quotes pinned
there; then what changed and the through-line (the analyst's trajectory and its note). The same
table the docx and xlsx exports write (``exchange.case_matrix``), read for one theme.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workbench.coding.themes import list_themes
from workbench.domain.study import StudyError
from workbench.exchange.case_matrix import (
    DYADIC_HEADERS,
    MISSING,
    CaseMatrix,
    case_matrices,
    dyadic_comparisons,
)
from workbench.storage.project import Project
from workbench.ui import theme as house

_Index = QModelIndex | QPersistentModelIndex
EMPTY_HINT = (
    "No summaries or pinned quotes yet: open a cell below the heat map to write its summary "
    "and pin quotes."
)
FOOTNOTE = (
    "Each row is a participant, grouped by dyad; each wave holds your summary of the cell and "
    f"the quotes pinned there. {MISSING} marks a wave not observed, with the reason. What changed "
    "and the through-line are your trajectory and its note."
)
DYADIC_FOOTNOTE = (
    "Each row is a dyad at a wave: the patient and the clinician side by side, each with your "
    f"summary and the quotes pinned for them ({MISSING} and the reason when one was not "
    "observed; never added together), then your stance on the dyad and its note."
)
BY_PARTICIPANT, BY_DYAD = "Participants", "Dyads, side by side"


class CaseMatrixModel(QAbstractTableModel):
    """A case-ordered matrix as a table: its headers across, its rows down (the dyad named once,
    on its first row)."""

    def __init__(self) -> None:
        super().__init__()
        self.matrix: CaseMatrix | None = None

    def set_matrix(self, matrix: CaseMatrix | None) -> None:
        self.beginResetModel()
        self.matrix = matrix
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.matrix is None else len(self.matrix.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.matrix is None else len(self.matrix.headers)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.matrix is None:
            return None
        row, column = index.row(), index.column()
        text = self.matrix.rows[row][column]
        # A wave not observed: the cell's own "–"; in the dyadic table, every member's
        # ("P01: – (no interview)").
        missing = text.startswith(MISSING)
        if self.matrix.headers == DYADIC_HEADERS and column in (2, 3) and text:
            missing = all(line.partition(": ")[2].startswith(MISSING) for line in text.split("\n"))
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0 and row > 0 and self.matrix.rows[row - 1][0] == text:
                return ""  # the dyad is named on its first row only
            return text
        if role == Qt.ItemDataRole.ToolTipRole:
            return text or None
        if role == Qt.ItemDataRole.ForegroundRole and missing:
            return QColor(house.current().muted)
        if role == Qt.ItemDataRole.BackgroundRole and missing:
            return QBrush(QColor(house.current().panel))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role != Qt.ItemDataRole.DisplayRole
            or orientation != Qt.Orientation.Horizontal
            or self.matrix is None
            or section >= len(self.matrix.headers)
        ):
            return None
        return self.matrix.headers[section]


class CaseMatrixView(QWidget):
    """The chosen theme's case-ordered matrix; the heat map sets the theme of the cell opened."""

    def __init__(self) -> None:
        super().__init__()
        self.project: Project | None = None
        self.model = CaseMatrixModel()
        self.theme = QComboBox()
        self.theme.setObjectName("caseTheme")
        self.theme.setMinimumContentsLength(18)
        self.theme.currentIndexChanged.connect(lambda _: self.refresh())
        self.rows = QComboBox()
        self.rows.setObjectName("caseRows")
        self.rows.addItems([BY_PARTICIPANT, BY_DYAD])
        self.rows.setToolTip("A row per participant, or per dyad and wave with both members")
        self.rows.currentIndexChanged.connect(lambda _: self.refresh())
        self.table = QTableView()
        self.table.setObjectName("caseMatrix")
        self.table.setModel(self.model)
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.status = QLabel()
        self.status.setObjectName("footnote")
        self.status.setWordWrap(True)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(QLabel("Theme"))
        top.addWidget(self.theme)
        top.addSpacing(12)
        top.addWidget(QLabel("Rows"))
        top.addWidget(self.rows)
        top.addWidget(self.status, 1)
        self.footer = footer = QLabel(FOOTNOTE)
        footer.setObjectName("footnote")
        footer.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(footer)

    def set_project(self, project: Project | None, theme: str | None = None) -> None:
        """Read the project's themes (keeping the one chosen, else ``theme``) and the matrix."""
        self.project = project
        chosen = theme or self.theme.currentText()
        names = [t.name for t in list_themes(project)] if project is not None else []
        self.theme.blockSignals(True)
        self.theme.clear()
        self.theme.addItems(names)
        if chosen in names:
            self.theme.setCurrentIndex(names.index(chosen))
        self.theme.blockSignals(False)
        self.refresh()

    def show_theme(self, theme: str) -> None:
        if theme != self.theme.currentText() and self.theme.findText(theme) >= 0:
            self.theme.setCurrentIndex(self.theme.findText(theme))  # refreshes

    def refresh(self) -> None:
        name = self.theme.currentText()
        if self.project is None or not name:
            self.model.set_matrix(None)
            self.status.setText(
                "No theme yet: make one on the theme board." if self.project else ""
            )
            return
        dyadic = self.rows.currentText() == BY_DYAD
        self.footer.setText(DYADIC_FOOTNOTE if dyadic else FOOTNOTE)
        try:
            read = dyadic_comparisons if dyadic else case_matrices
            found = read(self.project, theme=name)
        except StudyError as exc:
            self.model.set_matrix(None)
            self.status.setText(str(exc))
            return
        matrix = found[0] if found else None
        self.model.set_matrix(matrix)
        written = matrix is not None and any(
            cell and not cell.startswith(MISSING) for row in matrix.rows for cell in row[2:]
        )
        rows = len(matrix.rows) if matrix is not None else 0
        counted = f"{rows} dyad waves" if dyadic else f"{rows} participants"
        self.status.setText(counted + ("" if written else f"  ·  {EMPTY_HINT}"))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        widths = (60, 90, 260, 260, 110) if dyadic else (70, 70)
        for column in range(self.model.columnCount()):
            header.resizeSection(column, widths[column] if column < len(widths) else 190)
        header.setStretchLastSection(True)
