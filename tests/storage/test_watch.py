"""A window learns of a colleague's commit: PRAGMA data_version on SQLite, NOTIFY on PostgreSQL."""

from __future__ import annotations

import time

import pytest

from workbench.coding.codebook import add_code
from workbench.coding.codings import apply_code
from workbench.domain.study import StudyError
from workbench.storage.check import check_project
from workbench.storage.project import Project, open_project
from workbench.storage.watch import ANY_TABLE, ChangeWatcher

from ..helpers import interview_with


def _seen_within(watcher: ChangeWatcher, seconds: float = 5.0) -> set[str]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        changed = watcher.changes()
        if changed:
            return changed
        time.sleep(0.05)
    return set()


def _seen_until(watcher: ChangeWatcher, table: str, seconds: float = 30.0) -> set[str]:
    """Every table the watcher tells of until it tells of ``table``."""
    seen: set[str] = set()
    deadline = time.monotonic() + seconds
    while table not in seen:
        assert time.monotonic() < deadline, f"no notice of {table} within {seconds} s: {seen}"
        seen |= watcher.changes()
        time.sleep(0.05)
    return seen


def test_a_colleagues_commit_is_seen_and_a_rolled_back_one_is_not(
    project: Project, target: str
) -> None:
    interview_with(project, "I1", [("P01", "I have nightmares every night.")])
    add_code(project, "Sleep")
    with ChangeWatcher(project) as watcher, open_project(target, coder="colleague") as other:
        assert watcher.changes() == set()
        apply_code(other, "I1", 7, 17, "Sleep")
        changed = _seen_within(watcher)
        assert changed == {ANY_TABLE} if project.is_sqlite else "coding" in changed
        assert watcher.changes() == set()  # told once
        with pytest.raises(StudyError):
            apply_code(other, "I1", 7, 17, "no such code")
        if project.is_sqlite:  # PRAGMA data_version is read there and then: nothing to wait for
            assert watcher.changes() == set()
        else:
            # Notices come in commit order: once a later commit's is seen, one of the rolled-back
            # change would have been seen too.
            add_code(other, "Marker")
            assert "coding" not in _seen_until(watcher, "code")


def test_check_names_a_table_without_change_notices(pg_url: str) -> None:
    from sqlalchemy import text

    from workbench.coding.study import new_study

    with new_study(pg_url) as p:
        assert check_project(p).sound
        with p.engine.begin() as conn:
            conn.execute(text("DROP TRIGGER workbench_notice ON memo"))
        problems = check_project(p).problems
        assert [x for x in problems if "notice" in x] == [
            "table memo sends no change notice: colleagues' windows would miss its changes"
        ]
