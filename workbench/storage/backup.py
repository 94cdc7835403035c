"""Backups of SQLite projects, made with the SQLite backup API into a folder beside the file."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path


def backup_dir(path: Path) -> Path:
    return path.with_name(f"{path.stem}-backups")


def make_backup(path: Path, reason: str = "manual") -> Path:
    """A consistent copy of the project (WAL content included), named by time and reason."""
    folder = backup_dir(path)
    folder.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"{path.stem}-{stamp}-{reason}{path.suffix or '.dyad'}"
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")
    finally:
        dst.close()
        src.close()
    return target


def list_backups(path: Path) -> list[Path]:
    """Backups of this project, oldest first."""
    folder = backup_dir(path)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"{path.stem}-*") if p.is_file())


def latest_backup(path: Path) -> Path | None:
    backups = list_backups(path)
    return backups[-1] if backups else None


def restore_latest_backup(path: Path) -> Path:
    """Put the latest backup in the project's place; the damaged file is kept beside it.

    Returns where the damaged file was moved. Nothing is deleted.
    """
    backup = latest_backup(path)
    if backup is None:
        raise FileNotFoundError(f"no backup of {path} was found in {backup_dir(path)}")
    return restore_backup(path, backup)


def restore_backup(path: Path, backup: Path) -> Path:
    """Put ``backup`` in the project's place (it must pass SQLite's quick check); the file it
    replaces is kept beside it. Returns where that file was moved. Nothing is deleted."""
    try:
        con = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        try:
            ok = con.execute("PRAGMA quick_check").fetchall() == [("ok",)]
            ok = (
                ok
                and con.execute(
                    "SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'"
                ).fetchone()
                is not None
            )
        finally:
            con.close()
    except (sqlite3.DatabaseError, UnicodeDecodeError):
        ok = False
    if not ok:
        raise ValueError(f"{backup} is not a sound Dyad Workbench project; nothing was changed")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = path.with_name(f"{path.stem}-damaged-{stamp}{path.suffix}")
    path.replace(kept)
    for side in ("-wal", "-shm"):
        stale = Path(f"{path}{side}")
        if stale.exists():
            stale.replace(Path(f"{kept}{side}"))
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    dst = sqlite3.connect(path)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return kept
