"""The page every Word export starts from (landscape A4-wide tables, 2 cm margins, Calibri), the
table every one of them writes (a style, a repeated header row, column widths), and the one way
each is saved (with the fonts its scripts need)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from workbench.exchange._docx_fonts import fallback_fonts


def landscape_document(*, margin_cm: float = 2.0, font_pt: float = 10) -> Any:
    """A new document in landscape (wide tables fit), with the house margins and font."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(margin_cm))
    style = document.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(font_pt)
    return document


def save(document: Any, out: Path | str) -> tuple[str, ...]:
    """Write ``document`` to ``out`` after its finishing step: Ethiopic and Arabic text in a
    font that has the script, embedded in the file (``_docx_fonts``). The families embedded."""
    embedded = fallback_fonts(document)
    document.save(str(out))
    return embedded


def _repeat_header(row: object) -> None:
    """Mark a table row as a header row Word repeats on every page, never split across pages
    and kept with the row after it (so no page ends with a header row alone: Word and
    LibreOffice both honour "keep with next" on the row's paragraphs)."""
    properties = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    for tag in ("w:cantSplit", "w:tblHeader"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), "true")
        properties.append(element)
    for cell in row.cells:  # type: ignore[attr-defined]
        for paragraph in cell.paragraphs:
            paragraph.paragraph_format.keep_with_next = True


def add_table(
    document: object, headers: list[str], rows: list[list[str]], widths: list[float] | None = None
) -> None:
    """A real Word table: a style, a header row repeated across pages, column widths (cm)."""
    table = document.add_table(rows=1, cols=len(headers))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    table.autofit = widths is None
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    _repeat_header(table.rows[0])
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    if widths is not None:
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Cm(width)  # the grid LibreOffice reads
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = Cm(width)
    for cell in table.rows[0].cells:
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:fill"), "DCE6F0")
        cell._tc.get_or_add_tcPr().append(shading)
