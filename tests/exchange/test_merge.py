"""Merging a colleague's separately coded copy: every reading kept with its analyst, conflicts
listed, nothing placed on other words, a second merge adds nothing, one undo takes it back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.coding.codebook import add_code, list_codes, rename_code
from workbench.coding.codings import apply_code, list_codings
from workbench.coding.study import new_study
from workbench.coding.undo import undo
from workbench.coding.utterances import edit_utterance
from workbench.exchange.merge import merge_copy
from workbench.storage.project import Project, open_project

from ..helpers import interview_with

LINES = [
    ("R01", "How have the nights been?"),
    ("P01", "I have nightmares about my brother every night."),
    ("R01", "And during the day?"),
    ("P01", "I hope the children will be safe here."),
]


def _span(project: Project, words: str) -> tuple[int, int]:
    from workbench.coding.transcripts import utterances

    text = "\n".join(u.text for u in utterances(project, "I1"))
    start = text.index(words)
    return start, start + len(words)


@pytest.fixture
def copies(tmp_path: Path) -> tuple[Path, Path]:
    """One starting project, copied to two analysts who then code apart."""
    start = tmp_path / "start.dyad"
    with new_study(start, title="Dyads") as p:
        interview_with(p, "I1", LINES)
        add_code(p, "Sleep")
        add_code(p, "Hope")
        add_code(p, "Family")
    ana, ben = tmp_path / "ana.dyad", tmp_path / "ben.dyad"
    shutil.copy(start, ana)
    shutil.copy(start, ben)
    with open_project(str(ana), coder="ana") as p:
        apply_code(p, "I1", *_span(p, "nightmares"), "Sleep")
        rename_code(p, "Hope", "Hope for the future")
        # Ana corrects the first line: every later position moves by six.
        edit_utterance(p, "I1", 0, text="Well, how have the nights been?")
    with open_project(str(ben), coder="ben") as p:
        apply_code(p, "I1", *_span(p, "nightmares"), "Sleep", memo="every night")
        apply_code(p, "I1", *_span(p, "hope the children will be safe"), "Hope")
        add_code(p, "Brother", parent="Family")
        apply_code(p, "I1", *_span(p, "my brother"), "Family / Brother")
        rename_code(p, "Hope", "Hoping")
    return ana, ben


def _readings(project: Project) -> list[tuple[str | None, str, str]]:
    return sorted((c.coder, c.code, c.text) for c in list_codings(project, interview="I1"))


def test_both_analysts_codings_are_kept_and_conflicts_listed(copies) -> None:
    ana, ben = copies
    with open_project(str(ana), coder="ana") as p:
        report, _ = merge_copy(p, ben)
        assert _readings(p) == [
            ("ana", "Sleep", "nightmares"),
            ("ben", "Family / Brother", "my brother"),
            ("ben", "Hope for the future", "hope the children will be safe"),
            ("ben", "Sleep", "nightmares"),
        ]
        memos = {c.coder: c.memo for c in list_codings(p, code="Sleep")}
        assert memos == {"ana": None, "ben": "every night"}
        assert report.codings_added == {"ben": 3}
        assert report.codes_added == ["Family / Brother"]
        assert report.codings_moved == 3  # placed by their words: Ana's edit moved them
        assert [(c.kind, c.what) for c in report.conflicts] == [
            ("code renamed", "'Hoping' in the copy is 'Hope for the future' here")
        ]
        assert "Hope for the future" in [c.path for c in list_codes(p)]

        again, _ = merge_copy(p, ben)
        assert again.added == 0 and again.codes_added == []
        assert again.codings_already_present == 3
        assert len(_readings(p)) == 4


def test_a_merge_is_one_undoable_step(copies) -> None:
    ana, ben = copies
    with open_project(str(ana), coder="ana") as p:
        before = _readings(p)
        merge_copy(p, ben)
        undo(p, "ana")
        assert _readings(p) == before
        assert "Family / Brother" not in [c.path for c in list_codes(p)]


def test_words_deleted_here_are_a_conflict_not_a_coding_on_other_words(copies) -> None:
    ana, ben = copies
    with open_project(str(ana), coder="ana") as p:
        edit_utterance(p, "I1", 1, text="I have bad dreams every night.")
        report, _ = merge_copy(p, ben)
        kinds = sorted(c.kind for c in report.conflicts)
        assert kinds == ["code renamed", "words not found", "words not found"]
        lost = [c.what for c in report.conflicts if c.kind == "words not found"]
        assert any("'nightmares' (I1, by ben)" in w for w in lost)
        assert _readings(p) == [
            ("ben", "Hope for the future", "hope the children will be safe"),
        ]


def test_merge_from_the_command_line_and_from_our_qdpx(copies, tmp_path: Path, capsys) -> None:
    ana, ben = copies
    exported = tmp_path / "ben.qdpx"
    assert (
        main(
            [
                "export",
                str(ben),
                "--format",
                "qdpx",
                "-o",
                str(exported),
                "--override-pseudonym-check",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["merge", str(ana), str(exported), "--json", "--coder", "ana"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["codings_added"] == {"ben": 3}
    with open_project(str(ana)) as p:
        assert len(_readings(p)) == 4
    assert main(["merge", str(ana), str(exported)]) == 0
    out = capsys.readouterr().out
    assert "added 0 codings" in out and "3 already present" in out


def test_merge_refuses_what_it_cannot_read(copies, tmp_path: Path, capsys) -> None:
    ana, _ = copies
    other = tmp_path / "notes.txt"
    other.write_text("hello", encoding="utf-8")
    for source in (other, tmp_path / "missing.dyad", ana):
        assert main(["merge", str(ana), str(source)]) != 0
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error: ")


def test_a_team_project_on_postgresql_takes_a_copy(tmp_path: Path, pg_url: str) -> None:
    from workbench.exchange.qdpx_import import import_qdpx_as_new

    start = tmp_path / "start.dyad"
    with new_study(start, title="Dyads") as p:
        interview_with(p, "I1", LINES)
        add_code(p, "Sleep")
    shared = tmp_path / "start.qdpx"
    assert main(["export", str(start), "--format", "qdpx", "-o", str(shared)]) == 0
    import_qdpx_as_new(pg_url, shared)
    ben = tmp_path / "ben.dyad"
    shutil.copy(start, ben)
    with open_project(str(ben), coder="ben") as p:
        apply_code(p, "I1", *_span(p, "nightmares"), "Sleep")
        add_code(p, "Children")
        apply_code(p, "I1", *_span(p, "the children"), "Children")
    with open_project(pg_url, coder="ana") as p:
        report, _ = merge_copy(p, ben)
        assert report.conflicts == [] and report.codings_moved == 0
        assert _readings(p) == [("ben", "Children", "the children"), ("ben", "Sleep", "nightmares")]
        assert merge_copy(p, ben)[0].added == 0


def test_codings_of_an_interview_only_the_copy_has_are_listed(copies) -> None:
    ana, ben = copies
    with open_project(str(ben), coder="ben") as p:
        interview_with(p, "I2", [("P01", "The nightmares stopped in spring.")])
        apply_code(p, "I2", 4, 14, "Sleep")
    with open_project(str(ana), coder="ana") as p:
        report, _ = merge_copy(p, ben)
        assert ("interview missing", "interview 'I2' is only in the copy") in [
            (c.kind, c.what) for c in report.conflicts
        ]
        assert report.codings_added == {"ben": 3}
