"""The case-ordered summary matrix on the hand-worked study of tests/analysis/test_longitudinal.py
(P1 with an interpreter, C1 the clinician of two dyads, P3 declined consent)."""

from __future__ import annotations

from pathlib import Path

import docx
import pandas as pd
import pytest

from workbench.cli import main
from workbench.coding.readings import set_cell_summary
from workbench.exchange.case_matrix import case_matrices, export_case_matrix_docx
from workbench.storage.project import Project

from ..analysis.test_longitudinal import build


@pytest.fixture
def study(tmp_path: Path) -> Project:
    p = build(str(tmp_path / "s.dyad"))
    yield p
    p.close()


def test_rows_per_participant_grouped_by_dyad_with_the_analysts_words(study: Project) -> None:
    set_cell_summary(study, "Sleep", "participant:P1", "W1", "Nights broken")
    sleep = next(m for m in case_matrices(study) if m.theme == "Sleep")
    assert sleep.headers == [
        "Dyad",
        "Participant",
        "W1\nweek not recorded",
        "W2\nweek not recorded",
        "W3\nweek not recorded",
        "What changed",
        "Through-line",
    ]
    # Patient first in each dyad; P3 declined consent; I1 and R1 are the team.
    assert [(r[0], r[1]) for r in sleep.rows] == [
        ("D1", "P1"),
        ("D1", "C1"),
        ("D2", "P2"),
        ("D2", "C1"),
        ("D3", "C1"),
    ]
    p1 = sleep.rows[0]
    assert p1[2] == "Nights broken"
    assert p1[3].startswith("–") and p1[4].startswith("–")
    c1 = sleep.rows[1]
    assert c1[5:] == ["improving", "Sleep settles by W3."]


def test_exported_as_docx_and_xlsx(study: Project, tmp_path: Path) -> None:
    export_case_matrix_docx(study, tmp_path / "c.docx")
    tables = docx.Document(str(tmp_path / "c.docx")).tables
    assert len(tables) == 3  # Sleep, Fear, Hope
    assert tables[0].rows[0].cells[-1].text == "Through-line"
    out = tmp_path / "c.xlsx"
    args = ["export", str(study.path), "--format", "case-matrix-xlsx", "-o", str(out)]
    assert main([*args, "--override-pseudonym-check"]) == 0  # "W3" reads as a name
    sheet = pd.read_excel(out, sheet_name="Case-ordered")
    assert set(sheet["theme"]) == {"Sleep", "Fear", "Hope"}
    assert "Sleep settles by W3." in sheet["Through-line"].tolist()


def test_the_dyadic_comparison_shows_both_members_side_by_side_with_the_stance(
    study: Project, tmp_path: Path
) -> None:
    from workbench.coding.readings import set_stance
    from workbench.exchange.case_matrix import DYADIC_HEADERS, dyadic_comparisons

    set_cell_summary(study, "Sleep", "participant:P1", "W1", "Nights broken")
    set_cell_summary(study, "Sleep", "participant:C1", "W1", "Asks about sleep each session")
    set_stance(study, "D1", "W1", "Sleep", "divergent", note="She speaks of nights, he of pills")
    sleep = next(d for d in dyadic_comparisons(study) if d.theme == "Sleep")
    assert sleep.headers == DYADIC_HEADERS
    rows = {(r[0], r[1]): r for r in sleep.rows}
    assert rows[("D1", "W1")][2:] == [
        "P1: Nights broken",
        "C1: Asks about sleep each session",
        "divergent",
        "She speaks of nights, he of pills",
    ]
    # A wave one member missed shows the other member's reading and why the first is missing.
    p1_w3, c1_w3 = rows[("D1", "W3")][2:4]
    assert p1_w3 == "P1: – (no interview)" and c1_w3 == "C1: (nothing noted)"
    # D3's patient declined consent: only the clinician appears, never a sum of both.
    assert [r[2] for r in sleep.rows if r[0] == "D3"] == ["", "", ""]
    out = tmp_path / "d.docx"
    args = ["export", str(study.path), "--format", "dyadic-comparison-docx", "-o", str(out)]
    assert main([*args, "--override-pseudonym-check"]) == 0  # "W3" reads as a name
    text = "\n".join(
        c.text for t in docx.Document(str(out)).tables for r in t.rows for c in r.cells
    )
    assert "She speaks of nights, he of pills" in text and "P1: Nights broken" in text
    out = tmp_path / "d.xlsx"
    args = ["export", str(study.path), "--format", "dyadic-comparison-xlsx", "-o", str(out)]
    assert main([*args, "--override-pseudonym-check"]) == 0
    pairs = pd.read_excel(out, sheet_name="Dyadic comparison").fillna("")
    d1 = pairs[(pairs["theme"] == "Sleep") & (pairs["Dyad"] == "D1") & (pairs["Wave"] == "W1")]
    assert d1["Stance (analyst)"].tolist() == ["divergent"]
