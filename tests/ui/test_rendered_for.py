"""Rendered for… in the transcript (issue 15): an interpreter's words, selected by keyboard,
marked as rendering the patient through Code ▸ Rendered for… (Ctrl+R) — stored by the core, one
undoable step, tinted in the editor and named on hover — and taken away again with the right
mouse button."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QContextMenuEvent, QHelpEvent, QTextCursor
from PySide6.QtWidgets import QApplication, QMenu, QToolTip

from workbench.coding.study import add_interview, add_participant, new_study
from workbench.coding.transcripts import import_utterances, utterances
from workbench.ui.main_window import MainWindow

from ..helpers import transcript

ASIDE = "Sorry, do you want me to ask that as it is?"
LINES = [
    ("R01", "How are your nights?"),
    ("P01", "الليالي صعبة"),
    ("I01", f"The nights are hard. {ASIDE}"),
]


@pytest.fixture
def interpreted(tmp_path: Path) -> Path:
    path = tmp_path / "interpreted.dyad"
    with new_study(path, title="Interpreted") as p:
        for key, role in [("P01", "patient"), ("R01", "researcher"), ("I01", "interpreter")]:
            add_participant(p, key, role)
        add_interview(p, "J1", wave="baseline", participants=[(k, None) for k, _ in LINES])
        import_utterances(p, "J1", transcript(LINES), speakers={k: k for k, _ in LINES})
    return path


def _cursor_to(window: MainWindow, utterance: int, offset: int = 0) -> None:
    editor = window.editor
    cursor = QTextCursor(editor.document().findBlockByNumber(utterance))
    cursor.setPosition(cursor.position() + offset)
    editor.setTextCursor(cursor)
    editor.setFocus()


def _popup(qtbot) -> QMenu:
    menu: list[QMenu] = []

    def shown() -> None:
        widget = QApplication.activePopupWidget()
        assert isinstance(widget, QMenu)
        menu.append(widget)

    qtbot.waitUntil(shown)
    return menu[0]


def _texts(menu: QMenu) -> list[str]:
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def test_rendered_for_marks_shows_undoes_and_unmarks(
    window: MainWindow, interpreted: Path, qtbot
) -> None:
    assert window.open_location(str(interpreted))
    window.open_interview("J1")
    editor, project = window.editor, window.project
    assert project is not None and editor.rows[2].speaker == "I01"

    # The patient's own words are no interpreter's: the menu says so and offers nobody.
    _cursor_to(window, 1)
    qtbot.keyClick(editor, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    menu = _popup(qtbot)
    assert any("Only an interpreter's words render someone" in t for t in _texts(menu))
    assert not any(t.startswith("Rendered for P") for t in _texts(menu))
    qtbot.keyClick(menu, Qt.Key.Key_Escape)

    # Select the interpreter's first four words by keyboard, then Ctrl+R ▸ P01.
    _cursor_to(window, 2)
    for _ in range(4):
        qtbot.keyClick(
            editor,
            Qt.Key.Key_Right,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    where = editor.selection_in_utterance()
    assert where is not None and where[0] == 2 and where[1] == 0
    end = where[2]
    assert LINES[2][1][:end].rstrip(". ") == "The nights are hard"
    qtbot.keyClick(editor, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    menu = _popup(qtbot)
    assert [t for t in _texts(menu) if t.startswith("Rendered for ")] == [
        "Rendered for P01",
        "Rendered for R01",
    ]
    qtbot.keyClick(menu, Qt.Key.Key_Down)
    qtbot.keyClick(menu, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: utterances(project, "J1")[2].rendered == ((0, end, "P01"),))

    # Shown: the words tinted (an extra selection over exactly them), the hover names whom.
    marked = [s.cursor.selectedText() for s in editor.extraSelections()]
    assert LINES[2][1][:end] in marked
    assert ASIDE not in " ".join(marked)
    assert [(s.utterance, s.start, s.end, s.participant) for s in editor.rendered] == [
        (2, 0, end, "P01")
    ]
    _cursor_to(window, 2, 4)
    inside = editor.cursorRect().center()
    QApplication.sendEvent(
        editor.viewport(),
        QHelpEvent(QEvent.Type.ToolTip, inside, editor.viewport().mapToGlobal(inside)),
    )
    assert QToolTip.text() == "rendered for P01"
    assert window.statusBar().currentMessage() == "mark utterance 2 of J1 as rendering P01"

    # One undoable step: Ctrl+Z takes it back, Ctrl+Y puts it back.
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: utterances(project, "J1")[2].rendered == ())
    assert editor.rendered == []
    qtbot.keyClick(editor, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: utterances(project, "J1")[2].rendered == ((0, end, "P01"),))

    # The right mouse button inside the span offers to take it away, beside Copy and Paste.
    _cursor_to(window, 2, 6)
    offered: list[str] = []

    def choose() -> None:
        popup = QApplication.activePopupWidget()
        assert isinstance(popup, QMenu)
        offered.extend(_texts(popup))
        remove = popup.findChild(QAction, "renderedFor:")
        popup.close()
        remove.trigger()

    QTimer.singleShot(0, choose)
    point = editor.cursorRect().center()
    QApplication.sendEvent(
        editor.viewport(),
        QContextMenuEvent(
            QContextMenuEvent.Reason.Mouse, point, editor.viewport().mapToGlobal(point)
        ),
    )
    assert any("Copy" in t for t in offered)
    assert "Not rendered for P01: the interpreter's own words" in offered
    qtbot.waitUntil(lambda: utterances(project, "J1")[2].rendered == ())
    assert editor.rendered == []
    assert not [s for s in editor.extraSelections() if s.cursor.selectedText() == LINES[2][1][:end]]


def _gutter_menu(window: MainWindow, qtbot, utterance: int, submenu: str, entry: str) -> list[str]:
    """Right-click utterance ``utterance`` in the gutter, open ``submenu`` and choose the entry
    starting with ``entry`` by keyboard; the submenu's entries as offered."""
    editor = window.editor
    offered: list[str] = []

    def pick() -> None:
        popup = QApplication.activePopupWidget()
        assert isinstance(popup, QMenu)
        opener = next(a for a in popup.actions() if a.text() == submenu)
        popup.setActiveAction(opener)
        qtbot.keyClick(popup, Qt.Key.Key_Right)
        sub = opener.menu()
        qtbot.waitUntil(sub.isVisible)
        offered.extend(_texts(sub))
        target = next(a for a in sub.actions() if a.text().startswith(entry))
        sub.setActiveAction(target)
        qtbot.keyClick(sub, Qt.Key.Key_Return)

    QTimer.singleShot(0, pick)
    block = editor.document().findBlockByNumber(utterance)
    y = int(editor.blockBoundingGeometry(block).translated(editor.contentOffset()).top()) + 4
    point = QPoint(20, y)
    QApplication.sendEvent(
        editor.gutter,
        QContextMenuEvent(QContextMenuEvent.Reason.Mouse, point, editor.gutter.mapToGlobal(point)),
    )
    return offered


def test_an_interpreters_utterance_is_linked_to_its_original_from_the_gutter(
    window: MainWindow, interpreted: Path, qtbot
) -> None:
    assert window.open_location(str(interpreted))
    window.open_interview("J1")
    project = window.project
    assert project is not None
    offered = _gutter_menu(
        window, qtbot, 2, "Renders utterance (the pair counts once)", "0:00:01 P01"
    )
    assert offered == ["0:00:01 P01: الليالي صعبة", "0:00:00 R01: How are your nights?"]
    qtbot.waitUntil(lambda: utterances(project, "J1")[2].original == 1)
    assert window.editor.rows[2].original == 1
    assert window.statusBar().currentMessage() == "link utterance 2 of J1 to its original 1"

    offered = _gutter_menu(window, qtbot, 2, "Renders utterance (the pair counts once)", "No link")
    assert offered == ["0:00:01 P01: الليالي صعبة", "No link (both count again)"]
    qtbot.waitUntil(lambda: utterances(project, "J1")[2].original is None)
    window.undo_action.trigger()
    assert utterances(project, "J1")[2].original == 1
