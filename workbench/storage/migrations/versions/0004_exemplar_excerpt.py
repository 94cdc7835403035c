"""A pinned quote may be shortened by the analyst with "[…]": the excerpt is kept beside the
coding it comes from, so exports quote it as shortened and still point at the whole segment.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("exemplar") as batch:
        batch.add_column(sa.Column("excerpt", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("exemplar") as batch:
        batch.drop_column("excerpt")
