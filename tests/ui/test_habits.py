"""Issue 19: the window as NVivo and MAXQDA users expect it (keys, one step per action, focus,
words in the status bar, colours of new codes, the popup inside the window, dark theme whole)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication

from workbench.coding.codings import list_codings
from workbench.ui.main_window import MainWindow
from workbench.ui.shortcuts import ShortcutsDialog

from . import coded


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.resize(1600, 1000)
    w.show()
    qtbot.waitExposed(w)
    assert w.open_location(str(coded.build(tmp_path / "coded.dyad")))
    w.open_interview("P01-b")
    return w


def _select(window: MainWindow, row: int, words: str) -> tuple[int, int]:
    start, end = coded.span(coded.INTERVIEWS["P01-b"][3], row, words)
    window.editor.select_span(start, end)
    window.editor.setFocus()
    return start, end


def _code_new(window: MainWindow, qtbot, name: str) -> None:
    qtbot.keyClick(window.editor, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    box = window.page.quick
    assert box.isVisible()
    qtbot.keyClicks(box.line, name)
    qtbot.keyClick(box.line, Qt.Key.Key_Return)


def _codings(window: MainWindow) -> list[tuple[str, str]]:
    assert window.project is not None
    return [(c.code, c.text) for c in list_codings(window.project, interview="P01-b")]


def test_ctrl_y_redoes_as_on_windows_nvivo_and_maxqda(window: MainWindow, qtbot) -> None:
    _select(window, 3, "slowly")
    qtbot.keyClick(window.editor, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(window.page.quick.line, "Trust")
    qtbot.keyClick(window.page.quick.line, Qt.Key.Key_Return)
    assert ("Trust", "slowly") in _codings(window)
    qtbot.keyClick(window.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert ("Trust", "slowly") not in _codings(window)
    qtbot.keyClick(window.editor, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert ("Trust", "slowly") in _codings(window)


def _f1_box(window: MainWindow, qtbot) -> ShortcutsDialog:
    qtbot.keyClick(window.editor, Qt.Key.Key_F1)
    box = window.findChild(ShortcutsDialog, "shortcuts")
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    return box


def test_f1_lists_every_shortcut_in_the_window_by_its_key(window: MainWindow, qtbot) -> None:
    window.show_mode(3)
    window.show_mode(0)
    _select(window, 3, "slowly")
    _code_new(window, qtbot, "Pace")  # the undo action's text is now "Undo code …"
    assert window.undo_action.text() != "&Undo"
    box = _f1_box(window, qtbot)
    rows = box.rows()
    listed = {key for _, _, keys in rows for key in keys.split(", ")}
    bound = [
        key.toString(QKeySequence.SequenceFormat.NativeText)
        for action in window.findChildren(QAction)
        for key in action.shortcuts()
    ]
    assert bound
    assert [key for key in bound if key not in listed] == []
    assert {"Ctrl+4", "F2", "Alt+Up", "Alt+Down", "Ctrl+Y", "Ctrl+K"} <= listed
    actions = {action: keys for _, action, keys in rows}
    assert actions["Undo"] == "Ctrl+Z" and actions["Redo"] == "Ctrl+Y, Ctrl+Shift+Z"
    assert not any(action.startswith("Undo ") for action in actions)
    # The list fits in the window (it scrolls rather than running off the screen).
    assert box.frameGeometry().height() <= window.height()
    qtbot.keyClick(box, Qt.Key.Key_Escape)


def test_moving_one_code_into_a_theme_is_said_in_the_singular(tmp_path: Path) -> None:
    from workbench.coding.themes import add_theme, move_codes
    from workbench.coding.undo import history
    from workbench.storage.project import open_project

    with open_project(coded.build(tmp_path / "one.dyad")) as p:
        add_theme(p, "Nights")
        move_codes(p, ["Sleep"], into="Nights")
        assert history(p)[0].description == "move 1 code into 'Nights'"


def test_keys_work_again_right_after_f1_is_closed_with_escape(window: MainWindow, qtbot) -> None:
    _select(window, 1, "I wake at three")
    box = _f1_box(window, qtbot)
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not box.isVisible())
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.editor)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentIndex() == 1


def test_the_status_bar_says_the_coded_words_not_their_positions(window: MainWindow, qtbot) -> None:
    import re

    start, end = _select(window, 3, "slowly")
    qtbot.keyClick(window.editor, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(window.page.quick.line, "Trust")
    qtbot.keyClick(window.page.quick.line, Qt.Key.Key_Return)
    shown = window.statusBar().currentMessage()
    assert "“slowly”" in shown and "Trust" in shown, shown
    assert f"{start}–{end}" not in shown and not re.search(r"\d+–\d+", shown)
    qtbot.keyClick(window.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    shown = window.statusBar().currentMessage()
    assert "“slowly”" in shown and not re.search(r"\d+–\d+", shown), shown
    assert "“slowly”" in window.undo.stack.redoText()


def test_one_ctrl_k_that_makes_a_code_is_one_undo_step(window: MainWindow, qtbot) -> None:
    from workbench.coding.codebook import list_codes

    assert window.project is not None
    before = [c.path for c in list_codes(window.project)]
    _select(window, 3, "slowly")
    _code_new(window, qtbot, "Sleep / Pace")  # a new sub-code, typed as its path
    assert ("Sleep / Pace", "slowly") in _codings(window)
    assert window.undo.stack.count() == 1
    qtbot.keyClick(window.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [c.path for c in list_codes(window.project)] == before
    assert ("Sleep / Pace", "slowly") not in _codings(window)
    qtbot.keyClick(window.editor, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert ("Sleep / Pace", "slowly") in _codings(window)


def test_a_code_made_at_ctrl_k_has_a_colour_in_the_margin_and_the_tree(
    window: MainWindow, qtbot
) -> None:
    from PySide6.QtGui import QColor

    from workbench.ui.code_tree import CodeTreeModel
    from workbench.ui.editor import DEFAULT_CODE_COLOUR

    _select(window, 3, "slowly")
    _code_new(window, qtbot, "Pace")
    stripe = next(s for s in window.editor.stripes if s.code == "Pace")
    painted = window.editor.margin.grab().toImage()
    ratio = painted.devicePixelRatio()
    centre = window.editor._stripe_rect(stripe).center()
    colour = QColor(painted.pixel(int(centre.x() * ratio), int(centre.y() * ratio)))
    assert colour.name() != QColor(DEFAULT_CODE_COLOUR).name()
    qtbot.waitUntil(lambda: window.code_tree.model.index_of("Pace").isValid(), timeout=3000)
    model = window.code_tree.model
    index = model.index_of("Pace")
    info = model.data(index, CodeTreeModel.InfoRole)
    assert info.color and QColor(info.color).name() == colour.name()
    icon = model.data(index, Qt.ItemDataRole.DecorationRole).pixmap(16, 16).toImage()
    middle = QColor(icon.pixel(icon.width() // 2, icon.height() // 2))
    assert middle.name() == QColor(info.color).name()
    # Other codes: a new colour, not one already worn by Sleep, Nightmares or Trust.
    assert info.color.lower() not in {"#5b8e3e", "#7b5ea7", "#2a6f97"}


def test_the_quick_code_popup_stays_inside_the_window(window: MainWindow, qtbot) -> None:
    _select(window, 3, "slowly")
    # A popup wider than the room right of the words (as at the end of a long line).
    cursor = window.editor.viewport().mapTo(window, window.editor.cursorRect().topLeft())
    window.page.quick.resize(window.width() - cursor.x() + 120, 320)
    qtbot.keyClick(window.editor, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    box = window.page.quick
    assert box.isVisible()
    assert window.frameGeometry().contains(box.frameGeometry()), (window.frameGeometry(), box)
    qtbot.keyClick(box.line, Qt.Key.Key_Escape)


def test_the_navigator_keeps_the_open_interview_highlighted_after_coding(
    window: MainWindow, qtbot
) -> None:
    from PySide6.QtGui import QColor, QPalette

    grid = window.grid_model
    cell = grid.index_of("P01-b")
    rect = window.navigator.visualRect(cell)
    qtbot.mouseClick(window.navigator.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    def highlighted() -> bool:
        image = window.navigator.viewport().grab().toImage()
        ratio = image.devicePixelRatio()
        corner = QColor(image.pixel(int((rect.left() + 3) * ratio), int((rect.top() + 3) * ratio)))
        mark = window.navigator.palette().color(QPalette.ColorRole.Highlight)
        near = (abs(a - b) <= 12 for a, b in zip(corner.getRgb(), mark.getRgb(), strict=True))
        return all(near)  # the style shades the highlight a little

    assert highlighted()
    _select(window, 3, "slowly")
    _code_new(window, qtbot, "Pace")
    qtbot.waitUntil(lambda: window.code_tree.model.index_of("Pace").isValid(), timeout=3000)
    assert window.navigator.selectionModel().isSelected(grid.index_of("P01-b"))
    assert highlighted()
    window.open_interview("P01-m")  # opened from elsewhere (retrieval, a memo): it follows
    assert window.navigator.selectionModel().isSelected(grid.index_of("P01-m"))


def test_the_transcribe_dialog_names_the_interview_and_its_recording(qtbot) -> None:
    from workbench.ui.dialogs import TranscribeDialog

    linked = TranscribeDialog(None, interview="P01-b", recording="/data/rec/P01-b baseline.wav")
    qtbot.addWidget(linked)
    assert "P01-b" in linked.what.text() and "P01-b baseline.wav" in linked.what.text()
    assert "P01-b" in linked.windowTitle()
    assert linked.ok.isEnabled() and linked.choose_audio.isHidden()

    none = TranscribeDialog(None, interview="P01-m", recording=None)
    qtbot.addWidget(none)
    assert "No recording is linked" in none.what.text() and "P01-m" in none.what.text()
    assert not none.ok.isEnabled() and not none.choose_audio.isHidden()
    none.use_audio(Path("/data/rec/P01-m.wav"))
    assert none.ok.isEnabled() and none.audio == Path("/data/rec/P01-m.wav")
    assert "P01-m.wav" in none.what.text()


def test_ctrl_t_on_an_interview_without_a_recording_warns_in_the_dialog(
    window: MainWindow, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QDialog

    from workbench.ui.dialogs import TranscribeDialog

    seen: list[TranscribeDialog] = []
    monkeypatch.setattr(
        TranscribeDialog, "exec", lambda self: seen.append(self) or QDialog.DialogCode.Rejected
    )
    qtbot.keyClick(window.editor, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert len(seen) == 1
    assert "No recording is linked" in seen[0].what.text() and "P01-b" in seen[0].what.text()
    assert not seen[0].ok.isEnabled()


def _ink_pixels(button, ink: str) -> int:
    from PySide6.QtGui import QColor

    image = button.grab().toImage()
    want = QColor(ink)
    count = 0
    for y in range(image.height()):
        for x in range(image.width()):
            got = QColor(image.pixel(x, y))
            if (
                sum(abs(a - b) for a, b in zip(got.getRgb()[:3], want.getRgb()[:3], strict=True))
                < 60
            ):
                count += 1
    return count


@pytest.mark.parametrize("dark", [False, True])
def test_the_playback_buttons_show_their_icons_in_both_themes(
    window: MainWindow, qtbot, tmp_path: Path, dark: bool
) -> None:
    from workbench.ui import theme

    audio = window.page.audio
    clip = Path(__file__).parents[1] / "data" / "audio" / "sr_english_one_two_three.wav"
    audio.set_source(str(clip))  # enabled, as with a linked recording
    if dark:
        window.dark_action.trigger()
    try:
        t = theme.current()
        assert t is (theme.DARK if dark else theme.LIGHT)
        for button in (audio.back_button, audio.play_button, audio.forward_button):
            assert _ink_pixels(button, t.text) >= 20, button.objectName()
    finally:
        if dark:
            window.dark_action.trigger()


def _layout(window: MainWindow) -> dict[str, tuple[bool, int, int]]:
    """Each dock: whether it is the tab in front, and its width and height (a tab behind
    another has no size the user sees: only that it is behind)."""
    from PySide6.QtWidgets import QDockWidget

    layout = {}
    for dock in window.findChildren(QDockWidget):
        front = not dock.visibleRegion().isEmpty()
        layout[dock.objectName()] = (front, dock.width(), dock.height()) if front else (False, 0, 0)
    return layout


def _settle() -> None:
    """Let the posted layout requests (a style change posts them) run."""
    for _ in range(3):
        QApplication.processEvents()


def test_the_dark_theme_keeps_the_docks_where_they_were(window: MainWindow, qtbot) -> None:
    from workbench.ui import theme

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    theme.apply(app, theme.LIGHT)  # as the app starts
    window.resize(1600, 1000)
    _settle()
    before = _layout(window)
    assert before["codesDock"][0] and not before["participantsDock"][0]
    window.dark_action.trigger()
    try:
        _settle()
        assert _layout(window) == before
        # To the board (which hides the docks) and back: still as they were.
        qtbot.keyClick(window.editor, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
        assert window.pages.currentIndex() == 3
        _settle()
        window.dark_action.trigger()
        _settle()
        window.show_mode(0)
        _settle()
        assert _layout(window) == before
    finally:
        if window.dark_action.isChecked():
            window.dark_action.trigger()
    _settle()
    assert _layout(window) == before


SAID = "I know your name isn't on the recording yet, don't worry."


@pytest.fixture
def said(window: MainWindow, tmp_path: Path) -> MainWindow:
    from workbench.coding.study import add_interview, add_participant, new_study
    from workbench.coding.transcripts import import_utterances

    from ..helpers import transcript

    path = tmp_path / "said.dyad"
    with new_study(path, title="Said") as p:
        add_participant(p, "P01", "patient")
        add_participant(p, "R01", "researcher")
        add_interview(p, "P01-b", wave="baseline", participants=[("P01", None), ("R01", None)])
        import_utterances(
            p,
            "P01-b",
            transcript([("R01", "Shall we start?"), ("P01", SAID)]),
            speakers={"R01": "R01", "P01": "P01"},
        )
    assert window.open_location(str(path))
    window.open_interview("P01-b")
    return window


def _point(window: MainWindow, index_in_said: int):
    """The viewport point just right of where a character of the second utterance starts."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QTextCursor

    editor = window.editor
    cursor = QTextCursor(editor.document().findBlockByNumber(1))
    cursor.setPosition(cursor.position() + index_in_said)
    rect = editor.cursorRect(cursor)
    return rect.center() + QPoint(2, 0)


def _drag(window: MainWindow, start: int, end: int, alt: bool = False) -> str:
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest

    viewport = window.editor.viewport()
    window.editor.moveCursor(window.editor.textCursor().MoveOperation.Start)  # no selection
    mods = Qt.KeyboardModifier.AltModifier if alt else Qt.KeyboardModifier.NoModifier
    a, b = _point(window, start), _point(window, end)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, mods, a)
    for step in range(1, 5):
        x = a.x() + (b.x() - a.x()) * step // 4
        QTest.mouseMove(viewport, QPoint(x, a.y()))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, mods, b)
    return window.editor.textCursor().selectedText()


def test_a_drag_selects_whole_words_and_alt_drag_characters(said: MainWindow) -> None:
    # From inside "your" to inside "recording": the words, whole.
    start, end = SAID.index("your") + 2, SAID.index("recording") + 8
    assert _drag(said, start, end) == "your name isn't on the recording"
    # Backwards too.
    assert _drag(said, end, start) == "your name isn't on the recording"
    # Alt-drag keeps to the characters.
    assert _drag(said, start, end, alt=True) == SAID[start:end]


def test_ctrl_shift_right_takes_a_contraction_in_one_step(said: MainWindow, qtbot) -> None:
    from PySide6.QtGui import QTextCursor

    editor = said.editor
    cursor = QTextCursor(editor.document().findBlockByNumber(1))
    cursor.setPosition(cursor.position() + SAID.index("isn't"))
    editor.setTextCursor(cursor)
    editor.setFocus()
    both = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(editor, Qt.Key.Key_Right, both)
    assert editor.textCursor().selectedText() == "isn't"
    qtbot.keyClick(editor, Qt.Key.Key_Right, both)
    assert editor.textCursor().selectedText() == "isn't on"
    qtbot.keyClick(editor, Qt.Key.Key_Left, both)
    assert editor.textCursor().selectedText() == "isn't "
    qtbot.keyClick(editor, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert not editor.textCursor().hasSelection()
    assert editor.textCursor().positionInBlock() == SAID.index("isn't")
