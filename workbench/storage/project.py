"""Opening, creating and migrating projects: a SQLite file (``*.dyad``) or a PostgreSQL URL.

A SQLite project runs with WAL, foreign keys, ``synchronous=FULL`` and a busy timeout, and is
checked (``quick_check``) every time it opens. An older SQLite project is migrated on open: a
backup is made with the SQLite backup API, a second copy is migrated and verified, and only then
takes the original's place. A PostgreSQL project is migrated only by ``workbench migrate``, under
an advisory lock, and every client refuses a schema newer than it knows.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from workbench.domain.study import StudyError
from workbench.storage.models import AuditEntry, Coder
from workbench.storage.rows import Collision, guard
from workbench.storage.safety import storage_warnings

if TYPE_CHECKING:
    from alembic.config import Config

SUFFIX = ".dyad"
SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000
PG_MIGRATION_LOCK = 0x5759_4144  # "WYAD": one advisory lock id for every workbench migration
_MIGRATIONS = Path(__file__).with_name("migrations")
T = TypeVar("T")


class ProjectError(Exception):
    """A project cannot be opened or changed; the message is one line a researcher can act on."""


RETRIES = 8
COLLISIONS = {"40001": "serialization failure", "40P01": "deadlock", "55P03": "lock not available"}
"""SQLSTATEs that mean "a colleague's transaction got there first": the unit may run again."""


def is_collision(exc: BaseException) -> bool:
    """Did a unit of work fail only because another transaction committed first?"""
    if isinstance(exc, Collision):
        return True
    orig = getattr(exc, "orig", exc)
    if getattr(orig, "sqlstate", None) in COLLISIONS:
        return True
    # SQLite: another process held the write lock past the busy timeout.
    return isinstance(orig, sqlite3.OperationalError) and "locked" in str(orig)


class RefusedError(ProjectError, StudyError):
    """The team server refused a change: the user's role has no right to make it. Also a
    ``StudyError``, so every place that shows a refused request shows this one too."""


HEAD = "0017"
"""The newest schema revision, known without loading Alembic (a tenth of a second of every
command's start; it loads only to migrate). ``tests/storage/test_project.py`` holds it to the
migrations' own head."""


def _alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    return cfg


def head_revision() -> str:
    return HEAD


def migrations_head() -> str | None:
    """The head as Alembic reads it from the migration scripts."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def default_coder() -> str:
    """The coder when none is given: ``WORKBENCH_CODER``, else the user's login name."""
    name = os.environ.get("WORKBENCH_CODER", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "analyst"


def is_url(target: str | os.PathLike[str]) -> bool:
    return "://" in str(target)


def sqlite_path_of(target: str | os.PathLike[str]) -> Path | None:
    """The file behind a target, or None when the target is a server URL."""
    if not is_url(target):
        return Path(target)
    url = make_url(str(target))
    if url.get_backend_name() == "sqlite" and url.database:
        return Path(url.database)
    return None


def _sqlite_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite+pysqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see "begin" below).
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA synchronous = FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # A writing action takes the write lock up front, so it waits its turn (busy timeout)
        # instead of failing halfway when another process wrote in between.
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _server_engine(url: str) -> Engine:
    sa_url = make_url(url)
    if sa_url.drivername in ("postgresql", "postgres"):
        sa_url = sa_url.set(drivername="postgresql+psycopg")
    return create_engine(sa_url, pool_pre_ping=True)


def _current_revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


@dataclass
class Project:
    """An open project. Use ``session()`` for one user action: one transaction, all or nothing."""

    engine: Engine
    location: str
    path: Path | None
    coder_name: str
    warnings: list[str] = field(default_factory=list)
    retries: int = field(default=0, repr=False, compare=False)
    """Units of work run again after a collision with a colleague's commit (see ``retrying``)."""
    remembered: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """What the analysis derived from this project and reuses while this handle is open, keyed
    by the database's own interview versions (so no change is missed). Never outlives the
    handle: a file put back from a backup at the same place starts afresh."""

    @property
    def is_sqlite(self) -> bool:
        return self.path is not None

    @contextlib.contextmanager
    def session(self, *, write: bool = True, snapshot: bool = False) -> Iterator[Session]:
        """One unit of work. Commits when the block ends, rolls everything back on any error.

        On SQLite a writing unit holds the write lock from its start (``BEGIN IMMEDIATE``), so
        writers take turns. On PostgreSQL writers run side by side (READ COMMITTED); every row a
        writing unit changes is locked and compared with what it read (``storage.rows.guard``),
        and ``retrying`` runs a unit again after a collision. ``snapshot``: every read of the
        unit sees the database as of its first (PostgreSQL's REPEATABLE READ; a SQLite read
        transaction always does), for reads that must agree with each other.
        """
        bind: Engine
        if write:
            bind = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        elif snapshot and not self.is_sqlite:
            bind = self.engine.execution_options(isolation_level="REPEATABLE READ")
        else:
            bind = self.engine
        try:
            with Session(bind=bind, expire_on_commit=False) as session, session.begin():
                if write:
                    guard(session)
                yield session
        except DBAPIError as exc:
            if not self.is_sqlite:
                self._refuse_if_not_allowed(exc)
            raise

    def _refuse_if_not_allowed(self, exc: DBAPIError) -> None:
        """A role without the right (SQLSTATE 42501) gets one line naming its role."""
        from workbench.storage.roles import current_role, is_permission_error, refusal

        if not is_permission_error(exc):
            return
        try:
            role = current_role(self.engine)
        except DBAPIError:
            role = None
        raise RefusedError(refusal(role, exc.statement)) from exc

    def retrying(self, work: Callable[[], T]) -> T:
        """Run ``work`` (one or more whole units of work), again when it collided with a
        colleague's commit (serialization failure, deadlock, a lock wait that timed out), a
        bounded number of times with a growing random pause. The retry reads afresh, so its own
        checks see the colleague's change and refuse, rather than writing over it."""
        for attempt in range(1, RETRIES + 1):
            try:
                return work()
            except (DBAPIError, Collision) as exc:
                if not is_collision(exc):
                    raise
                if attempt == RETRIES:
                    raise ProjectError(
                        f"busy: colleagues' changes collided with this one {RETRIES} times; "
                        "nothing was changed, try again"
                    ) from exc
                self.retries += 1
                time.sleep(random.uniform(0, 0.01 * 2**attempt))
        raise AssertionError("unreachable")

    def coder(self, session: Session, name: str | None = None) -> Coder:
        """The coder row for ``name`` (default: this project handle's coder), made on first use."""
        name = name or self.coder_name
        known: dict[str, Coder] = session.info.setdefault("coders", {})
        if name in known:  # asked again in the same unit of work (the command, then its action)
            return known[name]
        coder = session.scalar(select(Coder).where(Coder.name == name))
        if coder is None:
            coder = Coder(name=name)
            session.add(coder)
            session.flush()
        known[name] = coder
        return coder

    def audit(
        self,
        session: Session,
        action: str,
        target: str | None = None,
        coder: str | None = None,
        **detail: Any,
    ) -> None:
        """Record who did what, in the caller's transaction. Ids and counts only, never content."""
        session.add(
            AuditEntry(
                coder=coder or self.coder_name,
                action=action,
                target=target,
                detail=json.dumps(detail, sort_keys=True, default=str),
            )
        )

    def schema_revision(self) -> str:
        with self.engine.connect() as conn:
            return _current_revision(conn) or "none"

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- creating ------------------------------------------------------------------------------


def create_project(
    target: str | os.PathLike[str],
    *,
    coder: str | None = None,
) -> Project:
    """Make an empty project with the current schema. Study content is added by the caller."""
    coder_name = coder or default_coder()
    path = sqlite_path_of(target)
    if path is not None:
        if path.exists():
            raise ProjectError(f"{path} already exists; choose another file name")
        if not path.parent.is_dir():
            raise ProjectError(f"folder {path.parent} does not exist")
        engine = _sqlite_engine(path)
        try:
            _upgrade(engine, head_revision())
        except Exception:
            engine.dispose()
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)
            raise
        return Project(engine, str(path), path, coder_name, storage_warnings(path))

    engine = _server_engine(str(target))
    try:
        with engine.connect() as conn:
            if _current_revision(conn) is not None:
                raise ProjectError(f"{_safe_url(target)} already holds a workbench project")
        migrate_server(engine)
    except DBAPIError as exc:
        engine.dispose()
        raise ProjectError(f"cannot reach {_safe_url(target)}: {_first_line(exc)}") from exc
    return Project(engine, _safe_url(target), None, coder_name)


# --- opening -------------------------------------------------------------------------------


def open_project(target: str | os.PathLike[str], *, coder: str | None = None) -> Project:
    """Open an existing project, migrating an older SQLite file first (safely, see module doc)."""
    coder_name = coder or default_coder()
    path = sqlite_path_of(target)
    if path is not None:
        return _open_sqlite(path, coder_name)
    return _open_server(str(target), coder_name)


def _open_sqlite(path: Path, coder_name: str) -> Project:
    if not path.exists():
        raise ProjectError(f"{path} does not exist")
    if path.is_dir():
        raise ProjectError(f"{path} is a folder, not a project file")
    with path.open("rb") as fh:
        header = fh.read(len(SQLITE_MAGIC))
    if header != SQLITE_MAGIC:
        raise ProjectError(f"{path} is not a Dyad Workbench project (not a database file)")

    # Read-only until we know what we have: opening through the engine would switch the file
    # to WAL, and an older project must stay untouched until its migrated copy is verified.
    _quick_check(path)
    current = _sqlite_revision(path)
    head = head_revision()
    if current != head:
        if current not in known_revisions():
            raise ProjectError(
                f"{path} was saved by a newer Dyad Workbench (schema {current}); update the "
                "workbench to open it"
            )
        _migrate_sqlite_copy(path, current)
    engine = _sqlite_engine(path)
    return Project(engine, str(path), path, coder_name, storage_warnings(path))


def _sqlite_revision(path: Path) -> str:
    """The schema revision of a SQLite file, read without writing to it."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            tables = {
                r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            if "project" not in tables or "alembic_version" not in tables:
                raise ProjectError(f"{path} is a database but not a Dyad Workbench project")
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise _damaged(path, exc) from exc
    if row is None:
        raise ProjectError(f"{path} is a database but not a Dyad Workbench project")
    return str(row[0])


def _quick_check(path: Path) -> None:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        # A damaged page's bytes can appear in the check's own messages: never fail decoding them.
        con.text_factory = lambda b: b.decode("utf-8", "replace")
        try:
            rows = con.execute("PRAGMA quick_check").fetchall()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise _damaged(path, exc) from exc
    except UnicodeDecodeError as exc:  # the check's message quotes damaged bytes
        raise _damaged(path, "the integrity check reports undecodable damaged pages") from exc
    if rows != [("ok",)]:
        raise _damaged(path, f"{len(rows)} problems found, first: {rows[0][0]}")


def _damaged(path: Path, cause: object) -> ProjectError:
    from workbench.storage.backup import latest_backup

    backup = latest_backup(path)
    offer = (
        f"; the latest backup is {backup} — restore it with "
        f"`workbench restore {path} --from {backup}`"
        if backup
        else "; no backup of it was found"
    )
    return ProjectError(f"{path} is damaged ({_first_line(cause)}){offer}")


def _open_server(url: str, coder_name: str) -> Project:
    engine = _server_engine(url)
    try:
        with engine.connect() as conn:
            current = _current_revision(conn)
    except DBAPIError as exc:
        engine.dispose()
        raise ProjectError(f"cannot open {_safe_url(url)}: {_first_line(exc)}") from exc
    head = head_revision()
    if current is None:
        engine.dispose()
        raise ProjectError(
            f"{_safe_url(url)} holds no workbench project; create one with `workbench new URL`"
        )
    if current != head:
        engine.dispose()
        if current not in known_revisions():
            raise ProjectError(
                f"{_safe_url(url)} has schema {current}, newer than this Dyad Workbench knows; "
                "update the workbench"
            )
        raise ProjectError(
            f"{_safe_url(url)} has an older schema ({current}); run `workbench migrate URL` "
            "once for the whole team"
        )
    return Project(engine, _safe_url(url), None, coder_name)


# --- migrating -----------------------------------------------------------------------------


def _upgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def upgrade_to(engine: Engine, revision: str) -> None:
    """Upgrade a database to ``revision`` (tests use it to build fixtures of old schemas)."""
    _upgrade(engine, revision)


def _migrate_sqlite_copy(path: Path, current: str | None) -> None:
    """Back up, migrate a copy, verify it, and only then put it in the original's place."""
    from workbench.storage.backup import make_backup

    head = head_revision()
    make_backup(path, reason=f"before-migration-to-{head}")
    work = path.with_name(path.name + ".migrating")
    for leftover in (work, Path(f"{work}-wal"), Path(f"{work}-shm")):
        leftover.unlink(missing_ok=True)
    _sqlite_copy(path, work)
    engine = _sqlite_engine(work)
    try:
        _upgrade(engine, head)
        with engine.connect() as conn:
            migrated_to = _current_revision(conn)
            problems = conn.exec_driver_sql("PRAGMA integrity_check").fetchall()
            fk_problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    except Exception as exc:
        engine.dispose()
        work.unlink(missing_ok=True)
        raise ProjectError(
            f"could not migrate {path} (left untouched): {_first_line(exc)}"
        ) from exc
    engine.dispose()
    if migrated_to != head or problems != [("ok",)] or fk_problems:
        work.unlink(missing_ok=True)
        raise ProjectError(
            f"the migrated copy of {path} failed verification; the original is untouched"
        )
    for side in (Path(f"{work}-wal"), Path(f"{work}-shm")):
        side.unlink(missing_ok=True)
    os.replace(work, path)


def _sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy through the SQLite backup API (includes what sits in the WAL)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def migrate_server(engine: Engine) -> tuple[str | None, str]:
    """Upgrade a PostgreSQL project to this workbench's schema under an advisory lock."""
    from alembic import command

    head = head_revision()
    cfg = _alembic_config()
    with engine.connect() as conn:
        conn.exec_driver_sql(f"SELECT pg_advisory_lock({PG_MIGRATION_LOCK})")
        try:
            before = _current_revision(conn)
            if before is not None and before not in known_revisions():
                raise ProjectError(
                    f"the database has schema {before}, newer than this Dyad Workbench knows"
                )
            conn.commit()
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, head)
        finally:
            conn.exec_driver_sql(f"SELECT pg_advisory_unlock({PG_MIGRATION_LOCK})")
            conn.commit()
    return before, head


def migrate_project(target: str | os.PathLike[str]) -> tuple[str | None, str]:
    """``workbench migrate``: upgrade a project explicitly. Returns (before, after) revisions."""
    path = sqlite_path_of(target)
    if path is not None:
        if not path.exists():
            raise ProjectError(f"{path} does not exist")
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            before = con.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError as exc:
            raise ProjectError(f"{path} is not a Dyad Workbench project") from exc
        finally:
            con.close()
        open_project(path).close()
        return (before[0] if before else None), head_revision()
    engine = _server_engine(str(target))
    try:
        return migrate_server(engine)
    except OperationalError as exc:
        raise ProjectError(f"cannot reach {_safe_url(target)}: {_first_line(exc)}") from exc
    finally:
        engine.dispose()


# --- helpers -------------------------------------------------------------------------------


def _safe_url(target: str | os.PathLike[str]) -> str:
    """The URL with any password hidden, for messages and the audit log."""
    try:
        return make_url(str(target)).render_as_string(hide_password=True)
    except Exception:
        return str(target)


def _first_line(value: object) -> str:
    if isinstance(value, DBAPIError) and value.orig is not None:
        value = value.orig
    lines = str(value).strip().splitlines()
    return lines[0] if lines else type(value).__name__


def compact_storage(project: Project, tables: tuple[str, ...]) -> tuple[str, ...]:
    """Make removed text leave the bytes on disk, not just the visible tables.

    SQLite: secure_delete, a TRUNCATE checkpoint of the WAL, VACUUM, and another checkpoint.
    PostgreSQL: VACUUM FULL of the given tables (their old row versions are rewritten away).
    Returns the tables it could not compact: PostgreSQL lets only the tables' owner vacuum them
    (anyone else gets a warning, not an error), so a role that does not own them says so.
    """
    if project.is_sqlite:
        with project.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            raw.execute("PRAGMA secure_delete = ON")
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            raw.execute("VACUUM")
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return ()
    with project.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        owned = set(
            conn.exec_driver_sql(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "AND pg_has_role(current_user, tableowner, 'USAGE')"
            ).scalars()
        )
        for table in tables:
            if table in owned:
                conn.exec_driver_sql(f"VACUUM FULL {table}")
    return tuple(t for t in tables if t not in owned)
