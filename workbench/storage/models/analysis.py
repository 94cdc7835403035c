"""Analysis objects: codes and codings, themes and their events, memos and the journal, the
analyst's cell summaries, trajectories, exemplars and dyad stances, snapshots, redactions, the
undo history, the audit log and the transcription queue."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from workbench.domain.coding import THEME_STATUSES
from workbench.storage.models._base import (
    STANCES,
    UNIT_KINDS,
    Base,
    UTCDateTime,
    _check_in,
    new_guid,
    utcnow,
)


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
