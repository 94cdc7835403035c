"""Names and flags other tools give, kept for the next exchange: ``interview_title`` (the source
name another tool showed, spaces and all, where the interview id is one word) and
``code_category`` (codes marked REFI-QDA ``isCodable="false"``: categories that only group codes).
Separate tables, so the ``code`` and ``interview`` tables (and the triggers of 0005) are untouched.

Revision ID: 0009
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "code_category",
        sa.Column(
            "code_id",
            sa.Integer(),
            sa.ForeignKey("code.id", name="fk_code_category_code_id_code", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("code_id", name="pk_code_category"),
    )
    op.create_table(
        "interview_title",
        sa.Column(
            "interview_id",
            sa.Integer(),
            sa.ForeignKey(
                "interview.id", name="fk_interview_title_interview_id_interview", ondelete="CASCADE"
            ),
            nullable=False,
        ),
        sa.Column("title", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("interview_id", name="pk_interview_title"),
    )

    bind = op.get_bind()
    # Change notices (migration 0010) cover tables made after them only when asked: if that
    # migration ran already, these tables get its trigger too (if not, it will add it).
    if (
        bind.dialect.name == "postgresql"
        and bind.execute(
            sa.text("SELECT 1 FROM pg_proc WHERE proname = 'workbench_notice'")
        ).first()
    ):
        for table in ("code_category", "interview_title"):
            op.execute(
                f'CREATE TRIGGER workbench_notice AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
                "FOR EACH STATEMENT EXECUTE FUNCTION workbench_notice()"
            )


def downgrade() -> None:
    op.drop_table("interview_title")
    op.drop_table("code_category")
