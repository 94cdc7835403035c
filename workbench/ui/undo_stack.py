"""Undo and redo in the window: a QUndoStack whose commands are the project's own history.

Every change the window makes is already a recorded command in the project (the same history
``workbench undo`` walks). The stack mirrors this session's changes so Qt's undo view, texts
and clean state work; undoing a step asks the core, which refuses if the rows moved on since
(another analyst, the command line) — then the stack steps back to where it was and the reason
is shown. Steps from earlier sessions, below the stack, are undone through the core directly.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from workbench.coding.undo import Change, redo, undo
from workbench.domain.study import StudyError
from workbench.storage.project import Project


class _CoreStep(QUndoCommand):
    def __init__(self, owner: ProjectUndo, description: str) -> None:
        super().__init__(description)
        self.owner = owner
        self.skip_redo = True  # the change is already made and committed
        self.skip_undo = False

    def redo(self) -> None:
        if self.skip_redo:
            self.skip_redo = False
            return
        self.owner.call(redo)

    def undo(self) -> None:
        if self.skip_undo:
            self.skip_undo = False
            return
        self.owner.call(undo)


class ProjectUndo(QObject):
    """Wraps the project's history for the window's Edit menu."""

    changed = Signal(str)
    """After an undo or redo: its description (the window refreshes what it shows)."""
    failed = Signal(str)
    recorded = Signal(str)
    """A change the window just made, in the words the window shows (the status bar)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.stack = QUndoStack(self)
        self.project: Project | None = None
        self._failed = False
        self.wording: Callable[[str], str] = lambda description: description
        """Says a core description as the window shows it (the words of a span, not its
        positions: see ``TranscriptPage.in_words``)."""

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.stack.clear()

    def record(self, change: Change) -> None:
        """Put a change the window just made on the stack."""
        text = self.wording(change.description)
        if change.undoable:
            self.stack.push(_CoreStep(self, text))
        self.recorded.emit(text)

    def call(self, func: Callable[[Project], Change]) -> None:
        if self.project is None:
            return
        try:
            change = func(self.project)
        except StudyError as exc:
            self._failed = True
            self.failed.emit(str(exc))
            return
        self.changed.emit(self.wording(change.description))

    def undo(self) -> None:
        if self.stack.canUndo():
            self._failed = False
            self.stack.undo()
            if self._failed:
                # The core refused: the step is still done, so the stack goes back over it.
                step = self.stack.command(self.stack.index())
                if isinstance(step, _CoreStep):
                    step.skip_redo = True
                self.stack.redo()
        else:  # steps from earlier sessions (or the command line): the core's own history
            self.call(undo)

    def redo(self) -> None:
        if self.stack.canRedo():
            self._failed = False
            self.stack.redo()
            if self._failed:
                step = self.stack.command(self.stack.index() - 1)
                if isinstance(step, _CoreStep):
                    step.skip_undo = True
                self.stack.undo()
        else:
            self.call(redo)
