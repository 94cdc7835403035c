"""The schema's invariants live in the database: a second sibling code of one name, a second theme
or wave of one name, is refused by the database itself (not only by the workbench's own checks),
``workbench check`` names a missing rule, and migration 0011 renames old clashes instead of
failing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from workbench.coding.codebook import add_code, rename_code
from workbench.coding.study import new_study
from workbench.domain.study import StudyError
from workbench.storage.check import check_project
from workbench.storage.project import (
    Project,
    _server_engine,
    _sqlite_engine,
    open_project,
    sqlite_path_of,
    upgrade_to,
)

CODE = "INSERT INTO code (name, parent_id, position, guid, created_at) VALUES (:n, :p, 0, :g, :t)"
STAMP = "2026-01-01 00:00:00"


@pytest.fixture
def study(target: str) -> Iterator[Project]:
    p = new_study(target)
    yield p
    p.close()


def _insert_code(p: Project, name: str, parent: int | None, guid: str) -> None:
    with p.session() as s:
        s.execute(text(CODE), {"n": name, "p": parent, "g": guid, "t": STAMP})


def test_a_second_sibling_code_of_one_name_is_refused_by_the_database(study: Project) -> None:
    _insert_code(study, "Hope", None, "g1")
    with pytest.raises(IntegrityError, match="uq_code_sibling_name"):
        _insert_code(study, "Hope", None, "g2")  # top level: NULL parents clash too
    with study.session() as s:
        parent = s.execute(text("SELECT id FROM code WHERE name = 'Hope'")).scalar_one()
    _insert_code(study, "Family", parent, "g3")
    _insert_code(study, "Family", None, "g4")  # same name, other parent: allowed
    with pytest.raises(IntegrityError, match="uq_code_sibling_name"):
        _insert_code(study, "Family", parent, "g5")
    assert check_project(study).sound


def test_theme_and_wave_names_are_unique_in_the_database(study: Project) -> None:
    with study.session() as s:
        s.execute(
            text(
                "INSERT INTO theme (name, status, position, guid, created_at) "
                "VALUES ('Safety', 'candidate', 0, 'g1', :t)"
            ),
            {"t": STAMP},
        )
    with pytest.raises(IntegrityError, match=r"uq_theme_name|theme\.name"), study.session() as s:
        s.execute(
            text(
                "INSERT INTO theme (name, status, position, guid, created_at) "
                "VALUES ('Safety', 'candidate', 1, 'g2', :t)"
            ),
            {"t": STAMP},
        )
    with study.session() as s:
        s.execute(text("INSERT INTO wave (name, position, guid) VALUES ('follow-up 2', 9, 'w1')"))
    with pytest.raises(IntegrityError), study.session() as s:
        s.execute(text("INSERT INTO wave (name, position, guid) VALUES ('follow-up 2', 10, 'w2')"))


def test_a_rename_into_a_name_the_database_refuses_is_one_line(study: Project) -> None:
    add_code(study, "Hope")
    add_code(study, "Fear")
    # The workbench's own check answers first …
    with pytest.raises(StudyError, match="there is already a code 'Hope' at the top"):
        rename_code(study, "Fear", "Hope")


def test_check_names_a_missing_rule(study: Project) -> None:
    with study.session() as s:
        s.execute(text("DROP INDEX uq_code_sibling_name"))
    report = check_project(study)
    assert not report.sound
    assert any("unique sibling code names" in p for p in report.problems), report.problems


def test_migration_renames_old_clashes_so_the_rule_can_hold(target: str) -> None:
    path = sqlite_path_of(target)
    engine = _sqlite_engine(path) if path is not None else _server_engine(target)
    upgrade_to(engine, "0009")
    with engine.begin() as conn:
        for guid in ("a", "b", "c"):
            conn.execute(text(CODE), {"n": "Hope", "p": None, "g": guid, "t": STAMP})
        conn.execute(text(CODE), {"n": "Hope (2)", "p": None, "g": "d", "t": STAMP})
    engine.dispose()
    if path is None:
        from workbench.storage.project import migrate_project

        migrate_project(target)
    with open_project(target) as p, p.session(write=False) as s:
        names = s.execute(text("SELECT guid, name FROM code ORDER BY id")).all()
        assert dict(names) == {"a": "Hope", "b": "Hope (3)", "c": "Hope (4)", "d": "Hope (2)"}
        assert check_project(p).sound


def test_sqlite_files_enforce_foreign_keys(tmp_path: Path) -> None:
    p = new_study(tmp_path / "s.dyad")
    with pytest.raises(IntegrityError, match="FOREIGN KEY"):
        _insert_code(p, "Orphan", 999, "g1")
    p.close()


def test_every_writing_unit_refuses_to_write_over_a_row_changed_since_it_read_it(
    pg_url: str,
) -> None:
    """Not only commands: any writing session (here a wave rename, as the study's owner does
    it) locks and compares the rows it changes. A colleague's commit between its read and its
    write is a Collision, not a lost update."""
    from sqlalchemy import select

    from workbench.coding.study import rename_wave
    from workbench.storage.models import Wave
    from workbench.storage.rows import Collision

    new_study(pg_url).close()
    with open_project(pg_url, coder="ana") as ana, open_project(pg_url, coder="ben") as ben:
        with (
            pytest.raises(Collision, match="wave 1 was changed by someone else"),
            ana.session() as s,
        ):
            wave = s.scalars(select(Wave).order_by(Wave.id)).first()
            assert wave is not None and wave.name == "baseline"
            rename_wave(ben, "baseline", "intake")  # ben commits meanwhile
            wave.name = "first visit"
            s.flush()
        with ana.session(write=False) as s:
            assert s.scalar(select(Wave.name).order_by(Wave.id)) == "intake"
