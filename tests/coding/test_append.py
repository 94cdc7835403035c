"""Machine rows take their place by start time; a job appending at the end moves nothing else,
and rows already there (a resumed job's, a human's corrections) keep their words and order."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event

from workbench.coding.study import add_interview_with_people, new_study
from workbench.coding.transcripts import append_transcription, utterances
from workbench.coding.utterances import edit_utterance
from workbench.storage.check import check_project
from workbench.storage.models import UtteranceRow


def _row(start_s: int, text: str) -> dict[str, object]:
    return {
        "speaker": None,
        "start_ms": start_s * 1000,
        "end_ms": start_s * 1000 + 900,
        "text": text,
        "language": "en",
        "needs_review": False,
        "untranscribed_speech": False,
    }


def _append(project: object, *rows: dict[str, object]) -> None:
    append_transcription(project, "I1", list(rows), [[] for _ in rows], model="tiny.en")  # type: ignore[arg-type]


def test_rows_take_their_place_by_time_and_nothing_else_moves(tmp_path: Path) -> None:
    project = new_study(tmp_path / "s.dyad")
    add_interview_with_people(project, "I1", wave="baseline", people=[("P01", "patient")])
    _append(project, _row(0, "one"), _row(10, "three"))
    edit_utterance(project, "I1", 1, text="three, corrected")
    _append(project, _row(20, "four"))
    _append(project, _row(5, "two"))  # a retry of a gap, stored after later segments
    assert [u.text for u in utterances(project, "I1")] == [
        "one",
        "two",
        "three, corrected",
        "four",
    ]
    assert check_project(project).sound  # positions 0..n-1, no gaps or repeats

    # Appending at the end reads none of the rows already there (it was every row, each time:
    # quadratic over a 4-hour job).
    for i in range(4, 40):
        _append(project, _row(10 * i, f"row {i}"))
    loaded: list[int] = []

    def count(row: UtteranceRow, _context: object) -> None:
        loaded.append(row.id)

    event.listen(UtteranceRow, "load", count)
    _append(project, _row(1000, "last"))
    event.remove(UtteranceRow, "load", count)
    assert loaded == [], f"{len(loaded)} rows read to append one"
    assert utterances(project, "I1")[-1].text == "last"
    assert check_project(project).sound
    project.close()
