"""Per inventoried column: a name written there is found by the check, redacted by
``redact --all``, and never left in the project file's bytes (nor its WAL)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workbench.coding.redaction import accept_identifier, check_identifiers, redact
from workbench.storage import inventory
from workbench.storage.inventory import TextColumn
from workbench.storage.project import open_project

from .everywhere import NAME, build, plant

WALKED = [c for c in inventory.INVENTORY if c.kind != inventory.DERIVED_KIND]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("everywhere") / "study.dyad"
    build(path)
    return path


def _copy(built: Path, tmp_path: Path) -> Path:
    path = tmp_path / "study.dyad"
    shutil.copy(built, path)
    return path


def _raw(path: Path) -> bytes:
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_the_built_study_holds_no_name_to_begin_with(built: Path, tmp_path: Path) -> None:
    path = _copy(built, tmp_path)
    with open_project(path) as p:
        accept_identifier(p, NAME)
        assert check_identifiers(p) == []


@pytest.mark.parametrize("column", WALKED, ids=lambda c: f"{c.table}.{c.column}")
def test_a_name_in_any_inventoried_column_is_found_and_redacted_everywhere(
    built: Path, tmp_path: Path, column: TextColumn
) -> None:
    path = _copy(built, tmp_path)
    with open_project(path) as p:
        plant(p, column)
        accept_identifier(p, NAME)
        leaks = check_identifiers(p)
        assert [leak.found for leak in leaks] == [NAME]
        where = leaks[0].where
        assert (
            where.startswith("interview:I1")
            if column.kind == inventory.TRANSCRIPT and column.table == "utterance"
            else (where.startswith(column.label))
        ), where
        redact(p, "[name]", everywhere=NAME)
        assert check_identifiers(p) == []
    assert NAME.encode() not in _raw(path)
