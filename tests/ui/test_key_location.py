"""Where the key is: a file for a project file, a key holder's URL for a team project."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QInputDialog, QWidget

from workbench.storage.project import Project
from workbench.ui.key_location import ask_where_the_key_is


def test_a_file_for_a_project_file_a_url_for_a_team_project(
    qtbot, project: Project, monkeypatch
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    asked: list[str] = []
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda *a: (asked.append("file") or "/k.dyadkey", "")
    )
    monkeypatch.setattr(
        QInputDialog,
        "getText",
        lambda *a: (asked.append("url") or " postgresql://keyholder@db/study ", True),
    )
    chosen = ask_where_the_key_is(parent, project)
    if project.is_sqlite:
        assert (asked, chosen) == (["file"], "/k.dyadkey")
    else:
        assert (asked, chosen) == (["url"], "postgresql://keyholder@db/study")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a: ("", ""))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a: ("", False))
    assert ask_where_the_key_is(parent, project) is None  # cancelled
