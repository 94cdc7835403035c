"""A dyad wave with one member missing still shows the other member (issue 15), on the hand-worked
study of tests/analysis/test_longitudinal.py: at W3, P1 has no interview and C1 (interviewed about
D1) voices Sleep twice; trajectories name their shape and censoring."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.analysis.longitudinal import censored, matrix, shape, trajectories
from workbench.cli import main
from workbench.storage.project import Project

from ..analysis.test_longitudinal import build


@pytest.fixture
def study(target: str) -> Project:
    p = build(target)
    yield p
    p.close()


def test_a_dyad_wave_with_one_member_missing_shows_the_other(study: Project) -> None:
    cells = {(c.theme, c.unit, c.wave): c for c in matrix(study, "dyad")}
    w3 = cells[("Sleep", "D1", "W3")]
    # The dyad's own value keeps the complete-dyad rule, and co-occurrence needs both.
    assert (w3.segments, w3.missing, w3.cooccurrence) == (None, ["P1:no_interview"], "incomplete")
    assert w3.members is not None
    assert w3.members["C1"].segments == 2 and w3.members["C1"].missing is None
    assert w3.members["P1"].segments is None and w3.members["P1"].missing == "no_interview"
    # A complete wave: each member's own count beside the dyad's.
    w1 = cells[("Fear", "D1", "W1")]
    assert (w1.segments, w1.cooccurrence) == (2, "both_voice")
    assert (w1.members["P1"].segments, w1.members["C1"].segments) == (1, 1)
    # C1's D2 interview at W1 does not count for D1's C1.
    assert cells[("Sleep", "D1", "W1")].members["C1"].segments == 1


def test_the_json_records_carry_the_members(
    study: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    location = str(study.path) if study.path else study.location
    assert main(["matrix", location, "--by", "dyad", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    w3 = next(r for r in records if (r["theme"], r["unit"], r["wave"]) == ("Sleep", "D1", "W3"))
    assert w3["value"] is None and w3["cooccurrence"] == "incomplete"
    assert w3["members"]["P1"] is None
    assert w3["members"]["C1"]["value"] == 2
    assert w3["members"]["missing"] == {"P1": "no_interview"}
    w2 = next(r for r in records if (r["theme"], r["unit"], r["wave"]) == ("Sleep", "D2", "W2"))
    assert w2["members"] == {
        "C1": None,
        "P2": None,
        "missing": {"C1": "no_interview", "P2": "stopped"},
    }


def test_shape_and_censoring_by_hand() -> None:
    assert shape([2, 0.5, 2]) == "dip"
    assert shape([1, 3, 1]) == "peak"
    assert shape([1, None, 2, 3]) == "rising"
    assert shape([3, 3]) == "flat"
    assert shape([3, 1]) == "falling"
    assert shape([None, 3]) is None
    assert censored([1, 0, None]) and not censored([1, None, 0]) and not censored([None, None])


def test_trajectories_carry_shape_rates_and_censoring(study: Project) -> None:
    rows = {(r.theme, r.unit): r for r in trajectories(study, "participant")}
    c1 = rows[("Sleep", "C1")]
    assert c1.sequence == [1, None, 2] and not c1.censored
    # C1 spoke 9 words at W1 (both dyads) and 11 at W3: rates per 1,000 words.
    assert c1.rates == [pytest.approx(1000 / 9, abs=1e-3), None, pytest.approx(2000 / 11, abs=1e-3)]
    assert c1.shape == "rising"
    # Two segments at each wave is "persistent" by count, but fewer per word spoken at W3.
    fear = rows[("Fear", "C1")]
    assert (fear.pattern, fear.shape) == ("persistent", "falling")
    p1 = rows[("Sleep", "P1")]
    assert p1.sequence == [1, None, None] and p1.censored and p1.shape is None
    assert p1.single_segment
    assert p1.rates[0] == pytest.approx(1000 / 9, abs=1e-3)


def test_the_dyad_exports_show_the_observed_member(study: Project, tmp_path: Path) -> None:
    import pandas as pd
    from docx import Document

    from workbench.exchange.matrix_doc import export_matrix_docx
    from workbench.exchange.tables import export_workbook

    export_matrix_docx(study, tmp_path / "m.docx")
    tables = Document(str(tmp_path / "m.docx")).tables
    dyad_table = next(t for t in tables if t.rows[0].cells[1].text == "Dyad")
    waves = [c.text for c in dyad_table.rows[0].cells]
    rows = {(r.cells[0].text, r.cells[1].text): r for r in dyad_table.rows[1:]}
    d1 = rows[("Sleep", "D1")]
    assert d1.cells[waves.index("W3")].text == "C1 2 · P1 –"
    assert d1.cells[waves.index("W1")].text == "C1 1 · P1 1"

    export_workbook(study, tmp_path / "m.xlsx")
    sheet = pd.read_excel(tmp_path / "m.xlsx", sheet_name="Matrix – Dyads")
    at_w3 = sheet[(sheet["theme"] == "Sleep") & (sheet["unit"] == "D1") & (sheet["wave"] == "W3")]
    by_member = {
        str(m): row
        for m, row in zip(at_w3["member"].fillna(""), at_w3.to_dict("records"), strict=True)
    }
    assert pd.isna(by_member[""]["segments"]) and by_member[""]["co-occurrence"] == "incomplete"
    assert by_member["C1"]["segments"] == 2
    assert pd.isna(by_member["P1"]["segments"]) and by_member["P1"]["missing"] == "no_interview"
    trajectories_sheet = pd.read_excel(tmp_path / "m.xlsx", sheet_name="Trajectories")
    assert {"shape (of the rates)", "censored"} <= set(trajectories_sheet.columns)


def test_stances_listed_and_in_the_dyad_exports(
    study: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pandas as pd
    from docx import Document

    from workbench.coding.readings import set_stance
    from workbench.coding.themes import set_trajectory
    from workbench.exchange.matrix_doc import export_matrix_docx
    from workbench.exchange.tables import export_workbook

    set_stance(study, "D1", "W1", "Fear", "divergent", note="He names fear; she names nights.")
    set_stance(study, "D2", "W1", "Fear", "convergent")
    set_trajectory(study, "Sleep", "dyad:D1", label="settling together")
    location = str(study.path) if study.path else study.location
    assert main(["stance", "list", location, "--dyad", "D1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {
            "dyad": "D1",
            "wave": "W1",
            "theme": "Fear",
            "stance": "divergent",
            "note": "He names fear; she names nights.",
        }
    ]
    assert main(["stance", "list", location]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "D1  W1  Fear: divergent — He names fear; she names nights.",
        "D2  W1  Fear: convergent",
    ]
    assert main(["stance", "list", location, "--dyad", "D9"]) != 0
    assert capsys.readouterr().err.strip() == "error: no dyad 'D9' in this project"

    export_matrix_docx(study, tmp_path / "m.docx")
    rows = [
        [c.text for c in r.cells] for t in Document(str(tmp_path / "m.docx")).tables for r in t.rows
    ]
    assert ["D1", "W1", "Fear", "divergent", "He names fear; she names nights."] in rows
    assert ["Sleep", "D1", "settling together"] in rows
    export_workbook(study, tmp_path / "m.xlsx")
    sheet = pd.read_excel(tmp_path / "m.xlsx", sheet_name="Stances")
    assert sheet["note"].tolist()[0] == "He names fear; she names nights."
    dyads = pd.read_excel(tmp_path / "m.xlsx", sheet_name="Dyad trajectories")
    assert "settling together" in dyads["trajectory (analyst)"].tolist()
