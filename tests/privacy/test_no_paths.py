"""The project keeps the names of files exported from it, never where on a disk they went."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select, text

from workbench.cli import main
from workbench.coding.study import new_study
from workbench.storage.models import AuditEntry
from workbench.storage.project import _sqlite_engine, head_revision, open_project, upgrade_to

from ..helpers import interview_with


def test_exports_are_remembered_by_file_name_only(tmp_path: Path) -> None:
    path = tmp_path / "study.dyad"
    with new_study(path) as p:
        interview_with(p, "I1", [("R01", "How are you?"), ("P01", "better now.")])
    folder = tmp_path / "far" / "away"
    folder.mkdir(parents=True)
    for fmt, name in (("csv", "s.csv"), ("qdpx", "s.qdpx"), ("codebook-docx", "c.docx")):
        assert main(["export", str(path), "--format", fmt, "-o", str(folder / name)]) == 0
    with open_project(path) as p, p.session(write=False) as s:
        paths = [
            json.loads(d)["path"]
            for d in s.scalars(select(AuditEntry.detail).where(AuditEntry.action == "export"))
        ]
    assert paths == ["s.csv", "s.qdpx", "c.docx"]
    wal = path.with_name(path.name + "-wal")
    raw = path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert str(folder).encode() not in raw
    assert b"far/away" not in raw


def test_paths_stored_by_earlier_versions_become_names_on_migration(tmp_path: Path) -> None:
    path = tmp_path / "old.dyad"
    engine = _sqlite_engine(path)
    upgrade_to(engine, "0005")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_log (at, coder, action, target, detail) VALUES "
                "('2026-01-01 00:00:00', 'ana', 'export', NULL, :d)"
            ),
            {"d": json.dumps({"format": "qdpx", "path": "/home/ana/secret/demo.qdpx"})},
        )
    engine.dispose()
    with open_project(path) as p, p.session(write=False) as s:
        assert p.schema_revision() == head_revision()
        detail = json.loads(
            s.scalar(select(AuditEntry.detail).where(AuditEntry.action == "export"))
        )
    assert detail == {"format": "qdpx", "path": "demo.qdpx"}
