"""The code tree: a checked item model over the codebook; every change goes through the core."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, QSettings, Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox

from workbench.coding.codebook import list_codes
from workbench.coding.undo import undo
from workbench.storage.project import Project, open_project
from workbench.ui.code_tree import CodeTreeModel, CodeTreeWidget

from .coded import build


@pytest.fixture
def study(tmp_path: Path) -> Path:
    return build(tmp_path / "coded.dyad")


@pytest.fixture
def project(study: Path) -> Iterator[Project]:
    with open_project(study) as p:
        yield p


@pytest.fixture
def tree(qtbot, project: Project) -> CodeTreeWidget:
    widget = CodeTreeWidget()
    qtbot.addWidget(widget)
    widget.set_project(project)
    # The whole model, checked by Qt after every signal it emits, failing hard.
    widget._tester = QAbstractItemModelTester(  # type: ignore[attr-defined]
        widget.model, QAbstractItemModelTester.FailureReportingMode.Fatal
    )
    return widget


def show_active(qtbot, tree: CodeTreeWidget) -> None:
    """Show the widget as the active window: shortcuts only reach an active window."""
    tree.show()
    qtbot.waitExposed(tree)
    tree.windowHandle().requestActivate()
    qtbot.waitUntil(tree.isActiveWindow)


def editor_of(tree: CodeTreeWidget) -> QLineEdit | None:
    """The line edit the view opened to rename a code in place."""
    found = [e for e in tree.view.viewport().findChildren(QLineEdit) if e.isVisible()]
    return found[0] if found else None


def codes(project: Project) -> dict[str, int]:
    return {c.path: c.codings for c in list_codes(project)}


def test_the_tree_shows_the_codebook_with_counts_and_colours(tree: CodeTreeWidget) -> None:
    model = tree.model
    assert model.rowCount() == 2
    sleep = model.index_of("Sleep")
    assert model.data(sleep) == "Sleep"
    assert model.rowCount(sleep) == 1
    nightmares = model.index(0, 0, sleep)
    assert model.data(nightmares) == "Nightmares"
    assert model.parent(nightmares) == sleep
    # Two codings of its own, five with its sub-code's three.
    assert model.data(sleep.siblingAtColumn(1)) == "2 (5)"
    assert model.data(nightmares.siblingAtColumn(1)) == "3"
    assert model.data(model.index_of("Trust").siblingAtColumn(1)) == "1"
    assert isinstance(model.data(sleep, Qt.ItemDataRole.DecorationRole), QIcon)
    assert "5 with sub-codes" in model.data(sleep, Qt.ItemDataRole.ToolTipRole)


def test_add_rename_move_delete_keep_the_model_consistent(
    tree: CodeTreeWidget, project: Project
) -> None:
    model = tree.model
    added = tree.new_code()
    assert added == "New code"
    child = tree.new_code(parent="Trust", name="Doubt")
    assert child == "Trust / Doubt"
    assert model.rowCount(model.index_of("Trust")) == 1

    assert model.setData(model.index_of("New code"), "Hope")
    assert model.data(model.index_of("Hope")) == "Hope"
    assert model.setData(model.index_of("Trust"), "Trust in therapy")
    # The child's path follows its parent's new name without a reload.
    assert model.index_of("Trust in therapy / Doubt").isValid()

    mime = model.mimeData([model.index_of("Trust in therapy / Doubt")])
    assert model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, model.index_of("Hope"))
    assert "Hope / Doubt" in codes(project)

    tree.select_path("Hope")
    tree.delete_selected(confirm=True)
    assert "Hope" not in codes(project) and "Hope / Doubt" not in codes(project)
    assert model.paths() == ["Sleep", "Sleep / Nightmares", "Trust in therapy"]


def test_drag_and_drop_reparents_through_the_core_and_undo_restores(
    tree: CodeTreeWidget, project: Project
) -> None:
    model = tree.model
    changes = []
    tree.changed.connect(changes.append)
    tree.select_path("Sleep / Nightmares")
    mime = model.mimeData([model.index_of("Sleep / Nightmares")])
    assert model.mimeTypes()[0] in mime.formats()
    assert model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, model.index_of("Trust"))
    assert codes(project) == {"Sleep": 2, "Trust": 1, "Trust / Nightmares": 3}
    assert [c.description for c in changes] == ["move code 'Sleep / Nightmares' under 'Trust'"]
    # The view follows the moved code: it stays selected under its new parent.
    assert tree.selected_paths() == ["Trust / Nightmares"]
    assert tree.view.isExpanded(tree._view_index("Trust"))

    # Dropped between top-level rows: back to the top.
    mime = model.mimeData([model.index_of("Trust / Nightmares")])
    assert model.dropMimeData(mime, Qt.DropAction.MoveAction, 1, 0, QModelIndex())
    assert "Nightmares" in codes(project)

    undo(project)
    undo(project)
    tree.refresh()
    assert codes(project) == {"Sleep": 2, "Sleep / Nightmares": 3, "Trust": 1}
    assert model.paths() == ["Sleep", "Sleep / Nightmares", "Trust"]


def test_a_drop_into_its_own_subtree_is_refused_with_the_cores_message(
    tree: CodeTreeWidget, project: Project
) -> None:
    model = tree.model
    mime = model.mimeData([model.index_of("Sleep")])
    assert not model.dropMimeData(
        mime, Qt.DropAction.MoveAction, -1, -1, model.index_of("Sleep / Nightmares")
    )
    assert "cannot sit inside itself" in tree.error_label.text()
    assert not tree.error_label.isHidden()
    assert codes(project) == {"Sleep": 2, "Sleep / Nightmares": 3, "Trust": 1}


def test_rename_in_place_with_f2_and_a_duplicate_is_refused(
    qtbot, tree: CodeTreeWidget, project: Project
) -> None:
    show_active(qtbot, tree)
    tree.select_path("Trust")
    tree.view.setFocus()
    qtbot.keyClick(tree.view, Qt.Key.Key_F2)
    editor = editor_of(tree)
    assert isinstance(editor, QLineEdit) and editor.text() == "Trust"
    editor.selectAll()
    qtbot.keyClicks(editor, "Trust in the therapist")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next event loop
    qtbot.waitUntil(lambda: "Trust in the therapist" in codes(project))
    assert (
        tree.model.data(tree.model.index_of("Trust in the therapist")) == "Trust in the therapist"
    )

    assert not tree.model.setData(tree.model.index_of("Trust in the therapist"), "Sleep")
    assert "already a code 'Sleep' at the top" in tree.error_label.text()
    assert "Trust in the therapist" in codes(project)

    undo(project)
    tree.refresh()
    assert tree.model.paths() == ["Sleep", "Sleep / Nightmares", "Trust"]


def test_keyboard_new_code_and_delete_with_confirmation(
    qtbot, tree: CodeTreeWidget, project: Project, monkeypatch
) -> None:
    show_active(qtbot, tree)
    tree.view.setFocus()
    qtbot.keyClick(tree.view, Qt.Key.Key_Insert)
    editor = editor_of(tree)
    assert isinstance(editor, QLineEdit) and editor.text() == "New code"
    qtbot.keyClicks(editor, "Hope")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Hope" in codes(project))

    asked: list[str] = []

    def answer(_parent, _title, text):
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", answer)
    tree.select_path("Sleep")
    tree.view.setFocus()
    qtbot.keyClick(tree.view, Qt.Key.Key_Delete)
    assert asked == [
        "Delete “Sleep” with 1 sub-code and 5 codings?\n\nUndo (Ctrl+Z) brings it back."
    ]
    assert "Sleep" in codes(project)
    monkeypatch.setattr(QMessageBox, "question", lambda *_: QMessageBox.StandardButton.Yes)
    qtbot.keyClick(tree.view, Qt.Key.Key_Delete)
    assert set(codes(project)) == {"Trust", "Hope"}
    undo(project)
    tree.refresh()
    assert codes(project) == {"Sleep": 2, "Sleep / Nightmares": 3, "Trust": 1, "Hope": 0}


def test_merge_colour_and_definition_go_through_the_core(
    tree: CodeTreeWidget, project: Project
) -> None:
    assert tree.merge("Trust", "Sleep")
    assert codes(project) == {"Sleep": 3, "Sleep / Nightmares": 3}
    assert tree.selected_paths() == ["Sleep"]
    undo(project)
    tree.refresh()
    assert codes(project)["Trust"] == 1

    tree.select_path("Trust")
    tree.choose_colour("#aa3355")
    assert {c.path: c.color for c in list_codes(project)}["Trust"] == "#aa3355"
    assert not tree.merge("Sleep", "Sleep / Nightmares")
    assert "its own sub-code" in tree.error_label.text()

    tree.select_path("Sleep")
    assert tree.definition.isEnabled() and "Sleep" in tree.definition_title.text()
    tree.definition.setPlainText("Any talk of sleep, rest or nights.")
    assert tree.save_definition.isEnabled()
    tree.save_definition.click()
    assert {c.path: c.definition for c in list_codes(project)}["Sleep"] == (
        "Any talk of sleep, rest or nights."
    )
    tree.select_path("Trust")
    tree.select_path("Sleep")
    assert tree.definition.toPlainText() == "Any talk of sleep, rest or nights."
    # Typed but not saved: moving to another code saves it (an undoable step like any other).
    tree.definition.setPlainText("Talk of trust.")
    tree.select_path("Trust")
    tree.select_path("Sleep")
    assert {c.path: c.definition for c in list_codes(project)}["Sleep"] == "Talk of trust."


def test_merging_two_selected_codes_asks_which_way(
    qtbot, tree: CodeTreeWidget, project: Project
) -> None:
    tree.select_path("Trust")
    index = tree._view_index("Sleep / Nightmares")
    tree.view.selectionModel().setCurrentIndex(
        index,
        tree.view.selectionModel().SelectionFlag.Select
        | tree.view.selectionModel().SelectionFlag.Rows,
    )
    assert sorted(tree.selected_paths()) == ["Sleep / Nightmares", "Trust"]
    assert tree.merge_action.isEnabled()
    offered: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        offered.extend(b.text() for b in box.buttons())
        # The code clicked last is the one merged into, first in the dialog.
        assert box.text() == "Merge “Trust” into “Sleep / Nightmares”?"
        next(b for b in box.buttons() if b.text() == "Merge into “Trust”").click()

    QTimer.singleShot(0, answer)
    tree.merge_selected()
    assert "Merge into “Sleep / Nightmares”" in offered
    assert codes(project) == {"Sleep": 2, "Trust": 4}
    assert tree.selected_paths() == ["Trust"]


def test_the_filter_box_and_the_selection_signal(qtbot, tree: CodeTreeWidget) -> None:
    tester = QAbstractItemModelTester(  # noqa: F841
        tree.proxy, QAbstractItemModelTester.FailureReportingMode.Fatal
    )
    tree.filter.setText("night")
    assert tree.proxy.rowCount() == 1
    sleep = tree.proxy.index(0, 0)
    assert tree.proxy.data(sleep) == "Sleep"
    assert tree.proxy.data(tree.proxy.index(0, 0, sleep)) == "Nightmares"
    # A code that matches shows with its parents, not with all of its children.
    tree.filter.setText("sleep")
    assert tree.proxy.rowCount() == 1 and tree.proxy.rowCount(tree.proxy.index(0, 0)) == 0
    tree.filter.clear()
    assert tree.proxy.rowCount() == 2

    with qtbot.waitSignal(tree.codes_selected) as blocker:
        tree.select_path("Sleep / Nightmares")
    assert blocker.args == [["Sleep / Nightmares"]]


def test_the_code_tree_passes_the_model_tester_on_an_empty_project(
    qtmodeltester, tmp_path: Path
) -> None:
    from workbench.coding.study import new_study

    with new_study(tmp_path / "empty.dyad") as p:
        model = CodeTreeModel(p)
        qtmodeltester.check(model)
        assert model.rowCount() == 0


def test_the_window_has_the_code_and_retrieval_docks(qtbot, tmp_path: Path, study: Path) -> None:
    from workbench.ui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    assert window.open_location(str(study))
    assert window.code_tree.model.paths() == ["Sleep", "Sleep / Nightmares", "Trust"]
    window.code_tree.select_path("Trust")
    assert window.retrieval.model.rowCount() == 1

    # A rename in the tree, then the window's undo puts the old name back everywhere.
    tree = window.code_tree
    assert tree.model.setData(tree.model.index_of("Trust"), "Confidence")
    qtbot.waitUntil(lambda: window.retrieval.model.rowCount() == 1)
    qtbot.waitUntil(lambda: window.retrieval.model.segment(0).code == "Confidence")
    window.undo_action.trigger()
    assert "undo: rename code 'Trust' to 'Confidence'" in window.statusBar().currentMessage()
    assert tree.model.paths() == ["Sleep", "Sleep / Nightmares", "Trust"]
    assert tree.selected_paths() == ["Trust"] or tree.selected_paths() == []

    # A drop in the tree, then the window's undo: the code is back under its parent.
    model = tree.model
    tree.select_path("Sleep / Nightmares")
    mime = model.mimeData([model.index_of("Sleep / Nightmares")])
    assert model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, model.index_of("Trust"))
    assert tree.selected_paths() == ["Trust / Nightmares"]
    qtbot.waitUntil(lambda: window.retrieval.codes == ["Trust / Nightmares"])
    assert window.retrieval.model.rowCount() == 2  # P02's nightmares are left out (consent)
    window.undo_action.trigger()
    assert tree.model.paths() == ["Sleep", "Sleep / Nightmares", "Trust"]
    assert "codings" in window.project_label.text()

    # Jump: the segment's interview opens at the utterance it starts in.
    window.retrieval.set_codes(["Trust"])
    window.retrieval.jump_requested.emit(*_jump(window))
    _interview, start, end = _jump(window)
    assert "P01-b" in window.page.title.text()
    assert window.editor.selection_span() == (start, end)
    assert window.editor.textCursor().blockNumber() == 3


def _jump(window) -> tuple[str, int, int]:
    g = window.retrieval.model.segment(0)
    return g.interview, g.start, g.end


def test_a_colleagues_newer_definition_is_refused_not_overwritten(
    tree: CodeTreeWidget, project: Project
) -> None:
    """#14: the definition the analyst read travels with the save; a colleague's change in
    between is refused with who and when, and the typed text stays in the box."""
    from workbench.coding.codebook import update_code

    tree.select_path("Sleep")
    assert tree.definition.toPlainText() == ""
    update_code(project, "Sleep", definition="Nights, as Ben reads them.", coder="ben")
    tree.definition.setPlainText("Any talk of sleep.")
    tree.save_definition.click()
    assert {c.path: c.definition for c in list_codes(project)}["Sleep"] == (
        "Nights, as Ben reads them."
    )
    assert "changed by ben" in tree.error_label.text()
    assert tree.definition.toPlainText() == "Any talk of sleep."  # nothing typed is lost
    # Read again (the window refreshes on a colleague's commit), the typing stays; leaving
    # the code is refused again, and the typing comes back with it; then a save replaces
    # Ben's knowingly.
    tree.refresh()
    assert tree.definition.toPlainText() == "Any talk of sleep."
    tree.select_path("Trust")
    assert tree.definition.toPlainText() == ""
    tree.select_path("Sleep")
    assert tree.definition.toPlainText() == "Any talk of sleep."
    assert tree.save_definition.isEnabled()
    tree.refresh()
    tree.select_path("Trust")  # leaving it again never saves it unasked
    assert {c.path: c.definition for c in list_codes(project)}["Sleep"] == (
        "Nights, as Ben reads them."
    )
    tree.select_path("Sleep")
    tree.save_definition.click()  # the analyst's own Save, told of Ben's
    assert {c.path: c.definition for c in list_codes(project)}["Sleep"] == "Any talk of sleep."


def test_a_definition_being_typed_survives_the_codebook_being_read_again(
    tree: CodeTreeWidget, project: Project
) -> None:
    tree.select_path("Sleep")
    tree.definition.insertPlainText("Any talk of nights")  # as typed, not saved
    tree.refresh()  # what any change in the project (or a colleague's commit) sets off
    assert tree.definition.toPlainText() == "Any talk of nights"
    assert {c.path: c.definition for c in list_codes(project)}["Sleep"] in ("", None)
    tree.select_path("Trust")  # moving on saves it
    assert {c.path: c.definition for c in list_codes(project)}["Sleep"] == "Any talk of nights"


def test_a_save_refused_once_replaces_theirs_when_saved_again(
    tree: CodeTreeWidget, project: Project
) -> None:
    from workbench.coding.codebook import update_code

    tree.select_path("Sleep")
    update_code(project, "Sleep", definition="Ben's.", coder="ben")
    tree.definition.setPlainText("Mine.")
    tree.save_definition.click()
    assert {c.path: c.definition for c in list_codes(project)}["Sleep"] == "Ben's."
    tree.save_definition.click()  # told: now knowingly
    assert {c.path: c.definition for c in list_codes(project)}["Sleep"] == "Mine."
