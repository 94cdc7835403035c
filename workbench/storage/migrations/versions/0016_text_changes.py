"""Text changes, kept by the database, so the export gate scans a project only when it changed.

The export gate (``workbench.exchange.gate``) refuses every export while the project holds an
identifier or a suggested name nobody reviewed: a pass over every inventoried text. Its verdict
"nothing stands in the way" is kept with the moment it was reached, and stays good until any
text-bearing table changes. Triggers record those changes, so no write path can forget them:

- SQLite: a one-row clock (``text_clock``) that every insert, update or delete of a
  text-bearing table moves on (SQLite's writers take turns, so one row costs nothing).
- PostgreSQL: one row per writing transaction in ``text_change`` (its transaction id), from a
  statement-level trigger. Writers never wait on each other (no shared row); the gate deletes
  exactly the rows it saw, so a commit it did not see leaves its row and the next export scans.

The export's own audit row (action ``export``: a file name, which the gate checks itself) moves
nothing, so exporting twice in a row scans once. ``gate_clearance`` holds the verdict: the
clock value (SQLite) and a fingerprint of the key it was reached with — keyed by the key's own
random references, so it says nothing about which words the key holds.

Tables made by a later migration that hold text need these triggers too
(``tests/storage/test_text_changes.py`` fails for an inventoried table without them, and
``workbench check`` names it).

Revision ID: 0016
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None

TEXT_TABLES = (
    "audit_log",
    "cell_summary",
    "code",
    "coding",
    "detached_coding",
    "dyad",
    "dyad_stance",
    "exemplar",
    "interview",
    "interview_title",
    "journal_entry",
    "memo",
    "participant",
    "participant_attribute",
    "participant_wave_attribute",
    "project",
    "redaction",
    "setting",
    "snapshot",
    "theme",
    "theme_event",
    "trajectory",
    "transcription_queue",
    "translation",
    "undo_entry",
    "utterance",
    "wave",
    "word",
)
"""Every table the text inventory walks, and the ones the gate reads beside them: the study's
ids (participant, dyad, interview), redactions, and the dismissed words (a setting)."""

_EXPORT = "NEW.action <> 'export'"
"""The one change that moves nothing: an export's own audit row."""


def _sqlite_statements(tables: tuple[str, ...]) -> list[str]:
    statements = []
    for table in tables:
        for event in ("INSERT", "UPDATE", "DELETE"):
            when = f" WHEN {_EXPORT}" if (table, event) == ("audit_log", "INSERT") else ""
            statements.append(
                f'CREATE TRIGGER "{table}_text_{event.lower()}" AFTER {event} ON "{table}"{when} '
                "BEGIN UPDATE text_clock SET value = value + 1; END"
            )
    return statements


def _pg_statements(tables: tuple[str, ...]) -> list[str]:
    statements = []
    for table in tables:
        if table == "audit_log":
            statements += [
                f'CREATE TRIGGER text_change_row AFTER INSERT ON "{table}" FOR EACH ROW '
                f"WHEN ({_EXPORT}) EXECUTE FUNCTION workbench_text_changed()",
                f'CREATE TRIGGER text_change AFTER UPDATE OR DELETE OR TRUNCATE ON "{table}" '
                "FOR EACH STATEMENT EXECUTE FUNCTION workbench_text_changed()",
            ]
        else:
            statements.append(
                f'CREATE TRIGGER text_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
                "FOR EACH STATEMENT EXECUTE FUNCTION workbench_text_changed()"
            )
    return statements


def upgrade() -> None:
    op.create_table(
        "gate_clearance",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("clock", sa.BigInteger(), nullable=False),
        sa.Column("key_print", sa.String(64), nullable=False),
        sa.Column("rules", sa.Integer(), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_gate_clearance_one_row"),
    )
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(
            "CREATE TABLE text_clock (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER "
            "NOT NULL)"
        )
        op.execute("INSERT INTO text_clock (id, value) VALUES (1, 1)")
        for statement in _sqlite_statements(TEXT_TABLES):
            op.execute(statement)
        return
    op.create_table("text_change", sa.Column("xid", sa.BigInteger(), primary_key=True))
    # SECURITY DEFINER: an analyst's write records its change although only the tables' owner
    # may insert into text_change (nobody else can make the gate believe in a change, or not).
    op.execute(
        """CREATE FUNCTION workbench_text_changed() RETURNS trigger LANGUAGE plpgsql
            SECURITY DEFINER SET search_path FROM CURRENT AS $$
        BEGIN
            INSERT INTO text_change (xid) VALUES (pg_current_xact_id()::text::bigint)
                ON CONFLICT DO NOTHING;
            RETURN NULL;
        END $$"""
    )
    for statement in _pg_statements(TEXT_TABLES):
        op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for table in TEXT_TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f'DROP TRIGGER IF EXISTS "{table}_text_{event}"')
        op.execute("DROP TABLE IF EXISTS text_clock")
    else:
        op.execute("DROP FUNCTION IF EXISTS workbench_text_changed() CASCADE")
        op.execute("DROP TABLE IF EXISTS text_change")
    op.drop_table("gate_clearance")
