"""Retrieval with attribution (DESIGN.md, Attribution), consent, co-occurrence and counts."""

from __future__ import annotations

import pytest

from workbench.coding.codebook import add_code
from workbench.coding.codings import apply_code
from workbench.coding.memos import add_journal_entry, add_memo, list_journal, list_memos
from workbench.coding.queries import code_counts, cooccurrence, query_segments
from workbench.coding.study import (
    add_dyad,
    add_interview,
    add_participant,
    set_attribute,
    set_consent,
    set_study_role,
)
from workbench.coding.transcripts import import_utterances, interview_text
from workbench.coding.utterances import edit_utterance
from workbench.domain.study import StudyError
from workbench.storage.project import Project

from ..helpers import transcript

LINES = [
    ("R01", "Tell me about your sleep."),  # 0 interviewer
    ("P01", "النوم صعب جداً"),  # 1 patient, Arabic
    ("I01", "Sleep is very hard for me."),  # 2 interpreter rendering P01
    ("I01", "Sorry, I need a moment."),  # 3 interpreter speaking for herself
    ("C01", "We work on sleep in session."),  # 4 clinician (joint interview)
]


@pytest.fixture
def study(project: Project) -> Project:
    for key, role in [
        ("P01", "patient"),
        ("C01", "clinician"),
        ("R01", "researcher"),
        ("I01", "interpreter"),
    ]:
        add_participant(project, key, role)
    add_dyad(project, "D01", ["C01", "P01"])
    set_attribute(project, "P01", "country", "Syria")
    add_interview(
        project,
        "J1",
        wave="baseline",
        dyad="D01",
        participants=[("P01", None), ("C01", None), ("R01", None), ("I01", None)],
    )
    import_utterances(
        project, "J1", transcript(LINES), speakers={s: s for s in ("R01", "P01", "I01", "C01")}
    )
    edit_utterance(project, "J1", 2, renders="P01")
    for name in ("Sleep", "Distress"):
        add_code(project, name)
    add_code(project, "Nightmares", parent="Sleep")
    return project


def _code(project: Project, words: str, code: str) -> None:
    full = interview_text(project, "J1")
    at = full.index(words)
    apply_code(project, "J1", at, at + len(words), code)


def test_attribution_never_credits_the_interviewer_and_credits_renderings(study: Project) -> None:
    _code(study, "Tell me about your sleep.", "Sleep")
    _code(study, "Sleep is very hard for me.", "Sleep")
    _code(study, "Sorry, I need a moment.", "Distress")
    _code(study, "Sleep is very hard for me.\nSorry, I need a moment.\nWe work", "Nightmares")
    segments = {(g.code, g.text[:12]): g for g in query_segments(study)}
    assert segments[("Sleep", "Tell me abou")].participants == ()
    assert segments[("Sleep", "Sleep is ver")].participants == ("P01",)
    assert segments[("Sleep", "Sleep is ver")].speakers == ("I01",)
    # The interpreter is the team (the default): her own words count for nobody.
    assert segments[("Distress", "Sorry, I nee")].participants == ()
    both = segments[("Sleep / Nightmares", "Sleep is ver")]
    assert both.participants == ("C01", "P01")
    assert (both.before, both.after) == ("النوم صعب جداً", None)
    assert both.wave == "baseline" and both.dyad == "D01"
    # A study that consented its interpreter as a participant: her own words are hers.
    set_study_role(study, "I01", "participant")
    segments = {(g.code, g.text[:12]): g for g in query_segments(study)}
    assert segments[("Distress", "Sorry, I nee")].participants == ("I01",)
    assert segments[("Sleep", "Sleep is ver")].participants == ("P01",)
    assert segments[("Sleep / Nightmares", "Sleep is ver")].participants == ("C01", "I01", "P01")


def test_filters_by_code_subcodes_role_dyad_participant_attribute_text(study: Project) -> None:
    _code(study, "Sleep is very hard for me.", "Nightmares")
    _code(study, "We work on sleep in session.", "Sleep")
    assert len(query_segments(study, code="Sleep")) == 2
    assert len(query_segments(study, code="Sleep", include_subcodes=False)) == 1
    assert [g.participants for g in query_segments(study, role="clinician")] == [("C01",)]
    assert [g.participants for g in query_segments(study, participant="P01")] == [("P01",)]
    assert len(query_segments(study, dyad="D01")) == 2
    assert len(query_segments(study, attributes={"country": "Syria"})) == 1
    assert len(query_segments(study, text="SESSION")) == 1
    assert query_segments(study, wave="post-treatment") == []
    with pytest.raises(StudyError, match="no code"):
        query_segments(study, code="Nope")


def test_unconsented_participants_are_left_out_unless_asked(study: Project) -> None:
    _code(study, "Sleep is very hard for me.", "Sleep")
    _code(study, "Sleep is very hard for me.\nSorry, I need a moment.\nWe work", "Distress")
    set_consent(study, "P01", "declined")
    segments = query_segments(study)
    assert [(g.code, g.participants) for g in segments] == [("Distress", ("C01",))]
    assert len(query_segments(study, include_unconsented=True)) == 2


def test_cooccurrence_and_counts(study: Project) -> None:
    _code(study, "Sleep is very hard", "Sleep")
    _code(study, "very hard for me.", "Distress")
    _code(study, "We work on sleep", "Sleep")
    overlap = cooccurrence(study)
    assert overlap.loc["Sleep", "Distress"] == 1 == overlap.loc["Distress", "Sleep"]
    assert overlap.loc["Sleep", "Sleep"] == 2
    assert cooccurrence(study, within="utterance").loc["Sleep", "Distress"] == 1
    by_interview = code_counts(study)
    assert by_interview.loc["Sleep", "J1"] == 2
    by_person = code_counts(study, by="participant")
    assert by_person.loc["Sleep", "C01"] == 1 and by_person.loc["Distress", "P01"] == 1


def test_memos_on_anything_and_a_journal(study: Project) -> None:
    add_memo(study, "Overall impression", about="project")
    add_memo(study, "Interpreter adds warmth", about="participant:I01", title="I01")
    add_memo(study, "Broad code", about="code:Sleep")
    assert [m.about for m in list_memos(study)] == ["project", "participant:I01", "code:Sleep"]
    assert [m.text for m in list_memos(study, about="code:Sleep")] == ["Broad code"]
    assert [m.text for m in list_memos(study, about="project")] == ["Overall impression"]
    with pytest.raises(StudyError, match="KIND:ID"):
        add_memo(study, "x", about="planet:Mars")
    add_journal_entry(study, "I notice I expect improvement.", coder="ana")
    add_journal_entry(study, "Second thoughts.", coder="ben")
    assert [e.coder for e in list_journal(study)] == ["ana", "ben"]
    assert [e.text for e in list_journal(study, coder="ben")] == ["Second thoughts."]


def test_unattributed_words_in_an_interview_with_someone_unconsented_are_left_out(
    project: Project,
) -> None:
    from workbench.coding.study import add_interview, add_participant, set_consent

    add_participant(project, "P09", "patient")
    add_participant(project, "R09", "researcher")
    set_consent(project, "P09", "declined")
    add_interview(project, "P09-b", wave="baseline", participants=[("P09", None), ("R09", None)])
    # The speaker label is not mapped: nobody is known to have said these words.
    import_utterances(project, "P09-b", transcript([("Speaker 2", "I lost my brother there.")]))
    add_code(project, "Loss")
    apply_code(project, "P09-b", 0, 6, "Loss")
    assert query_segments(project) == []
    (segment,) = query_segments(project, include_unconsented=True)
    assert segment.text == "I lost" and segment.participants == ()
