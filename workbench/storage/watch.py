"""Has anyone changed the project since I last looked? Asked by a window every second or so, so
a colleague's codings, renames and corrections show up without reopening the project.

SQLite: ``PRAGMA data_version`` on a connection of the watcher's own moves whenever any other
connection (another process, or this one's pool) commits. PostgreSQL: the project's tables send
``NOTIFY workbench_changes`` on commit (migration 0010); the watcher listens on a connection of
its own and says which tables changed. Both are cheap enough to poll from a GUI timer.
"""

from __future__ import annotations

import contextlib
from typing import Any

from workbench.storage.project import Project

CHANNEL = "workbench_changes"
ANY_TABLE = "*"
"""What SQLite reports: it knows that something changed, not where."""


class ChangeWatcher:
    """Committed changes to one project since the last :meth:`changes` call."""

    def __init__(self, project: Project) -> None:
        self._sqlite = project.is_sqlite
        fairy = project.engine.raw_connection()
        conn = fairy.driver_connection
        if conn is None:
            raise RuntimeError("the database driver gave no connection")
        self._conn: Any = conn
        fairy.detach()  # ours alone, outside the pool, for as long as we watch
        self._fairy: Any = fairy
        if self._sqlite:
            self._version = self._data_version()
        else:
            self._conn.rollback()
            self._conn.autocommit = True
            self._conn.execute(f"LISTEN {CHANNEL}")

    def _data_version(self) -> int:
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def changes(self) -> set[str]:
        """The tables changed by commits since the last call (SQLite: ``{"*"}``), or nothing."""
        if self._sqlite:
            version = self._data_version()
            changed, self._version = version != self._version, version
            return {ANY_TABLE} if changed else set()
        return {n.payload for n in self._conn.notifies(timeout=0)}

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._fairy.close()

    def __enter__(self) -> ChangeWatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
