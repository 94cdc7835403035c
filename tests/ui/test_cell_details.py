"""Every heat-map and timeline cell opens the segments behind it and the analyst's summary."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from workbench.coding.codebook import add_code
from workbench.coding.readings import cell_summary, set_cell_summary
from workbench.coding.study import new_study
from workbench.coding.themes import add_theme
from workbench.storage.project import open_project
from workbench.ui.heatmap import CELL_HINT
from workbench.ui.timeline import DOT_HINT

from .conftest import add_mid_treatment
from .test_heatmap import _themed, click_cell
from .test_heatmap import window_in_mode as _window


def test_a_heat_map_cell_opens_its_segments_and_summary(
    qtbot, tmp_path: Path, demo_like: Path
) -> None:
    _themed(demo_like)
    with open_project(demo_like) as p:
        set_cell_summary(p, "Nights", "participant:P01", "baseline", "Cannot sleep at all")
    window = _window(qtbot, tmp_path, demo_like, 1)
    view = window.heatmap
    click_cell(qtbot, window, "Nights · P01", 1)  # baseline
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
    qtbot.waitUntil(lambda: details.summary.toPlainText() == "Cannot sleep at all")  # on screen

    # The study row: every participant's segments of the theme at the wave, opened at once
    # (the first observed cell), so the details are never blank.
    view.by.setCurrentIndex(view.by.findData("study"))
    qtbot.waitUntil(lambda: details.cell is not None)
    assert details.title.text().startswith("Nights · the whole study · baseline: 1 segments")
    assert details.segments.count() == 1 and details.save.isEnabled()


def test_a_timeline_dot_opens_the_dyads_segments_and_the_summary(
    qtbot, tmp_path: Path, demo_like: Path
) -> None:
    _themed(demo_like)
    with open_project(demo_like) as p:
        set_cell_summary(p, "Nights", "participant:P01", "baseline", "Nights are the worst")
    window = _window(qtbot, tmp_path, demo_like, 2)
    view = window.timeline
    rect = view.canvas._lane_rect(0, 0, 0)
    qtbot.mouseClick(view.canvas, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert view.details.title.text() == "Nights · P01 in D01 · baseline: 1 segments"
    assert view.details.summary.toPlainText() == "Nights are the worst"


def _with_a_wave_not_yet_coded(path: Path) -> None:
    """P01 has a mid-treatment interview that is not marked coded; C01 has no interview."""
    _themed(path)
    add_mid_treatment(path, [("R01", "And now?"), ("P01", "Better.")])


def test_a_timeline_lane_says_why_a_wave_is_missing_and_a_zero_is_not_missing(
    qtbot, tmp_path: Path, demo_like: Path
) -> None:
    _with_a_wave_not_yet_coded(demo_like)
    with open_project(demo_like) as p:
        add_code(p, "hope")
        add_theme(p, "Hope", codes=["hope"])
    view = _window(qtbot, tmp_path, demo_like, 2).timeline
    timeline = view.canvas.timeline
    assert timeline is not None
    assert timeline.lanes[("Nights", "P01", "mid-treatment")].missing == "not_coded"
    assert timeline.lanes[("Nights", "C01", "baseline")].missing == "no_interview"
    assert timeline.lanes[("Hope", "P01", "baseline")].segments == 0  # observed, nothing coded

    # What the lanes draw, read back from the chart's SVG (its text stays text): the reasons in
    # words, never the internal keys; the zero as 0.
    svg = view.export_chart(tmp_path / "lanes.svg").read_text(encoding="utf-8")
    assert ">not yet coded<" in svg and ">no interview<" in svg
    assert "not_coded" not in svg and "no_interview" not in svg and "no_member" not in svg
    assert ">0<" in svg

    # A missing cell, opened, says so in words above its segments.
    i = timeline.themes.index("Nights")
    rect = view.canvas._lane_rect(i, 0, timeline.waves.index("mid-treatment"))
    qtbot.mouseClick(view.canvas, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert view.details.title.text() == (
        "Nights · P01 in D01 · mid-treatment: 0 segments "
        "(a missing wave, not a zero: not yet coded)"
    )
    assert view.canvas.selected == ("Nights", "P01", "mid-treatment")


def test_the_detail_panes_open_on_the_first_observed_cell(
    qtbot, tmp_path: Path, demo_like: Path
) -> None:
    _with_a_wave_not_yet_coded(demo_like)
    window = _window(qtbot, tmp_path, demo_like, 2)
    timeline = window.timeline
    assert timeline.canvas.selected == ("Nights", "P01", "baseline")  # ringed at once
    # Its segments are read just after the chart is drawn.
    qtbot.waitUntil(lambda: timeline.details.cell is not None)
    assert timeline.details.title.text() == "Nights · P01 in D01 · baseline: 1 segments"
    assert timeline.details.segments.count() == 1 and timeline.details.save.isEnabled()

    window.mode_actions[1].trigger()
    heatmap = window.heatmap
    # By dyad, D01 is missing at every wave (C01 has no interview): nothing observed to open,
    # so the one-line hint says what to click; the tooltips give the reasons in words.
    assert heatmap.details.title.text() == CELL_HINT
    tip = heatmap.model.data(heatmap.model.index(0, 2), Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("Missing wave: C01 no interview; P01 not yet coded")

    # The cell chosen stays chosen when the view refreshes; a new measure keeps it too.
    heatmap.by.setCurrentIndex(heatmap.by.findData("participant"))
    qtbot.waitUntil(lambda: heatmap.details.cell is not None)
    assert heatmap.details.title.text() == "Nights · P01 · baseline: 1 segments"
    heatmap.measure.setCurrentIndex(heatmap.measure.findData("words"))
    assert heatmap.details.cell is None  # cleared by the refresh, then opened again
    qtbot.waitUntil(lambda: heatmap.details.cell is not None)
    assert heatmap.details.title.text() == "Nights · P01 · baseline: 1 segments"

    # A project with no themes: nothing to open, the hint says what to click.
    empty = tmp_path / "empty.dyad"
    with new_study(empty, title="Empty"):
        pass
    window.open_location(str(empty))
    assert heatmap.details.title.text() == CELL_HINT
    window.mode_actions[2].trigger()
    assert window.timeline.details.title.text() in (DOT_HINT, CELL_HINT)


def test_the_timeline_follows_the_dark_theme_on_screen_and_exports_on_white(
    qtbot, tmp_path: Path, demo_like: Path
) -> None:
    from PySide6.QtGui import QColor, QImage
    from PySide6.QtWidgets import QApplication

    from workbench.ui import theme

    view = _window(qtbot, tmp_path, demo_like, 2).timeline
    app = QApplication.instance()
    theme.apply(app, theme.DARK)
    try:
        shown = view.canvas.grab().toImage()
        assert QColor(shown.pixel(3, 3)) == QColor(theme.DARK.base)
        exported = QImage(str(view.export_chart(tmp_path / "lanes.png")))
        assert QColor(exported.pixel(3, 3)) == QColor("white")
    finally:
        theme.apply(app, theme.LIGHT)
    assert QColor(view.canvas.grab().toImage().pixel(3, 3)) == QColor(theme.LIGHT.base)


def test_a_key_holder_reads_a_cell_summary_with_its_originals(
    qtbot, tmp_path: Path, demo_like: Path
) -> None:
    from workbench.coding.memos import add_memo
    from workbench.coding.redaction import originals_reader, redact

    _themed(demo_like)
    with open_project(demo_like) as p:
        add_memo(p, "Samer brings him.", about="project")
        redact(p, "[brother]", everywhere="Samer")
        set_cell_summary(p, "Nights", "participant:P01", "baseline", "Sleeps when [brother] stays")
    window = _window(qtbot, tmp_path, demo_like, 1)
    view = window.heatmap
    details = view.details
    details.set_reveal(window.page.call(originals_reader))
    click_cell(qtbot, window, "Nights · P01", 1)
    assert details.summary.toPlainText() == "Sleeps when Samer stays"
    assert details.summary.isReadOnly() and not details.save.isEnabled()
    details.save_summary()  # never writes the originals back
    unit = ("Nights", "participant:P01", "baseline")
    assert cell_summary(window.project, *unit) == "Sleeps when [brother] stays"
    details.set_reveal(None)  # off: the cell on screen is put away
    assert details.cell is None and details.summary.toPlainText() == ""
