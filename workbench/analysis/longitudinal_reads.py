"""What ``collect`` reads besides the interviews' rows: the study's structure (waves, people,
dyads, interviews), the themes now or as a snapshot froze them, the analyst's trajectory labels
and the participants' per-wave attributes. Each takes the caller's session: ``collect`` reads
everything in one read-only session."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.analysis.study_data import InterviewFacts, Person, _bare_rows
from workbench.storage.models import (
    Code,
    Dyad,
    DyadMember,
    Interview,
    InterviewParticipantRow,
    Participant,
    ParticipantWaveAttribute,
    Theme,
    ThemeCode,
    Trajectory,
    Wave,
    interview_version,
)

_Dyads = dict[int, tuple[str, list[int]]]
_Links = list[tuple[int, int]]


def _study_units(
    s: Session,
) -> tuple[list[str], dict[int, str], dict[int, Person], _Dyads, dict[int, set[int]]]:
    """The waves in order, each wave's name by id, the people, the dyads (key, members) and the
    dyads each participant is a member of."""
    waves = list(s.scalars(select(Wave.name).order_by(Wave.position)))
    wave_of = {wid: name for wid, name in s.execute(select(Wave.id, Wave.name))}
    people = {
        p.id: Person(p.id, p.key, p.role, p.consent == "consented", p.study_role == "team")
        for p in s.scalars(select(Participant))
    }
    dyads: _Dyads = {d.id: (d.key, []) for d in s.scalars(select(Dyad).order_by(Dyad.key))}
    member_of: dict[int, set[int]] = {}
    for dyad_id, pid in s.execute(select(DyadMember.dyad_id, DyadMember.participant_id)):
        dyads[dyad_id][1].append(pid)
        member_of.setdefault(pid, set()).add(dyad_id)
    return waves, wave_of, people, dyads, member_of


def _interview_facts(s: Session, wave_of: dict[int, str]) -> dict[int, InterviewFacts]:
    """Every interview's facts as they are now, with who took part in which role."""
    roles: dict[int, dict[int, str]] = {}
    for iid, pid, role in s.execute(
        select(
            InterviewParticipantRow.interview_id,
            InterviewParticipantRow.participant_id,
            InterviewParticipantRow.role,
        )
    ):
        roles.setdefault(iid, {})[pid] = role
    return {
        iv.id: InterviewFacts(
            iv.id,
            iv.key,
            wave_of.get(iv.wave_id) if iv.wave_id else None,
            iv.dyad_id,
            iv.status,
            iv.coded_at,
            roles.get(iv.id, {}),
        )
        for iv in s.scalars(select(Interview))
    }


def _current_themes(
    s: Session,
) -> tuple[dict[int, str], _Links, dict[int, dt.datetime], dict[int, int]]:
    """The themes in order, their (theme, code) links, each code's creation time, and each
    interview's version (read last: before any coding or text)."""
    themes = {t.id: t.name for t in s.scalars(select(Theme).order_by(Theme.position, Theme.id))}
    links = [(tid, cid) for tid, cid in s.execute(select(ThemeCode.theme_id, ThemeCode.code_id))]
    created = {cid: at for cid, at in s.execute(select(Code.id, Code.created_at))}
    # Read before any coding or text: rows computed from data newer than the version
    # they are kept under are never reused (that version is already gone).
    versions = dict(
        _bare_rows(s, select(interview_version.c.interview_id, interview_version.c.version))
    )
    return themes, links, created, versions


def _frozen_themes(
    frozen: dict[str, Any], interviews: dict[int, InterviewFacts]
) -> tuple[
    dict[int, str], _Links, dict[int, dt.datetime], dict[int, list[tuple[int, int, int, int, int]]]
]:
    """The themes, links, code creation times and codings as the snapshot froze them. Sets each
    interview's status and "marked coded" time in ``interviews`` to the frozen ones."""
    themes = {t["id"]: t["name"] for t in frozen["themes"]}
    links = [(tid, cid) for tid, cid in frozen["theme_codes"]]
    created = {c["id"]: dt.datetime.fromisoformat(c["created_at"]) for c in frozen["codes"]}
    codings: dict[int, list[tuple[int, int, int, int, int]]] = {}
    for iid, *anchors in frozen["codings"]:
        codings.setdefault(iid, []).append(tuple(anchors))
    for iid, (status, coded_at) in frozen["interviews"].items():
        if int(iid) in interviews:
            facts = interviews[int(iid)]
            interviews[int(iid)] = InterviewFacts(
                facts.id,
                facts.key,
                facts.wave,
                facts.dyad_id,
                status,
                dt.datetime.fromisoformat(coded_at) if coded_at else None,
                facts.roles,
            )
    return themes, links, created, codings


def _trajectory_labels(
    s: Session, frozen: dict[str, Any] | None, people: dict[int, Person], dyads: _Dyads
) -> dict[tuple[int, str], str | None]:
    """The analyst's trajectory label per (theme id, unit name), now or as frozen."""
    trajectories: dict[tuple[int, str], str | None] = {}
    if frozen is None:
        for t in s.scalars(select(Trajectory)):
            trajectories[(t.theme_id, _unit_name(t, people, dyads))] = t.label
    else:
        for theme_id, kind, role, pid, did, label, _text in frozen["trajectories"]:
            row = Trajectory(unit_kind=kind, role=role, participant_id=pid, dyad_id=did)
            trajectories[(theme_id, _unit_name(row, people, dyads))] = label
    return trajectories


def _wave_attributes(s: Session, wave_of: dict[int, str]) -> dict[tuple[int, str], dict[str, str]]:
    """Per (participant id, wave name): the attributes measured then."""
    wave_attributes: dict[tuple[int, str], dict[str, str]] = {}
    for pid, wid, name, value in s.execute(
        select(
            ParticipantWaveAttribute.participant_id,
            ParticipantWaveAttribute.wave_id,
            ParticipantWaveAttribute.name,
            ParticipantWaveAttribute.value,
        )
    ):
        wave_attributes.setdefault((pid, wave_of[wid]), {})[name] = value
    return wave_attributes


def _unit_name(
    t: Trajectory, people: dict[int, Person], dyads: dict[int, tuple[str, list[int]]]
) -> str:
    if t.unit_kind == "participant" and t.participant_id is not None:
        return people[t.participant_id].key
    if t.unit_kind == "dyad" and t.dyad_id is not None:
        return dyads[t.dyad_id][0]
    if t.unit_kind == "role" and t.role:
        return t.role
    return "study"
