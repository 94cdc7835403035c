"""Opening, creating and refusing projects, on a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from workbench.coding.study import add_participant, list_participants, new_study
from workbench.storage.backup import list_backups
from workbench.storage.project import (
    ProjectError,
    create_project,
    head_revision,
    migrate_project,
    migrations_head,
    open_project,
    upgrade_to,
)
from workbench.storage.safety import network_filesystem, storage_warnings

from ..conftest import DATA


def test_the_known_head_is_the_migrations_head() -> None:
    # A new migration must move HEAD too: a project would otherwise open at the old revision
    # and never be migrated.
    assert head_revision() == migrations_head()


def test_new_project_opens_again_with_its_data(target: str) -> None:
    with new_study(target, title="Study A") as p:
        add_participant(p, "P01", "patient")
    with open_project(target) as p:
        assert [x.id for x in list_participants(p)] == ["P01"]
        assert p.schema_revision() == head_revision()


def test_sqlite_connection_settings(tmp_path: Path) -> None:
    with new_study(tmp_path / "s.dyad") as p, p.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_sqlite_has_fts5() -> None:
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='unicode61 remove_diacritics 2')")


def test_creating_over_an_existing_file_is_refused(tmp_path: Path) -> None:
    existing = tmp_path / "s.dyad"
    existing.write_bytes(b"something precious")
    with pytest.raises(ProjectError, match="already exists"):
        create_project(existing)
    assert existing.read_bytes() == b"something precious"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "not a Dyad Workbench project"),
        (b"Doctor: hello\nPatient: hi\n", "not a Dyad Workbench project"),
    ],
)
def test_a_file_that_is_not_a_project_is_refused_untouched(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "notes.dyad"
    path.write_bytes(content)
    with pytest.raises(ProjectError, match=message) as err:
        open_project(path)
    assert "\n" not in str(err.value)
    assert path.read_bytes() == content
    assert sorted(x.name for x in tmp_path.iterdir()) == ["notes.dyad"]


def test_a_plain_sqlite_database_is_not_a_project(tmp_path: Path) -> None:
    path = tmp_path / "other.dyad"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE x (a)")
    con.commit()
    con.close()
    with pytest.raises(ProjectError, match="not a Dyad Workbench project"):
        open_project(path)


def _project_file(tmp_path: Path) -> Path:
    path = tmp_path / "s.dyad"
    with new_study(path) as p:
        for i in range(200):
            add_participant(p, f"P{i:03d}", "patient", attributes={"note": "x" * 200})
    return path


def test_a_truncated_project_is_reported_damaged_and_left_as_it_was(tmp_path: Path) -> None:
    path = _project_file(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    before = path.read_bytes()
    with pytest.raises(ProjectError, match="damaged") as err:
        open_project(path)
    assert "\n" not in str(err.value)
    assert path.read_bytes() == before


def test_a_corrupted_project_is_reported_damaged_with_the_latest_backup(tmp_path: Path) -> None:
    path = _project_file(tmp_path)
    from workbench.storage.backup import make_backup

    backup = make_backup(path, reason="test")
    data = bytearray(path.read_bytes())
    # Scribble over the pages that hold the participant table's rows.
    for offset in range(8192, len(data) - 4096, 4096):
        data[offset + 100 : offset + 400] = b"\xff" * 300
    path.write_bytes(bytes(data))
    with pytest.raises(ProjectError, match="damaged") as err:
        open_project(path)
    assert str(backup) in str(err.value)
    assert path.read_bytes() == bytes(data)


def test_a_schema_newer_than_the_workbench_is_refused(target: str) -> None:
    new_study(target).close()
    with open_project(target) as p, p.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'f00d'"))
    with pytest.raises(ProjectError, match="newer"):
        open_project(target)


def test_an_older_postgresql_schema_needs_an_explicit_migrate(pg_url: str) -> None:
    from workbench.storage.project import _server_engine

    engine = _server_engine(pg_url)
    upgrade_to(engine, "0001")
    engine.dispose()
    with pytest.raises(ProjectError, match="workbench migrate"):
        open_project(pg_url)
    before, after = migrate_project(pg_url)
    assert (before, after) == ("0001", head_revision())
    open_project(pg_url).close()


FIXTURE_V1 = DATA / "schemas" / "v0001.dyad"


def test_a_first_schema_fixture_migrates_on_open_and_the_original_is_kept(
    tmp_path: Path,
) -> None:
    original_bytes = FIXTURE_V1.read_bytes()
    path = tmp_path / "old.dyad"
    shutil.copyfile(FIXTURE_V1, path)

    with open_project(path) as p:
        assert p.schema_revision() == head_revision()
        people = list_participants(p)
        assert [x.id for x in people] == ["P01", "C01"] or sorted(x.id for x in people) == [
            "C01",
            "P01",
        ]
        from workbench.coding.transcripts import interview_text

        assert interview_text(p, "P01-baseline") == "Hello.\nمرحبا، كيف حالك؟\nI'm fine 👍🏽"
        # 0003 filled in the word counts of rows written before it existed.
        from sqlalchemy import select

        from workbench.storage.models import UtteranceRow

        with p.session(write=False) as s:
            counts = list(
                s.scalars(select(UtteranceRow.word_count).order_by(UtteranceRow.position))
            )
        assert counts == [1, 3, 3]  # "I'm fine" is three \w+ runs
        from workbench.storage.check import check_project

        assert check_project(p).sound

    backups = list_backups(path)
    assert len(backups) == 1
    assert _dump(backups[0]) == _dump(FIXTURE_V1)  # the original's content, as it was
    assert FIXTURE_V1.read_bytes() == original_bytes
    assert not path.with_name("old.dyad.migrating").exists()


def _dump(path: Path) -> list[str]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def test_a_migration_that_fails_leaves_the_original_byte_identical(tmp_path: Path) -> None:
    path = tmp_path / "old.dyad"
    shutil.copyfile(FIXTURE_V1, path)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE code (x)")  # collides with a table the next migration creates
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(ProjectError, match="could not migrate") as err:
        open_project(path)
    assert "\n" not in str(err.value)
    assert path.read_bytes() == before
    assert not path.with_name("old.dyad.migrating").exists()


def test_project_in_a_sync_folder_warns(tmp_path: Path) -> None:
    folder = tmp_path / "Dropbox" / "studies"
    folder.mkdir(parents=True)
    with new_study(folder / "s.dyad") as p:
        assert any("cloud-sync" in w and "Dropbox" in w for w in p.warnings)
    assert storage_warnings(tmp_path / "local.dyad") == []


def test_project_on_a_network_mount_warns(tmp_path: Path) -> None:
    mounts = tmp_path / "mounts"
    mounts.write_text(
        "/dev/vda / ext4 rw 0 0\nserver:/export /mnt/team nfs4 rw 0 0\n", encoding="utf-8"
    )
    assert network_filesystem(Path("/mnt/team/study.dyad"), mounts) == "nfs4"
    assert network_filesystem(Path("/home/me/study.dyad"), mounts) is None
