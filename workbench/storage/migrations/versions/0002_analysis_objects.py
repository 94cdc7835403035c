"""Codes, codings, themes, memos, journal, analyst readings, snapshots, redactions, undo.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("concept", sa.Text(), nullable=True),
        sa.Column("definition", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.CheckConstraint(
            "status IN ('candidate', 'reviewed', 'defined', 'named')", name=op.f("ck_theme_status")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["theme.id"], name=op.f("fk_theme_parent_id_theme"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme")),
        sa.UniqueConstraint("guid", name=op.f("uq_theme_guid")),
    )
    with op.batch_alter_table("theme", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_theme_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "cell_summary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("coder_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unit_kind", sa.String(length=20), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("dyad_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "unit_kind IN ('study', 'role', 'participant', 'dyad')",
            name=op.f("ck_cell_summary_unit_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["coder_id"],
            ["coder.id"],
            name=op.f("fk_cell_summary_coder_id_coder"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["dyad_id"], ["dyad.id"], name=op.f("fk_cell_summary_dyad_id_dyad"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_cell_summary_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["theme.id"],
            name=op.f("fk_cell_summary_theme_id_theme"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["wave.id"], name=op.f("fk_cell_summary_wave_id_wave"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cell_summary")),
    )
    with op.batch_alter_table("cell_summary", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cell_summary_dyad_id"), ["dyad_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cell_summary_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_cell_summary_theme_id"), ["theme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cell_summary_wave_id"), ["wave_id"], unique=False)

    op.create_table(
        "code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("color", sa.String(length=9), nullable=True),
        sa.Column("definition", sa.Text(), nullable=True),
        sa.Column("inclusion", sa.Text(), nullable=True),
        sa.Column("exclusion", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["coder.id"],
            name=op.f("fk_code_created_by_id_coder"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["code.id"], name=op.f("fk_code_parent_id_code"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code")),
        sa.UniqueConstraint("guid", name=op.f("uq_code_guid")),
    )
    with op.batch_alter_table("code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_code_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "dyad_stance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dyad_id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("stance", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("coder_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "stance IN ('convergent', 'divergent', 'mixed')", name=op.f("ck_dyad_stance_stance")
        ),
        sa.ForeignKeyConstraint(
            ["coder_id"],
            ["coder.id"],
            name=op.f("fk_dyad_stance_coder_id_coder"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["dyad_id"], ["dyad.id"], name=op.f("fk_dyad_stance_dyad_id_dyad"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["theme.id"],
            name=op.f("fk_dyad_stance_theme_id_theme"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["wave.id"], name=op.f("fk_dyad_stance_wave_id_wave"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dyad_stance")),
        sa.UniqueConstraint(
            "dyad_id", "wave_id", "theme_id", name=op.f("uq_dyad_stance_dyad_id_wave_id_theme_id")
        ),
    )
    with op.batch_alter_table("dyad_stance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dyad_stance_theme_id"), ["theme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dyad_stance_wave_id"), ["wave_id"], unique=False)

    op.create_table(
        "journal_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coder_id", sa.Integer(), nullable=True),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["coder_id"],
            ["coder.id"],
            name=op.f("fk_journal_entry_coder_id_coder"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_entry")),
        sa.UniqueConstraint("guid", name=op.f("uq_journal_entry_guid")),
    )

    op.create_table(
        "snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("coder_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["coder_id"], ["coder.id"], name=op.f("fk_snapshot_coder_id_coder"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshot")),
        sa.UniqueConstraint("name", name=op.f("uq_snapshot_name")),
    )

    op.create_table(
        "theme_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=True),
        sa.Column("coder_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["coder_id"],
            ["coder.id"],
            name=op.f("fk_theme_event_coder_id_coder"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["theme.id"],
            name=op.f("fk_theme_event_theme_id_theme"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme_event")),
    )
    with op.batch_alter_table("theme_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_theme_event_theme_id"), ["theme_id"], unique=False)

    op.create_table(
        "trajectory",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("coder_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unit_kind", sa.String(length=20), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("dyad_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "unit_kind IN ('study', 'role', 'participant', 'dyad')",
            name=op.f("ck_trajectory_unit_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["coder_id"],
            ["coder.id"],
            name=op.f("fk_trajectory_coder_id_coder"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["dyad_id"], ["dyad.id"], name=op.f("fk_trajectory_dyad_id_dyad"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_trajectory_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["theme.id"],
            name=op.f("fk_trajectory_theme_id_theme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trajectory")),
    )
    with op.batch_alter_table("trajectory", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trajectory_dyad_id"), ["dyad_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_trajectory_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_trajectory_theme_id"), ["theme_id"], unique=False)

    op.create_table(
        "undo_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coder_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("forward", sa.Text(), nullable=False),
        sa.Column("inverse", sa.Text(), nullable=False),
        sa.Column("undone", sa.Boolean(), nullable=False),
        sa.Column("participant_ids", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["coder_id"],
            ["coder.id"],
            name=op.f("fk_undo_entry_coder_id_coder"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_undo_entry")),
    )
    with op.batch_alter_table("undo_entry", schema=None) as batch_op:
        batch_op.create_index("ix_undo_entry_coder_seq", ["coder_id", "seq"], unique=False)

    op.create_table(
        "detached_coding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("coder_id", sa.Integer(), nullable=True),
        sa.Column("coded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detached_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("memo", sa.Text(), nullable=True),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["code_id"],
            ["code.id"],
            name=op.f("fk_detached_coding_code_id_code"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["coder_id"],
            ["coder.id"],
            name=op.f("fk_detached_coding_coder_id_coder"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interview.id"],
            name=op.f("fk_detached_coding_interview_id_interview"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["speaker_id"],
            ["participant.id"],
            name=op.f("fk_detached_coding_speaker_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_detached_coding")),
    )
    with op.batch_alter_table("detached_coding", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_detached_coding_code_id"), ["code_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_detached_coding_interview_id"), ["interview_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_detached_coding_speaker_id"), ["speaker_id"], unique=False
        )

    op.create_table(
        "theme_code",
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["code_id"], ["code.id"], name=op.f("fk_theme_code_code_id_code"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["theme.id"],
            name=op.f("fk_theme_code_theme_id_theme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("theme_id", "code_id", name=op.f("pk_theme_code")),
    )
    with op.batch_alter_table("theme_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_theme_code_code_id"), ["code_id"], unique=False)

    op.create_table(
        "coding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("start_utterance_id", sa.Integer(), nullable=False),
        sa.Column("start_offset", sa.Integer(), nullable=False),
        sa.Column("end_utterance_id", sa.Integer(), nullable=False),
        sa.Column("end_offset", sa.Integer(), nullable=False),
        sa.Column("coder_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("memo", sa.Text(), nullable=True),
        sa.Column("important", sa.Boolean(), nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["code_id"], ["code.id"], name=op.f("fk_coding_code_id_code"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["coder_id"], ["coder.id"], name=op.f("fk_coding_coder_id_coder"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["end_utterance_id"],
            ["utterance.id"],
            name=op.f("fk_coding_end_utterance_id_utterance"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interview.id"],
            name=op.f("fk_coding_interview_id_interview"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["start_utterance_id"],
            ["utterance.id"],
            name=op.f("fk_coding_start_utterance_id_utterance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coding")),
        sa.UniqueConstraint("guid", name=op.f("uq_coding_guid")),
    )
    with op.batch_alter_table("coding", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coding_code_id"), ["code_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_coding_end_utterance_id"), ["end_utterance_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_coding_interview_id"), ["interview_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_coding_start_utterance_id"), ["start_utterance_id"], unique=False
        )

    op.create_table(
        "redaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("utterance_id", sa.Integer(), nullable=False),
        sa.Column("start_offset", sa.Integer(), nullable=False),
        sa.Column("end_offset", sa.Integer(), nullable=False),
        sa.Column("placeholder", sa.String(length=500), nullable=False),
        sa.Column("key_ref", sa.String(length=64), nullable=False),
        sa.Column("coder_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["coder_id"],
            ["coder.id"],
            name=op.f("fk_redaction_coder_id_coder"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["utterance_id"],
            ["utterance.id"],
            name=op.f("fk_redaction_utterance_id_utterance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redaction")),
    )
    with op.batch_alter_table("redaction", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_redaction_utterance_id"), ["utterance_id"], unique=False
        )

    op.create_table(
        "exemplar",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("coding_id", sa.Integer(), nullable=False),
        sa.Column("coder_id", sa.Integer(), nullable=True),
        sa.Column("pinned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unit_kind", sa.String(length=20), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("dyad_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "unit_kind IN ('study', 'role', 'participant', 'dyad')",
            name=op.f("ck_exemplar_unit_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["coder_id"], ["coder.id"], name=op.f("fk_exemplar_coder_id_coder"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["coding_id"],
            ["coding.id"],
            name=op.f("fk_exemplar_coding_id_coding"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["dyad_id"], ["dyad.id"], name=op.f("fk_exemplar_dyad_id_dyad"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_exemplar_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["theme.id"], name=op.f("fk_exemplar_theme_id_theme"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["wave.id"], name=op.f("fk_exemplar_wave_id_wave"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exemplar")),
    )
    with op.batch_alter_table("exemplar", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exemplar_coding_id"), ["coding_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_exemplar_dyad_id"), ["dyad_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_exemplar_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_exemplar_theme_id"), ["theme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_exemplar_wave_id"), ["wave_id"], unique=False)

    op.create_table(
        "memo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=True),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("dyad_id", sa.Integer(), nullable=True),
        sa.Column("wave_id", sa.Integer(), nullable=True),
        sa.Column("code_id", sa.Integer(), nullable=True),
        sa.Column("coding_id", sa.Integer(), nullable=True),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("coder_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.CheckConstraint(
            "(CASE WHEN interview_id IS NULL THEN 0 ELSE 1 END + CASE WHEN participant_id IS NULL THEN 0 ELSE 1 END + CASE WHEN dyad_id IS NULL THEN 0 ELSE 1 END + CASE WHEN wave_id IS NULL THEN 0 ELSE 1 END + CASE WHEN code_id IS NULL THEN 0 ELSE 1 END + CASE WHEN coding_id IS NULL THEN 0 ELSE 1 END + CASE WHEN theme_id IS NULL THEN 0 ELSE 1 END) <= 1",
            name=op.f("ck_memo_one_target"),
        ),
        sa.ForeignKeyConstraint(
            ["code_id"], ["code.id"], name=op.f("fk_memo_code_id_code"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["coder_id"], ["coder.id"], name=op.f("fk_memo_coder_id_coder"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["coding_id"], ["coding.id"], name=op.f("fk_memo_coding_id_coding"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["dyad_id"], ["dyad.id"], name=op.f("fk_memo_dyad_id_dyad"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interview.id"],
            name=op.f("fk_memo_interview_id_interview"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_memo_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["theme.id"], name=op.f("fk_memo_theme_id_theme"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["wave.id"], name=op.f("fk_memo_wave_id_wave"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memo")),
        sa.UniqueConstraint("guid", name=op.f("uq_memo_guid")),
    )
    with op.batch_alter_table("memo", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_memo_code_id"), ["code_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_memo_coding_id"), ["coding_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_memo_dyad_id"), ["dyad_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_memo_interview_id"), ["interview_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_memo_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_memo_theme_id"), ["theme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_memo_wave_id"), ["wave_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("memo", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_memo_wave_id"))
        batch_op.drop_index(batch_op.f("ix_memo_theme_id"))
        batch_op.drop_index(batch_op.f("ix_memo_participant_id"))
        batch_op.drop_index(batch_op.f("ix_memo_interview_id"))
        batch_op.drop_index(batch_op.f("ix_memo_dyad_id"))
        batch_op.drop_index(batch_op.f("ix_memo_coding_id"))
        batch_op.drop_index(batch_op.f("ix_memo_code_id"))
    op.drop_table("memo")

    with op.batch_alter_table("exemplar", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exemplar_wave_id"))
        batch_op.drop_index(batch_op.f("ix_exemplar_theme_id"))
        batch_op.drop_index(batch_op.f("ix_exemplar_participant_id"))
        batch_op.drop_index(batch_op.f("ix_exemplar_dyad_id"))
        batch_op.drop_index(batch_op.f("ix_exemplar_coding_id"))
    op.drop_table("exemplar")

    with op.batch_alter_table("redaction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_redaction_utterance_id"))
    op.drop_table("redaction")

    with op.batch_alter_table("coding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coding_start_utterance_id"))
        batch_op.drop_index(batch_op.f("ix_coding_interview_id"))
        batch_op.drop_index(batch_op.f("ix_coding_end_utterance_id"))
        batch_op.drop_index(batch_op.f("ix_coding_code_id"))
    op.drop_table("coding")

    with op.batch_alter_table("theme_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_theme_code_code_id"))
    op.drop_table("theme_code")

    with op.batch_alter_table("detached_coding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_detached_coding_speaker_id"))
        batch_op.drop_index(batch_op.f("ix_detached_coding_interview_id"))
        batch_op.drop_index(batch_op.f("ix_detached_coding_code_id"))
    op.drop_table("detached_coding")

    with op.batch_alter_table("undo_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_undo_entry_coder_seq")
    op.drop_table("undo_entry")

    with op.batch_alter_table("trajectory", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trajectory_theme_id"))
        batch_op.drop_index(batch_op.f("ix_trajectory_participant_id"))
        batch_op.drop_index(batch_op.f("ix_trajectory_dyad_id"))
    op.drop_table("trajectory")

    with op.batch_alter_table("theme_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_theme_event_theme_id"))
    op.drop_table("theme_event")

    op.drop_table("snapshot")

    op.drop_table("journal_entry")

    with op.batch_alter_table("dyad_stance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dyad_stance_wave_id"))
        batch_op.drop_index(batch_op.f("ix_dyad_stance_theme_id"))
    op.drop_table("dyad_stance")

    with op.batch_alter_table("code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_code_parent_id"))
    op.drop_table("code")

    with op.batch_alter_table("cell_summary", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cell_summary_wave_id"))
        batch_op.drop_index(batch_op.f("ix_cell_summary_theme_id"))
        batch_op.drop_index(batch_op.f("ix_cell_summary_participant_id"))
        batch_op.drop_index(batch_op.f("ix_cell_summary_dyad_id"))
    op.drop_table("cell_summary")

    with op.batch_alter_table("theme", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_theme_parent_id"))
    op.drop_table("theme")
