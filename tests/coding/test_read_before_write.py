"""Free text the window holds while the analyst writes is saved against what they read (#14):
a colleague's newer summary or theme wording is refused in one line, never overwritten."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.coding.readings import cell_summary, set_cell_summary
from workbench.coding.study import new_study
from workbench.coding.themes import add_theme, list_themes, update_theme
from workbench.domain.study import StudyError


def test_a_cell_summary_written_since_it_was_read_is_refused(tmp_path: Path) -> None:
    with new_study(tmp_path / "s.dyad", waves=["baseline"]) as project:
        add_theme(project, "Nights")
        cell = ("Nights", "study", "baseline")
        set_cell_summary(project, *cell, "Sleep is short.", expected="", coder="ana")
        read = cell_summary(project, *cell) or ""
        set_cell_summary(project, *cell, "Sleep is short and broken.", expected=read, coder="ana")
        with pytest.raises(StudyError, match=r"changed by ana .* since you read it"):
            set_cell_summary(project, *cell, "Ben's summary.", expected=read, coder="ben")
        assert cell_summary(project, *cell) == "Sleep is short and broken."
        # Read afresh, the colleague's save goes through; without `expected`, as before.
        fresh = cell_summary(project, *cell) or ""
        set_cell_summary(project, *cell, "Ben's summary.", expected=fresh, coder="ben")
        assert cell_summary(project, *cell) == "Ben's summary."


def test_a_theme_reworded_since_it_was_read_is_refused(tmp_path: Path) -> None:
    with new_study(tmp_path / "t.dyad") as project:
        add_theme(project, "Nights")
        update_theme(project, "Nights", concept="Nights as a test of safety", coder="ana")
        with pytest.raises(StudyError, match="changed by ana"):
            update_theme(project, "Nights", definition="Ben's words.", expected=("", ""))
        (theme,) = list_themes(project)
        assert (theme.concept, theme.definition) == ("Nights as a test of safety", None)
        update_theme(
            project,
            "Nights",
            definition="Ben's words.",
            expected=("Nights as a test of safety", ""),
            coder="ben",
        )
        assert list_themes(project)[0].definition == "Ben's words."
