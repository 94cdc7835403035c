"""Names and flags other tools give, kept for the next exchange: an interview's ``title`` (the
source name another tool showed, spaces and all, where the interview id is one word) and a code's
``codable`` (REFI-QDA ``isCodable``: a category that only groups codes).

Revision ID: 0009
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0010"  # the head on this branch; the lead rechains at merge
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table rebuild on SQLite: the triggers of 0005 stay).
    op.add_column("interview", sa.Column("title", sa.Text(), nullable=True))
    op.add_column(
        "code", sa.Column("codable", sa.Boolean(), nullable=False, server_default=sa.true())
    )


def downgrade() -> None:
    with op.batch_alter_table("code") as batch:
        batch.drop_column("codable")
    with op.batch_alter_table("interview") as batch:
        batch.drop_column("title")
