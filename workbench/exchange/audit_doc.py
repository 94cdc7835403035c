"""The analysis audit: a supplement beside the manuscript's theme table (issue 15).

The theme table stays interpretive: themes, concepts, quotes and the analyst's trajectories.
What the tool computed goes here, for reviewers who want it: per theme and participant (and per
dyad member) the coding pattern, segments per wave, segments per 1,000 words of the person's own
attributed speech, the ``shape`` of those rates and whether the sequence is ``censored`` (the
last observed wave precedes a missing one), with a note where a pattern rests on one segment;
then the quote balance (pinned quotes by person, dyad, wave and role) with its warnings. As a
Word document or a workbook.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench.analysis.longitudinal import TrajectoryRow, trajectories
from workbench.exchange._docx import add_table, landscape_document, save
from workbench.exchange.theme_table import UNVERIFIED, _quotes, quote_balance
from workbench.storage.project import Project

PATTERN_HEADERS = [
    "Theme",
    "Unit",
    "Coding pattern (computed)",
    "Segments per wave",
    "Per 1,000 words",
    "Shape",
    "Censored",
    "Note",
]
BALANCE_HEADERS = ["By", "Who / when", "Pinned quotes", "Share"]
QUOTE_HEADERS = ["Theme", "Quote", "Label", "Source", "Checked against the audio"]
ABOUT = (
    "Computed from the codings: these describe where the analysis coded and are not findings. "
    "Rates are segments per 1,000 words of the unit's own attributed speech at the wave "
    "(interpreters' asides and the team's words excluded). Shape: flat, dip, peak, rising or "
    "falling, of the rates. Censored: the last observed wave precedes a missing wave, so a "
    "'ceasing' there may be a drop-out. – marks a wave not observed."
)


@dataclass(frozen=True, slots=True)
class AuditExport:
    path: str
    patterns: int
    warnings: tuple[str, ...]


def _dash(values: list[float | None] | list[int | None], fmt: str) -> str:
    return " ".join("–" if v is None else format(v, fmt) for v in values)


def _pattern_rows(rows: list[TrajectoryRow]) -> list[list[str]]:
    result = []
    for r in rows:
        notes = []
        if r.single_segment:
            notes.append("rests on a single segment")
        if r.gap:
            notes.append("a wave missing in between")
        result.append(
            [
                r.theme,
                r.unit,
                r.pattern.replace("_", " "),
                _dash(r.sequence, "d"),
                _dash(r.rates, ".1f"),
                r.shape or "–",
                "yes" if r.censored else "no",
                "; ".join(notes),
            ]
        )
    return result


def audit_tables(
    project: Project, *, include_unconsented: bool = False, snapshot: str | None = None
) -> tuple[list[list[str]], list[list[str]], list[str], list[list[str]]]:
    """The pattern rows, the quote balance rows, the balance warnings, and the pinned quotes
    with where they come from and whether they were checked against the audio."""
    rows = trajectories(
        project, "participant", include_unconsented=include_unconsented, snapshot=snapshot
    )
    quotes, _ = _quotes(project, include_unconsented)
    balance, warnings = quote_balance(quotes)
    sources = [
        [q.theme, q.text, q.label, q.source, "no" if UNVERIFIED in q.marks else "yes"]
        for q in quotes
    ]
    return _pattern_rows(rows), balance, warnings, sources


def export_audit_docx(
    project: Project,
    out: Path,
    *,
    include_unconsented: bool = False,
    snapshot: str | None = None,
) -> AuditExport:
    patterns, balance, warnings, sources = audit_tables(
        project, include_unconsented=include_unconsented, snapshot=snapshot
    )
    document = landscape_document()
    document.add_heading("Analysis audit (supplement)", level=1)
    document.add_paragraph(ABOUT)
    document.add_heading("Coding patterns, rates and shapes", level=2)
    if patterns:
        add_table(document, PATTERN_HEADERS, patterns)
    else:
        document.add_paragraph("No themes yet.")
    document.add_heading("Quote balance", level=2)
    if balance:
        add_table(document, BALANCE_HEADERS, balance)
    else:
        document.add_paragraph("No quotes pinned yet.")
    for warning in warnings:
        document.add_paragraph(f"Warning: {warning}.").runs[0].bold = True
    if sources:
        document.add_heading("The pinned quotes: sources and verification", level=2)
        add_table(document, QUOTE_HEADERS, sources)
    save(document, out)
    with project.session() as s:
        project.audit(s, "export", None, path=out.name, format="analysis-audit-docx")
    return AuditExport(str(out), len(patterns), tuple(warnings))


def export_audit_xlsx(
    project: Project, out: Path, *, include_unconsented: bool = False, snapshot: str | None = None
) -> AuditExport:
    patterns, balance, warnings, sources = audit_tables(
        project, include_unconsented=include_unconsented, snapshot=snapshot
    )
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        pd.DataFrame(patterns, columns=PATTERN_HEADERS).to_excel(
            writer, sheet_name="Coding patterns", index=False
        )
        pd.DataFrame(balance, columns=BALANCE_HEADERS).to_excel(
            writer, sheet_name="Quote balance", index=False
        )
        pd.DataFrame(sources, columns=QUOTE_HEADERS).to_excel(
            writer, sheet_name="Quotes", index=False
        )
        pd.DataFrame({"note": [ABOUT, *(f"Warning: {w}" for w in warnings)]}).to_excel(
            writer, sheet_name="About", index=False
        )
    with project.session() as s:
        project.audit(s, "export", None, path=out.name, format="analysis-audit-xlsx")
    return AuditExport(str(out), len(patterns), tuple(warnings))
