"""The theme board's dialogs: the rationale a change keeps, a theme's edit, and a split."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from workbench.coding.themes import ThemeInfo


class SplitDialog(QDialog):
    """Split a new theme off one: its name, the codes that go to it, and why."""

    def __init__(self, parent: QWidget | None, theme: ThemeInfo) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Split a theme off '{theme.name}'")
        self.setMinimumWidth(480)
        self.name = QLineEdit()
        self.name.setPlaceholderText("The new theme's name")
        self.codes = QListWidget()
        for path in theme.codes:
            item = QListWidgetItem(path)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.codes.addItem(item)
        self.rationale = QLineEdit()
        self.rationale.setPlaceholderText("Why the split (kept in both themes' history)")
        form = QFormLayout()
        form.addRow("New theme", self.name)
        form.addRow("Codes that go to it", self.codes)
        form.addRow("Rationale", self.rationale)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setEnabled(False)
        for signal in (self.name.textChanged, self.rationale.textChanged):
            signal.connect(self._check)
        self.codes.itemChanged.connect(self._check)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def chosen(self) -> list[str]:
        items = (self.codes.item(i) for i in range(self.codes.count()))
        return [i.text() for i in items if i.checkState() == Qt.CheckState.Checked]

    def _check(self) -> None:
        self.ok.setEnabled(
            bool(self.name.text().strip() and self.rationale.text().strip() and self.chosen())
        )

    def split(self) -> ThemeSplit:
        return ThemeSplit(self.name.text().strip(), tuple(self.chosen()), self.rationale.text())


@dataclass(frozen=True, slots=True)
class ThemeSplit:
    name: str
    codes: tuple[str, ...]
    rationale: str


class RationaleDialog(QDialog):
    """Asks for the few words of rationale a theme change keeps in its history."""

    def __init__(self, parent: QWidget | None, what: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Why this change?")
        self.setMinimumWidth(440)
        label = QLabel(f"{what}\n\nA few words on why: the theme's history keeps them.")
        label.setWordWrap(True)
        self.text = QLineEdit()
        self.text.setPlaceholderText("e.g. about belonging, not about the clinic")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(False)
        self.text.textChanged.connect(lambda t: ok.setEnabled(bool(t.strip())))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.text)
        layout.addWidget(buttons)


@dataclass(frozen=True, slots=True)
class ThemeEdit:
    name: str
    concept: str
    definition: str
    rationale: str


class ThemeDialog(QDialog):
    """Edit a theme's name, central organising concept and definition, with a rationale."""

    def __init__(self, parent: QWidget | None, theme: ThemeInfo) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Theme: {theme.name}")
        self.setMinimumWidth(520)
        self.name = QLineEdit(theme.name)
        self.concept = QPlainTextEdit(theme.concept or "")
        self.concept.setPlaceholderText("The one idea that holds the theme together")
        self.concept.setFixedHeight(70)
        self.definition = QPlainTextEdit(theme.definition or "")
        self.definition.setFixedHeight(110)
        self.rationale = QLineEdit()
        self.rationale.setPlaceholderText("Why the change (kept in the theme's history)")
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Central organising concept", self.concept)
        form.addRow("Definition", self.definition)
        form.addRow("Rationale", self.rationale)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def edit(self) -> ThemeEdit:
        return ThemeEdit(
            self.name.text(),
            self.concept.toPlainText().strip(),
            self.definition.toPlainText().strip(),
            self.rationale.text().strip(),
        )
