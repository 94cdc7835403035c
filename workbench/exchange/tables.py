"""Spreadsheets: all coded segments (csv or xlsx) and the longitudinal views (xlsx, a sheet each).

Consent applies as everywhere: participants without consent are left out unless the analyst
asks, and then the workbook says so on its "About" sheet. Every segment carries its quote label
(the project's setting, ``workbench labels``); a label that fits too few participants is stated
there too (and, for csv, printed). Identifying text is the export gate's (``exchange.gate``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench.analysis.longitudinal import Cell, cells, collect, trajectories
from workbench.coding.codebook import list_codes
from workbench.coding.labels import label_risks, quote_labeller
from workbench.coding.queries import query_segments
from workbench.storage.project import Project

SEGMENT_COLUMNS = [
    "interview",
    "wave",
    "dyad",
    "code",
    "participants",
    "label",
    "speakers",
    "start",
    "end",
    "start_ms",
    "end_ms",
    "text",
    "verified",
    "coder",
    "memo",
]
_DERIVED = ("participants", "label", "speakers")


def segments_frame(project: Project, *, include_unconsented: bool = False) -> pd.DataFrame:
    return _segments(project, include_unconsented)[0]


def _segments(project: Project, include_unconsented: bool) -> tuple[pd.DataFrame, list[str]]:
    """The segments with their labels, and the note on labels that fit too few participants."""
    labeller = quote_labeller(project)
    segments = query_segments(project, include_unconsented=include_unconsented)
    rows = [
        {
            **{k: getattr(g, k) for k in SEGMENT_COLUMNS if k not in _DERIVED},
            "participants": ", ".join(g.participants),
            "label": labeller.label(g),
            "speakers": ", ".join(g.speakers),
        }
        for g in segments
    ]
    note = labeller.export_note(
        segments, label_risks(project, include_unconsented=include_unconsented)
    )
    return pd.DataFrame(rows, columns=SEGMENT_COLUMNS), [note] if note else []


@dataclass(frozen=True, slots=True)
class TableExport:
    segments: int
    sheets: tuple[str, ...]
    notes: tuple[str, ...]


def export_segments_csv(
    project: Project,
    out: Path,
    *,
    include_unconsented: bool = False,
) -> TableExport:
    frame, notes = _segments(project, include_unconsented)
    frame.to_csv(out, index=False, encoding="utf-8")
    _audit(project, out, "csv")
    return TableExport(len(frame), (), tuple(notes))


def workbook_frames(
    project: Project, *, include_unconsented: bool = False, notes: Sequence[str] = ()
) -> dict[str, pd.DataFrame]:
    """The sheets, in order: segments, one matrix per unit kind, trajectories, codebook, about.

    ``notes`` are stated on the "About" sheet (the check's and the labels' notes)."""
    data = collect(project)
    segments, label_notes = _segments(project, include_unconsented)
    sheets: dict[str, pd.DataFrame] = {"Segments": segments}
    for by, title in (
        ("study", "Study"),
        ("role", "Roles"),
        ("participant", "Participants"),
        ("dyad", "Dyads"),
    ):
        records = []
        for c in cells(data, by, include_unconsented=include_unconsented):
            records.append(_matrix_record(c, by))
            # A dyad's members side by side under it, each with their own values: a wave
            # where one is missing still shows whoever was interviewed.
            records += [_matrix_record(m, by, dyad=c.unit) for m in (c.members or {}).values()]
        sheets[f"Matrix – {title}"] = pd.DataFrame(records)
    sheets["Trajectories"] = _trajectories_sheet(project, include_unconsented)
    sheets["Stances"] = _stances_sheet(project)
    sheets["Dyad trajectories"] = _dyad_trajectories_sheet(project, include_unconsented)
    sheets["Codebook"] = _codebook_sheet(project)
    about = [
        "Counts describe where the analysis coded; they support the analyst's reading and are "
        "not findings.",
    ]
    if include_unconsented:
        about.append("Participants without consent are included at the analyst's request.")
    about += [*notes, *label_notes]
    sheets["About"] = pd.DataFrame({"note": about})
    return sheets


def _trajectories_sheet(project: Project, include_unconsented: bool) -> pd.DataFrame:
    """Per theme and participant: the analyst's trajectory beside the computed pattern."""
    return pd.DataFrame(
        [
            {
                "theme": r.theme,
                "participant": r.unit,
                "trajectory (analyst)": r.trajectory,
                "coding pattern (computed)": r.pattern,
                "segments per wave": " ".join("–" if x is None else str(x) for x in r.sequence),
                "gap": r.gap,
                "per 1,000 words": " ".join("–" if x is None else f"{x:.1f}" for x in r.rates),
                "shape (of the rates)": r.shape,
                "censored": r.censored,
                "single segment": r.single_segment,
            }
            for r in trajectories(project, "participant", include_unconsented=include_unconsented)
        ]
    )


def _stances_sheet(project: Project) -> pd.DataFrame:
    from workbench.coding.readings import stances

    return pd.DataFrame(
        [
            {"dyad": d, "wave": w, "theme": t, "stance (analyst)": stance, "note": note}
            for d, w, t, stance, note in stances(project)
        ],
        columns=["dyad", "wave", "theme", "stance (analyst)", "note"],
    )


def _dyad_trajectories_sheet(project: Project, include_unconsented: bool) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "theme": r.theme,
                "dyad": r.unit,
                "trajectory (analyst)": r.trajectory,
                "segments per wave": " ".join("–" if x is None else str(x) for x in r.sequence),
            }
            for r in trajectories(project, "dyad", include_unconsented=include_unconsented)
        ],
        columns=["theme", "dyad", "trajectory (analyst)", "segments per wave"],
    )


def _codebook_sheet(project: Project) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "code": c.path,
                "definition": c.definition,
                "inclusion": c.inclusion,
                "exclusion": c.exclusion,
                "colour": c.color,
                "codings": c.codings,
            }
            for c in list_codes(project)
        ]
    )


def _matrix_record(c: Cell, by: str, *, dyad: str | None = None) -> dict[str, object]:
    """One row of a matrix sheet; on the dyad sheet, ``dyad`` marks a member's own row."""
    unit = (
        {"unit": c.unit}
        if by != "dyad"
        else {"unit": dyad or c.unit, "member": c.unit if dyad else ""}
    )
    return {
        "theme": c.theme,
        **unit,
        "wave": c.wave,
        "segments": c.segments,
        "share of words": c.words,
        "presence": c.presence,
        "participants": c.participants,
        "missing": c.missing
        if isinstance(c.missing, str) or c.missing is None
        else "; ".join(c.missing),
        **({"co-occurrence": "" if dyad else c.cooccurrence} if by == "dyad" else {}),
        "drift": c.drift,
    }


def export_workbook(
    project: Project,
    out: Path,
    *,
    include_unconsented: bool = False,
) -> TableExport:
    sheets = workbook_frames(project, include_unconsented=include_unconsented)
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            sheet.freeze_panes = "A2"
            for column, header in enumerate(frame.columns, start=1):
                values = [str(header), *(str(v) for v in frame.iloc[:200, column - 1])]
                width = min(max(len(v) for v in values) + 2, 60)
                sheet.column_dimensions[sheet.cell(1, column).column_letter].width = width
    _audit(project, out, "xlsx")
    about = sheets["About"]["note"]
    return TableExport(len(sheets["Segments"]), tuple(sheets), tuple(about[1:]))


def _audit(project: Project, out: Path, fmt: str) -> None:
    with project.session() as s:
        project.audit(s, "export", None, path=out.name, format=fmt)
