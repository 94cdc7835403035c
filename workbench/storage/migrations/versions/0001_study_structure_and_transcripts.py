"""Study structure, transcripts, full-text search, audit log.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("coder", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("target", sa.Text(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)

    op.create_table(
        "coder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coder")),
        sa.UniqueConstraint("guid", name=op.f("uq_coder_guid")),
        sa.UniqueConstraint("name", name=op.f("uq_coder_name")),
    )

    op.create_table(
        "dyad",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dyad")),
        sa.UniqueConstraint("guid", name=op.f("uq_dyad_guid")),
        sa.UniqueConstraint("key", name=op.f("uq_dyad_key")),
    )

    op.create_table(
        "participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("consent", sa.String(length=20), nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "consent IN ('consented', 'pending', 'declined')", name=op.f("ck_participant_consent")
        ),
        sa.CheckConstraint(
            "role IN ('patient', 'clinician', 'interpreter', 'researcher', 'other')",
            name=op.f("ck_participant_role"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participant")),
        sa.UniqueConstraint("guid", name=op.f("uq_participant_guid")),
        sa.UniqueConstraint("key", name=op.f("uq_participant_key")),
    )

    op.create_table(
        "project",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project")),
    )

    op.create_table(
        "setting",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_setting")),
    )

    op.create_table(
        "wave",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wave")),
        sa.UniqueConstraint("name", name=op.f("uq_wave_name")),
    )

    op.create_table(
        "dyad_member",
        sa.Column("dyad_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dyad_id"], ["dyad.id"], name=op.f("fk_dyad_member_dyad_id_dyad"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_dyad_member_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("dyad_id", "participant_id", name=op.f("pk_dyad_member")),
    )
    with op.batch_alter_table("dyad_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dyad_member_participant_id"), ["participant_id"], unique=False
        )

    op.create_table(
        "interview",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=True),
        sa.Column("dyad_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=20), nullable=True),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("session_number", sa.Integer(), nullable=True),
        sa.Column("weeks_since_start", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("coded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("media_path", sa.Text(), nullable=True),
        sa.Column("media_sha256", sa.String(length=64), nullable=True),
        sa.Column("transcript_version", sa.Integer(), nullable=False),
        sa.Column("guid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('planned', 'transcribed', 'coding', 'coded', 'stopped')",
            name=op.f("ck_interview_status"),
        ),
        sa.ForeignKeyConstraint(
            ["dyad_id"], ["dyad.id"], name=op.f("fk_interview_dyad_id_dyad"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["wave.id"], name=op.f("fk_interview_wave_id_wave"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview")),
        sa.UniqueConstraint("guid", name=op.f("uq_interview_guid")),
        sa.UniqueConstraint("key", name=op.f("uq_interview_key")),
    )
    with op.batch_alter_table("interview", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_interview_dyad_id"), ["dyad_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_interview_wave_id"), ["wave_id"], unique=False)

    op.create_table(
        "participant_attribute",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("value_type", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_participant_attribute_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participant_attribute")),
        sa.UniqueConstraint(
            "participant_id", "name", name=op.f("uq_participant_attribute_participant_id_name")
        ),
    )
    with op.batch_alter_table("participant_attribute", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_participant_attribute_participant_id"), ["participant_id"], unique=False
        )

    op.create_table(
        "participant_wave_attribute",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("value_type", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_participant_wave_attribute_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"],
            ["wave.id"],
            name=op.f("fk_participant_wave_attribute_wave_id_wave"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participant_wave_attribute")),
        sa.UniqueConstraint(
            "participant_id",
            "wave_id",
            "name",
            name=op.f("uq_participant_wave_attribute_participant_id_wave_id_name"),
        ),
    )
    with op.batch_alter_table("participant_wave_attribute", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_participant_wave_attribute_participant_id"),
            ["participant_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_participant_wave_attribute_wave_id"), ["wave_id"], unique=False
        )

    op.create_table(
        "interview_participant",
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            "role IN ('interviewee', 'interviewer', 'interpreter')",
            name=op.f("ck_interview_participant_role"),
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interview.id"],
            name=op.f("fk_interview_participant_interview_id_interview"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_interview_participant_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "interview_id", "participant_id", name=op.f("pk_interview_participant")
        ),
    )
    with op.batch_alter_table("interview_participant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interview_participant_participant_id"), ["participant_id"], unique=False
        )

    op.create_table(
        "utterance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=True),
        sa.Column("speaker_label", sa.String(length=200), nullable=True),
        sa.Column("renders_id", sa.Integer(), nullable=True),
        sa.Column("start_ms", sa.Integer(), nullable=True),
        sa.Column("end_ms", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=20), nullable=True),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        sa.Column("untranscribed_speech", sa.Boolean(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interview.id"],
            name=op.f("fk_utterance_interview_id_interview"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["renders_id"],
            ["participant.id"],
            name=op.f("fk_utterance_renders_id_participant"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["speaker_id"],
            ["participant.id"],
            name=op.f("fk_utterance_speaker_id_participant"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_utterance")),
    )
    with op.batch_alter_table("utterance", schema=None) as batch_op:
        batch_op.create_index(
            "ix_utterance_interview_position", ["interview_id", "position"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_utterance_renders_id"), ["renders_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_utterance_speaker_id"), ["speaker_id"], unique=False)

    op.create_table(
        "translation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("utterance_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("translator", sa.String(length=200), nullable=True),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("method IN ('human', 'machine')", name=op.f("ck_translation_method")),
        sa.ForeignKeyConstraint(
            ["utterance_id"],
            ["utterance.id"],
            name=op.f("fk_translation_utterance_id_utterance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_translation")),
        sa.UniqueConstraint(
            "utterance_id",
            "language",
            "method",
            name=op.f("uq_translation_utterance_id_language_method"),
        ),
    )

    op.create_table(
        "word",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("utterance_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("start_ms", sa.Integer(), nullable=False),
        sa.Column("end_ms", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["utterance_id"],
            ["utterance.id"],
            name=op.f("fk_word_utterance_id_utterance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_word")),
    )
    with op.batch_alter_table("word", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_word_utterance_id"), ["utterance_id"], unique=False)
    _create_search()


def downgrade() -> None:
    _drop_search()

    with op.batch_alter_table("word", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_word_utterance_id"))
    op.drop_table("word")

    op.drop_table("translation")

    with op.batch_alter_table("utterance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_utterance_speaker_id"))
        batch_op.drop_index(batch_op.f("ix_utterance_renders_id"))
        batch_op.drop_index("ix_utterance_interview_position")
    op.drop_table("utterance")

    with op.batch_alter_table("interview_participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interview_participant_participant_id"))
    op.drop_table("interview_participant")

    with op.batch_alter_table("participant_wave_attribute", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participant_wave_attribute_wave_id"))
        batch_op.drop_index(batch_op.f("ix_participant_wave_attribute_participant_id"))
    op.drop_table("participant_wave_attribute")

    with op.batch_alter_table("participant_attribute", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participant_attribute_participant_id"))
    op.drop_table("participant_attribute")

    with op.batch_alter_table("interview", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interview_wave_id"))
        batch_op.drop_index(batch_op.f("ix_interview_dyad_id"))
    op.drop_table("interview")

    with op.batch_alter_table("dyad_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dyad_member_participant_id"))
    op.drop_table("dyad_member")

    op.drop_table("wave")

    op.drop_table("setting")

    op.drop_table("project")

    op.drop_table("participant")

    op.drop_table("dyad")

    op.drop_table("coder")

    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))
        batch_op.drop_index(batch_op.f("ix_audit_log_action"))
    op.drop_table("audit_log")


# Full-text search indexes the folded token stream in utterance.search_text (space-separated
# tokens made by workbench.domain.text), so both databases match exactly the same tokens.
_SQLITE_SEARCH = [
    """CREATE VIRTUAL TABLE utterance_fts USING fts5(
        search_text, content='utterance', content_rowid='id',
        tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'")""",
    """CREATE TRIGGER utterance_fts_insert AFTER INSERT ON utterance BEGIN
        INSERT INTO utterance_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    """CREATE TRIGGER utterance_fts_delete AFTER DELETE ON utterance BEGIN
        INSERT INTO utterance_fts(utterance_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    END""",
    """CREATE TRIGGER utterance_fts_update AFTER UPDATE OF search_text ON utterance BEGIN
        INSERT INTO utterance_fts(utterance_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
        INSERT INTO utterance_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
]

# PostgreSQL: a tsvector with positions built from the same tokens, bypassing the text-search
# parser (whose idea of a word differs from FTS5's), kept in a generated column behind a GIN
# index. The column is PostgreSQL's own index structure, like utterance_fts is SQLite's: the ORM
# does not map it, and env.py keeps autogenerate from proposing to drop it.
_PG_SEARCH = [
    """CREATE FUNCTION workbench_tsv(doc text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(string_agg(tok || ':' || least(ord, 16383), ' '), '')::tsvector
        FROM unnest(string_to_array(doc, ' ')) WITH ORDINALITY AS t(tok, ord)
        WHERE tok <> ''
    $$""",
    """ALTER TABLE utterance ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (workbench_tsv(search_text)) STORED""",
    "CREATE INDEX ix_utterance_search ON utterance USING gin (search_vector)",
]


def _create_search() -> None:
    statements = _SQLITE_SEARCH if op.get_bind().dialect.name == "sqlite" else _PG_SEARCH
    for statement in statements:
        op.execute(statement)


def _drop_search() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("utterance_fts_insert", "utterance_fts_delete", "utterance_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS utterance_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_utterance_search")
        op.execute("ALTER TABLE utterance DROP COLUMN IF EXISTS search_vector")
        op.execute("DROP FUNCTION IF EXISTS workbench_tsv(text)")
