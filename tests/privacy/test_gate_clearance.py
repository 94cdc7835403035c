"""The export gate scans the whole project only when a text changed since its last clean pass
(migration 0016): any write to any inventoried column sets the verdict aside, on SQLite and on
PostgreSQL, and a change committed while the gate scans is never taken as scanned."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import insert

from workbench.coding.memos import add_memo
from workbench.coding.redaction import accept_identifier, dismiss_identifier, redact
from workbench.coding.study import new_study
from workbench.domain.study import StudyError
from workbench.exchange.gate import RULES
from workbench.exchange.registry import ExportOptions, export
from workbench.storage import inventory, text_changes
from workbench.storage.check import check_project
from workbench.storage.inventory import TextColumn
from workbench.storage.models import Memo
from workbench.storage.project import Project, open_project

from ..helpers import interview_with
from .everywhere import NAME, build, plant

WALKED = [c for c in inventory.INVENTORY if c.kind != inventory.DERIVED_KIND]


@pytest.fixture(scope="module")
def cleared_study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The study with a key (one redaction, NAME accepted) that has passed one export."""
    path = tmp_path_factory.mktemp("clearance") / "study.dyad"
    build(path)
    with open_project(path) as p:
        redact(p, "[vessel]", everywhere="boat")
        accept_identifier(p, NAME)
        export(p, "csv", path.with_name("first.csv"), ExportOptions())
    return path


def _copy(study: Path, tmp_path: Path) -> Path:
    """The project with its key beside it."""
    path = tmp_path / "study.dyad"
    shutil.copy(study, path)
    shutil.copy(study.with_suffix(".dyadkey"), path.with_suffix(".dyadkey"))
    return path


def _print(p: Project) -> str:
    from workbench.coding.keystore import KeyStore

    found = KeyStore.open(p, None).fingerprint()
    assert found is not None
    return found


def test_a_clean_export_is_remembered_and_exporting_again_keeps_it(
    cleared_study: Path, tmp_path: Path
) -> None:
    path = _copy(cleared_study, tmp_path)
    with open_project(path) as p:
        assert text_changes.cleared(p, _print(p), RULES)
        export(p, "csv", tmp_path / "again.csv", ExportOptions())
        # the export's own audit row moves nothing
        assert text_changes.cleared(p, _print(p), RULES)
        assert not text_changes.cleared(p, _print(p), RULES + 1)  # other rules: scan again
        assert not text_changes.cleared(p, text_changes.NO_KEY, RULES)  # another key: scan
        assert check_project(p).sound


@pytest.mark.parametrize("column", WALKED, ids=lambda c: f"{c.table}.{c.column}")
def test_a_name_written_to_any_inventoried_column_after_a_clean_export_is_refused(
    cleared_study: Path, tmp_path: Path, column: TextColumn
) -> None:
    path = _copy(cleared_study, tmp_path)
    with open_project(path) as p:
        assert text_changes.cleared(p, _print(p), RULES)
        plant(p, column)
        assert not text_changes.cleared(p, _print(p), RULES)
        with pytest.raises(StudyError, match=rf"still holds '{NAME}'"):
            export(p, "csv", tmp_path / "x.csv", ExportOptions())


def test_a_key_word_in_the_file_name_is_refused(cleared_study: Path, tmp_path: Path) -> None:
    path = _copy(cleared_study, tmp_path)
    with open_project(path) as p:
        out = tmp_path / f"codings-{NAME}.csv"
        with pytest.raises(StudyError, match=rf"'{NAME}'.*the file name codings-{NAME}.csv"):
            export(p, "csv", out, ExportOptions())
        assert not out.exists()


def test_a_refused_file_name_leaves_nothing_in_the_project(
    cleared_study: Path, tmp_path: Path
) -> None:
    """The name is refused before the exporter writes its audit row (which keeps the name and
    sets no verdict aside): a helper's review found the row kept, the verdict kept, and the
    whole pass finding the name in the audit log."""
    from workbench.coding.keystore import KeyStore
    from workbench.exchange import gate

    path = _copy(cleared_study, tmp_path)
    with open_project(path) as p:
        with pytest.raises(StudyError, match="the file name"):
            export(p, "csv", tmp_path / f"{NAME}.csv", ExportOptions())
        whole, _ = gate._look_through(p, KeyStore.open(p, None))
        assert whole.standing == ()
        export(p, "csv", tmp_path / "fine.csv", ExportOptions())


def test_an_overridden_file_name_sets_the_verdict_aside(
    cleared_study: Path, tmp_path: Path
) -> None:
    path = _copy(cleared_study, tmp_path)
    with open_project(path) as p:
        export(p, "csv", tmp_path / f"{NAME}.csv", ExportOptions(override_check=True))
        assert not text_changes.cleared(p, _print(p), RULES)
        with pytest.raises(StudyError, match=f"still holds '{NAME}'"):  # in the audit log
            export(p, "csv", tmp_path / "fine.csv", ExportOptions())


def _study(where: str | Path) -> None:
    with new_study(where, title="Gate") as p:
        interview_with(p, "I1", [("P01", "We waited a long time at the border.")])


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_change_committed_during_the_scan_is_not_taken_as_scanned(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    where: str | Path = (
        request.getfixturevalue("pg_url") if backend == "postgresql" else tmp_path / "s.dyad"
    )
    _study(where)
    with open_project(where) as p, open_project(where) as colleague:
        assert not text_changes.cleared(p, text_changes.NO_KEY, RULES)
        seen = text_changes.look(p)
        assert seen is not None
        # the colleague commits after the gate looked, before it records its verdict
        add_memo(colleague, "At the second session Rania came late.")
        text_changes.clear(p, seen, text_changes.NO_KEY, RULES)
        assert not text_changes.cleared(p, text_changes.NO_KEY, RULES)
        with pytest.raises(StudyError, match="'Rania' \\(a suggested identifier nobody"):
            export(p, "csv", tmp_path / "x.csv", ExportOptions())
        dismiss_identifier(p, "Rania")
        export(p, "csv", tmp_path / "x.csv", ExportOptions())
        assert text_changes.cleared(p, text_changes.NO_KEY, RULES)
        # a colleague's memo written by plain SQL, not through our commands, still counts
        with colleague.session() as s:
            s.execute(insert(Memo).values(text="Later that day Yusuf phoned.", guid="g-sql"))
        assert not text_changes.cleared(p, text_changes.NO_KEY, RULES)
        with pytest.raises(StudyError, match="'Yusuf'"):
            export(p, "csv", tmp_path / "y.csv", ExportOptions())
        assert check_project(p).sound, check_project(p).problems
