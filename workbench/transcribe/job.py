"""Transcribe an interview's recording into the project (the command line's and window's job)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from workbench.coding.study import interview_info
from workbench.coding.transcripts import store_transcription
from workbench.domain.study import ImportReport
from workbench.storage.project import Project
from workbench.transcribe.engine import TranscriptionError, TranscriptionResult, transcribe_file


def transcribe_interview(
    project: Project,
    interview: str,
    audio: Path | None = None,
    *,
    model: str = "tiny.en",
    language: str | None = None,
    channels_as_speakers: bool = False,
    fast: bool = False,
    speakers: Mapping[str, str] | None = None,
    progress: Callable[[float, float], None] | None = None,
) -> tuple[ImportReport, TranscriptionResult]:
    """Transcribe ``audio`` (default: the interview's media) and store it as its transcript."""
    info = interview_info(project, interview)
    if info.utterance_count:
        raise TranscriptionError(
            f"interview {interview!r} already has a transcript; it would replace human work"
        )
    if audio is None:
        if not info.media_path:
            raise TranscriptionError(f"interview '{interview}' has no media: name the audio file")
        audio = Path(info.media_path)
    result = transcribe_file(
        audio,
        model=model,
        language=language or info.language,
        channels_as_speakers=channels_as_speakers,
        fast=fast,
        progress=progress,
    )
    rows = [
        {
            "speaker": seg.speaker,
            "start_ms": seg.start_ms,
            "end_ms": seg.end_ms,
            "text": seg.text,
            "language": seg.language,
            "needs_review": seg.needs_review,
            "untranscribed_speech": seg.untranscribed_speech,
        }
        for seg in result.segments
    ]
    words = [
        [(w.start_ms, w.end_ms, w.text, w.probability) for w in seg.words]
        for seg in result.segments
    ]
    report = store_transcription(project, interview, rows, words, speakers=speakers, model=model)
    return report, result
