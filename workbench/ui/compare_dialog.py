"""Compare analysts: two analysts' readings side by side, and the team's decision on one.

The dialog shows what ``analysis.compare`` finds (per interview and code: stretches both coded,
only A, only B, with the words); agreement figures appear only when asked for, with the caution
reflexive TA needs beside them. With a reading selected, the team records a consensus decision
and its rationale (``coding.consensus.record_consensus``, as ``workbench consensus`` does): one
step on the window's undo stack (``decided`` hands the change to the window).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.analysis.agreement import Agreement, agreement
from workbench.analysis.compare import Comparison, Reading, analysts, compare
from workbench.coding.consensus import record_consensus
from workbench.domain.coding import CONSENSUS_DECISIONS
from workbench.domain.study import StudyError
from workbench.storage.project import Project

COLUMNS = ("Interview · code / reading", "Span", "Words", "Text")
DECISION_LABELS = dict(
    zip(
        CONSENSUS_DECISIONS,
        ("Keep A's", "Keep B's", "Keep both", "Neither", "Merge into one span"),
        strict=True,
    )
)
ROLE = Qt.ItemDataRole.UserRole
Choice = tuple[str, str, str | None, str | None]
"""(interview, code, A's coding id, B's coding id): what a decision is about."""


def _line(text: str) -> str:
    return " ".join(text.split())


class CompareDialog(QDialog):
    """Pick analyst A and B, compare; optionally show the agreement figures; decide."""

    decided = Signal(object)
    """A consensus decision was recorded: its ``Change``, for the window's undo stack."""
    sides = Signal(str, str)
    """Show A's and B's stripes side by side in the transcript."""

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare analysts")
        self.resize(900, 560)
        self.project = project
        names = analysts(project)
        self.coder_a, self.coder_b = QComboBox(), QComboBox()
        self.coder_a.addItems(names)
        self.coder_b.addItems(names)
        if len(names) > 1:
            self.coder_b.setCurrentIndex(1)
        self.show_stats = QCheckBox("Agreement figures")
        self.compare_button = QPushButton("Compare")
        self.compare_button.clicked.connect(self.refresh)
        picks = QHBoxLayout()
        for label, widget in (("Analyst A", self.coder_a), ("Analyst B", self.coder_b)):
            picks.addWidget(QLabel(label))
            picks.addWidget(widget, 1)
        picks.addWidget(self.show_stats)
        picks.addWidget(self.compare_button)

        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setColumnWidth(0, 260)
        self.summary = QLabel(
            "Readings side by side, to discuss where they differ."
            if len(names) > 1
            else "Fewer than two analysts have coded in this project."
        )
        self.summary.setWordWrap(True)
        self.stats = QLabel()
        self.stats.setWordWrap(True)
        self.stats.setVisible(False)
        self.tree.itemSelectionChanged.connect(self._update_decision)
        self.decision = QComboBox()
        for value, label in DECISION_LABELS.items():
            self.decision.addItem(label, value)
        self.rationale = QLineEdit()
        self.rationale.setPlaceholderText("Why the team decides so (kept in the audit trail)")
        self.rationale.textChanged.connect(self._update_decision)
        self.record_button = QPushButton("Record decision")
        self.record_button.clicked.connect(self.record)
        deciding = QHBoxLayout()
        deciding.addWidget(QLabel("Decision"))
        deciding.addWidget(self.decision)
        deciding.addWidget(self.rationale, 1)
        deciding.addWidget(self.record_button)
        self._update_decision()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        beside = buttons.addButton(
            "Side by side in the transcript", QDialogButtonBox.ButtonRole.ActionRole
        )
        beside.setToolTip("A's stripes on the left, B's on the right, in the transcript view")
        beside.setEnabled(len(names) > 1)
        beside.clicked.connect(self.show_beside)

        layout = QVBoxLayout(self)
        layout.addLayout(picks)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.stats)
        layout.addLayout(deciding)
        layout.addWidget(buttons)

    def show_beside(self) -> None:
        a, b = self.coder_a.currentText(), self.coder_b.currentText()
        if a and b and a != b:
            self.sides.emit(a, b)
            self.accept()
        else:
            self.summary.setText("Choose two different analysts.")

    def refresh(self) -> None:
        a, b = self.coder_a.currentText(), self.coder_b.currentText()
        self.tree.clear()
        self.stats.setVisible(False)
        try:
            found = compare(self.project, a, b)
            figures = agreement(self.project, a, b) if self.show_stats.isChecked() else None
        except StudyError as exc:
            self.summary.setText(str(exc))
            return
        self._fill(found)
        if figures is not None:
            self.stats.setText(self._figures(figures))
            self.stats.setVisible(True)

    def _fill(self, found: Comparison) -> None:
        shared = sum(len(r.both) for r in found.readings)
        alone = sum(len(r.only_a) + len(r.only_b) for r in found.readings)
        self.summary.setText(
            f"A = {found.coder_a}, B = {found.coder_b}: {shared} stretches both coded, "
            f"{alone} coded by one of them only, in {len(found.readings)} code × interview cells."
        )
        for r in found.readings:
            top = QTreeWidgetItem([f"{r.interview} · {r.code}"])
            self.tree.addTopLevelItem(top)
            for p in r.both:
                choice = (r.interview, r.code, p.a.coding, p.b.coding)
                item = QTreeWidgetItem(["both", f"{p.start}–{p.end}", str(p.words), _line(p.text)])
                item.setData(0, ROLE, choice)
                item.addChild(self._reading("A", p.a, choice))
                item.addChild(self._reading("B", p.b, choice))
                top.addChild(item)
            for x in r.only_a:
                top.addChild(self._reading("only A", x, (r.interview, r.code, x.coding, None)))
            for x in r.only_b:
                top.addChild(self._reading("only B", x, (r.interview, r.code, None, x.coding)))
            top.setExpanded(True)

    @staticmethod
    def _reading(label: str, x: Reading, choice: Choice) -> QTreeWidgetItem:
        item = QTreeWidgetItem(
            [f"{label} ({x.coder})", f"{x.start}–{x.end}", str(x.words), _line(x.text)]
        )
        item.setData(0, ROLE, choice)
        return item

    def selected_choice(self) -> Choice | None:
        items = self.tree.selectedItems()
        choice = items[0].data(0, ROLE) if items else None
        if not choice:
            return None
        interview, code, reading_a, reading_b = choice
        return str(interview), str(code), reading_a, reading_b

    def _update_decision(self) -> None:
        ready = self.selected_choice() is not None and bool(self.rationale.text().strip())
        self.record_button.setEnabled(ready)

    def record(self) -> None:
        """Record the chosen decision on the selected reading(s), then compare again."""
        choice = self.selected_choice()
        if choice is None:
            return
        interview, code, reading_a, reading_b = choice
        decision = str(self.decision.currentData())
        try:
            _, change = record_consensus(
                self.project,
                code,
                interview,
                reading_a=reading_a,
                reading_b=reading_b,
                decision=decision,
                rationale=self.rationale.text(),
            )
        except StudyError as exc:
            self.summary.setText(str(exc))
            return
        self.rationale.clear()
        self.decided.emit(change)
        self.refresh()
        self.summary.setText(f"Recorded: {change.description}. {self.summary.text()}")

    @staticmethod
    def _figures(figures: Agreement) -> str:
        def show(value: float | None, percent: bool = False) -> str:
            if value is None:
                return "–"
            return f"{100 * value:.1f}%" if percent else f"{value:.3f}"

        rows = [
            f"{c.code}: agreement {show(c.agreement, True)}, kappa {show(c.kappa)}, "
            f"alpha {show(c.alpha)}"
            for c in figures.codes
        ]
        return "\n".join(
            [
                f"Caution: {figures.caution}",
                f"Over {figures.words} words of {len(figures.interviews)} interview(s) both "
                f"coded ({figures.method}); pooled agreement {show(figures.agreement, True)}.",
                *rows,
            ]
        )
