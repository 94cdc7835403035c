"""Transcription from the window: the core's job on a worker thread, reported through signals.

Whisper itself runs in the job's child process; this thread only waits on its queue and stores
segments, so the window's event loop never waits on either.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from workbench.storage.project import Project
from workbench.transcribe.engine import TranscriptionError
from workbench.transcribe.job import JobOutcome, transcribe_interview


class TranscriptionRun(QThread):
    """One job. ``progress`` carries audio seconds done, total and the estimated seconds left."""

    progress = Signal(float, float, float)
    stored = Signal(dict)
    finished_with = Signal(object)
    """A ``JobOutcome``."""
    failed = Signal(str)

    def __init__(
        self,
        project: Project,
        interview: str,
        audio: Path | None,
        *,
        model: str,
        language: str | None,
        resume: bool,
        options: dict[str, Any] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.project = project
        self.interview = interview
        self.audio = audio
        self.model = model
        self.language = language
        self.resume = resume
        self.options = dict(options or {})
        """Further ``transcribe_interview`` options: translate, fast, expected_speakers, ..."""
        self._cancel = threading.Event()
        self._started = 0.0

    def cancel(self) -> None:
        self._cancel.set()

    def _progress(self, done: float, total: float) -> None:
        elapsed = time.monotonic() - self._started
        left = elapsed / done * (total - done) if done > 0 else -1.0
        self.progress.emit(done, total, left)

    def _stored(self, row: dict[str, Any]) -> None:
        self.stored.emit(dict(row))

    def run(self) -> None:
        self._started = time.monotonic()
        try:
            outcome: JobOutcome = transcribe_interview(
                self.project,
                self.interview,
                self.audio,
                model=self.model,
                language=self.language,
                progress=self._progress,
                should_cancel=self._cancel.is_set,
                on_stored=self._stored,
                resume=self.resume,
                check_first=False,  # the child probes; here PyAV would hold the GIL
                **self.options,
            )
        except TranscriptionError as exc:
            self.failed.emit(str(exc))
            return
        except Exception as exc:  # a readable reason in the window, never a silent thread death
            self.failed.emit(f"{type(exc).__name__}: {exc}")
            return
        self.finished_with.emit(outcome)
