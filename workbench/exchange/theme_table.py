"""A manuscript-ready theme table (docx), in the shape reflexive thematic analysis papers use.

Theme | subthemes | central organising concept | illustrative quotes; then the analyst's
trajectories per unit, and the study characteristics (interviews per wave, language, interpreter,
attrition with reasons) as COREQ asks. Quotes are the analyst's pinned exemplars, each labelled
by the project's quote label (``workbench labels``) and marked "(via interpreter)" or "(not
verified against audio)" where true. Counts and member codes appear only when asked for. Quotes
of participants without consent never appear unless asked, and then the document says so; so
does a label that fits fewer participants than the project's smallest group; quotes holding a
key original or an accepted identifier are refused unless the analyst overrides, which the
document also says.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from sqlalchemy import select

from workbench.analysis.longitudinal import collect, participant_status, trajectories
from workbench.coding.labels import label_risks, quote_labeller
from workbench.coding.queries import query_segments
from workbench.coding.themes import list_themes
from workbench.exchange._checks import check_quotes
from workbench.storage.models import (
    Coding,
    Exemplar,
    Interview,
    InterviewParticipantRow,
    ProjectRow,
    Theme,
    Wave,
)
from workbench.storage.project import Project


@dataclass(frozen=True, slots=True)
class Quote:
    theme: str
    text: str
    label: str
    marks: tuple[str, ...]
    coding: str


@dataclass(frozen=True, slots=True)
class ExportReport:
    path: str
    themes: int
    quotes: int
    notes: tuple[str, ...]


def _quotes(project: Project, include_unconsented: bool) -> tuple[list[Quote], str | None]:
    """The pinned quotes, labelled by the project's quote label, and the note on labels that
    fit too few participants (None when none does)."""
    with project.session(write=False) as s:
        pinned = s.execute(
            select(Theme.name, Coding.guid)
            .join(Exemplar, Exemplar.theme_id == Theme.id)
            .join(Coding, Exemplar.coding_id == Coding.id)
            .order_by(Theme.position, Theme.id, Exemplar.id)
        ).all()
    segments = {
        g.coding: g for g in query_segments(project, include_unconsented=include_unconsented)
    }
    labeller = quote_labeller(project)
    quotes = []
    used = []
    for theme, guid in pinned:
        g = segments.get(guid)
        if g is None:  # consent leaves it out
            continue
        marks = []
        if labeller.via_interpreter(g):
            marks.append("via interpreter")
        if not g.verified:
            marks.append("not verified against audio")
        used.append(g)
        quotes.append(
            Quote(theme, g.text.replace("\n", " / "), labeller.label(g), tuple(marks), guid)
        )
    risks = label_risks(project, include_unconsented=include_unconsented)
    return quotes, labeller.export_note(used, risks)


def _repeat_header(row: object) -> None:
    """Mark a table row as a header row Word repeats on every page."""
    properties = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _table(
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


def export_theme_table(
    project: Project,
    out: Path,
    *,
    with_counts: bool = False,
    include_unconsented: bool = False,
    override_check: bool = False,
    key: str | Path | None = None,
) -> ExportReport:
    quotes, label_note = _quotes(project, include_unconsented)
    notes = check_quotes(project, [q.text for q in quotes], key=key, override=override_check)
    if label_note:
        notes.append(label_note)
    if include_unconsented:
        notes.append("Participants without consent are included at the analyst's request.")
    themes = list_themes(project)
    with project.session(write=False) as s:
        title = s.scalar(select(ProjectRow.title)) or ""
    top = [t for t in themes if t.parent is None]
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    style = document.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(10)
    heading = document.add_heading(f"Themes — {title}", level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.LEFT

    headers = ["Theme", "Subthemes", "Central organising concept", "Illustrative quotes"]
    counts: dict[str, int] = {}
    if with_counts:
        headers.append("Member codes (codings)")
        for g in query_segments(project, include_unconsented=include_unconsented):
            counts[g.code] = counts.get(g.code, 0) + 1
    rows = []
    for theme in top:
        own = [q for q in quotes if q.theme == theme.name or q.theme in theme.subthemes]
        quote_text = "\n\n".join(
            f"“{q.text}” ({q.label}{'; ' + '; '.join(q.marks) if q.marks else ''})" for q in own
        )
        row = [
            theme.name,
            "\n".join(theme.subthemes),
            theme.concept or "",
            quote_text or "(no quote pinned)",
        ]
        if with_counts:
            row.append("\n".join(f"{c} ({counts.get(c, 0)})" for c in theme.codes))
        rows.append(row)
    widths = [4.0, 3.5, 5.0, 13.2] if not with_counts else [3.5, 3.0, 4.0, 10.2, 5.0]
    _table(document, headers, rows, widths)

    trajectory_rows = [
        [r.theme, r.unit, r.trajectory or "", r.pattern.replace("_", " ")]
        for r in trajectories(project, "participant", include_unconsented=include_unconsented)
        if r.trajectory
    ]
    if trajectory_rows:
        document.add_heading("The analyst's trajectories", level=2)
        _table(
            document,
            ["Theme", "Participant", "Trajectory (analyst)", "Coding pattern (computed)"],
            trajectory_rows,
        )
        document.add_paragraph(
            "Coding patterns describe where the analysis coded; the trajectories are the "
            "analyst's reading."
        )

    document.add_heading("Study characteristics", level=2)
    _table(
        document,
        ["Wave", "Interviews", "Languages", "With interpreter", "Attrition"],
        _characteristics(project, include_unconsented),
    )
    for note in notes:
        document.add_paragraph(note).runs[0].italic = True
    document.save(str(out))
    with project.session() as s:
        project.audit(s, "export", None, path=str(out.resolve()), format="theme-table-docx")
    return ExportReport(str(out), len(top), len(quotes), tuple(notes))


def _characteristics(project: Project, include_unconsented: bool) -> list[list[str]]:
    data = collect(project)
    with project.session(write=False) as s:
        rows = s.execute(
            select(Wave.name, Interview.key, Interview.language, InterviewParticipantRow.role)
            .join(Interview, Interview.wave_id == Wave.id)
            .join(InterviewParticipantRow, InterviewParticipantRow.interview_id == Interview.id)
            .order_by(Wave.position)
        ).all()
    result = []
    for wave in data.waves:
        mine = [r for r in rows if r[0] == wave]
        interviews = {r[1] for r in mine}
        languages = sorted({r[2] for r in mine if r[2]})
        interpreted = {r[1] for r in mine if r[3] == "interpreter"}
        missing = []
        for person in sorted(data.people.values(), key=lambda p: p.key):
            if person.role in ("researcher", "interpreter"):
                continue
            if not person.consented and not include_unconsented:
                continue
            reason = participant_status(data, person.id, wave, None, include_unconsented)
            if reason is not None:
                missing.append(f"{person.key}: {reason.replace('_', ' ')}")
        result.append(
            [
                wave,
                str(len(interviews)),
                ", ".join(languages),
                str(len(interpreted)),
                "; ".join(missing) or "none",
            ]
        )
    return result
