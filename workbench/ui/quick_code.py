"""The quick-code box: type a few letters of a code, Enter applies it — no hunting in menus."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.domain.coding import CodeInfo

CREATE_ROLE = Qt.ItemDataRole.UserRole + 1


def rank_codes(codes: Sequence[CodeInfo], recent: Sequence[str], typed: str) -> list[str]:
    """Code paths matching ``typed``: recent codes first, then names starting with it, then the
    rest that contain it anywhere in their path; alphabetical within each group."""
    needle = typed.strip().casefold()
    order = {path: i for i, path in enumerate(recent)}
    scored: list[tuple[int, int, str]] = []
    for code in codes:
        name, path = code.name.casefold(), code.path.casefold()
        if needle and needle not in path:
            continue
        if code.path in order:
            group, tie = 0, order[code.path]
        elif needle and name.startswith(needle):
            group, tie = 1, 0
        else:
            group, tie = 2, 0
        scored.append((group, tie, code.path))
    return [path for _, _, path in sorted(scored, key=lambda t: (t[0], t[1], t[2].casefold()))]


def place(size: QSize, line: QRect, area: QRect) -> QPoint:
    """Where a popup of ``size`` goes for the text ``line`` (the cursor's rectangle): below it,
    or above it when there is no room below, and never past ``area`` (the window)."""
    x = min(line.left(), area.right() + 1 - size.width())
    y = line.bottom() + 1
    if y + size.height() > area.bottom() + 1 and line.top() - size.height() >= area.top():
        y = line.top() - size.height()
    y = min(y, area.bottom() + 1 - size.height())
    return QPoint(max(x, area.left()), max(y, area.top()))


class QuickCodeBox(QFrame):
    """A small popup: a line to type in and the matching codes below it."""

    chosen = Signal(str, bool)
    """The code path, and whether it is a new code to create first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("quickCode")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.codes: list[CodeInfo] = []
        self.recent: list[str] = []
        self.hint = QLabel("Code the selection — type to find, ↑↓ to choose, Enter to apply")
        self.hint.setObjectName("quickCodeHint")
        self.line = QLineEdit()
        self.line.setPlaceholderText("Code name…")
        self.line.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.list.setUniformItemSizes(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.hint)
        layout.addWidget(self.line)
        layout.addWidget(self.list)
        self.resize(420, 320)
        self.line.textChanged.connect(self._fill)
        self.line.installEventFilter(self)
        self.list.itemActivated.connect(self._activate)

    def open_for(
        self, codes: Sequence[CodeInfo], recent: Sequence[str], colours: dict[str, str]
    ) -> None:
        self.codes = list(codes)
        self.recent = [r for r in recent if any(c.path == r for c in codes)]
        self.colours = colours
        self.line.clear()
        self._fill("")
        self.show()
        self.line.setFocus()

    def _fill(self, typed: str) -> None:
        self.list.clear()
        for path in rank_codes(self.codes, self.recent, typed):
            item = QListWidgetItem(("★ " if path in self.recent else "") + path)
            item.setData(Qt.ItemDataRole.UserRole, path)
            colour = self.colours.get(path)
            if colour:
                item.setForeground(QColor(colour).darker(130))
            self.list.addItem(item)
        name = typed.strip()
        if name and not any(c.path.casefold() == name.casefold() for c in self.codes):
            item = QListWidgetItem(f"＋ New code “{name}”")
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setData(CREATE_ROLE, True)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.line and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                step = 1 if key == Qt.Key.Key_Down else -1
                row = min(max(self.list.currentRow() + step, 0), self.list.count() - 1)
                self.list.setCurrentRow(row)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                item = self.list.currentItem()
                if item is not None:
                    self._activate(item)
                return True
            if key == Qt.Key.Key_Escape:
                self.hide()
                return True
        return super().eventFilter(watched, event)

    def _activate(self, item: QListWidgetItem) -> None:
        path = str(item.data(Qt.ItemDataRole.UserRole))
        create = bool(item.data(CREATE_ROLE))
        self.hide()
        self.chosen.emit(path, create)
