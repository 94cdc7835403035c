"""No page ends with a table's header row (issue 15): every docx we write is rendered by
LibreOffice, page by page, and no page's last line is a header row. A stress document (tables
whose tall rows cannot split, at every offset down a page) shows the rule failing without
"keep with next" on the header row."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from workbench.coding.study import add_dyad, add_participant
from workbench.exchange._docx import add_table
from workbench.exchange.audit_doc import export_audit_docx
from workbench.exchange.case_matrix import export_case_matrix_docx, export_dyadic_docx
from workbench.exchange.codebook_doc import export_codebook_docx
from workbench.exchange.coreq import export_coreq_checklist
from workbench.exchange.matrix_doc import export_matrix_docx
from workbench.exchange.theme_table import export_theme_table

from ..exchange.test_theme_table import _study
from ..helpers import pdf_text


def _pages(docx_file: Path, work: Path) -> list[list[str]]:
    """The document's pages as LibreOffice lays them out, each as its non-blank text lines."""
    text = pdf_text(docx_file, work)
    return [[line for line in page.splitlines() if line.strip()] for page in text.split("\f")]


def _stranded(document_file: Path, work: Path) -> list[str]:
    """Pages (by their last line) that end with a header row of one of the document's tables."""
    headers = {
        " ".join(c.text.split()[:1])
        for t in docx.Document(str(document_file)).tables
        for c in t.rows[0].cells[:1]
    }
    return [
        page[-1]
        for page in _pages(document_file, work)[:-1]
        if page and page[-1].split()[:1] and page[-1].split()[0] in headers
    ]


def _stress(out: Path, *, keep: bool) -> None:
    document = docx.Document()
    for k in range(30):
        for i in range(k % 9):
            document.add_paragraph(f"filler {k}.{i}")
        add_table(document, [f"HDR{k}", "Second"], [["long body text " * 40, "x"]] * 2)
        table = document.tables[-1]
        for row in table.rows[1:]:
            element = OxmlElement("w:cantSplit")
            element.set(qn("w:val"), "true")
            row._tr.get_or_add_trPr().append(element)
        if not keep:
            for cell in table.rows[0].cells:
                cell.paragraphs[0].paragraph_format.keep_with_next = False
    document.save(str(out))


def test_the_rule_holds_under_stress_and_fails_without_it(tmp_path: Path) -> None:
    _stress(tmp_path / "loose.docx", keep=False)
    assert _stranded(tmp_path / "loose.docx", tmp_path)  # the check can fail
    _stress(tmp_path / "kept.docx", keep=True)
    assert _stranded(tmp_path / "kept.docx", tmp_path) == []


def test_no_export_ends_a_page_with_a_header_row(tmp_path: Path) -> None:
    names = ("themes", "matrix", "audit", "codebook", "cases", "dyads", "coreq")
    written = [tmp_path / f"{name}.docx" for name in names]
    with _study(tmp_path / "s.dyad") as p:
        add_participant(p, "C01", "clinician")
        add_dyad(p, "D01", ["C01", "P01"])
        export_theme_table(p, written[0])
        export_matrix_docx(p, written[1])
        export_audit_docx(p, written[2])
        export_codebook_docx(p, written[3], with_counts=True)
        export_case_matrix_docx(p, written[4])
        export_dyadic_docx(p, written[5])
        export_coreq_checklist(p, written[6])
    for out in written:
        assert _stranded(out, tmp_path) == [], out.name
        header = docx.Document(str(out)).tables[0].rows[0]._tr.trPr.xml
        assert "cantSplit" in header and "tblHeader" in header
