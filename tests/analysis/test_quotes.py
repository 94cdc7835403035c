"""Pinned quotes read back with their attribution, and the balance said in one sentence, on both
databases (analysis/quotes.py; the window's cell details show it)."""

from __future__ import annotations

from workbench.analysis.quotes import balance_note, pinned_quotes
from workbench.coding.codebook import add_code
from workbench.coding.codings import apply_code
from workbench.coding.queries import query_segments
from workbench.coding.readings import pin_exemplar
from workbench.coding.study import add_dyad, add_participant, set_interview_status
from workbench.coding.themes import add_theme
from workbench.coding.transcripts import interview_text
from workbench.storage.project import Project

from ..helpers import interview_with


def test_pinned_quotes_carry_their_cell_and_voices_and_the_balance_is_one_sentence(
    project: Project,
) -> None:
    add_participant(project, "C01", "clinician")
    lines = [("R01", "How do you sleep?"), ("P01", "I wake at three."), ("P01", "Never rested.")]
    interview_with(project, "P01-b", lines)
    interview_with(project, "P01-m", lines[:2], wave="mid-treatment")
    add_dyad(project, "D01", ["C01", "P01"])
    add_code(project, "sleep")
    for key in ("P01-b", "P01-m"):
        full = interview_text(project, key)
        for said in ("I wake at three.", "Never rested."):
            if said in full:
                apply_code(project, key, full.index(said), full.index(said) + len(said), "sleep")
        set_interview_status(project, key, "coded")
    add_theme(project, "Nights", codes=["sleep"])
    assert pinned_quotes(project, "Nights") == []
    assert balance_note([]) is None

    for g in query_segments(project, theme="Nights"):
        pin_exemplar(project, "Nights", "participant:P01", g.wave or "", g.coding)
    quotes = pinned_quotes(project, "Nights")
    assert [(q.unit, q.cell_wave, q.text, q.people, q.roles) for q in quotes] == [
        ("participant:P01", "baseline", "I wake at three.", ("P01",), ("patient",)),
        ("participant:P01", "baseline", "Never rested.", ("P01",), ("patient",)),
        ("participant:P01", "mid-treatment", "I wake at three.", ("P01",), ("patient",)),
    ]
    assert pinned_quotes(project, "Other") == []
    assert balance_note(quotes) == (
        "Of 3 pinned quotes, 3 come from person P01 and 2 from wave baseline; consider quotes "
        "from other people, dyads and waves."
    )
    assert balance_note(quotes[:2]) is None  # too few to judge
