"""Pinned quotes and their balance in the heat map's cell details (issue 15): pinning a segment
as a quote of its cell is one undoable step, marks it in the list, and the line under the
segments says how many quotes the theme has from how many voices — and, plainly, when one
person holds more than half of them (the core's ``quote_balance``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from workbench.analysis.quotes import pinned_quotes
from workbench.coding.codebook import add_code
from workbench.coding.codings import apply_code
from workbench.coding.study import (
    add_dyad,
    add_interview,
    add_participant,
    new_study,
    set_interview_status,
)
from workbench.coding.themes import add_theme
from workbench.coding.transcripts import import_utterances, interview_text
from workbench.ui.cell_details import PIN_MARK, CellDetails
from workbench.ui.main_window import MainWindow

from ..helpers import transcript
from .test_heatmap import window_in_mode

SAID = {
    ("P01-b", "P01"): ["I lie awake until three.", "The nights are long and loud."],
    ("P01-e", "P01"): ["Now I sleep most nights."],
    ("P02-b", "P02"): ["Night is when the memories come."],
}


@pytest.fixture
def quoted(tmp_path: Path) -> Path:
    path = tmp_path / "quotes.dyad"
    with new_study(path, title="Quotes", waves=["baseline", "end"]) as p:
        for key, role in [
            ("P01", "patient"),
            ("P02", "patient"),
            ("C01", "clinician"),
            ("C02", "clinician"),
            ("R01", "researcher"),
        ]:
            add_participant(p, key, role)
        add_dyad(p, "D01", ["C01", "P01"])
        add_dyad(p, "D02", ["C02", "P02"])
        add_code(p, "sleep")
        for (interview, who), lines in SAID.items():
            wave = "end" if interview.endswith("-e") else "baseline"
            dyad = "D01" if who == "P01" else "D02"
            add_interview(
                p, interview, wave=wave, dyad=dyad, participants=[(who, None), ("R01", None)]
            )
            rows = [("R01", "How are your nights?")] + [(who, line) for line in lines]
            import_utterances(p, interview, transcript(rows), speakers={"R01": "R01", who: who})
            full = interview_text(p, interview)
            for line in lines:
                at = full.index(line)
                apply_code(p, interview, at, at + len(line), "sleep")
            set_interview_status(p, interview, "coded")
        add_theme(p, "Nights", codes=["sleep"])
    return path


def _open(window: MainWindow, qtbot, unit: str, wave: str) -> CellDetails:
    view = window.heatmap
    index = view.model.index_of("Nights", unit, wave)
    assert index.isValid()
    qtbot.mouseClick(
        view.table.viewport(), Qt.MouseButton.LeftButton, pos=view.table.visualRect(index).center()
    )
    details = view.details
    qtbot.waitUntil(lambda: details.cell == ("Nights", f"participant:{unit}", wave))
    return details


def _pin(details: CellDetails, qtbot, row: int) -> None:
    details.segments.setCurrentRow(row)
    assert details.pin.text() == "Pin as quote"
    qtbot.mouseClick(details.pin, Qt.MouseButton.LeftButton)


def test_pinning_quotes_shows_their_balance_and_undoes(qtbot, tmp_path: Path, quoted: Path) -> None:
    window = window_in_mode(qtbot, tmp_path, quoted, 1)
    view = window.heatmap
    view.by.setCurrentIndex(view.by.findData("participant"))
    project = window.project
    assert project is not None

    details = _open(window, qtbot, "P01", "baseline")
    assert details.segments.count() == 2
    assert details.balance.text() == "No quote pinned for Nights yet: select a segment and pin it."
    assert not details.pin.isEnabled()  # nothing selected yet

    _pin(details, qtbot, 0)
    assert [q.text for q in pinned_quotes(project, "Nights")] == ["I lie awake until three."]
    assert details.segments.item(0).text().startswith(PIN_MARK)
    assert not details.segments.item(1).text().startswith(PIN_MARK)
    assert details.pin.text() == "Unpin quote"
    assert details.balance.text() == (
        "1 quote pinned for Nights, from 1 person, 1 dyad and 1 wave."
    )

    _pin(details, qtbot, 1)
    details = _open(window, qtbot, "P01", "end")
    _pin(details, qtbot, 0)
    assert len(pinned_quotes(project, "Nights")) == 3
    assert details.balance.text() == (
        "3 quotes pinned for Nights, from 1 person, 1 dyad and 2 waves.\n"
        "Of 3 pinned quotes, 3 come from person P01, 3 from dyad D01 and 2 from wave "
        "baseline; consider quotes from other people, dyads and waves."
    )

    # Edit ▸ Undo takes the last pin back; the line follows.
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: len(pinned_quotes(project, "Nights")) == 2)
    details = view.details
    qtbot.waitUntil(lambda: details.cell is not None)
    details = _open(window, qtbot, "P02", "baseline")
    assert details.balance.text() == (
        "2 quotes pinned for Nights, from 1 person, 1 dyad and 1 wave."
    )

    # A quote from another person and dyad: still two of three from P01, said plainly.
    _pin(details, qtbot, 0)
    assert details.balance.text().startswith(
        "3 quotes pinned for Nights, from 2 people, 2 dyads and 1 wave.\n"
        "Of 3 pinned quotes, 2 come from person P01, 2 from dyad D01"
    )

    # Unpinning (the same button, now "Unpin quote") takes the warning's evidence away.
    details.segments.setCurrentRow(0)
    assert details.pin.text() == "Unpin quote"
    qtbot.mouseClick(details.pin, Qt.MouseButton.LeftButton)
    assert [q.people for q in pinned_quotes(project, "Nights")] == [("P01",), ("P01",)]
    assert "consider quotes" not in details.balance.text()
    assert not details.segments.item(0).text().startswith(PIN_MARK)
