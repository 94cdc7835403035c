"""A manuscript-ready theme table (docx), in the shape reflexive thematic analysis papers use.

Theme | subthemes | central organising concept | illustrative quotes; then the analyst's
trajectories per unit, the analyst's cell summaries (theme × unit rows, waves across, only where
written), and the study characteristics (interviews per wave, their duration from the transcript
times, language, interpreter, attrition with reasons) as COREQ asks. With a snapshot, the
document cites it (name and when taken) and builds the trajectories from it; it says that the
rest is the current state. Quotes are the analyst's pinned exemplars, each labelled
by the project's quote label (``workbench labels``) and marked "(via interpreter)" or "(not
verified against audio)" where true. Counts and member codes appear only when asked for. Quotes
of participants without consent never appear unless asked, and then the document says so; so
does a label that fits fewer participants than the project's smallest group. Identifying text
is the export gate's (``exchange.gate``), as for every format.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from sqlalchemy import func, select

from workbench.analysis.longitudinal import collect, participant_status, trajectories
from workbench.analysis.quotes import BALANCE_SHARE as BALANCE_SHARE
from workbench.analysis.quotes import quote_balance as quote_balance
from workbench.coding.labels import label_risks, quote_labeller
from workbench.coding.queries import query_segments
from workbench.coding.themes import ThemeInfo, list_themes
from workbench.domain.study import StudyError
from workbench.domain.transcript import format_ms
from workbench.exchange._docx import add_table, landscape_document, save
from workbench.storage.models import (
    CellSummary,
    Coding,
    Dyad,
    DyadMember,
    Exemplar,
    Interview,
    InterviewParticipantRow,
    Participant,
    ProjectRow,
    Snapshot,
    Theme,
    UtteranceRow,
    Wave,
)
from workbench.storage.project import Project

UNVERIFIED = "not verified against audio"
"""A quote's mark in the analysis audit's quote table (the theme table stays uncluttered)."""


@dataclass(frozen=True, slots=True)
class Quote:
    theme: str
    text: str
    label: str
    marks: tuple[str, ...]
    coding: str
    source: str = ""
    """Where the whole segment is: interview, time and the coding's reference, so a quote the
    analyst shortened with "[…]" still leads back to every word."""
    people: tuple[str, ...] = ()
    """the participants it is attributed to (for the balance check)"""
    dyad: str | None = None
    wave: str | None = None
    roles: tuple[str, ...] = ()


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
            select(Theme.name, Coding.guid, Exemplar.excerpt)
            .join(Exemplar, Exemplar.theme_id == Theme.id)
            .join(Coding, Exemplar.coding_id == Coding.id)
            .order_by(Theme.position, Theme.id, Exemplar.id)
        ).all()
        role_of = dict(s.execute(select(Participant.key, Participant.role)).all())
    segments = {
        g.coding: g
        for g in query_segments(
            project,
            include_unconsented=include_unconsented,
            codings=[guid for _, guid, _ in pinned],
        )
    }
    labeller = quote_labeller(project)
    quotes = []
    used = []
    for theme, guid, excerpt in pinned:
        g = segments.get(guid)
        if g is None:  # consent leaves it out
            continue
        marks = []
        if labeller.via_interpreter(g):
            marks.append("via interpreter")
        if not g.verified:
            marks.append(UNVERIFIED)
        used.append(g)
        at = f" at {format_ms(g.start_ms)}" if g.start_ms is not None else ""
        source = f"{g.interview}{at}, segment {guid[:8]}"
        text = (excerpt or g.text).replace("\n", " / ")
        quotes.append(
            Quote(
                theme,
                text,
                labeller.label(g),
                tuple(marks),
                guid,
                source,
                g.participants,
                g.dyad,
                g.wave,
                tuple(sorted({role_of.get(p, "?") for p in g.participants})),
            )
        )
    risks = label_risks(project, include_unconsented=include_unconsented)
    return quotes, labeller.export_note(used, risks)


def _note(document: object, text: str) -> None:
    """A line under a table, set a little apart from it."""
    paragraph = document.add_paragraph(text)  # type: ignore[attr-defined]
    paragraph.paragraph_format.space_before = Pt(4)


def export_theme_table(
    project: Project,
    out: Path,
    *,
    with_counts: bool = False,
    include_unconsented: bool = False,
    snapshot: str | None = None,
) -> ExportReport:
    cited = _snapshot_note(project, snapshot) if snapshot else None
    quotes, label_note = _quotes(project, include_unconsented)
    notes: list[str] = []
    if label_note:
        notes.append(label_note)
    if include_unconsented:
        notes.append("Participants without consent are included at the analyst's request.")
    themes = list_themes(project)
    with project.session(write=False) as s:
        title = s.scalar(select(ProjectRow.title)) or ""
    top = [t for t in themes if t.parent is None]
    document = landscape_document()
    heading = document.add_heading(f"Themes — {title}", level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.LEFT
    if cited:
        document.add_paragraph(cited)
    _theme_rows(document, project, themes, top, quotes, with_counts, include_unconsented)
    _trajectory_rows(document, project, quotes, include_unconsented, snapshot)
    for warning in quote_balance(quotes)[1]:
        notes.append(f"Quote balance: {warning}")
    _summary_rows(document, project, include_unconsented)
    _characteristics_table(document, project, include_unconsented)
    for note in notes:
        document.add_paragraph(note).runs[0].italic = True
    save(document, out)
    with project.session() as s:
        project.audit(s, "export", None, path=out.name, format="theme-table-docx")
    return ExportReport(str(out), len(top), len(quotes), tuple(notes))


def _theme_rows(
    document: Any,
    project: Project,
    themes: list[ThemeInfo],
    top: list[ThemeInfo],
    quotes: list[Quote],
    with_counts: bool,
    include_unconsented: bool,
) -> None:
    """The theme table: each top theme's row, then its subthemes' rows."""
    headers = ["Theme", "Subthemes", "Central organising concept", "Illustrative quotes"]
    counts: dict[str, int] = {}
    if with_counts:
        headers.append("Member codes (codings)")
        for g in query_segments(project, include_unconsented=include_unconsented):
            counts[g.code] = counts.get(g.code, 0) + 1
    by_name = {t.name: t for t in themes}

    def row_of(theme: ThemeInfo, first: str, second: str) -> list[str]:
        """A theme's (or a subtheme's) own concept and own quotes: a subtheme's quotes sit in
        its row, never unmarked in its parent's."""
        quote_text = "\n\n".join(
            f"“{q.text}” ({'; '.join((q.label, *(m for m in q.marks if m != UNVERIFIED)))})"
            for q in quotes
            if q.theme == theme.name
        )
        row = [first, second, theme.concept or "", quote_text or "(no quote pinned)"]
        if with_counts:
            row.append("\n".join(f"{c} ({counts.get(c, 0)})" for c in theme.codes))
        return row

    rows = []
    for theme in top:
        rows.append(row_of(theme, theme.name, "\n".join(theme.subthemes)))
        rows += [
            row_of(by_name[sub], f"↳ {theme.name}", sub)
            for sub in theme.subthemes
            if sub in by_name
        ]
    widths = [4.0, 3.5, 5.0, 13.2] if not with_counts else [3.5, 3.0, 4.0, 10.2, 5.0]
    add_table(document, headers, rows, widths)


def _trajectory_rows(
    document: Any,
    project: Project,
    quotes: list[Quote],
    include_unconsented: bool,
    snapshot: str | None,
) -> None:
    """The analyst's trajectories per participant (from the snapshot when one is cited), and
    where the quotes' sources are."""
    trajectory_rows = [
        [r.theme, r.unit, r.trajectory or ""]
        for r in trajectories(
            project, "participant", include_unconsented=include_unconsented, snapshot=snapshot
        )
        if r.trajectory
    ]
    if trajectory_rows:
        document.add_heading("The analyst's trajectories", level=2)
        add_table(document, ["Theme", "Participant", "Trajectory (analyst)"], trajectory_rows)
        _note(
            document,
            "The trajectories are the analyst's reading. Computed coding patterns, counts and "
            "rates are in the analysis audit supplement (export --format analysis-audit-docx), "
            "not here: they describe where the analysis coded and are not findings.",
        )
    if quotes:
        _note(
            document,
            "Where each quote comes from (interview, time, segment) and whether its words were "
            "checked against the audio: the analysis audit supplement.",
        )


def _summary_rows(document: Any, project: Project, include_unconsented: bool) -> None:
    waves, summary_rows = _cell_summaries(project, include_unconsented)
    if summary_rows:
        document.add_heading("The analyst's cell summaries", level=2)
        add_table(document, ["Theme", "Unit", *waves], summary_rows)
        _note(
            document,
            "The analyst's summary of each theme for each unit at each wave, where one was "
            "written; a blank cell has no summary.",
        )


def _characteristics_table(document: Any, project: Project, include_unconsented: bool) -> None:
    document.add_heading("Study characteristics", level=2)
    add_table(
        document,
        [
            "Wave",
            "Interviews held",
            "Stopped (recorded reason)",
            "Duration, min:s, median (range)",
            "Weeks in treatment, sessions",
            "Languages",
            "With interpreter",
            "Attrition",
        ],
        _characteristics(project, include_unconsented),
    )
    _note(
        document,
        "Study characteristics as COREQ asks: interviews held per wave and those stopped (with "
        "the reason recorded), the held interviews' duration (first utterance's start to the "
        "last one's end; 'not known' where untimed), weeks in treatment and session numbers, "
        "languages, interviews with an interpreter present, and participants missing at each "
        "wave with the reason.",
    )


def _characteristics(project: Project, include_unconsented: bool) -> list[list[str]]:
    data = collect(project)
    with project.session(write=False) as s:
        rows = s.execute(
            select(Wave.name, Interview.key, Interview.language, InterviewParticipantRow.role)
            .join(Interview, Interview.wave_id == Wave.id)
            .join(InterviewParticipantRow, InterviewParticipantRow.interview_id == Interview.id)
            .order_by(Wave.position)
        ).all()
        facts = {
            key: (status, reason, weeks, session)
            for key, status, reason, weeks, session in s.execute(
                select(
                    Interview.key,
                    Interview.status,
                    Interview.status_reason,
                    Interview.weeks_since_start,
                    Interview.session_number,
                )
            )
        }
        reasons = dict(
            s.execute(
                select(Participant.key, Interview.status_reason)
                .join(
                    InterviewParticipantRow,
                    InterviewParticipantRow.participant_id == Participant.id,
                )
                .join(Interview, Interview.id == InterviewParticipantRow.interview_id)
                .where(Interview.status == "stopped", Interview.status_reason.is_not(None))
            ).all()
        )
    durations = _durations(project)
    result = []
    for wave in data.waves:
        mine = [r for r in rows if r[0] == wave]
        interviews = {r[1] for r in mine}
        held = sorted(k for k in interviews if facts[k][0] != "stopped")
        stopped = sorted(k for k in interviews if facts[k][0] == "stopped")
        languages = sorted({r[2] for r in mine if r[2]})
        interpreted = {r[1] for r in mine if r[3] == "interpreter" and r[1] in held}
        missing = []
        for person in sorted(data.people.values(), key=lambda p: p.key):
            if person.team or person.role in ("researcher", "interpreter"):
                continue
            if not person.consented and not include_unconsented:
                continue
            reason = participant_status(data, person.id, wave, None, include_unconsented)
            if reason is not None:
                why = reason.replace("_", " ")
                if reason == "stopped" and reasons.get(person.key):
                    why = f"stopped ({reasons[person.key]})"
                missing.append(f"{person.key}: {why}")
        result.append(
            [
                wave,
                str(len(held)),
                "; ".join(f"{k} ({facts[k][1]})" if facts[k][1] else k for k in stopped) or "none",
                _duration_text([durations[k] for k in held if k in durations]) if held else "–",
                _in_treatment([facts[k][2] for k in held], [facts[k][3] for k in held]),
                ", ".join(languages),
                str(len(interpreted)),
                "; ".join(missing) or "none",
            ]
        )
    return result


def _in_treatment(
    weeks: list[float | None], sessions: list[int | None], missing: str = "not recorded"
) -> str:
    """Weeks in treatment and session numbers of a wave's interviews, as ranges."""

    def span(values: list[float], unit: str) -> str | None:
        if not values:
            return None
        lo, hi = min(values), max(values)
        return f"{unit} {lo:g}" if lo == hi else f"{unit} {lo:g}–{hi:g}"

    parts = [
        span([w for w in weeks if w is not None], "week"),
        span([float(n) for n in sessions if n is not None], "session"),
    ]
    return ", ".join(p for p in parts if p) or missing


def _snapshot_note(project: Project, name: str) -> str:
    """The sentence citing the snapshot, saying honestly what was built from it."""
    with project.session(write=False) as s:
        taken = s.scalar(select(Snapshot.created_at).where(Snapshot.name == name))
    if taken is None:
        raise StudyError(f"no snapshot '{name}'")
    when = taken.strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"Analysis snapshot '{name}', taken {when}. The trajectories and coding patterns are "
        "as they were at that snapshot; the themes, quotes, cell summaries and study "
        "characteristics are the project's state when this document was written."
    )


def _durations(project: Project) -> dict[str, int]:
    """Interview key -> duration in ms, from the first utterance's start to the last's end
    (interviews without times are left out)."""
    with project.session(write=False) as s:
        rows = s.execute(
            select(
                Interview.key,
                func.min(UtteranceRow.start_ms),
                func.max(func.coalesce(UtteranceRow.end_ms, UtteranceRow.start_ms)),
            )
            .join(UtteranceRow, UtteranceRow.interview_id == Interview.id)
            .group_by(Interview.key)
        ).all()
    return {k: hi - lo for k, lo, hi in rows if lo is not None and hi is not None and hi > lo}


def _clock(ms: float) -> str:
    seconds = round(ms / 1000)
    return f"{seconds // 60}:{seconds % 60:02d}"


def _duration_text(durations: list[int]) -> str:
    if not durations:
        return "not known"
    median = _clock(statistics.median(durations))
    if len(durations) == 1:
        return median
    return f"{median} ({_clock(min(durations))}–{_clock(max(durations))})"


def _cell_summaries(
    project: Project, include_unconsented: bool
) -> tuple[list[str], list[list[str]]]:
    """The waves, and one row per theme and unit with at least one summary written: the
    summaries under their waves. Units of participants without consent (and dyads with such
    a member) are left out unless asked for."""
    with project.session(write=False) as s:
        waves = list(s.scalars(select(Wave.name).order_by(Wave.position)))
        unconsented_dyads = set(
            s.scalars(
                select(DyadMember.dyad_id)
                .join(Participant, DyadMember.participant_id == Participant.id)
                .where(Participant.consent != "consented")
            )
        )
        found = s.execute(
            select(
                Theme.name,
                CellSummary.unit_kind,
                CellSummary.role,
                Participant.key,
                Participant.consent,
                Dyad.key,
                CellSummary.dyad_id,
                Wave.name,
                CellSummary.text,
            )
            .join(Theme, CellSummary.theme_id == Theme.id)
            .join(Wave, CellSummary.wave_id == Wave.id)
            .outerjoin(Participant, CellSummary.participant_id == Participant.id)
            .outerjoin(Dyad, CellSummary.dyad_id == Dyad.id)
            .order_by(Theme.position, Theme.id, CellSummary.unit_kind, Participant.key, Dyad.key)
        ).all()
    kinds = {"study": 0, "role": 1, "dyad": 2, "participant": 3}
    theme_order: dict[str, int] = {}
    table: dict[tuple[str, int, str], dict[str, str]] = {}
    for theme, kind, role, person, consent, dyad, dyad_id, wave, text in found:
        if not include_unconsented and (
            (kind == "participant" and consent != "consented")
            or (kind == "dyad" and dyad_id in unconsented_dyads)
        ):
            continue
        if not text.strip():
            continue
        theme_order.setdefault(theme, len(theme_order))
        unit = {"study": "study", "role": f"{role}s", "dyad": f"dyad {dyad}"}.get(kind, person)
        table.setdefault((theme, kinds.get(kind, 9), unit or ""), {})[wave] = text.strip()
    rows = [
        [theme, unit, *(by_wave.get(w, "") for w in waves)]
        for (theme, _, unit), by_wave in sorted(
            table.items(), key=lambda item: (theme_order[item[0][0]], item[0][1], item[0][2])
        )
    ]
    return waves, rows
