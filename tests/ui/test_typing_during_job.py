"""A correction typed while a transcription of the same interview stores segments is kept, and
lands on the utterance it was typed in although the job inserted segments before it (#17)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from workbench.coding.transcripts import append_transcription, utterances
from workbench.ui.main_window import MainWindow

CLIP = Path(__file__).parents[1] / "data" / "audio" / "jfk.flac"  # 11 s, one speaker


def test_typing_while_a_job_appends_is_stored_on_the_right_utterance(
    window: MainWindow, tmp_path: Path, qtbot
) -> None:
    assert window.create_project(str(tmp_path / "t.dyad"), "Typing", ["baseline"])
    assert window.add_interview(
        {"key": "a1", "wave": "baseline", "patient": "P01", "media": str(CLIP)}
    )
    project = window.project
    assert project is not None
    # A note the analyst already has at 9.5 s, with no end time: the job starts from 0 s and its
    # segments take their places before it, so the note's position moves while it is edited.
    note = {
        "speaker": "P01",
        "start_ms": 9_500,
        "end_ms": None,
        "text": "Note on the ending",
        "language": "en",
        "needs_review": False,
        "untranscribed_speech": False,
    }
    append_transcription(project, "a1", [note], [[]], model="human")
    window.page.reload()
    editor = window.editor
    assert editor.toPlainText() == "Note on the ending"
    (before,) = utterances(project, "a1")

    job = window.page.start_transcription(model="tiny.en", resume=True)
    assert job is not None
    editor.setFocus()
    cursor = editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    editor.setTextCursor(cursor)
    qtbot.keyClicks(editor, ", typed during the job")
    assert editor.has_pending_edit()
    with qtbot.waitSignal(job.stored, timeout=120_000):
        pass  # at least one segment arrived while the correction was being typed
    qtbot.wait(600)  # the page's reload timer (300 ms) has had its chance to fire
    qtbot.waitUntil(lambda: window.page.job is None, timeout=120_000)

    rows = utterances(project, "a1")
    assert len(rows) >= 2, "the job stored no segment before the note"
    edited = [r for r in rows if r.row == before.row]
    assert [r.text for r in edited] == ["Note on the ending, typed during the job"]
    assert edited[0].index > 0, "no segment was inserted before the edited utterance"
    machine = [r for r in rows if r.row != before.row]
    assert all("typed" not in r.text for r in machine)
    assert "country" in " ".join(r.text.lower() for r in machine)
    assert "Note on the ending, typed during the job" in editor.toPlainText()
    assert not editor.has_pending_edit()
    # Leaving the utterance stores nothing twice: one correction in the history.
    editor.setFocus(Qt.FocusReason.OtherFocusReason)
    assert utterances(project, "a1")[edited[0].index].text.endswith("typed during the job")
