"""The window's keys for F1, read from the actions themselves so the list cannot drift.

The menus' actions come first, as the menus show them; then every other action in the window
with a shortcut (the view buttons, the code tree's own keys); then the keys handled without an
action (a theme card's Alt+↑/↓, the transcript's Enter, Backspace, Ctrl+click, Alt+drag), from
the tables those widgets act on."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QMessageBox, QToolBar, QWidget

from workbench.ui.editor import EDITOR_KEYS
from workbench.ui.theme_board import BOARD_KEYS


def _place(action: QAction) -> str:
    """Where an action outside the menus lives: its tool bar or its dock, as the window says."""
    for owner in action.associatedObjects():
        if isinstance(owner, QToolBar):
            return owner.windowTitle()
    widget = action.parent()
    while isinstance(widget, QWidget):
        if isinstance(widget, QDockWidget):
            return widget.windowTitle()
        widget = widget.parentWidget()
    return "Window"


def window_shortcuts(window: QMainWindow) -> list[tuple[str, str, str]]:
    """(where, action, keys) for every key in ``window``; an action is named by its ``label``
    property when it has one (Undo, not its live "Undo code …" text)."""
    found: list[tuple[str, str, str]] = []
    seen: set[int] = set()

    def add(action: QAction, where: str) -> None:
        seen.add(id(action))
        label = action.property("label") or action.text()
        text = str(label).replace("&", "").rstrip("…").split("\t")[0]
        keys = " or ".join(
            k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()
        )
        found.append((where, text, keys))

    def walk(menu: QMenu, where: str) -> None:
        for action in menu.actions():
            sub = action.menu()
            if isinstance(sub, QMenu):
                walk(sub, f"{where} ▸ {sub.title().replace('&', '')}")
            elif action.shortcuts():
                add(action, where)

    for top in window.menuBar().actions():
        menu = top.menu()
        if isinstance(menu, QMenu):
            walk(menu, menu.title().replace("&", ""))
    for action in window.findChildren(QAction):
        if action.shortcuts() and id(action) not in seen:
            add(action, _place(action))
    found += [("Theme board", text, keys) for text, keys, _ in BOARD_KEYS]
    found += [("Transcript", text, keys) for text, keys in EDITOR_KEYS]
    return found


def shortcuts_box(window: QWidget, rows: list[tuple[str, str, str]]) -> QMessageBox:
    """The F1 list (deleted when closed)."""
    table = "".join(
        f"<tr><td>{where}</td><td>{text}</td><td><b>{keys}</b></td></tr>"
        for where, text, keys in rows
    )
    box = QMessageBox(window)
    box.setObjectName("shortcuts")
    box.setWindowTitle("Keyboard shortcuts")
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(
        "<table cellspacing=0 cellpadding=3><tr><th align=left>Where</th><th align=left>"
        f"Action</th><th align=left>Keys</th></tr>{table}</table>"
    )
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return box
