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
        assert len(back) == len(frame), name
    pd.testing.assert_frame_equal(
        read["Segments"][["interview", "code", "start", "end", "text"]],
        segments[["interview", "code", "start", "end", "text"]],
        check_dtype=False,
    )
    csv = pd.read_csv(tmp_path / "a.csv")
    assert list(csv["text"]) == list(segments["text"])
    assert read["Matrix – Participants"]["segments"].notna().any()
