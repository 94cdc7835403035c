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
