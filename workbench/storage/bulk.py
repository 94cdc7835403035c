"""Many utterance and coding rows inserted into a SQLite project at once, without a trigger and
an index write per row: the import of a .qdpx into an empty project (``qdpx_write``).

On SQLite every inserted utterance fires three triggers (its full-text entry, the text clock of
migration 0016, its interview's version of migration 0005) and every coding two, and each
writes six secondary indexes besides. ``Bulk`` drops those insert triggers and indexes for the
duration of one transaction, does what the triggers would have done once per batch (the same
clock values, the same interview versions, the same full-text entries), and puts back the very
``CREATE`` statements it read from ``sqlite_master`` before the transaction commits. The schema
is SQLite's transactional DDL: a failed import rolls back to the triggers and indexes as they
were. On PostgreSQL (statement-level triggers; indexes kept) nothing is dropped and ``rows``
does nothing: the triggers do their own work.

``tests/storage/test_bulk.py`` checks that an import leaves the schema a freshly made project
has, and the same rows, clocks, versions and full-text entries as row-by-row triggers would.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from typing import Any

from sqlalchemy import Table, insert, text
from sqlalchemy.orm import Session

TRIGGERS = (
    "utterance_fts_insert",
    "utterance_text_insert",
    "utterance_version_insert",
    "coding_text_insert",
    "coding_version_insert",
)
"""The insert triggers taken over; their update and delete triggers stay (nothing here updates
or deletes)."""
INDEXES = (
    "ix_coding_code_id",
    "ix_coding_end_utterance_id",
    "ix_coding_interview_id",
    "ix_coding_start_utterance_id",
    "ix_utterance_renders_id",
    "ix_utterance_speaker_id",
)
"""Built again once, at the end. ``ix_utterance_interview_position`` stays: the import reads
each interview's utterance ids through it."""


class Bulk:
    """One transaction's bulk inserts (see the module). ``start`` before the first row,
    ``rows`` after every insert, ``finish`` before the commit."""

    def __init__(self, s: Session, sqlite: bool) -> None:
        self.s = s
        self.active = False
        self.sqlite = sqlite
        self.saved: list[str] = []
        self.first_utterance = 0

    def start(self) -> None:
        if not self.sqlite:
            return
        s = self.s
        found: dict[str, str] = dict(
            s.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type IN ('trigger', 'index')")
            ).all()
        )
        if any(name not in found for name in (*TRIGGERS, *INDEXES)):
            return  # not the schema this knows: leave the triggers to it
        self.saved = [found[name] for name in (*INDEXES, *TRIGGERS)]
        for name in TRIGGERS:
            s.execute(text(f'DROP TRIGGER "{name}"'))
        for name in INDEXES:
            s.execute(text(f'DROP INDEX "{name}"'))
        self.first_utterance = int(s.scalar(text("SELECT coalesce(max(id), 0) FROM utterance")))
        self.active = True

    def insert(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """Insert ``rows`` (every one with the same keys, every column but the id) through the
        driver's ``executemany``, each value through its column type's own bind processor, as
        SQLAlchemy's insert would; then ``rows`` for the triggers. Not started: SQLAlchemy's
        insert, the triggers doing their own work."""
        if not self.active:  # PostgreSQL, or a schema this does not know
            self.s.execute(insert(table), rows)
            return
        keys = list(rows[0])
        missing = {c.name for c in table.c if not c.primary_key} - set(keys)
        if missing:  # their Python-side defaults would be skipped
            raise ValueError(f"bulk insert into {table.name} without {sorted(missing)}")
        dialect = self.s.get_bind().dialect
        procs = [table.c[k].type.dialect_impl(dialect).bind_processor(dialect) for k in keys]
        columns = ", ".join(f'"{k}"' for k in keys)
        sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({", ".join("?" * len(keys))})'
        if any(procs):
            data = [
                tuple(r[k] if p is None else p(r[k]) for k, p in zip(keys, procs, strict=True))
                for r in rows
            ]
        else:
            data = [tuple(r[k] for k in keys) for r in rows]
        self.s.connection().exec_driver_sql(sql, data)
        self.rows(table.name, [r["interview_id"] for r in rows])

    def rows(self, table: str, interview_ids: Sequence[int]) -> None:
        """What the insert triggers would have done for these rows of ``table`` ("utterance"
        or "coding"), inserted in this order for these interviews (one id per row)."""
        assert table in ("utterance", "coding"), table
        if not self.active or not interview_ids:
            return
        s = self.s
        s.execute(text("UPDATE text_clock SET value = value + :n"), {"n": len(interview_ids)})
        # Row by row: the clock moves on by one, the row's interview takes its value and
        # forgets its remembered rows. A run of rows of one interview ends the same way.
        for interview_id, run in groupby(interview_ids):
            n = sum(1 for _ in run)
            s.execute(text("UPDATE analysis_clock SET value = value + :n"), {"n": n})
            s.execute(
                text(
                    "UPDATE interview_version SET version = (SELECT value FROM analysis_clock) "
                    "WHERE interview_id = :i"
                ),
                {"i": interview_id},
            )
            s.execute(
                text("DELETE FROM analysis_rows WHERE interview_id = :i"), {"i": interview_id}
            )

    def finish(self) -> None:
        """The full-text entries of the new utterances, then the indexes and triggers back."""
        if not self.active:
            return
        s = self.s
        s.execute(
            text(
                "INSERT INTO utterance_fts(rowid, search_text) "
                "SELECT id, search_text FROM utterance WHERE id > :first ORDER BY id"
            ),
            {"first": self.first_utterance},
        )
        for statement in self.saved:
            s.connection().exec_driver_sql(statement)  # verbatim: no bind parameters read in it
        self.active = False
