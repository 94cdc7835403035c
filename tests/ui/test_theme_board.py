"""The theme board: dropping a code on a theme changes the project through the undoable core."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, QSettings, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDockWidget

from workbench.coding.codebook import add_code
from workbench.coding.themes import add_theme, list_themes, theme_history
from workbench.storage.project import open_project
from workbench.ui.main_window import MainWindow
from workbench.ui.theme_board import DropFrame, ThemeBoard, ThemeEdit, codes_mime, read_mime

MOVE_OR_COPY = Qt.DropAction.MoveAction | Qt.DropAction.CopyAction


def _themes(path: Path) -> dict[str, tuple[str, ...]]:
    with open_project(path) as p:
        return {t.name: t.codes for t in list_themes(p)}


@pytest.fixture
def board_window(qtbot, tmp_path: Path, demo_like: Path) -> MainWindow:
    with open_project(demo_like) as p:
        for code in ("sleep", "pain", "trust", "hope"):
            add_code(p, code)
        add_theme(p, "Nights", codes=["sleep"], concept="Where trauma is first felt")
        add_theme(p, "Body", codes=["pain"])
        add_theme(p, "Alliance", codes=["trust"])
        add_theme(p, "Two readings", parent="Alliance")
    window = MainWindow(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.open_location(str(demo_like))
    window.mode_actions[3].trigger()
    return window


def _drop(
    target: DropFrame,
    codes: list[str],
    source: str | None,
    modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    """What Qt delivers when a chip is let go over ``target``: enter, then drop, real mime data."""
    mime = codes_mime(codes, source)
    at = QPointF(target.rect().center())
    with warnings.catch_warnings():  # PySide flags the one constructor Qt 6 has
        warnings.simplefilter("ignore", DeprecationWarning)
        enter = QDragEnterEvent(
            at.toPoint(), MOVE_OR_COPY, mime, Qt.MouseButton.LeftButton, modifiers
        )
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    drop = QDropEvent(at, MOVE_OR_COPY, mime, Qt.MouseButton.LeftButton, modifiers)
    QApplication.sendEvent(target, drop)
    assert drop.isAccepted()


def test_drag_a_code_into_a_theme_and_undo_restores_it(
    qtbot, board_window: MainWindow, demo_like: Path
) -> None:
    window = board_window
    assert window.mode_actions[3].shortcut().toString() == "Ctrl+4"
    assert window.pages.currentWidget() is window.board
    assert not any(d.isVisible() for d in window.findChildren(QDockWidget))
    board: ThemeBoard = window.board
    assert set(board.cards) == {"Nights", "Body", "Alliance", "Two readings"}
    assert board.cards["Two readings"].parent() is not None
    assert board.cards["Two readings"].objectName() == "subthemeCard"
    assert [c.code.path for c in board.cards["Nights"].chips] == ["sleep"]
    assert [c.code.path for c in board.unassigned_chips] == ["hope"]
    asked: list[str] = []
    board.ask_rationale = lambda what: asked.append(what) or "pain keeps them awake"

    # A plain drag moves the code from one theme to another.
    _drop(board.cards["Nights"], ["pain"], "Body")
    qtbot.waitUntil(lambda: "pain" in _themes(demo_like)["Nights"])
    themes = _themes(demo_like)
    assert themes["Nights"] == ("pain", "sleep") and themes["Body"] == ()
    assert asked == ["Move 'pain' from theme 'Body' to 'Nights'"]
    moved_in = [e for e in theme_history(window.project, "Nights") if e.kind == "codes_in"][-1]
    assert moved_in.rationale == "pain keeps them awake"
    assert moved_in.detail == {"codes": ["pain"], "source": "Body"}
    assert [c.code.path for c in board.cards["Nights"].chips] == ["pain", "sleep"]
    assert board.cards["Body"].chips == []

    # Edit ▸ Undo: the same history the command line uses; the board shows the restored themes.
    window.undo_action.trigger()
    themes = _themes(demo_like)
    assert themes["Nights"] == ("sleep",) and themes["Body"] == ("pain",)
    assert [c.code.path for c in board.cards["Body"].chips] == ["pain"]
    window.redo_action.trigger()
    assert _themes(demo_like)["Body"] == ()
    window.undo_action.trigger()

    # Ctrl-drag copies: the code sits in both themes.
    _drop(board.cards["Body"], ["sleep"], "Nights", Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "sleep" in _themes(demo_like)["Body"])
    assert _themes(demo_like)["Nights"] == ("sleep",)
    assert asked[-1] == "Add 'sleep' to theme 'Body' as well, keeping it in 'Nights'"

    # From the codes in no theme into a subtheme card, and back out to that column.
    _drop(board.cards["Two readings"], ["hope"], None)
    qtbot.waitUntil(lambda: _themes(demo_like)["Two readings"] == ("hope",))
    assert board.unassigned_chips == []
    assert _themes(demo_like)["Alliance"] == ("trust",)
    _drop(board.unassigned, ["hope"], "Two readings")
    qtbot.waitUntil(lambda: _themes(demo_like)["Two readings"] == ())
    assert [c.code.path for c in board.unassigned_chips] == ["hope"]

    # Cancelling the rationale changes nothing; a drop on the theme it came from is refused.
    board.ask_rationale = lambda what: None
    assert not board.drop(read_mime(codes_mime(["pain"], "Body")), "Nights")  # type: ignore[arg-type]
    assert not board.drop(read_mime(codes_mime(["pain"], "Body")), "Body")  # type: ignore[arg-type]
    assert _themes(demo_like)["Body"] == ("pain", "sleep")


def test_status_and_edits_from_the_card_are_undoable(
    qtbot, board_window: MainWindow, demo_like: Path
) -> None:
    window = board_window
    board: ThemeBoard = window.board
    board.ask_rationale = lambda what: "read all interviews again"
    card = board.cards["Nights"]
    assert card.status.currentText() == "candidate"
    card.status.setCurrentIndex(card.status.findData("reviewed"))
    qtbot.waitUntil(lambda: board.theme("Nights").status == "reviewed")
    assert board.cards["Nights"].status.currentText() == "reviewed"
    status_event = theme_history(window.project, "Nights")[-1]
    assert (status_event.kind, status_event.rationale) == ("status", "read all interviews again")

    # Cancelled: the card's status box goes back to what the project says.
    board.ask_rationale = lambda what: None
    card = board.cards["Nights"]
    card.status.setCurrentIndex(card.status.findData("named"))
    qtbot.waitUntil(lambda: board.cards["Nights"].status.currentText() == "reviewed")
    assert board.theme("Nights").status == "reviewed"

    board.ask_edit = lambda info: ThemeEdit(
        "Nights that loosen", info.concept or "", "Sleep as the body's record", "clearer"
    )
    assert board.edit_theme("Nights")
    assert "Nights that loosen" in board.cards
    edited = board.theme("Nights that loosen")
    assert edited.definition == "Sleep as the body's record"
    assert edited.concept == "Where trauma is first felt"
    window.undo_action.trigger()
    assert "Nights" in board.cards and board.theme("Nights").definition is None
    window.undo_action.trigger()
    assert board.theme("Nights").status == "candidate"
