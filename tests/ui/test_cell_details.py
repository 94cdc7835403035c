"""Every heat-map and timeline cell opens the segments behind it and the analyst's summary."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt

from workbench.coding.readings import cell_summary, set_cell_summary
from workbench.storage.project import open_project
from workbench.ui.main_window import MainWindow

from .test_heatmap import _themed


def test_a_heat_map_cell_opens_its_segments_and_summary(
    qtbot, tmp_path: Path, demo_like: Path
) -> None:
    _themed(demo_like)
    with open_project(demo_like) as p:
        set_cell_summary(p, "Nights", "participant:P01", "baseline", "Cannot sleep at all")
    window = MainWindow(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    window.open_location(str(demo_like))
    window.mode_actions[1].trigger()
    view = window.heatmap
    view.by.setCurrentIndex(view.by.findData("participant"))
    model = view.model
    labels = [model.headerData(r, Qt.Orientation.Vertical) for r in range(model.rowCount())]
    index = model.index(labels.index("Nights · P01"), 1)  # baseline
    qtbot.mouseClick(
        view.table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=view.table.visualRect(index).center(),
    )
    details = view.details
    assert details.title.text() == "Nights · P01 · baseline: 1 segments"
    assert details.segments.count() == 1
    assert "لا أستطيع" in details.segments.item(0).text()
    assert details.segments.item(0).textAlignment() & Qt.AlignmentFlag.AlignRight  # read RTL
    assert "P01" in details.segments.item(0).text()
    assert details.summary.toPlainText() == "Cannot sleep at all"

    details.summary.setPlainText("Cannot sleep; the nights are long")
    qtbot.mouseClick(details.save, Qt.MouseButton.LeftButton)
    assert details.message.text() == "Summary saved"
    unit = ("Nights", "participant:P01", "baseline")
    assert cell_summary(window.project, *unit) == "Cannot sleep; the nights are long"
    window.undo_action.trigger()
    assert cell_summary(window.project, *unit) == "Cannot sleep at all"

    # The study row: every participant's segments of the theme at the wave.
    view.by.setCurrentIndex(view.by.findData("study"))
    assert details.segments.count() == 0 and not details.save.isEnabled()
    view.open_cell(model.index(0, 1))
    assert details.title.text().startswith("Nights · the whole study · baseline: 1 segments")


def test_a_timeline_dot_opens_the_dyads_segments_and_the_summary(
    qtbot, tmp_path: Path, demo_like: Path
) -> None:
    _themed(demo_like)
    with open_project(demo_like) as p:
        set_cell_summary(p, "Nights", "participant:P01", "baseline", "Nights are the worst")
    window = MainWindow(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    window.open_location(str(demo_like))
    window.mode_actions[2].trigger()
    view = window.timeline
    rect = view.canvas._lane_rect(0, 0, 0)
    qtbot.mouseClick(view.canvas, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert view.details.title.text() == "Nights · P01 in D01 · baseline: 1 segments"
    assert view.details.summary.toPlainText() == "Nights are the worst"
