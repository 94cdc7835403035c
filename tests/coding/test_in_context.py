"""A suggested word read where it stands (``identifiers.in_context``): transcripts first, then
analysts' texts, as written (case and whole word), a few places, on both backends."""

from __future__ import annotations

from workbench.coding.identifiers import in_context
from workbench.coding.memos import add_memo
from workbench.storage.project import Project

from ..helpers import interview_with


def test_the_word_where_it_stands_as_written(project: Project) -> None:
    interview_with(
        project,
        "I1",
        [
            ("P01", "My sister Hope came from Kassala, and we hope for news every day."),
            ("R01", "Did Hope stay?"),
            ("P01", "Hopeful, yes. " + "We waited a long time in the camp. " * 4 + "Hope left."),
        ],
    )
    add_memo(project, "Hope's story matters; hope as a theme too.")
    found = in_context(project, "Hope")
    assert [where for where, _ in found] == [
        "interview:I1 #0",
        "interview:I1 #1",
        "interview:I1 #2",
        found[3][0],
    ]
    assert found[0][1] == "My sister Hope came from Kassala, and we hope for news every day."
    assert found[2][1].startswith("…") and found[2][1].endswith("camp. Hope left.")
    assert found[3][0].startswith("memo ") and found[3][1].startswith("Hope's story")
    assert len(in_context(project, "Hope", limit=2)) == 2
    assert in_context(project, "Kassal") == []  # whole words only


def test_the_command_line_shows_it_too(project: Project, capsys) -> None:
    import json

    from workbench.cli import main

    add_memo(project, "We met Zarifa at the clinic.")
    assert main(["pseudonyms", "context", project.location, "Zarifa"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("  memo ") and line.endswith(": We met Zarifa at the clinic.")
    assert main(["pseudonyms", "context", project.location, "Zarifa", "--json"]) == 0
    (found,) = json.loads(capsys.readouterr().out)
    assert found["text"] == "We met Zarifa at the clinic."
