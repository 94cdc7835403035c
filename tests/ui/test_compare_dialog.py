"""The Compare analysts dialog shows what the core finds, and figures only when asked."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from workbench.coding.codings import list_codings
from workbench.coding.study import new_study
from workbench.storage.project import open_project
from workbench.ui.compare_dialog import CompareDialog

from ..analysis.test_compare import two_readings


def test_the_dialog_lists_both_readings_and_figures_on_request(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "two.dyad"
    with new_study(path, title="Two readings") as p:
        two_readings(p)
    with open_project(path) as project:
        dialog = CompareDialog(project)
        qtbot.addWidget(dialog)
        names = [dialog.coder_a.itemText(i) for i in range(dialog.coder_a.count())]
        assert names == ["ana", "ben", "cleo"]
        assert (dialog.coder_a.currentText(), dialog.coder_b.currentText()) == ("ana", "ben")
        qtbot.mouseClick(dialog.compare_button, Qt.MouseButton.LeftButton)
        tree = dialog.tree
        assert [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())] == [
            "I1 · Sleep",
            "I1 · Worry",
        ]
        sleep = tree.topLevelItem(0)
        rows = [[sleep.child(i).text(c) for c in range(4)] for i in range(sleep.childCount())]
        assert rows == [
            ["both", "39–66", "4", "nightmares come every night"],
            ["only A (ana)", "0–27", "5", "How have you been sleeping?"],
        ]
        both = sleep.child(0)
        assert [both.child(i).text(0) for i in range(2)] == ["A (ana)", "B (ben)"]
        assert not dialog.stats.isVisibleTo(dialog)

        dialog.show_stats.setChecked(True)
        qtbot.mouseClick(dialog.compare_button, Qt.MouseButton.LeftButton)
        assert dialog.stats.isVisibleTo(dialog)
        assert "Agreement is not validity" in dialog.stats.text()
        assert "Sleep: agreement 60.0%, kappa 0.104, alpha 0.115" in dialog.stats.text()

        dialog.coder_b.setCurrentIndex(0)  # ana against herself
        qtbot.mouseClick(dialog.compare_button, Qt.MouseButton.LeftButton)
        assert "two different analysts" in dialog.summary.text()
        assert dialog.tree.topLevelItemCount() == 0


def test_the_code_menu_opens_the_dialog_on_the_open_project(
    qtbot, tmp_path: Path, monkeypatch
) -> None:
    from PySide6.QtCore import QSettings

    from workbench.ui.main_window import MainWindow

    path = tmp_path / "two.dyad"
    with new_study(path, title="Two readings") as p:
        two_readings(p)
    window = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    assert window.open_location(str(path))
    opened: list[CompareDialog] = []
    monkeypatch.setattr(CompareDialog, "exec", lambda self: opened.append(self) or 0)
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Code")
    (action,) = [a for a in menu.actions() if a.text() == "Compare &analysts…"]
    action.trigger()
    (dialog,) = opened
    assert dialog.project is window.project
    assert dialog.coder_b.currentText() == "ben"
    # A decision made in the dialog lands on the window's undo stack.
    qtbot.mouseClick(dialog.compare_button, Qt.MouseButton.LeftButton)
    dialog.tree.setCurrentItem(dialog.tree.topLevelItem(0).child(0))
    qtbot.keyClicks(dialog.rationale, "Ana's reading holds")
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    assert window.undo.stack.count() == 1
    assert window.undo.stack.undoText().startswith("consensus in I1 on 'Sleep': keep_a")


def test_a_decision_recorded_in_the_dialog_is_one_undoable_step(qtbot, tmp_path: Path) -> None:
    from workbench.coding.codings import list_codings
    from workbench.coding.undo import undo

    path = tmp_path / "two.dyad"
    with new_study(path, title="Two readings") as p:
        two_readings(p)
    with open_project(path, coder="dana") as project:
        dialog = CompareDialog(project)
        qtbot.addWidget(dialog)
        qtbot.mouseClick(dialog.compare_button, Qt.MouseButton.LeftButton)
        assert not dialog.record_button.isEnabled()
        shared = dialog.tree.topLevelItem(0).child(0)
        dialog.tree.setCurrentItem(shared.child(1))  # Ben's side of the shared pair
        interview, code, reading_a, reading_b = dialog.selected_choice()
        assert (interview, code) == ("I1", "Sleep") and reading_a and reading_b
        assert not dialog.record_button.isEnabled()  # no rationale yet
        dialog.decision.setCurrentIndex(dialog.decision.findData("merged"))
        qtbot.keyClicks(dialog.rationale, "One stretch of disturbed nights")
        assert dialog.record_button.isEnabled()
        with qtbot.waitSignal(dialog.decided) as signal:
            qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
        assert "consensus in I1 on 'Sleep': merged" in signal.args[0].description
        spans = [(c.coder, c.start, c.end) for c in list_codings(project, code="Sleep")]
        assert spans == [("ana", 0, 27), ("cleo", 0, 161), ("dana", 28, 88)]
        sleep = dialog.tree.topLevelItem(0)  # compared again: only Ana's own stretch is left
        assert [sleep.child(i).text(0) for i in range(sleep.childCount())] == ["only A (ana)"]
        assert dialog.summary.text().startswith("Recorded: consensus in I1")
        undo(project, "dana")
        spans = [(c.coder, c.start, c.end) for c in list_codings(project, code="Sleep")]
        assert spans == [("ana", 0, 27), ("cleo", 0, 161), ("ana", 28, 66), ("ben", 39, 88)]


def test_two_analysts_stripes_side_by_side_in_the_transcript(qtbot, tmp_path: Path) -> None:
    """#14: A's stripes in the left lanes, B's to the right of an empty lane, nobody else's;
    Code ▸ Every analyst's stripes shows every coding again."""
    from PySide6.QtCore import QSettings

    from workbench.ui.main_window import MainWindow

    path = tmp_path / "two.dyad"
    with new_study(path, title="Two readings") as p:
        two_readings(p)
    window = MainWindow(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    assert window.open_location(str(path))
    window.open_interview("I1")
    assert len(window.editor.stripes) == 6  # ana 3, ben 2, cleo 1

    dialog = CompareDialog(window.project, window)
    qtbot.addWidget(dialog)
    dialog.sides.connect(window._show_sides)
    dialog.show_beside()  # ana and ben, the dialog's first choice
    stripes = window.editor.stripes
    by = {s.coding: s for s in stripes}
    codings = {c.id: c.coder for c in window.page.call(lambda p: list_codings(p, interview="I1"))}
    left = [s.lane for s in stripes if codings[s.coding] == "ana"]
    right = [s.lane for s in stripes if codings[s.coding] == "ben"]
    assert sorted(codings[c] for c in by) == ["ana", "ana", "ana", "ben", "ben"]  # no cleo
    assert max(left) + 1 < min(right)  # an empty lane between the two readings
    assert "stripes: ana left, ben right" in window.page.title.text()

    window.page.reload()  # a colleague's change or an undo keeps the two sides
    assert len(window.editor.stripes) == 5
    window.page.show_sides(None)
    assert len(window.editor.stripes) == 6
    assert "stripes:" not in window.page.title.text()
