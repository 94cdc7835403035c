"""A key holder's reading of analyst text (#13): placeholders become their originals; a
placeholder several originals share shows them all; the project's text is unchanged."""

from __future__ import annotations

from pathlib import Path

from workbench.coding.memos import add_memo, list_memos
from workbench.coding.redaction import originals_reader, redact
from workbench.coding.study import new_study


def test_analyst_text_read_with_its_originals(tmp_path: Path) -> None:
    with new_study(tmp_path / "r.dyad", title="Reader") as project:
        add_memo(project, "Ali and Samer came; Hiba stayed home.", about="project")
        redact(project, "[name]", everywhere="Ali")
        redact(project, "[name]", everywhere="Samer")
        redact(project, "[sister]", everywhere="Hiba")
        (memo,) = list_memos(project, about="project")
        assert memo.text == "[name] and [name] came; [sister] stayed home."
        reveal = originals_reader(project)
        assert reveal(memo.text) == (
            "[name: Ali | Samer] and [name: Ali | Samer] came; Hiba stayed home."
        )
        assert reveal("nothing redacted here") == "nothing redacted here"
        assert [m.text for m in list_memos(project, about="project")] == [memo.text]
