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

The models live in modules along the schema's own seam (``study``: study structure and
transcripts; ``analysis``: analysis objects, as migrations 0001 and 0002 created them), on a
common ``_base``; ``derived`` holds the tables the database keeps. Import every name from here.
"""

from __future__ import annotations

from workbench.domain.coding import THEME_STATUSES
from workbench.storage.models._base import (
    CONSENTS,
    INTERVIEW_ROLES,
    INTERVIEW_STATUSES,
    NAMING_CONVENTION,
    ROLES,
    STANCES,
    STUDY_ROLES,
    TRANSLATION_METHODS,
    UNIT_KINDS,
    Base,
    UTCDateTime,
    new_guid,
    utcnow,
)
from workbench.storage.models.analysis import (
    CODING_ANCHORS,
    QUEUE_STATUSES,
    AuditEntry,
    CellSummary,
    Code,
    CodeCategory,
    Coding,
    DetachedCoding,
    DyadStance,
    Exemplar,
    InterviewTitle,
    JournalEntry,
    Memo,
    Redaction,
    Snapshot,
    Theme,
    ThemeCode,
    ThemeEvent,
    Trajectory,
    TranscriptionQueueItem,
    UndoEntry,
)
from workbench.storage.models.derived import (
    DERIVED,
    analysis_rows,
    gate_clearance,
    interview_version,
    text_change,
    text_row_change,
)
from workbench.storage.models.study import (
    Coder,
    Dyad,
    DyadMember,
    Interview,
    InterviewParticipantRow,
    Participant,
    ParticipantAttribute,
    ParticipantWaveAttribute,
    ProjectRow,
    RenderingSpan,
    Setting,
    Translation,
    UtteranceLink,
    UtteranceRow,
    Wave,
    WordRow,
)

__all__ = [
    "CODING_ANCHORS",
    "CONSENTS",
    "DERIVED",
    "INTERVIEW_ROLES",
    "INTERVIEW_STATUSES",
    "NAMING_CONVENTION",
    "QUEUE_STATUSES",
    "ROLES",
    "STANCES",
    "STUDY_ROLES",
    "THEME_STATUSES",
    "TRANSLATION_METHODS",
    "UNIT_KINDS",
    "AuditEntry",
    "Base",
    "CellSummary",
    "Code",
    "CodeCategory",
    "Coder",
    "Coding",
    "DetachedCoding",
    "Dyad",
    "DyadMember",
    "DyadStance",
    "Exemplar",
    "Interview",
    "InterviewParticipantRow",
    "InterviewTitle",
    "JournalEntry",
    "Memo",
    "Participant",
    "ParticipantAttribute",
    "ParticipantWaveAttribute",
    "ProjectRow",
    "Redaction",
    "RenderingSpan",
    "Setting",
    "Snapshot",
    "Theme",
    "ThemeCode",
    "ThemeEvent",
    "Trajectory",
    "TranscriptionQueueItem",
    "Translation",
    "UTCDateTime",
    "UndoEntry",
    "UtteranceLink",
    "UtteranceRow",
    "Wave",
    "WordRow",
    "analysis_rows",
    "gate_clearance",
    "interview_version",
    "new_guid",
    "text_change",
    "text_row_change",
    "utcnow",
]
