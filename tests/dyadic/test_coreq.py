"""The COREQ checklist: the items the project knows are filled as counts over the study (nobody
named), the rest left for the author with COREQ's question (issue 15, item 5)."""

from __future__ import annotations

from pathlib import Path

from workbench.cli import main
from workbench.exchange.coreq import FOR_THE_AUTHOR, ITEMS, checklist_rows

from ..exchange.test_theme_table import _cells
from .test_interpretive_tables import REASON, _with_a_drop_out


def test_the_checklist_fills_what_the_study_records_and_names_nobody(tmp_path: Path) -> None:
    with _with_a_drop_out(tmp_path / "s.dyad") as p:
        rows = checklist_rows(p)
    assert [int(r[0]) for r in rows] == list(range(1, 33)) == [n for n, _, _ in ITEMS]
    answer = {int(r[0]): r[3] for r in rows}
    assert answer[12].startswith("2 participants (2 patient) in 0 dyads; the team: ")
    assert "1 researcher" in answer[12] and "1 interpreter" in answer[12]
    assert answer[13] == (
        f"0 people with consent not given or withdrawn; 1 interviews stopped ({REASON}: 1)."
    )
    assert answer[15] == "An interpreter was present in 1 of 1 interviews held."
    assert answer[18].startswith("3 waves (interviews per wave — baseline: 1; mid-treatment: 1")
    assert answer[18].endswith("interviews per participant: median 1 (range 1–1).")
    assert answer[21].startswith("Median 0:04 (min:s) over 1 timed interviews")
    assert answer[24] == "1 analysts recorded codings (2 codings; per analyst 2)."
    assert answer[25].startswith("1 codes, 1 at the top, up to 1 levels deep")
    assert (
        answer[26] == "1 themes and 1 subthemes built from the codes in the workbench "
        "(status: 2 candidate)."
    )
    assert answer[29].startswith("2 quotations pinned to themes")
    for n in (1, 9, 14, 17, 22, 23, 28, 30, 31, 32):
        assert answer[n] == FOR_THE_AUTHOR
    text = " ".join(c for r in rows for c in r)
    for person in ("P01", "P02", "R01", "I01", "Aleppo"):
        assert person not in text


def test_the_checklist_is_an_export_format(tmp_path: Path) -> None:
    location = tmp_path / "s.dyad"
    _with_a_drop_out(location).close()
    out = tmp_path / "coreq.docx"
    args = ["export", str(location), "--format", "coreq-checklist-docx", "-o", str(out)]
    assert main([*args, "--override-pseudonym-check"]) == 0
    (table,) = _cells(out)
    assert table[0] == ["No.", "Item", "Guide question", "What the project records", "Source"]
    assert len(table) == 33 and table[12][1] == "Sample size"
