"""Span-level voice, worked by hand (issue 15): an interpreter's utterance renders the patient in
one span and holds her own aside; the patient's Arabic original and its English rendering are
linked; the interpreter and the interviewer are the team.

    0 R01  How are your nights?
    1 P01  الليالي صعبة                                            (2 words)
    2 I01  The nights are hard. Sorry, do you want me to ask that as it is?
           └ characters 0–20 render P01 (4 words); the aside (10 words) is I01's own
    3 C01  We talk about nights.                                   (4 words)

Codes: "nights" (theme Nights) on 1, on the span of 2, and on 3; "asking" (theme Asking) on the
aside. Linked 1 → 2, P01's Nights segments at baseline are one, not two.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.analysis.longitudinal import matrix
from workbench.cli import main
from workbench.coding.codebook import add_code
from workbench.coding.codings import apply_code
from workbench.coding.queries import query_segments
from workbench.coding.study import (
    add_dyad,
    add_interview,
    add_participant,
    new_study,
    set_interview_status,
)
from workbench.coding.themes import add_theme
from workbench.coding.transcripts import import_utterances, interview_text, utterances
from workbench.coding.undo import undo
from workbench.coding.utterances import (
    edit_utterance,
    link_rendering,
    mark_rendering,
    unlink_rendering,
    unmark_rendering,
)
from workbench.domain.study import StudyError
from workbench.storage.project import Project

from ..helpers import transcript

ASIDE = "Sorry, do you want me to ask that as it is?"
LINES = [
    ("R01", "How are your nights?"),
    ("P01", "الليالي صعبة"),
    ("I01", f"The nights are hard. {ASIDE}"),
    ("C01", "We talk about nights."),
]


@pytest.fixture
def study(target: str) -> Project:
    p = new_study(target, waves=["baseline", "end"])
    for key, role in [
        ("P01", "patient"),
        ("C01", "clinician"),
        ("R01", "researcher"),
        ("I01", "interpreter"),
    ]:
        add_participant(p, key, role)
    add_dyad(p, "D01", ["C01", "P01"])
    add_interview(
        p,
        "J1",
        wave="baseline",
        dyad="D01",
        participants=[(k, None) for k in ("P01", "C01", "R01", "I01")],
    )
    import_utterances(p, "J1", transcript(LINES), speakers={k: k for k, _ in LINES})
    for code, theme in (("nights", "Nights"), ("asking", "Asking")):
        add_code(p, code)
        add_theme(p, theme, codes=[code])
    mark_rendering(p, "J1", 2, "P01", (0, 20))
    for words, code in [
        ("الليالي صعبة", "nights"),
        ("The nights are hard.", "nights"),
        ("We talk about nights.", "nights"),
        (ASIDE, "asking"),
    ]:
        full = interview_text(p, "J1")
        at = full.index(words)
        apply_code(p, "J1", at, at + len(words), code)
    set_interview_status(p, "J1", "coded")
    yield p
    p.close()


def _baseline(
    project: Project, by: str, measure: str = "segments"
) -> dict[tuple[str, str], object]:
    return {
        (c.theme, c.unit): c.value(measure)
        for c in matrix(project, by, measure)
        if c.wave == "baseline"
    }


def test_the_aside_counts_for_nobody_and_the_span_for_the_patient(study: Project) -> None:
    seg = _baseline(study, "participant")
    assert {unit for _, unit in seg} == {"C01", "P01"}  # I01 (team) has no row
    assert seg[("Nights", "P01")] == 2  # the original and the rendering, not yet linked
    assert seg[("Asking", "P01")] == 0 and seg[("Asking", "C01")] == 0
    words = _baseline(study, "participant", "words")
    # P01's speech: 2 Arabic words + the 4 rendered; the aside's 10 words are nobody's.
    assert words[("Nights", "P01")] == pytest.approx(6 / 6)
    study_words = _baseline(study, "study", "words")
    assert study_words[("Asking", "study")] == 0.0
    assert study_words[("Nights", "study")] == pytest.approx(10 / 10)
    assert _baseline(study, "study", "participants")[("Asking", "study")] == 0
    found = {g.text: g.participants for g in query_segments(study)}
    assert found["The nights are hard."] == ("P01",)
    assert found[ASIDE] == ()


def test_a_linked_original_and_rendering_count_once(study: Project) -> None:
    link_rendering(study, "J1", 1, 2)
    assert [u.original for u in utterances(study, "J1")] == [None, None, 1, None]
    seg = _baseline(study, "participant")
    assert seg[("Nights", "P01")] == 1
    assert seg[("Nights", "C01")] == 1
    assert _baseline(study, "study")[("Nights", "study")] == 2
    assert _baseline(study, "dyad")[("Nights", "D01")] == 2
    assert _baseline(study, "study", "participants")[("Nights", "study")] == 2
    with pytest.raises(StudyError, match="already linked"):
        link_rendering(study, "J1", 0, 2)
    undo(study)
    assert _baseline(study, "participant")[("Nights", "P01")] == 2
    link_rendering(study, "J1", 1, 2)
    unlink_rendering(study, "J1", 2)
    assert utterances(study, "J1")[2].original is None
    assert _baseline(study, "participant")[("Nights", "P01")] == 2
    with pytest.raises(StudyError, match="linked to no original"):
        unlink_rendering(study, "J1", 2)
    undo(study)
    assert utterances(study, "J1")[2].original == 1


def test_a_span_follows_a_correction_and_its_undo(study: Project) -> None:
    edit_utterance(study, "J1", 2, text=f"Well. The nights are hard. {ASIDE}")
    words = _baseline(study, "participant", "words")
    assert words[("Nights", "P01")] == pytest.approx(6 / 6)  # "Well." is the interpreter's
    found = {g.text: g.participants for g in query_segments(study)}
    assert found["The nights are hard."] == ("P01",)
    undo(study)
    assert interview_text(study, "J1").count("Well.") == 0
    assert _baseline(study, "participant", "words")[("Nights", "P01")] == pytest.approx(1.0)


def test_spans_are_checked(study: Project) -> None:
    with pytest.raises(StudyError, match="do not overlap"):
        mark_rendering(study, "J1", 2, "P01", (10, 30))
    with pytest.raises(StudyError, match="within the utterance"):
        mark_rendering(study, "J1", 2, "P01", (10, 500))
    with pytest.raises(StudyError, match="does not take part"):
        mark_rendering(study, "J1", 2, "X9", (30, 35))


def test_a_span_is_read_back_and_unmarked_as_one_undoable_step(study: Project) -> None:
    assert utterances(study, "J1")[2].rendered == ((0, 20, "P01"),)
    with pytest.raises(StudyError, match="renders nobody there"):
        unmark_rendering(study, "J1", 2, (25, 30))  # the aside is the interpreter's own
    unmark_rendering(study, "J1", 2, (3, 8))  # any overlap takes the whole span
    assert utterances(study, "J1")[2].rendered == ()
    assert _baseline(study, "participant", "words")[("Nights", "P01")] == pytest.approx(2 / 2)
    undo(study)
    assert utterances(study, "J1")[2].rendered == ((0, 20, "P01"),)
    edit_utterance(study, "J1", 2, renders="")  # nothing utterance-wide to clear either
    unmark_rendering(study, "J1", 2)
    assert utterances(study, "J1")[2].rendered == ()
    with pytest.raises(StudyError, match="renders nobody in it"):
        unmark_rendering(study, "J1", 2)


def test_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.dyad"
    p = new_study(str(path))
    for key, role in [("P01", "patient"), ("I01", "interpreter")]:
        add_participant(p, key, role)
    add_interview(p, "J1", wave="baseline", participants=[("P01", None), ("I01", None)])
    lines = [("P01", "النوم صعب"), ("I01", "Sleep is hard. She means nights.")]
    import_utterances(p, "J1", transcript(lines), speakers={"P01": "P01", "I01": "I01"})
    p.close()
    assert (
        main(["utterance", "renders", str(path), "J1", "1", "--for", "P01", "--span", "0", "14"])
        == 0
    )
    assert main(["utterance", "link", str(path), "J1", "0", "1"]) == 0
    assert main(["utterance", "unlink", str(path), "J1", "1"]) == 0
    assert main(["utterance", "unlink", str(path), "J1", "1"]) != 0  # no link left
    assert main(["utterance", "link", str(path), "J1", "0", "1"]) == 0
    assert main(["utterance", "renders", str(path), "J1", "1", "--remove", "--span", "3", "4"]) == 0
    assert main(["utterance", "renders", str(path), "J1", "1", "--remove"]) != 0  # none left
    capsys.readouterr()
    for bad in (
        ["utterance", "renders", str(path), "J1", "1", "--for", "P01", "--span", "5", "3"],
        ["utterance", "link", str(path), "J1", "1", "1"],
        ["utterance", "link", str(path), "J1", "0", "9"],
    ):
        assert main(bad) != 0
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error: ")
    assert main(["participant", "list", str(path), "--json"]) == 0
    roles = {r["id"]: r["study_role"] for r in json.loads(capsys.readouterr().out)}
    assert roles == {"I01": "team", "P01": "participant"}


def test_withdrawal_takes_an_utterance_that_renders_them_in_a_span(study: Project) -> None:
    from workbench.coding.withdraw import withdraw_participant
    from workbench.domain.study import WITHDRAWN_TEXT

    withdraw_participant(study, "P01")
    lines = interview_text(study, "J1").split("\n")
    assert lines[1] == lines[2] == WITHDRAWN_TEXT  # her words, and the span rendering them
    assert lines[3] == "We talk about nights." and "hard" not in interview_text(study, "J1")


def test_spans_go_with_their_words_through_split_merge_and_undo(study: Project) -> None:
    from workbench.coding.utterances import merge_utterances, split_utterance

    def p01_share() -> object:
        return _baseline(study, "participant", "words")[("Nights", "P01")]

    split_utterance(study, "J1", 2, 21)  # "The nights are hard." | the aside
    assert interview_text(study, "J1").split("\n")[3] == ASIDE
    assert p01_share() == pytest.approx(6 / 6)
    found = {g.text: g.participants for g in query_segments(study)}
    assert found[ASIDE] == () and found["The nights are hard."] == ("P01",)
    merge_utterances(study, "J1", 2)
    assert p01_share() == pytest.approx(6 / 6)
    assert {g.text: g.participants for g in query_segments(study)}[ASIDE] == ()
    undo(study)
    undo(study)
    assert interview_text(study, "J1").split("\n")[2] == f"The nights are hard. {ASIDE}"
    assert {g.text: g.participants for g in query_segments(study)}[ASIDE] == ()
    # A span across a split becomes one on each side.
    mark_rendering(study, "J1", 2, "P01", (21, 34))  # "Sorry, do you" renders her too
    split_utterance(study, "J1", 2, 27)  # after "Sorry,"
    lines = interview_text(study, "J1").split("\n")
    assert (lines[2], lines[3]) == ("The nights are hard. Sorry,", ASIDE[7:])
    assert p01_share() == pytest.approx(6 / 9)  # her speech gains "Sorry, do you" (3 words)
    assert _baseline(study, "participant", "words")[("Asking", "P01")] == pytest.approx(3 / 9)


def test_the_check_names_a_missing_span_trigger(study: Project) -> None:
    from sqlalchemy import text

    from workbench.storage.check import check_project

    assert check_project(study).sound
    with study.engine.begin() as conn:
        if study.is_sqlite:
            conn.execute(text("DROP TRIGGER rendering_span_version_update"))
        else:
            conn.execute(text("DROP TRIGGER rendering_span_version_update ON rendering_span"))
    assert any("rendering_span_version_update" in p for p in check_project(study).problems)


def test_a_quote_from_a_rendering_carries_its_original_in_the_audit_supplement(
    study: Project,
) -> None:
    from workbench.coding.codings import list_codings
    from workbench.coding.readings import pin_exemplar
    from workbench.exchange.audit_doc import audit_tables

    link_rendering(study, "J1", 1, 2)
    english = next(c for c in list_codings(study) if c.text == "The nights are hard.")
    pin_exemplar(study, "Nights", "participant:P01", "baseline", english.id)
    *_, sources = audit_tables(study)
    (row,) = [r for r in sources if r[1] == "The nights are hard."]
    assert row[-1] == "original: الليالي صعبة"
    arabic = next(c for c in list_codings(study) if c.text == "الليالي صعبة")
    pin_exemplar(study, "Nights", "participant:P01", "baseline", arabic.id)
    *_, sources = audit_tables(study)
    (row,) = [r for r in sources if r[1] == "الليالي صعبة"]
    assert row[-1].startswith("rendering: The nights are hard.")
    unlink_rendering(study, "J1", 2)
    *_, sources = audit_tables(study)
    assert all(r[-1] == "" for r in sources)
