"""A transcription job: Whisper runs in a child process, segments stream into the project.

Cancel stops the child within two seconds and keeps every segment stored so far; a resumed job
stores what comes after the last stored segment, cut into the windows an uninterrupted run
would have had, so it ends as that run would have — nothing stored twice, nothing missed. A job
never changes utterances already in the interview (a human's corrections are safe).
"""

from __future__ import annotations

import multiprocessing
import queue as queues
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.coding.study import interview_info
from workbench.coding.transcripts import append_transcription, utterances
from workbench.storage.project import Project
from workbench.transcribe.audio import TranscriptionError, probe
from workbench.transcribe.model_files import check_language
from workbench.transcribe.worker import Warm, work

CANCEL_GRACE_S = 1.5
BATCH = 64
"""At most this many segments are stored in one session."""
STORE_EVERY_S = 1.0
"""Segments are stored together once the oldest has waited this long (or at the end, a cancel,
an error): one commit per second rather than one per segment, whose cost on this machine
(~12 ms of the parent's time each) competes with Whisper for the cores. A crash loses at most
this much of the job's work, which a resume transcribes again."""


@dataclass
class JobOutcome:
    interview: str
    stored: int
    flagged: int
    cancelled: bool
    language: str | None
    resumed_from_s: float
    warnings: list[str] = field(default_factory=list)


def _rows(segment: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[int, int, str, float]]]:
    row = {k: segment[k] for k in ("speaker", "start_ms", "end_ms", "text", "language")}
    row["needs_review"] = segment["needs_review"]
    row["untranscribed_speech"] = segment["untranscribed_speech"]
    row["translation"] = segment.get("translation")
    words = [(w["start_ms"], w["end_ms"], w["text"], w["probability"]) for w in segment["words"]]
    return row, words


def transcribe_interview(
    project: Project,
    interview: str,
    audio: Path | None = None,
    *,
    model: str = "tiny.en",
    language: str | None = None,
    channels_as_speakers: bool = False,
    fast: bool = False,
    translate: bool = False,
    device: str = "auto",
    speaker_languages: Mapping[str, str] | None = None,
    expected_speakers: int | None = None,
    language_check: bool = True,
    speakers: Mapping[str, str] | None = None,
    progress: Callable[[float, float], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
    on_stored: Callable[[dict[str, Any]], None] | None = None,
    resume: bool = False,
    check_first: bool = True,
    window_s: float | None = None,
    warm: Warm | None = None,
) -> JobOutcome:
    """Transcribe ``audio`` (default: the interview's media) into the interview.

    The audio is checked (and the model's languages) before anything is stored: a file that
    cannot be transcribed leaves the interview as it was. ``check_first`` probes the audio here,
    before the child starts, for an immediate answer; a window passes False, because PyAV holds
    the interpreter lock while it probes (which would freeze the window for ~100 ms) and the
    child probes it first anyway, before it sends any segment."""
    info = interview_info(project, interview)
    after = _resume_point(project, interview, resume)
    start_s = after[1] / 1000 if after else 0.0
    if audio is None:
        if not info.media_path:
            raise TranscriptionError(f"interview '{interview}' has no media: name the audio file")
        audio = Path(info.media_path)
    options: dict[str, Any] = {
        "model": model,
        "language": language or info.language,
        "channels_as_speakers": channels_as_speakers,
        "fast": fast,
        "translate": translate,
        "device": device,
        "speaker_languages": dict(speaker_languages or {}),
        "speakers": expected_speakers,
        "language_check": language_check,
        "after": list(after) if after else None,
        # (Shorter windows: tests that need several windows from a short clip.)
        **({"window_s": window_s, "min_window_s": window_s * 0.6} if window_s else {}),
    }
    # Refuse bad audio and impossible languages here, with the reason, before any child runs.
    for value in [options["language"], *options["speaker_languages"].values()]:
        check_language(value, model)
    if check_first:
        probe(audio)
    if warm is not None and warm.fits(model, device):
        child, out = warm.process, warm.out  # started first, its model loaded meanwhile
        warm.send(str(audio), options)
    else:
        context = multiprocessing.get_context("spawn")
        out = context.Queue()
        child = context.Process(target=work, args=(str(audio), options, out), daemon=True)
        child.start()
    outcome = JobOutcome(interview, 0, 0, False, None, start_s)
    try:
        seen_labels = _store_segments(
            project,
            interview,
            child,
            out,
            outcome,
            speakers=speakers,
            model=model,
            progress=progress,
            should_cancel=should_cancel,
            on_stored=on_stored,
        )
    finally:
        _stop(child)
    heard = {u.speaker for u in utterances(project, interview)} | seen_labels
    for label in speakers or {}:
        if label not in heard and not outcome.cancelled:
            outcome.warnings.append(f"speaker label {label!r} never occurred")
    return outcome


def _resume_point(project: Project, interview: str, resume: bool) -> tuple[int, int] | None:
    """Where the job resumes: after the last stored segment (its start and end in ms), or
    None to start at the beginning. An interview that has a transcript takes a job only to
    resume it."""
    existing = utterances(project, interview)
    if existing and not resume:
        raise TranscriptionError(
            f"interview {interview!r} already has a transcript; it would replace human work "
            "(use --resume to continue a job that was stopped)"
        )
    timed = [(u.start_ms or 0, u.end_ms) for u in existing if u.end_ms is not None]
    return max(timed) if timed else None  # a note typed by hand, untimed, is no job's segment


def _store_segments(
    project: Project,
    interview: str,
    child: Any,
    out: Any,
    outcome: JobOutcome,
    *,
    speakers: Mapping[str, str] | None,
    model: str,
    progress: Callable[[float, float], None] | None,
    should_cancel: Callable[[], bool] | None,
    on_stored: Callable[[dict[str, Any]], None] | None,
) -> set[str]:
    """Store the segments the child sends, in batches (``STORE_EVERY_S``), until the child is
    done or the job is cancelled (what arrived before the cancel is stored too); counts go into
    ``outcome``. Returns the speaker labels heard. Raises when the child reports an error or
    stops without a word."""
    seen_labels: set[str] = set()

    def store(batch: list[dict[str, Any]]) -> None:
        rows_and_words = [_rows(segment) for segment in batch]
        rows = [row for row, _ in rows_and_words]
        append_transcription(
            project,
            interview,
            rows,
            [words for _, words in rows_and_words],
            speakers=speakers,
            model=model,
        )
        for row in rows:
            if row["speaker"]:
                seen_labels.add(row["speaker"])
            outcome.stored += 1
            outcome.flagged += int(row["needs_review"] or row["untranscribed_speech"])
            if on_stored is not None:
                on_stored(row)

    pending: list[dict[str, Any]] = []
    since = 0.0  # when the oldest pending segment arrived

    def flush() -> None:
        if pending:
            store(pending[:])
            pending.clear()

    while True:
        if should_cancel is not None and should_cancel():
            flush()  # what arrived before the cancel is kept
            outcome.cancelled = True
            break
        try:
            arrived = [out.get(timeout=0.2)]
        except queues.Empty:
            if pending and time.monotonic() - since >= STORE_EVERY_S:
                flush()
            if not child.is_alive() and out.empty():
                flush()
                raise TranscriptionError("the transcription process stopped unexpectedly") from None
            continue
        while len(arrived) < BATCH:
            try:
                arrived.append(out.get_nowait())
            except queues.Empty:
                break
        for message in arrived:
            kind = message[0]
            if kind == "segment":
                if not pending:
                    since = time.monotonic()
                pending.append(message[1])
                if len(pending) >= BATCH:
                    flush()
                continue
            if kind == "progress" and progress is not None:
                progress(message[1], message[2])
            elif kind == "done":
                flush()
                outcome.language = message[1]["language"]
                outcome.warnings = list(message[1]["warnings"])
                return seen_labels
            elif kind == "error":
                flush()
                raise TranscriptionError(message[1])
        if pending and time.monotonic() - since >= STORE_EVERY_S:
            flush()
    return seen_labels


def _stop(child: Any) -> None:
    """End the child: politely, then for certain, well within two seconds."""
    if child.is_alive():
        child.terminate()
        child.join(CANCEL_GRACE_S)
    if child.is_alive():
        child.kill()
        child.join(1.0)
    deadline = time.monotonic() + 0.5
    while child.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
