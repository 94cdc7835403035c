"""Spreadsheet exports read back equal to what was written."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.cli import main
from workbench.exchange.tables import segments_frame, workbook_frames

from .test_theme_table import _study


def test_xlsx_and_csv_read_back_equal(tmp_path: Path, capsys) -> None:
    path = tmp_path / "s.dyad"
    _study(path).close()
    assert main(["export", str(path), "--format", "xlsx", "-o", str(tmp_path / "a.xlsx")]) == 0
    assert main(["export", str(path), "--format", "csv", "-o", str(tmp_path / "a.csv")]) == 0
    from workbench.storage.project import open_project

    with open_project(path) as p:
        expected = workbook_frames(p)
        segments = segments_frame(p)
    read = pd.read_excel(tmp_path / "a.xlsx", sheet_name=None)
    assert list(read) == list(expected)
    for name, frame in expected.items():
        back = read[name]
        assert list(back.columns) == list(frame.columns), name
        if name != "About":  # the export states its check's notes there too
            assert len(back) == len(frame), name
    assert "No pseudonymisation key was found" in " ".join(read["About"]["note"])
    pd.testing.assert_frame_equal(
        read["Segments"][["interview", "code", "start", "end", "text"]],
        segments[["interview", "code", "start", "end", "text"]],
        check_dtype=False,
    )
    csv = pd.read_csv(tmp_path / "a.csv")
    assert list(csv["text"]) == list(segments["text"])
    assert read["Matrix – Participants"]["segments"].notna().any()


def test_segment_exports_refuse_identifying_text_unless_overridden(tmp_path: Path) -> None:
    import pytest

    from workbench.coding.redaction import accept_identifier
    from workbench.domain.study import StudyError
    from workbench.exchange.tables import export_segments_csv, export_workbook

    with _study(tmp_path / "s.dyad") as p:
        accept_identifier(p, "Aleppo")
        for write in (export_segments_csv, export_workbook):
            out = tmp_path / f"x.{'csv' if write is export_segments_csv else 'xlsx'}"
            with pytest.raises(StudyError, match="1 quotes hold identifying text"):
                write(p, out)
            assert not out.exists()
            result = write(p, out, override_check=True)
            assert "The analyst overrode the pseudonymisation check for 1 quote(s)." in result.notes
        about = pd.read_excel(tmp_path / "x.xlsx", sheet_name="About")
        assert "The analyst overrode the pseudonymisation check for 1 quote(s)." in list(
            about["note"]
        )
        with pytest.raises(StudyError, match="no key file at"):
            export_segments_csv(p, tmp_path / "y.csv", key=tmp_path / "missing.dyadkey")
