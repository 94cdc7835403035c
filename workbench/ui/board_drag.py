"""The theme board's drag and drop: what a dragged chip or card carries, and where it may land.

A chip carries code paths and the theme they come from; a card carries its theme and the theme it
sits under. ``DropFrame`` takes dropped codes (a card, or the codes in no theme) and
``BoardBackground`` takes a subtheme dropped around the cards. They tell the board through the
small ``Board`` protocol (``ui.theme_board.ThemeBoard``), so this module imports no board.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QByteArray, QMimeData, QPoint, Qt, QTimer
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QMouseEvent,
    QPixmap,
)
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QMenu, QWidget

MIME_TYPE = "application/x-dyad-workbench-codes"
THEME_MIME_TYPE = "application/x-dyad-workbench-theme"


class Board(Protocol):
    """What the cards, chips and drop areas use of the board (``ui.theme_board.ThemeBoard``)."""

    def drop(self, dragged: Dragged, target: str | None, *, copy: bool = False) -> bool: ...
    def drop_theme(self, theme: str, target: str, *, before: bool = False) -> bool: ...
    def make_top_level(self, theme: str) -> bool: ...
    def change_status(self, theme: str, status: str) -> bool: ...
    def edit_theme(self, theme: str) -> bool: ...
    def step(self, theme: str, steps: int) -> bool: ...
    def select(self, theme: str | None, *, reveal: bool = False) -> None: ...
    def card_menu(self, theme: str) -> QMenu: ...


@dataclass(frozen=True, slots=True)
class Dragged:
    """What a chip carries: code paths and the theme they come from (None: no theme)."""

    codes: tuple[str, ...]
    source: str | None


def codes_mime(codes: list[str], source: str | None) -> QMimeData:
    mime = QMimeData()
    payload = json.dumps({"codes": codes, "source": source}, ensure_ascii=False)
    mime.setData(MIME_TYPE, QByteArray(payload.encode("utf-8")))
    mime.setText("\n".join(codes))
    return mime


@dataclass(frozen=True, slots=True)
class DraggedTheme:
    """What a dragged card carries: the theme and the theme it sits under (None: top level)."""

    name: str
    parent: str | None


def theme_mime(name: str, parent: str | None) -> QMimeData:
    mime = QMimeData()
    payload = json.dumps({"theme": name, "parent": parent}, ensure_ascii=False)
    mime.setData(THEME_MIME_TYPE, QByteArray(payload.encode("utf-8")))
    mime.setText(name)
    return mime


def read_theme_mime(mime: QMimeData) -> DraggedTheme | None:
    if not mime.hasFormat(THEME_MIME_TYPE):
        return None
    try:
        payload = json.loads(bytes(mime.data(THEME_MIME_TYPE).data()).decode("utf-8"))
        name = str(payload["theme"])
        parent = payload.get("parent")
    except (ValueError, KeyError, TypeError):
        return None
    return DraggedTheme(name, None if parent is None else str(parent))


def read_mime(mime: QMimeData) -> Dragged | None:
    if not mime.hasFormat(MIME_TYPE):
        return None
    try:
        payload = json.loads(bytes(mime.data(MIME_TYPE).data()).decode("utf-8"))
        codes = tuple(str(c) for c in payload["codes"])
        source = payload.get("source")
    except (ValueError, KeyError, TypeError):
        return None
    return Dragged(codes, None if source is None else str(source))


def drag_begins(pressed: QPoint | None, event: QMouseEvent) -> bool:
    """Whether the mouse, pressed at ``pressed``, has moved far enough to start a drag."""
    if pressed is None:
        return False
    moved = (event.position().toPoint() - pressed).manhattanLength()
    return moved >= QApplication.startDragDistance()


def drag_label(text: str, colour: str) -> QPixmap:
    label = QLabel(text)
    label.setStyleSheet(
        f"background: white; color: #1f2937; border: 1px solid {colour};"
        f"border-left: 4px solid {colour}; border-radius: 6px; padding: 5px 10px;"
        "font-weight: 600;"
    )
    label.adjustSize()
    return label.grab()


def _highlight(widget: QWidget, value: bool | str) -> None:
    mark(widget, "dropping", value)


def mark(widget: QWidget, name: str, value: bool | str) -> None:
    """Set a property the board's style sheet reads, and restyle the widget if it changed."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class DropFrame(QFrame):
    """A frame that takes dropped codes: a theme card, or the codes in no theme (target None)."""

    def __init__(self, board: Board, target: str | None) -> None:
        super().__init__()
        self.board = board
        self.target = target
        self.setAcceptDrops(True)

    def _wanted(self, event: QDragEnterEvent | QDragMoveEvent | QDropEvent) -> Dragged | None:
        dragged = read_mime(event.mimeData())
        if dragged is None or dragged.source == self.target:
            return None
        if self.target is None and dragged.source is None:
            return None
        return dragged

    def _theme_zone(self, event: QDragEnterEvent | QDragMoveEvent | QDropEvent) -> str | None:
        """Where a dragged card would go: "into" this theme, "before" it, "self" (nowhere: it is
        the card being dragged), or None (not wanted here)."""
        return None

    def _action(self, event: QDragMoveEvent | QDropEvent) -> Qt.DropAction:
        copy = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        return Qt.DropAction.CopyAction if copy else Qt.DropAction.MoveAction

    def _enter_or_move(self, event: QDragEnterEvent | QDragMoveEvent) -> None:
        zone = self._theme_zone(event)
        if zone is not None:
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
            _highlight(self, "before" if zone == "before" else zone == "into")
            return
        if self._wanted(event) is None:
            event.ignore()
            return
        event.setDropAction(self._action(event))
        event.accept()
        _highlight(self, True)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self._enter_or_move(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self._enter_or_move(event)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        _highlight(self, False)

    def dropEvent(self, event: QDropEvent) -> None:
        _highlight(self, False)
        zone = self._theme_zone(event)
        moved = read_theme_mime(event.mimeData())
        if zone is not None and moved is not None:
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
            if zone in ("into", "before") and self.target is not None:
                target = self.target
                QTimer.singleShot(
                    0, lambda: self.board.drop_theme(moved.name, target, before=zone == "before")
                )
            return
        dragged = self._wanted(event)
        if dragged is None:
            event.ignore()
            return
        action = self._action(event)
        event.setDropAction(action)
        event.accept()
        copy = action == Qt.DropAction.CopyAction
        # After the drag has finished: the rationale dialog and the rebuilt board must not run
        # inside the drag's own event loop, whose source chip the rebuild replaces.
        QTimer.singleShot(0, lambda: self.board.drop(dragged, self.target, copy=copy))


class BoardBackground(QWidget):
    """The space around the cards: a subtheme dropped here becomes a theme of its own."""

    def __init__(self, board: Board) -> None:
        super().__init__()
        self.board = board
        self.setObjectName("boardBackground")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setAcceptDrops(True)

    def _wanted(self, event: QDragEnterEvent | QDragMoveEvent | QDropEvent) -> str | None:
        moved = read_theme_mime(event.mimeData())
        return moved.name if moved is not None and moved.parent is not None else None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self.dragMoveEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._wanted(event) is None:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()
        _highlight(self, True)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        _highlight(self, False)

    def dropEvent(self, event: QDropEvent) -> None:
        _highlight(self, False)
        name = self._wanted(event)
        if name is None:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()
        QTimer.singleShot(0, lambda: self.board.make_top_level(name))
