"""Redacting the selected words from the transcript's context menu: the words, not positions
typed on a command line."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QInputDialog, QMenu

from workbench.coding.transcripts import interview_text
from workbench.storage.project import open_project
from workbench.ui import redact_span
from workbench.ui.main_window import MainWindow


def _menu_action(window: MainWindow) -> QMenu:
    menu = QMenu()
    redact_span.fill_menu(menu, window.page.editor)
    return menu


def test_the_selected_words_are_redacted_from_the_menu(
    qtbot, window: MainWindow, demo_like: Path, monkeypatch
) -> None:
    assert window.open_location(str(demo_like))
    window.open_interview("P01-b")
    with open_project(demo_like) as p:
        text = interview_text(p, "P01-b")
    start = text.index("sleep")
    editor = window.page.editor

    editor.select_span(0, len(text))  # across utterances: said, not offered
    menu = _menu_action(window)
    (whole,) = [a for a in menu.actions() if a.text().startswith("Redact")]
    assert not whole.isEnabled() and "inside one utterance" in whole.text()

    editor.select_span(start, start + len("sleep"))
    asked: list[str] = []

    def get_text(_parent, _title, label):
        asked.append(label)
        return "[an activity]", True

    monkeypatch.setattr(QInputDialog, "getText", get_text)
    menu = _menu_action(window)
    (action,) = [a for a in menu.actions() if a.objectName() == "redactSelection"]
    assert action.isEnabled()
    action.trigger()
    assert asked == ["Replace “sleep” with (e.g. [a town in Eritrea]):"]
    with open_project(demo_like) as p:
        assert "How did you [an activity]?" in interview_text(p, "P01-b")
    assert "[an activity]" in editor.toPlainText()
    assert demo_like.with_suffix(".dyadkey").exists()
    assert window.undo_action.text() == "&Undo redact as [an activity]"
    assert "Redacted as [an activity]" in window.page.notice.text()
    window.undo.undo()  # with the key beside the project: the words come back
    with open_project(demo_like) as p:
        assert "How did you sleep?" in interview_text(p, "P01-b")


def test_the_notice_names_interpreted_turns_in_another_script(
    qtbot, window: MainWindow, demo_like: Path, monkeypatch
) -> None:
    from ..helpers import interview_with

    people = (("P01", "patient"), ("I01", "interpreter"), ("R01", "researcher"))
    lines = [("P01", "مرتي، ورنا بنتي."), ("I01", "My wife, and Rana, my daughter.")]
    with open_project(demo_like) as p:
        interview_with(p, "P01-m", lines, people=people, wave="baseline")
    assert window.open_location(str(demo_like))
    window.open_interview("P01-m")
    text = window.page.editor.toPlainText()
    start = text.index("Rana")
    window.page.editor.select_span(start, start + 4)
    monkeypatch.setattr(QInputDialog, "getText", lambda *_: ("[daughter]", True))
    menu = _menu_action(window)
    (action,) = [a for a in menu.actions() if a.objectName() == "redactSelection"]
    action.trigger()
    said = window.page.notice.text()
    assert "Redacted as [daughter]." in said
    assert "1 turn(s) interpreted to or from it, written in another script" in said
    assert "interview:P01-m #0" in said and "Watch list…" in said
