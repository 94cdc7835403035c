"""Roles on a team server: owner, analyst and reader as PostgreSQL roles with grants.

Each project database gets three group roles (``<database>_owner``, ``_analyst``, ``_reader``,
no login) holding the grants; ``add_role`` makes a login role that is a member of one of them.
The rules are per table, for every table of the ORM metadata and the database's own bookkeeping
tables, so a table added later without a rule is refused loudly (``RoleError``), never granted
by accident:

- owner: every right on every table and sequence, and CREATE in the schema (waves, people,
  consent, withdrawal). Changing the schema (``workbench migrate``) and VACUUM stay with the
  role that owns the tables (the one that created the project).
- analyst: reads everything; writes the analysis (codes, codings, memos, themes, journal, undo
  history, transcript corrections, change bookkeeping); may update an interview (its status) and
  append to the audit log; never inserts, changes or deletes people, consent, waves, dyads or
  who took part in an interview — so a withdrawal run as an analyst is refused by the database.
- reader: SELECT only, and row-level security hides participants whose consent is not
  ``consented`` and every row that points at such a participant or at an utterance hidden so
  (their utterances, words, translations, codings on them, memos about them ...).

The key holder is a separate matter (the ``dyad_key`` schema, ``workbench.coding.keystore``):
none of these roles is given anything there.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from workbench.domain.team import KINDS, OWNER, READER
from workbench.storage.models import DERIVED, Base

_READ = ("SELECT",)
_WRITE = ("SELECT", "INSERT", "UPDATE", "DELETE")
_ALL = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")

STRUCTURE = frozenset(
    {
        "project",
        "wave",
        "participant",
        "participant_attribute",
        "participant_wave_attribute",
        "dyad",
        "dyad_member",
        "interview_participant",
        "alembic_version",
    }
)
"""The owner's: the study's shape, its people and their consent. An analyst reads them only."""

ANALYSIS = frozenset(
    {
        "setting",
        "coder",
        "utterance",
        "word",
        "translation",
        "rendering_span",
        "utterance_link",
        "interview_title",
        "transcription_queue",
        "redaction",
        "code",
        "coding",
        "detached_coding",
        "code_category",
        "theme",
        "theme_code",
        "theme_event",
        "memo",
        "journal_entry",
        "cell_summary",
        "trajectory",
        "exemplar",
        "dyad_stance",
        "snapshot",
        "undo_entry",
        "interview_version",
        "analysis_rows",
        "gate_clearance",
        "text_change",
        "text_row_change",
    }
)
"""The analyst's work, and the bookkeeping the database's triggers keep while it is done."""

ANALYST_SPECIAL: dict[str, tuple[str, ...]] = {
    "interview": ("SELECT", "UPDATE"),  # marking an interview coded; adding or deleting: owner
    "audit_log": ("SELECT", "INSERT"),  # append only: rewriting it is the owner's (withdrawal)
}

HIDDEN_FROM_READERS = "consent = 'consented'"
"""Which participants a reader sees (the participant table's own condition)."""


class RoleError(Exception):
    """A role cannot be made or listed; the message is one line."""


@dataclass(frozen=True)
class RoleInfo:
    name: str
    kind: str
    note: str = ""
    """What this role still cannot do, when the tables' owner is not a group (``add_role``)."""


def project_tables() -> list[str]:
    """Every table a project database holds: the ORM's, the derived ones, Alembic's."""
    return sorted({*Base.metadata.tables, *DERIVED.tables, "alembic_version"})


def privileges(table: str, kind: str) -> tuple[str, ...]:
    """What a role of ``kind`` may do to ``table``; a table without a rule is an error."""
    if kind not in KINDS:
        raise RoleError(f"unknown role kind '{kind}' (use {', '.join(KINDS)})")
    ruled = table in STRUCTURE or table in ANALYSIS or table in ANALYST_SPECIAL
    if not ruled:
        raise RoleError(f"table '{table}' has no role rule (add it to workbench/storage/roles.py)")
    if kind == OWNER:
        return _ALL
    if kind == READER:
        return _READ
    if table in ANALYST_SPECIAL:
        return ANALYST_SPECIAL[table]
    return _WRITE if table in ANALYSIS else _READ


def group_name(database: str, kind: str) -> str:
    """The group role holding ``kind``'s grants on one database (roles are cluster-wide)."""
    base = re.sub(r"[^a-z0-9_]", "_", database.lower())
    if base != database or len(base) > 48:  # two databases must never share a group
        base = f"{base[:39]}_{hashlib.sha256(database.encode()).hexdigest()[:8]}"
    return f"{base}_{kind}"


def reader_conditions() -> dict[str, str]:
    """Per table, what a reader may see of it: derived from the foreign keys, so a new table
    that points at a participant or an utterance is hidden with them."""
    conditions = {"participant": HIDDEN_FROM_READERS}
    for table in Base.metadata.sorted_tables:
        parts = []
        for fk in sorted(table.foreign_keys, key=lambda f: f.parent.name):
            target = fk.column.table.name
            if target in ("participant", "utterance") and target != table.name:
                col = fk.parent.name
                parts.append(
                    f'("{col}" IS NULL OR EXISTS '
                    f'(SELECT 1 FROM "{target}" t WHERE t.id = "{table.name}"."{col}"))'
                )
        if parts:
            conditions[table.name] = " AND ".join(parts)
    return conditions


# --- on the server -------------------------------------------------------------------------


def _require_server(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        raise RoleError("roles need a team project on PostgreSQL")


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,62}$")


def grant_all(conn: Connection) -> None:
    """Make the three group roles of this database if missing and (re)grant every table's
    rule to them, with the reader's row-level security. Safe to run again after a migration."""
    database = conn.exec_driver_sql("SELECT current_database()").scalar_one()
    schema = _quote(conn, conn.exec_driver_sql("SELECT current_schema()").scalar_one())
    groups = {kind: group_name(database, kind) for kind in KINDS}
    existing = set(conn.exec_driver_sql("SELECT rolname FROM pg_roles").scalars())
    present = set(
        conn.exec_driver_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        ).scalars()
    )
    for kind, group in groups.items():
        q = _quote(conn, group)
        if group not in existing:
            conn.exec_driver_sql(f"CREATE ROLE {q} NOLOGIN")
        conn.exec_driver_sql(f"GRANT CONNECT ON DATABASE {_quote(conn, database)} TO {q}")
        conn.exec_driver_sql(
            f"GRANT USAGE{', CREATE' if kind == OWNER else ''} ON SCHEMA {schema} TO {q}"
        )
        for table in project_tables():
            if table not in present:
                continue
            conn.exec_driver_sql(f'REVOKE ALL ON "{table}" FROM {q}')
            conn.exec_driver_sql(f'GRANT {", ".join(privileges(table, kind))} ON "{table}" TO {q}')
        if kind != READER:
            rights = "USAGE, SELECT, UPDATE" if kind == OWNER else "USAGE, SELECT"
            conn.exec_driver_sql(f"GRANT {rights} ON ALL SEQUENCES IN SCHEMA {schema} TO {q}")
    _reader_security(conn, groups[READER], present)


def _reader_security(conn: Connection, reader_group: str, present: set[str]) -> None:
    q = _quote(conn, reader_group)
    for table, condition in reader_conditions().items():
        if table not in present:
            continue
        conn.exec_driver_sql(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
        for policy in ("workbench_everyone", "workbench_reader"):
            conn.exec_driver_sql(f'DROP POLICY IF EXISTS {policy} ON "{table}"')
        # Everyone else sees every row; a reader also has to pass the restrictive condition.
        conn.exec_driver_sql(
            f'CREATE POLICY workbench_everyone ON "{table}" USING (true) WITH CHECK (true)'
        )
        conn.exec_driver_sql(
            f'CREATE POLICY workbench_reader ON "{table}" AS RESTRICTIVE FOR SELECT '
            f"TO {q} USING ({condition})"
        )


def add_role(engine: Engine, name: str, kind: str, password: str | None = None) -> RoleInfo:
    """A login role ``name`` of ``kind`` on this project database (made by an administrator:
    a superuser, or the tables' owner with CREATEROLE)."""
    _require_server(engine)
    if kind not in KINDS:
        raise RoleError(f"unknown role kind '{kind}' (use {', '.join(KINDS)})")
    if not _NAME.match(name):
        raise RoleError(f"'{name}' is not a usable role name (letters, digits, _ . -)")
    try:
        with engine.begin() as conn:
            grant_all(conn)
            database = conn.exec_driver_sql("SELECT current_database()").scalar_one()
            q = _quote(conn, name)
            exists = conn.execute(
                text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}
            ).scalar()
            if exists:
                kinds = _kinds_of(conn, name, database)
                if kinds and kinds != [kind]:
                    raise RoleError(f"role '{name}' is already {', '.join(kinds)} here")
            else:
                conn.exec_driver_sql(f"CREATE ROLE {q} LOGIN")
            if password is not None:
                conn.exec_driver_sql(f"ALTER ROLE {q} PASSWORD {_literal(password)}")
            conn.exec_driver_sql(f"GRANT {_quote(conn, group_name(database, kind))} TO {q}")
            note = _make_table_owner(conn, name) if kind == OWNER else ""
    except DBAPIError as exc:
        raise RoleError(f"cannot make role '{name}': {_first_line(exc)}") from exc
    return RoleInfo(name, kind, note)


def _make_table_owner(conn: Connection, name: str) -> str:
    """Make an owner a member of the role that owns the tables, so it can also change the
    schema (``workbench migrate``) and VACUUM after a withdrawal — when that role is a group
    (no login, not a superuser); membership in a person's own login role would let the owner
    act as that person, so then the owner stays without those two rights and is told so."""
    tables_owner, can_login, superuser = conn.exec_driver_sql(
        "SELECT t.tableowner, r.rolcanlogin, r.rolsuper FROM pg_tables t "
        "JOIN pg_roles r ON r.rolname = t.tableowner "
        "WHERE t.schemaname = current_schema() AND t.tablename = 'participant'"
    ).one()
    if tables_owner == name:
        return ""
    if can_login or superuser:
        return (
            f"the tables belong to the login role '{tables_owner}', so '{name}' cannot run "
            "`workbench migrate` nor compact the server after a withdrawal; give the tables to "
            "a group role (docs/team.md)"
        )
    conn.exec_driver_sql(f"GRANT {_quote(conn, tables_owner)} TO {_quote(conn, name)}")
    return ""


def regrant(engine: Engine) -> None:
    """Apply every table's rule again (after ``workbench migrate`` added a table)."""
    _require_server(engine)
    try:
        with engine.begin() as conn:
            grant_all(conn)
    except DBAPIError as exc:
        raise RoleError(f"cannot grant the roles' rights: {_first_line(exc)}") from exc


def _kinds_of(conn: Connection, name: str, database: str) -> list[str]:
    kinds = []
    for kind in KINDS:
        member = conn.execute(
            text(
                "SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
                "JOIN pg_roles r ON r.oid = m.member WHERE g.rolname = :g AND r.rolname = :r"
            ),
            {"g": group_name(database, kind), "r": name},
        ).scalar()
        if member:
            kinds.append(kind)
    return kinds


def list_roles(engine: Engine) -> list[RoleInfo]:
    """The login roles of this project database and their kinds."""
    _require_server(engine)
    with engine.connect() as conn:
        database = conn.exec_driver_sql("SELECT current_database()").scalar_one()
        groups = {group_name(database, kind): kind for kind in KINDS}
        rows = conn.execute(
            text(
                "SELECT r.rolname, g.rolname FROM pg_auth_members m "
                "JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member "
                "WHERE g.rolname = ANY(:groups) ORDER BY r.rolname"
            ),
            {"groups": list(groups)},
        ).all()
    return [RoleInfo(str(member), groups[str(group)]) for member, group in rows]


def current_role(engine: Engine) -> RoleInfo:
    """Who this connection is, and as what (``""`` when no workbench kind applies)."""
    with engine.connect() as conn:
        database, me = conn.exec_driver_sql("SELECT current_database(), current_user").one()
        for kind in KINDS:
            member = conn.execute(
                text(
                    "SELECT pg_has_role(current_user, oid, 'MEMBER') FROM pg_roles "
                    "WHERE rolname = :g"
                ),
                {"g": group_name(str(database), kind)},
            ).scalar()
            if member:
                return RoleInfo(str(me), kind)
    return RoleInfo(str(me), "")


def is_permission_error(exc: BaseException) -> bool:
    """Whether PostgreSQL refused for lack of rights (SQLSTATE 42501), anywhere in the chain."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if getattr(e, "sqlstate", None) == "42501":
            return True
        context = None if e.__suppress_context__ else e.__context__
        todo += [e.__cause__, context, getattr(e, "orig", None)]
    return False


def refusal(role: RoleInfo | None, statement: str | None = None) -> str:
    """The one line a refused role reads (``statement``: the SQL refused, when known)."""
    if statement is not None and _is_read(statement):
        who = f"{role.kind or 'role'} '{role.name}'" if role else "this PostgreSQL role"
        return (
            f"refused: {who} may not read this part of the project (a grant is missing: the "
            "administrator can run `workbench team grant URL`)"
        )
    if role is None or not role.kind:
        who = f"role '{role.name}'" if role else "this PostgreSQL role"
        return f"refused: {who} may not change this project (PostgreSQL role without write rights)"
    if role.kind == READER:
        return (
            f"refused: reader '{role.name}' may not change this project "
            "(PostgreSQL role without write rights)"
        )
    return (
        f"refused: {role.kind} '{role.name}' may not do this: people, consent, waves and "
        "interviews are the owner's (PostgreSQL role without those rights)"
    )


def _is_read(statement: str) -> bool:
    words = statement.lstrip().upper()
    return (
        words.startswith(("SELECT", "WITH"))
        and "FOR UPDATE" not in words
        and ("INSERT" not in words and "UPDATE" not in words and "DELETE" not in words)
    )


def _first_line(value: object) -> str:
    if isinstance(value, DBAPIError) and value.orig is not None:
        value = value.orig
    lines = str(value).strip().splitlines()
    return lines[0] if lines else type(value).__name__
