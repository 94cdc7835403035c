"""Fixtures for the window tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from workbench.coding.study import add_dyad, add_interview, add_participant, new_study
from workbench.coding.transcripts import import_utterances
from workbench.storage.project import open_project
from workbench.ui.main_window import MainWindow

from ..helpers import transcript


@pytest.fixture
def demo_like(tmp_path: Path) -> Path:
    path = tmp_path / "ui.dyad"
    with new_study(path, title="UI study") as p:
        for key, role in [("P01", "patient"), ("C01", "clinician"), ("R01", "researcher")]:
            add_participant(p, key, role)
        add_dyad(p, "D01", ["C01", "P01"])
        add_interview(
            p, "P01-b", wave="baseline", dyad="D01", participants=[("P01", None), ("R01", None)]
        )
        import_utterances(
            p,
            "P01-b",
            transcript([("R01", "How did you sleep?"), ("P01", "لا أستطيع النوم")]),
            speakers={"R01": "R01", "P01": "P01"},
        )
    return path


def add_mid_treatment(path: Path, lines: list[tuple[str, str]]) -> None:
    """P01's mid-treatment interview in ``demo_like``'s dyad, with R01 asking."""
    with open_project(path) as p:
        add_interview(
            p,
            "P01-m",
            wave="mid-treatment",
            dyad="D01",
            participants=[("P01", None), ("R01", None)],
        )
        import_utterances(p, "P01-m", transcript(lines), speakers={"R01": "R01", "P01": "P01"})


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:
    """The main window, shown, with settings of its own (no project open)."""
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.show()
    return w
