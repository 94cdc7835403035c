"""The export gate's verdict in the status bar, worked out while the analyst is idle.

A few seconds after the project last changed (an edit, an undo, an import, a colleague's commit)
the gate's whole pass (``exchange.gate.precheck``) runs on a worker thread. The status bar then
says whether anything stands in the way of an export — the first word and why, with a link to
File ▸ Review identifiers… — and the pass's verdict is kept in the project as every pass's is
(``storage.text_changes``), so the next export only searches its own file.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QLabel

from workbench.coding.words import shown
from workbench.exchange.gate import NO_KEY_NOTE, Precheck, precheck
from workbench.storage.project import Project
from workbench.ui.exchange import ExchangeTask
from workbench.ui.key_location import remembered

IDLE_MS = 3000
"""How long the project must stay unchanged before the gate looks (typing never waits on it)."""
CLEAR = "#2f6b3b"
REFUSED = "#9b2c2c"


class GateStatus(QObject):
    """A label for the status bar and the worker that fills it."""

    def __init__(
        self,
        review: Callable[[], object],
        own_write: Callable[[], object],
        parent: QObject | None = None,
    ) -> None:
        """``review``: open Review identifiers…; ``own_write``: the pass wrote its verdict into
        the project (a commit the window must not take for a colleague's)."""
        super().__init__(parent)
        self.own_write = own_write
        self.project: Project | None = None
        self.label = QLabel()
        self.label.setObjectName("gateStatus")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setContentsMargins(8, 0, 24, 0)  # apart from the project's name beside it
        self.label.linkActivated.connect(lambda _link: review())
        self.label.hide()
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(IDLE_MS)
        self.timer.timeout.connect(self.look)
        self.task: ExchangeTask | None = None
        self._again = False
        """The project changed while the pass ran: look again when it ends."""
        self.verdict: Precheck | None = None
        """What the last pass found (None before the first)."""

    def changed(self, project: Project | None) -> None:
        """The project (or which one is open) changed: look once it has been idle a while."""
        if project is not self.project:
            self.stop()
            self.project = project
            self.verdict = None
            self.label.setVisible(project is not None)
            self.label.setText("Exports: not checked yet")
            self.label.setToolTip("")
        if project is not None:
            self.timer.start()

    def stop(self) -> None:
        """No more looking at this project (it is about to close): a pass under way ends first."""
        self.timer.stop()
        self._again = False
        if self.task is not None:
            self.task.wait()
            self.task.deleteLater()
            self.task = None

    def look(self) -> None:
        project = self.project
        if project is None:
            return
        if self.task is not None:
            self._again = True
            return
        key = remembered(project)  # where the analyst said the key is; else beside the file
        self.task = ExchangeTask(lambda: precheck(project, key), self)
        self.task.ended.connect(self._found)
        self.task.failed.connect(self._not_checked)
        self.task.start()

    def _ended(self) -> bool:
        """The worker is done; False when its result is for a project no longer open."""
        task, self.task = self.task, None
        if task is not None:
            task.wait()
            task.deleteLater()  # one worker a pass: none kept once done
        if self._again:
            self._again = False
            self.timer.start()
        return task is not None

    def _found(self, checked: object) -> None:
        if not self._ended() or not isinstance(checked, Precheck):
            return
        if checked.kept:
            self.own_write()
        self.verdict = checked
        notes = "\n".join(checked.notes)
        if not checked.standing and NO_KEY_NOTE in checked.notes:
            self.label.setText("Exports: no suggestion in the way (not checked against a key)")
            self.label.setToolTip(
                "No suggested identifier nobody reviewed stands in the project's text. Without "
                "the key (beside the project file, or a team's key holder's login) the key's "
                "redacted originals, accepted identifiers and watch list were not looked for; "
                "an export given the key checks them.\n" + notes
            )
            return
        if not checked.standing:
            self.label.setText(f'<span style="color:{CLEAR}">Exports: nothing in the way</span>')
            self.label.setToolTip(
                "No identifier the gate knows of stands in the project's text; each export "
                "still searches its own file." + (f"\n{notes}" if notes else "")
            )
            return
        first = checked.standing[0]
        more = f" and {len(checked.standing) - 1} more" if len(checked.standing) > 1 else ""
        self.label.setText(
            f'<span style="color:{REFUSED}">Exports refused: “{shown(first.word)}”{more}</span>'
            ' — <a href="review">Review identifiers…</a>'
        )
        self.label.setToolTip(
            "\n".join(f"{shown(w.word)}: {w.why}, in {w.where}" for w in checked.standing[:12])
            + (f"\n{notes}" if notes else "")
        )

    def _not_checked(self, reason: str) -> None:
        if not self._ended():
            return
        self.label.setText("Exports: not checked")
        self.label.setToolTip(f"The export gate could not look through the project: {reason}")
