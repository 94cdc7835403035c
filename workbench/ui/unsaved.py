"""Before the window closes its project: the analyst's typing is saved, and what a colleague's
newer text refused is asked about instead of being lost with the window.

A memo, cell summary or code definition typed and not saved is saved where it was written
(``commit_pending``). A summary or definition a colleague changed since the analyst read it is
never overwritten on their behalf: it was kept, and its refusal shown. Closing the window (or
opening another project) would drop it silently; here the analyst is asked, once for all of
them, whether theirs replaces the colleague's, or is discarded, or the window stays open.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from PySide6.QtWidgets import QMessageBox, QWidget

SAVE, DISCARD, CANCEL = "save", "discard", "cancel"


class Typing(Protocol):
    def commit_pending(self) -> bool: ...


class Keeping(Typing, Protocol):
    def unsaved(self) -> list[str]: ...

    def save_unsaved_over_theirs(self) -> list[str]: ...

    def discard_unsaved(self) -> None: ...


def ask(parent: QWidget, items: Sequence[str], why: str) -> str:
    """SAVE, DISCARD or CANCEL: what to do with ``items`` before ``why`` ("the window
    closes")."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Not saved: changed by a colleague")
    listed = "\n".join(f"• {item}" for item in items)
    box.setText(
        f"Before {why}: a colleague changed these since you read them, so yours were kept "
        f"and not saved.\n\n{listed}"
    )
    box.setInformativeText("Save yours in place of theirs, or discard yours?")
    save = box.addButton("Save mine over theirs", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("Discard mine", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    clicked = box.clickedButton()
    return SAVE if clicked is save else DISCARD if clicked is discard else CANCEL


def settle(parent: QWidget, typing: Sequence[Typing], keeping: Sequence[Keeping], why: str) -> bool:
    """Save what was typed; ask about what was refused. False: the analyst chose to stay (or
    theirs changed yet again and could not be saved: said, and they stay)."""
    for panel in (*typing, *keeping):
        panel.commit_pending()
    items = [item for panel in keeping for item in panel.unsaved()]
    if not items:
        return True
    answer = ask(parent, items, why)
    if answer == CANCEL:
        return False
    if answer == DISCARD:
        for panel in keeping:
            panel.discard_unsaved()
        return True
    failed = [item for panel in keeping for item in panel.save_unsaved_over_theirs()]
    if failed:
        QMessageBox.warning(
            parent,
            "Not saved",
            "Changed yet again while you decided, so not saved:\n\n"
            + "\n".join(f"• {item}" for item in failed),
        )
        return False
    return True
