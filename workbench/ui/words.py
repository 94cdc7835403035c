"""Whole words in an utterance's text: what a mouse drag snaps to and Ctrl+←/→ steps over.

A word is a run of letters and digits; an apostrophe between two letters belongs to it ("isn't",
"l’hôpital"), so a contraction is one word, as MAXQDA and word processors treat it. Positions
are indexes into one utterance's text (code points)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit

from workbench.domain.positions import codepoint_to_utf16, utf16_to_codepoint

APOSTROPHES = "'’"


def in_word(text: str, i: int) -> bool:
    """Whether the character at ``i`` is part of a word."""
    if not 0 <= i < len(text):
        return False
    c = text[i]
    if c.isalnum() or c == "_":
        return True
    return (
        c in APOSTROPHES
        and 0 < i < len(text) - 1
        and text[i - 1].isalnum()
        and text[i + 1].isalnum()
    )


def word_start(text: str, i: int) -> int:
    """The start of the word ``i`` is in (or ``i`` itself between words)."""
    while i > 0 and in_word(text, i - 1) and in_word(text, min(i, len(text) - 1)):
        i -= 1
    return i


def word_end(text: str, i: int) -> int:
    """The end of the word ``i`` is in or just after (or ``i`` itself between words)."""
    if i > 0 and not in_word(text, i) and in_word(text, i - 1):
        return i
    while i < len(text) and in_word(text, i):
        i += 1
    return i


def next_word_end(text: str, i: int) -> int:
    """Ctrl+→: over what is not a word, then to the end of the next word."""
    while i < len(text) and not in_word(text, i):
        i += 1
    while i < len(text) and in_word(text, i):
        i += 1
    return i


def previous_word_start(text: str, i: int) -> int:
    """Ctrl+←: back over what is not a word, then to the start of the word before."""
    while i > 0 and not in_word(text, i - 1):
        i -= 1
    while i > 0 and in_word(text, i - 1):
        i -= 1
    return i


def snap(text: str, anchor: int, position: int) -> tuple[int, int]:
    """A drag from ``anchor`` to ``position`` widened to whole words, direction kept."""
    if position >= anchor:
        return word_start(text, anchor), word_end(text, position)
    return word_end(text, anchor), word_start(text, position)


def _in_block(cursor: QTextCursor, position: int) -> tuple[int, str, int]:
    """(block start, block text, index in that text) for a document position."""
    block = cursor.document().findBlock(position)
    text = block.text()
    return block.position(), text, utf16_to_codepoint(text, position - block.position())


def snap_cursor(cursor: QTextCursor) -> QTextCursor:
    """The cursor's selection widened to whole words at both ends (each in its utterance)."""
    anchor, position = cursor.anchor(), cursor.position()
    a_block, a_text, a = _in_block(cursor, anchor)
    p_block, p_text, p = _in_block(cursor, position)
    forward = position >= anchor
    a = word_start(a_text, a) if forward else word_end(a_text, a)
    p = word_end(p_text, p) if forward else word_start(p_text, p)
    snapped = QTextCursor(cursor)
    snapped.setPosition(a_block + codepoint_to_utf16(a_text, a))
    snapped.setPosition(p_block + codepoint_to_utf16(p_text, p), QTextCursor.MoveMode.KeepAnchor)
    return snapped


def step_word(cursor: QTextCursor, forward: bool, keep_anchor: bool) -> bool:
    """Ctrl+→ / Ctrl+←: to the next word's end or the previous word's start in the utterance;
    False at its edge (the editor's own step then goes to the next utterance)."""
    block, text, i = _in_block(cursor, cursor.position())
    to = next_word_end(text, i) if forward else previous_word_start(text, i)
    if to == i:
        return False
    mode = QTextCursor.MoveMode.KeepAnchor if keep_anchor else QTextCursor.MoveMode.MoveAnchor
    cursor.setPosition(block + codepoint_to_utf16(text, to), mode)
    return True


def step_word_key(editor: QPlainTextEdit, event: QKeyEvent) -> bool:
    """Ctrl+←/→ (with Shift: selecting) over whole words, "isn't" being one."""
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    control, shift = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
    if mods not in (control, control | shift):
        return False
    keys = {Qt.Key.Key_Right: True, Qt.Key.Key_Left: False}
    forward = keys.get(Qt.Key(event.key()))
    if forward is None:
        return False
    if editor.document().findBlock(editor.textCursor().position()).textDirection() == (
        Qt.LayoutDirection.RightToLeft
    ):
        forward = not forward  # → moves visually: backwards through right-to-left text
    cursor = editor.textCursor()
    if not step_word(cursor, forward, keep_anchor=bool(mods & shift)):
        return False
    editor.setTextCursor(cursor)
    return True
