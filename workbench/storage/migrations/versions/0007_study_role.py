"""Who speaks for whom. Participants get a study role, *participant* or *team*: team speakers (interviewers,
researchers, an interpreter the study did not consent as a participant) never count as voicing a
theme and have no rows in participant matrices. Researchers and interpreters start as *team*.

Rendering spans mark the parts of an interpreter's utterance that render someone (the rest is
the interpreter's own); utterance links pair an original with its rendering, so the pair counts
once. Both tables change what an interview's analysis rows hold, so they bump its version as
codings do (the triggers of 0005), and on PostgreSQL they send change notices (0010).

The column is added in place (``ALTER TABLE … ADD COLUMN`` with its check), never by a SQLite
table rebuild, which would drop the triggers of migration 0005.

Revision ID: 0007
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE participant ADD COLUMN study_role VARCHAR(20) NOT NULL DEFAULT 'participant' "
        "CONSTRAINT ck_participant_study_role CHECK (study_role IN ('participant', 'team'))"
    )
    op.execute(
        "UPDATE participant SET study_role = 'team' WHERE role IN ('researcher', 'interpreter')"
    )
    _create_tables()
    for statement in _triggers(op.get_bind().dialect.name == "sqlite"):
        op.execute(statement)


TABLES = ("rendering_span", "utterance_link")
_DIFFERS = {
    "rendering_span": ("utterance_id", "participant_id", "start_offset", "end_offset"),
    "utterance_link": ("original_id", "rendering_id"),
}


def _sqlite_touch(side: str) -> str:
    return f"""
        UPDATE analysis_clock SET value = value + 1;
        UPDATE interview_version SET version = (SELECT value FROM analysis_clock)
            WHERE interview_id = {side}.interview_id;
        DELETE FROM analysis_rows WHERE interview_id = {side}.interview_id;"""


def _triggers(sqlite: bool) -> list[str]:
    statements = []
    for table in TABLES:
        columns = (*_DIFFERS[table], "interview_id")
        if sqlite:
            changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
            statements += [
                f"CREATE TRIGGER {table}_version_insert AFTER INSERT ON {table} BEGIN "
                f"{_sqlite_touch('NEW')} END",
                f"CREATE TRIGGER {table}_version_delete AFTER DELETE ON {table} BEGIN "
                f"{_sqlite_touch('OLD')} END",
                f"CREATE TRIGGER {table}_version_update AFTER UPDATE ON {table} WHEN {changed} "
                f"BEGIN {_sqlite_touch('OLD')} {_sqlite_touch('NEW')} END",
            ]
        else:
            changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
            statements += [
                f"CREATE TRIGGER {table}_version_insert_delete AFTER INSERT OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION workbench_interview_changed()",
                f"CREATE TRIGGER {table}_version_update AFTER UPDATE ON {table} "
                f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION workbench_interview_changed()",
                f"CREATE TRIGGER workbench_notice AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION workbench_notice()",
            ]
    return statements


def _create_tables() -> None:
    def interview() -> sa.Column[int]:
        return sa.Column(
            "interview_id",
            sa.Integer(),
            sa.ForeignKey("interview.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )

    def utterance(name: str, index: bool = True) -> sa.Column[int]:
        return sa.Column(
            name,
            sa.Integer(),
            sa.ForeignKey("utterance.id", ondelete="CASCADE"),
            nullable=False,
            index=index,
        )

    op.create_table(
        "rendering_span",
        sa.Column("id", sa.Integer(), primary_key=True),
        interview(),
        utterance("utterance_id"),
        sa.Column(
            "participant_id",
            sa.Integer(),
            sa.ForeignKey("participant.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("start_offset", sa.Integer(), nullable=False),
        sa.Column("end_offset", sa.Integer(), nullable=False),
        sa.CheckConstraint("start_offset >= 0 AND end_offset > start_offset", name="span"),
    )
    op.create_table(
        "utterance_link",
        sa.Column("id", sa.Integer(), primary_key=True),
        interview(),
        utterance("original_id"),
        utterance("rendering_id", index=False),
        sa.CheckConstraint("original_id <> rendering_id", name="distinct"),
        sa.UniqueConstraint("rendering_id"),
    )


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
    with op.batch_alter_table("participant") as batch:
        batch.drop_constraint("ck_participant_study_role", type_="check")
        batch.drop_column("study_role")
