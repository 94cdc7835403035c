"""The Qt binding itself: a release that mishandles references would crash long sessions."""

from __future__ import annotations

import sys

from PySide6.QtGui import QColor, QTextBlockFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit


def test_void_qt_calls_leave_the_reference_count_of_none_alone(qtbot) -> None:
    """PySide6 6.12.0 took one reference off None per void call: fatal on Python 3.11."""
    editor = QPlainTextEdit()
    qtbot.addWidget(editor)
    editor.setPlainText("\n".join(f"utterance {i}" for i in range(50)))
    cursor = QTextCursor(editor.document())
    fmt = QTextBlockFormat()
    before = sys.getrefcount(None)
    for i in range(3000):
        cursor.setPosition(i % 400)
        cursor.setBlockFormat(fmt)
        fmt.setBackground(QColor("#fff4d6"))
        editor.viewport().update()
    after = sys.getrefcount(None)
    # A few references may come and go with caches; a leak would show thousands.
    assert after - before > -100, f"None lost {before - after} references in 12,000 Qt calls"
