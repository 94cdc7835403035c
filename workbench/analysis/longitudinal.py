"""Themes across waves: the exact longitudinal definitions of DESIGN.md, built with pandas.

``collect`` reads the project once into tidy tables (one row per theme segment × attributed
participant, per participant's words inside a theme's segments, per participant's attributed
speech); ``matrix`` and ``trajectories`` compute every measure from them. Each interview's share
of the tidy tables is reused while the interview's version (kept by the database's triggers) and
the codes of each theme are unchanged — remembered by the handle and kept in the project, see
docs/interview-versions.md — so a read computes only what changed. Computed coding
patterns describe where the analyst coded — they sit beside the analyst's own trajectory, which
is what exports headline; they are never findings.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workbench.analysis.kept_rows import ROWS_FORMAT as ROWS_FORMAT
from workbench.analysis.kept_rows import _current_rows, _frames, _keep
from workbench.analysis.kept_rows import _pack as _pack
from workbench.analysis.kept_rows import _unpack as _unpack
from workbench.analysis.kept_rows import forget_cached_rows as forget_cached_rows
from workbench.analysis.longitudinal_reads import (
    _current_themes,
    _frozen_themes,
    _interview_facts,
    _study_units,
    _trajectory_labels,
    _wave_attributes,
)
from workbench.analysis.patterns import censored as censored
from workbench.analysis.patterns import coding_pattern as coding_pattern
from workbench.analysis.patterns import shape as shape
from workbench.analysis.segments import _computed_rows
from workbench.analysis.segments import _interview_rows as _interview_rows
from workbench.analysis.segments import _theme_segments as _theme_segments
from workbench.analysis.segments import _word_edges as _word_edges
from workbench.analysis.segments import words_inside as words_inside
from workbench.analysis.study_data import BY as BY
from workbench.analysis.study_data import MEASURES as MEASURES
from workbench.analysis.study_data import UNIT_ROLES
from workbench.analysis.study_data import InterviewFacts as InterviewFacts
from workbench.analysis.study_data import Person as Person
from workbench.analysis.study_data import StudyData as StudyData
from workbench.analysis.study_data import _merge as _merge
from workbench.coding.snapshots import load_snapshot
from workbench.domain.study import StudyError
from workbench.storage.project import Project


def collect(project: Project, snapshot: str | None = None, *, dyad: str | None = None) -> StudyData:
    """Read the project (or, with ``snapshot``, the analysis as frozen then) into tidy tables.

    With ``dyad``, the tidy tables hold only the interviews its members took part in: enough
    for that dyad's and its members' cells (a timeline), not for any other unit's. Everything is
    read in one read-only session, in this order (the interview versions before any coding)."""
    frozen = load_snapshot(project, snapshot) if snapshot else None
    with project.session(write=False) as s:
        waves, wave_of, people, dyads, member_of = _study_units(s)
        interviews = _interview_facts(s, wave_of)
        read = list(interviews)
        if dyad is not None:
            members = {pid for key, pids in dyads.values() if key == dyad for pid in pids}
            read = [iid for iid, iv in interviews.items() if members & set(iv.roles)]
        codings: dict[int, list[tuple[int, int, int, int, int]]] = {}
        versions: dict[int, int] = {}
        if frozen is None:
            themes, links, created, versions = _current_themes(s)
        else:
            themes, links, created, codings = _frozen_themes(frozen, interviews)
        codes_of: dict[int, set[int]] = {}
        for tid, cid in links:
            codes_of.setdefault(tid, set()).add(cid)
        latest = {
            tid: max((created[c] for c in cids), default=None) for tid, cids in codes_of.items()
        }

        coded = sorted(iid for iid in read if interviews[iid].status == "coded")
        if frozen is None:
            rows, fresh = _current_rows(project, s, coded, versions, codes_of, interviews, people)
        else:
            needs = {iid: list(codes_of) for iid in coded}
            rows = _computed_rows(s, needs, codings, codes_of, interviews, people)
            fresh = {}

        trajectories = _trajectory_labels(s, frozen, people, dyads)
        wave_attributes = _wave_attributes(s, wave_of)

    if fresh:
        _keep(project, fresh)
    segments, theme_words, speech = _frames([(iid, rows[iid]) for iid in coded])
    return StudyData(
        waves=waves,
        people=people,
        dyads=dyads,
        member_of=member_of,
        interviews=interviews,
        themes=themes,
        theme_latest_code=latest,
        segments=segments,
        theme_words=theme_words,
        speech=speech,
        trajectories=trajectories,
        wave_attributes=wave_attributes,
    )


# --- units, observation ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unit:
    kind: str
    name: str
    members: tuple[int, ...]
    dyad_id: int | None = None


def units(data: StudyData, by: str, include_unconsented: bool = False) -> list[Unit]:
    if by not in BY:
        raise StudyError(f"--by is one of: {', '.join(BY)}")

    def counted(p: Person) -> bool:
        return not p.team and p.role != "researcher" and (p.consented or include_unconsented)

    everyone = sorted((p for p in data.people.values() if counted(p)), key=lambda p: p.key)
    if by == "study":
        return [Unit("study", "study", tuple(p.id for p in everyone))]
    if by == "role":
        return [
            Unit("role", role, tuple(p.id for p in everyone if p.role == role))
            for role in UNIT_ROLES
            if any(p.role == role for p in everyone)
        ]
    if by == "participant":
        return [Unit("participant", p.key, (p.id,)) for p in everyone]
    return [
        Unit("dyad", key, tuple(sorted(members, key=lambda pid: data.people[pid].key)), dyad_id)
        for dyad_id, (key, members) in data.dyads.items()
    ]


def _allowed(data: StudyData, unit: Unit, pid: int, interview_id: int) -> bool:
    """For a member in several dyads, only interviews about this dyad count for the dyad."""
    if unit.dyad_id is None or len(data.member_of.get(pid, ())) <= 1:
        return True
    return data.interviews[interview_id].dyad_id == unit.dyad_id


def participant_status(
    data: StudyData,
    pid: int,
    wave: str,
    unit: Unit | None = None,
    include_unconsented: bool = False,
) -> str | None:
    """None when the participant is observed at the wave, else the reason it is missing."""
    if not data.people[pid].consented and not include_unconsented:
        return "excluded"
    statuses = [
        iv.status
        for iv in data.interviews_of(pid, wave)
        if iv.roles[pid] != "interviewer" and (unit is None or _allowed(data, unit, pid, iv.id))
    ]
    if "coded" in statuses:
        return None
    if "stopped" in statuses:
        return "stopped"
    if statuses:
        return "not_coded"
    return "no_interview"


def unit_missing(
    data: StudyData, unit: Unit, wave: str, include_unconsented: bool = False
) -> str | list[str] | None:
    """None when the unit is observed at the wave; else why not (a list of "ID:reason" for a
    dyad)."""
    if unit.kind == "dyad":
        reasons = [
            (data.people[pid].key, participant_status(data, pid, wave, unit, include_unconsented))
            for pid in unit.members
        ]
        missing = [f"{key}:{reason}" for key, reason in reasons if reason is not None]
        return missing or None
    if unit.kind == "participant":
        return participant_status(data, unit.members[0], wave, None, include_unconsented)
    if unit.kind == "member":  # a dyad member's lane: only interviews about that dyad count
        return participant_status(data, unit.members[0], wave, unit, include_unconsented)
    observed = any(
        participant_status(data, pid, wave, None, include_unconsented) is None
        for pid in unit.members
    )
    return None if observed else "no_member_observed"


# --- measures -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    theme: str
    unit: str
    wave: str
    segments: int | None
    words: float | None
    presence: int | None
    participants: int | None
    missing: str | list[str] | None
    cooccurrence: str | None
    drift: bool
    attributes: dict[str, dict[str, str]]
    rate: float | None = None
    """segments per 1,000 words of the unit's attributed speech at the wave (None: missing,
    or no words)"""
    members: dict[str, Cell] | None = None
    """A dyad's cell: each member's own cell (only interviews about this dyad), observed or
    not — the dyad's own measures keep the complete-dyad rule, its members' stand beside it."""

    def value(self, measure: str) -> int | float | None:
        value: int | float | None = getattr(self, measure)
        return value


def _by_unit(
    frame: pd.DataFrame, data: StudyData, all_units: list[Unit]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which rows of ``frame`` (rows per participant and interview) count for which unit, at
    which wave: (row, unit, wave) index arrays, one entry per row and unit it counts for. Rows
    of an interview without a wave count nowhere; for a member of several dyads, a dyad keeps
    only interviews about it."""
    none = np.zeros(0, dtype=np.int64)
    if frame.empty or not all_units:
        return none, none, none
    facts = sorted(data.interviews.items())
    interview_ids = np.array([iid for iid, _ in facts], dtype=np.int64)
    wave_index = {w: i for i, w in enumerate(data.waves)}
    wave_of = np.array(
        [-1 if iv.wave is None else wave_index.get(iv.wave, -1) for _, iv in facts], dtype=np.int64
    )
    dyad_of = np.array([-1 if iv.dyad_id is None else iv.dyad_id for _, iv in facts])
    pairs = sorted((pid, u) for u, unit in enumerate(all_units) for pid in unit.members)
    member = np.array([pid for pid, _ in pairs], dtype=np.int64)
    unit_of_member = np.array([u for _, u in pairs], dtype=np.int64)

    who = frame["participant"].to_numpy(dtype=np.int64)
    lo = np.searchsorted(member, who, side="left")
    times = np.searchsorted(member, who, side="right") - lo
    row = np.repeat(np.arange(len(who)), times)
    unit = unit_of_member[
        np.repeat(lo, times) + np.arange(len(row)) - np.repeat(np.cumsum(times) - times, times)
    ]
    at = np.searchsorted(interview_ids, frame["interview"].to_numpy(dtype=np.int64))[row]
    wave = wave_of[at]
    keep = wave >= 0
    several = [pid for pid, dyads in data.member_of.items() if len(dyads) > 1]
    dyad_of_unit = np.array([-1 if u.dyad_id is None else u.dyad_id for u in all_units])
    if several and (dyad_of_unit >= 0).any():  # ``_allowed``, for every row at once
        checked = (dyad_of_unit[unit] >= 0) & np.isin(who[row], several)
        keep &= ~checked | (dyad_of[at] == dyad_of_unit[unit])
    return row[keep], unit[keep], wave[keep]


def _distinct(*columns: np.ndarray) -> np.ndarray:
    """The positions of the first of each distinct combination of ``columns`` (equal lengths)."""
    if not len(columns[0]):
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort(columns[::-1])
    repeated = np.zeros(len(order), dtype=bool)  # the same combination as the one before
    repeated[1:] = True
    for column in columns:
        ordered = column[order]
        repeated[1:] &= ordered[1:] == ordered[:-1]
    return order[~repeated]


def cells(data: StudyData, by: str, *, include_unconsented: bool = False) -> list[Cell]:
    """Every theme × unit × wave cell with all four measures (None where the wave is missing);
    a dyad's cells carry their members' own cells."""
    chosen = units(data, by, include_unconsented)
    found = cells_for(data, chosen, include_unconsented)
    return with_members(data, chosen, found, include_unconsented) if by == "dyad" else found


_APART = "\x1f"


def with_members(
    data: StudyData, dyads: list[Unit], found: list[Cell], include_unconsented: bool
) -> list[Cell]:
    """The dyad cells ``found`` with each member's own cell (a member's lane of the timeline),
    so a wave where one member is missing still shows whoever was interviewed."""
    lanes = [
        Unit("member", f"{u.name}{_APART}{data.people[pid].key}", (pid,), u.dyad_id)
        for u in dyads
        for pid in u.members
    ]
    members: dict[tuple[str, str, str], dict[str, Cell]] = {}
    for c in cells_for(data, lanes, include_unconsented):
        dyad, member = c.unit.split(_APART)
        members.setdefault((dyad, c.theme, c.wave), {})[member] = dataclasses.replace(
            c, unit=member
        )
    return [
        dataclasses.replace(c, members=members.get((c.unit, c.theme, c.wave), {})) for c in found
    ]


def cells_for(data: StudyData, all_units: list[Unit], include_unconsented: bool) -> list[Cell]:
    """The cells of the given units. The measures are counted for every cell at once (numpy,
    over the tidy tables, ``_counts``); the loop below only looks up."""
    theme_ids = list(data.themes)
    n_themes, n_waves = len(theme_ids), len(data.waves)
    counts = _counts(data, all_units, theme_ids)
    latest = [data.theme_latest_code.get(tid) for tid in theme_ids]
    names = [data.themes[tid] for tid in theme_ids]
    result = []
    for u, unit_ in enumerate(all_units):
        dyad = unit_.kind == "dyad"
        words_all = counts.words_all[u * n_waves : (u + 1) * n_waves]
        at_wave = _unit_at_waves(data, unit_, include_unconsented, words_all)
        for t, theme in enumerate(names):
            youngest = latest[t]
            for w, (wave_name, missing, attributes, earliest, total) in enumerate(at_wave):
                drift = youngest is not None and earliest is not None and earliest < youngest
                if missing is not None:
                    co = "incomplete" if dyad else None
                    result.append(
                        Cell(
                            theme,
                            unit_.name,
                            wave_name,
                            None,
                            None,
                            None,
                            None,
                            missing,
                            co,
                            drift,
                            attributes,
                        )
                    )
                    continue
                c = (u * n_themes + t) * n_waves + w
                count = counts.segments[c]
                share = int(counts.words_in[c]) / total if total else 0.0
                co = _cooccurrence(counts.clinician[c], counts.patient[c]) if dyad else None
                result.append(
                    Cell(
                        theme,
                        unit_.name,
                        wave_name,
                        count,
                        share,
                        int(count > 0),
                        counts.voices[c],
                        None,
                        co,
                        drift,
                        attributes,
                        1000 * count / total if total else None,
                    )
                )
    unit_names = [unit.name for unit in all_units]
    if len(set(unit_names)) < len(unit_names) or len(set(names)) < len(names):
        # Built in unit, theme, wave order; a repeated name sorts as the code always has.
        order = {name: i for i, name in enumerate(names)}
        unit_order = {name: i for i, name in enumerate(unit_names)}
        wave_order = {w: i for i, w in enumerate(data.waves)}
        result.sort(key=lambda c: (unit_order[c.unit], order[c.theme], wave_order[c.wave]))
    return result


@dataclass(frozen=True, slots=True)
class _Counts:
    """Every cell's measures, counted at once: flat lists indexed by the cell,
    ``(unit * n_themes + theme) * n_waves + wave`` (``words_all`` by ``unit * n_waves + wave``)."""

    segments: list[int]
    voices: list[int]
    words_in: list[float]
    """words inside the theme's segments"""
    words_all: list[float]
    """all attributed words of the unit at the wave"""
    clinician: list[bool]
    patient: list[bool]


def _counts(data: StudyData, all_units: list[Unit], theme_ids: list[int]) -> _Counts:
    """The measures of every unit × theme (in ``theme_ids`` order) × wave cell, with numpy over
    the tidy tables."""
    n_units, n_themes, n_waves = len(all_units), len(theme_ids), len(data.waves)
    n_cells = n_units * n_themes * n_waves
    sorted_themes = np.array(sorted(theme_ids), dtype=np.int64)
    theme_rank = np.array([theme_ids.index(t) for t in sorted_themes.tolist()], dtype=np.int64)

    def cell_of(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Rows (of ``frame``, by unit) and the cell each counts for: (unit, theme, wave)."""
        row, unit, wave = _by_unit(frame, data, all_units)
        if not n_themes:
            return row[:0], row[:0]
        theme = frame["theme"].to_numpy(dtype=np.int64)[row]
        at = np.minimum(np.searchsorted(sorted_themes, theme), n_themes - 1)
        known = sorted_themes[at] == theme
        cell = (unit * n_themes + theme_rank[at]) * n_waves + wave
        return row[known], cell[known]

    # Segments: each (interview, segment) once per cell; its voices: each participant once.
    row, cell = cell_of(data.segments)
    interview = data.segments["interview"].to_numpy(dtype=np.int64)[row]
    number = data.segments["segment"].to_numpy(dtype=np.int64)[row]
    who = data.segments["participant"].to_numpy(dtype=np.int64)[row]
    n_segments = np.bincount(cell[_distinct(cell, interview, number)], minlength=n_cells)
    heard = _distinct(cell, who)
    n_voices = np.bincount(cell[heard], minlength=n_cells)
    roles = {pid: p.role for pid, p in data.people.items()}
    role_of_voice = [roles.get(pid) for pid in who[heard].tolist()]
    clinician = np.bincount(
        cell[heard],
        weights=np.array([r == "clinician" for r in role_of_voice], dtype=float),
        minlength=n_cells,
    )
    patient = np.bincount(
        cell[heard],
        weights=np.array([r == "patient" for r in role_of_voice], dtype=float),
        minlength=n_cells,
    )
    # Words inside the theme's segments, and all attributed words of the unit at the wave.
    row, cell = cell_of(data.theme_words)
    words_in = np.bincount(
        cell, weights=data.theme_words["words"].to_numpy(dtype=float)[row], minlength=n_cells
    )
    row, unit, wave = _by_unit(data.speech, data, all_units)
    words_all = np.bincount(
        unit * n_waves + wave,
        weights=data.speech["words"].to_numpy(dtype=float)[row],
        minlength=n_units * n_waves,
    )
    return _Counts(
        n_segments.tolist(),
        n_voices.tolist(),
        words_in.tolist(),
        words_all.tolist(),
        (clinician > 0).tolist(),
        (patient > 0).tolist(),
    )


def _unit_at_waves(
    data: StudyData, unit_: Unit, include_unconsented: bool, words_all: list[float]
) -> list[tuple[str, str | list[str] | None, dict[str, dict[str, str]], Any, int]]:
    """What the unit's cells at each wave share, whatever the theme: (wave, why it is missing,
    the members' attributes then, the earliest "marked coded", the unit's attributed words)."""
    at_wave = []
    for w, wave_name in enumerate(data.waves):
        missing = unit_missing(data, unit_, wave_name, include_unconsented)
        attributes = {
            data.people[pid].key: data.wave_attributes[(pid, wave_name)]
            for pid in unit_.members
            if (pid, wave_name) in data.wave_attributes and unit_.kind in ("participant", "dyad")
        }
        # The earliest "marked coded" of the unit's interviews at the wave: a theme drifts
        # there when one of its codes is younger than that.
        earliest = min(
            (
                iv.coded_at
                for pid in unit_.members
                for iv in data.interviews_of(pid, wave_name)
                if iv.status == "coded"
                and iv.coded_at is not None
                and _allowed(data, unit_, pid, iv.id)
            ),
            default=None,
        )
        total = int(words_all[w])
        at_wave.append((wave_name, missing, attributes, earliest, total))
    return at_wave


def _cooccurrence(clinician: bool, patient: bool) -> str:
    if clinician and patient:
        return "both_voice"
    if clinician:
        return "clinician_only"
    if patient:
        return "patient_only"
    return "neither"


@dataclass(frozen=True, slots=True)
class TrajectoryRow:
    theme: str
    unit: str
    pattern: str
    sequence: list[int | None]
    gap: bool
    trajectory: str | None
    shape: str | None = None
    """of the length-adjusted rates (``rates``), see ``shape``"""
    censored: bool = False
    rates: list[float | None] = field(default_factory=list)
    """segments per 1,000 words of the unit's attributed speech, per wave"""
    single_segment: bool = False
    """the pattern rests on one segment in all"""


def matrix(
    project: Project,
    by: str,
    measure: str = "segments",
    *,
    include_unconsented: bool = False,
    snapshot: str | None = None,
) -> list[Cell]:
    if measure not in MEASURES:
        raise StudyError(f"--measure is one of: {', '.join(MEASURES)}")
    return cells(collect(project, snapshot), by, include_unconsented=include_unconsented)


def trajectories(
    project: Project, by: str, *, include_unconsented: bool = False, snapshot: str | None = None
) -> list[TrajectoryRow]:
    data = collect(project, snapshot)
    return trajectory_rows(data, cells(data, by, include_unconsented=include_unconsented))


def trajectory_rows(data: StudyData, cells_: list[Cell]) -> list[TrajectoryRow]:
    """Per theme and unit: the coding pattern, the shape of the rates, censoring."""
    theme_ids = {name: tid for tid, name in data.themes.items()}
    grouped: dict[tuple[str, str], list[Cell]] = {}
    for cell in cells_:
        grouped.setdefault((cell.theme, cell.unit), []).append(cell)
    rows = []
    for (theme, unit), row in grouped.items():
        sequence = [c.segments for c in row]
        rates = [None if c.segments is None else (c.rate or 0.0) for c in row]
        pattern, gap = coding_pattern(sequence)
        label = data.trajectories.get((theme_ids[theme], unit))
        single = sum(x for x in sequence if x is not None) == 1
        rows.append(
            TrajectoryRow(
                theme, unit, pattern, sequence, gap, label, shape(rates), censored(sequence),
                [None if r is None else round(r, 3) for r in rates], single,
            )
        )  # fmt: skip
    return rows


def matrix_frame(cells_: list[Cell], measure: str) -> pd.DataFrame:
    """Theme × unit rows, waves across: the table the command line prints (NaN = missing)."""
    frame = pd.DataFrame(
        [(c.theme, c.unit, c.wave, c.value(measure)) for c in cells_],
        columns=["theme", "unit", "wave", "value"],
    )
    if frame.empty:
        return frame
    waves = list(dict.fromkeys(frame["wave"]))
    table = frame.pivot_table(
        index=["theme", "unit"],
        columns="wave",
        values="value",
        aggfunc="first",
        dropna=False,
        sort=False,
    )
    return table.reindex(columns=waves)


@dataclass(frozen=True, slots=True)
class Timeline:
    """One dyad across waves: a lane per member, the dyad's co-occurrence and the analyst's
    stances, and the members' per-wave attributes (PROM scores)."""

    dyad: str
    waves: tuple[str, ...]
    themes: tuple[str, ...]
    members: tuple[tuple[str, str], ...]
    """(participant id, role), patient first"""
    lanes: dict[tuple[str, str, str], Cell]
    """(theme, member, wave) -> the member's cell, counting only interviews about this dyad"""
    dyad_cells: dict[tuple[str, str], Cell]
    """(theme, wave) -> the dyad's cell (co-occurrence, missing reasons)"""
    stances: dict[tuple[str, str], str]
    attributes: dict[tuple[str, str], dict[str, str]]
    """(member, wave) -> attributes measured then"""


def dyad_timeline(project: Project, dyad: str, *, include_unconsented: bool = False) -> Timeline:
    from workbench.coding.readings import stances

    data = collect(project, dyad=dyad)
    matches = [(did, members) for did, (key, members) in data.dyads.items() if key == dyad]
    if not matches:
        raise StudyError(f"no dyad '{dyad}'")
    dyad_id, members = matches[0]
    order = {"patient": 0, "clinician": 1}
    people = sorted(
        (data.people[pid] for pid in members), key=lambda p: (order.get(p.role, 2), p.key)
    )
    member_units = [Unit("member", p.key, (p.id,), dyad_id) for p in people]
    dyad_unit = next(u for u in units(data, "dyad", include_unconsented) if u.name == dyad)
    lanes = {
        (c.theme, c.unit, c.wave): c for c in cells_for(data, member_units, include_unconsented)
    }
    dyad_cells = {(c.theme, c.wave): c for c in cells_for(data, [dyad_unit], include_unconsented)}
    judged = {(theme, wave): stance for d, wave, theme, stance, _ in stances(project) if d == dyad}
    return Timeline(
        dyad=dyad,
        waves=tuple(data.waves),
        themes=tuple(data.themes.values()),
        members=tuple((p.key, p.role) for p in people),
        lanes=lanes,
        dyad_cells=dyad_cells,
        stances=judged,
        attributes={
            (p.key, wave): data.wave_attributes[(p.id, wave)]
            for p in people
            for wave in data.waves
            if (p.id, wave) in data.wave_attributes
        },
    )
