"""The memo panel: memos about the open interview, the selected code or the project, and the
analyst's reflexive journal — written beside the data, every change undoable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
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

from workbench.coding.memos import (
    add_journal_entry,
    add_memo,
    delete_memo,
    edit_memo,
    list_journal,
    list_memos,
)
from workbench.coding.undo import Change
from workbench.domain.study import StudyError
from workbench.storage.project import Project

SCOPES = (
    ("interview", "This interview"),
    ("code", "The selected code"),
    ("project", "The project"),
    ("journal", "My reflexive journal"),
)


class MemoPanel(QWidget):
    changed = Signal(object)
    """A ``Change`` the panel made (the window puts it on the undo stack)."""
    message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.interview: str | None = None
        self.code: str | None = None
        self.scope = QComboBox()
        for key, label in SCOPES:
            self.scope.addItem(label, key)
        self.scope.currentIndexChanged.connect(lambda _i: self.refresh())
        self.about = QLabel()
        self.about.setObjectName("memoAbout")
        self.about.setWordWrap(True)
        self.list = QListWidget()
        self.list.currentItemChanged.connect(lambda item, _old: self._show(item))
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText("Write a memo… (Ctrl+Return saves)")
        self.new_button = QPushButton("New")
        self.new_button.clicked.connect(self.new)
        self.save_button = QPushButton("Save")
        self.save_button.clicked.connect(self.save)
        self.delete_button = QPushButton("Delete")
        self.delete_button.clicked.connect(self.delete)
        save_key = QShortcut(QKeySequence("Ctrl+Return"), self.text)
        save_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        save_key.activated.connect(self.save)
        buttons = QHBoxLayout()
        for button in (self.new_button, self.save_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.text, 1)
        bottom_layout.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.list)
        splitter.addWidget(bottom)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.scope)
        layout.addWidget(self.about)
        layout.addWidget(splitter, 1)
        self._editing: str | None = None
        self._read_text = ""
        self.reveal: Callable[[str], str] | None = None
        """A key holder's originals shown in place of placeholders (read only), or None."""
        self.refresh()

    def set_reveal(self, reveal: Callable[[str], str] | None) -> None:
        """Show memos and the journal with the originals (``redaction.originals_reader``), read
        only; None: the stored, pseudonymised text again, editable."""
        self.reveal = reveal
        self.refresh()

    # --- context -----------------------------------------------------------------------------

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.interview = self.code = None
        self.refresh()

    def set_context(self, *, interview: str | None = None, code: str | None = None) -> None:
        if interview is not None:
            self.interview = interview
        if code is not None:
            self.code = code
        self.refresh()

    def _target(self) -> str | None:
        key = self.scope.currentData()
        if key == "interview":
            return f"interview:{self.interview}" if self.interview else None
        if key == "code":
            return f"code:{self.code}" if self.code else None
        return str(key)

    # --- showing -----------------------------------------------------------------------------

    def refresh(self) -> None:
        self.list.clear()
        self._editing = None
        self.text.clear()
        target = self._target()
        journal = target == "journal"
        self.about.setText(
            "Choose an interview or a code first."
            if target is None
            else ("Dated notes on your own position and reactions." if journal else target)
        )
        enabled = self.project is not None and target is not None
        for widget in (self.new_button, self.save_button, self.text, self.list):
            widget.setEnabled(enabled)
        self.delete_button.setEnabled(enabled and not journal)
        if self.reveal is not None:  # reading originals: nothing is written from here
            for widget in (self.new_button, self.save_button, self.delete_button):
                widget.setEnabled(False)
        self.text.setReadOnly(self.reveal is not None)
        shown = self.reveal or (lambda text: text)
        if not enabled or self.project is None or target is None:
            return
        try:
            if journal:
                for entry in list_journal(self.project):
                    first = _first_line(shown(entry.text))
                    item = QListWidgetItem(f"{entry.date.isoformat()} — {first}")
                    item.setData(Qt.ItemDataRole.UserRole, None)
                    item.setData(Qt.ItemDataRole.UserRole + 1, entry.text)
                    self.list.addItem(item)
            else:
                for memo in list_memos(self.project, about=target):
                    title = shown(memo.title or _first_line(memo.text))
                    who = f" · {memo.coder}" if memo.coder else ""
                    item = QListWidgetItem(f"{title}{who} · {memo.updated_at:%Y-%m-%d}")
                    item.setData(Qt.ItemDataRole.UserRole, memo.id)
                    item.setData(Qt.ItemDataRole.UserRole + 1, memo.text)
                    self.list.addItem(item)
        except StudyError as exc:
            self.message.emit(str(exc))

    def _show(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        self._editing = item.data(Qt.ItemDataRole.UserRole)
        self._read_text = str(item.data(Qt.ItemDataRole.UserRole + 1))
        reveal = self.reveal
        self.text.setPlainText(reveal(self._read_text) if reveal else self._read_text)

    # --- changing ----------------------------------------------------------------------------

    def new(self) -> None:
        self.list.clearSelection()
        self._editing = None
        self.text.clear()
        self.text.setFocus()

    def _run(self, func: Callable[[Project], Any]) -> bool:
        if self.project is None:
            return False
        try:
            result = func(self.project)
        except StudyError as exc:
            self.message.emit(str(exc))
            return False
        change = result[1] if isinstance(result, tuple) else result
        if isinstance(change, Change):
            self.changed.emit(change)
        self.refresh()
        return True

    def save(self) -> bool:
        if self.reveal is not None:  # the originals on screen must never be written back
            self.message.emit("Originals are shown read only: View ▸ Show originals to edit.")
            return False
        target = self._target()
        text = self.text.toPlainText().strip()
        if target is None or not text:
            self.message.emit("Write something first.")
            return False
        if target == "journal":
            return self._run(lambda p: add_journal_entry(p, text))
        editing = self._editing
        if editing:
            # A colleague's newer text is refused, not overwritten; the typed text stays here.
            read = self._read_text
            return self._run(lambda p: edit_memo(p, editing, text=text, expected_text=read))
        return self._run(lambda p: add_memo(p, text, about=target))

    def delete(self) -> bool:
        if self.reveal is not None:
            self.message.emit("Originals are shown read only: View ▸ Show originals to edit.")
            return False
        editing = self._editing
        if not editing:
            self.message.emit("Choose a memo to delete.")
            return False
        return self._run(lambda p: delete_memo(p, editing))


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= 60 else line[:59] + "…"
