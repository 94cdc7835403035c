"""Study structure services: each action one transaction with its audit row (ids, no content)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from workbench.coding.study import (
    add_dyad,
    add_interview,
    add_participant,
    add_wave,
    interview_info,
    list_dyads,
    list_participants,
    list_waves,
    rename_wave,
    reorder_waves,
    set_attribute,
    set_consent,
    set_interview_status,
    study_grid,
    summary,
)
from workbench.domain.study import Consent, InterviewRole, InterviewStatus, Role, StudyError
from workbench.storage.models import AuditEntry, Interview
from workbench.storage.project import Project

from ..helpers import interview_with


def _audit(project: Project) -> list[tuple[str, str | None, dict[str, object]]]:
    with project.session(write=False) as s:
        return [
            (a.action, a.target, json.loads(a.detail))
            for a in s.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


def test_default_waves_and_editing_them(project: Project) -> None:
    assert [w.name for w in list_waves(project)] == ["baseline", "mid-treatment", "post-treatment"]
    add_wave(project, "6-month follow-up")
    add_wave(project, "session 4", after="baseline")
    rename_wave(project, "post-treatment", "end of treatment")
    assert [w.name for w in list_waves(project)] == [
        "baseline",
        "session 4",
        "mid-treatment",
        "end of treatment",
        "6-month follow-up",
    ]
    reorder_waves(
        project,
        ["baseline", "mid-treatment", "session 4", "end of treatment", "6-month follow-up"],
    )
    assert [w.position for w in list_waves(project)] == [0, 1, 2, 3, 4]
    assert list_waves(project)[2].name == "session 4"
    with pytest.raises(StudyError, match="already a wave"):
        add_wave(project, "baseline")
    with pytest.raises(StudyError, match="exactly once"):
        reorder_waves(project, ["baseline"])


def test_participants_with_roles_consent_and_per_wave_attributes(project: Project) -> None:
    p = add_participant(project, "P01", "patient", attributes={"country": "Syria"})
    assert (p.role, p.consent) == (Role.PATIENT, Consent.CONSENTED)
    add_participant(project, "C01", "clinician", consent="pending")
    set_attribute(project, "P01", "PCL-5", "58", wave="baseline")
    set_attribute(project, "P01", "PCL-5", "41", wave="mid-treatment")
    set_attribute(project, "P01", "PCL-5", "40", wave="mid-treatment")  # a correction
    info = set_attribute(project, "P01", "age_band", "40-49")
    assert info.attributes == {"age_band": "40-49", "country": "Syria"}
    assert info.wave_attributes == {"baseline": {"PCL-5": "58"}, "mid-treatment": {"PCL-5": "40"}}
    assert set_consent(project, "C01", "consented").consent is Consent.CONSENTED
    with pytest.raises(StudyError, match="unknown role"):
        add_participant(project, "X", "doctor")
    with pytest.raises(StudyError, match="already a participant"):
        add_participant(project, "P01", "patient")
    with pytest.raises(StudyError, match="no wave"):
        set_attribute(project, "P01", "PCL-5", "1", wave="week 99")


def test_dyads_pair_a_clinician_with_a_patient(project: Project) -> None:
    for key, role in [("P01", "patient"), ("P02", "patient"), ("C01", "clinician")]:
        add_participant(project, key, role)
    add_dyad(project, "D01", ["C01", "P01"])
    add_dyad(project, "D02", ["C01", "P02"])  # a clinician may be in several dyads
    assert [(d.id, d.members) for d in list_dyads(project)] == [
        ("D01", ("C01", "P01")),
        ("D02", ("C01", "P02")),
    ]
    assert {p.id: p.dyads for p in list_participants(project)}["C01"] == ("D01", "D02")
    with pytest.raises(StudyError, match="pairs a clinician with a patient"):
        add_dyad(project, "D03", ["P01", "P02"])


def test_interviews_with_default_interview_roles_timing_media_and_status(
    project: Project, tmp_path: Path
) -> None:
    for key, role in [
        ("P01", "patient"),
        ("C01", "clinician"),
        ("R01", "researcher"),
        ("I01", "interpreter"),
    ]:
        add_participant(project, key, role)
    add_dyad(project, "D01", ["C01", "P01"])
    media = tmp_path / "a.wav"
    media.write_bytes(b"RIFF....WAVE")
    info = add_interview(
        project,
        "P01-baseline",
        wave="baseline",
        dyad="D01",
        participants=[("P01", None), ("R01", None), ("I01", None), ("C01", "interviewee")],
        language="ar",
        date=dt.date(2025, 3, 14),
        session_number=1,
        weeks_since_start=0.5,
        media=media,
    )
    roles = {p.participant: p.role for p in info.participants}
    assert roles == {
        "P01": InterviewRole.INTERVIEWEE,
        "C01": InterviewRole.INTERVIEWEE,
        "R01": InterviewRole.INTERVIEWER,
        "I01": InterviewRole.INTERPRETER,
    }
    assert info.status is InterviewStatus.PLANNED
    assert info.media_sha256 is not None and len(info.media_sha256) == 64
    assert (info.session_number, info.weeks_since_start, info.language) == (1, 0.5, "ar")
    stopped = set_interview_status(project, "P01-baseline", "stopped", reason="too distressed")
    assert (stopped.status, stopped.status_reason) == (InterviewStatus.STOPPED, "too distressed")
    set_interview_status(project, "P01-baseline", "coded")
    with project.session(write=False) as s:
        assert s.scalar(select(Interview.coded_at)) is not None
    with pytest.raises(StudyError, match="no interview"):
        interview_info(project, "nope")
    with pytest.raises(StudyError, match="unknown status"):
        set_interview_status(project, "P01-baseline", "finished")


def test_every_action_is_audited_with_ids_and_no_content(project: Project) -> None:
    interview_with(project, "I1", [("P01", "my secret words about Aleppo")])
    set_interview_status(project, "I1", "coding")
    log = _audit(project)
    actions = [a for a, _, _ in log]
    assert actions == [
        "project.create",
        "participant.add",
        "participant.add",
        "interview.add",
        "transcript.import",
        "interview.status",
    ]
    assert log[-1][:2] == ("interview.status", "interview:I1")
    dumped = json.dumps(log)
    assert "secret" not in dumped and "Aleppo" not in dumped


def test_a_failing_action_leaves_no_trace(project: Project) -> None:
    add_participant(project, "P01", "patient")
    before = _audit(project)
    with pytest.raises(StudyError):
        add_interview(project, "I1", wave="baseline", participants=[("P01", None), ("ghost", None)])
    assert _audit(project) == before
    assert summary(project).interviews == 0


def test_study_grid_has_a_lane_per_dyad_member_and_shows_attrition(project: Project) -> None:
    for key, role in [("P01", "patient"), ("C01", "clinician"), ("R01", "researcher")]:
        add_participant(project, key, role)
    add_dyad(project, "D01", ["C01", "P01"])
    add_interview(
        project, "P01-b", wave="baseline", dyad="D01", participants=[("P01", None), ("R01", None)]
    )
    add_interview(project, "C01-m", wave="mid-treatment", dyad="D01", participants=[("C01", None)])
    grid = study_grid(project)
    assert [(lane.dyad, lane.participant) for lane in grid.lanes] == [
        ("D01", "P01"),
        ("D01", "C01"),
    ]
    assert [iv.id for iv in grid.cell(0, "baseline")] == ["P01-b"]
    assert grid.cell(0, "mid-treatment") == ()
    assert [iv.id for iv in grid.cell(1, "mid-treatment")] == ["C01-m"]


def test_an_interview_with_new_people_and_a_new_dyad_in_one_step(project: Project) -> None:
    from workbench.coding.study import add_interview_with_people, list_dyads, list_participants

    add_interview_with_people(
        project,
        "P05-b",
        wave="baseline",
        people=[("P05", "patient"), ("C05", "clinician"), ("R01", "researcher")],
        dyad="D05",
    )
    roles = {p.id: p.role for p in list_participants(project)}
    assert roles == {"P05": Role.PATIENT, "C05": Role.CLINICIAN, "R01": Role.RESEARCHER}
    assert [(d.id, d.members) for d in list_dyads(project)] == [("D05", ("C05", "P05"))]
    with pytest.raises(StudyError, match="at least one participant"):
        add_interview_with_people(project, "X", wave="baseline", people=[])
