"""The window's keys for F1, read from the actions themselves so the list cannot drift.

The menus' actions come first, as the menus show them; then every other action in the window
with a shortcut (the view buttons, the code tree's own keys); then the keys handled without an
action (a theme card's Alt+↑/↓, the transcript's Enter, Backspace, Ctrl+click, Alt+drag), from
the tables those widgets act on."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QMainWindow,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

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
        keys = ", ".join(
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


class ShortcutsDialog(QDialog):
    """The F1 list: a table to scroll, sized to the window (deleted when closed)."""

    def __init__(self, window: QWidget, rows: list[tuple[str, str, str]]) -> None:
        super().__init__(window)
        self.setObjectName("shortcuts")
        self.setWindowTitle("Keyboard shortcuts")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.table = QTableWidget(len(rows), 3)
        self.table.setHorizontalHeaderLabels(["Where", "Action", "Keys"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        bold = self.table.font()
        bold.setBold(True)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem(value)
                if c == 2:
                    item.setFont(bold)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
        self.table.setCurrentCell(-1, -1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(close)
        width = sum(self.table.columnWidth(c) for c in range(3)) + 60
        self.resize(width, min(window.height() - 80, 720))

    def rows(self) -> list[tuple[str, str, str]]:
        """What the table shows, row by row."""

        def cell(r: int, c: int) -> str:
            item = self.table.item(r, c)
            return item.text() if item is not None else ""

        return [(cell(r, 0), cell(r, 1), cell(r, 2)) for r in range(self.table.rowCount())]
