"""The case-ordered summary matrix (Miles & Huberman; Saldaña), one per theme: a row per
participant, grouped by dyad (patient first), the waves across with weeks in treatment and
session numbers under each, the analyst's cell summary and pinned quotes in each cell, and per
case "what changed" (the analyst's trajectory label) and "through-line" (the trajectory's
note). A wave the participant was not observed at shows "–" and why. Beside it, the dyadic
comparison display: per theme, each dyad at each wave with patient and clinician side by side
and the analyst's stance and note. Each as docx or xlsx."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from workbench.analysis.longitudinal import StudyData, collect, participant_status
from workbench.coding.themes import list_themes
from workbench.domain.missing import missing_words
from workbench.exchange._docx import add_table, landscape_document, save
from workbench.exchange.theme_table import _in_treatment, _quotes
from workbench.storage.models import CellSummary, Interview, Participant, Theme, Trajectory, Wave
from workbench.storage.project import Project

MISSING = "–"


@dataclass(frozen=True, slots=True)
class CaseMatrix:
    theme: str
    headers: list[str]
    rows: list[list[str]]


@dataclass(frozen=True, slots=True)
class CaseMatrixExport:
    path: str
    themes: int


@dataclass(frozen=True, slots=True)
class _Cells:
    """What the case-ordered displays put in a cell: per (theme, participant key, wave) the
    analyst's summary and the quotes pinned there, or why the wave was not observed."""

    data: StudyData
    waves: list[str]
    """The wave headers, with weeks in treatment and session numbers under each."""
    cases: list[tuple[str, int, str]]
    status: dict[tuple[int, str], str | None]
    summaries: dict[tuple[str, str, str], str]
    pinned: dict[tuple[str, str, str | None], list[str]]
    readings: dict[tuple[str, str], tuple[str, str]]

    def cell(self, theme: str, pid: int, key: str, wave: str) -> str:
        reason = self.status[(pid, wave)]
        if reason is not None:
            return f"{MISSING} ({missing_words(reason)})"
        said = self.pinned.get((theme, key, wave), [])
        summary = self.summaries.get((theme, key, wave), "")
        return "\n".join(part for part in (summary, *said) if part)


def _cells(project: Project, include_unconsented: bool) -> _Cells:
    data = collect(project)
    with project.session(write=False) as s:
        summaries = {
            (theme, key, wave): text.strip()
            for theme, key, wave, text in s.execute(
                select(Theme.name, Participant.key, Wave.name, CellSummary.text)
                .join(Theme, CellSummary.theme_id == Theme.id)
                .join(Wave, CellSummary.wave_id == Wave.id)
                .join(Participant, CellSummary.participant_id == Participant.id)
                .where(CellSummary.unit_kind == "participant")
            )
        }
        readings = {
            (theme, key): (label or "", text or "")
            for theme, key, label, text in s.execute(
                select(Theme.name, Participant.key, Trajectory.label, Trajectory.text)
                .join(Theme, Trajectory.theme_id == Theme.id)
                .join(Participant, Trajectory.participant_id == Participant.id)
                .where(Trajectory.unit_kind == "participant")
            )
        }
        timing = s.execute(
            select(Wave.name, Interview.weeks_since_start, Interview.session_number).join(
                Interview, Interview.wave_id == Wave.id
            )
        ).all()
    quotes, _ = _quotes(project, include_unconsented)
    pinned: dict[tuple[str, str, str | None], list[str]] = {}
    for q in quotes:
        for person in q.people:
            pinned.setdefault((q.theme, person, q.wave), []).append(f"“{q.text}”")
    waves = []
    for w in data.waves:
        weeks = [t[1] for t in timing if t[0] == w]
        sessions = [t[2] for t in timing if t[0] == w]
        waves.append(f"{w}\n{_in_treatment(weeks, sessions, 'week not recorded')}")
    cases = _cases(data, include_unconsented)
    status = {
        (pid, wave): participant_status(data, pid, wave, None, include_unconsented)
        for _, pid, _ in cases
        for wave in data.waves
    }
    return _Cells(data, waves, cases, status, summaries, pinned, readings)


def case_matrices(
    project: Project, *, include_unconsented: bool = False, theme: str | None = None
) -> list[CaseMatrix]:
    """One matrix per theme (subthemes too), in the board's order; with ``theme``, only its
    (the window's view beside the heat map)."""
    c = _cells(project, include_unconsented)
    result = []
    for info in list_themes(project):
        if theme is not None and info.name != theme:
            continue
        rows = []
        for dyad, pid, key in c.cases:
            cells = [c.cell(info.name, pid, key, wave) for wave in c.data.waves]
            changed, through = c.readings.get((info.name, key), ("", ""))
            rows.append([dyad, key, *cells, changed, through])
        headers = ["Dyad", "Participant", *c.waves, "What changed", "Through-line"]
        result.append(CaseMatrix(info.name, headers, rows))
    return result


DYADIC_HEADERS = ["Dyad", "Wave", "Patient", "Clinician", "Stance (analyst)", "Note"]


def dyadic_comparisons(
    project: Project, *, include_unconsented: bool = False, theme: str | None = None
) -> list[CaseMatrix]:
    """Per theme, the dyadic comparison display: a row per dyad and wave, the patient and the
    clinician side by side (each one's summary and pinned quotes, or why that wave is missing
    for them: never summed, never dropped), and the analyst's stance with its note."""
    from workbench.coding.readings import stances

    c = _cells(project, include_unconsented)
    judged = {(d, w, t): (stance, note or "") for d, w, t, stance, note in stances(project)}
    members: dict[str, list[tuple[int, str]]] = {}
    for dyad, pid, key in c.cases:
        if dyad:
            members.setdefault(dyad, []).append((pid, key))
    result = []
    for info in list_themes(project):
        if theme is not None and info.name != theme:
            continue
        rows = []
        for dyad, people in members.items():
            for wave in c.data.waves:
                sides: dict[str, list[str]] = {"patient": [], "other": []}
                for pid, key in people:
                    side = "patient" if c.data.people[pid].role == "patient" else "other"
                    sides[side].append(
                        f"{key}: {c.cell(info.name, pid, key, wave) or '(nothing noted)'}"
                    )
                stance, note = judged.get((dyad, wave, info.name), ("", ""))
                rows.append(
                    [
                        dyad,
                        wave,
                        "\n".join(sides["patient"]),
                        "\n".join(sides["other"]),
                        stance,
                        note,
                    ]
                )
        result.append(CaseMatrix(info.name, list(DYADIC_HEADERS), rows))
    return result


def _cases(data: StudyData, include_unconsented: bool) -> list[tuple[str, int, str]]:
    """(dyad, participant id, participant key): grouped by dyad, patient first; participants
    in no dyad last. The team (study role) are no cases."""
    order = {"patient": 0, "clinician": 1}

    def counted(pid: int) -> bool:
        p = data.people[pid]
        return not p.team and p.role != "researcher" and (p.consented or include_unconsented)

    seen: set[int] = set()
    cases = []
    for key, members in sorted(data.dyads.values()):
        for pid in sorted(
            members, key=lambda m: (order.get(data.people[m].role, 2), data.people[m].key)
        ):
            if counted(pid):
                cases.append((key, pid, data.people[pid].key))
                seen.add(pid)
    rest = sorted(
        (p.key, pid) for pid, p in data.people.items() if pid not in seen and counted(pid)
    )
    return cases + [("", pid, key) for key, pid in rest]


def export_case_matrix_docx(
    project: Project, out: Path, *, include_unconsented: bool = False
) -> CaseMatrixExport:
    matrices = case_matrices(project, include_unconsented=include_unconsented)
    about = (
        "Per theme, one row per participant grouped by dyad; in each wave the analyst's summary "
        "and the quotes pinned there; what changed and the through-line are the analyst's "
        f"trajectory and its note. {MISSING} marks a wave the participant was not observed at."
    )
    _write_docx(project, out, "Case-ordered summary matrices", about, matrices, "case-matrix")
    return CaseMatrixExport(str(out), len(matrices))


def _write_docx(
    project: Project, out: Path, title: str, about: str, tables: list[CaseMatrix], fmt: str
) -> None:
    """A landscape document: the title, what it shows, then a table under each theme."""
    document = landscape_document(margin_cm=1.5, font_pt=9)
    document.add_heading(title, level=1)
    document.add_paragraph(about)
    for m in tables:
        document.add_heading(m.theme, level=2)
        add_table(document, m.headers, m.rows)
    save(document, out)
    with project.session() as s:
        project.audit(s, "export", None, path=out.name, format=f"{fmt}-docx")


def export_case_matrix_xlsx(
    project: Project, out: Path, *, include_unconsented: bool = False
) -> CaseMatrixExport:
    matrices = case_matrices(project, include_unconsented=include_unconsented)
    frames = [
        pd.DataFrame(m.rows, columns=[h.replace("\n", " · ") for h in m.headers]).assign(
            theme=m.theme
        )
        for m in matrices
    ]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if not frame.empty:
        frame = frame[["theme", *[c for c in frame.columns if c != "theme"]]]
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name="Case-ordered", index=False)
    with project.session() as s:
        project.audit(s, "export", None, path=out.name, format="case-matrix-xlsx")
    return CaseMatrixExport(str(out), len(matrices))


DYADIC_ABOUT = (
    "Per theme, each dyad at each wave: the patient and the clinician side by side (the "
    "analyst's summary and the quotes pinned for each; never added together), and the "
    f"analyst's stance with its note. {MISSING} marks a member not observed at that wave."
)


def export_dyadic_docx(
    project: Project, out: Path, *, include_unconsented: bool = False
) -> CaseMatrixExport:
    found = [
        d for d in dyadic_comparisons(project, include_unconsented=include_unconsented) if d.rows
    ]
    about = DYADIC_ABOUT if found else f"{DYADIC_ABOUT} No dyads yet."
    _write_docx(project, out, "Dyadic comparisons", about, found, "dyadic-comparison")
    return CaseMatrixExport(str(out), len(found))


def export_dyadic_xlsx(
    project: Project, out: Path, *, include_unconsented: bool = False
) -> CaseMatrixExport:
    found = [
        pd.DataFrame(d.rows, columns=d.headers).assign(theme=d.theme)
        for d in dyadic_comparisons(project, include_unconsented=include_unconsented)
        if d.rows
    ]
    frame = pd.concat(found, ignore_index=True) if found else pd.DataFrame()
    frame = frame.reindex(columns=["theme", *DYADIC_HEADERS])
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name="Dyadic comparison", index=False)
        pd.DataFrame({"note": [DYADIC_ABOUT]}).to_excel(writer, sheet_name="About", index=False)
    with project.session() as s:
        project.audit(s, "export", None, path=out.name, format="dyadic-comparison-xlsx")
    return CaseMatrixExport(str(out), len(found))
