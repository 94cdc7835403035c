"""The theme-table docx opens in LibreOffice: converted headless to PDF, its text shows the themes,
the labelled quotes with their provenance marks, and the study characteristics.

Needs ``soffice`` (libreoffice-writer-nogui) and ``pdftotext`` (poppler-utils). Missing on a
developer's machine the test skips; under CI (``CI`` set) it fails, so the check cannot go quiet.
"""

from __future__ import annotations

import re
from pathlib import Path

from workbench.coding.readings import set_cell_summary
from workbench.exchange.theme_table import export_theme_table

from ..helpers import pdf_text
from .test_theme_table import _study


def _flat(text: str) -> str:
    """Whitespace runs as one space: a phrase wrapped within one column is found again."""
    return re.sub(r"\s+", " ", text)


def column(text: str, header: str, until: str) -> str:
    """One table column as ``pdftotext -layout`` lays it out: from the line holding ``header``
    to the line holding ``until``, each line's text from the header's position on (the column is
    the table's rightmost, so nothing of another column follows it), flattened."""
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if header in line)
    last = next(i for i, line in enumerate(lines) if i > first and until in line)
    at = lines[first].index(header)
    return _flat(" ".join(line[at:] for line in lines[first + 1 : last]))


def test_theme_table_converts_to_pdf_with_themes_quotes_marks_and_characteristics(
    tmp_path: Path,
) -> None:
    with _study(tmp_path / "s.dyad") as p:
        set_cell_summary(p, "Nights", "participant:P01", "baseline", "Sleeps badly")
        out = tmp_path / "themes.docx"
        export_theme_table(p, out)
    text = pdf_text(out, tmp_path)
    lines = [line for line in text.splitlines() if line.strip()]
    flat = _flat(text)
    assert "Themes — Table study" in flat
    # the themes table: theme, subtheme, concept, in their columns
    assert any(re.match(r"\s*Nights\s+Rest\s+Sleep as where distress", line) for line in lines)
    # quotes with their labels and provenance marks, read down the quote column
    quotes = column(text, "Illustrative quotes", "The analyst's trajectories")
    assert "“I sleep badly since Aleppo.” (P01, patient, baseline; via interpreter)" in quotes
    assert "“my sleep is a little better” (P01, patient, baseline)" in quotes
    # the patient's own words carry no mark; verification and sources: the audit supplement
    assert "not verified against audio" not in quotes and "Source:" not in quotes
    assert quotes.count("via interpreter") == 1
    # the analyst's trajectories and the study characteristics
    assert any(re.match(r"\s*Nights\s+P01\s+easing$", line) for line in lines)
    assert "single observation" not in flat  # computed patterns: the audit supplement
    assert "The analyst's cell summaries" in flat
    assert any(re.match(r"\s*Nights\s+P01\s+Sleeps badly$", line) for line in lines)
    assert "Study characteristics" in flat
    held = r"\s*baseline\s+1\s+none\s+0:04\s+not recorded\s+1\s+none$"
    assert any(re.match(held, line) for line in lines)
    missing = r"\s*mid-treatment\s+0\s+none\s+–\s+not recorded\s+0\s+P01: no( interview)?$"
    assert any(re.match(missing, line) for line in lines)
