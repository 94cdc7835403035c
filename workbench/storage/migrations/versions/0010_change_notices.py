"""Change notices: a window sees a colleague's commit within a second (PostgreSQL).

Every statement that changes one of the project's tables sends ``NOTIFY workbench_changes`` with
the table's name as payload, from a statement-level trigger; PostgreSQL delivers notices only when
the transaction commits, and folds repeats, so a user action costs a few notices at most and an
action rolled back sends none. ``workbench.storage.watch`` listens for them.

SQLite needs nothing: a connection's ``PRAGMA data_version`` moves whenever another connection
commits, which is exactly the question a window asks.

The tables are the ones the database holds when the migration runs; a table made by a later
migration needs the trigger too (``workbench check`` names a table without it).

Revision ID: 0010
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None

CHANNEL = "workbench_changes"
TRIGGER = "workbench_notice"
SKIPPED = ("alembic_version", "analysis_rows")
"""Bookkeeping: the schema's version, and rows the analysis keeps for itself (a read writes them)."""


def watched_tables(bind: sa.engine.Connection) -> list[str]:
    rows = bind.execute(
        sa.text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    )
    return sorted(name for (name,) in rows if name not in SKIPPED)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute(
        f"""
        CREATE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME);
            RETURN NULL;
        END $$"""
    )
    for table in watched_tables(bind):
        op.execute(
            f'CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
            f"FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}()"
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute(f"DROP FUNCTION {TRIGGER}() CASCADE")
