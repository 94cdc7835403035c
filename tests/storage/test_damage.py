"""Damaged input is named as such: undecodable text in a project, named by table and row."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from workbench.cli import main
from workbench.coding.memos import add_memo
from workbench.coding.study import new_study


def test_check_names_rows_whose_text_is_not_utf8(tmp_path: Path, capsys) -> None:
    path = tmp_path / "s.dyad"
    with new_study(path, title="Damage") as p:
        add_memo(p, "A sound memo", about="project")
        add_memo(p, "Soon damaged", about="project")
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE memo SET text = CAST(X'636166b1' AS TEXT) WHERE text = 'Soon damaged'")
        rowid = con.execute("SELECT rowid FROM memo WHERE text != 'A sound memo'").fetchone()[0]
    con.close()
    before = path.read_bytes()
    code = main(["check", str(path)])
    out = capsys.readouterr().out
    assert code == 1
    assert f"memo.text: 1 row(s) hold text that is not valid UTF-8 (rowid {rowid})" in out
    assert path.read_bytes() == before


def test_a_damaged_project_names_the_restore_command_which_brings_the_backup_back(
    tmp_path: Path, capsys
) -> None:
    from workbench.storage.backup import make_backup
    from workbench.storage.project import open_project

    path = tmp_path / "s.dyad"
    with new_study(path, title="Damage") as p:
        add_memo(p, "Kept in the backup", about="project")
    backup = make_backup(path, reason="test")
    data = bytearray(path.read_bytes())
    for offset in range(8192, len(data) - 4096, 4096):
        data[offset + 100 : offset + 400] = b"\xff" * 300
    path.write_bytes(bytes(data))
    assert main(["info", str(path)]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "damaged" in err
    assert f"workbench restore {path} --from {backup}" in err
    assert path.read_bytes() == bytes(data)  # nothing written
    # A file that is not a sound project is refused as a backup, and nothing changes.
    assert main(["restore", str(path), "--from", str(path)]) != 0
    assert path.read_bytes() == bytes(data)
    assert main(["restore", str(path), "--from", str(backup)]) == 0
    assert "restored" in capsys.readouterr().out
    with open_project(path) as p:
        from workbench.coding.memos import list_memos

        assert [m.text for m in list_memos(p)] == ["Kept in the backup"]
    assert [f.read_bytes() for f in tmp_path.glob("s-damaged-*.dyad")] == [bytes(data)]


def test_a_full_disk_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    import os
    import resource
    import subprocess
    import sys

    path = tmp_path / "s.dyad"
    from workbench.coding.study import add_interview, add_participant

    with new_study(path, title="Full") as p:
        add_participant(p, "P01", "patient")
        add_interview(p, "I1", wave="baseline", participants=[("P01", None)])
    transcript = tmp_path / "long.txt"
    transcript.write_text(
        "".join(f"P01: words of a long interview, line {i}.\n" for i in range(40000)), "utf-8"
    )
    before = path.read_bytes()
    limit = len(before)  # no file may grow past the project's present size

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench.cli",
            "import-transcript",
            str(path),
            "I1",
            str(transcript),
        ],
        capture_output=True,
        text=True,
        preexec_fn=limited,
        env=os.environ,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.stderr.strip().splitlines() == [
        "error: the disk is full (or a file size limit was reached); nothing was saved"
    ]
    assert path.read_bytes() == before
    assert main(["check", str(path)]) == 0


def test_a_read_only_location_is_named(tmp_path: Path, capsys) -> None:
    import os
    import stat

    import pytest

    path = tmp_path / "s.dyad"
    new_study(path, title="Read-only").close()
    before = path.read_bytes()
    path.chmod(stat.S_IRUSR)
    tmp_path.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        if os.geteuid() == 0:
            pytest.skip("root writes to read-only files; run as a user to test this")
        assert main(["participant", "add", str(path), "P01", "--role", "patient"]) == 1
        assert "read-only location" in capsys.readouterr().err
        assert path.read_bytes() == before
    finally:
        tmp_path.chmod(stat.S_IRWXU)
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)
