"""Interview versions, kept by the database, and the longitudinal rows remembered per version.

Every interview has a version that changes whenever anything its longitudinal rows are computed
from changes: its utterances (text, speaker, rendering, word count, order), its codings (code and
anchors) and its people (who took part, in which role). Triggers keep it, so no write path can
forget it — commands, undo and redo, redaction, withdrawal, imports, transcription, and the
database's own ON DELETE actions alike. Versions come from one clock that only moves forward
(a sequence on PostgreSQL; a one-row table on SQLite, whose writers take turns anyway), so a
version is never reused, not even by an interview deleted and made again with the same id.

``analysis_rows`` holds each interview's share of the longitudinal tidy tables (theme segments,
words inside them, attributed speech: ids and counts only, never text) with the version and the
theme membership they were computed for. Derived data, like the search index: no command
records it, and a change to the interview deletes it in the same transaction.

Neither table is mapped by the ORM (the undo recorder must never put a version back). A later
migration that rebuilds utterance, coding, interview_participant or interview on SQLite (batch
"move and copy") must create these triggers again.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# (table, the columns the longitudinal rows read) — a change of any of them, an insert or a
# delete, moves the interview's version on.
WATCHED = {
    "utterance": ("text", "speaker_id", "renders_id", "word_count", "position"),
    "coding": ("code_id", "start_utterance_id", "start_offset", "end_utterance_id", "end_offset"),
    "interview_participant": ("participant_id", "role"),
}


def _changed(columns: tuple[str, ...], differ: str) -> str:
    return " OR ".join(f"OLD.{c} {differ} NEW.{c}" for c in (*columns, "interview_id"))


def _sqlite_touch(side: str) -> str:
    return f"""
        UPDATE analysis_clock SET value = value + 1;
        UPDATE interview_version SET version = (SELECT value FROM analysis_clock)
            WHERE interview_id = {side}.interview_id;
        DELETE FROM analysis_rows WHERE interview_id = {side}.interview_id;"""


def _sqlite_statements() -> list[str]:
    statements = [
        "CREATE TABLE analysis_clock (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER "
        "NOT NULL)",
        "INSERT INTO analysis_clock (id, value) VALUES (1, 1)",
        "INSERT INTO interview_version (interview_id, version) SELECT id, 1 FROM interview",
        """CREATE TRIGGER interview_version_new AFTER INSERT ON interview BEGIN
            UPDATE analysis_clock SET value = value + 1;
            INSERT INTO interview_version (interview_id, version)
                VALUES (NEW.id, (SELECT value FROM analysis_clock));
        END""",
    ]
    for table, columns in WATCHED.items():
        statements += [
            f"""CREATE TRIGGER {table}_version_insert AFTER INSERT ON {table} BEGIN
                {_sqlite_touch("NEW")}
            END""",
            f"""CREATE TRIGGER {table}_version_delete AFTER DELETE ON {table} BEGIN
                {_sqlite_touch("OLD")}
            END""",
            f"""CREATE TRIGGER {table}_version_update AFTER UPDATE ON {table}
                WHEN {_changed(columns, "IS NOT")} BEGIN
                {_sqlite_touch("OLD")}
                {_sqlite_touch("NEW")}
            END""",
        ]
    return statements


def _pg_statements() -> list[str]:
    statements = [
        "CREATE SEQUENCE interview_version_clock",
        "INSERT INTO interview_version (interview_id, version) "
        "SELECT id, nextval('interview_version_clock') FROM interview",
        """CREATE FUNCTION workbench_touch_interview(iid integer) RETURNS void
            LANGUAGE sql AS $$
            UPDATE interview_version SET version = nextval('interview_version_clock')
                WHERE interview_id = iid;
            DELETE FROM analysis_rows WHERE interview_id = iid;
        $$""",
        """CREATE FUNCTION workbench_interview_changed() RETURNS trigger
            LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN
                PERFORM workbench_touch_interview(OLD.interview_id);
            END IF;
            IF TG_OP = 'INSERT'
                OR (TG_OP = 'UPDATE' AND NEW.interview_id IS DISTINCT FROM OLD.interview_id) THEN
                PERFORM workbench_touch_interview(NEW.interview_id);
            END IF;
            RETURN NULL;
        END $$""",
        """CREATE FUNCTION workbench_interview_new() RETURNS trigger
            LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO interview_version (interview_id, version)
                VALUES (NEW.id, nextval('interview_version_clock'));
            RETURN NULL;
        END $$""",
        """CREATE TRIGGER interview_version_new AFTER INSERT ON interview
            FOR EACH ROW EXECUTE FUNCTION workbench_interview_new()""",
    ]
    for table, columns in WATCHED.items():
        statements += [
            f"""CREATE TRIGGER {table}_version_insert_delete AFTER INSERT OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION workbench_interview_changed()""",
            f"""CREATE TRIGGER {table}_version_update AFTER UPDATE ON {table}
                FOR EACH ROW WHEN ({_changed(columns, "IS DISTINCT FROM")})
                EXECUTE FUNCTION workbench_interview_changed()""",
        ]
    return statements


def upgrade() -> None:
    op.create_table(
        "interview_version",
        sa.Column(
            "interview_id",
            sa.Integer(),
            sa.ForeignKey("interview.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("version", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "analysis_rows",
        sa.Column(
            "interview_id",
            sa.Integer(),
            sa.ForeignKey("interview.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("inputs", sa.String(64), nullable=False),
        sa.Column("rows", sa.LargeBinary(), nullable=False),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _sqlite_statements() if sqlite else _pg_statements():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS interview_version_new")
        for table in WATCHED:
            for what in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_version_{what}")
        op.execute("DROP TABLE IF EXISTS analysis_clock")
    else:
        op.execute("DROP TRIGGER IF EXISTS interview_version_new ON interview")
        for table in WATCHED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_version_insert_delete ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_version_update ON {table}")
        op.execute("DROP FUNCTION IF EXISTS workbench_interview_changed()")
        op.execute("DROP FUNCTION IF EXISTS workbench_interview_new()")
        op.execute("DROP FUNCTION IF EXISTS workbench_touch_interview(integer)")
        op.execute("DROP SEQUENCE IF EXISTS interview_version_clock")
    op.drop_table("analysis_rows")
    op.drop_table("interview_version")
