"""A cell summary being written is never lost: the views read their cells again after every
change and keep it; choosing another cell or closing the window saves it to its own cell; a
colleague's newer summary is never overwritten unknowingly."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.coding.readings import cell_summary, set_cell_summary
from workbench.coding.study import new_study
from workbench.storage.project import open_project
from workbench.ui import unsaved
from workbench.ui.main_window import MainWindow

from .test_heatmap import _themed, click_cell
from .test_heatmap import window_in_mode as _window

CELL = ("Nights", "participant:P01", "baseline")
OTHER = ("Nights", "participant:P01", "mid-treatment")


def _opened(qtbot, tmp_path: Path, path: Path) -> MainWindow:
    _themed(path)
    window = _window(qtbot, tmp_path, path, 1)
    click_cell(qtbot, window, "Nights · P01", 1)  # baseline
    assert window.heatmap.details.cell == CELL
    return window


def _saved(path: Path, cell: tuple[str, str, str]) -> str | None:
    with open_project(path) as p:
        return cell_summary(p, *cell)


def test_a_refresh_keeps_the_summary_being_written(qtbot, tmp_path: Path, demo_like: Path) -> None:
    window = _opened(qtbot, tmp_path, demo_like)
    details = window.heatmap.details
    details.summary.insertPlainText("Nights long; sleep")  # as typed
    window.heatmap.refresh()  # what every change sets off
    qtbot.waitUntil(lambda: details.cell == CELL)
    assert details.summary.toPlainText() == "Nights long; sleep"
    assert details.has_pending()
    assert _saved(demo_like, CELL) is None  # not saved behind the analyst's back


def test_another_cell_or_closing_saves_it_to_its_own_cell(
    qtbot, tmp_path: Path, demo_like: Path
) -> None:
    window = _opened(qtbot, tmp_path, demo_like)
    details = window.heatmap.details
    details.summary.insertPlainText("Nights long; sleep")
    assert window.project is not None
    details.show_cell(window.project, *OTHER)
    assert _saved(demo_like, CELL) == "Nights long; sleep"
    assert details.summary.toPlainText() == ""  # the other cell's (none yet)
    details.summary.insertPlainText("Not interviewed; asked why")
    window.close()
    assert _saved(demo_like, OTHER) == "Not interviewed; asked why"


def _refused(qtbot, tmp_path: Path, path: Path) -> MainWindow:
    """A window whose summary for CELL a colleague's newer one refused (shown, kept)."""
    window = _opened(qtbot, tmp_path, path)
    details = window.heatmap.details
    details.summary.insertPlainText("Mine: nights long")
    with open_project(path) as colleague:
        set_cell_summary(colleague, *CELL, "Theirs: sleeps better", coder="colleague")
    assert window.project is not None
    details.show_cell(window.project, *OTHER)
    assert "was not saved" in details.message.text()
    return window


def test_a_colleagues_newer_summary_is_not_overwritten_and_the_analysts_is_kept(
    qtbot, tmp_path: Path, demo_like: Path
) -> None:
    window = _refused(qtbot, tmp_path, demo_like)
    details = window.heatmap.details
    assert window.project is not None
    assert _saved(demo_like, CELL) == "Theirs: sleeps better"  # not overwritten
    assert "Your summary for Nights · P01 · baseline was not saved" in details.message.text()
    assert "changed by colleague" in details.message.toolTip()
    # Never saved there unasked: not when the views read their cells again, not when another
    # cell's typing is saved.
    window.heatmap.refresh()
    details.show_cell(window.project, *OTHER)
    details.summary.insertPlainText("Other cell's note")
    details.show_cell(window.project, *OTHER)
    window.heatmap.refresh()
    assert _saved(demo_like, CELL) == "Theirs: sleeps better"
    details.show_cell(window.project, *CELL)  # saves the other cell's note, not this one
    assert _saved(demo_like, OTHER) == "Other cell's note"
    assert _saved(demo_like, CELL) == "Theirs: sleeps better"
    assert details.summary.toPlainText() == "Mine: nights long"  # shown again, unsaved
    details.save_summary()  # now knowingly
    assert _saved(demo_like, CELL) == "Mine: nights long"


@pytest.mark.parametrize("answer", [unsaved.CANCEL, unsaved.SAVE, unsaved.DISCARD])
def test_closing_asks_about_a_refused_summary_instead_of_dropping_it(
    qtbot, tmp_path: Path, demo_like: Path, monkeypatch, answer: str
) -> None:
    window = _refused(qtbot, tmp_path, demo_like)
    asked: list[list[str]] = []

    def ask(parent, items, why: str) -> str:
        asked.append([*items, why])
        return answer

    monkeypatch.setattr(unsaved, "ask", ask)
    closed = window.close()
    assert asked == [["your summary for Nights · P01 · baseline", "the window closes"]]
    assert closed == (answer != unsaved.CANCEL)
    saved = {unsaved.SAVE: "Mine: nights long"}.get(answer, "Theirs: sleeps better")
    assert _saved(demo_like, CELL) == saved
    if answer == unsaved.CANCEL:  # still there, and asked again on the next try
        monkeypatch.setattr(unsaved, "ask", lambda *_: unsaved.SAVE)
        assert window.close()
        assert _saved(demo_like, CELL) == "Mine: nights long"


def test_opening_another_project_asks_too(
    qtbot, tmp_path: Path, demo_like: Path, monkeypatch
) -> None:
    window = _refused(qtbot, tmp_path, demo_like)
    monkeypatch.setattr(unsaved, "ask", lambda *_: unsaved.CANCEL)
    other = tmp_path / "other.dyad"
    new_study(other, title="Other").close()
    assert not window.open_location(str(other))  # stayed: nothing dropped
    assert window.project is not None and window.project.path == demo_like
    monkeypatch.setattr(unsaved, "ask", lambda *_: unsaved.SAVE)
    assert window.open_location(str(other))
    assert _saved(demo_like, CELL) == "Mine: nights long"
