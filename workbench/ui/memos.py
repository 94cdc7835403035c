"""The memo panel: memos about the open interview, the selected code or the project, and the
analyst's reflexive journal — written beside the data, every change undoable.

Typed text is never lost: a refresh (any change in the project, a colleague's commit) keeps a
memo being written, and moving to another interview, code, scope, memo or project first saves
it where it was being written (``commit_pending``)."""

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
        self.scope.currentIndexChanged.connect(lambda _i: self._retarget())
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
        self._shown_target: str | None = None
        """The target the list and the text box are about (``_target`` as last shown)."""
        self.reveal: Callable[[str], str] | None = None
        """A key holder's originals shown in place of placeholders (read only), or None."""
        self.refresh()

    def set_reveal(self, reveal: Callable[[str], str] | None) -> None:
        """Show memos and the journal with the originals (``redaction.originals_reader``), read
        only; None: the stored, pseudonymised text again, editable."""
        self.commit_pending()
        self.reveal = reveal
        self.refresh()

    # --- context -----------------------------------------------------------------------------

    def set_project(self, project: Project | None) -> None:
        """Show ``project``'s memos. The window saves a memo being written
        (``commit_pending``) before it closes the project it was written in."""
        if project is not self.project:
            self.text.document().setModified(False)
            self._shown_target = None
        self.project = project
        self.interview = self.code = None
        self.refresh()

    def set_context(self, *, interview: str | None = None, code: str | None = None) -> None:
        """The open interview or the selected code changed: a memo being written about the
        shown target stays (a code chosen while writing about the interview) unless the target
        itself changes, when it is saved where it was written."""
        if interview is not None:
            self.interview = interview
        if code is not None:
            self.code = code
        if self._target() != self._shown_target:
            self.commit_pending()
        self.refresh()

    def _retarget(self) -> None:
        """Another scope chosen: what was being written is saved where it was written."""
        self.commit_pending()
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
        """Read the list again. A memo being written for the same target stays in the box,
        unsaved, with the memo it edits."""
        target = self._target()
        kept = (
            (self.text.toPlainText(), self._editing, self._read_text)
            if self.has_pending() and target == self._shown_target
            else None
        )
        self._shown_target = target
        self.list.blockSignals(True)
        self.list.clear()
        self.list.blockSignals(False)
        self._editing = None
        self._set_text("")
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
        if kept is not None:
            text, self._editing, self._read_text = kept
            self.text.setPlainText(text)
            self.text.document().setModified(True)  # still the analyst's, unsaved
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
        if self.has_pending():
            key = item.data(Qt.ItemDataRole.UserRole)
            if not self.commit_pending():
                return  # refused (said why): the typed text stays in the box
            for row in range(self.list.count()):  # the list was read again: the same memo
                again = self.list.item(row)
                if key is not None and again.data(Qt.ItemDataRole.UserRole) == key:
                    self.list.setCurrentItem(again)
            return
        self._editing = item.data(Qt.ItemDataRole.UserRole)
        self._read_text = str(item.data(Qt.ItemDataRole.UserRole + 1))
        reveal = self.reveal
        self._set_text(reveal(self._read_text) if reveal else self._read_text)

    def _set_text(self, text: str) -> None:
        """Put ``text`` in the box as read from the project (not the analyst's typing)."""
        self.text.setPlainText(text)
        self.text.document().setModified(False)

    def has_pending(self) -> bool:
        """Whether the box holds words the analyst typed and has not saved."""
        return (
            self.reveal is None
            and self.text.document().isModified()
            and bool(self.text.toPlainText().strip())
        )

    def commit_pending(self) -> bool:
        """Save what the analyst typed and has not saved, where it was being written (before the
        panel moves elsewhere). A memo a colleague changed meanwhile is kept as a new memo
        beside theirs, never dropped. True when nothing was left unsaved."""
        if not self.has_pending() or self.project is None or self._shown_target is None:
            return True
        return self._save_to(self._shown_target, quiet=True)

    # --- changing ----------------------------------------------------------------------------

    def new(self) -> None:
        self.commit_pending()
        self.list.clearSelection()
        self._editing = None
        self._set_text("")
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
        self.text.document().setModified(False)  # saved: the list shows it now
        self.refresh()
        return True

    def save(self) -> bool:
        if self.reveal is not None:  # the originals on screen must never be written back
            self.message.emit("Originals are shown read only: View ▸ Show originals to edit.")
            return False
        target = self._target()
        if target is None or not self.text.toPlainText().strip():
            self.message.emit("Write something first.")
            return False
        return self._save_to(target, quiet=False)

    def _save_to(self, target: str, *, quiet: bool) -> bool:
        """Save the box's text about ``target``. ``quiet`` (saved on the analyst's behalf,
        before moving on): an edit a colleague's newer text refuses becomes a new memo beside
        it; otherwise the refusal is shown and the typed text stays in the box."""
        text = self.text.toPlainText().strip()
        if target == "journal":
            return self._run(lambda p: add_journal_entry(p, text))
        editing = self._editing
        if editing:
            read = self._read_text
            saved = self._run(lambda p: edit_memo(p, editing, text=text, expected_text=read))
            if saved or not quiet:
                return saved
            self.message.emit(
                "A colleague changed that memo meanwhile: your text was kept as a new memo"
            )
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
