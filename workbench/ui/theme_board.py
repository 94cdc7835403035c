"""The theme board: themes as cards holding their member codes as chips, subthemes inside.

Drag a chip onto another theme to move the code there; hold Ctrl to copy it instead (a code may
sit in several themes). Codes in no theme wait in their own column; dropping a chip there takes
the code out of the theme it came from. Drag a whole card (by its header or any free space) onto
another card to make it a subtheme there, onto a card's top edge to put it just before that card,
or onto the board's background to make a subtheme a theme of its own again; Alt+Up and Alt+Down
move the selected card among its siblings. A card's context menu merges, splits, nests and
reorders. Each change that shapes the analysis asks for a short rationale and goes through the
core's undoable commands, so Edit ▸ Undo restores it and the theme's history keeps who, when and
why. Double-click a card to edit its name, central organising concept and definition; its status
is changed from the card.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QMimeData,
    QPoint,
    QRect,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QDrag,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QIcon,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
    QWidgetItem,
)

from workbench.coding.codebook import list_codes
from workbench.coding.themes import (
    ThemeInfo,
    list_themes,
    merge_themes,
    move_codes,
    move_theme,
    reorder_theme,
    split_theme,
    update_theme,
)
from workbench.domain.coding import THEME_STATUSES, CodeInfo
from workbench.domain.study import StudyError
from workbench.storage.project import Project
from workbench.ui import theme as house

MIME_TYPE = "application/x-dyad-workbench-codes"
THEME_MIME_TYPE = "application/x-dyad-workbench-theme"
ACCENT = "#2a6f97"
STATUS_COLOURS = {
    "candidate": "#9aa1a9",
    "reviewed": "#c08a1e",
    "defined": "#2a6f97",
    "named": "#3f7d4e",
}
UNASSIGNED_W = 290
CARD_MIN_W = 380
BEFORE_BAND = 14
"""Dropping a card this close to another card's top edge puts it just before that card."""
SUBTHEME_INDENT = 14


def board_style(t: house.Theme) -> str:
    """The board's look in the house palette (cards are panels on the window, chips on cards)."""
    dark = t.name == "dark"
    card = t.header if dark else "white"
    sub = t.panel if dark else "#f7f8fa"
    column = t.gutter if dark else "#f3f4f6"
    chip = "#263442" if dark else "#eef3f7"
    chip_border = "#36506a" if dark else "#d3dde7"
    chip_hover = "#2d4052" if dark else "#e1ebf3"
    return f"""
QFrame#themeCard {{ background: {card}; border: 1px solid {t.border}; border-radius: 8px; }}
QFrame#subthemeCard {{ background: {sub}; border: 1px solid {t.border}; border-radius: 6px; }}
QFrame#unassigned {{ background: {column}; border: 1px solid {t.border}; border-radius: 8px; }}
QFrame#themeCard[selected="true"], QFrame#subthemeCard[selected="true"] {{
    border: 2px solid {ACCENT}; }}
QFrame#themeCard[dropping="true"], QFrame#subthemeCard[dropping="true"],
QFrame#unassigned[dropping="true"] {{ border: 2px dashed {ACCENT}; }}
QFrame#themeCard[dropping="before"], QFrame#subthemeCard[dropping="before"] {{
    border: 1px solid {t.border}; border-top: 4px solid {ACCENT}; }}
QWidget#boardBackground[dropping="true"] {{ background: {t.notice}; border-radius: 8px; }}
QLabel#themeName {{ color: {t.text}; font-size: 11pt; font-weight: 600; }}
QLabel#subthemeName {{ color: {t.text}; font-size: 9.5pt; font-weight: 600; }}
QLabel#subthemeKind {{ font-size: 8pt; font-weight: 600; }}
QLabel#columnTitle {{ color: {t.text}; font-weight: 600; }}
QLabel#concept {{ color: {t.muted}; font-style: italic; }}
QLabel#faint {{ color: {t.muted}; }}
QLabel#chip {{ background: {chip}; border: 1px solid {chip_border}; border-radius: 11px;
               padding: 2px 9px; color: {t.text}; }}
QLabel#chip:hover {{ background: {chip_hover}; border-color: {ACCENT}; }}
QComboBox#status {{ padding: 1px 6px; }}
"""


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


class FlowLayout(QLayout):
    """Lays its items left to right and wraps them, like words in a paragraph."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def addWidget(self, widget: QWidget) -> None:
        self.addChildWidget(widget)
        self.addItem(QWidgetItem(widget))

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line = area.x(), area.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > area.right() + 1 and line > 0:
                x, y, line = area.x(), y + line + self._spacing, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line = max(line, hint.height())
        return y + line - rect.y() + margins.bottom()


class CodeChip(QLabel):
    """A member code; drag it to another theme (Ctrl: copy) or to the codes in no theme."""

    def __init__(self, code: CodeInfo, theme: str | None) -> None:
        dot = f"<span style='color:{code.color}'>●</span>&nbsp;" if code.color else ""
        super().__init__(f"{dot}{_escape(code.name)}")
        self.setObjectName("chip")
        self.code = code
        self.theme = theme
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        lines = [code.path, f"{code.codings} codings"]
        if code.definition:
            lines.append(code.definition)
        lines.append("Drag to another theme to move it; hold Ctrl to copy it.")
        self.setToolTip("\n".join(lines))
        self._pressed: QPoint | None = None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._pressed = event.position().toPoint()
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        event.accept()  # a chip is not the card: do not open the card's editor

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if not _drag_begins(self._pressed, event):
            return
        self._pressed = None
        drag = QDrag(self)
        drag.setMimeData(codes_mime([self.code.path], self.theme))
        drag.setPixmap(self.grab())
        drag.setHotSpot(event.position().toPoint())
        drag.exec(Qt.DropAction.MoveAction | Qt.DropAction.CopyAction, Qt.DropAction.MoveAction)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._pressed = None
        event.accept()


def _drag_begins(pressed: QPoint | None, event: QMouseEvent) -> bool:
    """Whether the mouse, pressed at ``pressed``, has moved far enough to start a drag."""
    if pressed is None:
        return False
    moved = (event.position().toPoint() - pressed).manhattanLength()
    return moved >= QApplication.startDragDistance()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _status_icon(status: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(STATUS_COLOURS[status]))
    painter.drawEllipse(1, 1, 10, 10)
    painter.end()
    return QIcon(pixmap)


def _highlight(widget: QWidget, value: bool | str) -> None:
    _mark(widget, "dropping", value)


def _mark(widget: QWidget, name: str, value: bool | str) -> None:
    """Set a property the board's style sheet reads, and restyle the widget if it changed."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class DropFrame(QFrame):
    """A frame that takes dropped codes: a theme card, or the codes in no theme (target None)."""

    def __init__(self, board: ThemeBoard, target: str | None) -> None:
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

    def __init__(self, board: ThemeBoard) -> None:
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


class ThemeCard(DropFrame):
    """One theme: name, status, central organising concept, member codes, subthemes.

    Drag the card itself to nest it in another theme or to put it before one; click it to select
    it (Alt+Up / Alt+Down then move it); right-click for merge, split, nesting and order."""

    def __init__(
        self,
        board: ThemeBoard,
        theme: ThemeInfo,
        codes: dict[str, CodeInfo],
        subthemes: list[ThemeCard],
        *,
        nested: bool = False,
        colour: str = ACCENT,
    ) -> None:
        super().__init__(board, theme.name)
        self.theme = theme
        self.colour = colour
        self.setObjectName("subthemeCard" if nested else "themeCard")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip(
            "Drag the card onto another theme to nest it there, onto a card's top edge to put it "
            "before; Alt+Up / Alt+Down reorder it. Double-click to edit; right-click for more."
        )
        self._bar = 3 if nested else 4
        """The theme's colour runs down the card's left edge; a subtheme has its parent's."""
        layout = QVBoxLayout(self)
        margin = 9 if nested else 12
        layout.setContentsMargins(margin + 2, margin - 3 if nested else margin - 2, margin, margin)
        layout.setSpacing(6 if nested else 8)

        header = QHBoxLayout()
        header.setSpacing(8)
        name = QLabel(theme.name)
        name.setObjectName("subthemeName" if nested else "themeName")
        name.setWordWrap(True)
        if nested:
            titles = QVBoxLayout()
            titles.setSpacing(0)
            kind = QLabel("SUBTHEME")
            kind.setObjectName("subthemeKind")
            palette = kind.palette()
            palette.setColor(QPalette.ColorRole.WindowText, QColor(colour))
            kind.setPalette(palette)
            titles.addWidget(kind)
            titles.addWidget(name)
            header.addLayout(titles, 1)
        else:
            header.addWidget(name, 1)
        self.status = QComboBox()
        self.status.setObjectName("status")
        for status in THEME_STATUSES:
            self.status.addItem(_status_icon(status), status, status)
        self.status.setCurrentIndex(THEME_STATUSES.index(theme.status))
        self.status.setToolTip("Status: candidate → reviewed → defined → named")
        self.status.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.status.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.status.currentIndexChanged.connect(self._status_chosen)
        header.addWidget(self.status, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(header)

        if theme.concept or not nested:
            concept = QLabel(theme.concept or "No central organising concept yet")
            concept.setObjectName("concept" if theme.concept else "faint")
            concept.setWordWrap(True)
            if theme.definition:
                concept.setToolTip(f"Definition: {theme.definition}")
            layout.addWidget(concept)

        chips = QWidget()
        self.flow = FlowLayout(chips)
        self.chips: list[CodeChip] = []
        for path in theme.codes:
            info = codes.get(path)
            if info is None:
                continue
            chip = CodeChip(info, theme.name)
            self.chips.append(chip)
            self.flow.addWidget(chip)
        if theme.codes:
            layout.addWidget(chips)
        elif not subthemes:
            empty = QLabel("Drop codes here")
            empty.setObjectName("faint")
            layout.addWidget(empty)
        for sub in subthemes:
            row = QHBoxLayout()
            row.setContentsMargins(SUBTHEME_INDENT if not nested else SUBTHEME_INDENT // 2, 0, 0, 0)
            row.addWidget(sub)
            layout.addLayout(row)
        self._pressed: QPoint | None = None

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        radius = 6.0 if self.objectName() == "subthemeCard" else 8.0
        shape = QPainterPath()
        shape.addRoundedRect(QRectF(self.rect()), radius, radius)
        painter.setClipPath(shape)
        painter.fillRect(QRectF(0, 0, self._bar, self.height()), QColor(self.colour))
        painter.end()

    def _theme_zone(self, event: QDragEnterEvent | QDragMoveEvent | QDropEvent) -> str | None:
        moved = read_theme_mime(event.mimeData())
        if moved is None:
            return None
        if moved.name == self.theme.name:
            return "self"
        if event.position().y() < BEFORE_BAND:
            return "before"
        return "self" if moved.parent == self.theme.name else "into"

    def _status_chosen(self) -> None:
        status = str(self.status.currentData())
        if status != self.theme.status:
            QTimer.singleShot(0, lambda: self.board.change_status(self.theme.name, status))

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        event.accept()
        QTimer.singleShot(0, lambda: self.board.edit_theme(self.theme.name))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._pressed = event.position().toPoint()
        self.board.select(self.theme.name)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if not _drag_begins(self._pressed, event):
            return
        self._pressed = None
        drag = QDrag(self)
        drag.setMimeData(theme_mime(self.theme.name, self.theme.parent))
        drag.setPixmap(_drag_label(self.theme.name, self.colour))
        drag.exec(Qt.DropAction.MoveAction, Qt.DropAction.MoveAction)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._pressed = None
        event.accept()

    def event(self, event: QEvent) -> bool:
        # Alt+Up / Alt+Down on a selected card reorder it, before the window's own use of them.
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and _order_step(event)
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        step = _order_step(event)
        if step:
            event.accept()
            self.board.step(self.theme.name, step)
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        self.setFocus(Qt.FocusReason.PopupFocusReason)
        self.board.card_menu(self.theme.name).exec(event.globalPos())
        event.accept()


BOARD_KEYS: tuple[tuple[str, str, int], ...] = (
    ("Move the theme up", "Alt+Up", -1),
    ("Move the theme down", "Alt+Down", 1),
)
"""The board's own keys on a focused card: (what, keys, step). The card menu and F1 read them."""


def _order_step(event: QKeyEvent) -> int:
    pressed = QKeySequence(event.keyCombination())
    return next((step for _, keys, step in BOARD_KEYS if QKeySequence(keys) == pressed), 0)


def _drag_label(text: str, colour: str) -> QPixmap:
    label = QLabel(text)
    label.setStyleSheet(
        f"background: white; color: #1f2937; border: 1px solid {colour};"
        f"border-left: 4px solid {colour}; border-radius: 6px; padding: 5px 10px;"
        "font-weight: 600;"
    )
    label.adjustSize()
    return label.grab()


def theme_colour(
    theme: ThemeInfo, codes: dict[str, CodeInfo], by_name: dict[str, ThemeInfo]
) -> str:
    """The colour most of the theme's codes (or, with none, its subthemes' codes) share."""
    counts: dict[str, int] = {}
    pending = [theme]
    while pending:
        current = pending.pop(0)
        for path in current.codes:
            colour = codes[path].color if path in codes else None
            if colour:
                counts[colour] = counts.get(colour, 0) + 1
        if counts:
            break
        pending += [by_name[s] for s in current.subthemes if s in by_name]
    return max(counts, key=lambda c: counts[c]) if counts else ACCENT


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


class ThemeBoard(QWidget):
    """Themes as cards, the codes in no theme beside them; every change is undoable."""

    sig_changed = Signal(str)
    sig_done = Signal(str, object)
    """A change's description and what the core returned (its ``Change``, for the undo stack)."""
    """The project changed: a description of what was done."""
    sig_message = Signal(str)
    """Something to tell the analyst (a refused change)."""

    def __init__(self) -> None:
        super().__init__()
        self.project: Project | None = None
        self.setStyleSheet(board_style(house.current()))
        self.ask_rationale: Callable[[str], str | None] = self._ask_rationale
        """Asks why (None: the analyst cancelled). Tests may replace it."""
        self.ask_edit: Callable[[ThemeInfo], ThemeEdit | None] = self._ask_edit
        self.ask_split: Callable[[ThemeInfo], ThemeSplit | None] = self._ask_split
        self.cards: dict[str, ThemeCard] = {}
        self.selected: str | None = None
        """The selected card's theme (Alt+Up / Alt+Down move it)."""
        self.unassigned_chips: list[CodeChip] = []
        self._themes: list[ThemeInfo] = []
        self._codes: list[CodeInfo] = []
        self._columns = 0

        title = QLabel("Theme board")
        title.setObjectName("transcriptTitle")
        hint = QLabel(
            "Drag codes between themes (Ctrl copies). Drag a card onto another to make it a "
            "subtheme, onto a card's top edge to put it before, onto the background to make it a "
            "theme again; Alt+Up/Down reorder. Right-click a card to merge or split it; "
            "double-click to edit. Edit ▸ Undo takes a change back."
        )
        hint.setObjectName("footnote")
        hint.setWordWrap(True)
        header = QHBoxLayout()
        header.addWidget(title)
        header.addSpacing(16)
        header.addWidget(hint, 1)

        self.unassigned = DropFrame(self, None)
        self.unassigned.setObjectName("unassigned")
        self.unassigned.setToolTip("Drop a code here to take it out of the theme it came from")
        self.unassigned.setFixedWidth(UNASSIGNED_W)
        side = QVBoxLayout(self.unassigned)
        side.setContentsMargins(10, 10, 10, 10)
        self.unassigned_title = QLabel("Codes in no theme")
        self.unassigned_title.setObjectName("columnTitle")
        side.addWidget(self.unassigned_title)
        self.unassigned_scroll = QScrollArea()
        self.unassigned_scroll.setWidgetResizable(True)
        self.unassigned_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.unassigned_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.unassigned_scroll.setStyleSheet("background: transparent;")
        side.addWidget(self.unassigned_scroll, 1)

        self.cards_scroll = QScrollArea()
        self.cards_scroll.setWidgetResizable(True)
        self.cards_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.cards_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QHBoxLayout()
        body.setSpacing(14)
        body.addWidget(self.unassigned)
        body.addWidget(self.cards_scroll, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(8)
        layout.addLayout(header)
        layout.addLayout(body, 1)

    # --- data --------------------------------------------------------------------------------

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.refresh()

    def refresh(self) -> None:
        if self.project is None:
            self._themes, self._codes = [], []
        else:
            self._themes, self._codes = list_themes(self.project), list_codes(self.project)
        self._rebuild()

    def theme(self, name: str) -> ThemeInfo:
        for theme in self._themes:
            if theme.name == name:
                return theme
        raise StudyError(f"no theme '{name}'")

    # --- drawing -----------------------------------------------------------------------------

    def apply_theme(self) -> None:
        """Follow the house palette (light or dark)."""
        self.setStyleSheet(board_style(house.current()))
        self._rebuild()

    def _column_count(self) -> int:
        width = self.cards_scroll.viewport().width() or (self.width() - UNASSIGNED_W - 40)
        return max(1, min(3, width // CARD_MIN_W))

    def _rebuild(self) -> None:
        codes = {c.path: c for c in self._codes}
        by_name = {t.name: t for t in self._themes}

        self.cards = {}

        def card(theme: ThemeInfo, colour: str | None) -> ThemeCard:
            nested = colour is not None
            colour = colour or theme_colour(theme, codes, by_name)
            subs = [card(by_name[s], colour) for s in theme.subthemes if s in by_name]
            made = ThemeCard(self, theme, codes, subs, nested=nested, colour=colour)
            self.cards[theme.name] = made
            return made

        tops = [card(t, None) for t in self._themes if t.parent is None]
        self._columns = self._column_count()
        container = BoardBackground(self)
        grid = QHBoxLayout(container)
        grid.setContentsMargins(0, 0, 4, 0)
        grid.setSpacing(14)
        columns = [QVBoxLayout() for _ in range(self._columns)]
        heights = [0] * self._columns
        for top in tops:  # each card to the shortest column, in the themes' order
            shortest = heights.index(min(heights))
            columns[shortest].addWidget(top)
            heights[shortest] += _weight(top.theme, by_name)
        for column in columns:
            column.setSpacing(14)
            column.addStretch(1)
            grid.addLayout(column, 1)
        if not tops:
            empty = QLabel(
                "No themes yet. Make one with  workbench theme add PROJECT NAME --code CODE"
                if self.project
                else "Open a project to see its themes."
            )
            empty.setObjectName("faint")
            grid.addWidget(empty, 1, Qt.AlignmentFlag.AlignTop)
        self._replace(self.cards_scroll, container)
        if self.selected in self.cards:
            selected = self.cards[self.selected]
            selected.setProperty("selected", True)
            if self.isVisible():
                selected.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.selected = None

        in_theme = {path for t in self._themes for path in t.codes}
        side = QWidget()
        flow = FlowLayout(side)
        self.unassigned_chips = []
        for code in self._codes:
            if code.path not in in_theme:
                chip = CodeChip(code, None)
                self.unassigned_chips.append(chip)
                flow.addWidget(chip)
        self.unassigned_title.setText(f"Codes in no theme ({len(self.unassigned_chips)})")
        self._replace(self.unassigned_scroll, side)

    @staticmethod
    def _replace(scroll: QScrollArea, widget: QWidget) -> None:
        value = scroll.verticalScrollBar().value()
        old = scroll.takeWidget()
        if old is not None:
            old.hide()
            old.deleteLater()  # not now: a drag from one of its chips may still be running
        widget.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        scroll.setWidget(widget)
        QTimer.singleShot(0, lambda: scroll.verticalScrollBar().setValue(value))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._themes and self._column_count() != self._columns:
            self._rebuild()

    # --- changes, all through the core's undoable commands -----------------------------------

    def _ask_rationale(self, what: str) -> str | None:
        dialog = RationaleDialog(self, what)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.text.text().strip()

    def _ask_split(self, theme: ThemeInfo) -> ThemeSplit | None:
        dialog = SplitDialog(self, theme)
        return dialog.split() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _ask_edit(self, theme: ThemeInfo) -> ThemeEdit | None:
        dialog = ThemeDialog(self, theme)
        return dialog.edit() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _run(self, description: str, change: Callable[[Project], object]) -> bool:
        if self.project is None:
            return False
        try:
            result = change(self.project)
        except StudyError as exc:
            self.sig_message.emit(str(exc))
            self.refresh()
            return False
        self.refresh()
        self.sig_changed.emit(description)
        self.sig_done.emit(description, result)
        return True

    def drop(self, dragged: Dragged, target: str | None, *, copy: bool = False) -> bool:
        """Codes dropped on a theme (``target``) or on the codes in no theme (None)."""
        if target == dragged.source or (target is None and dragged.source is None):
            return False
        names = ", ".join(f"'{c.rsplit(' / ', 1)[-1]}'" for c in dragged.codes)
        out_of = None if copy else dragged.source
        if target is None:
            what = f"Take {names} out of theme '{dragged.source}'"
        elif dragged.source is None:
            what = f"Put {names} into theme '{target}'"
        elif copy:
            what = f"Add {names} to theme '{target}' as well, keeping it in '{dragged.source}'"
        else:
            what = f"Move {names} from theme '{dragged.source}' to '{target}'"
        already = target is not None and all(c in self.theme(target).codes for c in dragged.codes)
        if already and out_of is None:
            self.sig_message.emit(f"{names} already in theme '{target}'")
            return False
        rationale = self.ask_rationale(what)
        if rationale is None:
            return False
        return self._run(
            what,
            lambda p: move_codes(
                p, list(dragged.codes), into=target, out_of=out_of, rationale=rationale
            ),
        )

    def change_status(self, theme: str, status: str) -> bool:
        previous = self.theme(theme).status
        what = f"Theme '{theme}': {previous} → {status}"
        rationale = self.ask_rationale(what)
        if rationale is None:
            self.refresh()  # the card's status box goes back
            return False
        return self._run(what, lambda p: update_theme(p, theme, status=status, rationale=rationale))

    def edit_theme(self, theme: str) -> bool:
        info = self.theme(theme)
        edit = self.ask_edit(info)
        if edit is None:
            return False
        new_name = edit.name if edit.name.strip() != info.name else None
        concept = edit.concept if edit.concept != (info.concept or "") else None
        definition = edit.definition if edit.definition != (info.definition or "") else None
        if new_name is None and concept is None and definition is None:
            return False
        return self._run(
            f"Edit theme '{theme}'",
            lambda p: update_theme(
                p,
                theme,
                new_name=new_name,
                concept=concept,
                definition=definition,
                rationale=edit.rationale or None,
            ),
        )

    # --- the themes' shape: nesting, order, merge, split ------------------------------------

    def inside(self, theme: str, other: str) -> bool:
        """Whether ``other`` is ``theme`` or sits (at any depth) inside it."""
        pending = [theme]
        while pending:
            current = pending.pop()
            if current == other:
                return True
            pending += list(self.theme(current).subthemes)
        return False

    def siblings(self, theme: str) -> list[str]:
        parent = self.theme(theme).parent
        if parent is not None:
            return list(self.theme(parent).subthemes)
        return [t.name for t in self._themes if t.parent is None]

    def nest(self, theme: str, parent: str | None, *, before: str | None = None) -> bool:
        """Make ``theme`` a subtheme of ``parent`` (None: a theme of its own), with a rationale."""
        info = self.theme(theme)
        if parent is not None and self.inside(theme, parent):
            self.sig_message.emit(
                f"'{theme}' cannot go inside '{parent}'"
                + (", which is one of its own subthemes" if parent != theme else "")
                + ": themes cannot nest in a circle"
            )
            return False
        if parent == info.parent:
            return False
        if parent is None:
            what = f"Make '{theme}' a theme of its own, out of '{info.parent}'"
        elif info.parent is None:
            what = f"Make '{theme}' a subtheme of '{parent}'"
        else:
            what = f"Move subtheme '{theme}' from '{info.parent}' to '{parent}'"
        rationale = self.ask_rationale(what)
        if rationale is None:
            return False
        done = self._run(
            what, lambda p: move_theme(p, theme, parent, before=before, rationale=rationale)
        )
        self._select(theme)
        return done

    def drop_theme(self, theme: str, target: str, *, before: bool = False) -> bool:
        """A card dropped on another: into it as a subtheme, or (``before``) just before it."""
        if theme == target:
            return False
        if not before:
            return self.nest(theme, target)
        parent = self.theme(target).parent
        if parent != self.theme(theme).parent:
            return self.nest(theme, parent, before=target)
        done = self._run(
            f"Put '{theme}' before '{target}'",
            lambda p: reorder_theme(p, theme, before=target),
        )
        self._select(theme)
        return done

    def make_top_level(self, theme: str) -> bool:
        """A subtheme made a theme of its own lands just after the theme it was inside."""
        top = theme
        while (parent := self.theme(top).parent) is not None:
            top = parent
        tops = self.siblings(top)
        after = tops.index(top) + 1
        return self.nest(theme, None, before=tops[after] if after < len(tops) else None)

    def step(self, theme: str, steps: int) -> bool:
        """Move a theme up (negative) or down among its siblings (Alt+Up / Alt+Down)."""
        siblings = self.siblings(theme)
        at = siblings.index(theme) + steps
        if not 0 <= at < len(siblings):
            self.sig_message.emit(f"'{theme}' is already {'first' if steps < 0 else 'last'}")
            return False
        done = self._run(
            f"Move '{theme}' {'up' if steps < 0 else 'down'}",
            lambda p: reorder_theme(p, theme, steps=steps),
        )
        self._select(theme)
        return done

    def merge_into(self, source: str, target: str) -> bool:
        what = (
            f"Merge theme '{source}' into '{target}': its codes and subthemes move to "
            f"'{target}'; its cell summaries, trajectories, stances and pinned quotes are removed"
        )
        rationale = self.ask_rationale(what)
        if rationale is None:
            return False
        return self._run(
            f"Merge theme '{source}' into '{target}'",
            lambda p: merge_themes(p, source, target, rationale=rationale),
        )

    def split(self, theme: str) -> bool:
        chosen = self.ask_split(self.theme(theme))
        if chosen is None:
            return False
        return self._run(
            f"Split '{chosen.name}' off theme '{theme}'",
            lambda p: split_theme(
                p, theme, chosen.name, list(chosen.codes), rationale=chosen.rationale or None
            ),
        )

    def select(self, theme: str | None, *, reveal: bool = False) -> None:
        """The card Alt+Up / Alt+Down move: outlined, given the keyboard, and (``reveal``)
        scrolled into view."""
        for name, each in self.cards.items():
            _mark(each, "selected", name == theme)
        self.selected = theme if theme in self.cards else None
        card = self.cards.get(theme or "")
        if card is not None:
            card.setFocus(Qt.FocusReason.OtherFocusReason)
            if reveal:  # after a move: the card may now sit elsewhere on the board
                QTimer.singleShot(0, lambda: self._reveal(theme or ""))

    def _reveal(self, theme: str) -> None:
        card = self.cards.get(theme)
        if card is not None:
            self.cards_scroll.ensureWidgetVisible(card, 0, 20)

    def _select(self, theme: str) -> None:
        self.select(theme, reveal=True)

    def card_menu(self, theme: str) -> QMenu:
        """A card's context menu: edit, order, nesting, merge and split."""
        info = self.theme(theme)
        menu = QMenu(self)
        menu.addAction("Edit name, concept and definition…", lambda: self.edit_theme(theme))
        menu.addSeparator()
        siblings = self.siblings(theme)
        place = siblings.index(theme)
        for text, keys, step in BOARD_KEYS:
            move = menu.addAction(text, functools.partial(self.step, theme, step))
            move.setShortcut(QKeySequence(keys))
            move.setEnabled(0 <= place + step < len(siblings))
        menu.addSeparator()
        if info.parent is not None:
            menu.addAction(
                f"Make a theme of its own (out of '{info.parent}')",
                lambda: self.make_top_level(theme),
            )
        nest = menu.addMenu("Make a subtheme of")
        merge = menu.addMenu("Merge into")
        for other in self._themes:
            if other.name == theme:
                continue
            name = other.name
            label = f"    {name}" if other.parent is not None else name
            if not self.inside(theme, name) and other.name != info.parent:
                nest.addAction(label, functools.partial(self.nest, theme, name))
            merge.addAction(label, functools.partial(self.merge_into, theme, name))
        nest.setEnabled(not nest.isEmpty())
        merge.setEnabled(not merge.isEmpty())
        split = menu.addAction("Split a new theme off…", lambda: self.split(theme))
        split.setEnabled(len(info.codes) > 1)
        return menu


def _weight(theme: ThemeInfo, by_name: dict[str, ThemeInfo]) -> int:
    """A rough height of a card, to balance the columns."""
    own = 3 + len(theme.codes) // 2 + len(theme.concept or "") // 40
    return own + sum(_weight(by_name[s], by_name) for s in theme.subthemes if s in by_name)
