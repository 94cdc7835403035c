"""Which rows changed since the export gate's last clean pass (SQLite), so it reads only those.

Migration 0016 made the gate's verdict "nothing stands in the way" last until any text changed;
after a change the gate read every text again. On SQLite the same triggers now also write each
changed row (its table and id, and the clock value the change moved to) into
``text_row_change``, so the gate can read only the rows changed since its verdict
(``workbench.storage.text_changes.since``). The log holds at most ``LIMIT`` rows: past that the
triggers stop writing, the number of rows logged no longer matches how far the clock moved, and
the gate reads everything again, as it does whenever the two disagree (a bulk import moves the
clock without logging its rows). The gate deletes the rows it has read when it records a verdict.

``gate_clearance.witnesses`` keeps, beside the verdict, what the gate needs to judge a changed
row without reading the others: keyed digests of words and row ids, never words
(``workbench.coding.identifiers``).

PostgreSQL keeps 0016's record per transaction: a team project's gate reads every text after a
change, as before.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

LIMIT = 256
"""At most this many rows in the log (``text_changes.ROW_LOG_LIMIT``)."""

KEYS = {
    "audit_log": "id",
    "cell_summary": "id",
    "code": "id",
    "coding": "id",
    "detached_coding": "id",
    "dyad": "id",
    "dyad_stance": "id",
    "exemplar": "id",
    "interview": "id",
    "interview_title": "interview_id",
    "journal_entry": "id",
    "memo": "id",
    "participant": "id",
    "participant_attribute": "id",
    "participant_wave_attribute": "id",
    "project": "id",
    "redaction": "id",
    "setting": None,
    "snapshot": "id",
    "theme": "id",
    "theme_event": "id",
    "trajectory": "id",
    "transcription_queue": "id",
    "translation": "id",
    "undo_entry": "id",
    "utterance": "id",
    "wave": "id",
    "word": "id",
}
"""0016's tables, each with its integer key (a setting is named by a string: logged without
one, which the gate reads as "look at everything")."""

_EXPORT = "NEW.action <> 'export'"


def _trigger(table: str, event: str, *, rows: bool) -> str:
    when = f" WHEN {_EXPORT}" if (table, event) == ("audit_log", "INSERT") else ""
    body = "UPDATE text_clock SET value = value + 1;"
    if rows:
        key = KEYS[table]
        row = "NULL" if key is None else f'{"OLD" if event == "DELETE" else "NEW"}."{key}"'
        body += (
            f" INSERT INTO text_row_change (clock, tbl, row_id) SELECT value, '{table}', {row} "
            f"FROM text_clock WHERE (SELECT count(*) FROM text_row_change) < {LIMIT};"
        )
        if event == "UPDATE" and key is not None:
            # A row whose key changed is two rows: the one gone is logged too (one row more
            # than the clock moved, so the gate reads everything, as it should after this).
            body += (
                f" INSERT INTO text_row_change (clock, tbl, row_id) SELECT value, '{table}', "
                f'OLD."{key}" FROM text_clock WHERE OLD."{key}" IS NOT NEW."{key}";'
            )
    return (
        f'CREATE TRIGGER "{table}_text_{event.lower()}" AFTER {event} ON "{table}"{when} '
        f"BEGIN {body} END"
    )


def _triggers(*, rows: bool) -> None:
    for table in KEYS:
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(f'DROP TRIGGER IF EXISTS "{table}_text_{event.lower()}"')
            op.execute(_trigger(table, event, rows=rows))


def upgrade() -> None:
    op.add_column("gate_clearance", sa.Column("witnesses", sa.Text(), nullable=True))
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "CREATE TABLE text_row_change (clock INTEGER NOT NULL, tbl TEXT NOT NULL, row_id INTEGER)"
    )
    _triggers(rows=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _triggers(rows=False)
        op.execute("DROP TABLE IF EXISTS text_row_change")
    with op.batch_alter_table("gate_clearance") as batch:
        batch.drop_column("witnesses")
