"""The codebook as a Word document: every code in tree order with its definition, inclusion and
exclusion criteria and the themes it belongs to — the appendix reviewers ask for.

Coding counts appear only when asked for (``with_counts``), counted like every export: codings of
participants without consent are left out unless ``include_unconsented``, which the document
then states.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from workbench.coding.codebook import Codebook
from workbench.coding.queries import query_segments
from workbench.exchange._docx import add_table, landscape_document, save
from workbench.storage.models import Code, ProjectRow, Theme, ThemeCode
from workbench.storage.project import Project


@dataclass(frozen=True, slots=True)
class CodebookDocument:
    path: str
    codes: int
    notes: tuple[str, ...]


def export_codebook_docx(
    project: Project,
    out: Path,
    *,
    with_counts: bool = False,
    include_unconsented: bool = False,
) -> CodebookDocument:
    """Write the codebook document; returns how many codes it lists."""
    with project.session(write=False) as s:
        title = s.scalar(select(ProjectRow.title)) or "Codebook"
        book = Codebook(s)
        themes_of: dict[int, list[str]] = {}
        for name, code_id in s.execute(
            select(Theme.name, ThemeCode.code_id)
            .join(ThemeCode, ThemeCode.theme_id == Theme.id)
            .order_by(Theme.position, Theme.id)
        ):
            themes_of.setdefault(code_id, []).append(name)
        ordered: list[tuple[int, Code]] = []

        def walk(parent: int | None, depth: int) -> None:
            for code in book.siblings(parent):
                ordered.append((depth, code))
                walk(code.id, depth + 1)

        walk(None, 0)
        paths = {code.id: book.path(code) for _, code in ordered}
    counts: dict[str, int] = {}
    notes: list[str] = []
    if with_counts:
        for g in query_segments(project, include_unconsented=include_unconsented):
            counts[g.code] = counts.get(g.code, 0) + 1
        if include_unconsented:
            notes.append("Counts include participants without consent, as the analyst asked.")
    document = landscape_document()
    document.add_heading(f"Codebook — {title}", level=1)
    headers = ["Code", "Definition", "Include", "Exclude", "Themes"]
    widths = [6.0, 7.5, 4.0, 4.0, 4.2]
    if with_counts:
        headers.append("Codings")
        widths = [5.5, 7.0, 3.8, 3.8, 4.0, 1.6]
    rows = []
    for depth, code in ordered:
        row = [
            "    " * depth + code.name,
            code.definition or "",
            code.inclusion or "",
            code.exclusion or "",
            "; ".join(themes_of.get(code.id, [])),
        ]
        if with_counts:
            row.append(str(counts.get(paths[code.id], 0)))
        rows.append(row)
    if rows:
        add_table(document, headers, rows, widths)
    else:
        document.add_paragraph("The codebook is empty.")
    for note in notes:
        document.add_paragraph(note).runs[0].italic = True
    save(document, out)
    with project.session() as s:
        project.audit(s, "export", None, path=out.name, format="codebook-docx")
    return CodebookDocument(str(out), len(rows), tuple(notes))
