"""A colleague's commit shows in the open window within 2 s, without losing the user's selection
or a half-typed correction (issue: team projects)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QTextCursor

from workbench.coding.codebook import add_code
from workbench.coding.codings import apply_code
from workbench.coding.transcripts import utterances
from workbench.storage.project import open_project
from workbench.ui.main_window import MainWindow


def _window(qtbot, tmp_path: Path, project: Path) -> MainWindow:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    assert window.open_location(str(project))
    window.open_interview("P01-b")
    return window


def test_a_colleagues_coding_appears_and_the_selection_stays(
    qtbot, tmp_path: Path, demo_like: Path
) -> None:
    window = _window(qtbot, tmp_path, demo_like)
    window.editor.select_span(4, 7)
    with open_project(str(demo_like), coder="colleague") as other:
        add_code(other, "Sleep")
        apply_code(other, "P01-b", 13, 18, "Sleep")
    qtbot.waitUntil(lambda: len(window.editor.stripes) == 1, timeout=2500)
    assert window.editor.selection_span() == (4, 7)
    qtbot.waitUntil(lambda: window.code_tree.model.rowCount() == 1, timeout=1000)


def test_a_half_typed_correction_survives_a_colleagues_commit(
    qtbot, tmp_path: Path, demo_like: Path
) -> None:
    window = _window(qtbot, tmp_path, demo_like)
    cursor = window.editor.textCursor()
    cursor.setPosition(len("How did you sleep"))
    window.editor.setTextCursor(cursor)
    window.editor.setFocus()
    qtbot.keyClicks(window.editor, " last night")
    assert window.editor.has_pending_edit()
    with open_project(str(demo_like), coder="colleague") as other:
        add_code(other, "Sleep")
        apply_code(other, "P01-b", 8, 11, "Sleep")
    qtbot.waitUntil(lambda: len(window.editor.stripes) == 1, timeout=2500)
    assert window.editor.has_pending_edit()
    assert window.editor.toPlainText().startswith("How did you sleep last night?")
    window.editor.moveCursor(QTextCursor.MoveOperation.End)  # leaves the utterance: commits
    qtbot.keyClick(window.editor, Qt.Key.Key_Down)
    window.editor.commit()
    with open_project(str(demo_like)) as p:
        assert utterances(p, "P01-b")[0].text == "How did you sleep last night?"
