"""View ▸ Show originals (#13): a key holder reads the interview with its originals, read only
and audited; leaving it, or reading the interview again, shows the pseudonymised text."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from workbench.coding.redaction import redact
from workbench.coding.transcripts import append_transcription, utterances
from workbench.storage.models import AuditEntry
from workbench.ui.main_window import MainWindow
from workbench.ui.originals import show_originals


def _row(start: int, text: str) -> dict[str, object]:
    return {
        "speaker": "P01",
        "start_ms": start,
        "end_ms": start + 2000,
        "text": text,
        "language": "en",
        "needs_review": False,
        "untranscribed_speech": False,
    }


def test_a_key_holder_reads_the_originals_and_nothing_changes(
    window: MainWindow, tmp_path: Path
) -> None:
    assert window.create_project(str(tmp_path / "o.dyad"), "Originals", ["baseline"])
    assert window.add_interview({"key": "a1", "wave": "baseline", "patient": "P01"})
    project = window.project
    assert project is not None
    rows = [_row(0, "My brother Samer came with me."), _row(3000, "Samer drives.")]
    append_transcription(project, "a1", rows, [[], []], model="human")
    redact(project, "[brother]", everywhere="Samer")
    window.page.reload()
    editor = window.editor
    pseudonymised = "My brother [brother] came with me.\n[brother] drives."
    assert editor.toPlainText() == pseudonymised

    window.originals_action.trigger()
    assert window.originals_action.isChecked()
    assert editor.toPlainText() == "My brother Samer came with me.\nSamer drives."
    assert editor.isReadOnly() and not editor.stripes
    assert "read only" in window.page.notice.text()
    assert [u.text for u in utterances(project, "a1")] == pseudonymised.split("\n")
    with project.session(write=False) as s:
        reveals = s.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("%reveal"))
        ).all()
    assert reveals == ["redaction.reveal"] * 2  # the transcript, and the analyst texts

    # The memos and the journal too, read only; nothing is written back from there.
    from workbench.coding.memos import list_memos

    memos = window.memos
    assert memos.reveal is not None
    memos.set_reveal(None)
    memos.scope.setCurrentIndex(memos.scope.findData("project"))
    memos.text.setPlainText("Asked about [brother] again; see interview a1.")
    assert memos.save()
    window.originals_action.trigger()  # off
    window.originals_action.trigger()  # on: the memo panel reads originals as well
    memos.scope.setCurrentIndex(memos.scope.findData("project"))
    memos.list.setCurrentRow(0)
    assert memos.text.toPlainText() == "Asked about Samer again; see interview a1."
    assert memos.text.isReadOnly() and not memos.save()
    for details in (window.heatmap.details, window.timeline.details):  # the cell summaries
        assert details.reveal is not None and details.reveal("[brother]") == "Samer"
    stored = [m.text for m in list_memos(project, about="project")]
    assert stored == ["Asked about [brother] again; see interview a1."]

    window.originals_action.trigger()  # off again
    assert not window.originals_action.isChecked()
    assert editor.toPlainText() == pseudonymised and not editor.isReadOnly()
    assert memos.reveal is None and not memos.text.isReadOnly()
    assert window.heatmap.details.reveal is None and window.timeline.details.reveal is None

    # Anything that reads the interview again ends the reading, and the menu says so.
    window.originals_action.trigger()
    window.page.reload()
    assert editor.toPlainText() == pseudonymised
    assert not window.originals_action.isChecked() and not editor.isReadOnly()


def test_a_wrong_key_is_refused_in_one_line(window: MainWindow, tmp_path: Path) -> None:
    assert window.create_project(str(tmp_path / "w.dyad"), "Wrong key", ["baseline"])
    assert window.add_interview({"key": "a1", "wave": "baseline", "patient": "P01"})
    project = window.project
    assert project is not None
    append_transcription(project, "a1", [_row(0, "Samer drives.")], [[]], model="human")
    redact(project, "[brother]", everywhere="Samer")
    window.page.reload()
    assert not show_originals(window.page, tmp_path / "nowhere.dyadkey")
    assert "key" in window.page.notice.text().lower()
    assert window.editor.toPlainText() == "[brother] drives."
    assert not window.editor.isReadOnly()
