"""The case-ordered summary matrix beside the heat map (issue 15): a tab next to the map shows
the open cell's theme as one row per participant grouped by dyad, the waves across, the
analyst's summaries and pinned quotes in the cells, what changed and the through-line — and
follows a quote pinned below the map, and its undo."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from workbench.coding.readings import set_cell_summary, set_stance
from workbench.coding.themes import add_theme, set_trajectory
from workbench.storage.project import open_project
from workbench.ui.main_window import MainWindow

from .test_heatmap import window_in_mode
from .test_quote_balance import quoted  # noqa: F401  (the study: two dyads, two waves)


def _table(window: MainWindow) -> list[list[str]]:
    model = window.heatmap.case.model
    return [
        [str(model.data(model.index(r, c))) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def _tab(window: MainWindow, qtbot, number: int) -> None:
    bar = window.heatmap.views.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(number).center())
    assert window.heatmap.views.currentIndex() == number


def test_the_case_ordered_matrix_beside_the_heat_map(
    qtbot,
    tmp_path: Path,
    quoted: Path,  # noqa: F811
) -> None:
    with open_project(quoted) as p:
        set_cell_summary(p, "Nights", "participant:P01", "baseline", "Lies awake, the ward is loud")
        set_trajectory(p, "Nights", "participant:P01", label="easing", text="Sleep returns")
        add_theme(p, "Family", codes=[])
        set_stance(p, "D01", "baseline", "Nights", "mixed", note="Only her side was heard")
    window = window_in_mode(qtbot, tmp_path, quoted, 1)
    view = window.heatmap
    view.by.setCurrentIndex(view.by.findData("participant"))
    index = view.model.index_of("Nights", "P02", "baseline")
    qtbot.mouseClick(
        view.table.viewport(), Qt.MouseButton.LeftButton, pos=view.table.visualRect(index).center()
    )
    qtbot.waitUntil(lambda: view.details.cell == ("Nights", "participant:P02", "baseline"))

    _tab(window, qtbot, 1)
    case = view.case
    assert case.isVisible() and not view.details.isVisible()
    assert case.theme.currentText() == "Nights"  # the open cell's theme
    assert [case.theme.itemText(i) for i in range(case.theme.count())] == ["Nights", "Family"]
    headers = [
        case.model.headerData(c, Qt.Orientation.Horizontal) for c in range(case.model.columnCount())
    ]
    assert headers == [
        "Dyad",
        "Participant",
        "baseline\nweek not recorded",
        "end\nweek not recorded",
        "What changed",
        "Through-line",
    ]
    assert _table(window) == [
        ["D01", "P01", "Lies awake, the ward is loud", "", "easing", "Sleep returns"],
        ["", "C01", "– (no interview)", "– (no interview)", "", ""],
        ["D02", "P02", "", "– (no interview)", "", ""],
        ["", "C02", "– (no interview)", "– (no interview)", "", ""],
    ]
    missing = case.model.index(1, 2)
    assert case.model.data(missing, Qt.ItemDataRole.ForegroundRole) is not None  # greyed
    assert "4 participants" in case.status.text()

    # A quote pinned below the map appears in its cell when the matrix is shown again.
    _tab(window, qtbot, 0)
    assert view.details.isVisible()
    view.details.segments.setCurrentRow(0)
    qtbot.mouseClick(view.details.pin, Qt.MouseButton.LeftButton)
    _tab(window, qtbot, 1)
    assert _table(window)[2][2] == "“Night is when the memories come.”"

    # Edit ▸ Undo takes the pin back, and the matrix on screen follows.
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: _table(window)[2][2] == "")

    # Rows per dyad and wave: both members side by side, and the analyst's stance.
    case.rows.setCurrentText("Dyads, side by side")
    assert [case.model.headerData(c, Qt.Orientation.Horizontal) for c in range(6)] == [
        "Dyad",
        "Wave",
        "Patient",
        "Clinician",
        "Stance (analyst)",
        "Note",
    ]
    assert _table(window)[0] == [
        "D01",
        "baseline",
        "P01: Lies awake, the ward is loud",
        "C01: – (no interview)",
        "mixed",
        "Only her side was heard",
    ]
    assert "4 dyad waves" in case.status.text()
    greyed = Qt.ItemDataRole.ForegroundRole
    assert case.model.data(case.model.index(0, 3), greyed) is not None  # C01 not interviewed
    assert case.model.data(case.model.index(0, 2), greyed) is None
    assert "side by side" in case.footer.text()
    case.rows.setCurrentText("Participants")

    # Another theme from the list: its own (empty) matrix, with a hint of what fills it.
    case.theme.setCurrentIndex(case.theme.findText("Family"))
    assert _table(window)[0][:2] == ["D01", "P01"]
    assert all(cell in ("", "– (no interview)") for row in _table(window) for cell in row[2:])
    assert "No summaries or pinned quotes yet" in case.status.text()


def test_the_case_matrix_model_passes_the_model_tester(
    qtbot,
    tmp_path: Path,
    quoted: Path,  # noqa: F811
    qtmodeltester,
) -> None:
    window = window_in_mode(qtbot, tmp_path, quoted, 1)
    _tab(window, qtbot, 1)
    assert window.heatmap.case.model.rowCount() == 4
    qtmodeltester.check(window.heatmap.case.model)
