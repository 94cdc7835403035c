"""The matrices as docx: read back with python-docx, every cell equals ``matrix_frame``'s value;
a missing wave shows "–" (with its reason in a footnote), never 0."""

from __future__ import annotations

import math
from pathlib import Path

import docx
import pandas as pd

from workbench.analysis.longitudinal import matrix, matrix_frame
from workbench.cli import main
from workbench.coding.codings import apply_code
from workbench.coding.snapshots import take_snapshot
from workbench.coding.study import set_interview_status
from workbench.coding.transcripts import interview_text
from workbench.exchange.matrix_doc import NOT_FINDINGS, export_matrix_docx

from ..helpers import interview_with
from .test_theme_table import _study


def _expected(frame: pd.DataFrame, by: str) -> list[list[str]]:
    rows = [["Theme", *map(str, frame.columns)] if by == "study" else []]
    if by != "study":
        rows[0] = ["Theme", by.capitalize(), *map(str, frame.columns)]
    for (theme, unit), values in frame.iterrows():
        shown = ["–" if v is None or math.isnan(v) else str(int(v)) for v in values]
        rows.append([theme, *shown] if by == "study" else [theme, unit, *shown])
    return rows


def _tables(path: Path) -> list[list[list[str]]]:
    document = docx.Document(str(path))
    return [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]


def test_matrices_as_docx_equal_matrix_frame_with_dashes_for_missing_waves(
    tmp_path: Path,
) -> None:
    path = tmp_path / "s.dyad"
    with _study(path) as p:
        interview_with(p, "I2", [("R01", "And now?"), ("P01", "I sleep.")], wave="mid-treatment")
        set_interview_status(p, "I2", "coded")
        take_snapshot(p, "before")
        at = interview_text(p, "I2").index("I sleep.")
        apply_code(p, "I2", at, at + 8, "sleep")
        out = tmp_path / "m.docx"
        report = export_matrix_docx(p, out)
        frames = {by: matrix_frame(matrix(p, by), "segments") for by in ("study", "role")}
        participant = matrix_frame(matrix(p, "participant"), "segments")
        frozen = matrix_frame(matrix(p, "participant", snapshot="before"), "segments")
        export_matrix_docx(p, tmp_path / "before.docx", snapshot="before")
    assert report.tables == ("The study", "By role", "By participant")
    study, roles, people = _tables(out)
    assert study == _expected(frames["study"], "study")
    assert roles == _expected(frames["role"], "role")
    assert people == _expected(participant, "participant")
    # observed waves carry counts, the unobserved one a dash, never 0
    assert ["Nights", "P01", "2", "1", "–"] in people
    assert study[1] == ["Nights", "2", "1", "–"]
    text = "\n".join(par.text for par in docx.Document(str(out)).paragraphs)
    assert NOT_FINDINGS in text
    assert "– marks a wave where the unit was not observed: study at post-treatment" in text
    assert "P01 at post-treatment (no interview)" in text
    assert "P01 at mid-treatment" not in text  # observed there
    # from the snapshot: the coding made after it is not counted, and the snapshot is cited
    before = _tables(tmp_path / "before.docx")[2]
    assert before == _expected(frozen, "participant")
    assert ["Nights", "P01", "2", "0", "–"] in before
    assert "Built from analysis snapshot 'before'" in "\n".join(
        par.text for par in docx.Document(str(tmp_path / "before.docx")).paragraphs
    )
    assert main(["pseudonyms", "dismiss", str(path), "Aleppo"]) == 0  # reviewed: a city
    assert (
        main(["export", str(path), "--format", "matrix-docx", "-o", str(tmp_path / "c.docx")]) == 0
    )
    assert _tables(tmp_path / "c.docx") == [study, roles, people]
