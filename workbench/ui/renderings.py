"""Whose words an interpreter renders, in the transcript: the rendered spans tinted and named on
hover, and the "Rendered for…" menu that marks one or takes it away.

Marking and unmarking are the core's commands (``coding.utterances.mark_rendering`` and
``unmark_rendering``), each one undoable step; the editor is then reloaded, so the tint shows
what is stored (DESIGN.md, Attribution: those words count for the person rendered).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QPoint, SignalInstance
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QMenu, QTextEdit, QWidget

from workbench.domain.positions import PositionMap
from workbench.domain.study import Utterance
from workbench.ui import theme

TINT = {"light": "#ebe1f7", "dark": "#3a2d55"}
"""Rendered words: a quiet lavender, apart from the played word's yellow and the line's blue."""
UNDERLINE = {"light": "#8b6bb8", "dark": "#b9a2e0"}


@dataclass(frozen=True, slots=True)
class RenderedSpan:
    """A rendered stretch of one utterance: ``start``/``end`` are code points into its text."""

    utterance: int
    start: int
    end: int
    participant: str

    def tip(self) -> str:
        return f"rendered for {self.participant}"


def rendered_spans(rows: Sequence[Utterance]) -> list[RenderedSpan]:
    """Every rendered stretch: an utterance's spans, or the whole of one marked as a whole."""
    found = []
    for n, row in enumerate(rows):
        if row.rendered:
            found += [RenderedSpan(n, a, b, who) for a, b, who in row.rendered]
        elif row.renders and row.text:
            found.append(RenderedSpan(n, 0, len(row.text), row.renders))
    return found


def span_at(spans: Sequence[RenderedSpan], index: int, start: int, end: int) -> RenderedSpan | None:
    """The rendered span of utterance ``index`` under ``start``–``end`` (a cursor: equal)."""
    for span in spans:
        if span.utterance != index:
            continue
        if (
            (span.start <= start <= span.end)
            if start == end
            else (span.start < end and start < span.end)
        ):
            return span
    return None


def selections(
    document: QTextDocument,
    spans: Sequence[RenderedSpan],
    starts: Sequence[int],
    positions: PositionMap,
) -> list[QTextEdit.ExtraSelection]:
    """The tint and dotted underline the editor lays over rendered words."""
    ink = theme.current().name
    fmt = QTextCharFormat()
    fmt.setBackground(QColor(TINT.get(ink, TINT["light"])))
    fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
    fmt.setUnderlineColor(QColor(UNDERLINE.get(ink, UNDERLINE["light"])))
    found = []
    for span in spans:
        if span.utterance >= len(starts):
            continue
        at = starts[span.utterance]
        cursor = QTextCursor(document)
        cursor.setPosition(positions.to_document(at + span.start))
        cursor.setPosition(positions.to_document(at + span.end), QTextCursor.MoveMode.KeepAnchor)
        selection = QTextEdit.ExtraSelection()
        selection.cursor = cursor
        selection.format = fmt
        found.append(selection)
    return found


class Editor(Protocol):
    """What the menu reads of the transcript editor (``ui.editor.TranscriptEditor``)."""

    rows: list[Utterance]
    speakers: list[str]
    interpreters: set[str]
    rendered: list[RenderedSpan]
    rendering_chosen: SignalInstance

    def selection_in_utterance(self) -> tuple[int, int, int] | None: ...


def fill_menu(menu: QMenu, editor: Editor) -> None:
    """The "Rendered for…" entries for the editor's selection: one per person the selected
    words may render, and the removal of the span under the selection or cursor; when the
    selection crosses utterances or is not an interpreter's, a line saying what to do."""
    menu.addSection("Rendered for…")
    where = editor.selection_in_utterance()
    if where is None:
        menu.addAction("Select words inside one utterance first").setEnabled(False)
        return
    index, start, end = where
    row = editor.rows[index]
    if row.speaker not in editor.interpreters:
        menu.addAction(
            f"Only an interpreter's words render someone ({row.speaker or '?'} speaks here)"
        ).setEnabled(False)
        return
    chosen = editor.rendering_chosen.emit
    existing = span_at(editor.rendered, index, start, end)
    if start < end:
        for who in editor.speakers:
            if who == row.speaker or who in editor.interpreters:
                continue
            action = menu.addAction(f"Rendered for {who}")
            action.setObjectName(f"renderedFor:{who}")
            action.triggered.connect(lambda _=False, w=who: chosen(index, start, end, w))
    elif existing is None:
        menu.addAction("Select the words the interpreter renders").setEnabled(False)
    if existing is not None:
        action = menu.addAction(
            f"Not rendered for {existing.participant}: the interpreter's own words"
        )
        action.setObjectName("renderedFor:")
        action.triggered.connect(lambda _=False, s=existing: chosen(index, s.start, s.end, ""))


def popup(parent: QWidget, at: QPoint, fill: Callable[[QMenu], None]) -> QMenu:
    """The menu on its own, at the text cursor (Code ▸ Rendered for…): shown without waiting, so
    the keyboard picks an entry as in any menu."""
    menu = QMenu(parent)
    menu.setObjectName("renderedForMenu")
    fill(menu)
    menu.aboutToHide.connect(menu.deleteLater)
    menu.popup(at)
    return menu
