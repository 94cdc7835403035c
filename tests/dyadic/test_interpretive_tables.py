"""The manuscript theme table stays interpretive; the computed side goes to the analysis audit
supplement; the COREQ characteristics print recorded stop reasons (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.cli import main
from workbench.coding.study import add_interview, add_participant, set_interview_status
from workbench.exchange.audit_doc import PATTERN_HEADERS, export_audit_docx
from workbench.exchange.theme_table import Quote, export_theme_table, quote_balance

from ..exchange.test_theme_table import _cells, _study

REASON = "lost to follow-up (moved city)"


def _with_a_drop_out(path: Path):
    p = _study(path)
    add_participant(p, "P02", "patient")
    add_interview(p, "I2", wave="mid-treatment", participants=[("P02", None)])
    set_interview_status(p, "I2", "stopped", reason=REASON)
    return p


def test_the_theme_table_has_no_computed_pattern_and_prints_stop_reasons(tmp_path: Path) -> None:
    with _with_a_drop_out(tmp_path / "s.dyad") as p:
        out = tmp_path / "themes.docx"
        export_theme_table(p, out)
    tables = _cells(out)
    text = "\n".join(c for t in tables for row in t for c in row)
    assert "pattern" not in text.lower() and "single observation" not in text
    characteristics = tables[-1]
    assert characteristics[0][1:3] == ["Interviews held", "Stopped (recorded reason)"]
    mid = next(row for row in characteristics if row[0] == "mid-treatment")
    assert mid[1] == "0"  # the stopped interview is not counted as held
    assert mid[2] == f"I2 ({REASON})"
    assert f"P02: stopped ({REASON})" in mid[-1]
    assert "I01" not in characteristics[1][-1]  # the interpreter is the team, never attrition


def test_the_audit_supplement_has_patterns_shape_and_censoring(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with _with_a_drop_out(tmp_path / "s.dyad") as p:
        report = export_audit_docx(p, tmp_path / "audit.docx")
    patterns, balance, sources = _cells(tmp_path / "audit.docx")
    assert sources[1][-2] in ("yes", "no")  # checked against the audio; then any linked words
    assert patterns[0] == PATTERN_HEADERS
    nights = next(r for r in patterns if r[:2] == ["Nights", "P01"])
    # P01: two segments at baseline, nothing after (no interview): censored, no shape.
    assert nights[2:7] == ["single observation", "2 – –", nights[4], "–", "yes"]
    assert nights[4].split()[1:] == ["–", "–"]
    assert ["person", "P01", "2", "100%"] in balance
    assert report.warnings == ()
    out = tmp_path / "audit.xlsx"
    location = str(tmp_path / "s.dyad")
    args = ["export", location, "--format", "analysis-audit-xlsx", "-o", str(out)]
    assert main([*args, "--override-pseudonym-check"]) == 0
    sheet = pd.read_excel(out, sheet_name="Coding patterns")
    assert {"Shape", "Censored"} <= set(sheet.columns)


def test_the_quote_balance_warns_by_person_dyad_and_wave() -> None:
    def quote(person: str, dyad: str, wave: str) -> Quote:
        return Quote("T", "…", person, (), "g", "", (person,), dyad, wave, ("patient",))

    quotes = [quote("P01", "D01", "baseline")] * 3 + [quote("P02", "D02", "end")]
    rows, warnings = quote_balance(quotes)
    assert ["person", "P01", "3", "75%"] in rows and ["role", "patient", "4", "100%"] in rows
    assert warnings == [
        "3 of 4 pinned quotes come from person P01; consider quotes from other people, dyads "
        "and waves",
        "3 of 4 pinned quotes come from dyad D01; consider quotes from other people, dyads and "
        "waves",
        "3 of 4 pinned quotes come from wave baseline; consider quotes from other people, dyads "
        "and waves",
    ]
    assert quote_balance(quotes[:2])[1] == []  # too few to judge


def test_a_subtheme_has_its_own_row_concept_and_quotes(tmp_path: Path) -> None:
    from workbench.coding.codebook import add_code
    from workbench.coding.codings import apply_code, list_codings
    from workbench.coding.readings import pin_exemplar
    from workbench.coding.themes import add_theme
    from workbench.coding.transcripts import interview_text

    with _study(tmp_path / "s.dyad") as p:
        add_code(p, "waking")
        full = interview_text(p, "I1")
        at = full.index("Now my sleep")
        apply_code(p, "I1", at, at + len("Now my sleep"), "waking")
        add_theme(p, "Waking", parent="Nights", codes=["waking"], concept="Nights end too early")
        waking = next(c for c in list_codings(p) if c.code == "waking")
        pin_exemplar(p, "Waking", "participant:P01", "baseline", waking.id)
        export_theme_table(p, tmp_path / "t.docx")
    themes = _cells(tmp_path / "t.docx")[0]
    rows = {(r[0], r[1]): r for r in themes[1:]}
    assert rows[("Nights", "Rest\nWaking")][3].count("“") == 2  # the parent's own two quotes
    sub = rows[("↳ Nights", "Waking")]
    assert sub[2] == "Nights end too early"
    assert sub[3].startswith("“Now my sleep” (P01, patient, baseline")
    assert rows[("↳ Nights", "Rest")][3] == "(no quote pinned)"
