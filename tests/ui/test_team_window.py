"""A reader opens a team project in the window: it reads, without the unconsented."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from workbench.ui.main_window import MainWindow

from ..team import HIDDEN_WORD, MakeRole, make_role, team_url  # noqa: F401


def test_a_reader_opens_the_window_without_the_unconsented(
    qtbot,
    tmp_path: Path,
    make_role: MakeRole,  # noqa: F811
) -> None:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    assert window.open_location(make_role("reader"))
    window.open_interview("joint")
    assert "Fine, thanks." in window.editor.toPlainText()
    assert HIDDEN_WORD not in window.editor.toPlainText()
    model = window.participants_model
    shown = {model.index(row, 0).data() for row in range(model.rowCount())}
    assert "P01" in shown and "P02" not in shown
    assert len(window.editor.stripes) == 1  # the coding on P02's words is not there
    assert window.code_tree.new_code(name="Hope") is None  # refused, said in the window
    assert window.code_tree.error_label.text().startswith("Refused: reader '")
    window.close()
    if window.project is not None:
        window.project.close()
