"""The retrieval pane: the segments of the selected codes, filtered, and a jump back to each."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester

from workbench.coding.transcripts import interview_text
from workbench.storage.project import Project, open_project
from workbench.ui.retrieval import RetrievalPane

from .coded import CODINGS, build


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    with open_project(build(tmp_path / "coded.dyad")) as p:
        yield p


@pytest.fixture
def pane(qtbot, project: Project) -> RetrievalPane:
    widget = RetrievalPane()
    qtbot.addWidget(widget)
    widget._tester = QAbstractItemModelTester(  # type: ignore[attr-defined]
        widget.model, QAbstractItemModelTester.FailureReportingMode.Fatal
    )
    widget.set_project(project)
    return widget


def shown(pane: RetrievalPane) -> list[tuple[str, str, str]]:
    """(code path, interview, text) of every row."""
    m = pane.model
    return [
        (m.segment(r).code, m.data(m.index(r, 5)), m.data(m.index(r, 7)))
        for r in range(m.rowCount())
    ]


def choose(combo, value: str) -> None:
    index = combo.findData(value)
    assert index > 0, f"{value} is not offered"
    combo.setCurrentIndex(index)


def test_a_code_shows_its_segments_with_their_attribution(pane: RetrievalPane) -> None:
    pane.set_codes(["Trust"])
    assert shown(pane) == [("Trust", "P01-b", "I trust her now")]
    m = pane.model
    assert [m.data(m.index(0, c)) for c in range(7)] == [
        "Trust",
        "P01",
        "patient",
        "baseline",
        "D01",
        "P01-b",
        "0:00:03",
    ]
    assert "“Trust”  ·  1 segment" in pane.title.text()
    tip = m.data(m.index(0, 7), Qt.ItemDataRole.ToolTipRole)
    assert "… And your therapist?" in tip and "» I trust her now «" in tip


def test_sub_codes_count_and_consent_is_respected(pane: RetrievalPane) -> None:
    pane.set_codes(["Sleep"])
    # P02 declined consent: the segment of P02-b is left out, as the core leaves it out.
    assert shown(pane) == [
        ("Sleep", "C01-b", "He sleeps badly"),
        ("Sleep", "P01-b", "I wake at three"),
        ("Sleep / Nightmares", "P01-b", "the dreams come back"),
        ("Sleep / Nightmares", "P01-m", "Fewer nightmares"),
    ]
    assert "1 participant without consent is left out" in pane.footnote.text()
    assert pane.participant.findData("P02") > 0  # still offered, just never shown
    pane.subcodes.setChecked(False)
    assert [row[2] for row in shown(pane)] == ["He sleeps badly", "I wake at three"]


def test_filters_narrow_the_segments(pane: RetrievalPane) -> None:
    pane.set_codes(["Sleep", "Trust"])
    assert len(shown(pane)) == 5
    choose(pane.wave, "mid-treatment")
    assert shown(pane) == [("Sleep / Nightmares", "P01-m", "Fewer nightmares")]
    pane.wave.setCurrentIndex(0)
    choose(pane.role, "clinician")
    assert shown(pane) == [("Sleep", "C01-b", "He sleeps badly")]
    pane.role.setCurrentIndex(0)
    choose(pane.participant, "P01")
    assert {row[1] for row in shown(pane)} == {"P01-b", "P01-m"} and len(shown(pane)) == 4
    choose(pane.dyad, "D02")
    assert shown(pane) == []
    assert "0 segments" in pane.title.text()
    pane.dyad.setCurrentIndex(0)
    pane.participant.setCurrentIndex(0)
    assert len(shown(pane)) == 5
    # The filters stay chosen when the project changes and the lists are filled again.
    choose(pane.wave, "baseline")
    pane.reload_choices()
    assert pane.wave.currentData() == "baseline"


def test_double_click_asks_to_jump_to_the_segment(
    qtbot, pane: RetrievalPane, project: Project
) -> None:
    pane.show()
    qtbot.waitExposed(pane)
    pane.set_codes(["Trust", "Sleep / Nightmares"])
    row = [r[2] for r in shown(pane)].index("the dreams come back")
    rect = pane.list.visualRect(pane.model.index(row, 0))
    with qtbot.waitSignal(pane.jump_requested) as blocker:
        qtbot.mouseClick(pane.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(pane.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    interview, start, end = blocker.args
    assert interview == "P01-b"
    assert interview_text(project, "P01-b")[start:end] == "the dreams come back"
    # The click showed the segment in its context.
    # The click showed the segment in its utterance, between the one before and the one after.
    assert pane.context.toPlainText().splitlines() == [
        "P01-b · baseline · D01 · P01 · 0:00:01 — Sleep / Nightmares",
        "R01 How have you been sleeping?",
        "P01 I wake at three and the dreams come back.",
        "R01 And your therapist?",
    ]
    assert 'background-color:#fbecc8;">the dreams come back</span>' in pane.context.toHtml()


def test_the_pane_follows_changes_and_empties_without_codes(
    pane: RetrievalPane, project: Project
) -> None:
    from workbench.coding.codebook import delete_code

    pane.set_codes(["Trust"])
    delete_code(project, "Trust", confirm=True)
    messages: list[str] = []
    pane.message.connect(messages.append)
    pane.refresh()
    assert shown(pane) == [] and messages == ["no code 'Trust' in the codebook"]
    pane.set_codes([])
    assert "Select a code" in pane.title.text()
    assert len(CODINGS) == 6
