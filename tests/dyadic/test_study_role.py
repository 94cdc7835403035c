"""Study roles (issue 15): team speakers never voice a theme; the role defaults by the person's
role, is set on the command line and changed later; projects made before it get it by role."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from workbench.cli import main
from workbench.coding.study import list_participants
from workbench.storage.project import open_project, upgrade_to


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_line_sets_and_changes_the_study_role(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.dyad"
    assert _run(capsys, "new", path)[0] == 0
    for pid, role in [("P01", "patient"), ("R01", "researcher"), ("I01", "interpreter")]:
        code, out, err = _run(capsys, "participant", "add", path, pid, "--role", role, "--json")
        assert code == 0, err
        assert json.loads(out)["study_role"] == ("participant" if pid == "P01" else "team")
    code, out, _ = _run(
        capsys, "participant", "add", path, "I02", "--role", "interpreter",
        "--study-role", "participant", "--json",
    )  # fmt: skip
    assert json.loads(out)["study_role"] == "participant"
    assert _run(capsys, "participant", "study-role", path, "I01", "participant")[1].strip() == (
        "I01: participant"
    )
    code, out, _ = _run(capsys, "participant", "list", path, "--json")
    roles = {p["id"]: p["study_role"] for p in json.loads(out)}
    assert roles == {
        "I01": "participant",
        "I02": "participant",
        "P01": "participant",
        "R01": "team",
    }
    for bad in (
        ("participant", "study-role", path, "I01", "observer"),
        ("participant", "study-role", path, "X9", "team"),
        ("participant", "add", path, "X1", "--role", "patient", "--study-role", "both"),
    ):
        code, _, err = _run(capsys, *bad)
        assert code != 0 and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_project_made_before_study_roles_gets_them_by_role(backend: str, target: str) -> None:
    from workbench.storage.project import _server_engine, _sqlite_engine, migrate_project

    engine = _sqlite_engine(Path(target)) if backend == "sqlite" else _server_engine(target)
    upgrade_to(engine, "0005")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO project (id, title, guid, created_at) VALUES (1, 'Old', 'g', '2026-01-01')"))  # fmt: skip
        for key, role in [("P1", "patient"), ("C1", "clinician"), ("R1", "researcher"), ("I1", "interpreter")]:  # fmt: skip
            conn.execute(
                text(
                    "INSERT INTO participant (key, role, consent, guid, created_at) "
                    "VALUES (:k, :r, 'consented', :k, '2026-01-01')"
                ),
                {"k": key, "r": role},
            )
    engine.dispose()
    if backend == "postgres":
        migrate_project(target)
    with open_project(target) as p:
        roles = {info.id: info.study_role.value for info in list_participants(p)}
        assert roles == {"C1": "participant", "I1": "team", "P1": "participant", "R1": "team"}
        with p.engine.begin() as conn, pytest.raises(DBAPIError):
            conn.execute(text("UPDATE participant SET study_role = 'observer' WHERE key = 'P1'"))
