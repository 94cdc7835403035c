"""Study structure and transcripts: the project, settings, coders, waves, participants and
their attributes, dyads, interviews and who took part, utterances (with renderings, links,
words and translations)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workbench.domain.text import count_words, search_text_of
from workbench.storage.models._base import (
    CONSENTS,
    INTERVIEW_ROLES,
    INTERVIEW_STATUSES,
    ROLES,
    STUDY_ROLES,
    TRANSLATION_METHODS,
    Base,
    UTCDateTime,
    _check_in,
    new_guid,
    utcnow,
)


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
