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
    assert main(["export", str(path), "--format", "xlsx", "-o", str(tmp_path / "a.xlsx")]) != 0
    assert "still holds 'Aleppo' (a suggested identifier nobody reviewed" in capsys.readouterr().err
    assert main(["pseudonyms", "dismiss", str(path), "Aleppo"]) == 0
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
    from workbench.exchange.gate import OVERRIDE_STATEMENT
    from workbench.exchange.registry import ExportOptions, export

    with _study(tmp_path / "s.dyad") as p:
        accept_identifier(p, "Aleppo")
        for fmt in ("csv", "xlsx"):
            out = tmp_path / f"x.{fmt}"
            with pytest.raises(StudyError, match="still holds 'Aleppo'"):
                export(p, fmt, out, ExportOptions())
            assert not out.exists()
            assert [f.name for f in tmp_path.iterdir() if f.name.startswith(".export")] == []
            result = export(p, fmt, out, ExportOptions(override_check=True))
            assert OVERRIDE_STATEMENT in result.notes
        about = pd.read_excel(tmp_path / "x.xlsx", sheet_name="About")
        assert OVERRIDE_STATEMENT in list(about.iloc[:, 0]) + list(about.columns)
        assert OVERRIDE_STATEMENT in (tmp_path / "x.csv").read_text(encoding="utf-8")
        with pytest.raises(StudyError, match="no key file at"):
            export(p, "csv", tmp_path / "y.csv", ExportOptions(key=tmp_path / "missing.dyadkey"))
