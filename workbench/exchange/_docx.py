"""The page every Word export starts from: landscape A4-wide tables, 2 cm margins, Calibri."""

from __future__ import annotations

from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Cm, Pt


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
