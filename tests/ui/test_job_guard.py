"""A running transcription is tied to its project (#17): opening another project asks first;
"keep it running" stays, "stop and queue the rest" stops the job before the project is let go
and the queue later resumes it where the stored segments end."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from workbench.coding.study import new_study
from workbench.coding.transcripts import utterances
from workbench.storage.project import open_project
from workbench.transcribe.queue import list_queue, run_queue
from workbench.ui.main_window import MainWindow

CLIP = Path(__file__).parents[1] / "data" / "audio" / "pyannote_sample.wav"  # 30 s, two voices


def _answer(button: str, seen: list[str]) -> None:
    """Click ``button`` in the question once it is on screen (polled: the box is modal)."""

    def look() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, look)
            return
        seen.append(box.text())
        (chosen,) = [b for b in box.buttons() if b.text() == button]
        chosen.click()

    QTimer.singleShot(0, look)


def test_opening_another_project_asks_and_never_orphans_the_job(
    window: MainWindow, tmp_path: Path, qtbot
) -> None:
    first = tmp_path / "first.dyad"
    second = tmp_path / "second.dyad"
    new_study(str(second), title="Second").close()
    assert window.create_project(str(first), "First", ["baseline"])
    assert window.add_interview(
        {"key": "a1", "wave": "baseline", "patient": "P01", "media": str(CLIP)}
    )
    job = window.page.start_transcription(model="tiny.en")
    assert job is not None

    seen: list[str] = []
    _answer("Keep it running", seen)
    assert not window.open_location(str(second))
    assert seen and "a1 is being transcribed" in seen[0]
    assert window.project is not None and window.project.location == str(first)
    assert window.page.job is job and job.isRunning()

    _answer("Stop and queue the rest", seen)
    assert window.open_location(str(second))
    assert window.page.job is None and not job.isRunning()  # stopped before the project went
    assert window.project is not None and window.project.location == str(second)

    old = open_project(str(first))
    try:
        stored = len(utterances(old, "a1"))
        qtbot.wait(1500)
        assert len(utterances(old, "a1")) == stored, "the job wrote on after the window let go"
        (item,) = list_queue(old)
        assert (item.interview, item.status, item.model) == ("a1", "queued", "tiny.en")
        run_queue(old)
        assert [i.status for i in list_queue(old)] == ["done"]
        rows = utterances(old, "a1")
        assert len(rows) > stored
        starts = [r.start_ms or 0 for r in rows]
        assert starts == sorted(starts)
        assert rows[-1].end_ms is not None and rows[-1].end_ms > 20_000  # the rest was done
    finally:
        old.close()
