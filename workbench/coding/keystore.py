"""The pseudonymisation key, kept apart from the project: originals with their placeholders, and
the identifiers the analyst accepted. A SQLite file beside a ``.dyad`` file, or a schema that only
key holders can read in a PostgreSQL database."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import sqlite3
import uuid
from collections.abc import Collection
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from workbench.domain.study import StudyError
from workbench.storage.models import ProjectRow, Redaction, UndoEntry
from workbench.storage.project import Project, is_url

KEY_SUFFIX = ".dyadkey"


class KeyMissing(StudyError):
    """No key where one was looked for (a project that never had a redaction has none)."""


KeyLocation = str | Path | None
"""Where the key is: a key file, a PostgreSQL URL of a key holder, or None for the default."""

KEY_SCHEMA = "dyad_key"
_WATCH_TABLE = "CREATE TABLE IF NOT EXISTS {s}watch (text TEXT PRIMARY KEY, added_at TEXT)"
"""The analyst's own list of identifying words (names in any script, towns, camps, clinics):
kept in the key, since the list itself says who took part. Keys made before it have no such
table until a word is first watched."""
_FILE_TABLES = (
    "CREATE TABLE IF NOT EXISTS {s}meta (name TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE IF NOT EXISTS {s}entry (ref TEXT PRIMARY KEY, original TEXT UNIQUE,"
    " placeholder TEXT, created_at TEXT)",
    "CREATE TABLE IF NOT EXISTS {s}identifier (text TEXT PRIMARY KEY, accepted_at TEXT)",
    _WATCH_TABLE,
)


class KeyStore:
    """The key kept apart: originals with their placeholders, and the identifiers the analyst
    accepted. A second SQLite file beside a project file (``FileKeyStore``), or the schema
    ``dyad_key`` that only key holders' roles can read in a PostgreSQL database
    (``ServerKeyStore``)."""

    schema = ""

    def __init__(self, where: str, project_guid: str) -> None:
        self.where = where
        self.project_guid = project_guid

    @classmethod
    def open(
        cls, project: Project, key: KeyLocation, *, create: bool = False, new_key: bool = False
    ) -> KeyStore:
        """Open the key; with ``create``, make it when there is none yet — but never silently
        beside a project whose earlier redactions have their originals in another key."""
        with project.session(write=False) as s:
            guid = s.scalar(select(ProjectRow.guid)) or ""
            made = s.scalar(select(func.count()).select_from(Redaction)) or 0
        if create and made and not new_key:
            try:
                return cls.open(project, key)
            except KeyMissing as exc:
                raise KeyMissing(
                    f"{exc} — this project already has {made} redaction(s) whose originals are "
                    "in a key: give that key (to start a new key on purpose, add --new-key; the "
                    "earlier redactions then stay undoable only with the old one)"
                ) from None
        store: KeyStore
        if key is not None and is_url(key):
            store = ServerKeyStore.connect(project, str(key), guid, create=create)
        else:
            if key is None:
                if project.path is None:
                    raise KeyMissing(
                        "a team project keeps its key in the database schema dyad_key, which only "
                        "key holders can read: give --key postgresql://KEYHOLDER@HOST/DATABASE"
                    )
                key = project.path.with_suffix(KEY_SUFFIX)
            store = FileKeyStore.at(Path(key), guid, create=create)
        owner = store._query(f"SELECT value FROM {store.schema}meta WHERE name = 'project'")
        if not owner or owner[0][0] != guid:
            raise StudyError(f"{store.where} is the key of another project, not of this one")
        return store

    def _query(self, sql: str, params: dict[str, object] | None = None) -> list[tuple[object, ...]]:
        raise NotImplementedError

    def placeholder_of(self, original: str) -> str | None:
        rows = self._query(
            f"SELECT placeholder FROM {self.schema}entry WHERE original = :o", {"o": original}
        )
        return str(rows[0][0]) if rows else None

    def ref_of(self, original: str, placeholder: str) -> str:
        rows = self._query(
            f"SELECT ref FROM {self.schema}entry WHERE original = :o", {"o": original}
        )
        if rows:
            return str(rows[0][0])
        ref = uuid.uuid4().hex
        self._query(
            f"INSERT INTO {self.schema}entry VALUES (:ref, :o, :p, :at)",
            {"ref": ref, "o": original, "p": placeholder, "at": _now()},
        )
        return ref

    def original(self, ref: str) -> str:
        rows = self._query(f"SELECT original FROM {self.schema}entry WHERE ref = :r", {"r": ref})
        if not rows:
            raise StudyError(f"{self.where} does not hold that redaction's original")
        return str(rows[0][0])

    def originals(self) -> list[str]:
        return [str(r[0]) for r in self._query(f"SELECT original FROM {self.schema}entry")]

    def accept(self, identifier: str) -> None:
        self._query(
            f"INSERT INTO {self.schema}identifier VALUES (:t, :at) ON CONFLICT DO NOTHING",
            {"t": identifier, "at": _now()},
        )

    def identifiers(self) -> list[str]:
        return [str(r[0]) for r in self._query(f"SELECT text FROM {self.schema}identifier")]

    def watch(self, words: list[str]) -> list[str]:
        """Add ``words`` to the watch list; returns those that were not on it yet."""
        self._query(_WATCH_TABLE.format(s=self.schema))
        before = set(self.watched())
        added = [w for w in dict.fromkeys(words) if w not in before]
        for word in added:
            self._query(
                f"INSERT INTO {self.schema}watch VALUES (:t, :at) ON CONFLICT DO NOTHING",
                {"t": word, "at": _now()},
            )
        return added

    def unwatch(self, words: list[str]) -> list[str]:
        """Take ``words`` off the watch list; returns those that were on it."""
        held = set(self.watched())
        gone = [w for w in dict.fromkeys(words) if w in held]
        if gone:  # as ``forget`` removes words: their bytes leave the key too
            self._wipe([(f"DELETE FROM {self.schema}watch WHERE text = :w", w) for w in gone])
        return gone

    def watched(self) -> list[str]:
        """The watch list, in order (empty for a key made before there was one)."""
        if not self._has_table("watch"):
            return []
        return sorted(str(r[0]) for r in self._query(f"SELECT text FROM {self.schema}watch"))

    def _has_table(self, name: str) -> bool:
        raise NotImplementedError

    def refs(self) -> set[str]:
        return {str(r[0]) for r in self._query(f"SELECT ref FROM {self.schema}entry")}

    def forget(self, refs: Collection[str], watched: Collection[str] = ()) -> tuple[int, int]:
        """Remove the entries ``refs`` (originals nothing in the project uses any more), and
        the same words from the accepted identifiers and the watch list, and the ``watched``
        words too (from either list), so the key keeps no word of them (``_wipe``: its freed
        bytes overwritten where the store allows). Returns how many entries went, and how many
        words went from the two lists."""
        wanted = sorted(set(refs) & self.refs())
        if not wanted and not watched:
            return 0, 0
        originals = {
            str(r[0])
            for ref in wanted
            for r in self._query(
                f"SELECT original FROM {self.schema}entry WHERE ref = :r", {"r": ref}
            )
        }
        statements = [(f"DELETE FROM {self.schema}entry WHERE ref = :w", ref) for ref in wanted]
        on_watch = set(self.watched())
        tables = ["identifier"] + (["watch"] if on_watch else [])
        statements += [
            (f"DELETE FROM {self.schema}{table} WHERE text = :w", word)
            for table in tables
            for word in sorted(originals)
        ]
        accepted = set(self.identifiers())
        extra = sorted((set(watched) & (on_watch | accepted)) - originals)
        statements += [
            (f"DELETE FROM {self.schema}{table} WHERE text = :w", w)
            for table in tables
            for w in extra
        ]
        listed = [*self.identifiers(), *on_watch]
        self._wipe(statements)
        return len(wanted), sum(word in originals for word in listed) + len(extra)

    def _wipe(self, statements: list[tuple[str, str]]) -> None:
        """Run the deletions in one transaction, then make the removed words leave the bytes."""
        raise NotImplementedError

    def fingerprint(self) -> str | None:
        """A digest of everything the key holds, keyed by its own random references — so it
        tells whether the key changed without saying which words it holds. None for a key with
        no reference yet (a digest of its accepted words alone could be guessed)."""
        entries = sorted(
            tuple(str(v) for v in row)
            for row in self._query(f"SELECT ref, original, placeholder FROM {self.schema}entry")
        )
        if not entries:
            return None
        secret = "".join(ref for ref, _, _ in entries).encode()
        content = json.dumps(
            [entries, sorted(self.identifiers()), self.watched()], ensure_ascii=False
        )
        return hmac.new(secret, content.encode(), hashlib.sha256).hexdigest()


def refs_in_use(s: Session) -> set[str]:
    """The key references the project still needs: those of its redactions, and of the undo
    steps that would put an original back into analyst text. (A step whose redactions went
    with their utterances — an interview deleted, a participant withdrawn — restores nothing,
    and keeps no original alive.)"""
    used = set(s.scalars(select(Redaction.key_ref)))
    markers = select(UndoEntry.forward).where(UndoEntry.forward.contains('"redaction"'))
    for forward in s.scalars(markers):
        marker = json.loads(forward)
        if marker.get("texts"):
            used.update(marker.get("redaction", []))
    return used


def prune_key(project: Project, key: KeyLocation = None) -> tuple[int, int]:
    """Remove from the key every original no redaction and no undo step of the project uses any
    more (after a withdrawal the key could not be reached for; also what an undone redaction
    left, so redacting that word again may choose a new placeholder). Returns how many went,
    and how many of those words went from the accepted identifiers and the watch list."""
    store = KeyStore.open(project, key)
    with project.session(write=False) as s:
        used = refs_in_use(s)
    return store.forget(store.refs() - used)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def _first_line(exc: DBAPIError) -> str:
    lines = str(exc.orig if exc.orig is not None else exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


class FileKeyStore(KeyStore):
    """The key as a second SQLite file (``study.dyadkey`` beside ``study.dyad`` by default)."""

    def __init__(self, path: Path, project_guid: str) -> None:
        super().__init__(str(path), project_guid)
        self.path = path

    @classmethod
    def at(cls, path: Path, guid: str, *, create: bool) -> FileKeyStore:
        if not path.exists():
            if not create:
                raise KeyMissing(f"no key file at {path}: give the right --key FILE")
            try:
                con = sqlite3.connect(path)
                try:
                    with con:
                        for statement in _FILE_TABLES:
                            con.execute(statement.format(s=""))
                        con.execute("INSERT INTO meta VALUES ('project', ?)", (guid,))
                finally:
                    con.close()
                path.chmod(0o600)  # the originals: readable by their owner only
            except (sqlite3.Error, OSError) as exc:
                raise StudyError(f"cannot make the key file {path}: {exc}") from None
        elif path.is_dir():
            raise StudyError(f"{path} is a folder, not a key file")
        return cls(path, guid)

    def _has_table(self, name: str) -> bool:
        found = self._query(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n", {"n": name}
        )
        return bool(found)

    def _wipe(self, statements: list[tuple[str, str]]) -> None:
        try:
            con = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=rw", uri=True)
            try:
                con.execute("PRAGMA secure_delete = ON")  # freed pages are zeroed
                with con:
                    for sql, word in statements:
                        con.execute(sql, {"w": word})
                con.execute("VACUUM")
            finally:
                con.close()
        except sqlite3.DatabaseError as exc:
            raise StudyError(f"{self.path} is not a writable key file ({exc})") from exc

    def _query(self, sql: str, params: dict[str, object] | None = None) -> list[tuple[object, ...]]:
        try:
            con = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=rw", uri=True)
            try:
                with con:
                    return con.execute(sql, params or {}).fetchall()
            finally:
                con.close()
        except sqlite3.DatabaseError as exc:
            raise StudyError(f"{self.path} is not a readable key file ({exc})") from exc


class ServerKeyStore(KeyStore):
    """The key in the schema ``dyad_key`` of a PostgreSQL database, reached as a key holder.

    The schema is created by the first key holder who redacts (or accepts an identifier) with
    ``--key URL``, with no privilege for PUBLIC: only its owner, roles the owner grants it to and
    superusers can read it. The project's own role must not be one of them: opening the key
    refuses when the connection is the project's role, or when the project's role can use the
    schema."""

    schema = f"{KEY_SCHEMA}."

    def __init__(self, engine: Engine, where: str, project_guid: str) -> None:
        super().__init__(where, project_guid)
        self.engine = engine

    @classmethod
    def connect(cls, project: Project, url: str, guid: str, *, create: bool) -> ServerKeyStore:
        sa_url = make_url(url)
        if not sa_url.get_backend_name().startswith("postgresql"):
            raise StudyError(
                f"a key is a key file or a PostgreSQL URL, not {sa_url.get_backend_name()}"
            )
        if sa_url.drivername in ("postgresql", "postgres"):
            sa_url = sa_url.set(drivername="postgresql+psycopg")
        where = sa_url.render_as_string(hide_password=True)
        engine = create_engine(sa_url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                key_user = conn.scalar(text("SELECT current_user"))
                exists = conn.scalar(text(f"SELECT to_regnamespace('{KEY_SCHEMA}')")) is not None
        except DBAPIError as exc:
            engine.dispose()
            raise StudyError(f"cannot reach the key at {where}: {_first_line(exc)}") from None
        store = cls(engine, where, guid)
        if project.is_sqlite:
            project_user = None
        else:
            with project.engine.connect() as conn:
                project_user = conn.scalar(text("SELECT current_user"))
        if key_user == project_user:
            raise StudyError(
                f"the key must be reached as a key holder's role, not as the project's role "
                f"({project_user}): give --key postgresql://KEYHOLDER@HOST/DATABASE"
            )
        store._refuse_if_project_can_read(project)
        if not exists:
            if not create:
                raise KeyMissing(
                    f"no key at {where}: the schema {KEY_SCHEMA} does not exist there yet"
                )
            store._create(guid)
            store._refuse_if_project_can_read(project)
        return store

    def _create(self, guid: str) -> None:
        try:
            with self.engine.begin() as conn:
                conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {KEY_SCHEMA}"))
                conn.execute(text(f"REVOKE ALL ON SCHEMA {KEY_SCHEMA} FROM PUBLIC"))
                for statement in _FILE_TABLES:
                    conn.execute(text(statement.format(s=self.schema)))
                conn.execute(
                    text(
                        f"INSERT INTO {self.schema}meta VALUES ('project', :g) "
                        "ON CONFLICT DO NOTHING"
                    ),
                    {"g": guid},
                )
        except DBAPIError as exc:
            raise StudyError(
                f"cannot create the key schema {KEY_SCHEMA} at {self.where}: {_first_line(exc)}"
            ) from None

    def _refuse_if_project_can_read(self, project: Project) -> None:
        """The project's role must not be able to read the key (nor be a superuser, who can)."""
        if project.is_sqlite:
            return
        with project.engine.connect() as conn:
            who, superuser, readable = conn.execute(
                text(
                    "SELECT current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = "
                    f"current_user), CASE WHEN to_regnamespace('{KEY_SCHEMA}') IS NULL THEN false "
                    f"ELSE has_schema_privilege('{KEY_SCHEMA}', 'USAGE') END"
                )
            ).one()
        if superuser or readable:
            raise StudyError(
                f"refused: the project's role ({who}) "
                f"{'is a superuser and ' if superuser else ''}can read the key schema "
                f"{KEY_SCHEMA}; keep the key apart: open the project as an analysis role that is "
                "neither a superuser nor a key holder"
            )

    def _has_table(self, name: str) -> bool:
        found = self._query("SELECT to_regclass(:n)", {"n": f"{self.schema}{name}"})
        return bool(found and found[0][0] is not None)

    def _wipe(self, statements: list[tuple[str, str]]) -> None:
        try:
            with self.engine.begin() as conn:
                for sql, word in statements:
                    conn.execute(text(sql), {"w": word})
        except DBAPIError as exc:
            raise StudyError(f"cannot use the key at {self.where}: {_first_line(exc)}") from None
        tables = ["entry", "identifier"] + (["watch"] if self._has_table("watch") else [])
        try:  # old row versions rewritten away (only the schema's owner may)
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text(f"VACUUM FULL {', '.join(self.schema + t for t in tables)}"))
        except DBAPIError:
            pass  # a key holder who does not own the schema: the server's VACUUM will

    def _query(self, sql: str, params: dict[str, object] | None = None) -> list[tuple[object, ...]]:
        try:
            with self.engine.begin() as conn:
                result = conn.execute(text(sql), params or {})
                return [tuple(r) for r in result] if result.returns_rows else []
        except DBAPIError as exc:
            raise StudyError(f"cannot use the key at {self.where}: {_first_line(exc)}") from None
