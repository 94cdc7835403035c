"""The analysis audit: a supplement beside the manuscript's theme table (issue 15).

The theme table stays interpretive: themes, concepts, quotes and the analyst's trajectories.
What the tool computed goes here, for reviewers who want it: per theme and participant (and per
dyad member) the coding pattern, segments per wave, segments per 1,000 words of the person's own
attributed speech, the ``shape`` of those rates and whether the sequence is ``censored`` (the
last observed wave precedes a missing one), with a note where a pattern rests on one segment;
then the quote balance (pinned quotes by person, dyad, wave and role) with its warnings, and the
pinned quotes with their sources — and, for a quote on an utterance linked to its original or its
rendering, the other one's words (the patient's Arabic beside the English quoted). As a Word
document or a workbook.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import or_, select

from workbench.analysis.longitudinal import TrajectoryRow, trajectories
from workbench.exchange._docx import add_table, landscape_document, save
from workbench.exchange.theme_table import UNVERIFIED, _quotes, quote_balance
from workbench.storage.models import Coding, UtteranceLink, UtteranceRow
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
QUOTE_HEADERS = [
    "Theme",
    "Quote",
    "Label",
    "Source",
    "Checked against the audio",
    "Linked original or rendering",
]
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
    linked = linked_texts(project, [q.coding for q in quotes])
    sources = [
        [
            q.theme,
            q.text,
            q.label,
            q.source,
            "no" if UNVERIFIED in q.marks else "yes",
            linked.get(q.coding, ""),
        ]
        for q in quotes
    ]
    return _pattern_rows(rows), balance, warnings, sources


def linked_texts(project: Project, codings: list[str]) -> dict[str, str]:
    """Per coding (by GUID) on an utterance linked to its original or its rendering
    (``utterance link``), the other one's words: a quote from the English rendering can be
    given with the patient's own words here, and the other way round."""
    if not codings:
        return {}
    with project.session(write=False) as s:
        spans = s.execute(
            select(Coding.guid, Coding.start_utterance_id, Coding.end_utterance_id).where(
                Coding.guid.in_(codings)
            )
        ).all()
        ids = {u for _, a, b in spans for u in (a, b)}
        pairs = s.execute(
            select(UtteranceLink.original_id, UtteranceLink.rendering_id).where(
                or_(UtteranceLink.original_id.in_(ids), UtteranceLink.rendering_id.in_(ids))
            )
        ).all()
        other: dict[int, tuple[str, int]] = {}
        for original, rendering in pairs:
            other[original] = ("rendering", rendering)
            other[rendering] = ("original", original)
        texts = dict(
            s.execute(
                select(UtteranceRow.id, UtteranceRow.text).where(
                    UtteranceRow.id.in_([u for _, u in other.values()])
                )
            ).all()
        )
    found = {}
    for guid, start, end in spans:
        said = [
            f"{kind}: {texts[u]}"
            for kind, u in (other[i] for i in dict.fromkeys((start, end)) if i in other)
            if u in texts
        ]
        if said:
            found[guid] = " / ".join(said)
    return found


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
