"""The project schema: typed SQLAlchemy 2 models for the whole domain model of DESIGN.md.

The same models serve a SQLite project file and a PostgreSQL team project. Alembic migrations in
``migrations/`` create and change them; never call ``create_all`` on a real project.

Conventions:
- every table has an integer primary key ``id``; what a researcher sees as an id (``P01``,
  ``D01``, ``P01-baseline``) is a separate unique ``key`` column, so renaming never rewrites
  foreign keys;
- objects that travel through REFI-QDA carry a stable ``guid`` so two exports agree;
- every foreign key says what happens on delete, so deleting a participant, interview or code
  cannot leave an orphan row (DESIGN.md, invariant 4);
- times are timezone-aware UTC.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
    func,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from workbench.domain.coding import THEME_STATUSES
from workbench.domain.text import count_words, search_text_of

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A datetime stored as UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_guid() -> str:
    return str(uuid.uuid4())


def _check_in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


ROLES = ("patient", "clinician", "interpreter", "researcher", "other")
CONSENTS = ("consented", "pending", "declined")
STUDY_ROLES = ("participant", "team")
INTERVIEW_ROLES = ("interviewee", "interviewer", "interpreter")
INTERVIEW_STATUSES = ("planned", "transcribed", "coding", "coded", "stopped")
STANCES = ("convergent", "divergent", "mixed")
UNIT_KINDS = ("study", "role", "participant", "dyad")
TRANSLATION_METHODS = ("human", "machine")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ProjectRow(Base):
    """The one row describing the study itself."""

    __tablename__ = "project"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    guid: Mapped[str] = mapped_column(String(36), default=new_guid)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Setting(Base):
    """Project-wide settings (quote label format, redaction word list, ...), as text."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Coder(Base):
    __tablename__ = "coder"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Wave(Base):
    __tablename__ = "wave"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    position: Mapped[int] = mapped_column(Integer)
    guid: Mapped[str] = mapped_column(String(36), default=new_guid)


class Participant(Base):
    __tablename__ = "participant"
    __table_args__ = (
        CheckConstraint(_check_in("role", ROLES), name="role"),
        CheckConstraint(_check_in("consent", CONSENTS), name="consent"),
        CheckConstraint(_check_in("study_role", STUDY_ROLES), name="study_role"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    study_role: Mapped[str] = mapped_column(
        String(20), default="participant", server_default="participant"
    )
    consent: Mapped[str] = mapped_column(String(20), default="consented")
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    attributes: Mapped[list[ParticipantAttribute]] = relationship(
        back_populates="participant", cascade="all, delete-orphan", passive_deletes=True
    )
    wave_attributes: Mapped[list[ParticipantWaveAttribute]] = relationship(
        back_populates="participant", cascade="all, delete-orphan", passive_deletes=True
    )


class ParticipantAttribute(Base):
    """A fixed attribute (age band, country of origin)."""

    __tablename__ = "participant_attribute"
    __table_args__ = (UniqueConstraint("participant_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    value: Mapped[str] = mapped_column(Text)
    value_type: Mapped[str] = mapped_column(String(10), default="text")
    participant: Mapped[Participant] = relationship(back_populates="attributes")


class ParticipantWaveAttribute(Base):
    """An attribute measured at one wave (a PROM score, a medication change)."""

    __tablename__ = "participant_wave_attribute"
    __table_args__ = (UniqueConstraint("participant_id", "wave_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    value: Mapped[str] = mapped_column(Text)
    value_type: Mapped[str] = mapped_column(String(10), default="text")
    participant: Mapped[Participant] = relationship(back_populates="wave_attributes")
    wave: Mapped[Wave] = relationship()


class Dyad(Base):
    __tablename__ = "dyad"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    members: Mapped[list[DyadMember]] = relationship(
        back_populates="dyad", cascade="all, delete-orphan", passive_deletes=True
    )


class DyadMember(Base):
    __tablename__ = "dyad_member"
    dyad_id: Mapped[int] = mapped_column(
        ForeignKey("dyad.id", ondelete="CASCADE"), primary_key=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    dyad: Mapped[Dyad] = relationship(back_populates="members")
    participant: Mapped[Participant] = relationship()


class Interview(Base):
    __tablename__ = "interview"
    __table_args__ = (CheckConstraint(_check_in("status", INTERVIEW_STATUSES), name="status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    wave_id: Mapped[int | None] = mapped_column(
        ForeignKey("wave.id", ondelete="SET NULL"), index=True
    )
    dyad_id: Mapped[int | None] = mapped_column(
        ForeignKey("dyad.id", ondelete="SET NULL"), index=True
    )
    language: Mapped[str | None] = mapped_column(String(20))
    date: Mapped[dt.date | None] = mapped_column(Date)
    session_number: Mapped[int | None] = mapped_column(Integer)
    weeks_since_start: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    coded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    """When the interview was last marked ``coded`` (codebook drift compares with this)."""
    media_path: Mapped[str | None] = mapped_column(Text)
    media_sha256: Mapped[str | None] = mapped_column(String(64))
    transcript_version: Mapped[int] = mapped_column(Integer, default=0)
    """Bumped by every transcript change; undo refuses when its target moved on."""
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    wave: Mapped[Wave | None] = relationship()
    dyad: Mapped[Dyad | None] = relationship()
    participants: Mapped[list[InterviewParticipantRow]] = relationship(
        back_populates="interview", cascade="all, delete-orphan", passive_deletes=True
    )


class InterviewParticipantRow(Base):
    __tablename__ = "interview_participant"
    __table_args__ = (CheckConstraint(_check_in("role", INTERVIEW_ROLES), name="role"),)
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interview.id", ondelete="CASCADE"), primary_key=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(20))
    interview: Mapped[Interview] = relationship(back_populates="participants")
    participant: Mapped[Participant] = relationship()


class UtteranceRow(Base):
    """One utterance. ``position`` orders an interview's utterances (0-based, no gaps).

    ``search_text`` is the folded token stream that full-text search indexes on both databases
    (see ``workbench.domain.text``); it is derived from ``text`` on every write.
    """

    __tablename__ = "utterance"
    __table_args__ = (Index("ix_utterance_interview_position", "interview_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interview.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    speaker_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL"), index=True
    )
    speaker_label: Mapped[str | None] = mapped_column(String(200))
    renders_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL"), index=True
    )
    start_ms: Mapped[int | None] = mapped_column(Integer)
    end_ms: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text, default="")
    word_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """``\\w+`` words in ``text`` (the longitudinal share-of-words denominators read this)."""
    language: Mapped[str | None] = mapped_column(String(20))
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    untranscribed_speech: Mapped[bool] = mapped_column(Boolean, default=False)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=0)

    speaker: Mapped[Participant | None] = relationship(foreign_keys=[speaker_id])
    renders: Mapped[Participant | None] = relationship(foreign_keys=[renders_id])


class RenderingSpan(Base):
    """Part of an interpreter's utterance that renders someone (``participant``): those
    characters count for that person; the utterance's unmarked words stay its speaker's."""

    __tablename__ = "rendering_span"
    __table_args__ = (
        CheckConstraint("start_offset >= 0 AND end_offset > start_offset", name="span"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interview.id", ondelete="CASCADE"), index=True
    )
    utterance_id: Mapped[int] = mapped_column(
        ForeignKey("utterance.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    start_offset: Mapped[int] = mapped_column(Integer)
    end_offset: Mapped[int] = mapped_column(Integer)


class UtteranceLink(Base):
    """An original and its rendering (both in one interview): the pair counts once."""

    __tablename__ = "utterance_link"
    __table_args__ = (
        CheckConstraint("original_id <> rendering_id", name="distinct"),
        UniqueConstraint("rendering_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interview.id", ondelete="CASCADE"), index=True
    )
    original_id: Mapped[int] = mapped_column(
        ForeignKey("utterance.id", ondelete="CASCADE"), index=True
    )
    rendering_id: Mapped[int] = mapped_column(ForeignKey("utterance.id", ondelete="CASCADE"))


@event.listens_for(UtteranceRow, "before_insert")
@event.listens_for(UtteranceRow, "before_update")
def _derive_from_text(_mapper: object, _connection: object, row: UtteranceRow) -> None:
    """Whatever writes an utterance's text through the ORM, its index entry and word count
    follow. (Bulk statements set them themselves.)"""
    row.search_text = search_text_of(row.text)
    row.word_count = count_words(row.text)


class WordRow(Base):
    """A word with its time and the model's probability, where a transcription gave them."""

    __tablename__ = "word"
    id: Mapped[int] = mapped_column(primary_key=True)
    utterance_id: Mapped[int] = mapped_column(
        ForeignKey("utterance.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    start_ms: Mapped[int] = mapped_column(Integer)
    end_ms: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    probability: Mapped[float | None] = mapped_column(Float)


class Translation(Base):
    """A second text layer of one utterance (never its original)."""

    __tablename__ = "translation"
    __table_args__ = (
        UniqueConstraint("utterance_id", "language", "method"),
        CheckConstraint(_check_in("method", TRANSLATION_METHODS), name="method"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    utterance_id: Mapped[int] = mapped_column(ForeignKey("utterance.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    translator: Mapped[str | None] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Code(Base):
    __tablename__ = "code"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("code.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    color: Mapped[str | None] = mapped_column(String(9))
    definition: Mapped[str | None] = mapped_column(Text)
    inclusion: Mapped[str | None] = mapped_column(Text)
    exclusion: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("coder.id", ondelete="SET NULL"))
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)


Index("uq_code_sibling_name", func.coalesce(Code.parent_id, 0), Code.name, unique=True)
"""Sibling code names are unique in the database, top-level codes included (migration 0011)."""


class Coding(Base):
    """A span of an interview's text with one code, anchored to utterances at both ends."""

    __tablename__ = "coding"
    id: Mapped[int] = mapped_column(primary_key=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("code.id", ondelete="CASCADE"), index=True)
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interview.id", ondelete="CASCADE"), index=True
    )
    start_utterance_id: Mapped[int] = mapped_column(
        ForeignKey("utterance.id", ondelete="CASCADE"), index=True
    )
    start_offset: Mapped[int] = mapped_column(Integer)
    end_utterance_id: Mapped[int] = mapped_column(
        ForeignKey("utterance.id", ondelete="CASCADE"), index=True
    )
    end_offset: Mapped[int] = mapped_column(Integer)
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("coder.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    memo: Mapped[str | None] = mapped_column(Text)
    important: Mapped[bool] = mapped_column(Boolean, default=False)
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)


CODING_ANCHORS = (
    Coding.start_utterance_id,
    Coding.start_offset,
    Coding.end_utterance_id,
    Coding.end_offset,
)
"""Where a coding starts and ends, (utterance, offset) twice: the columns every reader of coded
spans selects, in this order."""


class DetachedCoding(Base):
    """A coding whose words were all deleted: kept with the text it held until the analyst acts."""

    __tablename__ = "detached_coding"
    id: Mapped[int] = mapped_column(primary_key=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("code.id", ondelete="CASCADE"), index=True)
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interview.id", ondelete="CASCADE"), index=True
    )
    speaker_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("coder.id", ondelete="SET NULL"))
    coded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    detached_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    memo: Mapped[str | None] = mapped_column(Text)
    guid: Mapped[str] = mapped_column(String(36))


class Theme(Base):
    __tablename__ = "theme"
    __table_args__ = (CheckConstraint(_check_in("status", THEME_STATUSES), name="status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    concept: Mapped[str | None] = mapped_column(Text)
    """The central organising concept."""
    definition: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="candidate")
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("theme.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)


Index("uq_theme_name", Theme.name, unique=True)
"""Theme names are unique in the database (migration 0011)."""


class CodeCategory(Base):
    """A code another tool marked ``isCodable="false"``: a category that only groups codes."""

    __tablename__ = "code_category"
    code_id: Mapped[int] = mapped_column(
        ForeignKey("code.id", ondelete="CASCADE"), primary_key=True
    )


class InterviewTitle(Base):
    """The name another tool gave an interview's source (spaces kept; the id is one word),
    exported again as the source's name."""

    __tablename__ = "interview_title"
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interview.id", ondelete="CASCADE"), primary_key=True
    )
    title: Mapped[str] = mapped_column(Text)


class ThemeCode(Base):
    __tablename__ = "theme_code"
    theme_id: Mapped[int] = mapped_column(
        ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True
    )
    code_id: Mapped[int] = mapped_column(
        ForeignKey("code.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ThemeEvent(Base):
    """The theme's history: merges, splits, renames, code moves, with the analyst's rationale."""

    __tablename__ = "theme_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("theme.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    detail: Mapped[str] = mapped_column(Text, default="{}")
    rationale: Mapped[str | None] = mapped_column(Text)
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("coder.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Memo(Base):
    """A memo on one thing (or on the project when every target is empty).

    One nullable foreign key per kind of target, each cascading, so a memo can never outlive
    what it is about.
    """

    __tablename__ = "memo"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN interview_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN participant_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN dyad_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN wave_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN code_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN coding_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN theme_id IS NULL THEN 0 ELSE 1 END) <= 1",
            name="one_target",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str | None] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text)
    interview_id: Mapped[int | None] = mapped_column(
        ForeignKey("interview.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    dyad_id: Mapped[int | None] = mapped_column(
        ForeignKey("dyad.id", ondelete="CASCADE"), index=True
    )
    wave_id: Mapped[int | None] = mapped_column(
        ForeignKey("wave.id", ondelete="CASCADE"), index=True
    )
    code_id: Mapped[int | None] = mapped_column(
        ForeignKey("code.id", ondelete="CASCADE"), index=True
    )
    coding_id: Mapped[int | None] = mapped_column(
        ForeignKey("coding.id", ondelete="CASCADE"), index=True
    )
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("theme.id", ondelete="CASCADE"), index=True
    )
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("coder.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)


class JournalEntry(Base):
    """A dated reflexive note by one coder."""

    __tablename__ = "journal_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("coder.id", ondelete="SET NULL"))
    entry_date: Mapped[dt.date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=new_guid)


class _UnitMixin:
    """Theme × unit cells: the unit is the study, a role, a participant or a dyad."""

    unit_kind: Mapped[str] = mapped_column(String(20))
    role: Mapped[str | None] = mapped_column(String(20))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    dyad_id: Mapped[int | None] = mapped_column(
        ForeignKey("dyad.id", ondelete="CASCADE"), index=True
    )


class CellSummary(_UnitMixin, Base):
    """The analyst's summary of one theme × unit × wave cell."""

    __tablename__ = "cell_summary"
    __table_args__ = (CheckConstraint(_check_in("unit_kind", UNIT_KINDS), name="unit_kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"), index=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("coder.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Trajectory(_UnitMixin, Base):
    """The analyst's own reading of how a theme changed for a unit: words and a label."""

    __tablename__ = "trajectory"
    __table_args__ = (CheckConstraint(_check_in("unit_kind", UNIT_KINDS), name="unit_kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"), index=True)
    label: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str | None] = mapped_column(Text)
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("coder.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Exemplar(_UnitMixin, Base):
    """A quote the analyst pinned as exemplary for a theme × unit × wave cell."""

    __tablename__ = "exemplar"
    __table_args__ = (CheckConstraint(_check_in("unit_kind", UNIT_KINDS), name="unit_kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"), index=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id", ondelete="CASCADE"), index=True)
    coding_id: Mapped[int] = mapped_column(ForeignKey("coding.id", ondelete="CASCADE"), index=True)
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("coder.id", ondelete="SET NULL"))
    pinned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    excerpt: Mapped[str | None] = mapped_column(Text)
    """The quote as the analyst shortened it with "[…]" (every piece is the coding's own words,
    in order); None quotes the whole coding."""


class DyadStance(Base):
    """The analyst's judgement of a dyad's stance on a theme at a wave."""

    __tablename__ = "dyad_stance"
    __table_args__ = (
        UniqueConstraint("dyad_id", "wave_id", "theme_id"),
        CheckConstraint(_check_in("stance", STANCES), name="stance"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    dyad_id: Mapped[int] = mapped_column(ForeignKey("dyad.id", ondelete="CASCADE"))
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id", ondelete="CASCADE"), index=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"), index=True)
    stance: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("coder.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Snapshot(Base):
    """A named, frozen copy of the analysis state (JSON) that an export can cite."""

    __tablename__ = "snapshot"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    payload: Mapped[str] = mapped_column(Text)
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("coder.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Redaction(Base):
    """Where a placeholder replaced an identifying original; the original lives in the key only."""

    __tablename__ = "redaction"
    id: Mapped[int] = mapped_column(primary_key=True)
    utterance_id: Mapped[int] = mapped_column(
        ForeignKey("utterance.id", ondelete="CASCADE"), index=True
    )
    start_offset: Mapped[int] = mapped_column(Integer)
    end_offset: Mapped[int] = mapped_column(Integer)
    placeholder: Mapped[str] = mapped_column(String(500))
    key_ref: Mapped[str] = mapped_column(String(64))
    """Opaque reference into the key store."""
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("coder.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


QUEUE_STATUSES = ("queued", "running", "done", "failed")


class TranscriptionQueueItem(Base):
    """A recording waiting its turn to be transcribed (``workbench.transcribe.queue``)."""

    __tablename__ = "transcription_queue"
    __table_args__ = (CheckConstraint(_check_in("status", QUEUE_STATUSES), name="status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interview.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    options: Mapped[str] = mapped_column(Text)
    """The job's settings as JSON (model, language, speaker labels mapped to participants …)."""
    status: Mapped[str] = mapped_column(String(20), default="queued")
    detail: Mapped[str | None] = mapped_column(Text)
    """What became of it: the outcome line, or why it failed."""
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("coder.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class UndoEntry(Base):
    """One step of a coder's persisted undo history. May hold content: withdrawal purges it."""

    __tablename__ = "undo_entry"
    __table_args__ = (Index("ix_undo_entry_coder_seq", "coder_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    coder_id: Mapped[int] = mapped_column(ForeignKey("coder.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(500))
    forward: Mapped[str] = mapped_column(Text)
    inverse: Mapped[str] = mapped_column(Text)
    undone: Mapped[bool] = mapped_column(Boolean, default=False)
    participant_ids: Mapped[str] = mapped_column(Text, default="")
    """Space-separated participant row ids whose words the entry may hold (for withdrawal)."""
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEntry(Base):
    """Who did what when: ids only, never content. Written in the same transaction as the change."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    coder: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100), index=True)
    target: Mapped[str | None] = mapped_column(Text)
    """What the action touched, as ids (``participant:P01``, ``interview:P01-baseline``)."""
    detail: Mapped[str] = mapped_column(Text, default="{}")
    """JSON of ids, counts and paths; never transcript text."""


# --- kept by the database (migration 0005), not mapped ---------------------------------------

DERIVED = MetaData()
"""Tables the database's triggers keep: outside ``Base.metadata``, so the undo recorder never
sees them (it must never put a version back) and no command writes them."""

interview_version = Table(
    "interview_version",
    DERIVED,
    Column("interview_id", Integer, primary_key=True),
    Column("version", BigInteger, nullable=False),
)
"""Per interview, a version that moves on (never back, never reused) whenever its utterances'
text, speaker, rendering, word count or order, its codings' codes or anchors, or its people or
their roles change — by triggers, whatever writes the rows."""

analysis_rows = Table(
    "analysis_rows",
    DERIVED,
    Column("interview_id", Integer, primary_key=True),
    Column("version", BigInteger, nullable=False),
    Column("inputs", String(64), nullable=False),
    Column("rows", LargeBinary, nullable=False),
)
"""Per interview, its share of the longitudinal tidy tables (ids and counts, never text), valid
for ``version``: computed for the theme membership hashed in ``inputs``, and holding each theme's
code set (hashed) so a theme whose codes did not change is reused. The triggers delete it when
the interview changes."""
