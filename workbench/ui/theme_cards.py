"""The theme board's cards: a theme card with its status, concept, member-code chips and
subthemes inside, and the board's look in the house palette.

A chip or card tells the board what was done through ``ui.board_drag.Board``; the board
(``ui.theme_board``) builds the cards and runs the changes.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QRectF, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QDrag,
    QDragEnterEvent,
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
)
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from workbench.coding.themes import ThemeInfo
from workbench.domain.coding import THEME_STATUSES, CodeInfo
from workbench.ui import theme as house
from workbench.ui.board_drag import (
    Board,
    DropFrame,
    codes_mime,
    drag_begins,
    drag_label,
    read_theme_mime,
    theme_mime,
)
from workbench.ui.flow_layout import FlowLayout

ACCENT = "#2a6f97"
STATUS_COLOURS = {
    "candidate": "#9aa1a9",
    "reviewed": "#c08a1e",
    "defined": "#2a6f97",
    "named": "#3f7d4e",
}
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
        if not drag_begins(self._pressed, event):
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


class ThemeCard(DropFrame):
    """One theme: name, status, central organising concept, member codes, subthemes.

    Drag the card itself to nest it in another theme or to put it before one; click it to select
    it (Alt+Up / Alt+Down then move it); right-click for merge, split, nesting and order."""

    def __init__(
        self,
        board: Board,
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
        layout.addLayout(self._build_header(nested))
        if theme.concept or not nested:
            concept = QLabel(theme.concept or "No central organising concept yet")
            concept.setObjectName("concept" if theme.concept else "faint")
            concept.setWordWrap(True)
            if theme.definition:
                concept.setToolTip(f"Definition: {theme.definition}")
            layout.addWidget(concept)
        self._build_chips(layout, codes, empty=not subthemes)
        for sub in subthemes:
            row = QHBoxLayout()
            row.setContentsMargins(SUBTHEME_INDENT if not nested else SUBTHEME_INDENT // 2, 0, 0, 0)
            row.addWidget(sub)
            layout.addLayout(row)
        self._pressed: QPoint | None = None

    def _build_header(self, nested: bool) -> QHBoxLayout:
        """The theme's name (a subtheme's under a small SUBTHEME in its colour) and status box."""
        header = QHBoxLayout()
        header.setSpacing(8)
        name = QLabel(self.theme.name)
        name.setObjectName("subthemeName" if nested else "themeName")
        name.setWordWrap(True)
        if nested:
            titles = QVBoxLayout()
            titles.setSpacing(0)
            kind = QLabel("SUBTHEME")
            kind.setObjectName("subthemeKind")
            palette = kind.palette()
            palette.setColor(QPalette.ColorRole.WindowText, QColor(self.colour))
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
        self.status.setCurrentIndex(THEME_STATUSES.index(self.theme.status))
        self.status.setToolTip("Status: candidate → reviewed → defined → named")
        self.status.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.status.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.status.currentIndexChanged.connect(self._status_chosen)
        header.addWidget(self.status, 0, Qt.AlignmentFlag.AlignTop)
        return header

    def _build_chips(self, layout: QVBoxLayout, codes: dict[str, CodeInfo], *, empty: bool) -> None:
        """The member codes as chips; with none (and, ``empty``, no subthemes) a hint."""
        chips = QWidget()
        self.flow = FlowLayout(chips)
        self.chips: list[CodeChip] = []
        for path in self.theme.codes:
            info = codes.get(path)
            if info is None:
                continue
            chip = CodeChip(info, self.theme.name)
            self.chips.append(chip)
            self.flow.addWidget(chip)
        if self.theme.codes:
            layout.addWidget(chips)
        elif empty:
            hint = QLabel("Drop codes here")
            hint.setObjectName("faint")
            layout.addWidget(hint)

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
        if not drag_begins(self._pressed, event):
            return
        self._pressed = None
        drag = QDrag(self)
        drag.setMimeData(theme_mime(self.theme.name, self.theme.parent))
        drag.setPixmap(drag_label(self.theme.name, self.colour))
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
