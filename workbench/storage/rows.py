"""Rows as plain values, and the guard that keeps a writer from overwriting what it never saw.

Every writing unit of work (``Project.session()``) is guarded: just before its changes are
flushed, each row it updates or deletes is read again — ``FOR UPDATE`` on PostgreSQL, so nobody
can change it until the unit ends — and compared with the values the unit loaded. A colleague's
commit in between raises ``Collision`` instead of writing over their change;
``Project.retrying`` runs the unit again, reading afresh. SQLite writers hold the file's write
lock from their first statement, so there the comparison never fails, and costs one read.

The rows read are kept on the session (``ROWS_READ``): the undo recorder
(``workbench.coding.undo``) takes its "before" images from them instead of reading twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Table, and_, event, inspect, select
from sqlalchemy.orm import Session

from workbench.storage.models import Base

RowKey = tuple[str, tuple[Any, ...]]
T = TypeVar("T")
IN_LIST = 500
"""Values asked about in one ``IN (…)``: a name redacted everywhere may touch thousands of rows,
more than one statement's parameters should carry."""


def chunks(values: Sequence[T], size: int = IN_LIST) -> list[list[T]]:
    """``values`` in runs of ``size``, for ``IN (…)`` lists of bounded length."""
    return [list(values[i : i + size]) for i in range(0, len(values), size)]


"""(table name, primary key values)"""
ROWS_READ = "rows_read"
"""``session.info`` key: RowKey -> the row as the guard read it (encoded), or None."""


class Collision(Exception):
    """A row changed between this unit's read and its write: run the unit again, reading afresh."""


def encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$d": value.isoformat()}
    return value


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "$dt" in value:
            return dt.datetime.fromisoformat(value["$dt"])
        if "$d" in value:
            return dt.date.fromisoformat(value["$d"])
    return value


def normalise(value: Any) -> Any:
    """SQLite hands back naive datetimes; make both databases compare equal."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)
    return value


def table_of(name: str) -> Table:
    return Base.metadata.tables[name]


def pk_clause(table: Table, key: tuple[Any, ...]) -> Any:
    return and_(*(col == value for col, value in zip(table.primary_key.columns, key, strict=True)))


def _select(session: Session, table: Table, lock: bool) -> Any:
    """``SELECT`` the table's rows, locked until the transaction ends when ``lock`` (PostgreSQL;
    SQLite's writers hold the whole file already)."""
    query = select(table)
    if lock and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return query


def _values(row: Any) -> dict[str, Any]:
    return {col: encode(normalise(row[col])) for col in row}


def read_rows(
    session: Session, keys: list[RowKey], lock: bool = False
) -> dict[RowKey, dict[str, Any] | None]:
    """Many rows at once: one query per table (single-column keys), else one per row. With
    ``lock``, nobody else can change them until this transaction ends."""
    found: dict[RowKey, dict[str, Any] | None] = {key: None for key in keys}
    by_table: dict[str, list[tuple[Any, ...]]] = {}
    for name, key in keys:
        by_table.setdefault(name, []).append(key)
    for name, pks in by_table.items():
        table = table_of(name)
        columns = list(table.primary_key.columns)
        if len(columns) != 1:
            for key in pks:
                query = _select(session, table, lock).where(pk_clause(table, key))
                row = session.execute(query).mappings().first()
                found[(name, key)] = None if row is None else _values(row)
            continue
        for keys in chunks(pks):
            chunk = [k[0] for k in keys]
            query = _select(session, table, lock).where(columns[0].in_(chunk))
            for row in session.execute(query).mappings():
                found[(name, (row[columns[0].name],))] = _values(row)
    return found


def row_key(obj: object) -> RowKey | None:
    """The table and primary key of a mapped object (None while its key is not known yet)."""
    state = inspect(obj)
    mapper = state.mapper
    table = mapper.local_table
    if not isinstance(table, Table):
        return None
    identity = state.identity
    if identity is None:
        identity = tuple(
            getattr(obj, mapper.get_property_by_column(c).key) for c in table.primary_key
        )
        if any(v is None for v in identity):
            return None
    return table.name, tuple(identity)


def as_read(obj: object) -> dict[str, Any]:
    """The row's columns as this transaction read them (before its own changes), encoded as
    ``read_rows`` encodes; columns it never loaded are left out."""
    state = inspect(obj)
    mapper = state.mapper
    read: dict[str, Any] = {}
    for column in mapper.local_table.columns:
        history = state.attrs[mapper.get_property_by_column(column).key].history
        if history.deleted:
            value = history.deleted[0]
        elif history.unchanged:
            value = history.unchanged[0]
        else:
            continue
        read[column.name] = encode(normalise(value))
    return read


def _before_flush(s: Session, _ctx: Any, _instances: Any) -> None:
    read_already: dict[RowKey, dict[str, Any] | None] = s.info.setdefault(ROWS_READ, {})
    with s.no_autoflush:
        objects: dict[RowKey, object] = {}
        for obj in list(s.dirty) + list(s.deleted):
            key = row_key(obj)
            if key is not None and key not in read_already and key not in objects:
                objects[key] = obj
        for key, now in read_rows(s, list(objects), lock=True).items():
            loaded = as_read(objects[key])
            if now is None or any(now.get(c) != v for c, v in loaded.items()):
                raise Collision(
                    f"{key[0].replace('_', ' ')} {key[1][0]} was changed by someone else while "
                    "this ran; nothing was saved — run it again"
                )
            read_already[key] = now


def guard(session: Session) -> None:
    """Lock and compare every row the session updates or deletes (see the module's doc)."""
    event.listen(session, "before_flush", _before_flush)
