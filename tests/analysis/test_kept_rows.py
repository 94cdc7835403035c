"""The longitudinal rows are reused only for an interview's current version (migration 0005).

Every kind of change is made through the real core, on both backends; after each, a read through
the same handle (rows remembered in memory) and through a new handle (rows kept in the project)
must equal the tables computed afresh from the texts, and must differ from the tables before the
change (so the step could catch a stale row).
"""

from __future__ import annotations

import itertools
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, text, update

from workbench.analysis import longitudinal
from workbench.analysis.longitudinal import BY, Cell, cells, collect
from workbench.coding.codings import apply_code, remove_coding
from workbench.coding.redaction import redact
from workbench.coding.study import delete_interview, set_interview_status
from workbench.coding.themes import move_codes
from workbench.coding.transcripts import append_transcription, interview_text
from workbench.coding.undo import redo, undo
from workbench.coding.utterances import edit_utterance
from workbench.coding.withdraw import withdraw_participant
from workbench.storage.models import (
    Interview,
    InterviewParticipantRow,
    UtteranceRow,
    analysis_rows,
    interview_version,
)
from workbench.storage.project import Project, head_revision, open_project, upgrade_to

from ..conftest import DATA
from .test_longitudinal import build

Tables = dict[str, list[Cell]]


def tables(project: Project) -> Tables:
    data = collect(project)
    return {by: cells(data, by, include_unconsented=True) for by in BY}


def afresh(target: str) -> Tables:
    """The tables computed from the texts: nothing remembered, nothing kept."""
    with open_project(target) as q:
        with q.engine.begin() as conn:
            conn.execute(delete(analysis_rows))
        return tables(q)


def kept(project: Project) -> dict[int, int]:
    """interview id -> the version its kept rows are for."""
    with project.engine.connect() as conn:
        rows = conn.execute(select(analysis_rows.c.interview_id, analysis_rows.c.version))
        return {iid: version for iid, version in rows}


def versions(project: Project) -> dict[int, int]:
    with project.engine.connect() as conn:
        rows = conn.execute(select(interview_version.c.interview_id, interview_version.c.version))
        return {iid: version for iid, version in rows}


def interview_id(project: Project, key: str) -> int:
    with project.session(write=False) as s:
        found = s.scalar(select(Interview.id).where(Interview.key == key))
    assert found is not None
    return found


@pytest.fixture
def study(target: str) -> Any:
    p = build(target)
    yield p
    p.close()


def test_every_kind_of_change_is_seen_by_the_next_read(
    study: Project, target: str, tmp_path: Path
) -> None:
    key = tmp_path / "study.dyadkey"
    full = interview_text(study, "C1-W3")
    at = full.index("He has more hope")
    row = {
        "speaker": "C1",
        "start_ms": 90_000,
        "end_ms": 92_000,
        "text": "He can sleep",
        "language": "en",
        "needs_review": False,
        "untranscribed_speech": False,
    }
    words = [[(90_000, 90_500, " He", 0.9), (90_500, 91_000, " can", 0.9)]]
    words[0].append((91_000, 92_000, " sleep", 0.9))
    added: list[str] = []

    def add_coding() -> None:
        info, _ = apply_code(study, "C1-W3", at, at + len("He has more hope"), "fear")
        added.append(info.id)

    def append_and_code() -> None:
        append_transcription(study, "C1-W3", [row], words, model="tiny.en")
        whole = interview_text(study, "C1-W3")
        apply_code(study, "C1-W3", whole.index("He can sleep"), len(whole), "hope")

    changes = [
        ("edit an utterance", lambda: edit_utterance(study, "C1-W1", 1, text="He sleeps_badly")),
        ("apply a coding", add_coding),
        ("undo", lambda: undo(study)),
        ("redo", lambda: redo(study)),
        ("remove a coding", lambda: remove_coding(study, added[0])),
        ("move a code between themes", lambda: move_codes(study, ["hope"], into="Sleep")),
        (
            "take a code out of a theme",
            lambda: move_codes(study, ["fear"], into=None, out_of="Fear"),
        ),
        ("re-attribute a speaker", lambda: edit_utterance(study, "C1-W1", 2, speaker="R1")),
        ("credit a rendering", lambda: edit_utterance(study, "P1-W1", 3, renders="P1")),
        (
            "redact",
            lambda: redact(study, "[a place far away]", everywhere="Nightmares", key_path=key),
        ),
        ("append a transcription", append_and_code),
        ("mark an interview coded", lambda: set_interview_status(study, "P1-W2", "coded")),
        ("withdraw a participant", lambda: withdraw_participant(study, "P2")),
        ("delete an interview", lambda: delete_interview(study, "C1-W1-D2")),
        ("undo the deletion", lambda: undo(study)),
    ]
    before = afresh(target)
    for what, change in changes:
        with open_project(target) as q:
            assert tables(q) == before, what  # every interview's rows kept again
        assert tables(study) == before, what  # and remembered by this handle
        change()
        with open_project(target) as q:
            from_kept = tables(q)
        from_memory = tables(study)
        expected = afresh(target)
        assert expected != before, f"{what} changed nothing the tables show"
        assert from_kept == expected, what
        assert from_memory == expected, what
        before = expected


def test_writes_outside_the_core_move_the_version_on(project: Project) -> None:
    """Triggers, not the write paths, keep the versions: a bare SQL statement counts too, and
    only a change of what the rows are computed from does."""
    from ..helpers import interview_with

    interview_with(project, "I1", [("R01", "How do you sleep?"), ("P01", "Badly, I sleep badly")])
    iid = interview_id(project, "I1")
    seen = [versions(project)[iid]]

    def step(statement: Any) -> None:
        with project.engine.begin() as conn:
            conn.execute(statement)
        seen.append(versions(project)[iid])

    step(update(UtteranceRow).where(UtteranceRow.position == 1).values(text="Well"))
    step(update(UtteranceRow).where(UtteranceRow.position == 1).values(word_count=7))
    step(update(UtteranceRow).where(UtteranceRow.position == 0).values(speaker_id=None))
    step(
        update(InterviewParticipantRow)
        .where(
            InterviewParticipantRow.interview_id == iid,
            InterviewParticipantRow.role == "interviewer",
        )
        .values(role="interviewee")
    )
    assert all(b > a for a, b in itertools.pairwise(seen)), seen
    # The utterance's review flag and times are not read by the tables: no new version.
    step(update(UtteranceRow).values(needs_review=True, start_ms=5))
    assert seen[-1] == seen[-2]


def test_a_new_handle_reads_the_kept_rows_and_a_change_drops_them(study: Project) -> None:
    tables(study)
    c1 = interview_id(study, "C1-W1")
    assert kept(study) == {
        iid: v for iid, v in versions(study).items() if iid in kept(study)
    } and c1 in kept(study)
    # Kept rows are what a new handle reads: change them behind its back and it shows them.
    with study.engine.begin() as conn:
        blob = conn.execute(select(analysis_rows.c.rows).where(analysis_rows.c.interview_id == c1))
        unpacked = longitudinal._unpack(bytes(blob.scalar_one()))
        assert unpacked is not None
        keys, (segments, words, speech) = unpacked
        words = words.copy()
        words[:, 2] += 100
        conn.execute(
            update(analysis_rows)
            .where(analysis_rows.c.interview_id == c1)
            .values(rows=longitudinal._pack(keys, (segments, words, speech)))
        )
    with open_project(study.location if study.path else _url(study)) as q:
        shown = {(c.theme, c.unit, c.wave): c.words for c in cells(collect(q), "participant")}
    assert shown[("Sleep", "C1", "W1")] == pytest.approx((2 + 100) / 9)
    # A change to the interview deletes its kept rows in the same transaction.
    edit_utterance(study, "C1-W1", 1, text="He sleeps well")
    assert c1 not in kept(study)
    with open_project(study.location if study.path else _url(study)) as q:
        shown = tables(q)
    assert shown == afresh(study.location if study.path else _url(study))
    words_now = {(c.theme, c.unit, c.wave): c.words for c in shown["participant"]}
    assert words_now[("Sleep", "C1", "W1")] == pytest.approx(2 / 9)  # "sleeps well"


def _url(project: Project) -> str:
    return project.engine.url.render_as_string(hide_password=False)


def test_a_busy_project_is_read_all_the_same(tmp_path: Path) -> None:
    """Keeping rows is best effort and never waits long: while another process holds the write
    lock, the tables are read (and computed) all the same, and nothing is kept."""
    path = tmp_path / "study.dyad"
    build(str(path)).close()
    with open_project(path) as p:
        expected = tables(p)
    started = time.perf_counter()
    assert afresh(str(path)) == expected  # the same read, not blocked: computed, and kept
    unblocked = time.perf_counter() - started
    with open_project(path) as p, p.engine.begin() as conn:
        conn.execute(delete(analysis_rows))
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with open_project(path) as p:
            started = time.perf_counter()
            assert tables(p) == expected
            # Measured against the unblocked read, on this machine as busy as it is now: waiting
            # out the busy timeout (10 s) would take far longer.
            assert time.perf_counter() - started < unblocked + 5
            assert kept(p) == {}
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    with open_project(path) as p:
        assert tables(p) == expected
        assert len(kept(p)) == 6  # one per coded interview


def test_a_project_at_0004_upgrades_and_its_interviews_get_versions(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """An existing project (schema 0004, made with the core) opens after 0005 with a version
    for every interview, working triggers, and the same tables as before."""
    from workbench.storage.project import (
        _server_engine,
        _sqlite_engine,
        default_coder,
        migrate_project,
    )

    if backend == "sqlite":
        target = str(tmp_path / "old.dyad")
        engine = _sqlite_engine(Path(target))
    else:
        target = str(request.getfixturevalue("pg_url"))
        engine = _server_engine(target)
    upgrade_to(engine, "0004")
    old = Project(engine, target, Path(target) if backend == "sqlite" else None, default_coder())
    # Today's core reads and writes columns later migrations add: lent while building, then
    # dropped, so the database is at 0004 as an old version left it.
    from workbench.storage.models import RenderingSpan, UtteranceLink

    lent = ["ALTER TABLE participant ADD COLUMN study_role VARCHAR(20) DEFAULT 'participant'"]
    lent_tables = [RenderingSpan.__table__, UtteranceLink.__table__]
    with engine.begin() as conn:
        for statement in lent:
            conn.execute(text(statement))
        for table in lent_tables:
            table.create(conn)
    _build_at_0004(old)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE participant DROP COLUMN study_role"))
        for table in lent_tables:
            table.drop(conn)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0004"
    engine.dispose()
    if backend == "postgres":
        migrate_project(target)
    with open_project(target) as p:
        assert p.schema_revision() == head_revision()
        with p.session(write=False) as s:
            every = set(s.scalars(select(Interview.id)))
        assert set(versions(p)) == every
        seg = {(c.theme, c.unit): c.segments for c in cells(collect(p), "participant")}
        assert seg[("Sleep", "P1")] == 1
        before = versions(p)[interview_id(p, "P1-W1")]
        edit_utterance(p, "P1-W1", 1, text="I sleep badly and sleep is short")
        assert versions(p)[interview_id(p, "P1-W1")] > before
        seg = {(c.theme, c.unit): c.segments for c in cells(collect(p), "participant")}
        assert seg[("Sleep", "P1")] == 1


def _build_at_0004(p: Project) -> None:
    """A small coded study written by the core into a database still at schema 0004."""
    from workbench.coding.codebook import add_code
    from workbench.coding.study import add_interview, add_participant
    from workbench.coding.themes import add_theme
    from workbench.coding.transcripts import import_utterances
    from workbench.storage.models import ProjectRow, Wave

    from ..helpers import transcript

    with p.session() as s:
        s.add(ProjectRow(id=1, title="Old study"))
        s.add(Wave(name="W1", position=0))
    add_participant(p, "P1", "patient")
    add_participant(p, "R1", "researcher")
    add_code(p, "sleep")
    add_theme(p, "Sleep", codes=["sleep"])
    add_interview(p, "P1-W1", wave="W1", participants=[["P1", None], ["R1", None]])
    lines = [("R1", "How do you sleep?"), ("P1", "I sleep badly")]
    import_utterances(p, "P1-W1", transcript(lines), speakers={"R1": "R1", "P1": "P1"})
    full = interview_text(p, "P1-W1")
    apply_code(p, "P1-W1", full.index("I sleep"), len(full), "sleep")
    set_interview_status(p, "P1-W1", "coded")


def test_the_v0001_fixture_upgrades_with_versions(tmp_path: Path) -> None:
    path = tmp_path / "old.dyad"
    shutil.copyfile(DATA / "schemas" / "v0001.dyad", path)
    with open_project(path) as p:
        with p.session(write=False) as s:
            every = set(s.scalars(select(Interview.id)))
        assert every and set(versions(p)) == every


def test_the_check_reports_a_missing_version_trigger(study: Project) -> None:
    from workbench.storage.check import check_project

    assert check_project(study).sound
    with study.engine.begin() as conn:
        if study.is_sqlite:
            conn.execute(text("DROP TRIGGER coding_version_update"))
        else:
            conn.execute(text("DROP TRIGGER coding_version_update ON coding"))
    report = check_project(study)
    assert not report.sound
    assert report.problems == (
        "trigger coding_version_update is missing: interview versions are not kept",
    )
