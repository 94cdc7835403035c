"""Transcripts inside a project: storing imported utterances, and reading the interview text.

The interview text is the utterances' texts joined by one LF, in order (DESIGN.md): every
position on the command line and in exports counts code points of exactly this string.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from workbench.coding._anchors import LoadedTranscript
from workbench.coding.study import get_interview, get_participant
from workbench.coding.utterances import replace_transcript
from workbench.domain.study import (
    ImportReport,
    InterviewStatus,
    Role,
    StudyError,
    TimedWord,
    Utterance,
    UtteranceFlag,
)
from workbench.domain.text import align_words, count_words, search_text_of
from workbench.domain.transcript import ParsedTranscript
from workbench.storage.models import (
    Interview,
    Participant,
    RenderingSpan,
    Translation,
    UtteranceLink,
    UtteranceRow,
)
from workbench.storage.project import Project

# Labels a transcriber commonly uses for a study role; a label maps to the interview's one
# participant of that role (or interview role) when nothing more specific was given.
_ROLE_LABELS: dict[str, tuple[str, ...]] = {
    "interviewer": ("interviewer", "researcher", "i", "int", "iv", "moderator", "facilitator"),
    "interpreter": ("interpreter", "translator", "tolk", "interp"),
    "patient": ("patient", "pt", "p", "client", "participant", "respondent", "r"),
    "clinician": (
        "clinician",
        "doctor",
        "dr",
        "therapist",
        "psychologist",
        "psychiatrist",
        "counsellor",
        "counselor",
        "nurse",
        "gp",
        "c",
        "t",
        "d",
    ),
}


def _flags(row: Any) -> tuple[str, ...]:
    """Flags of an utterance: an ORM row or a plain row with the same columns."""
    flags = []
    if row.needs_review:
        flags.append(UtteranceFlag.NEEDS_REVIEW.value)
    if row.untranscribed_speech:
        flags.append(UtteranceFlag.UNTRANSCRIBED_SPEECH.value)
    if row.verified:
        flags.append(UtteranceFlag.VERIFIED.value)
    return tuple(flags)


def participant_for_label(label: str, roles: Mapping[str, tuple[str, str]]) -> str | None:
    """The key of the participant a speaker label names, or None: the key itself, then a role
    word ("Doctor", "Pt", "Interviewer") that fits exactly one participant. ``roles`` maps each
    participant key to (role in the interview, study role)."""
    folded = label.strip().casefold().rstrip(".")
    by_key = [k for k in roles if k.casefold() == folded]
    if by_key:
        return by_key[0]
    for role_name, aliases in _ROLE_LABELS.items():
        if folded in aliases:
            candidates = [
                k
                for k, (interview_role, role) in roles.items()
                if interview_role == role_name
                or (role_name in ("patient", "clinician") and role == role_name)
                or (role_name == "interviewer" and role == Role.RESEARCHER.value)
            ]
            return candidates[0] if len(candidates) == 1 else None
    return None


def map_speakers(
    s: Session,
    interview: Interview,
    labels: Sequence[str],
    explicit: Mapping[str, str],
) -> dict[str, Participant | None]:
    """Map each label to a participant of the interview: explicit mapping, id, then role."""
    people = {ip.participant.key: (ip.participant, ip.role) for ip in interview.participants}
    result: dict[str, Participant | None] = {}
    for label, key in explicit.items():
        if label not in labels:
            raise StudyError(f"speaker label '{label}' does not occur in the transcript")
        participant = get_participant(s, key)
        if key not in people:
            raise StudyError(
                f"participant '{key}' does not take part in interview '{interview.key}'"
            )
        result[label] = participant
    roles = {k: (interview_role, p.role) for k, (p, interview_role) in people.items()}
    for label in labels:
        if label in result:
            continue
        found = participant_for_label(label, roles)
        result[label] = people[found][0] if found is not None else None
    return result


def import_utterances(
    project: Project,
    interview_key: str,
    transcript: ParsedTranscript,
    *,
    speakers: Mapping[str, str] | None = None,
) -> ImportReport:
    """Store a parsed transcript as the interview's utterances, in one transaction.

    An interview that already has a transcript gets the new one as a corrected version: codings
    follow their words (those whose words are gone are detached) and unchanged utterances keep
    their flags, words and translations.
    """
    if not transcript.utterances:
        raise StudyError("the transcript holds no utterances")
    with project.session() as s:
        interview = get_interview(s, interview_key)
        mapping = map_speakers(s, interview, transcript.speakers, speakers or {})
        previous = int(
            s.scalar(select(func.count()).where(UtteranceRow.interview_id == interview.id)) or 0
        )
        rows = []
        for position, u in enumerate(transcript.utterances):
            speaker = mapping.get(u.speaker) if u.speaker is not None else None
            rows.append(
                {
                    "interview_id": interview.id,
                    "position": position,
                    "speaker_id": speaker.id if speaker is not None else None,
                    "speaker_label": u.speaker,
                    "start_ms": u.start_ms,
                    "end_ms": u.end_ms,
                    "text": u.text,
                    "search_text": search_text_of(u.text),
                    "word_count": count_words(u.text),
                    "language": interview.language,
                    "needs_review": False,
                    "untranscribed_speech": False,
                    "verified": False,
                    "version": 0,
                }
            )
        detached = 0
        if previous:
            # A corrected version: codings follow their words, unchanged utterances stay.
            detached = replace_transcript(s, LoadedTranscript.load(s, interview), rows)
        else:
            s.execute(insert(UtteranceRow), rows)
        interview.transcript_version += 1
        if interview.status == InterviewStatus.PLANNED.value:
            interview.status = InterviewStatus.TRANSCRIBED.value
        report = ImportReport(
            interview=interview_key,
            utterances=len(rows),
            speakers={label: (p.key if p is not None else None) for label, p in mapping.items()},
            encoding=transcript.encoding,
            format=transcript.format,
            warnings=transcript.warnings,
            replaced=previous,
            detached=detached,
        )
        project.audit(
            s,
            "transcript.import",
            f"interview:{interview_key}",
            utterances=len(rows),
            replaced=previous,
            detached=detached,
            format=transcript.format,
        )
        return report


def _speaker_names(s: Session, rows: Sequence[Any]) -> dict[int, str]:
    ids = {r.speaker_id for r in rows if r.speaker_id} | {
        r.renders_id for r in rows if r.renders_id
    }
    if not ids:
        return {}
    found = s.execute(select(Participant.id, Participant.key).where(Participant.id.in_(ids)))
    return {participant_id: key for participant_id, key in found}


def utterances(project: Project, interview_key: str) -> list[Utterance]:
    """The interview's utterances in order, as ``workbench text --json`` lists them."""
    with project.session(write=False) as s:
        interview = get_interview(s, interview_key)
        # Plain rows, not ORM objects: a long interview is read many times a session.
        rows = s.execute(
            select(
                UtteranceRow.id,
                UtteranceRow.speaker_id,
                UtteranceRow.speaker_label,
                UtteranceRow.renders_id,
                UtteranceRow.start_ms,
                UtteranceRow.end_ms,
                UtteranceRow.text,
                UtteranceRow.language,
                UtteranceRow.needs_review,
                UtteranceRow.untranscribed_speech,
                UtteranceRow.verified,
            )
            .where(UtteranceRow.interview_id == interview.id)
            .order_by(UtteranceRow.position)
        ).all()
        names = _speaker_names(s, rows)
        layers: dict[int, list[tuple[str, str, str]]] = {}
        if rows:
            for t in s.scalars(
                select(Translation)
                .join(UtteranceRow, UtteranceRow.id == Translation.utterance_id)
                .where(UtteranceRow.interview_id == interview.id)
                .order_by(Translation.id)
            ):
                layers.setdefault(t.utterance_id, []).append((t.language, t.method, t.text))
        spans: dict[int, list[tuple[int, int, str]]] = {}
        for uid, start, end, who in s.execute(
            select(
                RenderingSpan.utterance_id,
                RenderingSpan.start_offset,
                RenderingSpan.end_offset,
                Participant.key,
            )
            .join(Participant, Participant.id == RenderingSpan.participant_id)
            .where(RenderingSpan.interview_id == interview.id)
            .order_by(RenderingSpan.utterance_id, RenderingSpan.start_offset)
        ):
            spans.setdefault(uid, []).append((start, end, who))
        position = {r.id: i for i, r in enumerate(rows)}
        originals = {
            rendering: position.get(original)
            for rendering, original in s.execute(
                select(UtteranceLink.rendering_id, UtteranceLink.original_id).where(
                    UtteranceLink.interview_id == interview.id
                )
            )
        }
        return [
            Utterance(
                index=i,
                speaker=names.get(r.speaker_id) if r.speaker_id else r.speaker_label,
                start_ms=r.start_ms,
                end_ms=r.end_ms,
                text=r.text,
                language=r.language,
                flags=_flags(r),
                renders=names.get(r.renders_id) if r.renders_id else None,
                translations=tuple(layers.get(r.id, ())),
                rendered=tuple(spans.get(r.id, ())),
                original=originals.get(r.id),
                row=r.id,
            )
            for i, r in enumerate(rows)
        ]


def timed_words(project: Project, interview_key: str) -> list[TimedWord]:
    """The interview's transcribed words with their times, found in the text as it now reads.

    Words a correction removed are left out; the player highlights the ones still there.
    """
    from workbench.storage.models import WordRow

    with project.session(write=False) as s:
        interview = get_interview(s, interview_key)
        rows = s.execute(
            select(UtteranceRow.id, UtteranceRow.text)
            .where(UtteranceRow.interview_id == interview.id)
            .order_by(UtteranceRow.position)
        ).all()
        index = {r.id: i for i, r in enumerate(rows)}
        words: dict[int, list[Any]] = {}
        for w in s.execute(
            select(
                WordRow.utterance_id,
                WordRow.start_ms,
                WordRow.end_ms,
                WordRow.text,
                WordRow.probability,
            )
            .join(UtteranceRow, UtteranceRow.id == WordRow.utterance_id)
            .where(UtteranceRow.interview_id == interview.id)
            .order_by(WordRow.utterance_id, WordRow.position)
        ):
            words.setdefault(w.utterance_id, []).append(w)
        result: list[TimedWord] = []
        for r in rows:
            mine = words.get(r.id, [])
            for w, place in zip(mine, align_words(r.text, [w.text for w in mine]), strict=True):
                if place is not None:
                    result.append(
                        TimedWord(
                            index[r.id], place[0], place[1], w.start_ms, w.end_ms, w.probability
                        )
                    )
        return result


def interview_text(project: Project, interview_key: str) -> str:
    """The interview text: utterance texts joined by one LF, no labels, no trailing newline."""
    return "\n".join(u.text for u in utterances(project, interview_key))


APPENDED = 1_000_000_000
"""The position new machine rows take until ``_place_by_time`` gives them theirs."""


def _place_by_time(s: Session, interview_id: int, earliest_ms: int) -> None:
    """Give the just-appended rows their places by start time, moving only the rows from the
    first one that starts at or after them: a job appending at the end renumbers nothing else
    (a 4-hour job's last segment costs what its first did)."""
    of_interview = UtteranceRow.interview_id == interview_id
    first = s.scalar(
        select(func.min(UtteranceRow.position)).where(
            of_interview, UtteranceRow.position < APPENDED, UtteranceRow.start_ms >= earliest_ms
        )
    )
    if first is None:
        first = (
            s.scalar(select(func.count()).where(of_interview, UtteranceRow.position < APPENDED))
            or 0
        )
    tail = sorted(
        s.scalars(select(UtteranceRow).where(of_interview, UtteranceRow.position >= first)),
        key=lambda u: (u.start_ms if u.start_ms is not None else -1, u.position, u.id),
    )
    for position, u in enumerate(tail, start=first):
        u.position = position


def append_transcription(
    project: Project,
    interview_key: str,
    utterance_rows: Sequence[Mapping[str, Any]],
    words: list[list[tuple[int, int, str, float]]],
    *,
    speakers: Mapping[str, str] | None = None,
    model: str,
) -> ImportReport:
    """Add machine-transcribed utterances (with word times) to an interview, in time order.

    Rows already there — earlier segments of a resumed job, or text a human corrected — are
    never changed; the new rows take their place by start time. All in one session.
    """
    with project.session() as s:
        interview = get_interview(s, interview_key)
        labels = list(dict.fromkeys(str(r["speaker"]) for r in utterance_rows if r["speaker"]))
        # A streaming job stores a few rows at a time: map only the labels these rows carry.
        explicit = {k: v for k, v in (speakers or {}).items() if k in labels}
        mapping = map_speakers(s, interview, labels, explicit)
        # Held here: the session keeps flushed rows only weakly, and ``_place_by_time`` must
        # find the new rows in it rather than read them back.
        added: list[UtteranceRow] = []
        for row, row_words in zip(utterance_rows, words, strict=True):
            label = row["speaker"]
            person = mapping.get(str(label)) if label else None
            added.append(_add_machine_row(s, interview, row, row_words, person, model))
        s.flush()
        _place_by_time(s, interview.id, min(int(r["start_ms"]) for r in utterance_rows))
        interview.transcript_version += 1
        if interview.status == "planned":
            interview.status = "transcribed"
        flagged = sum(1 for r in utterance_rows if r["needs_review"] or r["untranscribed_speech"])
        project.audit(
            s,
            "transcript.transcribe",
            f"interview:{interview_key}",
            utterances=len(utterance_rows),
            flagged=flagged,
            model=model,
        )
        return ImportReport(
            interview=interview_key,
            utterances=len(utterance_rows),
            speakers={label: (p.key if p else None) for label, p in mapping.items()},
            encoding="audio",
            format=f"whisper:{model}",
            warnings=(),
            replaced=0,
        )


def _add_machine_row(
    s: Session,
    interview: Interview,
    row: Mapping[str, Any],
    row_words: list[tuple[int, int, str, float]],
    person: Participant | None,
    model: str,
) -> UtteranceRow:
    """Add one machine-transcribed utterance at the ``APPENDED`` position, with its machine
    translation (if any) and its timed words, in the caller's session."""
    from workbench.storage.models import WordRow

    label = row["speaker"]
    utterance = UtteranceRow(
        interview_id=interview.id,
        position=APPENDED,
        speaker_id=person.id if person is not None else None,
        speaker_label=str(label) if label else None,
        start_ms=row["start_ms"],
        end_ms=row["end_ms"],
        text=str(row["text"]),
        language=row["language"] or interview.language,
        needs_review=bool(row["needs_review"]),
        untranscribed_speech=bool(row["untranscribed_speech"]),
        verified=False,
    )
    s.add(utterance)
    s.flush()
    if row.get("translation"):
        # Beside the original, never in its place; the translator is the model.
        s.add(
            Translation(
                utterance_id=utterance.id,
                language="en",
                text=str(row["translation"]),
                translator=f"whisper:{model}",
                method="machine",
            )
        )
    s.add_all(
        WordRow(
            utterance_id=utterance.id,
            position=i,
            start_ms=a,
            end_ms=b,
            text=w,
            probability=p,
        )
        for i, (a, b, w, p) in enumerate(row_words)
    )
    return utterance
