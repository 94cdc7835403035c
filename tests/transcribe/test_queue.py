"""The transcription queue: several recordings, one at a time, surviving a cancel and a crash;
real audio through the real model."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import update

from workbench.cli import main
from workbench.coding.study import add_interview, add_participant, new_study
from workbench.coding.transcripts import utterances
from workbench.domain.study import StudyError
from workbench.storage.models import TranscriptionQueueItem
from workbench.transcribe.job import transcribe_interview
from workbench.transcribe.queue import enqueue, list_queue, remove_from_queue, run_queue

from ..conftest import DATA

AUDIO = DATA / "audio"


def _study(path: Path):  # type: ignore[no-untyped-def]
    project = new_study(path)
    add_participant(project, "P1", "patient")
    for key, clip in (("I1", "jfk.flac"), ("I2", "fw_multilingual_en_de.mp3"), ("I3", None)):
        add_interview(
            project,
            key,
            wave="baseline",
            participants=[("P1", None)],
            media=AUDIO / clip if clip else None,
        )
    return project


def test_items_run_one_at_a_time_and_a_cancel_resumes_next_time(tmp_path: Path) -> None:
    with _study(tmp_path / "q.dyad") as project:
        first = enqueue(project, "I1", language_check=False)
        second = enqueue(project, "I2", language_check=False)
        assert [(i.interview, i.status, i.position) for i in list_queue(project)] == [
            ("I1", "queued", 1),
            ("I2", "queued", 2),
        ]
        with pytest.raises(StudyError, match="in the queue already"):
            enqueue(project, "I1")
        with pytest.raises(StudyError, match="no recording linked"):
            enqueue(project, "I3")

        done: list[str] = []
        finished = run_queue(project, on_item=lambda i: done.append(i.interview),
                             should_cancel=lambda: bool(done))  # fmt: skip
        assert [i.interview for i in finished] == ["I1"] and finished[0].status == "done"
        assert (
            "ask not what your country"
            in " ".join(u.text for u in utterances(project, "I1")).lower()
        )
        assert {i.id: i.status for i in list_queue(project)} == {
            first.id: "done",
            second.id: "queued",
        }

        finished = run_queue(project)
        assert [(i.interview, i.status) for i in finished] == [("I2", "done")]
        assert utterances(project, "I2")


def test_an_item_left_running_by_a_crash_resumes_where_its_segments_end(tmp_path: Path) -> None:
    with _study(tmp_path / "q.dyad") as project:
        item = enqueue(project, "I2", language_check=False)
        # The process that ran it died after storing some segments: simulate with a cancelled
        # job, and the item still marked running, last heard of long ago.
        stored: list[int] = []
        transcribe_interview(
            project,
            "I2",
            language_check=False,
            should_cancel=lambda: len(stored) >= 2,
            on_stored=lambda row: stored.append(row["end_ms"]),
        )
        partial = utterances(project, "I2")
        with project.session() as s:
            s.execute(
                update(TranscriptionQueueItem)
                .where(TranscriptionQueueItem.id == item.id)
                .values(status="running", updated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
            )
        (finished,) = run_queue(project)
        assert finished.status == "done", finished.detail
        whole = utterances(project, "I2")
        assert [u.text for u in whole[: len(partial)]] == [u.text for u in partial]
        starts = [u.start_ms for u in whole]
        assert starts == sorted(starts) and len(set(starts)) == len(starts)  # nothing twice
        assert len(whole) > len(partial)


def test_the_queue_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "q.dyad"
    _study(path).close()
    assert main(["transcribe", str(path), "I1", "--queue", "--no-language-check"]) == 0
    assert "queued I1 as item 1 (position 1)" in capsys.readouterr().out
    assert main(["queue", "list", str(path), "--json"]) == 0
    (item,) = json.loads(capsys.readouterr().out)
    assert (item["interview"], item["status"], item["model"]) == ("I1", "queued", "tiny.en")
    assert main(["transcribe", str(path), "I3", "--queue"]) != 0
    assert (
        capsys.readouterr().err.strip()
        == "error: interview 'I3' has no recording linked to transcribe"
    )
    assert main(["queue", "run", str(path)]) == 0
    out = capsys.readouterr().out
    assert "I1: done:" in out and "1 finished, 0 waiting" in out
    with open_project_for(path) as project:
        remove_from_queue(project, 1)
        assert list_queue(project) == []


def open_project_for(path: Path):  # type: ignore[no-untyped-def]
    from workbench.storage.project import open_project

    return open_project(path)
