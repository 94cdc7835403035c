"""Themes across waves in the window: missing waves unlike zeros, the analyst's reading first."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDockWidget

from workbench.coding.codebook import add_code
from workbench.coding.codings import apply_code
from workbench.coding.study import set_interview_status
from workbench.coding.themes import add_theme, set_trajectory
from workbench.coding.transcripts import interview_text
from workbench.storage.project import open_project
from workbench.ui.heatmap import HeatmapModel
from workbench.ui.main_window import MainWindow


def _themed(path: Path) -> None:
    with open_project(path) as p:
        add_code(p, "sleep")
        full = interview_text(p, "P01-b")
        at = full.index("لا أستطيع")
        apply_code(p, "P01-b", at, at + 9, "sleep")
        set_interview_status(p, "P01-b", "coded")
        add_theme(p, "Nights", codes=["sleep"])
        set_trajectory(p, "Nights", "participant:P01", label="easing")


def test_heatmap_mode_shows_values_missing_waves_and_trajectories(
    qtbot,
    tmp_path: Path,
    demo_like: Path,
    qtmodeltester,
) -> None:
    _themed(demo_like)
    window = MainWindow(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    window.open_location(str(demo_like))
    assert window.mode_actions[1].shortcut().toString() == "Ctrl+2"
    window.mode_actions[1].trigger()
    assert window.pages.currentIndex() == 1
    assert not any(d.isVisible() for d in window.findChildren(QDockWidget))
    view = window.heatmap
    view.by.setCurrentIndex(view.by.findData("participant"))
    model: HeatmapModel = view.model
    qtmodeltester.check(model)
    rows = [model.headerData(r, Qt.Orientation.Vertical) for r in range(model.rowCount())]
    row = rows.index("Nights · P01")
    assert model.data(model.index(row, 0)) == "easing"
    assert model.data(model.index(row, 1)) == "1"  # baseline: one segment
    assert model.data(model.index(row, 2)) == "–"  # mid-treatment: missing, not zero
    assert "no interview" in model.data(model.index(row, 2), Qt.ItemDataRole.ToolTipRole)
    assert model.data(model.index(row, 4)).startswith("single observation")
    view.measure.setCurrentIndex(view.measure.findData("words"))
    assert model.data(model.index(row, 1)).endswith("%")
    window.mode_actions[0].trigger()
    assert window.pages.currentIndex() == 0
    assert all(d.isVisible() for d in window.findChildren(QDockWidget))
