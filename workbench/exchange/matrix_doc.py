"""The longitudinal matrices as a Word document: theme × wave for the study, per role, per dyad
and per participant — the tables ``workbench matrix`` prints, one Word table each.

A wave where a unit was not observed shows "–" with the reason in a footnote below its table,
never 0 (0 means observed and not coded). Counts describe where the analyst coded; the document
says they are not findings. With a snapshot, the tables are rebuilt as they were then and the
document cites it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from workbench.analysis.longitudinal import MEASURES, Cell, matrix, matrix_frame
from workbench.domain.missing import missing_words
from workbench.domain.study import StudyError
from workbench.exchange._docx import add_table, landscape_document, save
from workbench.storage.models import ProjectRow, Snapshot
from workbench.storage.project import Project

UNITS = (
    ("study", "The study"),
    ("role", "By role"),
    ("dyad", "By dyad"),
    ("participant", "By participant"),
)
MEASURE_NAMES = {
    "segments": "coded segments",
    "words": "share of the unit's words inside the theme's segments",
    "presence": "presence (1 = coded at all)",
    "participants": "participants coded",
}
MISSING = "–"
NOT_FINDINGS = (
    "Counts describe where the analyst coded; they support the analyst's reading and are not "
    "findings."
)


@dataclass(frozen=True, slots=True)
class MatrixExport:
    path: str
    tables: tuple[str, ...]
    notes: tuple[str, ...]


def cell_text(value: object) -> str:
    """A matrix value as the document shows it: "–" where the wave is missing, never 0."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.3f}"
    return str(int(value))  # type: ignore[call-overload]


DYAD_NOTE = (
    "Each dyad's members side by side, each with their own value (counting only interviews "
    "about the dyad), never summed; a member not observed at a wave shows "
    f"{MISSING} while the other still shows."
)


def _dyad_rows(cells: list[Cell], measure: str) -> list[list[str]]:
    """Per theme and dyad, per wave: "P01 3 · C01 –" (members side by side)."""
    rows: dict[tuple[str, str], list[str]] = {}
    for c in cells:
        members = c.members or {}
        shown = " · ".join(
            f"{key} {cell_text(m.value(measure))}" for key, m in members.items()
        ) or cell_text(c.value(measure))
        rows.setdefault((c.theme, c.unit), [c.theme, c.unit]).append(shown)
    return list(rows.values())


def _dyad_readings(project: Project, document: object, snapshot: str | None) -> None:
    """The analyst's stances (with their notes) and the dyads' trajectories, under the dyad
    matrix: both voicing a theme is not agreement, the stance says what the analyst read."""
    from workbench.analysis.longitudinal import trajectories
    from workbench.coding.readings import stances

    judged = [[d, w, t, stance, note or ""] for d, w, t, stance, note in stances(project)]
    if judged:
        document.add_heading("The analyst's stances", level=3)  # type: ignore[attr-defined]
        add_table(document, ["Dyad", "Wave", "Theme", "Stance", "Note"], judged)
    read = [
        [r.theme, r.unit, r.trajectory]
        for r in trajectories(project, "dyad", snapshot=snapshot)
        if r.trajectory
    ]
    if read:
        document.add_heading("The dyads' trajectories (analyst)", level=3)  # type: ignore[attr-defined]
        add_table(document, ["Theme", "Dyad", "Trajectory"], read)


def _missing_note(cells: list[Cell], measure: str) -> str | None:
    """The footnote: why each "–" is missing (the reasons are per unit and wave, not theme)."""
    reasons: dict[tuple[str, str], str] = {}
    for c in cells:
        if c.missing is None or c.value(measure) is not None or (c.unit, c.wave) in reasons:
            continue
        reasons[(c.unit, c.wave)] = missing_words(c.missing)
    if not reasons:
        return None
    listed = "; ".join(f"{unit} at {wave} ({why})" for (unit, wave), why in reasons.items())
    return f"{MISSING} marks a wave where the unit was not observed: {listed}."


def export_matrix_docx(
    project: Project,
    out: Path,
    *,
    measure: str = "segments",
    include_unconsented: bool = False,
    snapshot: str | None = None,
) -> MatrixExport:
    if measure not in MEASURES:
        raise StudyError(f"the measure is one of: {', '.join(MEASURES)}")
    with project.session(write=False) as s:
        title = s.scalar(select(ProjectRow.title)) or ""
        taken = (
            s.scalar(select(Snapshot.created_at).where(Snapshot.name == snapshot))
            if snapshot
            else None
        )
    if snapshot and taken is None:
        raise StudyError(f"no snapshot '{snapshot}'")
    document = landscape_document()
    document.add_heading(f"Theme × wave matrices — {title}", level=1)
    document.add_paragraph(f"Measure: {MEASURE_NAMES[measure]}. {NOT_FINDINGS}")
    notes = []
    if taken is not None:
        notes.append(
            f"Built from analysis snapshot '{snapshot}', taken {taken:%Y-%m-%d %H:%M} UTC: the "
            "tables are as they were then."
        )
        document.add_paragraph(notes[-1])
    if include_unconsented:
        notes.append("Participants without consent are included at the analyst's request.")
        document.add_paragraph(notes[-1])
    written = []
    for by, heading in UNITS:
        cells = matrix(
            project, by, measure, include_unconsented=include_unconsented, snapshot=snapshot
        )
        frame = matrix_frame(cells, measure)
        if frame.empty:
            continue
        waves = [str(w) for w in frame.columns]
        document.add_heading(heading, level=2)
        rows = []
        if by == "dyad":
            document.add_paragraph(DYAD_NOTE)
            rows = _dyad_rows(cells, measure)
        for (theme, unit), values in frame.iterrows() if by != "dyad" else ():
            shown = [cell_text(v) for v in values]
            rows.append([str(theme), *shown] if by == "study" else [str(theme), str(unit), *shown])
        headers = ["Theme", *waves] if by == "study" else ["Theme", by.capitalize(), *waves]
        add_table(document, headers, rows)
        footnote = _missing_note(cells, measure)
        if footnote:
            document.add_paragraph(footnote).runs[0].italic = True
        written.append(heading)
        if by == "dyad":
            _dyad_readings(project, document, snapshot)
    if not written:
        document.add_paragraph("No themes yet: there is no matrix to show.")
    save(document, out)
    with project.session() as s:
        project.audit(s, "export", None, path=out.name, format="matrix-docx")
    return MatrixExport(str(out), tuple(written), tuple(notes))
