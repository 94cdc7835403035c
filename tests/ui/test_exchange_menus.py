"""Import and Export from the window: the registry's formats, run off the event loop."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from workbench.coding.codebook import add_code, list_codes
from workbench.coding.codings import apply_code
from workbench.storage.project import open_project
from workbench.ui.exchange import export_formats, import_formats
from workbench.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings)
    qtbot.addWidget(w)
    return w


def _wait(window: MainWindow, qtbot) -> None:
    qtbot.waitUntil(lambda: window.task is None, timeout=60_000)


def test_every_registry_format_has_its_menu_entry(window: MainWindow) -> None:
    exports = [a.text() for a in window.export_menu.actions() if not a.isSeparator()]
    imports = [a.text() for a in window.import_menu.actions()]
    assert len(exports) == len(export_formats()) >= 10
    assert any("REFI-QDA project" in t for t in exports)
    assert len(imports) == len(import_formats()) >= 2
    assert any(".qdpx) into a new project" in t for t in imports)


def test_export_a_project_then_import_it_as_a_new_one_from_the_window(
    window: MainWindow, demo_like: Path, tmp_path: Path, qtbot
) -> None:
    with open_project(demo_like) as p:
        add_code(p, "Sleep", color="#4f6d7a")
        apply_code(p, "P01-b", 0, 3, "Sleep")
    assert window.open_location(str(demo_like))
    out = tmp_path / "study.qdpx"
    assert window.export_to("qdpx", out)
    assert not window.task_bar.isHidden()  # the busy bar while it runs
    _wait(window, qtbot)
    assert window.task_bar.isHidden()
    assert out.is_file() and "wrote" in window.page.notice.text()

    docx = tmp_path / "themes.docx"
    assert window.export_to("theme-table-docx", docx)
    _wait(window, qtbot)
    assert docx.is_file()

    copy = tmp_path / "copy.dyad"
    assert window.import_from(out, str(copy))
    _wait(window, qtbot)
    assert "imported study.qdpx" in window.page.notice.text()
    assert window.project is not None and window.project.location == str(copy)
    assert [(c.path, c.color, c.codings) for c in list_codes(window.project)] == [
        ("Sleep", "#4f6d7a", 1)
    ]


def test_a_refused_export_says_why_in_the_window(
    window: MainWindow, demo_like: Path, tmp_path: Path, qtbot
) -> None:
    assert window.open_location(str(demo_like))
    assert not window.export_to("vtt", tmp_path / "x.vtt")  # no interview open
    assert "interview" in window.page.notice.text()
    window.open_interview("P01-b")
    assert window.export_to("vtt", tmp_path / "missing" / "deeper" / "x.vtt")
    _wait(window, qtbot)
    text = window.page.notice.text()
    assert text and "Traceback" not in text
