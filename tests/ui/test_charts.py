"""Charts saved as PNG and SVG: real files, the themes' names as text in the SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QImage

from workbench.coding.readings import set_stance
from workbench.domain.study import StudyError
from workbench.storage.project import open_project
from workbench.ui.charts import PNG_SCALE
from workbench.ui.heatmap import HeatmapChart, _blend
from workbench.ui.main_window import MainWindow

from .test_heatmap import _themed

SVG = "{http://www.w3.org/2000/svg}"


def _svg_text(path: Path) -> str:
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    return " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))


def _png(path: Path) -> QImage:
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = QImage(str(path))
    assert not image.isNull()
    return image


@pytest.fixture
def window(qtbot, tmp_path: Path, demo_like: Path) -> MainWindow:
    _themed(demo_like)
    with open_project(demo_like) as p:
        set_stance(p, "D01", "baseline", "Nights", "divergent")
    window = MainWindow(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    window.open_location(str(demo_like))
    return window


def test_heat_map_exports_as_png_and_svg(window: MainWindow, tmp_path: Path) -> None:
    window.mode_actions[1].trigger()
    view = window.heatmap
    view.by.setCurrentIndex(view.by.findData("participant"))
    assert view.export_action in view.table.actions()  # the table's context menu
    svg = view.export_chart(tmp_path / "heat.svg")
    text = _svg_text(svg)
    assert "Nights · P01" in text and "baseline" in text and "easing" in text
    assert "Themes across waves · By participant · Segments" in text
    assert "not findings" in text

    image = _png(view.export_chart(tmp_path / "heat.png"))
    chart = HeatmapChart(view.model, view.chart_title(), view.font())
    assert image.width() == chart.size().width() * PNG_SCALE
    # The baseline cell of the one row carries the heat colour; the missing wave beside it not.
    vertical = Qt.Orientation.Vertical
    labels = [view.model.headerData(r, vertical) for r in range(view.model.rowCount())]
    row = labels.index("Nights · P01")
    x = chart.PAD + chart.widths[0] + chart.widths[1] + 10
    y = chart.PAD + chart.TITLE_H + chart.HEAD_H + row * chart.ROW_H + 6
    assert image.pixelColor(x * PNG_SCALE, y * PNG_SCALE) == _blend(0.85)
    missing = image.pixelColor((x + chart.widths[2]) * PNG_SCALE, y * PNG_SCALE)
    assert missing != _blend(0.85) and missing != QColor("white")

    with pytest.raises(StudyError, match=r"\.png or \.svg"):
        view.export_chart(tmp_path / "heat.pdf")


def test_dyad_timeline_exports_as_png_and_svg(window: MainWindow, tmp_path: Path) -> None:
    window.mode_actions[2].trigger()
    view = window.timeline
    assert view.export_action in view.canvas.actions()
    text = _svg_text(view.export_chart(tmp_path / "timeline.svg"))
    assert "Dyad timeline · D01" in text
    assert "Nights" in text and "baseline" in text and "P01 (patient) scores" in text
    image = _png(view.export_chart(tmp_path / "timeline.png"))
    assert image.width() >= view.canvas.minimumWidth() * PNG_SCALE
    assert image.height() > 200


def test_a_chart_passes_the_export_gate(window: MainWindow, tmp_path: Path) -> None:
    from workbench.coding.redaction import accept_identifier

    window.mode_actions[1].trigger()
    view = window.heatmap
    assert view.project is not None
    accept_identifier(view.project, "Nights")  # as if the theme's name gave someone away
    for name in ("heat.svg", "heat.png"):
        with pytest.raises(StudyError, match=r"still holds 'Nights' \(an accepted identifier"):
            view.export_chart(tmp_path / name)
        assert not (tmp_path / name).exists()
