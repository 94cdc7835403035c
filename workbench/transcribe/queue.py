"""The transcription queue: several recordings, one transcribed at a time, surviving restarts.

Items live in the project (``transcription_queue``), so a queue outlasts the window or the
command that filled it. ``run_queue`` takes them in order: an item left ``running`` by a process
that died (no sign of life for ``STALE_S``) comes first and is resumed where its stored segments
end (``transcribe_interview(resume=True)``: nothing is transcribed or stored twice); then the
queued ones. A cancel puts the running item back in the queue, to resume next time; a recording
that cannot be transcribed is marked ``failed`` with the reason and the queue goes on.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from workbench.coding.study import get_interview
from workbench.domain.study import StudyError
from workbench.storage.models import Interview, TranscriptionQueueItem, UtteranceRow
from workbench.storage.project import Project
from workbench.transcribe.engine import TranscriptionError, check_language

STALE_S = 120.0
"""A ``running`` item not heard of for this long was left by a process that died."""
HEARTBEAT_S = 10.0
OPTIONS = (
    "model",
    "language",
    "channels_as_speakers",
    "fast",
    "translate",
    "device",
    "speaker_languages",
    "expected_speakers",
    "language_check",
    "speakers",
)
"""The settings of ``transcribe_interview`` an item keeps (the audio is the interview's own)."""


@dataclass(frozen=True, slots=True)
class QueueItem:
    id: int
    interview: str
    position: int
    status: str
    """``queued``, ``running``, ``done`` or ``failed``."""
    model: str
    detail: str | None
    options: dict[str, Any]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _item(row: TranscriptionQueueItem, interview: str) -> QueueItem:
    options = json.loads(row.options)
    model = options.get("model", "tiny.en")
    return QueueItem(row.id, interview, row.position, row.status, model, row.detail, options)


def enqueue(project: Project, interview: str, *, resume: bool = False, **options: Any) -> QueueItem:
    """Put an interview's recording in the queue with the job's settings; refused in one line
    when it has no recording, a transcript already (unless ``resume``: the rest of a job that
    was stopped, taken up where its stored segments end), or a place in the queue."""
    unknown = set(options) - set(OPTIONS)
    if unknown:
        raise StudyError(f"not a transcription setting: {', '.join(sorted(unknown))}")
    options.setdefault("model", "tiny.en")
    for value in [options.get("language"), *(options.get("speaker_languages") or {}).values()]:
        check_language(value, options["model"])
    with project.session() as s:
        iv = get_interview(s, interview)
        if not iv.media_path:
            raise StudyError(f"interview '{interview}' has no recording linked to transcribe")
        if not resume and s.scalar(select(func.count()).where(UtteranceRow.interview_id == iv.id)):
            raise StudyError(
                f"interview '{interview}' already has a transcript; it would replace human work"
            )
        waiting = s.scalar(
            select(TranscriptionQueueItem.id).where(
                TranscriptionQueueItem.interview_id == iv.id,
                TranscriptionQueueItem.status.in_(("queued", "running")),
            )
        )
        if waiting is not None:
            raise StudyError(f"interview '{interview}' is in the queue already (item {waiting})")
        last = s.scalar(select(func.max(TranscriptionQueueItem.position))) or 0
        row = TranscriptionQueueItem(
            interview_id=iv.id,
            position=last + 1,
            options=json.dumps(options, sort_keys=True),
            status="queued",
            coder_id=project.coder(s).id,
        )
        s.add(row)
        s.flush()
        project.audit(s, "queue.add", f"interview:{interview}", item=row.id)
        return _item(row, interview)


def list_queue(project: Project) -> list[QueueItem]:
    with project.session(write=False) as s:
        return [
            _item(row, key)
            for row, key in s.execute(
                select(TranscriptionQueueItem, Interview.key)
                .join(Interview, Interview.id == TranscriptionQueueItem.interview_id)
                .order_by(TranscriptionQueueItem.position)
            )
        ]


def remove_from_queue(project: Project, item_id: int) -> None:
    """Take an item out of the queue (what it transcribed already stays in the interview)."""
    with project.session() as s:
        row = s.get(TranscriptionQueueItem, item_id, with_for_update=True)
        if row is None:
            raise StudyError(f"no queue item {item_id}")
        if row.status == "running" and not _stale(row):
            raise StudyError(f"queue item {item_id} is being transcribed now: cancel it first")
        s.delete(row)
        project.audit(s, "queue.remove", None, item=item_id)


def _stale(row: TranscriptionQueueItem) -> bool:
    updated = row.updated_at if row.updated_at.tzinfo else row.updated_at.replace(tzinfo=dt.UTC)
    return (_now() - updated).total_seconds() > STALE_S


def _claim(project: Project) -> tuple[int, str, dict[str, Any], bool] | None:
    """The next item, marked running by this process: (id, interview, options, resume)."""
    with project.session() as s:
        for row, key in s.execute(
            select(TranscriptionQueueItem, Interview.key)
            .join(Interview, Interview.id == TranscriptionQueueItem.interview_id)
            .where(TranscriptionQueueItem.status.in_(("queued", "running")))
            .order_by((TranscriptionQueueItem.status != "running"), TranscriptionQueueItem.position)
            .with_for_update()
        ):
            if row.status == "running" and not _stale(row):
                continue  # another process is transcribing it
            resume = bool(
                s.scalar(select(func.count()).where(UtteranceRow.interview_id == row.interview_id))
            )
            row.status, row.updated_at, row.detail = "running", _now(), None
            return row.id, key, json.loads(row.options), resume
    return None


def _finish(project: Project, item_id: int, status: str, detail: str) -> None:
    with project.session() as s:
        row = s.get(TranscriptionQueueItem, item_id, with_for_update=True)
        if row is not None:
            row.status, row.detail, row.updated_at = status, detail[:2000], _now()
            project.audit(s, f"queue.{status}", None, item=item_id)


def _heartbeat(project: Project, item_id: int) -> None:
    with project.session() as s:
        row = s.get(TranscriptionQueueItem, item_id)
        if row is not None:
            row.updated_at = _now()


def run_queue(
    project: Project,
    *,
    progress: Callable[[QueueItem, float, float], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
    on_item: Callable[[QueueItem], None] | None = None,
) -> list[QueueItem]:
    """Transcribe the queued recordings one at a time until the queue is empty or a cancel.
    Returns the items this run finished (done or failed), in order."""
    from workbench.transcribe.job import transcribe_interview

    finished: list[QueueItem] = []
    while not (should_cancel is not None and should_cancel()):
        claimed = _claim(project)
        if claimed is None:
            break
        item_id, interview, options, resume = claimed
        model = options.get("model", "tiny.en")
        current = QueueItem(item_id, interview, 0, "running", model, None, options)
        beat = [time.monotonic()]

        def step(
            done: float, total: float, item: QueueItem = current, beat: list[float] = beat
        ) -> None:
            if progress is not None:
                progress(item, done, total)
            if time.monotonic() - beat[0] > HEARTBEAT_S:
                beat[0] = time.monotonic()
                _heartbeat(project, item.id)

        try:
            outcome = transcribe_interview(
                project,
                interview,
                progress=step,
                should_cancel=should_cancel,
                resume=resume,
                **options,
            )
        except (TranscriptionError, StudyError) as exc:
            _finish(project, item_id, "failed", str(exc))
        else:
            if outcome.cancelled:
                _finish(
                    project,
                    item_id,
                    "queued",
                    f"stopped after {outcome.stored} utterances; resumes where they end",
                )
                break
            line = (
                f"{outcome.stored} utterances with {options.get('model', 'tiny.en')} "
                f"(language {outcome.language}); {outcome.flagged} flagged for review"
            )
            _finish(project, item_id, "done", "; ".join([line, *outcome.warnings]))
        done = next(i for i in list_queue(project) if i.id == item_id)
        finished.append(done)
        if on_item is not None:
            on_item(done)
    return finished
