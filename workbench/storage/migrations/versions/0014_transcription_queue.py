"""The transcription queue: recordings waiting their turn, one transcribed at a time, in a table
so the queue survives a restart and a crash (an item left ``running`` by a process that died is
resumed where its stored segments end).

Revision ID: 0014
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transcription_queue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "interview_id",
            sa.Integer(),
            sa.ForeignKey(
                "interview.id",
                name="fk_transcription_queue_interview_id_interview",
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column(
            "coder_id",
            sa.Integer(),
            sa.ForeignKey(
                "coder.id", name="fk_transcription_queue_coder_id_coder", ondelete="SET NULL"
            ),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_transcription_queue"),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')",
            name="ck_transcription_queue_status",
        ),
    )
    op.create_index("ix_transcription_queue_interview_id", "transcription_queue", ["interview_id"])
    bind = op.get_bind()
    # Change notices (0010): a table made after them gets the trigger too.
    if (
        bind.dialect.name == "postgresql"
        and bind.execute(
            sa.text("SELECT 1 FROM pg_proc WHERE proname = 'workbench_notice'")
        ).first()
    ):
        op.execute(
            "CREATE TRIGGER workbench_notice AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "
            '"transcription_queue" FOR EACH STATEMENT EXECUTE FUNCTION workbench_notice()'
        )


def downgrade() -> None:
    op.drop_table("transcription_queue")
