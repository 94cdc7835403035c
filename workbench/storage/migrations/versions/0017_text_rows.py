"""Which rows changed since the export gate's last clean pass, so it reads only those.

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

PostgreSQL: statement-level triggers with transition tables log each changed row with its
transaction (``_PG_FUNCTION``); ``since`` trusts the log when every transaction 0016 recorded
has its lines there and none of them is a line without a row.

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


UNNAMED = "workbench.rows_unnamed"
"""PostgreSQL: set (for the rest of the transaction) once a transaction's rows are not all
named; the triggers' condition then skips the function (an import's statements cost nothing)."""

_PG_FUNCTION = f"""
CREATE FUNCTION workbench_rows_changed() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    me bigint := pg_current_xact_id()::text::bigint;
    key text := TG_ARGV[0];
    source text;
    n bigint;
BEGIN
    IF key <> '' AND TG_OP <> 'TRUNCATE' THEN
        source := CASE TG_OP
            WHEN 'INSERT' THEN format('SELECT %I AS k FROM changed_rows', key)
            WHEN 'DELETE' THEN format('SELECT %I AS k FROM gone_rows', key)
            ELSE format('SELECT %I AS k FROM changed_rows UNION SELECT %I FROM gone_rows', key, key)
        END;
        IF TG_TABLE_NAME = 'audit_log' AND TG_OP = 'INSERT' THEN
            -- an export's own row, as in 0016: not a change
            source := format('SELECT %I AS k FROM changed_rows WHERE action <> %L', key, 'export');
        END IF;
        EXECUTE format('SELECT count(*) FROM (%s) AS s', source) INTO n;
        IF n = 0 THEN
            -- no row: the transaction (which 0016 records, unless only an export wrote) still
            -- logs a line, so every recorded transaction has one (row -1 is no row)
            IF NOT (TG_TABLE_NAME = 'audit_log' AND TG_OP = 'INSERT') THEN
                INSERT INTO text_row_change (xid, tbl, row_id) VALUES (me, TG_TABLE_NAME, -1);
            END IF;
            RETURN NULL;
        END IF;
        IF n + (SELECT count(*) FROM (SELECT 1 FROM text_row_change LIMIT {LIMIT}) AS l)
                <= {LIMIT} THEN
            EXECUTE format(
                'INSERT INTO text_row_change (xid, tbl, row_id) SELECT $1, $2, k FROM (%s) AS s',
                source
            ) USING me, TG_TABLE_NAME;
            RETURN NULL;
        END IF;
    END IF;
    -- more rows than the log holds, a table without an integer key, or TRUNCATE: this
    -- transaction's rows are not all named, and nothing more is logged until it ends
    INSERT INTO text_row_change (xid, tbl, row_id) VALUES (me, TG_TABLE_NAME, NULL);
    PERFORM set_config('{UNNAMED}', 'on', true);
    RETURN NULL;
END $$
"""
"""PostgreSQL: each changed row (its transaction, table and key), from statement-level
triggers that read the statement's rows as a set (transition tables: an import's thousands of
rows cost one call per statement). A row whose key an update changed is logged under both
keys. A transaction whose rows are not all named logs one row without a key, after which it
logs nothing more. SECURITY DEFINER as 0016's function: an analyst's write logs its rows
although only the tables' owner may insert there."""


def _pg_triggers() -> None:
    run = (
        f"FOR EACH STATEMENT WHEN (current_setting('{UNNAMED}', true) IS DISTINCT FROM 'on') "
        "EXECUTE FUNCTION workbench_rows_changed"
    )
    for table, key in KEYS.items():
        k = f"('{key or ''}')"
        op.execute(
            f'CREATE TRIGGER text_row_insert AFTER INSERT ON "{table}" '
            f"REFERENCING NEW TABLE AS changed_rows {run}{k}"
        )
        op.execute(
            f'CREATE TRIGGER text_row_update AFTER UPDATE ON "{table}" '
            f"REFERENCING OLD TABLE AS gone_rows NEW TABLE AS changed_rows {run}{k}"
        )
        op.execute(
            f'CREATE TRIGGER text_row_delete AFTER DELETE ON "{table}" '
            f"REFERENCING OLD TABLE AS gone_rows {run}{k}"
        )
        op.execute(f'CREATE TRIGGER text_row_truncate AFTER TRUNCATE ON "{table}" {run}{k}')


def upgrade() -> None:
    op.add_column("gate_clearance", sa.Column("witnesses", sa.Text(), nullable=True))
    op.create_table(
        "text_row_change",
        sa.Column("clock", sa.BigInteger(), nullable=True),
        sa.Column("xid", sa.BigInteger(), nullable=True),
        sa.Column("tbl", sa.String(40), nullable=False),
        sa.Column("row_id", sa.BigInteger(), nullable=True),
    )
    if op.get_bind().dialect.name == "sqlite":
        _triggers(rows=True)
        return
    op.create_index("ix_text_row_change_xid", "text_row_change", ["xid"])
    op.execute(_PG_FUNCTION)
    _pg_triggers()
    # Transactions recorded before this revision named no rows: each is logged as such.
    op.execute(
        "INSERT INTO text_row_change (xid, tbl, row_id) SELECT xid, '', NULL FROM text_change"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _triggers(rows=False)
    else:
        for table in KEYS:
            for event in ("insert", "update", "delete", "truncate"):
                op.execute(f'DROP TRIGGER IF EXISTS text_row_{event} ON "{table}"')
        op.execute("DROP FUNCTION IF EXISTS workbench_rows_changed()")
    op.drop_table("text_row_change")
    with op.batch_alter_table("gate_clearance") as batch:
        batch.drop_column("witnesses")
