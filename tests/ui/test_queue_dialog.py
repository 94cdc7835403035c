"""The window's Transcription queue (#17): the Transcribe dialog adds an interview to the queue,
the queue dialog lists, removes and runs the items with a real model, one at a time."""

from __future__ import annotations

from pathlib import Path

from workbench.coding.transcripts import utterances
from workbench.transcribe.queue import list_queue
from workbench.ui.dialogs import TranscribeDialog
from workbench.ui.main_window import MainWindow
from workbench.ui.queue_dialog import QueueDialog

AUDIO = Path(__file__).parents[1] / "data" / "audio"


def test_the_transcribe_dialog_queues_only_a_linked_recording(qtbot) -> None:
    linked = TranscribeDialog("en", interview="a1", recording="/audio/a1.wav")
    qtbot.addWidget(linked)
    assert linked.queue.isEnabled()
    linked.queue.click()
    assert linked.queued and linked.result() == TranscribeDialog.DialogCode.Accepted
    unlinked = TranscribeDialog("en", interview="a2", recording=None)
    qtbot.addWidget(unlinked)
    assert not unlinked.queue.isEnabled()  # the queue keeps no recording chosen for one run


def test_queue_listed_removed_and_run_from_the_window(
    window: MainWindow, tmp_path: Path, qtbot
) -> None:
    assert window.create_project(str(tmp_path / "q.dyad"), "Queue", ["baseline"])
    clips = {"a1": "jfk.flac", "a2": "sr_english_one_two_three.wav", "a3": "ds_LDC93S1.wav"}
    for key, clip in clips.items():
        assert window.add_interview(
            {"key": key, "wave": "baseline", "patient": f"P{key}", "media": str(AUDIO / clip)}
        )
        assert window.page.queue_transcription(
            model="tiny.en", language="en", options={"language_check": False}
        )
    assert "Transcription queue" in window.page.notice.text()
    project = window.project
    assert project is not None
    assert [i.interview for i in list_queue(project)] == ["a1", "a2", "a3"]
    # Queued twice is refused in one line, shown in the window.
    assert window.page.queue_transcription(model="tiny.en", language="en") is None
    assert "in the queue already" in window.page.notice.text()

    dialog = QueueDialog(project, window)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 3
    assert [dialog.table.item(r, 3).text() for r in range(3)] == ["waiting"] * 3
    dialog.table.selectRow(2)
    assert dialog.remove_selected()
    assert [dialog.table.item(r, 1).text() for r in range(2)] == ["a1", "a2"]

    seen: list[str] = []
    run = dialog.start()
    run.progress.connect(lambda interview, _d, _t: seen.append(interview))
    assert dialog.run_button.text() == "Stop" and not dialog.remove_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.run is None, timeout=180_000)
    assert [dialog.table.item(r, 3).text() for r in range(2)] == ["done", "done"]
    assert "utterances with tiny.en" in dialog.table.item(0, 4).text()
    assert seen and seen.index("a1") < seen.index("a2")  # one at a time, in order
    assert "country" in " ".join(u.text.lower() for u in utterances(project, "a1"))
    assert "three" in " ".join(u.text.lower() for u in utterances(project, "a2"))
    assert utterances(project, "a3") == []
    assert not dialog.run_button.isEnabled()  # nothing left waiting
    dialog.reject()
