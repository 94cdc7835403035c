"""Themes across waves: the exact longitudinal definitions of DESIGN.md, built with pandas.

``collect`` reads the project once into tidy tables (one row per theme segment × attributed
participant, per participant's words inside a theme's segments, per participant's attributed
speech); ``matrix`` and ``trajectories`` compute every measure from them. Computed coding
patterns describe where the analyst coded — they sit beside the analyst's own trajectory, which
is what exports headline; they are never findings.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.sql import ClauseElement

from workbench.coding.snapshots import load_snapshot
from workbench.domain.positions import utterance_starts
from workbench.domain.study import StudyError
from workbench.domain.text import WORD_RE
from workbench.storage.models import (
    Code,
    Coding,
    Dyad,
    DyadMember,
    Interview,
    InterviewParticipantRow,
    Participant,
    ParticipantWaveAttribute,
    Theme,
    ThemeCode,
    Trajectory,
    UtteranceRow,
    Wave,
)
from workbench.storage.project import Project

MEASURES = ("segments", "words", "presence", "participants")
BY = ("study", "role", "participant", "dyad")
UNIT_ROLES = ("patient", "clinician", "interpreter", "other")


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    key: str
    role: str
    consented: bool


@dataclass(frozen=True, slots=True)
class InterviewFacts:
    id: int
    key: str
    wave: str | None
    dyad_id: int | None
    status: str
    coded_at: Any
    roles: dict[int, str]
    """participant id -> interview role"""


@dataclass
class StudyData:
    """Everything the longitudinal tables need, read in one go."""

    waves: list[str]
    people: dict[int, Person]
    dyads: dict[int, tuple[str, list[int]]]
    member_of: dict[int, set[int]]
    interviews: dict[int, InterviewFacts]
    themes: dict[int, str]
    theme_latest_code: dict[int, Any]
    segments: pd.DataFrame
    """theme, interview, segment, participant — one row per attributed participant"""
    theme_words: pd.DataFrame
    """theme, interview, participant, words — words wholly inside the theme's segments"""
    speech: pd.DataFrame
    """interview, participant, words — all words of the participant's attributed speech"""
    trajectories: dict[tuple[int, str], str | None] = field(default_factory=dict)
    wave_attributes: dict[tuple[int, str], dict[str, str]] = field(default_factory=dict)
    _by_person: dict[tuple[int, str | None], list[InterviewFacts]] | None = field(
        default=None, repr=False, compare=False
    )

    def interviews_of(self, pid: int, wave: str | None) -> list[InterviewFacts]:
        """The interviews the participant took part in (in any role) at the wave."""
        if self._by_person is None:
            self._by_person = {}
            for iv in self.interviews.values():
                for person in iv.roles:
                    self._by_person.setdefault((person, iv.wave), []).append(iv)
        return self._by_person.get((pid, wave), [])


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of overlapping spans (spans that only touch stay apart)."""
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def collect(project: Project, snapshot: str | None = None, *, dyad: str | None = None) -> StudyData:
    """Read the project (or, with ``snapshot``, the analysis as frozen then) into tidy tables.

    With ``dyad``, the tidy tables hold only the interviews its members took part in: enough
    for that dyad's and its members' cells (a timeline), not for any other unit's."""
    frozen = load_snapshot(project, snapshot) if snapshot else None
    with project.session(write=False) as s:
        waves = list(s.scalars(select(Wave.name).order_by(Wave.position)))
        wave_of = {wid: name for wid, name in s.execute(select(Wave.id, Wave.name))}
        people = {
            p.id: Person(p.id, p.key, p.role, p.consent == "consented")
            for p in s.scalars(select(Participant))
        }
        dyads: dict[int, tuple[str, list[int]]] = {
            d.id: (d.key, []) for d in s.scalars(select(Dyad).order_by(Dyad.key))
        }
        member_of: dict[int, set[int]] = {}
        for dyad_id, pid in s.execute(select(DyadMember.dyad_id, DyadMember.participant_id)):
            dyads[dyad_id][1].append(pid)
            member_of.setdefault(pid, set()).add(dyad_id)
        roles: dict[int, dict[int, str]] = {}
        for iid, pid, role in s.execute(
            select(
                InterviewParticipantRow.interview_id,
                InterviewParticipantRow.participant_id,
                InterviewParticipantRow.role,
            )
        ):
            roles.setdefault(iid, {})[pid] = role
        interviews = {
            iv.id: InterviewFacts(
                iv.id,
                iv.key,
                wave_of.get(iv.wave_id) if iv.wave_id else None,
                iv.dyad_id,
                iv.status,
                iv.coded_at,
                roles.get(iv.id, {}),
            )
            for iv in s.scalars(select(Interview))
        }
        read = list(interviews)
        if dyad is not None:
            members = {pid for key, pids in dyads.values() if key == dyad for pid in pids}
            read = [iid for iid, iv in interviews.items() if members & set(iv.roles)]
        codings: dict[int, list[tuple[int, int, int, int, int]]] = {}
        if frozen is None:
            themes = {
                t.id: t.name for t in s.scalars(select(Theme).order_by(Theme.position, Theme.id))
            }
            links = [
                (tid, cid) for tid, cid in s.execute(select(ThemeCode.theme_id, ThemeCode.code_id))
            ]
            created = {cid: at for cid, at in s.execute(select(Code.id, Code.created_at))}
            coding_stmt = select(
                Coding.interview_id,
                Coding.code_id,
                Coding.start_utterance_id,
                Coding.start_offset,
                Coding.end_utterance_id,
                Coding.end_offset,
            ).order_by(Coding.interview_id, Coding.id)
            if dyad is not None:
                coding_stmt = coding_stmt.where(Coding.interview_id.in_(read))
            for iid, code_id, su, so, eu, eo in _bare_rows(s, coding_stmt):
                codings.setdefault(iid, []).append((code_id, su, so, eu, eo))
        else:
            themes = {t["id"]: t["name"] for t in frozen["themes"]}
            links = [(tid, cid) for tid, cid in frozen["theme_codes"]]
            created = {c["id"]: dt.datetime.fromisoformat(c["created_at"]) for c in frozen["codes"]}
            for iid, *anchors in frozen["codings"]:
                codings.setdefault(iid, []).append(tuple(anchors))
            for iid, (status, coded_at) in frozen["interviews"].items():
                if int(iid) in interviews:
                    facts = interviews[int(iid)]
                    interviews[int(iid)] = InterviewFacts(
                        facts.id,
                        facts.key,
                        facts.wave,
                        facts.dyad_id,
                        status,
                        dt.datetime.fromisoformat(coded_at) if coded_at else None,
                        facts.roles,
                    )
        codes_of: dict[int, set[int]] = {}
        for tid, cid in links:
            codes_of.setdefault(tid, set()).add(cid)
        latest = {
            tid: max((created[c] for c in cids), default=None) for tid, cids in codes_of.items()
        }

        seg_rows: list[tuple[int, int, int, int]] = []
        word_rows: list[tuple[int, int, int, int]] = []
        speech_rows: list[tuple[int, int, int]] = []
        coded = [iid for iid in read if interviews[iid].status == "coded"]
        themes_key = tuple(sorted((tid, tuple(sorted(cids))) for tid, cids in codes_of.items()))
        people_key = frozenset(people)
        for iid, rows in _utterances(s, coded):
            facts = interviews[iid]
            interviewers = frozenset(
                pid for pid, role in facts.roles.items() if role == "interviewer"
            )
            own = codings.get(iid, [])
            key = (rows, tuple(own), themes_key, interviewers, people_key)
            found = _interview_cache.get((project.location, iid))
            if found is not None and found[0] == key:
                done = found[1]
            else:
                done = _interview_rows(iid, rows, interviewers, codes_of, own, people)
                _remember((project.location, iid), key, done)
            seg_rows += done[0]
            word_rows += done[1]
            speech_rows += done[2]

        trajectories: dict[tuple[int, str], str | None] = {}
        if frozen is None:
            for t in s.scalars(select(Trajectory)):
                trajectories[(t.theme_id, _unit_name(t, people, dyads))] = t.label
        else:
            for theme_id, kind, role, pid, did, label, _text in frozen["trajectories"]:
                row = Trajectory(unit_kind=kind, role=role, participant_id=pid, dyad_id=did)
                trajectories[(theme_id, _unit_name(row, people, dyads))] = label
        wave_attributes: dict[tuple[int, str], dict[str, str]] = {}
        for pid, wid, name, value in s.execute(
            select(
                ParticipantWaveAttribute.participant_id,
                ParticipantWaveAttribute.wave_id,
                ParticipantWaveAttribute.name,
                ParticipantWaveAttribute.value,
            )
        ):
            wave_attributes.setdefault((pid, wave_of[wid]), {})[name] = value

    return StudyData(
        waves=waves,
        people=people,
        dyads=dyads,
        member_of=member_of,
        interviews=interviews,
        themes=themes,
        theme_latest_code=latest,
        segments=pd.DataFrame(seg_rows, columns=["theme", "interview", "segment", "participant"]),
        theme_words=pd.DataFrame(word_rows, columns=["theme", "interview", "participant", "words"]),
        speech=pd.DataFrame(speech_rows, columns=["interview", "participant", "words"]),
        trajectories=trajectories,
        wave_attributes=wave_attributes,
    )


def _unit_name(
    t: Trajectory, people: dict[int, Person], dyads: dict[int, tuple[str, list[int]]]
) -> str:
    if t.unit_kind == "participant" and t.participant_id is not None:
        return people[t.participant_id].key
    if t.unit_kind == "dyad" and t.dyad_id is not None:
        return dyads[t.dyad_id][0]
    if t.unit_kind == "role" and t.role:
        return t.role
    return "study"


Utterance = tuple[int, str, int | None, int | None, int]
"""id, text, speaker, renders, word count — in interview order."""
InterviewRows = tuple[
    list[tuple[int, int, int, int]], list[tuple[int, int, int, int]], list[tuple[int, int, int]]
]
"""An interview's share of the tidy tables: segments, words inside them, attributed speech."""

_interview_cache: dict[tuple[str, int], tuple[object, InterviewRows]] = {}
"""Per interview, the tidy rows and every input they were computed from (texts included), so a
hit is exact: an edit, a coding, a theme's codes or an attribution changes the key."""
_CACHE_INTERVIEWS = 4000


def forget_cached_rows() -> None:
    """Drop every interview's remembered rows (the next ``collect`` reads everything afresh)."""
    _interview_cache.clear()


def _remember(where: tuple[str, int], key: object, rows: InterviewRows) -> None:
    _interview_cache.pop(where, None)
    _interview_cache[where] = (key, rows)
    while len(_interview_cache) > _CACHE_INTERVIEWS:
        del _interview_cache[next(iter(_interview_cache))]


def _bare_rows(s: Any, stmt: ClauseElement) -> list[tuple[Any, ...]]:
    """The rows of ``stmt`` as plain tuples straight from the database driver: the two big reads
    (codings, utterance texts) skip the per-row work of result objects. Only for statements whose
    parameters are ids (integers), which are written into the SQL."""
    connection = s.connection()
    sql = stmt.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(str(sql))
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _utterances(s: Any, interview_ids: list[int]) -> Iterable[tuple[int, tuple[Utterance, ...]]]:
    """The coded interviews' utterances, a few queries in all (bare rows, no ORM objects)."""
    wanted = sorted(interview_ids)
    for chunk in (wanted[i : i + 500] for i in range(0, len(wanted), 500)):
        result = _bare_rows(
            s,
            select(
                UtteranceRow.interview_id,
                UtteranceRow.id,
                UtteranceRow.text,
                UtteranceRow.speaker_id,
                UtteranceRow.renders_id,
                UtteranceRow.word_count,
            )
            .where(UtteranceRow.interview_id.in_(chunk))
            .order_by(UtteranceRow.interview_id, UtteranceRow.position),
        )
        for iid, group in itertools.groupby(result, key=lambda r: r[0]):
            yield iid, tuple((r[1], r[2], r[3], r[4], r[5]) for r in group)


def _interview_rows(
    interview_id: int,
    rows: tuple[Utterance, ...],
    interviewers: frozenset[int],
    codes_of: dict[int, set[int]],
    codings: list[tuple[int, int, int, int, int]],
    people: dict[int, Person],
) -> InterviewRows:
    texts = [r[1] for r in rows]
    counts = [r[4] for r in rows]
    lengths = [len(t) for t in texts]
    starts = utterance_starts(lengths)
    index = {r[0]: i for i, r in enumerate(rows)}

    # Attribution (DESIGN.md): never an interviewer; a rendering counts for the person rendered.
    owner: list[int | None] = []
    for _, _, speaker, renders, _ in rows:
        who = renders if renders is not None else speaker
        owner.append(None if who is None or who in interviewers or who not in people else who)
    spoken: dict[int, int] = {}
    for who, n in zip(owner, counts, strict=True):
        if who is not None:
            spoken[who] = spoken.get(who, 0) + n
    speech_rows = [(interview_id, pid, n) for pid, n in spoken.items()]

    # A snapshot's coding on an utterance merged away since cannot be placed: it is left out.
    by_code: dict[int, list[tuple[int, int]]] = {}
    for code_id, su, so, eu, eo in codings:
        if su in index and eu in index:
            by_code.setdefault(code_id, []).append((starts[index[su]] + so, starts[index[eu]] + eo))
    # Every theme's segments (its codes' codings merged where they overlap), numbered per theme.
    seg_theme: list[int] = []
    seg_number: list[int] = []
    seg_spans: list[tuple[int, int]] = []
    for theme_id, code_ids in codes_of.items():
        merged = _merge(span for cid in code_ids for span in by_code.get(cid, ()))
        seg_theme += [theme_id] * len(merged)
        seg_number += range(len(merged))
        seg_spans += merged
    if not seg_spans:
        return [], [], speech_rows
    # Each segment cut at utterance edges, one piece per utterance it touches, all at once.
    at = np.array(starts, dtype=np.int64)
    ends = at + np.array(lengths, dtype=np.int64)
    whose = np.array([-1 if o is None else o for o in owner], dtype=np.int64)
    spans_ = np.array(seg_spans, dtype=np.int64)
    seg_from, seg_to = spans_[:, 0], spans_[:, 1]
    first_utterance = np.searchsorted(at, seg_from, side="right") - 1
    touched = np.searchsorted(at, seg_to - 1, side="right") - first_utterance
    piece = np.repeat(np.arange(len(seg_spans)), touched)
    utterance = (
        first_utterance[piece]
        + np.arange(len(piece))
        - np.repeat(np.cumsum(touched) - touched, touched)
    )
    pid = whose[utterance]
    attributed = pid >= 0
    piece, utterance, pid = piece[attributed], utterance[attributed], pid[attributed]

    # Segments: each attributed participant once per segment.
    width = int(pid.max()) + 1 if len(pid) else 1
    once = np.unique(piece * width + pid).tolist()
    seg_rows = [
        (seg_theme[k // width], interview_id, seg_number[k // width], k % width) for k in once
    ]
    # Words wholly inside each piece, summed per theme and participant.
    lo = np.maximum(seg_from[piece], at[utterance])
    hi = np.minimum(seg_to[piece], ends[utterance])
    word_starts, word_ends = _word_edges("\n".join(texts))
    found = np.searchsorted(word_ends, hi, side="right") - np.searchsorted(word_starts, lo)
    found = np.where(lo < hi, np.maximum(found, 0), 0)
    keep = found > 0
    theme_of_piece = np.array(seg_theme, dtype=np.int64)[piece[keep]]
    inside: dict[tuple[int, int], int] = {}
    for theme_id, who, n in zip(
        theme_of_piece.tolist(), pid[keep].tolist(), found[keep].tolist(), strict=True
    ):
        inside[(theme_id, who)] = inside.get((theme_id, who), 0) + n
    word_rows = [(theme_id, interview_id, who, n) for (theme_id, who), n in inside.items()]
    return seg_rows, word_rows, speech_rows


@functools.cache
def _bmp_word() -> np.ndarray:
    """For each code point below U+10000, whether ``re`` counts it as a word character."""
    return np.array([chr(c).isalnum() or c == 0x5F for c in range(0x10000)])


def _word_edges(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Where the words of ``text`` start and end (end exclusive), in order. The words wholly
    inside ``[lo, hi)`` of one utterance are those ending at or before ``hi`` less those
    starting before ``lo`` (at least 0: one word may cover the whole span) — the count
    ``words_inside`` gives, without scanning a span again for every theme. No word runs across
    an utterance edge: the texts are joined by LF."""
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    word = np.zeros(len(points) + 2, dtype=bool)  # a non-word either side
    inner = word[1:-1]
    table = _bmp_word()
    plane = points < 0x10000
    inner[plane] = table[points[plane]]
    others = points[~plane]  # beyond the first plane: rare (emoji, historic scripts)
    if len(others):
        wordy = [u for u in np.unique(others).tolist() if chr(u).isalnum()]
        inner[~plane] = np.isin(others, wordy)
    change = np.flatnonzero(word[1:] != word[:-1])  # alternately a start and an end
    return change[0::2], change[1::2]


def words_inside(text: str, lo: int, hi: int) -> int:
    """How many words of ``text`` lie wholly within ``text[lo:hi]`` (a word cut by an edge of
    the span does not count)."""
    found = WORD_RE.findall(text, lo, hi)
    if not found:
        return 0
    cut_first = lo > 0 and _is_word(text[lo - 1]) and _is_word(text[lo])
    cut_last = hi < len(text) and _is_word(text[hi - 1]) and _is_word(text[hi])
    if len(found) == 1 and (cut_first or cut_last):
        return 0
    return len(found) - int(cut_first) - int(cut_last)


def _is_word(ch: str) -> bool:
    """``\\w`` for one character, as ``re`` defines it: alphanumeric (str.isalnum) or ``_``."""
    return ch.isalnum() or ch == "_"


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
        return p.role != "researcher" and (p.consented or include_unconsented)

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

    def value(self, measure: str) -> int | float | None:
        value: int | float | None = getattr(self, measure)
        return value


def _by_unit(frame: pd.DataFrame, data: StudyData, all_units: list[Unit]) -> pd.DataFrame:
    """``frame`` (rows per participant and interview) joined to the units those rows count for,
    with the wave; for a member of several dyads, a dyad keeps only interviews about it."""
    if frame.empty:
        return frame.assign(unit=pd.Series(dtype="int64"), wave=pd.Series(dtype="object"))
    membership = pd.DataFrame(
        [(i, pid) for i, unit in enumerate(all_units) for pid in unit.members],
        columns=["unit", "participant"],
    )
    joined = frame.merge(membership, on="participant")
    joined["wave"] = joined["interview"].map({iid: iv.wave for iid, iv in data.interviews.items()})
    dyad_units = {i: u.dyad_id for i, u in enumerate(all_units) if u.dyad_id is not None}
    several = [pid for pid, dyads in data.member_of.items() if len(dyads) > 1]
    if dyad_units and several and not joined.empty:  # ``_allowed``, for every row at once
        about = joined["interview"].map({iid: iv.dyad_id for iid, iv in data.interviews.items()})
        checked = joined["unit"].isin(list(dyad_units)) & joined["participant"].isin(several)
        joined = joined[~checked | (about == joined["unit"].map(dyad_units))]
    return joined


def cells(data: StudyData, by: str, *, include_unconsented: bool = False) -> list[Cell]:
    """Every theme × unit × wave cell with all four measures (None where the wave is missing)."""
    return cells_for(data, units(data, by, include_unconsented), include_unconsented)


def cells_for(data: StudyData, all_units: list[Unit], include_unconsented: bool) -> list[Cell]:
    """The cells of the given units. The measures come from grouped sums over the tidy tables;
    the loop below only looks up."""
    segs = _by_unit(data.segments, data, all_units)
    inside = _by_unit(data.theme_words, data, all_units)
    spoken = _by_unit(data.speech, data, all_units)
    keys = ["unit", "theme", "wave"]
    n_segments = (
        segs.drop_duplicates([*keys, "interview", "segment"]).groupby(keys).size().to_dict()
        if not segs.empty
        else {}
    )
    voices: dict[tuple[int, int, str], set[int]] = {}
    if not segs.empty:
        for key in zip(
            segs["unit"].tolist(),
            segs["theme"].tolist(),
            segs["wave"].tolist(),
            segs["participant"].tolist(),
            strict=True,
        ):
            voices.setdefault(key[:3], set()).add(key[3])
    words_in = inside.groupby(keys)["words"].sum().to_dict() if not inside.empty else {}
    words_all = (
        spoken.groupby(["unit", "wave"])["words"].sum().to_dict() if not spoken.empty else {}
    )

    result = []
    for u, unit in enumerate(all_units):
        for wave in data.waves:
            missing = unit_missing(data, unit, wave, include_unconsented)
            attributes = {
                data.people[pid].key: data.wave_attributes[(pid, wave)]
                for pid in unit.members
                if (pid, wave) in data.wave_attributes and unit.kind in ("participant", "dyad")
            }
            # The earliest "marked coded" of the unit's interviews at the wave: a theme drifts
            # there when one of its codes is younger than that.
            earliest = min(
                (
                    iv.coded_at
                    for pid in unit.members
                    for iv in data.interviews_of(pid, wave)
                    if iv.status == "coded"
                    and iv.coded_at is not None
                    and _allowed(data, unit, pid, iv.id)
                ),
                default=None,
            )
            total = int(words_all.get((u, wave), 0))
            for theme_id, theme in data.themes.items():
                latest = data.theme_latest_code.get(theme_id)
                drift = latest is not None and earliest is not None and earliest < latest
                if missing is not None:
                    co = "incomplete" if unit.kind == "dyad" else None
                    result.append(
                        Cell(
                            theme,
                            unit.name,
                            wave,
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
                count = int(n_segments.get((u, theme_id, wave), 0))
                heard = voices.get((u, theme_id, wave), set())
                share = int(words_in.get((u, theme_id, wave), 0)) / total if total else 0.0
                co = _cooccurrence(data, unit, heard) if unit.kind == "dyad" else None
                result.append(
                    Cell(
                        theme,
                        unit.name,
                        wave,
                        count,
                        share,
                        int(count > 0),
                        len(heard),
                        None,
                        co,
                        drift,
                        attributes,
                    )
                )
    order = {name: i for i, name in enumerate(data.themes.values())}
    unit_order = {unit.name: i for i, unit in enumerate(all_units)}
    wave_order = {w: i for i, w in enumerate(data.waves)}
    result.sort(key=lambda c: (unit_order[c.unit], order[c.theme], wave_order[c.wave]))
    return result


def _cooccurrence(data: StudyData, unit: Unit, voices: set[int]) -> str:
    roles = {data.people[p].role for p in voices}
    clinician, patient = "clinician" in roles, "patient" in roles
    if clinician and patient:
        return "both_voice"
    if clinician:
        return "clinician_only"
    if patient:
        return "patient_only"
    return "neither"


def coding_pattern(sequence: list[int | None]) -> tuple[str, bool]:
    """The computed pattern of segment counts over the observed waves, and the gap flag."""
    observed = [(i, x) for i, x in enumerate(sequence) if x is not None]
    gap = False
    if len(observed) >= 2:
        first, last = observed[0][0], observed[-1][0]
        gap = any(sequence[i] is None for i in range(first, last + 1))
    xs = [x for _, x in observed]
    if not xs:
        return "no_observation", gap
    if len(xs) == 1:
        return "single_observation", gap
    if all(x == 0 for x in xs):
        return "absent", gap
    pairs = list(itertools.pairwise(xs))
    if all(x > 0 for x in xs):
        if all(b >= a for a, b in pairs) and xs[-1] > xs[0]:
            return "increasing", gap
        if all(b <= a for a, b in pairs) and xs[-1] < xs[0]:
            return "decreasing", gap
        return "persistent", gap
    first_on = next(i for i, x in enumerate(xs) if x > 0)
    if xs[0] == 0 and xs[-1] > 0 and all(x > 0 for x in xs[first_on:]):
        return "emerging", gap
    first_off = next(i for i, x in enumerate(xs) if x == 0)
    if xs[0] > 0 and xs[-1] == 0 and all(x == 0 for x in xs[first_off:]):
        return "ceasing", gap
    return "intermittent", gap


@dataclass(frozen=True, slots=True)
class TrajectoryRow:
    theme: str
    unit: str
    pattern: str
    sequence: list[int | None]
    gap: bool
    trajectory: str | None


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
    theme_ids = {name: tid for tid, name in data.themes.items()}
    grouped: dict[tuple[str, str], list[int | None]] = {}
    for cell in cells(data, by, include_unconsented=include_unconsented):
        grouped.setdefault((cell.theme, cell.unit), []).append(cell.segments)
    rows = []
    for (theme, unit), sequence in grouped.items():
        pattern, gap = coding_pattern(sequence)
        label = data.trajectories.get((theme_ids[theme], unit))
        rows.append(TrajectoryRow(theme, unit, pattern, sequence, gap, label))
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
