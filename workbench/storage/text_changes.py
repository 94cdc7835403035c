"""Has any text of the project changed since the export gate last found nothing in its way?

The database records every change of a text-bearing table (migration 0016); this module reads
that record for the gate. The protocol is the gate's:

1. ``seen = look(project)`` before it scans — what the record holds now;
2. it scans every text (in later reads, so it sees at least what ``seen`` covers);
3. nothing found: ``clear(project, seen, key_print)``. Any change committed after step 1 is not
   in ``seen``, so ``cleared`` is false again until the next scan.

The record also names each changed row (migration 0017): ``since`` lists the rows changed
after the verdict, so the gate can read only those, when the log holds every change (SQLite:
as many rows as the clock moved; PostgreSQL: no transaction logged without naming its rows).

Everything here is a shortcut: when the record cannot be read (a role without rights on it, a
project older than 0016 opened read-only), the gate simply scans.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, delete, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from workbench.storage import inventory
from workbench.storage.models import gate_clearance, text_change, text_row_change
from workbench.storage.project import Project, RefusedError

NO_KEY = "no key"
TEXT_TABLES = tuple(
    sorted(
        {c.table for c in inventory.INVENTORY} | {"participant", "dyad", "interview", "redaction"}
    )
)
"""The tables whose changes set the gate's verdict aside: every table the text inventory walks,
and the study's ids and redactions the gate reads beside them."""


def problems(project: Project, s: Session) -> list[str]:
    """Text-bearing tables whose changes the database does not record (``workbench check``)."""
    if project.is_sqlite:
        names = set(s.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
        recorded = {t for t in TEXT_TABLES if f"{t}_text_insert" in names}
    else:
        recorded = set(
            s.scalars(
                text(
                    "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                    "WHERE t.tgname LIKE 'text_change%'"
                )
            )
        )
    if project.is_sqlite:
        bodies: dict[str, str] = {
            name: sql
            for name, sql in s.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            )
        }
        named = {t for t in TEXT_TABLES if "text_row_change" in bodies.get(f"{t}_text_update", "")}
    else:
        named = set(
            s.scalars(
                text(
                    "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                    "WHERE t.tgname = 'text_row_update'"
                )
            )
        )
    return [
        f"table {name} does not record its changes: the export gate could trust a stale check"
        for name in TEXT_TABLES
        if name not in recorded
    ] + [
        f"table {name} does not log which rows changed: the export gate could miss one"
        for name in TEXT_TABLES
        if name in recorded and name not in named
    ]


@dataclass(frozen=True, slots=True)
class Seen:
    clock: int
    """SQLite: the text clock's value."""
    changes: tuple[int, ...]
    """PostgreSQL: the transactions recorded as having changed text."""
    verdict: tuple[object, ...] | None = None
    """The verdict the project held then (``clear`` writes over none other)."""


_CLEARING = 0x776F726B62656E63
"""The advisory lock a PostgreSQL project's gate records its verdict under (one database's
locks are its own)."""


def _verdict(s: Session, *, lock: bool = False) -> tuple[object, ...] | None:
    stmt = select(gate_clearance).where(gate_clearance.c.id == 1)
    row = s.execute(stmt.with_for_update() if lock else stmt).first()
    return None if row is None else tuple(row)


def look(project: Project) -> Seen | None:
    try:
        with project.session(write=False, snapshot=True) as s:
            verdict = _verdict(s)
            if project.is_sqlite:
                clock = int(s.scalar(text("SELECT value FROM text_clock")) or 0)
                return Seen(clock, (), verdict)
            return Seen(0, tuple(s.scalars(select(text_change.c.xid))), verdict)
    except (DBAPIError, RefusedError):
        return None


def _verdict_for(s: Session, key_print: str, rules: int) -> Row[Any] | None:
    """The verdict the project holds, when it was reached with this key and these rules."""
    row = s.execute(select(gate_clearance).where(gate_clearance.c.id == 1)).first()
    if row is None or row.key_print != key_print or row.rules != rules:
        return None
    return row


def cleared(project: Project, key_print: str, rules: int) -> bool:
    """True when the gate found nothing in its way with this key and these rules, and no text
    has changed since."""
    try:
        with project.session(write=False, snapshot=True) as s:
            row = _verdict_for(s, key_print, rules)
            if row is None:
                return False
            if project.is_sqlite:
                return bool(row.clock == s.scalar(text("SELECT value FROM text_clock")))
            return s.execute(select(text_change.c.xid).limit(1)).first() is None
    except (DBAPIError, RefusedError):
        return False


@dataclass(frozen=True, slots=True)
class Since:
    rows: dict[str, frozenset[int | None]]
    """Per table, the rows inserted, updated or deleted since the verdict (None: a row the log
    cannot name)."""
    witnesses: str | None
    """What the verdict kept for judging them (``clear``'s ``witnesses``)."""


def since(project: Project, key_print: str, rules: int) -> Since | None:
    """The rows changed since the gate's last verdict with this key and these rules, when the
    database logged every one of them (fewer than ``ROW_LOG_LIMIT`` since); None when there is
    no such verdict or the log is not whole (the gate reads every text)."""
    log = text_row_change
    try:
        with project.session(write=False, snapshot=True) as s:
            row = _verdict_for(s, key_print, rules)
            if row is None:
                return None
            if project.is_sqlite:
                now = int(s.scalar(text("SELECT value FROM text_clock")) or 0)
                logged: Sequence[tuple[str, int | None]] = [
                    (t, k)
                    for t, k in s.execute(
                        select(log.c.tbl, log.c.row_id).where(log.c.clock > row.clock)
                    )
                ]
                if len(logged) != now - row.clock:
                    return None  # rows the log could not hold, or a change that bypassed it
            else:
                xids = set(s.scalars(select(text_change.c.xid)))
                found = s.execute(
                    select(log.c.xid, log.c.tbl, log.c.row_id).where(log.c.xid.in_(xids))
                ).all()
                if {xid for xid, _, _ in found} != xids or any(k is None for *_, k in found):
                    return None  # a transaction that logged no line, or not all its rows
                logged = [(t, k) for _, t, k in found]
            rows: dict[str, set[int | None]] = {}
            for table, key in logged:
                rows.setdefault(table, set()).add(key)
            return Since({t: frozenset(keys) for t, keys in rows.items()}, row.witnesses)
    except (DBAPIError, RefusedError):
        return None


ROW_LOG_LIMIT = 256
"""The most rows the log holds (migration 0017's ``LIMIT``)."""


def clear(
    project: Project, seen: Seen, key_print: str, rules: int, witnesses: str | None = None
) -> bool:
    """Record that nothing stood in the way as of ``seen`` (taken before the scan), with what
    the gate keeps to judge later changes by (``witnesses``). False when it could not be
    recorded (the next export simply looks again), or when another pass recorded a verdict
    since ``seen`` (a colleague's gate on a team project: its verdict stands, and the changes
    this pass saw stay logged for the next one — written over, its rows kept could miss a
    change it had read and cleared from the log)."""
    values = {
        "id": 1,
        "clock": seen.clock,
        "key_print": key_print,
        "rules": rules,
        "witnesses": witnesses,
    }
    try:
        with project.session() as s:
            if not project.is_sqlite:
                # One clear at a time (SQLite's writers take turns anyway): with no verdict yet
                # there is no row to lock, and two passes would each find none.
                s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CLEARING})
            if _verdict(s, lock=True) != seen.verdict:
                return False
            if seen.changes:
                s.execute(delete(text_change).where(text_change.c.xid.in_(seen.changes)))
                s.execute(delete(text_row_change).where(text_row_change.c.xid.in_(seen.changes)))
            if project.is_sqlite:
                s.execute(delete(text_row_change).where(text_row_change.c.clock <= seen.clock))
            s.execute(delete(gate_clearance))
            s.execute(insert(gate_clearance).values(**values))
    except (DBAPIError, RefusedError):
        return False
    return True


def forget(project: Project) -> None:
    """Drop the verdict (the gate's rules changed under it, or a test wants a cold scan)."""
    with project.session() as s:
        s.execute(delete(gate_clearance))
