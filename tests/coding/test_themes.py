"""Themes: history with rationale, merge/split/rename kept and undoable; the CLI tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.analysis.longitudinal import matrix
from workbench.cli import main
from workbench.coding.codebook import add_code
from workbench.coding.codings import apply_code
from workbench.coding.study import set_interview_status
from workbench.coding.themes import (
    ThemeInfo,
    add_theme,
    can_nest,
    list_themes,
    merge_themes,
    move_codes,
    sibling_themes,
    split_theme,
    theme_history,
    theme_within,
    top_level_place,
    update_theme,
)
from workbench.coding.transcripts import interview_text
from workbench.coding.undo import undo
from workbench.domain.study import StudyError
from workbench.storage.project import Project

from ..helpers import interview_with
from .test_codings import dump


@pytest.fixture
def themed(project: Project) -> Project:
    interview_with(
        project, "I1", [("P01", "I cannot sleep and I fear the night. My brother is far.")]
    )
    for code in ("sleep", "fear", "family"):
        add_code(project, code)
    full = interview_text(project, "I1")
    for code, words in [
        ("sleep", "cannot sleep"),
        ("fear", "fear the night"),
        ("family", "My brother"),
    ]:
        at = full.index(words)
        apply_code(project, "I1", at, at + len(words), code)
    set_interview_status(project, "I1", "coded")
    add_theme(project, "Nights", codes=["sleep", "fear"], rationale="first grouping")
    add_theme(project, "Family", codes=["family"])
    return project


def _segments(project: Project) -> dict[str, int | None]:
    return {c.theme: c.segments for c in matrix(project, "participant") if c.wave == "baseline"}


def test_rename_merge_split_keep_history_rationale_and_segments_and_undo(themed: Project) -> None:
    assert _segments(themed) == {"Nights": 2, "Family": 1}
    update_theme(
        themed, "Nights", new_name="Night fears", status="reviewed", rationale="sharper name"
    )
    before_merge = dump(themed)
    merge_themes(themed, "Family", "Night fears", rationale="family worry keeps him awake")
    assert _segments(themed) == {"Night fears": 3}
    kinds = [(e.theme, e.kind, e.rationale) for e in theme_history(themed)]
    assert ("Night fears", "rename", "sharper name") in kinds
    assert ("Night fears", "merge", "family worry keeps him awake") in kinds
    undo(themed)
    assert dump(themed) == before_merge
    assert _segments(themed) == {"Night fears": 2, "Family": 1}
    split_theme(themed, "Night fears", "Fear", ["fear"], rationale="fear is its own thing")
    assert {t.name: t.codes for t in list_themes(themed)} == {
        "Night fears": ("sleep",),
        "Family": ("family",),
        "Fear": ("fear",),
    }
    move_codes(themed, ["sleep"], into="Fear")  # a code may sit in two themes
    assert _segments(themed)["Fear"] == 2
    with pytest.raises(StudyError, match="already a theme"):
        add_theme(themed, "Fear")
    with pytest.raises(StudyError, match="status"):
        update_theme(themed, "Fear", status="final")


def test_matrix_and_trajectories_from_the_command_line(themed: Project, capsys) -> None:
    location = themed.location
    assert (
        main(["trajectory", "set", location, "Nights", "participant:P01", "--label", "easing"]) == 0
    )
    capsys.readouterr()
    assert main(["matrix", location, "--by", "participant", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert {"theme", "unit", "wave", "value"} <= set(records[0])
    missing = [r for r in records if r["value"] is None]
    assert missing and all(r["missing"] == "no_interview" for r in missing)
    assert main(["matrix", location, "--by", "dyad", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []  # no dyads in this study
    assert main(["trajectories", location, "--by", "participant", "--json"]) == 0
    rows = {(r["theme"], r["unit"]): r for r in json.loads(capsys.readouterr().out)}
    nights = rows[("Nights", "P01")]
    assert (nights["pattern"], nights["sequence"], nights["gap"], nights["trajectory"]) == (
        "single_observation",
        [2, None, None],
        False,
        "easing",
    )
    assert main(["matrix", location, "--by", "study", "--measure", "words", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "theme,unit,baseline,mid-treatment,post-treatment"
    assert main(["theme", "add", location, "Empty", "--code", "nope"]) != 0
    assert "no code 'nope'" in capsys.readouterr().err


def test_cli_theme_workflow(tmp_path: Path, capsys) -> None:
    path = tmp_path / "t.dyad"
    for args in (
        ["new", path],
        ["code", "add", path, "a"],
        ["code", "add", path, "b"],
        ["theme", "add", path, "T", "--code", "a", "--code", "b", "--why", "both about nights"],
        ["theme", "edit", path, "T", "--status", "defined", "--why", "checked against data"],
        ["theme", "split", path, "T", "U", "--code", "b"],
        ["theme", "codes", path, "a", "--into", "U", "--why", "a belongs with b too"],
    ):
        assert main([str(a) for a in args]) == 0, capsys.readouterr().err
    capsys.readouterr()
    assert main(["themes", "list", str(path), "--json"]) == 0
    themes = {t["name"]: t for t in json.loads(capsys.readouterr().out)}
    assert themes["T"]["codes"] == ["a"] and themes["U"]["codes"] == ["a", "b"]
    assert themes["T"]["status"] == "defined"
    assert main(["theme", "history", str(path), "T", "--json"]) == 0
    history = json.loads(capsys.readouterr().out)
    assert [h["rationale"] for h in history][:2] == ["both about nights", "checked against data"]


def test_nesting_and_order_from_the_command_line(tmp_path: Path, capsys) -> None:
    path = str(tmp_path / "t.dyad")
    for args in (
        ["new", path],
        ["theme", "add", path, "A"],
        ["theme", "add", path, "B"],
        ["theme", "add", path, "C"],
        ["theme", "move", path, "C", "--under", "A", "--why", "a facet of A"],
        ["theme", "order", path, "B", "--up", "1"],
    ):
        assert main(args) == 0, capsys.readouterr().err
    capsys.readouterr()
    assert main(["themes", "list", path, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(t["name"], t["parent"]) for t in listed] == [("B", None), ("A", None), ("C", "A")]
    assert main(["theme", "history", path, "C", "--json"]) == 0
    assert [h["rationale"] for h in json.loads(capsys.readouterr().out)][-1] == "a facet of A"
    # A circle is refused with its reason; a move needs to say where.
    assert main(["theme", "move", path, "A", "--under", "C"]) != 0
    assert "circle" in capsys.readouterr().err
    assert main(["theme", "move", path, "C"]) != 0
    assert "--under" in capsys.readouterr().err
    assert main(["theme", "move", path, "C", "--top"]) == 0
    assert "a theme of its own" in capsys.readouterr().out
    assert main(["undo", path]) == 0
    capsys.readouterr()
    assert main(["themes", "list", path, "--json"]) == 0
    assert {t["name"]: t["parent"] for t in json.loads(capsys.readouterr().out)}["C"] == "A"
    # --top lands where the board puts it: just after the theme it was inside, not last.
    assert main(["theme", "move", path, "C", "--under", "B"]) == 0
    assert main(["theme", "move", path, "C", "--top"]) == 0
    capsys.readouterr()
    assert main(["themes", "list", path, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [t["name"] for t in listed if t["parent"] is None] == ["B", "C", "A"]


def test_a_snapshot_rebuilds_the_earlier_tables(themed: Project, capsys) -> None:
    from workbench.analysis.longitudinal import trajectories
    from workbench.coding.snapshots import take_snapshot

    before = [(c.theme, c.unit, c.wave, c.segments, c.words) for c in matrix(themed, "participant")]
    take_snapshot(themed, "submitted")
    move_codes(themed, ["family"], into="Nights")
    full = interview_text(themed, "I1")
    apply_code(themed, "I1", full.index("far"), full.index("far") + 3, "sleep")
    after = [(c.theme, c.unit, c.wave, c.segments, c.words) for c in matrix(themed, "participant")]
    assert after != before
    again = [
        (c.theme, c.unit, c.wave, c.segments, c.words)
        for c in matrix(themed, "participant", snapshot="submitted")
    ]
    assert again == before
    assert trajectories(themed, "participant", snapshot="submitted")[0].sequence[0] == 2
    assert (
        main(
            ["matrix", themed.location, "--by", "participant", "--snapshot", "submitted", "--json"]
        )
        == 0
    )
    records = json.loads(capsys.readouterr().out)
    assert [r["value"] for r in records if r["wave"] == "baseline"] == [2, 1]
    assert main(["snapshot", "take", themed.location, "submitted"]) != 0
    assert "already a snapshot" in capsys.readouterr().err


def test_summaries_pinned_quotes_stances_and_proposals(themed: Project, capsys) -> None:
    from sqlalchemy import select

    from workbench.coding.codings import list_codings
    from workbench.coding.readings import (
        pin_exemplar,
        propose_exemplars,
        set_cell_summary,
        set_stance,
        stances,
    )
    from workbench.coding.study import add_dyad, add_participant
    from workbench.storage.models import CellSummary, Exemplar

    set_cell_summary(themed, "Nights", "participant:P01", "baseline", "Sleep is the complaint.")
    set_cell_summary(themed, "Nights", "participant:P01", "baseline", "Sleep, and fear of night.")
    coding = list_codings(themed, code="sleep")[0].id
    pin_exemplar(themed, "Nights", "participant:P01", "baseline", coding)
    with themed.session(write=False) as s:
        assert s.scalar(select(CellSummary.text)) == "Sleep, and fear of night."
        assert len(s.scalars(select(Exemplar)).all()) == 1
    shortlist = propose_exemplars(themed, "Nights")
    assert [g.text for g in shortlist] == ["cannot sleep", "fear the night"]  # spoken order
    add_participant(themed, "C01", "clinician")
    add_dyad(themed, "D01", ["C01", "P01"])
    set_stance(themed, "D01", "baseline", "Nights", "divergent", note="he minimises it")
    assert stances(themed) == [("D01", "baseline", "Nights", "divergent", "he minimises it")]
    with pytest.raises(StudyError, match="stance is one of"):
        set_stance(themed, "D01", "baseline", "Nights", "agree")
    with pytest.raises(StudyError, match="a unit is"):
        set_cell_summary(themed, "Nights", "planet:Mars", "baseline", "x")
    undo(themed)  # the stance
    assert stances(themed) == []
    assert main(["exemplar", "propose", themed.location, "Nights", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2


def test_subthemes_and_order_are_undoable_and_refuse_circles(themed: Project) -> None:
    from workbench.coding.themes import move_theme, reorder_theme

    add_theme(themed, "Sleep detail", parent="Nights")
    add_theme(themed, "Loss")

    def tree() -> list[tuple[str, str | None]]:
        return [(t.name, t.parent) for t in list_themes(themed)]

    assert tree() == [
        ("Nights", None),
        ("Family", None),
        ("Sleep detail", "Nights"),
        ("Loss", None),
    ]
    before = dump(themed)
    info, _ = move_theme(themed, "Family", "Nights", rationale="family worry is a night worry")
    assert info.parent == "Nights"
    # Every list of themes is in tree order: each theme followed by its subthemes.
    assert tree() == [
        ("Nights", None),
        ("Sleep detail", "Nights"),
        ("Family", "Nights"),
        ("Loss", None),
    ]
    assert list_themes(themed)[0].subthemes == ("Sleep detail", "Family")
    event = theme_history(themed, "Family")[-1]
    assert (event.kind, event.rationale) == ("parent", "family worry is a night worry")
    assert event.detail == {"previous": None, "parent": "Nights"}
    assert [c.theme for c in matrix(themed, "participant") if c.wave == "baseline"] == [
        "Nights",
        "Sleep detail",
        "Family",
        "Loss",
    ]

    # A theme cannot go inside itself or one of its own subthemes; nothing changes.
    with pytest.raises(StudyError, match=r"subthemes of 'Nights'.*circle"):
        move_theme(themed, "Nights", "Family", rationale="x")
    with pytest.raises(StudyError, match="itself"):
        move_theme(themed, "Nights", "Nights")
    with pytest.raises(StudyError, match="already a subtheme"):
        move_theme(themed, "Family", "Nights")

    # Order among siblings: steps, or before a sibling; not across parents.
    reorder_theme(themed, "Family", steps=-1)
    assert list_themes(themed)[0].subthemes == ("Family", "Sleep detail")
    with pytest.raises(StudyError, match="already first"):
        reorder_theme(themed, "Family", steps=-1)
    reorder_theme(themed, "Loss", before="Nights")
    assert [t.name for t in list_themes(themed) if t.parent is None] == ["Loss", "Nights"]
    with pytest.raises(StudyError, match="different themes"):
        reorder_theme(themed, "Loss", before="Family")

    # Back out to the top level, just before a theme.
    move_theme(themed, "Family", None, before="Nights", rationale="its own thing after all")
    assert [t.name for t in list_themes(themed) if t.parent is None] == ["Loss", "Family", "Nights"]
    for _ in range(4):
        undo(themed)
    assert dump(themed) == before


def test_merging_a_theme_into_its_own_subtheme_leaves_no_circle(themed: Project) -> None:
    add_theme(themed, "Sleep detail", parent="Nights")
    add_theme(themed, "Dreams", parent="Nights")
    merge_themes(themed, "Nights", "Sleep detail", rationale="the detail is the theme")
    themes = {t.name: t for t in list_themes(themed)}
    assert themes["Sleep detail"].parent is None
    assert themes["Sleep detail"].subthemes == ("Dreams",)
    assert set(themes["Sleep detail"].codes) == {"sleep", "fear"}


def _shape(*rows: tuple[str, str | None, tuple[str, ...]]) -> list[ThemeInfo]:
    return [
        ThemeInfo(name, parent, "candidate", None, None, (), subs) for name, parent, subs in rows
    ]


def test_where_a_theme_may_go_is_a_rule_of_the_core() -> None:
    """The board and the command line share these: no circles, and a subtheme made a theme of
    its own lands just after the theme it was inside."""
    themes = _shape(
        ("A", None, ("A1",)),
        ("A1", "A", ("A2",)),
        ("A2", "A1", ()),
        ("B", None, ()),
    )
    assert theme_within(themes, "A", "A2") and theme_within(themes, "A", "A")
    assert not theme_within(themes, "A1", "A")
    assert not can_nest(themes, "A", "A2")  # a circle
    assert not can_nest(themes, "A2", "A1")  # already there
    assert can_nest(themes, "A2", "B") and can_nest(themes, "B", "A1")
    assert sibling_themes(themes, "B") == ["A", "B"]
    assert sibling_themes(themes, "A2") == ["A2"]
    assert top_level_place(themes, "A2") == "B"
    assert top_level_place(themes, "B") is None
    with pytest.raises(StudyError, match="no theme 'C'"):
        theme_within(themes, "C", "A")
