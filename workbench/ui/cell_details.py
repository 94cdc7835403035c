"""What lies behind one theme × unit × wave cell: the analyst's summary and the coded segments."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from workbench.coding.queries import query_segments
from workbench.coding.readings import cell_summary, set_cell_summary
from workbench.domain.missing import missing_words
from workbench.domain.study import StudyError
from workbench.storage.project import Project
from workbench.ui.models import is_right_to_left


class CellDetails(QWidget):
    """The chosen cell: its segments on the left, the analyst's summary (editable) on the right."""

    def __init__(self, hint: str) -> None:
        super().__init__()
        self._hint = hint
        self._summary_read = ""
        """The summary as shown when the cell was chosen (what the analyst read)."""
        self.project: Project | None = None
        self.cell: tuple[str, str, str] | None = None
        """theme, unit ("study", "role:R", "participant:ID", "dyad:ID"), wave"""
        self.title = QLabel(hint)
        self.title.setObjectName("footnote")
        self.title.setWordWrap(True)
        self.segments = QListWidget()
        self.segments.setObjectName("segments")
        self.segments.setWordWrap(True)
        self.segments.setSpacing(3)
        self.segments.setAlternatingRowColors(True)
        self.summary = QPlainTextEdit()
        self.summary.setObjectName("cellSummary")
        self.summary.setPlaceholderText("Your summary of this cell: what the segments say here")
        self.summary.setEnabled(False)
        self.save = QPushButton("Save summary")
        self.save.setEnabled(False)
        self.save.clicked.connect(self.save_summary)
        self.message = QLabel()
        self.message.setObjectName("footnote")
        self.reveal: Callable[[str], str] | None = None
        """A key holder's originals shown in place of placeholders (read only), or None."""

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.summary, 1)
        row = QHBoxLayout()
        row.addWidget(self.message, 1)
        row.addWidget(self.save)
        right_layout.addLayout(row)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.segments)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(split, 1)

    def show_cell(
        self,
        project: Project,
        theme: str,
        unit: str,
        wave: str,
        *,
        dyad: str | None = None,
        missing: str | list[str] | None = None,
    ) -> None:
        """Read the cell's segments (the unit's attributed codings of the theme's codes at the
        wave; in a dyad, only interviews about it) and the summary written for it."""
        self.project, self.cell = project, (theme, unit, wave)
        kind, _, ref = unit.partition(":")
        found = query_segments(
            project,
            theme=theme,
            wave=wave,
            role=ref if kind == "role" else None,
            participant=ref if kind == "participant" else None,
            dyad=ref if kind == "dyad" else dyad,
        )
        label = "the whole study" if unit == "study" else ref
        if dyad is not None and kind == "participant":
            label = f"{ref} in {dyad}"
        title = f"{theme} · {label} · {wave}: {len(found)} segments"
        if missing is not None:
            title += f" (a missing wave, not a zero: {missing_words(missing)})"
        self.title.setText(title)
        self.segments.clear()
        for g in found:
            who = ", ".join(g.participants) or "nobody attributed"
            text = self.reveal(g.text) if self.reveal else g.text
            item = QListWidgetItem(f"{g.interview}  ·  {who}  [{g.code}]\n{text}")
            if is_right_to_left(g.text):  # Arabic or Farsi words sit at the right, as read
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.segments.addItem(item)
        summary = cell_summary(project, theme, unit, wave) or ""
        self._summary_read = summary
        self.summary.setPlainText(self.reveal(summary) if self.reveal else summary)
        self.summary.setEnabled(True)
        self.summary.setReadOnly(self.reveal is not None)
        self.save.setEnabled(self.reveal is None)
        self.message.setText("Originals shown (key holder): read only" if self.reveal else "")

    def set_reveal(self, reveal: Callable[[str], str] | None) -> None:
        """Originals on (a key holder's ``originals_reader``) or off: a cell on screen is put
        away, so no text of the other kind stays shown; the next cell chosen reads anew."""
        self.reveal = reveal
        if self.cell is not None:
            self.clear(self._hint)

    def save_summary(self) -> None:
        """Keep the summary (Edit ▸ Undo takes it back); an emptied box removes it."""
        if self.project is None or self.cell is None or self.reveal is not None:
            return  # the originals on screen are never written back
        theme, unit, wave = self.cell
        try:
            text, read = self.summary.toPlainText(), self._summary_read
            set_cell_summary(self.project, theme, unit, wave, text, expected=read)
        except StudyError as exc:
            self.message.setText(str(exc))
            return
        self._summary_read = text
        self.message.setText("Summary saved")

    def clear(self, hint: str) -> None:
        self.project, self.cell = None, None
        self.title.setText(hint)
        self.segments.clear()
        self.summary.clear()
        self.summary.setEnabled(False)
        self.save.setEnabled(False)
        self.message.clear()
