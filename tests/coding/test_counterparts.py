"""A redaction names the interpreted turns it did not reach, written in another script: the
same name may stand there (ورنا beside "Rana"), where no whole-word match of it finds it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.coding.counterparts import scripts
from workbench.coding.redaction import redact
from workbench.coding.study import new_study
from workbench.coding.transcripts import interview_text
from workbench.coding.utterances import link_rendering
from workbench.storage.project import Project

from ..helpers import interview_with
from .test_redaction_pg import Team, team  # noqa: F401 (fixture)

PEOPLE = (("P01", "patient"), ("I01", "interpreter"), ("R01", "researcher"))
LINES = [
    ("R01", "Who is at home with you?"),  # 0
    ("I01", "مين عايش معك بالبيت؟"),  # 1: renders R01, in Arabic
    ("P01", "مرتي، ورنا بنتي."),  # 2: "my wife, and Rana my daughter"
    ("I01", "My wife, and Rana, my daughter."),  # 3: renders P01
    ("R01", "And Rana goes to school?"),  # 4
    ("I01", "ورنا بتروح عالمدرسة؟"),  # 5
    ("P01", "إيه، كل يوم."),  # 6: no name
    ("R01", "Good. Rana is lucky."),  # 7: next to R01 and P01, nobody interprets
    ("P01", "Yes, Rana."),  # 8
]


@pytest.fixture(params=["sqlite", "postgres"])
def study(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Project, str | None]]:
    """The interview in a project file with its key beside it, or in a team project whose key
    a key holder keeps."""
    if request.param == "sqlite":
        target, key = str(tmp_path / "s.dyad"), None
    else:
        holders: Team = request.getfixturevalue("team")
        target, key = holders.analyst, holders.holder
    with new_study(target, title="S") as p:
        interview_with(p, "I1", LINES, people=PEOPLE)
        yield p, key


def test_redacting_the_english_names_the_arabic_turns_it_did_not_reach(
    study: tuple[Project, str | None],
) -> None:
    project, key = study
    report = redact(project, "[daughter]", everywhere="Rana", key_path=key)
    assert report.occurrences == 4
    assert report.counterparts == ("interview:I1 #2", "interview:I1 #5")
    # Redacting it as written there, as the same person: nothing left to name.
    again = redact(project, "[daughter]", everywhere="رنا", key_path=key)
    assert again.occurrences == 2 and again.counterparts == ()
    text = interview_text(project, "I1")
    assert "Rana" not in text and "و[daughter] بنتي" in text


def test_a_span_and_a_linked_pair_are_named_too(study: tuple[Project, str | None]) -> None:
    project, key = study
    link_rendering(project, "I1", 6, 8)  # as if P01's "Yes, Rana." rendered their Arabic
    start = interview_text(project, "I1").index("Rana goes")
    report = redact(project, "[daughter]", interview="I1", start=start, end=start + 4, key_path=key)
    assert report.counterparts == ("interview:I1 #5",)
    start = interview_text(project, "I1").index("Yes, Rana") + 5
    report = redact(project, "[daughter]", interview="I1", start=start, end=start + 4, key_path=key)
    assert report.counterparts == ("interview:I1 #6",)


def test_scripts() -> None:
    assert scripts("My wife, and Rana") == {"LATIN"}
    assert scripts("ورنا [daughter]") == {"ARABIC", "LATIN"}
    assert scripts("ዓቕሊ ጸቢቡኒ 12") == {"ETHIOPIC"}


def test_the_command_line_says_where_to_look(tmp_path: Path, capsys) -> None:
    path = tmp_path / "s.dyad"
    with new_study(path, title="S") as p:
        interview_with(p, "I1", LINES, people=PEOPLE)
    assert main(["redact", str(path), "--all", "Rana", "--as", "[daughter]"]) == 0
    out = capsys.readouterr().out
    assert (
        "note: 2 turn(s) interpreted to or from these, written in another script, were not "
        "reached and may name it as written there: interview:I1 #2, interview:I1 #5;" in out
    )
