"""A running transcription belongs to its project: before the window opens another project or
closes, the analyst says what becomes of it — keep it running (and stay), stop it and queue the
rest, or stop it. The job is never left writing into a project the window has let go of."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox, QWidget

from workbench.transcribe.queue import OPTIONS, enqueue

if TYPE_CHECKING:
    from workbench.ui.transcript_page import TranscriptPage

KEEP, QUEUE, STOP = "keep", "queue", "stop"


def ask_about_job(parent: QWidget, interview: str, doing: str) -> str:
    """KEEP, QUEUE or STOP, from a question that names the interview and what would happen."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("A transcription is running")
    box.setText(f"{interview} is being transcribed. What should happen to it before {doing}?")
    box.setInformativeText(
        "Segments stored so far are kept either way. A queued job resumes where they end "
        "when the queue runs (workbench queue run PROJECT)."
    )
    keep = box.addButton("Keep it running", QMessageBox.ButtonRole.RejectRole)
    queue = box.addButton("Stop and queue the rest", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Stop it", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    clicked = box.clickedButton()
    return KEEP if clicked is keep else QUEUE if clicked is queue else STOP


def settle_running_job(page: TranscriptPage, doing: str) -> bool:
    """Whether the window may let go of the project now. A running job is asked about, then
    stopped and waited for (its child stops within two seconds), so nothing writes on after."""
    job = page.job
    if job is None:
        return True
    choice = ask_about_job(page, job.interview, doing)
    if choice == KEEP:
        return False
    job.cancel()
    job.wait()  # the job ends its last write; the window keeps the project until then
    page.job_ended_now()
    if choice == QUEUE:
        options = {k: v for k, v in job.options.items() if k in OPTIONS}
        options.update(model=job.model, language=job.language)
        page.call(lambda p: enqueue(p, job.interview, resume=True, **options))
    return True
