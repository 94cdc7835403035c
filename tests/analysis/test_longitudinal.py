"""The longitudinal definitions of DESIGN.md on a tiny study worked out by hand.

The study (tests/data/longitudinal/study.json): P1 is interviewed with an interpreter (I1
renders P1 in English; one I1 line is her own); P1's W2 interview is not yet coded; C1 is the
clinician of two dyads, interviewed about each; P2's W2 interview stopped; P3 declined consent;
the code "sleep" sits in two themes; a code added after coding ("hope2") makes Hope drift.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.analysis.longitudinal import coding_pattern, matrix, trajectories
from workbench.coding.codebook import add_code
from workbench.coding.codings import apply_code
from workbench.coding.study import (
    add_dyad,
    add_interview,
    add_participant,
    new_study,
    set_interview_status,
    set_study_role,
)
from workbench.coding.themes import add_theme, move_codes, set_trajectory
from workbench.coding.transcripts import import_utterances, interview_text
from workbench.coding.utterances import edit_utterance
from workbench.storage.project import Project

from ..conftest import DATA
from ..helpers import transcript

STUDY = json.loads((DATA / "longitudinal" / "study.json").read_text(encoding="utf-8"))


def build(target: str) -> Project:
    p = new_study(target, waves=STUDY["waves"])
    for key, role, consent in STUDY["participants"]:
        add_participant(p, key, role, consent=consent)
    for key, members in STUDY["dyads"]:
        add_dyad(p, key, members)
    for code in STUDY["codes"]:
        add_code(p, code)
    for name, codes in STUDY["themes"]:
        add_theme(p, name, codes=codes)
    for iv in STUDY["interviews"]:
        add_interview(p, iv["id"], wave=iv["wave"], dyad=iv["dyad"], participants=iv["people"])
        if iv["utterances"]:
            lines = [(who, text) for who, text, _ in iv["utterances"]]
            import_utterances(p, iv["id"], transcript(lines), speakers={w: w for w, _ in lines})
            for n, (_, _, renders) in enumerate(iv["utterances"]):
                if renders:
                    edit_utterance(p, iv["id"], n, renders=renders)
            full = interview_text(p, iv["id"])
            for code, quote in iv["codings"]:
                at = full.index(quote)
                apply_code(p, iv["id"], at, at + len(quote), code)
        set_interview_status(p, iv["id"], iv["status"])
    late = STUDY["late_code"]
    add_code(p, late["name"])
    move_codes(p, [late["name"]], into=late["theme"])
    set_trajectory(p, "Sleep", "participant:C1", label="improving", text="Sleep settles by W3.")
    return p


@pytest.fixture
def study(target: str) -> Project:
    p = build(target)
    yield p
    p.close()


def table(project: Project, by: str, measure: str = "segments") -> dict[tuple[str, str], list]:
    result: dict[tuple[str, str], list] = {}
    for cell in matrix(project, by, measure):
        result.setdefault((cell.theme, cell.unit), []).append(cell.value(measure))
    return result


def test_participant_segments_and_missing_reasons(study: Project) -> None:
    seg = table(study, "participant")
    # P3 declined consent (not a unit); R1 is the interviewer and I1 the interpreter: the team
    # (study role), never units.
    assert {unit for _, unit in seg} == {"P1", "P2", "C1"}
    assert seg[("Sleep", "P1")] == [1, None, None]  # W2 not coded yet, W3 no interview
    assert seg[("Fear", "P1")] == [1, None, None]  # "Sleep is bad" + "bad and I am afraid" merge
    assert seg[("Hope", "P1")] == [0, None, None]  # the interviewer's question is nobody's
    assert seg[("Sleep", "C1")] == [1, None, 2]
    assert seg[("Fear", "C1")] == [2, None, 2]  # "sleep" sits in Fear too; both C1 interviews at W1
    assert seg[("Hope", "C1")] == [1, None, 1]
    assert seg[("Sleep", "P2")] == [1, None, None]
    reasons = {
        (c.unit, c.wave): c.missing for c in matrix(study, "participant") if c.theme == "Sleep"
    }
    assert reasons[("P1", "W2")] == "not_coded"
    assert reasons[("P1", "W3")] == "no_interview"
    assert reasons[("P2", "W2")] == "stopped"
    assert reasons[("C1", "W2")] == "no_interview"
    assert reasons[("C1", "W1")] is None


def test_share_of_words_presence_and_participants(study: Project) -> None:
    words = table(study, "participant", "words")
    # P1's attributed speech at W1: "النوم سيء" (2) + I1's rendering (7) = 9 words.
    assert words[("Sleep", "P1")][0] == pytest.approx(3 / 9)
    assert words[("Fear", "P1")][0] == pytest.approx(7 / 9)
    # C1 at W1: 6 words about D1 + 3 about D2; "sleeps badly" is 2 of them.
    assert words[("Sleep", "C1")][0] == pytest.approx(2 / 9)
    study_words = table(study, "study", "words")
    # P1 3 + C1 2 + P2 3 inside Sleep, of 9 + 9 + 3 = 21 (P3 left out; I1's own 5 words are
    # the team's).
    assert study_words[("Sleep", "study")][0] == pytest.approx(8 / 21)
    assert table(study, "study", "presence")[("Hope", "study")] == [1, None, 1]
    assert table(study, "study", "participants")[("Sleep", "study")] == [3, None, 1]
    assert table(study, "role", "segments")[("Sleep", "patient")] == [2, None, None]
    reasons = {(c.unit, c.wave): c.missing for c in matrix(study, "role") if c.theme == "Sleep"}
    assert reasons[("patient", "W2")] == "no_member_observed"
    assert ("interpreter", "W2") not in reasons  # the interpreter is the team


def test_an_interpreter_consented_as_participant_voices_her_own_words(study: Project) -> None:
    """The study role decides, and changing it later is read at once (no stale kept rows)."""
    assert "I1" not in {unit for _, unit in table(study, "participant")}
    set_study_role(study, "I1", "participant")
    seg = table(study, "participant")
    assert seg[("Sleep", "I1")] == [0, None, None]  # her own line is uncoded; her rendering is P1's
    assert seg[("Sleep", "P1")] == [1, None, None]
    words = table(study, "participant", "words")
    assert words[("Sleep", "I1")][0] == 0.0
    # Her own 5 words join the study's attributed speech: 9 + 9 + 3 + 5 = 26.
    assert table(study, "study", "words")[("Sleep", "study")][0] == pytest.approx(8 / 26)
    reasons = {(c.unit, c.wave): c.missing for c in matrix(study, "role") if c.theme == "Sleep"}
    assert reasons[("interpreter", "W2")] == "no_member_observed"
    set_study_role(study, "I1", "team")
    assert "I1" not in {unit for _, unit in table(study, "participant")}


def test_dyads_count_only_interviews_about_them_and_show_cooccurrence(study: Project) -> None:
    cells = {(c.theme, c.unit, c.wave): c for c in matrix(study, "dyad")}
    assert {u for _, u, _ in cells} == {"D1", "D2", "D3"}
    d1 = cells[("Fear", "D1", "W1")]
    assert (d1.segments, d1.cooccurrence) == (2, "both_voice")  # C1's D2 interview left out
    assert cells[("Hope", "D1", "W1")].cooccurrence == "clinician_only"
    assert cells[("Sleep", "D2", "W1")].cooccurrence == "patient_only"
    assert (cells[("Fear", "D2", "W1")].segments, cells[("Fear", "D2", "W1")].cooccurrence) == (
        2,
        "both_voice",
    )
    assert cells[("Hope", "D2", "W1")].cooccurrence == "neither"
    w2 = cells[("Sleep", "D1", "W2")]
    assert (w2.segments, w2.missing, w2.cooccurrence) == (
        None,
        ["C1:no_interview", "P1:not_coded"],
        "incomplete",
    )
    assert cells[("Sleep", "D1", "W3")].missing == ["P1:no_interview"]
    assert cells[("Sleep", "D2", "W2")].missing == ["C1:no_interview", "P2:stopped"]
    # C1 was never interviewed about D3; P3 declined consent.
    assert cells[("Sleep", "D3", "W1")].missing == ["C1:no_interview", "P3:excluded"]


def test_patterns_gaps_trajectories_and_drift(study: Project) -> None:
    rows = {(r.theme, r.unit): r for r in trajectories(study, "participant")}
    c1 = rows[("Sleep", "C1")]
    assert (c1.pattern, c1.sequence, c1.gap, c1.trajectory) == (
        "increasing",
        [1, None, 2],
        True,
        "improving",
    )
    assert rows[("Hope", "C1")].pattern == "persistent"
    assert rows[("Sleep", "P1")].pattern == "single_observation"
    assert rows[("Hope", "P1")].trajectory is None
    drift = {(c.theme, c.unit, c.wave): c.drift for c in matrix(study, "participant")}
    assert drift[("Hope", "C1", "W1")] is True  # coded before "hope2" existed
    assert drift[("Sleep", "C1", "W1")] is False


@pytest.mark.parametrize(
    "sequence, pattern, gap",
    [
        ([], "no_observation", False),
        ([None, None], "no_observation", False),
        ([3, None], "single_observation", False),
        ([0, 0, 0], "absent", False),
        ([2, 2, 2], "persistent", False),
        ([2, 1, 2], "persistent", False),
        ([1, 1, 3], "increasing", False),
        ([3, 2, 2], "decreasing", False),
        ([0, 1, 2], "emerging", False),
        ([0, None, 4], "emerging", True),
        ([2, 0, 0], "ceasing", False),
        ([1, 0, 1], "intermittent", False),
        ([0, 1, 0], "intermittent", False),
        ([None, 1, None, 0], "ceasing", True),
    ],
)
def test_coding_pattern_definitions(sequence, pattern, gap) -> None:
    assert coding_pattern(sequence) == (pattern, gap)


def test_the_study_file_is_the_one_described() -> None:
    assert Path(DATA / "longitudinal" / "study.json").exists()
    assert len(STUDY["interviews"]) == 8


@pytest.mark.parametrize(
    "lo, hi, expected",
    [
        (0, 19, 4),  # "we sleep badly, né?" all four words
        (1, 19, 3),  # "e" is the tail of a cut word
        (3, 8, 1),  # exactly "sleep"
        (4, 8, 0),  # "leep": cut
        (4, 6, 0),
        (3, 18, 3),  # "sleep badly, né": all whole
        (3, 17, 2),  # "né" cut at its end
    ],
)
def test_words_wholly_inside_a_span(lo: int, hi: int, expected: int) -> None:
    from workbench.analysis.longitudinal import words_inside

    assert words_inside("we sleep badly, né?", lo, hi) == expected


def test_the_tables_follow_every_change_and_no_count_is_kept_stale(study: Project) -> None:
    """The per-interview rows are reused only while everything they came from is unchanged."""
    from workbench.coding.undo import undo

    assert table(study, "participant", "words")[("Sleep", "C1")][0] == pytest.approx(2 / 9)
    # Same length, one word fewer inside the coded stretch "sleeps badly".
    edit_utterance(study, "C1-W1", 1, text="He sleeps_badly")
    assert table(study, "participant", "words")[("Sleep", "C1")][0] == pytest.approx(1 / 8)
    undo(study)
    assert table(study, "participant", "words")[("Sleep", "C1")][0] == pytest.approx(2 / 9)
    # A code leaves a theme: its segments leave the theme's cells.
    move_codes(study, ["hope"], into=None, out_of="Hope")
    assert table(study, "participant")[("Hope", "C1")] == [0, None, 0]
    undo(study)
    # The attribution changes: C1's line is the interviewer's now, nobody's.
    edit_utterance(study, "C1-W1", 1, speaker="R1")
    assert table(study, "participant")[("Sleep", "C1")] == [0, None, 2]


def test_a_dyad_timeline_reads_only_its_members_interviews_and_agrees(study: Project) -> None:
    from workbench.analysis.longitudinal import Unit, cells_for, collect, dyad_timeline

    timeline = dyad_timeline(study, "D1")
    assert timeline.members == (("P1", "patient"), ("C1", "clinician"))
    # C1 is in two dyads: only the interview about D1 counts in D1's lane at W1.
    assert timeline.lanes[("Fear", "C1", "W1")].segments == 1
    assert timeline.lanes[("Sleep", "C1", "W3")].segments == 2
    assert timeline.lanes[("Sleep", "P1", "W2")].segments is None  # not coded yet
    # A member's lane says why it is missing, as a participant's wave does (not "no member").
    assert timeline.lanes[("Sleep", "P1", "W2")].missing == "not_coded"
    assert {c.missing for c in timeline.lanes.values()} - {None} <= {
        "excluded",
        "stopped",
        "not_coded",
        "no_interview",
    }
    # The same cells as from the whole study.
    whole = collect(study)
    d1 = next(did for did, (key, _) in whole.dyads.items() if key == "D1")
    members = [
        Unit("member", p.key, (p.id,), d1) for p in whole.people.values() if p.key in ("P1", "C1")
    ]
    expected = {(c.theme, c.unit, c.wave): c for c in cells_for(whole, members, False)}
    assert timeline.lanes == expected
