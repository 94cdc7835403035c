"""Participants get a study role, *participant* or *team*: team speakers (interviewers,
researchers, an interpreter the study did not consent as a participant) never count as voicing a
theme and have no rows in participant matrices. Researchers and interpreters start as *team*.

The column is added in place (``ALTER TABLE … ADD COLUMN`` with its check), never by a SQLite
table rebuild, which would drop the triggers of migration 0005.

Revision ID: 0007
Revises: 0008, 0010 (main has both on 0005; the lead rechains the ids in order at merge)
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = ("0008", "0010")
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


def downgrade() -> None:
    with op.batch_alter_table("participant") as batch:
        batch.drop_constraint("ck_participant_study_role", type_="check")
        batch.drop_column("study_role")
