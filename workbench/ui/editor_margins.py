"""Beside the transcript: the gutter (time, speaker, flags) and the margin of coding stripes,
with their menus. The editor paints them (``paint_gutter``, each utterance's row with
``paint_gutter_row`` here, and ``paint_stripes``); these widgets take the mouse."""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QPoint, QRect, QSize, Qt, SignalInstance
from PySide6.QtGui import QColor, QContextMenuEvent, QFont, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QMenu, QToolTip, QWidget

from workbench.domain.coding import CodingInfo
from workbench.domain.study import Utterance
from workbench.domain.transcript import format_ms
from workbench.ui import theme
from workbench.ui.models import speaker_colour


class TranscriptEditor(Protocol):
    """What the margins use of the editor (``ui.editor.TranscriptEditor``)."""

    rows: list[Utterance]
    speakers: list[str]
    interpreters: set[str]
    utterance_action: SignalInstance
    coding_action: SignalInstance

    def paint_gutter(self, widget: QWidget, event: QPaintEvent) -> None: ...
    def paint_stripes(self, widget: QWidget, event: QPaintEvent) -> None: ...
    def utterance_at_y(self, y: int) -> int | None: ...
    def utterance_clicked(self, index: int) -> None: ...
    def stripe_at(self, point: QPoint) -> Stripe | None: ...
    def select_coding(self, coding: str) -> None: ...


def _widget(editor: TranscriptEditor) -> QWidget | None:
    """The editor as the parent of a margin or a menu (it is a widget)."""
    return editor if isinstance(editor, QWidget) else None


GUTTER_WIDTH = 178
BLOCK_TOP_MARGIN = 0
"""QPlainTextEdit lays blocks out without margins; a rule between utterances separates them."""
STRIPE_WIDTH = 5
STRIPE_GAP = 2
MAX_LANES = 12


@dataclass(frozen=True, slots=True)
class Stripe:
    coding: str
    code: str
    colour: QColor
    start: int
    end: int
    """Interview positions."""
    lane: int
    memo: str | None


def assign_lanes(codings: Sequence[CodingInfo]) -> list[tuple[CodingInfo, int]]:
    """Greedy interval colouring: each coding takes the leftmost lane free at its start."""
    busy: list[tuple[int, int]] = []  # (end, lane) of the codings still open
    free: list[int] = []  # lanes open again, leftmost first
    lanes = 0
    placed: list[tuple[CodingInfo, int]] = []
    for c in sorted(codings, key=lambda c: (c.start, -c.end, c.code)):
        while busy and busy[0][0] <= c.start:
            heapq.heappush(free, heapq.heappop(busy)[1])
        if free:
            lane = heapq.heappop(free)
        else:
            lane, lanes = lanes, lanes + 1
        heapq.heappush(busy, (c.end, lane))
        placed.append((c, lane))
    return placed


class Gutter(QWidget):
    """Time and speaker beside the first line of each utterance, and its flags."""

    def __init__(self, editor: TranscriptEditor) -> None:
        super().__init__(_widget(editor))
        self.editor = editor
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:
        return QSize(GUTTER_WIDTH, 0)

    def paintEvent(self, event: QPaintEvent) -> None:
        self.editor.paint_gutter(self, event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        index = self.editor.utterance_at_y(event.position().toPoint().y())
        if index is not None and event.button() == Qt.MouseButton.LeftButton:
            self.editor.utterance_clicked(index)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        index = self.editor.utterance_at_y(event.pos().y())
        if index is not None:
            utterance_menu(self.editor, index, event.globalPos())


class StripeMargin(QWidget):
    """Codings as coloured stripes beside the text: hover names the code, click selects it."""

    def __init__(self, editor: TranscriptEditor) -> None:
        super().__init__(_widget(editor))
        self.editor = editor
        self.setMouseTracking(True)

    def paintEvent(self, event: QPaintEvent) -> None:
        self.editor.paint_stripes(self, event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        stripe = self.editor.stripe_at(event.position().toPoint())
        if stripe is None:
            QToolTip.hideText()
            return
        tip = stripe.code + (f"\nMemo: {stripe.memo}" if stripe.memo else "")
        QToolTip.showText(event.globalPosition().toPoint(), tip, self)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        stripe = self.editor.stripe_at(event.position().toPoint())
        if stripe is not None and event.button() == Qt.MouseButton.LeftButton:
            self.editor.select_coding(stripe.coding)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        stripe = self.editor.stripe_at(event.pos())
        if stripe is not None:
            self.editor.select_coding(stripe.coding)
            coding_menu(self.editor, stripe, event.globalPos())


def utterance_menu(editor: TranscriptEditor, index: int, where: QPoint) -> None:
    """Verify, clear a flag, set the speaker or whose words are rendered, play from here."""
    row = editor.rows[index]
    menu = QMenu(_widget(editor))
    if "verified" in row.flags:
        menu.addAction("Mark not verified").setData("unverify")
    else:
        menu.addAction("Mark verified against the audio").setData("verify")
    if "needs_review" in row.flags or "untranscribed_speech" in row.flags:
        menu.addAction("Clear the review flag").setData("clear-review")
    if editor.speakers:
        speakers = menu.addMenu("Speaker")
        for who in editor.speakers:
            action = speakers.addAction(who)
            action.setCheckable(True)
            action.setChecked(who == row.speaker)
            action.setData(f"speaker:{who}")
        renders = menu.addMenu("Renders the words of (interpreting)")
        for who in ["", *editor.speakers]:
            if who and who == row.speaker:
                continue
            action = renders.addAction(who or "nobody (own words)")
            action.setCheckable(True)
            action.setChecked((row.renders or "") == who)
            action.setData(f"renders:{who}")
    if row.speaker in editor.interpreters:
        _link_menu(menu.addMenu("Renders utterance (the pair counts once)"), editor.rows, index)
    if row.start_ms is not None:
        menu.addAction(f"Play from {format_ms(row.start_ms)}").setData("play")
    chosen = menu.exec(where)
    if chosen is None:
        return
    data = str(chosen.data())
    if data == "play":
        editor.utterance_clicked(index)
    else:
        editor.utterance_action.emit(index, data)


LINK_CHOICES = 4
"""How many utterances before an interpreter's are offered as the original it renders."""


def _link_menu(menu: QMenu, rows: list[Utterance], index: int) -> None:
    """Link an interpreter's utterance to the original it renders (or undo the link): the few
    utterances of others just before it, by number, speaker and first words."""
    row = rows[index]

    def offer(n: int) -> None:
        said = rows[n].text if len(rows[n].text) <= 40 else rows[n].text[:39].rstrip() + "…"
        when = format_ms(rows[n].start_ms) or f"#{n}"
        action = menu.addAction(f"{when} {rows[n].speaker or '?'}: {said}")
        action.setCheckable(True)
        action.setChecked(row.original == n)
        action.setEnabled(row.original is None)
        action.setData(f"link:{n}")

    if row.original is not None:
        offer(row.original)
        menu.addAction("No link (both count again)").setData("unlink")
        return
    before = [n for n in range(index - 1, -1, -1) if rows[n].speaker != row.speaker]
    for n in before[:LINK_CHOICES]:
        offer(n)
    if not before:
        menu.addAction("No utterance of another speaker before it").setEnabled(False)


def coding_menu(editor: TranscriptEditor, stripe: Stripe, where: QPoint) -> None:
    """Memo on a coding, or remove it."""
    menu = QMenu(_widget(editor))
    menu.addAction(f"{stripe.code}").setEnabled(False)
    menu.addAction("Memo on this coding…").setData("memo")
    menu.addAction("Remove this coding").setData("remove")
    chosen = menu.exec(where)
    if chosen is not None and chosen.data():
        editor.coding_action.emit(stripe.coding, str(chosen.data()))


def paint_gutter_row(
    painter: QPainter, row: Utterance, y: int, line: int, small: QFont, bold: QFont
) -> None:
    """One utterance in the gutter, its first line at ``y``: the time, its flags (verified,
    to review, speech left untranscribed, translated) and who speaks."""
    t = theme.current()
    painter.setFont(small)
    painter.setPen(QColor(t.muted))
    time_width = painter.fontMetrics().horizontalAdvance("0:00:00") + 6
    painter.drawText(
        QRect(8, y, time_width, line),
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
        format_ms(row.start_ms),
    )
    marks = []
    if "verified" in row.flags:
        marks.append(("✓", "#2f7a46"))
    if "needs_review" in row.flags:
        marks.append(("!", "#b7791f"))
    if "untranscribed_speech" in row.flags:
        marks.append(("…", "#b7791f"))
    if row.translations:
        marks.append(("⇄", t.accent))
    if row.original is not None:  # linked to the original it renders: the pair counts once
        marks.append(("↔", "#8b6bb8"))
    x = GUTTER_WIDTH - 10 - 12 * len(marks)
    for mark, colour in marks:
        painter.setPen(QColor(colour))
        painter.setFont(bold)
        painter.drawText(
            QRect(x, y, 12, line),
            Qt.AlignmentFlag.AlignCenter | Qt.AlignmentFlag.AlignVCenter,
            mark,
        )
        x += 12
    painter.setFont(bold)
    painter.setPen(speaker_colour(row.speaker))
    who = (row.speaker or "?") + (f" → {row.renders}" if row.renders else "")
    if row.rendered:  # a dashed arrow: only part of the utterance (its tinted words) renders
        who += " ⇢ " + ", ".join(dict.fromkeys(p for _, _, p in row.rendered))
    left = 8 + time_width
    room = GUTTER_WIDTH - left - 12 - 12 * len(marks)
    elided = painter.fontMetrics().elidedText(who, Qt.TextElideMode.ElideRight, room)
    painter.drawText(
        QRect(left, y, room, line),
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
        elided,
    )
