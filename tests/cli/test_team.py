"""`workbench team …` and what a role may do from the command line: one-line refusals."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from workbench.cli import main
from workbench.storage.roles import group_name

from ..team import HIDDEN_WORD, MakeRole, make_role, team_url  # noqa: F401


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The real command, as a colleague types it (a traceback would show on stderr)."""
    return subprocess.run(
        [sys.executable, "-m", "workbench.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "WORKBENCH_DEBUG": ""},
        timeout=120,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_reader_is_refused_in_one_line(make_role: MakeRole) -> None:  # noqa: F811
    url = make_role("reader")
    name = make_url(url).username
    line = one_line(run("code", "add", url, "Hope"))
    assert line == (
        f"error: refused: reader '{name}' may not change this project "
        "(PostgreSQL role without write rights)"
    )
    assert "refused: reader" in one_line(run("participant", "consent", url, "P01", "declined"))


def test_a_reader_reads_without_the_unconsented(make_role: MakeRole) -> None:  # noqa: F811
    url = make_role("reader")
    info = run("info", url, "--json")
    assert info.returncode == 0, info.stderr
    assert json.loads(info.stdout)["codes"] == 1
    people = run("participant", "list", url, "--json")
    assert people.returncode == 0, people.stderr
    assert {p["id"] for p in json.loads(people.stdout)} == {"P01", "R01"}
    text = run("text", url, "joint")
    assert text.returncode == 0, text.stderr
    assert HIDDEN_WORD not in text.stdout and "Fine, thanks." in text.stdout
    query = run("query", url, "--json")
    assert query.returncode == 0, query.stderr
    assert [s["text"] for s in json.loads(query.stdout)] == ["How"]  # not P02's coded words
    matrix = run("matrix", url, "--by", "participant", "--json")  # it keeps no rows of its own
    assert matrix.returncode == 0, matrix.stderr
    assert {r["unit"] for r in json.loads(matrix.stdout)} == {"P01"}


def test_an_analyst_codes_but_cannot_withdraw(make_role: MakeRole) -> None:  # noqa: F811
    url = make_role("analyst")
    for args in (
        ("code", "add", url, "Hope"),
        ("coding", "add", url, "--interview", "joint", "--start", "4", "--end", "10"),
        ("code", "rename", url, "Coping", "Coping with pain"),
    ):
        if args[0] == "coding":
            args = (*args, "--code", "Hope")
        result = run(*args)
        assert result.returncode == 0, (args, result.stderr)
    line = one_line(run("withdraw", url, "P02"))
    assert line.startswith("error: refused: analyst '")
    assert "Traceback" not in line
    assert HIDDEN_WORD in run("text", url, "joint").stdout


def test_an_analyst_merges_an_offline_copy(make_role: MakeRole, tmp_path: Path) -> None:  # noqa: F811
    url = make_role("analyst")
    qdpx, copy = str(tmp_path / "ours.qdpx"), str(tmp_path / "offline.dyad")
    for args in (
        ("export", url, "--format", "qdpx", "-o", qdpx, "--include-unconsented"),
        ("import", copy, qdpx),
        ("code", "add", copy, "Hope", "--coder", "offline"),
        ("coding", "add", copy, "--interview", "joint", "--start", "4", "--end", "10"),
    ):
        extra = ("--code", "Hope", "--coder", "offline") if args[0] == "coding" else ()
        result = run(*args, *extra)
        assert result.returncode == 0, (args, result.stderr)
    merged = run("merge", url, copy)
    assert merged.returncode == 0, merged.stderr
    assert "added 1 codings (1 by offline)" in merged.stdout
    assert "added 0 codings" in run("merge", url, copy).stdout


def test_an_owner_withdraws(make_role: MakeRole) -> None:  # noqa: F811
    url = make_role("owner")
    result = run("withdraw", url, "P02")
    assert result.returncode == 0, result.stderr
    assert HIDDEN_WORD not in run("text", url, "joint").stdout


def test_add_role_and_list_roles(
    team_url: str,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    name = f"wb_maria_{uuid.uuid4().hex[:8]}"
    secret = tmp_path / "password"
    secret.write_text("it's a secret\n", encoding="utf-8")
    args = ["team", "add-role", team_url, name, "--role", "reader", "--password-file", str(secret)]
    assert main(args) == 0
    assert main(args) == 0  # again: the same role stays what it is
    assert main(["team", "add-role", team_url, name, "--role", "owner"]) != 0
    assert f"role '{name}' is already reader" in capsys.readouterr().err
    assert main(["team", "roles", team_url, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"name": name, "kind": "reader"}]
    engine = create_engine(team_url)
    with engine.connect() as conn:
        stored = conn.exec_driver_sql(
            f"SELECT rolpassword FROM pg_authid WHERE rolname = '{name}'"
        ).scalar()
    engine.dispose()
    assert stored and "secret" not in stored


def test_grant_again_covers_a_table_made_since(
    make_role: MakeRole,  # noqa: F811
    team_url: str,  # noqa: F811
) -> None:
    """What `workbench migrate` adding a table would need: the rules applied to it too."""
    reader = make_role("reader")
    engine = create_engine(team_url)
    with engine.begin() as conn:  # as if a migration had changed an existing table's grants
        database = conn.exec_driver_sql("SELECT current_database()").scalar_one()
        conn.exec_driver_sql(f'REVOKE SELECT ON code FROM "{group_name(database, "reader")}"')
    engine.dispose()
    assert "may not read this part" in one_line(run("code", "list", reader))
    assert main(["team", "grant", team_url]) == 0
    assert run("code", "list", reader).returncode == 0


def test_roles_on_a_sqlite_project_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(tmp_path / "study.dyad")
    assert main(["new", path]) == 0
    for args in (["team", "add-role", path, "maria", "--role", "reader"], ["team", "roles", path]):
        assert main(args) != 0
        assert capsys.readouterr().err.strip() == "error: roles need a team project on PostgreSQL"


def test_a_refusal_outside_a_session_is_one_line_too(make_role: MakeRole) -> None:  # noqa: F811
    from sqlalchemy.exc import DBAPIError

    from workbench.cli import _one_line

    engine = create_engine(make_role("reader"))
    try:
        with pytest.raises(DBAPIError) as write, engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO journal_entry (text) VALUES ('x')")
        with pytest.raises(DBAPIError) as read, engine.begin() as conn:
            conn.exec_driver_sql("SELECT rolpassword FROM pg_authid")
    finally:
        engine.dispose()
    assert _one_line(write.value) == (
        "refused: this PostgreSQL role may not change this project "
        "(PostgreSQL role without write rights)"
    )
    assert _one_line(read.value).startswith("refused: this PostgreSQL role may not read")
