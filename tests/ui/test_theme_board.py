"""The theme board: dropping a code on a theme changes the project through the undoable core."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDockWidget, QWidget

from workbench.coding.codebook import add_code
from workbench.coding.themes import add_theme, list_themes, move_codes, theme_history
from workbench.storage.project import open_project
from workbench.ui.main_window import MainWindow
from workbench.ui.theme_board import (
    DropFrame,
    ThemeBoard,
    ThemeEdit,
    ThemeSplit,
    codes_mime,
    read_mime,
    theme_mime,
)

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


def _drop_theme(target: QWidget, theme: str, parent: str | None, at: QPointF | None = None) -> None:
    """What Qt delivers when a card is let go over ``target`` (a card or the background)."""
    mime = theme_mime(theme, parent)
    at = at or QPointF(target.rect().center())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        enter = QDragEnterEvent(
            at.toPoint(),
            Qt.DropAction.MoveAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        at,
        Qt.DropAction.MoveAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(target, drop)
    assert drop.isAccepted()


def _tree(path: Path) -> list[tuple[str, str | None]]:
    with open_project(path) as p:
        return [(t.name, t.parent) for t in list_themes(p)]


def test_drag_a_theme_onto_another_nests_it_and_undo_restores_it(
    qtbot, board_window: MainWindow, demo_like: Path
) -> None:
    window = board_window
    board: ThemeBoard = window.board
    asked: list[str] = []
    messages: list[str] = []
    board.sig_message.connect(messages.append)
    board.ask_rationale = lambda what: asked.append(what) or "the body keeps the nights"
    start = _tree(demo_like)
    assert start == [
        ("Nights", None),
        ("Body", None),
        ("Alliance", None),
        ("Two readings", "Alliance"),
    ]

    # Nights dropped onto the middle of the Body card: a subtheme of Body, shown inside it.
    _drop_theme(board.cards["Body"], "Nights", None)
    qtbot.waitUntil(lambda: ("Nights", "Body") in _tree(demo_like))
    assert asked == ["Make 'Nights' a subtheme of 'Body'"]
    event = theme_history(window.project, "Nights")[-1]
    assert (event.kind, event.rationale) == ("parent", "the body keeps the nights")
    nested = board.cards["Nights"]
    assert nested.objectName() == "subthemeCard"
    assert board.cards["Body"].isAncestorOf(nested)
    assert nested.colour == board.cards["Body"].colour  # the parent's colour
    # Tree order everywhere: Body, then its subtheme.
    assert [name for name, _ in _tree(demo_like)][:2] == ["Body", "Nights"]

    # Edit ▸ Undo: a theme of its own again, where it was.
    window.undo_action.trigger()
    assert _tree(demo_like) == start
    assert board.cards["Nights"].objectName() == "themeCard"
    window.redo_action.trigger()
    assert ("Nights", "Body") in _tree(demo_like)

    # A circle is refused with a clear message, before any rationale is asked for.
    asked.clear()
    _drop_theme(board.cards["Nights"], "Body", None)
    qtbot.waitUntil(lambda: bool(messages))
    assert messages[-1] == (
        "'Body' cannot go inside 'Nights', which is one of its own subthemes: "
        "themes cannot nest in a circle"
    )
    assert asked == [] and ("Nights", "Body") in _tree(demo_like)

    # Dropped on the board's background, the subtheme is a theme of its own again.
    background = board.cards_scroll.widget()
    _drop_theme(
        background, "Nights", "Body", QPointF(background.rect().bottomRight()) - QPointF(20, 20)
    )
    qtbot.waitUntil(lambda: ("Nights", None) in _tree(demo_like))
    assert asked == ["Make 'Nights' a theme of its own, out of 'Body'"]

    # On a card's top edge: just before it, among its siblings (no rationale: only the order).
    asked.clear()
    _drop_theme(board.cards["Body"], "Alliance", None, QPointF(40, 4))
    qtbot.waitUntil(lambda: _tree(demo_like)[0] == ("Alliance", None))
    assert asked == []
    assert [n for n, parent in _tree(demo_like) if parent is None] == ["Alliance", "Body", "Nights"]
    window.undo_action.trigger()
    assert [n for n, parent in _tree(demo_like) if parent is None] == ["Body", "Nights", "Alliance"]

    # The heat map and the timeline, shown next, list the themes as the board does.
    board.cards["Nights"].setFocus()
    qtbot.keyClick(board.cards["Nights"], Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: _tree(demo_like)[0] == ("Nights", None))
    order = [name for name, _ in _tree(demo_like)]
    window.mode_actions[2].trigger()
    assert window.timeline.canvas.timeline is not None
    assert list(window.timeline.canvas.timeline.themes) == order
    _drop_theme(board.cards["Alliance"], "Body", None)  # off screen: the board still takes it
    qtbot.waitUntil(lambda: ("Body", "Alliance") in _tree(demo_like))
    window.mode_actions[1].trigger()
    model = window.heatmap.model
    rows = [model.headerData(r, Qt.Orientation.Vertical) for r in range(model.rowCount())]
    assert list(dict.fromkeys(r.split(" · ")[0] for r in rows)) == [
        name for name, _ in _tree(demo_like)
    ]
    window.mode_actions[2].trigger()
    assert list(window.timeline.canvas.timeline.themes) == [name for name, _ in _tree(demo_like)]


def test_keyboard_order_and_the_cards_menu_merge_and_split(
    qtbot, board_window: MainWindow, demo_like: Path
) -> None:
    window = board_window
    board: ThemeBoard = window.board
    board.ask_rationale = lambda what: "regrouped after the second reading"

    def tops() -> list[str]:
        return [n for n, parent in _tree(demo_like) if parent is None]

    # Alt+Down on the selected card moves it after its next sibling; the window's own Alt+Down
    # (slower playback) does not take the key. The card stays selected.
    qtbot.mouseClick(board.cards["Nights"], Qt.MouseButton.LeftButton, pos=QPoint(20, 60))
    assert board.cards["Nights"].hasFocus()
    qtbot.keyClick(board.cards["Nights"], Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: tops() == ["Body", "Nights", "Alliance"])
    assert board.cards["Nights"].hasFocus() and board.cards["Nights"].property("selected")
    assert board.selected == "Nights" and not board.cards["Body"].property("selected")
    qtbot.keyClick(board.cards["Nights"], Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: tops() == ["Nights", "Body", "Alliance"])
    window.undo_action.trigger()
    assert tops() == ["Body", "Nights", "Alliance"]

    menu = board.card_menu("Two readings")
    texts = [a.text() for a in menu.actions()]
    assert "Make a theme of its own (out of 'Alliance')" in texts
    nest = next(a.menu() for a in menu.actions() if a.text() == "Make a subtheme of")
    assert "Alliance" not in [a.text().strip() for a in nest.actions()]  # already its parent
    menu = board.card_menu("Alliance")
    nest = next(a.menu() for a in menu.actions() if a.text() == "Make a subtheme of")
    assert "Two readings" not in [a.text().strip() for a in nest.actions()]  # a circle

    # Merge from the menu: Body's codes go to Nights; undo brings Body back.
    merge = next(a.menu() for a in board.card_menu("Body").actions() if a.text() == "Merge into")
    next(a for a in merge.actions() if a.text() == "Nights").trigger()
    assert _themes(demo_like)["Nights"] == ("pain", "sleep") and "Body" not in board.cards
    merged = [e for e in theme_history(window.project, "Nights") if e.kind == "merge"][-1]
    assert merged.rationale == "regrouped after the second reading"
    window.undo_action.trigger()
    assert _themes(demo_like)["Body"] == ("pain",)

    # Split from the menu: a new theme beside it with the chosen codes.
    board.ask_split = lambda info: ThemeSplit("Waking", ("pain",), "waking is its own thing")
    split = next(a for a in board.card_menu("Nights").actions() if a.text().startswith("Split"))
    assert not split.isEnabled()  # one code: nothing to split off
    with open_project(demo_like) as p:
        move_codes(p, ["pain"], into="Nights")
    board.refresh()
    split = next(a for a in board.card_menu("Nights").actions() if a.text().startswith("Split"))
    assert split.isEnabled()
    split.trigger()
    themes = _themes(demo_like)
    assert themes["Waking"] == ("pain",) and themes["Nights"] == ("sleep",)
    assert "Waking" in board.cards
