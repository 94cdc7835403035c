"""A consensus decision becomes the project's coding, is one undoable step, and leaves both
original readings in the audit trail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from workbench.analysis.compare import compare
from workbench.coding.codings import list_codings, set_coding_note
from workbench.coding.consensus import record_consensus
from workbench.coding.memos import add_memo, list_memos
from workbench.coding.undo import redo, undo
from workbench.domain.study import StudyError
from workbench.storage.models import AuditEntry
from workbench.storage.project import Project

from ..analysis.test_compare import two_readings
from .test_codings import dump


def sleep_pair(project: Project) -> tuple[str, str]:
    """Ana's 28–66 and Ben's 39–88 Sleep codings (they share "nightmares come every night")."""
    two_readings(project)
    (shared,) = compare(project, "ana", "ben", code="Sleep").readings[0].both
    return shared.a.coding, shared.b.coding


def sleep_spans(project: Project) -> list[tuple[str | None, int, int]]:
    return [(c.coder, c.start, c.end) for c in list_codings(project, code="Sleep")]


def audit_of(project: Project) -> list[dict[str, object]]:
    with project.session(write=False) as s:
        rows = s.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "coding.consensus")
            .order_by(AuditEntry.id)
        )
        return [{"coder": r.coder, "target": r.target, **json.loads(r.detail)} for r in rows]


def test_keep_a_removes_bs_coding_and_undo_brings_it_back(project: Project) -> None:
    a, b = sleep_pair(project)
    before = dump(project)
    result, change = record_consensus(
        project,
        "Sleep",
        "I1",
        reading_a=a,
        reading_b=b,
        decision="keep_a",
        rationale="Waking up shaking is the body, not sleep: we code it elsewhere.",
        coder="dana",
    )
    assert (result.kept, result.removed, result.merged) == ((a,), (b,), None)
    assert sleep_spans(project) == [("ana", 0, 27), ("cleo", 0, 161), ("ana", 28, 66)]
    assert change.tables == frozenset({"coding"})

    (entry,) = audit_of(project)
    assert entry["coder"] == "dana" and entry["target"] == "interview:I1"
    assert entry["decision"] == "keep_a" and entry["code"] == "Sleep"
    assert entry["rationale"] == "Waking up shaking is the body, not sleep: we code it elsewhere."
    assert entry["a"] == {"coding": a, "coder": "ana", "start": 28, "end": 66}
    assert entry["b"] == {"coding": b, "coder": "ben", "start": 39, "end": 88}

    undo(project, "dana")  # one step puts it all back
    assert dump(project) == before
    assert len(audit_of(project)) == 1  # the trail keeps the decision that was undone
    redo(project, "dana")
    assert sleep_spans(project) == [("ana", 0, 27), ("cleo", 0, 161), ("ana", 28, 66)]


def test_merged_replaces_both_with_one_coding_over_their_union(project: Project) -> None:
    a, b = sleep_pair(project)
    set_coding_note(project, b, memo="Ben: sleep and fear together", coder="ben")
    add_memo(project, "Ana's note on her coding", about=f"coding:{a}", coder="ana")
    before = dump(project)
    result, _ = record_consensus(
        project,
        "Sleep",
        "I1",
        reading_a=a,
        reading_b=b,
        decision="merged",
        rationale="Both readings are right: one stretch of disturbed nights.",
        coder="dana",
    )
    assert (result.removed, result.start, result.end) == ((a, b), 28, 88)
    assert sleep_spans(project) == [("ana", 0, 27), ("cleo", 0, 161), ("dana", 28, 88)]
    merged = next(c for c in list_codings(project, code="Sleep") if c.id == result.merged)
    assert merged.text == "Badly. The nightmares come every night and I wake up shaking"
    assert merged.memo == "Ben: sleep and fear together"  # no note is lost with its span
    (note,) = list_memos(project, about=f"coding:{result.merged}")
    assert note.text == "Ana's note on her coding"
    (entry,) = audit_of(project)
    assert entry["merged"] == {"coding": result.merged, "span": [28, 88]}
    assert {entry["a"]["coder"], entry["b"]["coder"]} == {"ana", "ben"}  # type: ignore[index]
    undo(project, "dana")
    assert dump(project) == before


def test_neither_removes_both_and_a_chosen_span_is_only_for_merging(project: Project) -> None:
    a, b = sleep_pair(project)
    with pytest.raises(StudyError, match="only for a merged decision"):
        record_consensus(
            project, "Sleep", "I1", reading_a=a, reading_b=b, decision="neither",
            rationale="x", span=(30, 40), coder="dana",
        )  # fmt: skip
    record_consensus(
        project, "Sleep", "I1", reading_a=a, reading_b=b, decision="neither",
        rationale="This is about the night, not about sleep as such.", coder="dana",
    )  # fmt: skip
    assert sleep_spans(project) == [("ana", 0, 27), ("cleo", 0, 161)]
    # Only one analyst coded there: the decision may keep or drop that one reading.
    (worry,) = compare(project, "ana", "ben", code="Worry").readings
    record_consensus(
        project, "Worry", "I1", reading_a=worry.only_a[0].coding, reading_b=None,
        decision="neither", rationale="Detention is not worry here.", coder="dana",
    )  # fmt: skip
    assert [c.coder for c in list_codings(project, code="Worry")] == ["ben"]


@pytest.mark.parametrize(
    ("decision", "rationale", "which", "message"),
    [
        ("keep_b", "why", "a", "keep_b needs analyst B's coding"),
        ("maybe", "why", "ab", "unknown decision 'maybe'"),
        ("keep_a", "  ", "ab", "needs a rationale"),
        ("both", "why", "", "at least one analyst's coding"),
    ],
)
def test_consensus_refuses_in_one_line(
    project: Project, decision: str, rationale: str, which: str, message: str
) -> None:
    a, b = sleep_pair(project)
    with pytest.raises(StudyError, match=message):
        record_consensus(
            project,
            "Sleep",
            "I1",
            reading_a=a if "a" in which else None,
            reading_b=b if "b" in which else None,
            decision=decision,
            rationale=rationale,
            coder="dana",
        )


def test_consensus_refuses_a_coding_of_another_code_or_a_vanished_one(project: Project) -> None:
    a, b = sleep_pair(project)
    (worry,) = compare(project, "ana", "ben", code="Worry").readings
    other = worry.only_b[0].coding
    with pytest.raises(StudyError, match="not of that code"):
        record_consensus(
            project, "Sleep", "I1", reading_a=a, reading_b=other, decision="keep_a",
            rationale="why", coder="dana",
        )  # fmt: skip
    record_consensus(
        project, "Sleep", "I1", reading_a=a, reading_b=b, decision="keep_a", rationale="why",
        coder="dana",
    )  # fmt: skip
    with pytest.raises(StudyError, match="removed since you read it"):
        record_consensus(
            project, "Sleep", "I1", reading_a=a, reading_b=b, decision="keep_b",
            rationale="why", coder="erin",
        )  # fmt: skip


def test_two_decisions_at_once_on_postgresql_one_wins_the_other_is_refused(pg_url: str) -> None:
    """Dana's decision waits on the row lock of a colleague's decision in flight, then finds
    Ben's coding gone and refuses in one line instead of deciding over a reading it never saw."""
    import threading
    import time

    from sqlalchemy import text

    from workbench.coding.study import new_study
    from workbench.storage.models import Coding

    with new_study(pg_url, title="Two at once") as project:
        a, b = sleep_pair(project)
        outcome: list[BaseException | None] = []
        colleague = project.engine.connect()
        in_flight = colleague.begin()
        colleague.execute(select(Coding.id).where(Coding.guid == b).with_for_update())

        def decide() -> None:
            try:
                record_consensus(
                    project, "Sleep", "I1", reading_a=a, reading_b=b, decision="keep_b",
                    rationale="Ben's reading", coder="dana",
                )  # fmt: skip
                outcome.append(None)
            except StudyError as exc:
                outcome.append(exc)

        worker = threading.Thread(target=decide)
        worker.start()
        waiting = (
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        with project.engine.connect() as watcher:
            deadline = time.monotonic() + 60
            # pg_stat_activity is a snapshot held for the whole transaction: end it each look.
            while watcher.execute(text(waiting)).scalar() == 0:
                watcher.rollback()
                assert time.monotonic() < deadline, "the decision never waited on the lock"
                time.sleep(0.05)
        colleague.execute(Coding.__table__.delete().where(Coding.guid == b))
        in_flight.commit()
        colleague.close()
        worker.join(60)
        (error,) = outcome
        assert isinstance(error, StudyError)
        assert "removed since you read it" in str(error)
        assert [c.coder for c in list_codings(project, code="Sleep")] == ["ana", "cleo", "ana"]


def test_a_name_in_a_rationale_is_redacted_with_the_rest(tmp_path: Path) -> None:
    """The rationale is free text in the audit trail: ``redact --all`` reaches it there."""
    from workbench.coding.redaction import redact
    from workbench.coding.study import new_study

    path = tmp_path / "s.dyad"
    with new_study(path, title="Rationale") as project:
        a, b = sleep_pair(project)
        record_consensus(
            project, "Sleep", "I1", reading_a=a, reading_b=b, decision="keep_a",
            rationale="Hiwet's nights matter more than the shaking", coder="dana",
        )  # fmt: skip
        redact(project, "[sister]", everywhere="Hiwet")
        (entry,) = audit_of(project)
        assert entry["rationale"] == "[sister]'s nights matter more than the shaking"
    assert b"Hiwet" not in path.read_bytes()


def test_keeping_both_readings_changes_nothing_and_adds_no_undo_step(project: Project) -> None:
    from workbench.coding.undo import history

    a, b = sleep_pair(project)
    before, steps = dump(project), history(project, "dana")
    result, change = record_consensus(
        project, "Sleep", "I1", reading_a=a, reading_b=b, decision="both",
        rationale="Both readings stand: the team keeps the difference visible", coder="dana",
    )  # fmt: skip
    assert (result.kept, result.removed, result.merged) == ((a, b), (), None)
    assert not change.undoable
    assert dump(project) == before and history(project, "dana") == steps
    (entry,) = audit_of(project)
    assert entry["decision"] == "both" and entry["rationale"].startswith("Both readings stand")
