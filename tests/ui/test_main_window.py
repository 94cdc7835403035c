"""The first window: navigator lanes and waves, participants, a transcript opened from a cell."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from workbench.ui.main_window import MainWindow
from workbench.ui.models import (
    ParticipantsModel,
    StudyGridModel,
    is_right_to_left,
)


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings)
    qtbot.addWidget(w)
    return w


def test_window_shows_the_study_and_opens_a_transcript_from_its_cell(
    window: MainWindow, demo_like: Path, qtbot
) -> None:
    assert window.open_location(str(demo_like))
    grid = window.grid_model
    assert grid.rowCount() == 2 and grid.columnCount() == 3
    assert grid.headerData(0, Qt.Orientation.Vertical) == "P01 (patient)\nD01"
    assert grid.headerData(1, Qt.Orientation.Horizontal) == "mid-treatment"
    assert grid.data(grid.index(0, 0)) == "transcribed"
    assert grid.data(grid.index(0, 1)) == "no interview"
    assert window.participants_model.rowCount() == 3

    rect = window.navigator.visualRect(grid.index(0, 0))
    qtbot.mouseClick(window.navigator.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    editor = window.editor
    assert [(r.speaker, r.text) for r in editor.rows] == [
        ("R01", "How did you sleep?"),
        ("P01", "لا أستطيع النوم"),
    ]
    assert editor.toPlainText() == "How did you sleep?\nلا أستطيع النوم"
    # The Arabic utterance is laid out right to left, the English one left to right.
    second = editor.document().findBlockByNumber(1)
    assert second.blockFormat().layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert editor.document().firstBlock().textDirection() == Qt.LayoutDirection.LeftToRight
    assert "P01-b" in window.page.title.text()
    assert "UI study" in window.windowTitle()


def test_opening_something_that_is_not_a_project_explains_why(
    window: MainWindow, tmp_path: Path, monkeypatch
) -> None:
    shown: list[str] = []
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: shown.append(text))
    bogus = tmp_path / "bogus.dyad"
    bogus.write_text("hello", encoding="utf-8")
    assert not window.open_location(str(bogus))
    assert shown and "not a Dyad Workbench project" in shown[0]


def test_recent_projects_are_remembered(window: MainWindow, demo_like: Path) -> None:
    window.open_location(str(demo_like))
    assert window.settings.value("recentProjects") in ([str(demo_like)], str(demo_like))
    assert window.recent_menu.isEnabled()


def test_models_pass_the_qt_model_tester(qtmodeltester, demo_like: Path) -> None:
    from workbench.coding.study import list_participants, study_grid
    from workbench.storage.project import open_project

    with open_project(demo_like) as p:
        grid = StudyGridModel(study_grid(p))
        people = ParticipantsModel()
        people.set_rows(list_participants(p))
    for model in (grid, people):
        qtmodeltester.check(model)


def test_right_to_left_detection() -> None:
    assert is_right_to_left("لا أستطيع")
    assert is_right_to_left("  «خواب» ok")
    assert not is_right_to_left("Hello لا")
    assert not is_right_to_left("123")


def test_a_damaged_project_offers_its_latest_backup(
    window: MainWindow, demo_like: Path, monkeypatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from workbench.storage.backup import list_backups, make_backup

    make_backup(demo_like, reason="daily")
    data = bytearray(demo_like.read_bytes())
    for offset in range(4096, len(data) - 4096, 4096):
        data[offset + 50 : offset + 600] = b"\xee" * 550
    demo_like.write_bytes(bytes(data))
    asked: list[str] = []

    def answer(_parent, _title, text):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    assert window.open_location(str(demo_like))
    assert "damaged" in asked[0] and "daily" in asked[0]
    assert window.grid_model.rowCount() == 2  # the backup's study is open
    kept = [p for p in demo_like.parent.iterdir() if "-damaged-" in p.name and p.suffix == ".dyad"]
    assert len(kept) == 1 and kept[0].read_bytes() == bytes(data)
    assert len(list_backups(demo_like)) == 1


def test_the_window_undoes_what_the_command_line_did(window: MainWindow, demo_like: Path) -> None:
    from workbench.cli import main

    assert main(["code", "add", str(demo_like), "Sleep"]) == 0
    window.open_location(str(demo_like))
    window._fill_history()
    assert [a.text() for a in window.history_menu.actions()] == ["add code 'Sleep'"]
    window.undo_action.trigger()
    assert "undo: add code 'Sleep'" in window.statusBar().currentMessage()
    window.undo_action.trigger()
    assert "nothing to undo" in window.statusBar().currentMessage()
    window.redo_action.trigger()
    from workbench.coding.codebook import list_codes
    from workbench.storage.project import open_project

    with open_project(demo_like) as p:
        assert [c.name for c in list_codes(p)] == ["Sleep"]


def test_navigator_cells_say_how_far_an_interview_is_and_set_its_status(
    window: MainWindow, demo_like: Path
) -> None:
    from workbench.coding.codebook import add_code
    from workbench.coding.codings import apply_code
    from workbench.domain.study import InterviewStatus
    from workbench.storage.project import open_project

    with open_project(demo_like) as p:
        add_code(p, "Sleep")
        apply_code(p, "P01-b", 0, 3, "Sleep")
    assert window.open_location(str(demo_like))
    grid = window.grid_model
    assert window.set_status("P01-b", InterviewStatus.CODING)
    assert grid.data(grid.index(0, 0)) == "coding · 50 %"  # one of two utterances coded
    assert window.set_status("P01-b", InterviewStatus.STOPPED, "participant unwell")
    assert grid.data(grid.index(0, 0)) == "stopped: participant unwell"
    assert "participant unwell" in grid.data(grid.index(0, 0), Qt.ItemDataRole.ToolTipRole)


def test_memos_on_the_interview_and_the_journal_from_their_dock(
    window: MainWindow, demo_like: Path
) -> None:
    from workbench.coding.memos import list_journal, list_memos
    from workbench.storage.project import open_project

    assert window.open_location(str(demo_like))
    window.open_interview("P01-b")
    panel = window.memos
    assert panel.about.text() == "interview:P01-b"
    panel.new()
    panel.text.setPlainText("Sleep comes up before I ask.\nCheck at mid-treatment.")
    assert panel.save()
    assert panel.list.count() == 1
    assert panel.list.item(0).text().startswith("Sleep comes up before I ask.")
    panel.list.setCurrentRow(0)
    panel.text.setPlainText("Sleep comes up unprompted.")
    assert panel.save()
    panel.scope.setCurrentIndex(3)  # the journal
    panel.text.setPlainText("I expected improvement and noticed I looked for it.")
    assert panel.save()
    with open_project(demo_like) as p:
        assert [m.text for m in list_memos(p, about="interview:P01-b")] == [
            "Sleep comes up unprompted."
        ]
        assert len(list_journal(p)) == 1
    window.undo_action.trigger()  # the journal entry
    window.undo_action.trigger()  # the edit
    with open_project(demo_like) as p:
        assert list_journal(p) == []
        (memo,) = list_memos(p, about="interview:P01-b")
        assert memo.text.startswith("Sleep comes up before")


def test_the_dark_theme_switches_and_is_remembered(window: MainWindow, demo_like: Path) -> None:
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    from workbench.ui import theme

    assert window.open_location(str(demo_like))
    window.open_interview("P01-b")
    window.dark_action.trigger()
    try:
        assert theme.current() is theme.DARK
        app = QApplication.instance()
        assert app.palette().color(QPalette.ColorRole.Base).name() == theme.DARK.base
        assert window.settings.value("view/dark") == "true"
        assert window.editor.palette().color(QPalette.ColorRole.Text).name() == (
            theme.DARK.unverified_ink
        )
    finally:
        window.dark_action.trigger()
    assert theme.current() is theme.LIGHT
    assert window.settings.value("view/dark") == "false"


def test_every_shortcut_is_listed_and_none_is_bound_twice(window: MainWindow) -> None:
    found = window.shortcuts()
    # The board's keys act on a focused card, in a mode where the player's keys do not apply.
    keys = [k for where, _, k in found if where != "Theme board"]
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
    by_action = {text: k for _, text, k in found}
    assert by_action["Code selection"] == "Ctrl+K"
    assert by_action["Transcription key (play, pause, rewind)"] == "F4"
    assert by_action["Undo"] == "Ctrl+Z"
    assert "Keyboard shortcuts" in by_action
    window.show_shortcuts()
    from workbench.ui.shortcuts import ShortcutsDialog

    box = window.findChild(ShortcutsDialog)
    assert box is not None and ("Code", "Code selection", "Ctrl+K") in box.rows()
    box.close()
