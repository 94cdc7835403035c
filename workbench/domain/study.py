"""The study's vocabulary: roles, consent, interview status, and the records services hand out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    PATIENT = "patient"
    CLINICIAN = "clinician"
    INTERPRETER = "interpreter"
    RESEARCHER = "researcher"
    OTHER = "other"


class Consent(StrEnum):
    CONSENTED = "consented"
    PENDING = "pending"
    DECLINED = "declined"


class InterviewRole(StrEnum):
    INTERVIEWEE = "interviewee"
    INTERVIEWER = "interviewer"
    INTERPRETER = "interpreter"

    @classmethod
    def default_for(cls, role: Role) -> InterviewRole:
        """Researchers interview, interpreters interpret, everybody else is interviewed."""
        if role is Role.RESEARCHER:
            return cls.INTERVIEWER
        if role is Role.INTERPRETER:
            return cls.INTERPRETER
        return cls.INTERVIEWEE


class StudyRole(StrEnum):
    """Whether a person's words are data (*participant*) or the study's own (*team*)."""

    PARTICIPANT = "participant"
    TEAM = "team"

    @classmethod
    def default_for(cls, role: Role) -> StudyRole:
        """Researchers and interpreters are the team unless the study consented them as
        participants (then say so)."""
        return cls.TEAM if role in (Role.RESEARCHER, Role.INTERPRETER) else cls.PARTICIPANT


def voice(speaker: int | None, renders: int | None, silent: frozenset[int]) -> int | None:
    """Whose words an utterance (or a rendering span inside it) is — the one attribution rule
    (DESIGN.md) that retrieval and the longitudinal tables share: a rendering counts for the
    person rendered, anything else for its speaker; nobody's when that person is in ``silent``
    (the interview's interviewers and the study's team speakers) or unknown."""
    who = renders if renders is not None else speaker
    return None if who is None or who in silent else who


Span = tuple[int, int, int]
"""A rendering span inside an utterance: (start offset, end offset, the person rendered)."""


def voice_runs(
    length: int,
    speaker: int | None,
    renders: int | None,
    spans: Sequence[Span],
    silent: frozenset[int],
) -> list[tuple[int, int, int | None]]:
    """An utterance's text ``[0, length)`` cut by whose words each part is, as (start, end,
    owner) runs in order (``voice`` for each). Without rendering spans, one run: the utterance's
    own rendering or speaker. With spans, each span counts for the person rendered and every
    unmarked part is the speaker's own (an interpreter's aside or gloss)."""
    if not spans:
        return [(0, length, voice(speaker, renders, silent))]
    runs: list[tuple[int, int, int | None]] = []
    at = 0
    own = voice(speaker, None, silent)
    for lo, hi, pid in sorted(spans):
        lo, hi = max(lo, at), min(hi, length)
        if lo > at:
            runs.append((at, lo, own))
        if hi > lo:
            runs.append((lo, hi, voice(speaker, pid, silent)))
            at = hi
    if at < length:
        runs.append((at, length, own))
    return runs


class InterviewStatus(StrEnum):
    PLANNED = "planned"
    TRANSCRIBED = "transcribed"
    CODING = "coding"
    CODED = "coded"
    STOPPED = "stopped"


class UtteranceFlag(StrEnum):
    NEEDS_REVIEW = "needs_review"
    UNTRANSCRIBED_SPEECH = "untranscribed_speech"
    VERIFIED = "verified"


DEFAULT_WAVES: tuple[str, ...] = ("baseline", "mid-treatment", "post-treatment")

WITHDRAWN_TEXT = "[withdrawn]"


class StudyError(ValueError):
    """A request the study cannot carry out; the message is one line for the researcher."""


@dataclass(frozen=True, slots=True)
class WaveInfo:
    name: str
    position: int


@dataclass(frozen=True, slots=True)
class ParticipantInfo:
    id: str
    role: Role
    consent: Consent
    attributes: dict[str, str] = field(default_factory=dict)
    wave_attributes: dict[str, dict[str, str]] = field(default_factory=dict)
    """wave name -> key -> value"""
    dyads: tuple[str, ...] = ()
    study_role: StudyRole = StudyRole.PARTICIPANT


@dataclass(frozen=True, slots=True)
class DyadInfo:
    id: str
    members: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class InterviewParticipant:
    participant: str
    role: InterviewRole


@dataclass(frozen=True, slots=True)
class InterviewInfo:
    id: str
    wave: str | None
    dyad: str | None
    status: InterviewStatus
    status_reason: str | None
    language: str | None
    date: dt.date | None
    session_number: int | None
    weeks_since_start: float | None
    media_path: str | None
    media_sha256: str | None
    participants: tuple[InterviewParticipant, ...]
    utterance_count: int
    coded_utterances: int = 0
    """Utterances at least one coding touches (the navigator shows the share coded)."""


@dataclass(frozen=True, slots=True)
class Utterance:
    """One utterance of an interview's transcript, as the command line and exports see it."""

    index: int
    speaker: str | None
    """The participant id when the speaker is mapped, else the label from the file."""
    start_ms: int | None
    end_ms: int | None
    text: str
    language: str | None
    flags: tuple[str, ...]
    renders: str | None = None
    translations: tuple[tuple[str, str, str], ...] = ()
    """Text layers beside the original: ``(language, method, text)``, method human|machine."""
    rendered: tuple[tuple[int, int, str], ...] = ()
    """Parts of the text that render someone (an interpreter's): ``(start, end, participant)``,
    code points into ``text``, in text order."""
    original: int | None = None
    """The index of the utterance this one renders, when the pair is linked (it counts once)."""
    row: int | None = None
    """The stored utterance's identity: an edit addressed by it reaches this utterance even
    after a transcription inserted others before it (its ``index`` then moved)."""


@dataclass(frozen=True, slots=True)
class TimedWord:
    """A transcribed word where it sits in its utterance's current text, with its time."""

    utterance: int
    """The utterance's index in the interview."""
    start: int
    end: int
    """Code points into the utterance text, end exclusive."""
    start_ms: int
    end_ms: int
    probability: float | None


@dataclass(frozen=True, slots=True)
class SearchHit:
    interview: str
    utterance: int
    speaker: str | None
    start_ms: int | None
    end_ms: int | None
    text: str
    snippet: str


@dataclass(frozen=True, slots=True)
class ProjectSummary:
    title: str
    schema_revision: str
    location: str
    participants: int
    dyads: int
    waves: int
    interviews: int
    utterances: int
    codes: int
    codings: int
    themes: int
    wave_names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ImportReport:
    interview: str
    utterances: int
    speakers: dict[str, str | None]
    """label in the file -> participant id it was mapped to (None: left unmapped)"""
    encoding: str
    format: str
    warnings: tuple[str, ...]
    replaced: int
    """how many utterances a previous transcript had"""
    detached: int = 0
    """codings a corrected version left without words (moved to the detached list)"""


@dataclass(frozen=True, slots=True)
class WithdrawalReceipt:
    participant: str
    interviews_deleted: tuple[str, ...]
    utterances_replaced: int
    interpreter_utterances_replaced: int
    codings_removed: int
    memos_deleted: int
    wave_attributes_deleted: int
    undo_entries_deleted: int
    detached_codings_deleted: int
    full_text_index_rebuilt: bool
    storage_compacted: str
    unreachable_copies: tuple[str, ...]
    derived_text_changed: tuple[str, ...] = ()
    """Analyst text that quoted them or named their id: ``coding memo 486a61d6: 12 words``."""
    audit_entries_rewritten: int = 0
    """Audit-log rows whose target or details named their id (now ``[withdrawn]``)."""
    key_originals_removed: int = 0
    """Originals of redactions only their text used, removed from the pseudonymisation key
    (with those words from its accepted identifiers and watch list)."""
    key_words_removed: int = 0
    """Words removed from the key's accepted identifiers and watch list: those originals, and
    watched words only they said that no text holds any more."""

    def lines(self) -> list[str]:
        """The receipt as the command line prints it and the window shows it."""
        return [
            f"Withdrawal receipt for participant {self.participant}",
            f"  interviews deleted: {', '.join(self.interviews_deleted) or 'none'}",
            f"  utterances replaced by [withdrawn]: {self.utterances_replaced}",
            f"  interpreter renderings replaced: {self.interpreter_utterances_replaced}",
            f"  codings removed: {self.codings_removed}",
            f"  memos deleted: {self.memos_deleted}",
            f"  per-wave attributes deleted: {self.wave_attributes_deleted}",
            f"  undo entries deleted: {self.undo_entries_deleted}",
            f"  detached codings deleted: {self.detached_codings_deleted}",
            f"  changed in analyst text ({len(self.derived_text_changed)}):",
            *(f"    - {item}" for item in self.derived_text_changed),
            f"  audit-log rows whose id became [withdrawn]: {self.audit_entries_rewritten}",
            "  originals removed from the pseudonymisation key (only their text used them): "
            f"{self.key_originals_removed}"
            + (
                f" (and {self.key_words_removed} word(s) of theirs from its accepted "
                "identifiers and watch list)"
                if self.key_words_removed
                else ""
            ),
            f"  full-text index rebuilt; storage compacted ({self.storage_compacted})",
            "  copies this command cannot reach (remove them by hand):",
            *(f"    - {copy}" for copy in self.unreachable_copies or ("none known",)),
        ]


@dataclass(frozen=True, slots=True)
class CheckReport:
    sound: bool
    problems: tuple[str, ...]
    notes: tuple[str, ...]


NO_DYAD = "(no dyad)"
NO_WAVE = "(no wave)"


@dataclass(frozen=True, slots=True)
class Lane:
    """One row of the navigator: a participant within a dyad (or outside any dyad)."""

    dyad: str
    participant: str
    role: Role


@dataclass(frozen=True, slots=True)
class StudyGrid:
    """The navigator's picture of the study: a lane per dyad member, waves across, and in each
    cell the interviews of that member at that wave (usually one; none is attrition, not an
    error)."""

    waves: tuple[str, ...]
    lanes: tuple[Lane, ...]
    cells: dict[tuple[int, str], tuple[InterviewInfo, ...]]

    def cell(self, lane: int, wave: str) -> tuple[InterviewInfo, ...]:
        return self.cells.get((lane, wave), ())
