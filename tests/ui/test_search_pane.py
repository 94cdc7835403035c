"""Search the project from the window (Edit ▸ Search the project…, Ctrl+Shift+F): the hits of
``workbench search``, and Enter on one opens its interview with the words selected."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QDockWidget

from workbench.storage.project import open_project
from workbench.ui.main_window import MainWindow

from .conftest import add_mid_treatment


def _more(path: Path) -> None:
    add_mid_treatment(
        path,
        [
            ("R01", "And the nights now?"),
            ("P01", "Better. I sleep until five, then the nightmares come."),
            ("P01", "ورنا بتنام عندي، وبدير النور كنا ننام بالخيمة."),
        ],
    )


def test_words_are_found_in_every_interview_and_opened_where_they_stand(
    window: MainWindow, demo_like: Path, qtbot
) -> None:
    _more(demo_like)
    assert window.open_location(str(demo_like))
    search_action = next(
        a for a in window.findChildren(type(window.undo_action)) if a.text().startswith("&Search")
    )
    assert search_action.shortcut() == QKeySequence("Ctrl+Shift+F")
    search_action.trigger()
    pane = window.search
    dock = window.findChild(QDockWidget, "searchDock")
    assert dock is not None and dock.isVisible()
    assert QApplication.focusWidget() is pane.query

    qtbot.keyClicks(pane.query, "sleep*")
    qtbot.keyClick(pane.query, Qt.Key.Key_Return)
    hits = [pane.model.hit(r) for r in range(pane.model.rowCount())]
    assert [(h.interview, h.utterance) for h in hits] == [("P01-b", 0), ("P01-m", 1)]
    assert pane.count.text().startswith("2 utterances in 2 interviews")

    # Enter on the second hit: its interview opens with "sleep" selected.
    pane.view.setFocus()
    pane.view.selectRow(1)
    qtbot.keyClick(pane.view, Qt.Key.Key_Return)
    assert window.page.interview == "P01-m"
    span = window.editor.selection_span()
    assert span is not None
    text = window.editor.toPlainText()
    assert text[span[0] : span[1]] == "sleep"

    # A phrase in Arabic, through the words written joined to it: "in Deir al-Nour".
    pane.query.clear()
    pane.query.setText('"دير النور"')  # typed through an input method: QTest types no Arabic
    qtbot.keyClick(pane.query, Qt.Key.Key_Return)
    assert pane.model.rowCount() == 1
    rect = pane.view.visualRect(pane.model.index(0, 4))
    qtbot.mouseClick(pane.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(pane.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    span = window.editor.selection_span()
    assert span is not None and window.editor.toPlainText()[span[0] : span[1]] == "وبدير النور"


def test_a_query_with_nothing_to_look_for_says_so(
    window: MainWindow, demo_like: Path, qtbot
) -> None:
    assert window.open_location(str(demo_like))
    pane = window.search
    qtbot.keyClicks(pane.query, "zebra <b>")
    qtbot.keyClick(pane.query, Qt.Key.Key_Return)
    assert pane.model.rowCount() == 0 and pane.count.text() == "Nothing holds zebra &lt;b&gt;."
    pane.query.clear()
    qtbot.keyClicks(pane.query, '" " *')
    qtbot.keyClick(pane.query, Qt.Key.Key_Return)
    assert "nothing to search for" in pane.count.text()


def test_the_hits_follow_an_edit(window: MainWindow, demo_like: Path, qtbot) -> None:
    assert window.open_location(str(demo_like))
    pane = window.search
    qtbot.keyClicks(pane.query, "nightmares")
    qtbot.keyClick(pane.query, Qt.Key.Key_Return)
    assert pane.model.rowCount() == 0
    _more(demo_like)  # another analyst's import, or the command line's
    window.refresh()
    assert pane.model.rowCount() == 1


def test_a_long_list_stops_and_says_how_many_there_are(
    window: MainWindow, demo_like: Path, qtbot, monkeypatch
) -> None:
    from workbench.ui import search_pane

    _more(demo_like)
    monkeypatch.setattr(search_pane, "LIMIT", 1)
    assert window.open_location(str(demo_like))
    pane = window.search
    qtbot.keyClicks(pane.query, "sleep*")
    qtbot.keyClick(pane.query, Qt.Key.Key_Return)
    assert pane.model.rowCount() == 1
    assert pane.count.text().startswith("the first 1 of 2 utterances in 2 interviews")
    assert "list 1 more" in pane.count.text()
    pane.count.linkActivated.emit("more")
    assert pane.model.rowCount() == 2 and "more" not in pane.count.text()
    assert pane.count.text().startswith("2 utterances in 2 interviews")


def test_a_change_keeps_the_hit_the_analyst_is_on(
    window: MainWindow, demo_like: Path, qtbot
) -> None:
    _more(demo_like)
    assert window.open_location(str(demo_like))
    window.show_search()
    pane = window.search
    qtbot.keyClicks(pane.query, "sleep*")
    qtbot.keyClick(pane.query, Qt.Key.Key_Return)
    qtbot.keyClick(pane.query, Qt.Key.Key_Down)  # from the line to the hits
    assert pane.view.hasFocus()
    pane.view.selectRow(1)
    window.refresh()  # an edit, an undo, a colleague's commit
    assert pane.view.currentIndex().row() == 1

    # A query with nothing to look for leaves nothing a later change could bring back.
    pane.query.setText('" "')
    qtbot.keyClick(pane.query, Qt.Key.Key_Return)
    window.refresh()
    assert pane.model.rowCount() == 0


def test_a_hit_selects_its_word_and_not_the_words_glued_to_it(
    window: MainWindow, demo_like: Path, qtbot
) -> None:
    add_mid_treatment(demo_like, [("R01", "And food?"), ("P01", "food/sleep/work, all of it.")])
    assert window.open_location(str(demo_like))
    window.show_search()
    pane = window.search
    qtbot.keyClicks(pane.query, "work")
    qtbot.keyClick(pane.query, Qt.Key.Key_Return)
    pane.view.setFocus()
    qtbot.keyClick(pane.view, Qt.Key.Key_Return)
    span = window.editor.selection_span()
    assert span is not None and window.editor.toPlainText()[span[0] : span[1]] == "work"


def test_memos_and_notes_too_when_asked_and_read_below_the_hits(
    window: MainWindow, demo_like: Path, qtbot
) -> None:
    from workbench.coding.memos import add_memo

    _more(demo_like)
    with open_project(demo_like) as p:
        add_memo(p, "Her sleep came back after the move, she said.", about="interview:P01-m")
    assert window.open_location(str(demo_like))
    window.show_search()
    pane = window.search
    qtbot.keyClicks(pane.query, "sleep")
    qtbot.keyClick(pane.query, Qt.Key.Key_Return)
    assert pane.model.rowCount() == 2  # the two utterances, not the memo
    pane.notes.setChecked(True)  # asks again, with the analyst's texts
    assert pane.model.rowCount() == 3 and "1 memo and notes" in pane.count.text()
    note = pane.model.hit(2)
    assert note.where.startswith("memo ")  # type: ignore[union-attr]
    pane.view.setFocus()
    pane.view.selectRow(2)
    qtbot.keyClick(pane.view, Qt.Key.Key_Return)
    assert pane.preview.isVisible() and "came back after the move" in pane.preview.toPlainText()
    pane.view.selectRow(0)
    qtbot.keyClick(pane.view, Qt.Key.Key_Return)  # an utterance: the editor, the note put away
    assert not pane.preview.isVisible()
