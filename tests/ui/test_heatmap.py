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


def window_in_mode(qtbot, tmp_path: Path, project: Path, mode: int) -> MainWindow:
    """The window on ``project``, shown at 1280×800, in mode ``mode`` (0 transcripts, 1 themes
    across waves, 2 dyad timeline, 3 theme board)."""
    window = MainWindow(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.open_location(str(project))
    window.mode_actions[mode].trigger()
    return window


def click_cell(qtbot, window: MainWindow, row: str, column: int, by: str = "participant") -> None:
    """Click the heat map's cell at ``row`` (its header, ``Nights · P01``) and ``column``."""
    view = window.heatmap
    view.by.setCurrentIndex(view.by.findData(by))
    model = view.model
    labels = [model.headerData(r, Qt.Orientation.Vertical) for r in range(model.rowCount())]
    index = model.index(labels.index(row), column)
    qtbot.mouseClick(
        view.table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=view.table.visualRect(index).center(),
    )


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


def test_dyad_timeline_lanes_and_a_cell_opens_its_segments(
    qtbot, tmp_path: Path, demo_like: Path
) -> None:
    from workbench.coding.readings import set_stance

    _themed(demo_like)
    with open_project(demo_like) as p:
        set_stance(p, "D01", "baseline", "Nights", "divergent")
    window = window_in_mode(qtbot, tmp_path, demo_like, 2)
    view = window.timeline
    timeline = view.canvas.timeline
    assert timeline is not None and timeline.dyad == "D01"
    assert timeline.members == (("P01", "patient"), ("C01", "clinician"))
    assert timeline.lanes[("Nights", "P01", "baseline")].segments == 1
    assert timeline.lanes[("Nights", "P01", "mid-treatment")].segments is None  # missing
    assert timeline.stances[("Nights", "baseline")] == "divergent"
    rect = view.canvas._lane_rect(0, 0, 0)
    with qtbot.waitSignal(view.canvas.sig_cell_chosen) as chosen:
        qtbot.mouseClick(view.canvas, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert chosen.args == ["Nights", "P01", "baseline"]
    assert view.segments.count() == 1
    assert "لا أستطيع" in view.segments.item(0).text()
    image = view.canvas.grab()
    assert not image.isNull() and image.width() > 400


def test_the_heat_map_reads_in_the_dark_theme_and_exports_in_light(
    qtbot, tmp_path: Path, demo_like: Path
) -> None:
    """In the dark theme the analyst's trajectory is light text on dark, cells blend from the
    dark paper, missing waves are hatched in a dark grey; an exported chart stays light."""
    from PySide6.QtGui import QBrush, QColor, QImage
    from PySide6.QtWidgets import QApplication

    from workbench.ui import theme

    _themed(demo_like)
    view = window_in_mode(qtbot, tmp_path, demo_like, 1).heatmap
    view.by.setCurrentIndex(view.by.findData("participant"))
    model: HeatmapModel = view.model
    rows = [model.headerData(r, Qt.Orientation.Vertical) for r in range(model.rowCount())]
    row = rows.index("Nights · P01")
    app = QApplication.instance()

    def colours() -> tuple[QColor, QColor, QBrush]:
        trajectory = model.data(model.index(row, 0), Qt.ItemDataRole.ForegroundRole)
        cell = model.data(model.index(row, 1), Qt.ItemDataRole.BackgroundRole)
        missing = model.data(model.index(row, 2), Qt.ItemDataRole.BackgroundRole)
        return trajectory, cell, missing

    light = colours()
    assert light[0].lightness() < 80 and light[1].lightness() > 120
    theme.apply(app, theme.DARK)
    try:
        trajectory, cell, missing = colours()
        assert trajectory.lightness() > 180  # readable on the dark table
        assert cell.lightness() < light[1].lightness()
        assert missing.color().lightness() < 100
        chart = QImage(str(view.export_chart(tmp_path / "heat.png")))
        assert QColor(chart.pixel(3, 3)) == QColor("white")
        assert model.ink is None  # the export's light colours were borrowed, not kept
    finally:
        theme.apply(app, theme.LIGHT)
