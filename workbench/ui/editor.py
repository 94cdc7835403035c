"""The transcript editor: one text block per utterance, codings as stripes, the word being played.

The document holds exactly the interview text (utterances joined by one line break), so a
position in the document is a position in the interview — the one the core's codings use —
apart from UTF-16 surrogate pairs, which ``PositionMap`` converts. Every change the analyst
makes is handed to the window as a request (edit, split, merge, code); the window runs the
core's command and reloads, so codings follow their words exactly as on the command line.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QMimeData, QPoint, QRect, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFocusEvent,
    QFont,
    QHelpEvent,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
    QTextOption,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QToolTip, QWidget

from workbench.domain.coding import CodingInfo
from workbench.domain.positions import PositionMap
from workbench.domain.study import TimedWord, Utterance
from workbench.ui import redact_span, renderings, theme, words
from workbench.ui.code_tree_model import MIME_TYPE
from workbench.ui.editor_margins import (
    BLOCK_TOP_MARGIN,
    GUTTER_WIDTH,
    MAX_LANES,
    STRIPE_GAP,
    STRIPE_WIDTH,
    Gutter,
    Stripe,
    StripeMargin,
    assign_lanes,
    paint_gutter_row,
)
from workbench.ui.models import is_right_to_left
from workbench.ui.stripe_lanes import DEFAULT_CODE_COLOUR, StripeLanes

__all__ = ["CODE_MIME", "DEFAULT_CODE_COLOUR", "EDITOR_KEYS", "TranscriptEditor", "assign_lanes"]
"""Names the window, F1 and the tests import from here, wherever they now live."""

CODE_MIME = MIME_TYPE
"""Codes dragged from the code tree: a JSON list of their paths."""

EDITOR_KEYS: tuple[tuple[str, str], ...] = (
    ("Split the utterance at the cursor", "Enter"),
    ("Merge with the utterance before", "Backspace at its start"),
    ("Seek to a word", "Ctrl+click"),
    ("Select by characters, not whole words", "Alt+drag"),
)
"""Keys the transcript handles itself, without an action (F1 lists them)."""


class TranscriptEditor(QPlainTextEdit):
    """Edits one interview's transcript; every change leaves as a signal the window acts on."""

    edit_requested = Signal(int, str)
    """Utterance index, its new text (committed when the cursor leaves the utterance)."""
    split_requested = Signal(int, int)
    """Utterance index, offset (code points) where the new utterance starts."""
    merge_requested = Signal(int)
    """Merge utterance ``index`` with the one after it."""
    seek_requested = Signal(int)
    """Milliseconds into the recording."""
    code_dropped = Signal(str)
    """A code path dropped on the selection."""
    utterance_action = Signal(int, str)
    """Utterance index and one of: verify, unverify, clear-review, speaker:<id>."""
    coding_action = Signal(str, str)
    """Coding id and one of: remove, memo."""
    rendering_chosen = Signal(int, int, int, str)
    """Utterance index, start, end (code points into its text), whom those words render ("":
    nobody, the span goes)."""
    message = Signal(str)
    redaction_asked = Signal(int, int)
    """Redact these interview positions (the selection; ``ui/redact_span.py``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("editor")
        self.setUndoRedoEnabled(False)  # the project's own undo covers every change
        self.setAcceptDrops(True)
        self.setCenterOnScroll(False)
        self.setWordWrapMode(QTextOption.WrapMode.WordWrap)
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF(), 10.5) * 1.1)
        self.setFont(font)
        self.document().setDocumentMargin(8)
        self.rows: list[Utterance] = []
        self.speakers: list[str] = []
        self.interpreters: set[str] = set()
        """Who interprets in the interview: only their words are rendered for someone."""
        self.rendered: list[renderings.RenderedSpan] = []
        self._rendered_marks: list[QTextEdit.ExtraSelection] = []
        self._map = PositionMap("")
        self._starts: list[int] = []
        self._lanes = StripeLanes()
        self.sides: tuple[str, str] | None = None
        """Two analysts whose stripes stand side by side (left, right); None: every coding."""
        """The codings shown, as stripes in lanes."""
        self._formatted = False
        self._words: list[TimedWord] = []
        self._word_starts: list[int] = []
        self._dirty: int | None = None
        self._by_character = False
        """The drag under way began with Alt held: it selects characters, not whole words."""
        self._loading = False
        self._played: tuple[int, int] | None = None
        self._selected_coding: str | None = None
        self.gutter = Gutter(self)
        self.margin = StripeMargin(self)
        self.setViewportMargins(GUTTER_WIDTH, 0, STRIPE_GAP + MAX_LANES * STRIPE_WIDTH + 8, 0)
        self.document().contentsChange.connect(self._contents_changed)
        self.cursorPositionChanged.connect(self._cursor_moved)
        self.updateRequest.connect(self._scrolled)
        self.apply_theme()

    def apply_theme(self) -> None:
        palette = self.palette()
        palette.setColor(palette.ColorRole.Text, QColor(theme.current().unverified_ink))
        palette.setColor(palette.ColorRole.Base, QColor(theme.current().base))
        self.setPalette(palette)
        if self.rows:
            self._loading = True
            try:
                self._formatted = True
                self._format_blocks()
            finally:
                self._loading = False
        self._mark_rendered()
        self._refresh_extra()
        self.gutter.update()
        self.margin.update()

    # --- loading -----------------------------------------------------------------------------

    def load(
        self,
        rows: Sequence[Utterance],
        codings: Sequence[CodingInfo] = (),
        colours: dict[str, str] | None = None,
        words: Sequence[TimedWord] = (),
        speakers: Sequence[str] = (),
    ) -> None:
        """Show an interview; keeps the document (and the cursor) when only codings changed."""
        text = "\n".join(r.text for r in rows)
        self.rows = list(rows)
        self.speakers = list(speakers)
        self._dirty = None
        self._starts = []
        position = 0
        for r in rows:
            self._starts.append(position)
            position += len(r.text) + 1
        self._map = PositionMap(text)
        self._loading = True
        try:
            # A document shown afresh has default formats; one kept must have each block reset.
            self._formatted = self.toPlainText() == text
            if not self._formatted:
                scroll = self.verticalScrollBar().value()
                cursor_at = self.textCursor().position()
                self.setPlainText(text)
                cursor = self.textCursor()
                cursor.setPosition(min(cursor_at, len(text)))
                self.setTextCursor(cursor)
                self.verticalScrollBar().setValue(scroll)
            self._format_blocks()
        finally:
            self._loading = False
        self.set_codings(codings, colours or {})
        self._words = list(words)
        self._word_starts = [self._starts[w.utterance] + w.start for w in self._words]
        self._played = None
        self.rendered = renderings.rendered_spans(self.rows)
        self._mark_rendered()
        self._refresh_extra()

    def _mark_rendered(self) -> None:
        self._rendered_marks = renderings.selections(
            self.document(), self.rendered, self._starts, self._map
        )

    def _format_blocks(self) -> None:
        """Direction per utterance (Arabic reads right to left), and a tint on text to review."""
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()  # one layout pass for the whole document, not one per utterance
        document = self.document()
        for n, row in enumerate(self.rows):
            # Only what differs from the defaults (left to right, untinted, unverified ink).
            rtl = is_right_to_left(row.text)
            flagged = "needs_review" in row.flags or "untranscribed_speech" in row.flags
            verified = "verified" in row.flags
            if not (rtl or flagged or verified or self._formatted):
                continue
            block = document.findBlockByNumber(n)
            if not block.isValid():
                break
            fmt = QTextBlockFormat()
            fmt.setLayoutDirection(
                Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight
            )
            if flagged:
                fmt.setBackground(QColor(theme.current().flagged))
            cursor.setPosition(block.position())
            cursor.setBlockFormat(fmt)
            if verified or self._formatted:
                char = QTextCharFormat()
                # Text not yet checked against the audio is a shade lighter than verified text.
                t = theme.current()
                char.setForeground(QColor(t.verified_ink if verified else t.unverified_ink))
                cursor.setPosition(
                    block.position() + block.length() - 1, QTextCursor.MoveMode.KeepAnchor
                )
                cursor.setCharFormat(char)
        cursor.endEditBlock()

    def add_coding(self, coding: CodingInfo, colours: dict[str, str]) -> None:
        """Show one new coding without laying out the others again (two analysts side by
        side: laid out again, on its analyst's side or not at all)."""
        if self.sides is not None:
            self.set_codings([*self._lanes.codings, coding], colours)
            return
        self._lanes.add(coding, colours)
        self.margin.update()

    def drop_coding(self, coding_id: str, colours: dict[str, str]) -> None:
        self.set_codings([c for c in self._lanes.codings if c.id != coding_id], colours)

    def set_codings(self, codings: Sequence[CodingInfo], colours: dict[str, str]) -> None:
        self._lanes.set(codings, colours, self.sides)
        self.margin.update()

    @property
    def stripes(self) -> list[Stripe]:
        return list(self._lanes.stripes)

    # --- positions ---------------------------------------------------------------------------

    def selection_span(self) -> tuple[int, int] | None:
        """The selection in interview positions, or None when nothing is selected."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        a = self._map.to_interview(cursor.selectionStart())
        b = self._map.to_interview(cursor.selectionEnd())
        return a, b

    def select_span(self, start: int, end: int) -> None:
        cursor = self.textCursor()
        cursor.setPosition(self._map.to_document(start))
        cursor.setPosition(self._map.to_document(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    def select_utterance(self, index: int) -> None:
        if 0 <= index < len(self.rows):
            start = self._starts[index]
            self.select_span(start, start + len(self.rows[index].text))

    def select_coding(self, coding: str) -> None:
        for s in self._lanes.stripes:
            if s.coding == coding:
                self._selected_coding = coding
                self.select_span(s.start, s.end)
                self.margin.update()
                return

    @property
    def selected_coding(self) -> str | None:
        return self._selected_coding

    def selection_in_utterance(self) -> tuple[int, int, int] | None:
        """The selection (or the cursor) as (utterance, start, end) in code points of that
        utterance's text; None when it crosses utterances."""
        if not self.rows:
            return None
        cursor = self.textCursor()
        a = self._map.to_interview(cursor.selectionStart())
        b = self._map.to_interview(cursor.selectionEnd())
        index = self.utterance_of(a)
        if self.utterance_of(b) != index:
            return None
        return index, a - self._starts[index], b - self._starts[index]

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.createStandardContextMenu(event.pos())
        renderings.fill_menu(menu, self)
        redact_span.fill_menu(menu, self)
        menu.exec(event.globalPos())
        menu.deleteLater()

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent) and self.rows:
            position = self._map.to_interview(self.cursorForPosition(event.pos()).position())
            index = self.utterance_of(position)
            at = position - self._starts[index]
            span = renderings.span_at(self.rendered, index, at, at)
            if span is None:
                QToolTip.hideText()
            else:  # "rendered for P01" over the words an interpreter renders
                QToolTip.showText(event.globalPos(), span.tip(), self.viewport())
            return True
        return super().viewportEvent(event)

    def utterance_of(self, position: int) -> int:
        return max(bisect.bisect_right(self._starts, position) - 1, 0)

    def current_utterance(self) -> int | None:
        if not self.rows:
            return None
        return self.textCursor().blockNumber()

    def _rect_at(self, position: int) -> QRect:
        """The cursor rectangle at an interview position, in viewport coordinates."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(
            min(self._map.to_document(position), self.document().characterCount() - 1)
        )
        return self.cursorRect(cursor)

    def utterance_at_y(self, y: int) -> int | None:
        block = self.firstVisibleBlock()
        offset = self.contentOffset()
        while block.isValid():
            top = self.blockBoundingGeometry(block).translated(offset).top()
            bottom = top + self.blockBoundingRect(block).height()
            if top <= y < bottom:
                return block.blockNumber() if block.blockNumber() < len(self.rows) else None
            if top > y:
                return None
            block = block.next()
        return None

    # --- painting ----------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        rect = self.contentsRect()
        self.gutter.setGeometry(QRect(rect.left(), rect.top(), GUTTER_WIDTH, rect.height()))
        width = STRIPE_GAP + MAX_LANES * STRIPE_WIDTH + 8
        self.margin.setGeometry(QRect(rect.right() - width + 1, rect.top(), width, rect.height()))

    def _scrolled(self, rect: QRect, dy: int) -> None:
        if dy:
            self.gutter.scroll(0, dy)
            self.margin.update()
        else:
            self.gutter.update(0, rect.y(), self.gutter.width(), rect.height())
            self.margin.update(0, rect.y(), self.margin.width(), rect.height())

    def paint_gutter(self, widget: QWidget, event: QPaintEvent) -> None:
        t = theme.current()
        painter = QPainter(widget)
        painter.fillRect(event.rect(), QColor(t.gutter))
        painter.setPen(QColor(t.border))
        painter.drawLine(
            widget.width() - 1, event.rect().top(), widget.width() - 1, event.rect().bottom()
        )
        small = QFont(self.font())
        small.setPointSizeF(self.font().pointSizeF() * 0.85)
        bold = QFont(small)
        bold.setBold(True)
        block = self.firstVisibleBlock()
        offset = self.contentOffset()
        line = self.fontMetrics().height()
        while block.isValid():
            top = int(self.blockBoundingGeometry(block).translated(offset).top())
            if top > event.rect().bottom():
                break
            n = block.blockNumber()
            if n < len(self.rows) and top + line * 2 >= event.rect().top():
                paint_gutter_row(painter, self.rows[n], top + BLOCK_TOP_MARGIN, line, small, bold)
            block = block.next()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        painter = QPainter(self.viewport())
        painter.setPen(QColor(theme.current().separator))
        block = self.firstVisibleBlock()
        offset = self.contentOffset()
        width = self.viewport().width()
        while block.isValid():
            top = int(self.blockBoundingGeometry(block).translated(offset).top())
            if top > event.rect().bottom():
                break
            if block.blockNumber() > 0:
                painter.drawLine(0, top, width, top)
            block = block.next()

    def _visible_range(self) -> tuple[int, int]:
        first = self.firstVisibleBlock()
        top = self.cursorForPosition(QPoint(0, 0)).position()
        bottom = self.cursorForPosition(
            QPoint(self.viewport().width(), self.viewport().height())
        ).position()
        start = self._map.to_interview(min(top, first.position()))
        return start, self._map.to_interview(bottom) + 1

    def _visible_stripes(self) -> list[Stripe]:
        return self._lanes.visible(*self._visible_range())

    def _stripe_rect(self, stripe: Stripe) -> QRect:
        top, bottom = self._rect_at(stripe.start).top(), self._rect_at(stripe.end).bottom()
        x = STRIPE_GAP + stripe.lane * STRIPE_WIDTH
        return QRect(x, top, STRIPE_WIDTH - 1, max(bottom - top, 4))

    def paint_stripes(self, widget: QWidget, event: QPaintEvent) -> None:
        painter = QPainter(widget)
        painter.fillRect(event.rect(), QColor(theme.current().gutter))
        for stripe in self._visible_stripes():
            rect = self._stripe_rect(stripe)
            colour = QColor(stripe.colour)
            if stripe.coding == self._selected_coding:
                painter.fillRect(rect.adjusted(-1, -1, 1, 1), QColor(theme.current().text))
            painter.fillRect(rect, colour)
        if self._lanes.overflow:
            painter.setPen(QColor("#8a9099"))
            painter.drawText(QRect(0, 2, widget.width(), 14), Qt.AlignmentFlag.AlignCenter, "+")

    def stripe_at(self, point: QPoint) -> Stripe | None:
        for stripe in self._visible_stripes():
            if self._stripe_rect(stripe).adjusted(-1, 0, 1, 0).contains(point):
                return stripe
        return None

    # --- playback ----------------------------------------------------------------------------

    def set_playhead(self, ms: int, *, follow: bool = True) -> None:
        """Highlight the word being played (or its utterance) and keep it in view."""
        span = self._played_span(ms)
        if span == self._played:
            return
        self._played = span
        self._refresh_extra()
        if span is not None and follow and not self.hasFocus():
            cursor = QTextCursor(self.document())
            cursor.setPosition(self._map.to_document(span[0]))
            rect = self.cursorRect(cursor)
            if not self.viewport().rect().adjusted(0, 20, 0, -20).contains(rect):
                self.verticalScrollBar().setValue(
                    self.verticalScrollBar().value() + rect.top() - self.viewport().height() // 3
                )

    def _played_span(self, ms: int) -> tuple[int, int] | None:
        for w in self._words_near(ms):
            if w.start_ms <= ms < max(w.end_ms, w.start_ms + 1):
                start = self._starts[w.utterance] + w.start
                return start, self._starts[w.utterance] + w.end
        for i, r in enumerate(self.rows):
            if r.start_ms is not None and r.end_ms is not None and r.start_ms <= ms < r.end_ms:
                return self._starts[i], self._starts[i] + len(r.text)
        return None

    def _words_near(self, ms: int) -> list[TimedWord]:
        # Words are in text order, which is time order within a transcription.
        times = [w.start_ms for w in self._words]
        i = bisect.bisect_right(times, ms)
        return self._words[max(i - 2, 0) : i + 1]

    def played_text(self) -> str:
        if self._played is None:
            return ""
        a, b = self._played
        return "\n".join(r.text for r in self.rows)[a:b]

    def _refresh_extra(self) -> None:
        extras: list[QTextEdit.ExtraSelection] = []
        if self._played is not None:
            sel = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.document())
            cursor.setPosition(self._map.to_document(self._played[0]))
            cursor.setPosition(
                self._map.to_document(self._played[1]), QTextCursor.MoveMode.KeepAnchor
            )
            sel.cursor = cursor
            fmt = QTextCharFormat()
            fmt.setBackground(QColor(theme.current().played))
            sel.format = fmt
            extras.append(sel)
        block = self.textCursor().block()
        if block.isValid() and self.rows:
            line = QTextEdit.ExtraSelection()
            cursor = QTextCursor(block)
            line.cursor = cursor
            fmt = QTextCharFormat()
            fmt.setProperty(QTextFormat.Property.FullWidthSelection, True)
            fmt.setBackground(QColor(theme.current().current_line))
            line.format = fmt
            extras.insert(0, line)
        # Rendered words' tint over the current line's, under the played word's.
        at = 1 if block.isValid() and self.rows else 0
        self.setExtraSelections([*extras[:at], *self._rendered_marks, *extras[at:]])

    def utterance_clicked(self, index: int) -> None:
        row = self.rows[index]
        if row.start_ms is not None:
            self.seek_requested.emit(row.start_ms)
        cursor = QTextCursor(self.document().findBlockByNumber(index))
        self.setTextCursor(cursor)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        # A drag selects whole words, as in MAXQDA; Alt+drag selects by character.
        if event.buttons() & Qt.MouseButton.LeftButton and not self._by_character:
            cursor = self.textCursor()
            if cursor.hasSelection():
                self.setTextCursor(words.snap_cursor(cursor))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._by_character = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
        super().mousePressEvent(event)
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            position = self._map.to_interview(
                self.cursorForPosition(event.position().toPoint()).position()
            )
            self.seek_to_position(position)

    def seek_to_position(self, position: int) -> None:
        """Seek to the word at an interview position, else to its utterance."""
        i = bisect.bisect_right(self._word_starts, position) - 1
        if i >= 0:
            w = self._words[i]
            if self._starts[w.utterance] + w.end >= position:
                self.seek_requested.emit(w.start_ms)
                return
        row = self.rows[self.utterance_of(position)] if self.rows else None
        if row is not None and row.start_ms is not None:
            self.seek_requested.emit(row.start_ms)

    # --- editing -----------------------------------------------------------------------------

    def _contents_changed(self, position: int, removed: int, added: int) -> None:
        if self._loading or not self.rows:
            return
        self._dirty = self.document().findBlock(position).blockNumber()

    def _cursor_moved(self) -> None:
        if self._dirty is not None and self.textCursor().blockNumber() != self._dirty:
            self.commit()
        self._refresh_extra()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.commit()
        super().focusOutEvent(event)

    def has_pending_edit(self) -> bool:
        return self._dirty is not None

    def commit(self) -> None:
        """Hand the edited utterance to the window (once), if its text changed."""
        index, self._dirty = self._dirty, None
        if index is None or index >= len(self.rows):
            return
        text = self.document().findBlockByNumber(index).text()
        if text != self.rows[index].text:
            self.edit_requested.emit(index, text)

    def _spans_blocks(self) -> bool:
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return False
        doc = self.document()
        return (
            doc.findBlock(cursor.selectionStart()).blockNumber()
            != doc.findBlock(cursor.selectionEnd()).blockNumber()
        )

    def event(self, event: QEvent) -> bool:
        # Leave undo and redo to the window's Edit menu (the project's history).
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and (
                event.matches(QKeySequence.StandardKey.Undo)
                or event.matches(QKeySequence.StandardKey.Redo)
            )
        ):
            event.ignore()
            return False
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.rows:
            super().keyPressEvent(event)
            return
        cursor = self.textCursor()
        block = cursor.block()
        index = block.blockNumber()
        offset = cursor.position() - block.position()
        key = event.key()
        plain = not cursor.hasSelection()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                return
            if plain:
                self.commit()
                self.split_requested.emit(index, len(block.text()[:offset]))
            return
        if key == Qt.Key.Key_Backspace and plain and offset == 0:
            if index > 0:
                self.commit()
                self.merge_requested.emit(index - 1)
            return
        if key == Qt.Key.Key_Delete and plain and offset == len(block.text()):
            if index + 1 < len(self.rows):
                self.commit()
                self.merge_requested.emit(index)
            return
        changes_text = bool(event.text()) or key in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete)
        if (
            changes_text
            and self._spans_blocks()
            and not event.matches(QKeySequence.StandardKey.Copy)
        ):
            self.message.emit(
                "Edit one utterance at a time: the selection crosses utterances "
                "(Backspace at an utterance's start merges it with the one before)."
            )
            return
        if event.matches(QKeySequence.StandardKey.Cut) and self._spans_blocks():
            self.message.emit("Cut one utterance's words at a time.")
            return
        if words.step_word_key(self, event):
            return
        super().keyPressEvent(event)

    def insertFromMimeData(self, source: QMimeData) -> None:
        if self._spans_blocks():
            self.message.emit("Paste into one utterance at a time.")
            return
        if source.hasText():
            # A paste never makes a new utterance: line breaks become spaces.
            self.textCursor().insertText(" ".join(source.text().split("\n")))

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return source.hasFormat(CODE_MIME) or super().canInsertFromMimeData(source)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(CODE_MIME):
            event.setDropAction(Qt.DropAction.CopyAction)  # the code stays in the tree
            event.accept()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasFormat(CODE_MIME):
            event.setDropAction(Qt.DropAction.CopyAction)  # the selection stays: codes land on it
            event.accept()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        mime = event.mimeData()
        if mime.hasFormat(CODE_MIME):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            for path in json.loads(bytes(mime.data(CODE_MIME).data()).decode("utf-8")):
                self.code_dropped.emit(str(path))
            return
        super().dropEvent(event)
