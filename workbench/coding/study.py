"""The study's structure: waves, participants, dyads and interviews.

One function per user action. Each runs in one transaction that also writes its audit row, and
returns plain domain records (``workbench.domain.study``), never ORM rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from workbench.domain.study import (
    DEFAULT_WAVES,
    NO_DYAD,
    NO_WAVE,
    Consent,
    DyadInfo,
    InterviewInfo,
    InterviewParticipant,
    InterviewRole,
    InterviewStatus,
    Lane,
    ParticipantInfo,
    ProjectSummary,
    Role,
    StudyError,
    StudyGrid,
    StudyRole,
    WaveInfo,
)
from workbench.storage.models import (
    Code,
    Coding,
    Dyad,
    DyadMember,
    Interview,
    InterviewParticipantRow,
    Participant,
    ParticipantAttribute,
    ParticipantWaveAttribute,
    ProjectRow,
    Theme,
    UtteranceRow,
    Wave,
    utcnow,
)
from workbench.storage.project import Project, create_project

E = TypeVar("E", Role, Consent, InterviewRole, InterviewStatus, StudyRole)


# --- lookups shared by the coding package ------------------------------------------------------


def get_participant(session: Session, key: str) -> Participant:
    row = session.scalar(select(Participant).where(Participant.key == key))
    if row is None:
        raise StudyError(f"no participant '{key}' in this project")
    return row


def get_wave(session: Session, name: str) -> Wave:
    row = session.scalar(select(Wave).where(Wave.name == name))
    if row is None:
        names = ", ".join(session.scalars(select(Wave.name).order_by(Wave.position)))
        raise StudyError(f"no wave '{name}' in this project (waves: {names or 'none'})")
    return row


def get_dyad(session: Session, key: str) -> Dyad:
    row = session.scalar(select(Dyad).where(Dyad.key == key))
    if row is None:
        raise StudyError(f"no dyad '{key}' in this project")
    return row


def get_interview(session: Session, key: str) -> Interview:
    row = session.scalar(select(Interview).where(Interview.key == key))
    if row is None:
        raise StudyError(f"no interview '{key}' in this project")
    return row


def _parse_enum(kind: type[E], value: str | E, what: str) -> E:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise StudyError(f"unknown {what} '{value}' (one of: {allowed})") from None


def _check_key(key: str, what: str) -> str:
    key = key.strip()
    if not key:
        raise StudyError(f"a {what} needs an id")
    if len(key) > 100 or any(ch.isspace() for ch in key):
        raise StudyError(f"{what} id '{key}' must be one word of at most 100 characters")
    return key


# --- the project -------------------------------------------------------------------------------


def new_study(
    target: str | os.PathLike[str],
    *,
    title: str | None = None,
    waves: Sequence[str] = DEFAULT_WAVES,
    coder: str | None = None,
) -> Project:
    """Create a project with its waves. The caller closes the returned project."""
    names = [w.strip() for w in waves if w.strip()]
    if not names:
        raise StudyError("a study needs at least one wave")
    if len(set(names)) != len(names):
        raise StudyError("wave names must differ")
    project = create_project(target, coder=coder)
    try:
        with project.session() as s:
            s.add(ProjectRow(id=1, title=title or Path(str(target)).stem))
            for position, name in enumerate(names):
                s.add(Wave(name=name, position=position))
            project.coder(s)
            project.audit(s, "project.create", waves=len(names))
    except Exception:
        project.close()
        raise
    return project


def summary(project: Project) -> ProjectSummary:
    with project.session(write=False) as s:

        def count(model: type[object]) -> int:
            return int(s.scalar(select(func.count()).select_from(model)) or 0)

        title = s.scalar(select(ProjectRow.title)) or ""
        waves = tuple(s.scalars(select(Wave.name).order_by(Wave.position)))
        return ProjectSummary(
            title=title,
            schema_revision=project.schema_revision(),
            location=project.location,
            participants=count(Participant),
            dyads=count(Dyad),
            waves=len(waves),
            interviews=count(Interview),
            utterances=count(UtteranceRow),
            codes=count(Code),
            codings=count(Coding),
            themes=count(Theme),
            wave_names=waves,
        )


# --- waves -------------------------------------------------------------------------------------


def list_waves(project: Project) -> list[WaveInfo]:
    with project.session(write=False) as s:
        return [
            WaveInfo(w.name, w.position) for w in s.scalars(select(Wave).order_by(Wave.position))
        ]


def add_wave(project: Project, name: str, *, after: str | None = None) -> WaveInfo:
    """Add a wave at the end, or right after ``after`` (a 6-month follow-up, say)."""
    name = name.strip()
    if not name:
        raise StudyError("a wave needs a name")
    with project.session() as s:
        if s.scalar(select(Wave).where(Wave.name == name)) is not None:
            raise StudyError(f"there is already a wave '{name}'")
        waves = list(s.scalars(select(Wave).order_by(Wave.position)))
        index = len(waves) if after is None else waves.index(get_wave(s, after)) + 1
        wave = Wave(name=name, position=index)
        waves.insert(index, wave)
        s.add(wave)
        _renumber(s, waves)
        project.audit(s, "wave.add", f"wave:{name}", position=index)
        return WaveInfo(name, index)


def _renumber(s: Session, waves: list[Wave]) -> None:
    # Positions are not unique in the schema, so a renumbering never collides halfway.
    for position, wave in enumerate(waves):
        wave.position = position
    s.flush()


def rename_wave(project: Project, old: str, new: str) -> WaveInfo:
    new = new.strip()
    if not new:
        raise StudyError("a wave needs a name")
    with project.session() as s:
        wave = get_wave(s, old)
        if new != old and s.scalar(select(Wave).where(Wave.name == new)) is not None:
            raise StudyError(f"there is already a wave '{new}'")
        wave.name = new
        project.audit(s, "wave.rename", f"wave:{new}", previous=old)
        return WaveInfo(wave.name, wave.position)


def reorder_waves(project: Project, names: Sequence[str]) -> list[WaveInfo]:
    """Put the waves in the given order; every wave must be named exactly once."""
    with project.session() as s:
        waves = list(s.scalars(select(Wave).order_by(Wave.position)))
        if sorted(names) != sorted(w.name for w in waves):
            raise StudyError("name every wave exactly once to reorder them")
        by_name = {w.name: w for w in waves}
        ordered = [by_name[n] for n in names]
        _renumber(s, ordered)
        project.audit(s, "wave.reorder", order=list(names))
        return [WaveInfo(w.name, w.position) for w in ordered]


# --- participants --------------------------------------------------------------------------------


def _participant_info(p: Participant, dyads: Iterable[str] = ()) -> ParticipantInfo:
    waves: dict[str, dict[str, str]] = {}
    for a in sorted(p.wave_attributes, key=lambda a: (a.wave.position, a.name)):
        waves.setdefault(a.wave.name, {})[a.name] = a.value
    return ParticipantInfo(
        id=p.key,
        role=Role(p.role),
        consent=Consent(p.consent),
        attributes={a.name: a.value for a in sorted(p.attributes, key=lambda a: a.name)},
        wave_attributes=waves,
        dyads=tuple(dyads),
        study_role=StudyRole(p.study_role),
    )


def _value_type(value: str) -> str:
    try:
        float(value)
    except ValueError:
        return "text"
    return "number"


def add_participant(
    project: Project,
    key: str,
    role: Role | str,
    *,
    consent: Consent | str = Consent.CONSENTED,
    attributes: dict[str, str] | None = None,
    study_role: StudyRole | str | None = None,
) -> ParticipantInfo:
    """Add a participant; ``study_role`` defaults by role (``StudyRole.default_for``)."""
    key = _check_key(key, "participant")
    role = _parse_enum(Role, role, "role")
    consent = _parse_enum(Consent, consent, "consent status")
    study = (
        StudyRole.default_for(role)
        if study_role is None
        else _parse_enum(StudyRole, study_role, "study role")
    )
    with project.session() as s:
        if s.scalar(select(Participant).where(Participant.key == key)) is not None:
            raise StudyError(f"there is already a participant '{key}'")
        p = Participant(key=key, role=role.value, consent=consent.value, study_role=study.value)
        for name, value in (attributes or {}).items():
            p.attributes.append(
                ParticipantAttribute(name=name, value=value, value_type=_value_type(value))
            )
        s.add(p)
        s.flush()
        project.audit(
            s, "participant.add", f"participant:{key}", role=role.value, study_role=study.value
        )
        return _participant_info(p)


def set_attribute(
    project: Project, key: str, name: str, value: str, *, wave: str | None = None
) -> ParticipantInfo:
    """Set a fixed attribute, or with ``wave`` one measured at that wave (a PROM score)."""
    name = name.strip()
    if not name:
        raise StudyError("an attribute needs a name")
    with project.session() as s:
        p = get_participant(s, key)
        if wave is None:
            fixed = s.scalar(
                select(ParticipantAttribute).where(
                    ParticipantAttribute.participant_id == p.id, ParticipantAttribute.name == name
                )
            )
            if fixed is None:
                p.attributes.append(ParticipantAttribute(name=name, value=value))
                fixed = p.attributes[-1]
            fixed.value, fixed.value_type = value, _value_type(value)
        else:
            w = get_wave(s, wave)
            per_wave = s.scalar(
                select(ParticipantWaveAttribute).where(
                    ParticipantWaveAttribute.participant_id == p.id,
                    ParticipantWaveAttribute.wave_id == w.id,
                    ParticipantWaveAttribute.name == name,
                )
            )
            if per_wave is None:
                per_wave = ParticipantWaveAttribute(participant=p, wave=w, name=name, value=value)
                s.add(per_wave)
            per_wave.value, per_wave.value_type = value, _value_type(value)
        s.flush()
        s.refresh(p)
        project.audit(s, "participant.attribute", f"participant:{key}", name=name, wave=wave)
        return _participant_info(p)


def set_consent(project: Project, key: str, consent: Consent | str) -> ParticipantInfo:
    consent = _parse_enum(Consent, consent, "consent status")
    with project.session() as s:
        p = get_participant(s, key)
        previous, p.consent = p.consent, consent.value
        project.audit(
            s, "participant.consent", f"participant:{key}", consent=consent.value, previous=previous
        )
        return _participant_info(p)


def set_study_role(project: Project, key: str, study_role: StudyRole | str) -> ParticipantInfo:
    """Make a participant's words data (*participant*) or the study's own (*team*)."""
    study = _parse_enum(StudyRole, study_role, "study role")
    with project.session() as s:
        p = s.scalar(select(Participant).where(Participant.key == key).with_for_update())
        if p is None:
            raise StudyError(f"no participant '{key}' in this project")
        previous, p.study_role = p.study_role, study.value
        project.audit(
            s,
            "participant.study_role",
            f"participant:{key}",
            study_role=study.value,
            previous=previous,
        )
        return _participant_info(p)


def list_participants(project: Project) -> list[ParticipantInfo]:
    with project.session(write=False) as s:
        rows = s.scalars(
            select(Participant)
            .options(
                selectinload(Participant.attributes), selectinload(Participant.wave_attributes)
            )
            .order_by(Participant.key)
        ).all()
        memberships: dict[int, list[str]] = {}
        for participant_id, dyad_key in s.execute(
            select(DyadMember.participant_id, Dyad.key).join(Dyad).order_by(Dyad.key)
        ):
            memberships.setdefault(participant_id, []).append(dyad_key)
        return [_participant_info(p, memberships.get(p.id, ())) for p in rows]


# --- dyads -------------------------------------------------------------------------------------


def add_dyad(project: Project, key: str, members: Sequence[str]) -> DyadInfo:
    """A clinician–patient pair followed across waves (an interpreter may be a third member)."""
    key = _check_key(key, "dyad")
    if len(members) < 2:
        raise StudyError("a dyad needs at least two members")
    if len(set(members)) != len(members):
        raise StudyError("a dyad's members must differ")
    with project.session() as s:
        if s.scalar(select(Dyad).where(Dyad.key == key)) is not None:
            raise StudyError(f"there is already a dyad '{key}'")
        people = [get_participant(s, m) for m in members]
        roles = [p.role for p in people]
        if "clinician" not in roles or "patient" not in roles:
            raise StudyError("a dyad pairs a clinician with a patient")
        if roles.count("patient") > 1:
            raise StudyError("a dyad follows one patient")
        dyad = Dyad(key=key)
        dyad.members = [DyadMember(participant=p) for p in people]
        s.add(dyad)
        s.flush()
        project.audit(s, "dyad.add", f"dyad:{key}", members=list(members))
        return DyadInfo(key, tuple(members))


def list_dyads(project: Project) -> list[DyadInfo]:
    with project.session(write=False) as s:
        result = []
        for dyad in s.scalars(select(Dyad).order_by(Dyad.key)):
            keys = sorted(m.participant.key for m in dyad.members)
            result.append(DyadInfo(dyad.key, tuple(keys)))
        return result


# --- interviews --------------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _coded_utterances(s: Session, interview_ids: Sequence[int] | None = None) -> dict[int, int]:
    """Per interview, how many utterances at least one coding touches (union of their spans)."""
    spans = select(Coding.interview_id, Coding.start_utterance_id, Coding.end_utterance_id)
    if interview_ids is not None:
        spans = spans.where(Coding.interview_id.in_(interview_ids))
    rows = s.execute(spans).all()
    if not rows:
        return {}
    starts, finishes = select(Coding.start_utterance_id), select(Coding.end_utterance_id)
    if interview_ids is not None:
        starts = starts.where(Coding.interview_id.in_(interview_ids))
        finishes = finishes.where(Coding.interview_id.in_(interview_ids))
    ends = starts.union(finishes)
    position = dict(
        s.execute(
            select(UtteranceRow.id, UtteranceRow.position).where(UtteranceRow.id.in_(ends))
        ).all()
    )
    ranges: dict[int, list[tuple[int, int]]] = {}
    for interview_id, first, last in rows:
        ranges.setdefault(interview_id, []).append((position[first], position[last]))
    result: dict[int, int] = {}
    for interview_id, spans_of in ranges.items():
        total, reach = 0, -1
        for a, b in sorted(spans_of):
            if b > reach:
                total += b - max(a, reach + 1) + 1
                reach = b
        result[interview_id] = total
    return result


def _interview_info(
    s: Session, iv: Interview, counts: tuple[int, int] | None = None
) -> InterviewInfo:
    """``counts``: utterances and coded utterances, when the caller fetched them in bulk."""
    if counts is None:
        count = s.scalar(select(func.count()).where(UtteranceRow.interview_id == iv.id)) or 0
        coded = _coded_utterances(s, [iv.id]).get(iv.id, 0) if count else 0
    else:
        count, coded = counts
    people = sorted(iv.participants, key=lambda ip: (ip.role != "interviewee", ip.participant.key))
    return InterviewInfo(
        id=iv.key,
        wave=iv.wave.name if iv.wave else None,
        dyad=iv.dyad.key if iv.dyad else None,
        status=InterviewStatus(iv.status),
        status_reason=iv.status_reason,
        language=iv.language,
        date=iv.date,
        session_number=iv.session_number,
        weeks_since_start=iv.weeks_since_start,
        media_path=iv.media_path,
        media_sha256=iv.media_sha256,
        participants=tuple(
            InterviewParticipant(ip.participant.key, InterviewRole(ip.role)) for ip in people
        ),
        utterance_count=int(count),
        coded_utterances=coded,
    )


def add_interview(
    project: Project,
    key: str,
    *,
    wave: str | None,
    participants: Sequence[tuple[str, InterviewRole | str | None]],
    dyad: str | None = None,
    language: str | None = None,
    date: dt.date | None = None,
    session_number: int | None = None,
    weeks_since_start: float | None = None,
    media: Path | None = None,
) -> InterviewInfo:
    """An interview at a wave. Each participant's interview role defaults from their study role."""
    key = _check_key(key, "interview")
    if not participants:
        raise StudyError("an interview needs at least one participant")
    if session_number is not None and session_number < 0:
        raise StudyError("a session number cannot be negative")
    media_hash = None
    if media is not None:
        if not media.is_file():
            raise StudyError(f"media file {media} does not exist")
        media_hash = file_sha256(media)
    with project.session() as s:
        if s.scalar(select(Interview).where(Interview.key == key)) is not None:
            raise StudyError(f"there is already an interview '{key}'")
        iv = Interview(
            key=key,
            wave=get_wave(s, wave) if wave else None,
            dyad=get_dyad(s, dyad) if dyad else None,
            language=language,
            date=date,
            session_number=session_number,
            weeks_since_start=weeks_since_start,
            status=InterviewStatus.PLANNED.value,
            media_path=str(media.resolve()) if media else None,
            media_sha256=media_hash,
        )
        seen: set[str] = set()
        for person, role in participants:
            if person in seen:
                raise StudyError(f"participant '{person}' is listed twice")
            seen.add(person)
            p = get_participant(s, person)
            interview_role = (
                InterviewRole.default_for(Role(p.role))
                if role is None
                else _parse_enum(InterviewRole, role, "interview role")
            )
            iv.participants.append(InterviewParticipantRow(participant=p, role=interview_role))
        if iv.dyad is not None:
            members = {m.participant_id for m in iv.dyad.members}
            interviewed = {ip.participant.id for ip in iv.participants if ip.role == "interviewee"}
            if not interviewed & members:
                raise StudyError(
                    f"interview '{key}' is about dyad '{dyad}' but interviews none of its members"
                )
        s.add(iv)
        s.flush()
        project.audit(s, "interview.add", f"interview:{key}", wave=wave, participants=sorted(seen))
        return _interview_info(s, iv)


def add_interview_with_people(
    project: Project,
    key: str,
    *,
    wave: str | None,
    people: Sequence[tuple[str, Role | str]],
    dyad: str | None = None,
    language: str | None = None,
    media: Path | None = None,
) -> InterviewInfo:
    """An interview in one step: participants not yet in the study are added with their study
    role, and a dyad not yet known is formed from the clinician, patient and interpreter named."""
    if not key.strip():
        raise StudyError("give the interview an id")
    if not people:
        raise StudyError("name at least one participant of the interview")
    known = {p.id for p in list_participants(project)}
    for who, role in people:
        if who not in known:
            add_participant(project, who, role)
            known.add(who)
    if dyad and dyad not in {d.id for d in list_dyads(project)}:
        members = [
            who for who, role in people if str(role) in ("clinician", "patient", "interpreter")
        ]
        add_dyad(project, dyad, members)
    return add_interview(
        project,
        key,
        wave=wave,
        dyad=dyad,
        participants=[(who, None) for who, _ in people],
        language=language,
        media=media,
    )


def set_interview_status(
    project: Project, key: str, status: InterviewStatus | str, *, reason: str | None = None
) -> InterviewInfo:
    status = _parse_enum(InterviewStatus, status, "status")
    with project.session() as s:
        iv = get_interview(s, key)
        previous = iv.status
        iv.status, iv.status_reason = status.value, reason
        iv.status_changed_at = utcnow()
        if status is InterviewStatus.CODED:
            iv.coded_at = iv.status_changed_at
        project.audit(
            s, "interview.status", f"interview:{key}", status=status.value, previous=previous
        )
        return _interview_info(s, iv)


def interview_info(project: Project, key: str) -> InterviewInfo:
    with project.session(write=False) as s:
        return _interview_info(s, get_interview(s, key))


def list_interviews(project: Project) -> list[InterviewInfo]:
    with project.session(write=False) as s:
        rows = s.scalars(
            select(Interview)
            .options(
                selectinload(Interview.participants).selectinload(
                    InterviewParticipantRow.participant
                ),
                selectinload(Interview.wave),
                selectinload(Interview.dyad),
            )
            .order_by(Interview.key)
        ).all()
        counts = dict(
            s.execute(
                select(UtteranceRow.interview_id, func.count()).group_by(UtteranceRow.interview_id)
            ).all()
        )
        coded = _coded_utterances(s)
        return [
            _interview_info(s, iv, (int(counts.get(iv.id, 0)), coded.get(iv.id, 0))) for iv in rows
        ]


def delete_interview(project: Project, key: str) -> None:
    """Delete an interview with its transcript, codings and memos (cascade, and FTS via trigger)."""
    with project.session() as s:
        iv = get_interview(s, key)
        s.execute(delete(Interview).where(Interview.id == iv.id))
        project.audit(s, "interview.delete", f"interview:{key}")


def study_grid(project: Project) -> StudyGrid:
    """A lane per dyad member (interviewees outside a dyad get lanes too), waves across, each
    cell holding that person's interviews at that wave. Nothing is hidden: interviews without a
    wave get a column of their own."""
    interviews = list_interviews(project)
    participants = {p.id: p for p in list_participants(project)}
    waves = [w.name for w in list_waves(project)]
    if any(iv.wave is None for iv in interviews):
        waves.append(NO_WAVE)
    order = {role: i for i, role in enumerate((Role.PATIENT, Role.CLINICIAN, Role.INTERPRETER))}
    lanes: list[Lane] = []
    for dyad in list_dyads(project):
        members = sorted(
            (participants[m] for m in dyad.members), key=lambda p: (order.get(p.role, 9), p.id)
        )
        lanes += [Lane(dyad.id, p.id, p.role) for p in members]
    index = {(lane.dyad, lane.participant): i for i, lane in enumerate(lanes)}
    cells: dict[tuple[int, str], list[InterviewInfo]] = {}
    for iv in interviews:
        for ip in iv.participants:
            if ip.role is not InterviewRole.INTERVIEWEE:
                continue
            key = (iv.dyad or NO_DYAD, ip.participant)
            if key not in index:
                index[key] = len(lanes)
                lanes.append(Lane(key[0], ip.participant, participants[ip.participant].role))
            cells.setdefault((index[key], iv.wave or NO_WAVE), []).append(iv)
    return StudyGrid(
        waves=tuple(waves),
        lanes=tuple(lanes),
        cells={k: tuple(v) for k, v in cells.items()},
    )
