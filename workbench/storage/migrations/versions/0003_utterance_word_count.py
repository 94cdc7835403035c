"""Utterance word counts, kept with the text (the longitudinal tables' denominators).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_WORD = re.compile(r"\w+")


def upgrade() -> None:
    with op.batch_alter_table("utterance") as batch:
        batch.add_column(sa.Column("word_count", sa.Integer(), nullable=False, server_default="0"))
    bind = op.get_bind()
    utterance = sa.table("utterance", sa.column("id"), sa.column("text"), sa.column("word_count"))
    rows = bind.execute(sa.select(utterance.c.id, utterance.c.text)).all()
    for start in range(0, len(rows), 2000):
        bind.execute(
            utterance.update()
            .where(utterance.c.id == sa.bindparam("row_id"))
            .values(word_count=sa.bindparam("n")),
            [{"row_id": i, "n": len(_WORD.findall(t))} for i, t in rows[start : start + 2000]],
        )


def downgrade() -> None:
    with op.batch_alter_table("utterance") as batch:
        batch.drop_column("word_count")
