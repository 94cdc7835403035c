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
import datetime as dt
import functools
import hashlib
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement

from workbench.coding.snapshots import load_snapshot
from workbench.domain.positions import utterance_starts
from workbench.domain.study import Span, StudyError, voice_runs
from workbench.domain.text import WORD_RE
from workbench.storage.models import (
    CODING_ANCHORS,
    Code,
    Coding,
    Dyad,
    DyadMember,
    Interview,
    InterviewParticipantRow,
    Participant,
    ParticipantWaveAttribute,
    RenderingSpan,
    Theme,
    ThemeCode,
    Trajectory,
    UtteranceLink,
    UtteranceRow,
    Wave,
    analysis_rows,
    interview_version,
)
from workbench.storage.project import BUSY_TIMEOUT_MS, Project

MEASURES = ("segments", "words", "presence", "participants")
BY = ("study", "role", "participant", "dyad")
UNIT_ROLES = ("patient", "clinician", "interpreter", "other")


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    key: str
    role: str
    consented: bool
    team: bool = False
    """study role *team*: never voicing, never a unit"""


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
            p.id: Person(p.id, p.key, p.role, p.consent == "consented", p.study_role == "team")
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
        versions: dict[int, int] = {}
        if frozen is None:
            themes = {
                t.id: t.name for t in s.scalars(select(Theme).order_by(Theme.position, Theme.id))
            }
            links = [
                (tid, cid) for tid, cid in s.execute(select(ThemeCode.theme_id, ThemeCode.code_id))
            ]
            created = {cid: at for cid, at in s.execute(select(Code.id, Code.created_at))}
            # Read before any coding or text: rows computed from data newer than the version
            # they are kept under are never reused (that version is already gone).
            versions = dict(
                _bare_rows(s, select(interview_version.c.interview_id, interview_version.c.version))
            )
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

        coded = sorted(iid for iid in read if interviews[iid].status == "coded")
        if frozen is None:
            rows, fresh = _current_rows(project, s, coded, versions, codes_of, interviews, people)
        else:
            needs = {iid: list(codes_of) for iid in coded}
            rows = _computed_rows(s, needs, codings, codes_of, interviews, people)
            fresh = {}

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
Rows = tuple[np.ndarray, np.ndarray, np.ndarray]
"""An interview's share of the tidy tables, as int64 arrays: its segments (theme, segment
number, participant), the words inside them (theme, participant, words) and the attributed
speech (participant, words)."""

ROWS_FORMAT = 3
"""Part of every kept row's key and the first number of its blob: change it whenever
``_interview_rows`` computes differently or the blob's layout changes."""
_MEMORY = "longitudinal rows"

Kept = tuple[int, str, dict[int, int], Rows]
"""An interview's rows with what they were computed for: its version, the whole theme
membership (hashed), and each theme's own code set (hashed) — so after a code moves, the rows of
the themes whose codes did not change are reused."""


def forget_cached_rows(project: Project) -> None:
    """Drop the rows this handle remembers (the next ``collect`` reads what the project keeps,
    as the first read after opening it does)."""
    project.remembered.pop(_MEMORY, None)


def _digest(value: object) -> bytes:
    return hashlib.sha256(repr((ROWS_FORMAT, value)).encode()).digest()


def _team(people: dict[int, Person]) -> list[int]:
    return sorted(pid for pid, p in people.items() if p.team)


def _inputs_key(codes_of: dict[int, set[int]], people: dict[int, Person]) -> str:
    """What every interview's rows depend on besides the interview itself: theme membership
    and who is the team (attribution)."""
    membership = sorted((tid, sorted(cids)) for tid, cids in codes_of.items())
    return _digest((membership, _team(people))).hex()


def _theme_keys(codes_of: dict[int, set[int]], people: dict[int, Person]) -> dict[int, int]:
    """Per theme, its code set (and the team) hashed (a theme's rows depend on nothing else of
    the themes)."""
    team = _team(people)
    return {
        tid: int.from_bytes(_digest((sorted(cids), team))[:8], "little", signed=True)
        for tid, cids in codes_of.items()
    }


def _current_rows(
    project: Project,
    s: Any,
    coded: list[int],
    versions: dict[int, int],
    codes_of: dict[int, set[int]],
    interviews: dict[int, InterviewFacts],
    people: dict[int, Person],
) -> tuple[dict[int, Rows], dict[int, Kept]]:
    """Each coded interview's rows: remembered by this handle, else kept in the project, else
    computed (and returned as ``fresh`` to be kept) — always for the interview's current
    version, so a reused row is exact. Rows kept for another theme membership are reused theme
    by theme: only the themes whose codes changed are computed again."""
    inputs = _inputs_key(codes_of, people)
    keys = _theme_keys(codes_of, people)
    memory: dict[int, Kept] = project.remembered.setdefault(_MEMORY, {})
    found: dict[int, Rows] = {}
    earlier: dict[int, Kept] = {}  # this version, another membership
    wanted = []
    for iid in coded:
        hit = memory.get(iid)
        if hit is not None and hit[0] == versions.get(iid):
            if hit[1] == inputs:
                found[iid] = hit[3]
                continue
            earlier[iid] = hit
        wanted.append(iid)
    for chunk in _chunks([iid for iid in wanted if iid not in earlier]):
        stmt = select(
            analysis_rows.c.interview_id,
            analysis_rows.c.version,
            analysis_rows.c.inputs,
            analysis_rows.c.rows,
        ).where(analysis_rows.c.interview_id.in_(chunk))
        for iid, version, their_inputs, blob in _bare_rows(s, stmt):
            unpacked = _unpack(bytes(blob))
            if version != versions.get(iid) or unpacked is None:
                continue
            kept_ = (version, their_inputs, *unpacked)
            if their_inputs == inputs:
                found[iid] = kept_[3]
                memory[iid] = kept_
            else:
                earlier[iid] = kept_
    wanted = [iid for iid in wanted if iid not in found]
    fresh: dict[int, Kept] = {}
    if not wanted:
        return found, fresh
    needs: dict[int, list[int]] = {}
    for iid in wanted:
        before = earlier.get(iid)
        same = {t for t, k in before[2].items() if keys.get(t) == k} if before else set()
        needs[iid] = [t for t in codes_of if t not in same]
    codes = {c for iid in wanted for t in needs[iid] for c in codes_of[t]}
    computed = _computed_rows(s, needs, _codings(s, wanted, codes), codes_of, interviews, people)
    for iid in wanted:
        rows = computed[iid]
        before = earlier.get(iid)
        if before is not None:
            rows = _joined(before[3], rows, set(codes_of) - set(needs[iid]))
        found[iid] = rows
        if iid in versions:  # none only for a project the triggers have not reached
            memory[iid] = fresh[iid] = (versions[iid], inputs, keys, rows)
    return found, fresh


def _joined(before: Rows, computed: Rows, reused: set[int]) -> Rows:
    """The rows of the ``reused`` themes from ``before`` and the rest from ``computed`` (whose
    speech rows are the interview's own, the same whichever themes)."""
    ids = np.array(sorted(reused), dtype=np.int64)
    return (
        np.concatenate((before[0][np.isin(before[0][:, 0], ids)], computed[0])),
        np.concatenate((before[1][np.isin(before[1][:, 0], ids)], computed[1])),
        computed[2],
    )


def _chunks(ids: list[int], size: int = 500) -> Iterable[list[int]]:
    return (ids[i : i + size] for i in range(0, len(ids), size))


def _codings(
    s: Any, interview_ids: list[int], codes: set[int]
) -> dict[int, list[tuple[int, int, int, int, int]]]:
    """The interviews' codings of the given codes (in no particular order: segments are
    merged from sorted spans)."""
    codings: dict[int, list[tuple[int, int, int, int, int]]] = {}
    if not codes:
        return codings
    for chunk in _chunks(interview_ids):
        stmt = select(
            Coding.interview_id,
            Coding.code_id,
            *CODING_ANCHORS,
        ).where(Coding.interview_id.in_(chunk), Coding.code_id.in_(sorted(codes)))
        for iid, code_id, su, so, eu, eo in _bare_rows(s, stmt):
            codings.setdefault(iid, []).append((code_id, su, so, eu, eo))
    return codings


def _computed_rows(
    s: Any,
    needs: dict[int, list[int]],
    codings: dict[int, list[tuple[int, int, int, int, int]]],
    codes_of: dict[int, set[int]],
    interviews: dict[int, InterviewFacts],
    people: dict[int, Person],
) -> dict[int, Rows]:
    """The rows of the given interviews for the given themes (and their attributed speech).
    Only the texts of utterances that one of those themes' codings reaches are read: the others
    stand in as empty, which moves later positions but no segment and no word inside one (no
    segment crosses them; each still has its own line)."""
    done = {iid: _NO_ROWS for iid in needs}
    utterances = _utterance_facts(s, list(needs))
    wanted: dict[int, tuple[dict[int, set[int]], list[tuple[int, int, int, int, int]]]] = {}
    reached: list[int] = []
    for iid, facts in utterances.items():
        themes = {t: codes_of[t] for t in needs[iid] if t in codes_of}
        codes = set().union(*themes.values()) if themes else set()
        own = [c for c in codings.get(iid, []) if c[0] in codes]
        if own:  # every utterance from a coding's first to its last
            ids = np.array([u[0] for u in facts], dtype=np.int64)
            order = np.argsort(ids)
            ends = np.array([(c[1], c[3]) for c in own], dtype=np.int64)
            at = np.minimum(np.searchsorted(ids, ends, sorter=order), len(ids) - 1)
            placed = (ids[order[at]] == ends).all(axis=1)
            first, last = order[at[placed]].min(axis=1), order[at[placed]].max(axis=1)
            mark = np.zeros(len(facts) + 1, dtype=np.int64)
            np.add.at(mark, first, 1)
            np.add.at(mark, last + 1, -1)
            reached += ids[np.cumsum(mark[:-1]) > 0].tolist()
        wanted[iid] = (themes, own)
    marks = _voice_marks(s, list(utterances))
    reached += [uid for spans, _ in marks.values() for uid in spans]  # their words are cut
    total = sum(len(facts) for facts in utterances.values())
    texts = _texts(s, list(utterances), reached, every=2 * len(reached) >= total)
    team = frozenset(_team(people))
    for iid, facts in utterances.items():
        themes, own = wanted[iid]
        rows = tuple((u[0], texts.get(u[0], ""), u[1], u[2], u[3]) for u in facts)
        silent = team | {
            pid for pid, role in interviews[iid].roles.items() if role == "interviewer"
        }
        done[iid] = _interview_rows(rows, silent, themes, own, people, marks.get(iid, ({}, [])))
    return done


_NO_ROWS: Rows = (
    np.zeros((0, 3), dtype=np.int64),
    np.zeros((0, 3), dtype=np.int64),
    np.zeros((0, 2), dtype=np.int64),
)


def _pack(keys: dict[int, int], rows: Rows) -> bytes:
    """One int64 array: the format, the counts, (theme, code-set hash) pairs, then the rows."""
    head = [ROWS_FORMAT, len(keys), len(rows[0]), len(rows[1]), len(rows[2])]
    pairs = [x for pair in sorted(keys.items()) for x in pair]
    arrays = (np.array(head + pairs, dtype=np.int64), *rows)
    return b"".join(np.ascontiguousarray(a, dtype="<i8").tobytes() for a in arrays)


def _unpack(blob: bytes) -> tuple[dict[int, int], Rows] | None:
    """What ``_pack`` made, or None for a blob of another format."""
    flat = np.frombuffer(blob, dtype="<i8").astype(np.int64)
    if len(flat) < 5 or int(flat[0]) != ROWS_FORMAT:
        return None
    n_keys, n_seg, n_words, n_speech = flat[1:5].tolist()
    at = 5 + 2 * n_keys
    pairs = flat[5:at].tolist()
    keys = dict(zip(pairs[0::2], pairs[1::2], strict=True))
    seg_end = at + 3 * n_seg
    words_end = seg_end + 3 * n_words
    return keys, (
        flat[at:seg_end].reshape(n_seg, 3),
        flat[seg_end:words_end].reshape(n_words, 3),
        flat[words_end : words_end + 2 * n_speech].reshape(n_speech, 2),
    )


def _keep(project: Project, fresh: dict[int, Kept]) -> None:
    """Keep freshly computed rows in the project for the next handle (the first read after
    opening). Best effort, never waiting long: a read-only project, a busy writer or a
    concurrent change only means the rows are computed again next time."""
    values = [
        {"interview_id": iid, "version": version, "inputs": inputs, "rows": _pack(keys, rows)}
        for iid, (version, inputs, keys, rows) in fresh.items()
    ]
    with project.engine.connect() as conn:
        if project.is_sqlite:
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {_KEEP_WAIT_MS}")
            conn.commit()
        try:
            with conn.begin():
                if not project.is_sqlite:  # derived rows: wait briefly for locks, not for the disk
                    conn.exec_driver_sql(f"SET LOCAL lock_timeout = {_KEEP_WAIT_MS}")
                    conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
                for chunk in _chunks(list(fresh)):
                    conn.execute(
                        delete(analysis_rows).where(analysis_rows.c.interview_id.in_(chunk))
                    )
                for start in range(0, len(values), 100):
                    conn.execute(insert(analysis_rows), values[start : start + 100])
        except DBAPIError:
            pass
        finally:
            if project.is_sqlite:
                conn.exec_driver_sql(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                conn.commit()


_KEEP_WAIT_MS = 200


def _frames(rows: list[tuple[int, Rows]]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The three tidy tables from the interviews' rows, in interview order."""

    def frame(part: int, columns: list[str]) -> pd.DataFrame:
        arrays = [r[part] for _, r in rows]
        width = len(columns) - 1
        ids = np.repeat(
            np.array([iid for iid, _ in rows], dtype=np.int64), [len(a) for a in arrays]
        )
        stacked = np.concatenate(arrays) if arrays else np.zeros((0, width), dtype=np.int64)
        own = [c for c in columns if c != "interview"]
        table = {c: ids if c == "interview" else stacked[:, own.index(c)] for c in columns}
        return pd.DataFrame(table, copy=False)

    return (
        frame(0, ["theme", "interview", "segment", "participant"]),
        frame(1, ["theme", "interview", "participant", "words"]),
        frame(2, ["interview", "participant", "words"]),
    )


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


def _utterance_facts(
    s: Any, interview_ids: list[int]
) -> dict[int, list[tuple[int, int | None, int | None, int]]]:
    """Per interview, its utterances in order: id, speaker, whom it renders, word count (bare
    rows, no text)."""
    found: dict[int, list[tuple[int, int | None, int | None, int]]] = {}
    for chunk in _chunks(sorted(interview_ids)):
        result = _bare_rows(
            s,
            select(
                UtteranceRow.interview_id,
                UtteranceRow.id,
                UtteranceRow.speaker_id,
                UtteranceRow.renders_id,
                UtteranceRow.word_count,
            )
            .where(UtteranceRow.interview_id.in_(chunk))
            .order_by(UtteranceRow.interview_id, UtteranceRow.position),
        )
        for iid, group in itertools.groupby(result, key=lambda r: r[0]):
            found[iid] = [(r[1], r[2], r[3], r[4]) for r in group]
    return found


Marks = tuple[dict[int, list[Span]], list[tuple[int, int]]]
"""An interview's rendering spans (utterance id -> spans) and links (original, rendering)."""


def _voice_marks(s: Any, interview_ids: list[int]) -> dict[int, Marks]:
    """Per interview, its rendering spans and original/rendering links (only interviews with
    any)."""
    found: dict[int, Marks] = {}
    for chunk in _chunks(sorted(interview_ids)):
        for iid, uid, lo, hi, pid in _bare_rows(
            s,
            select(
                RenderingSpan.interview_id,
                RenderingSpan.utterance_id,
                RenderingSpan.start_offset,
                RenderingSpan.end_offset,
                RenderingSpan.participant_id,
            ).where(RenderingSpan.interview_id.in_(chunk)),
        ):
            found.setdefault(iid, ({}, []))[0].setdefault(uid, []).append((lo, hi, pid))
        for iid, original, rendering in _bare_rows(
            s,
            select(
                UtteranceLink.interview_id, UtteranceLink.original_id, UtteranceLink.rendering_id
            ).where(UtteranceLink.interview_id.in_(chunk)),
        ):
            found.setdefault(iid, ({}, []))[1].append((original, rendering))
    return found


def _texts(s: Any, interview_ids: list[int], ids: list[int], *, every: bool) -> dict[int, str]:
    """The texts of utterances ``ids``: with ``every`` (most of them), all the interviews'
    texts in a few queries; else those utterances alone."""
    texts: dict[int, str] = {}
    if every:
        for chunk in _chunks(sorted(interview_ids)):
            stmt = select(UtteranceRow.id, UtteranceRow.text).where(
                UtteranceRow.interview_id.in_(chunk)
            )
            texts.update(_bare_rows(s, stmt))
        return texts
    for chunk in _chunks(sorted(ids), 2000):
        stmt = select(UtteranceRow.id, UtteranceRow.text).where(UtteranceRow.id.in_(chunk))
        texts.update(_bare_rows(s, stmt))
    return texts


def _interview_rows(
    rows: tuple[Utterance, ...],
    silent: frozenset[int],
    codes_of: dict[int, set[int]],
    codings: list[tuple[int, int, int, int, int]],
    people: dict[int, Person],
    marks: Marks = ({}, []),
) -> Rows:
    texts = [r[1] for r in rows]
    lengths = [len(t) for t in texts]
    starts = utterance_starts(lengths)

    # Attribution (DESIGN.md, ``voice_runs``): never an interviewer or the team; a rendering
    # (an utterance's, or a span's inside it) counts for the person rendered, an interpreter's
    # unmarked words around spans for the interpreter. Runs: (start, end, owner) in the text.
    runs: list[tuple[int, int, int | None]] = []
    spoken: dict[int, int] = {}
    for (uid, text, speaker, renders, count), start in zip(rows, starts, strict=True):
        spans = marks[0].get(uid, [])
        for lo, hi, who in voice_runs(len(text), speaker, renders, spans, silent):
            who = who if who in people else None
            runs.append((start + lo, start + hi, who))
            if who is not None:
                n = count if not spans else words_inside(text, lo, hi)
                spoken[who] = spoken.get(who, 0) + n
    speech = np.array(list(spoken.items()), dtype=np.int64).reshape(len(spoken), 2)

    segs = _theme_segments(rows, starts, codes_of, codings)
    if segs is None:
        return _NO_ROWS[0], _NO_ROWS[1], speech
    seg_theme, seg_number, seg_from, seg_to = segs
    if marks[1]:
        seg_number = _once_per_link(rows, starts, marks[1], segs)
    # Each segment cut at run edges (utterances, rendering spans), one piece per run it
    # touches, all at once.
    at = np.array([r[0] for r in runs], dtype=np.int64)
    ends = np.array([r[1] for r in runs], dtype=np.int64)
    whose = np.array([-1 if r[2] is None else r[2] for r in runs], dtype=np.int64)
    first_utterance = np.searchsorted(at, seg_from, side="right") - 1
    touched = np.searchsorted(at, seg_to - 1, side="right") - first_utterance
    piece = np.repeat(np.arange(len(seg_from)), touched)
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
    once = np.unique(piece * width + pid)
    segments = np.column_stack((seg_theme[once // width], seg_number[once // width], once % width))
    # Words wholly inside each piece, summed per theme and participant.
    lo = np.maximum(seg_from[piece], at[utterance])
    hi = np.minimum(seg_to[piece], ends[utterance])
    word_starts, word_ends = _word_edges("\n".join(texts))
    found = np.searchsorted(word_ends, hi, side="right") - np.searchsorted(word_starts, lo)
    found = np.where(lo < hi, np.maximum(found, 0), 0)
    keep = found > 0
    pair, inverse = np.unique(seg_theme[piece[keep]] * width + pid[keep], return_inverse=True)
    totals = np.bincount(inverse.ravel(), weights=found[keep], minlength=len(pair))
    words = np.column_stack((pair // width, pair % width, totals.astype(np.int64)))
    return segments, words, speech


def _once_per_link(
    rows: tuple[Utterance, ...],
    starts: list[int],
    links: list[tuple[int, int]],
    found: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
) -> np.ndarray:
    """Segment numbers where a theme's segment on a rendering takes the number of the same
    theme's segment on its original: the pair counts once wherever segments are counted."""
    theme, number, seg_from, seg_to = found
    number = number.copy()
    index = {r[0]: i for i, r in enumerate(rows)}

    def touching(uid: int) -> np.ndarray:
        i = index[uid]
        lo, hi = starts[i], starts[i] + len(rows[i][1])
        return np.flatnonzero((seg_from < max(hi, lo + 1)) & (seg_to > lo))

    for original, rendering in links:
        if original not in index or rendering not in index:
            continue
        on_original = touching(original)
        for k in touching(rendering):
            same = on_original[theme[on_original] == theme[k]]
            if len(same):
                number[k] = number[same].min()
    return number


def _theme_segments(
    rows: tuple[Utterance, ...],
    starts: list[int],
    codes_of: dict[int, set[int]],
    codings: list[tuple[int, int, int, int, int]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """Every theme's segments in the interview: its codes' codings merged where they overlap
    (spans that only touch stay apart, as ``_merge``), numbered per theme in text order — for
    all themes at once. (theme, number, start, end) arrays, or None when there is none."""
    members = sorted((cid, rank) for rank, cids in enumerate(codes_of.values()) for cid in cids)
    if not codings or not members:
        return None
    theme_ids = np.array(list(codes_of), dtype=np.int64)
    member_code = np.array([cid for cid, _ in members], dtype=np.int64)
    member_rank = np.array([rank for _, rank in members], dtype=np.int64)
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    order = np.argsort(ids)
    anchors = np.array(codings, dtype=np.int64).reshape(len(codings), 5)

    def place(utterance_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        at = np.minimum(np.searchsorted(ids, utterance_ids, sorter=order), len(ids) - 1)
        return order[at], ids[order[at]] == utterance_ids

    # A snapshot's coding on an utterance merged away since cannot be placed: it is left out.
    first, placed_first = place(anchors[:, 1])
    last, placed_last = place(anchors[:, 3])
    at = np.array(starts, dtype=np.int64)
    placed = placed_first & placed_last
    code = anchors[placed, 0]
    span_from = at[first[placed]] + anchors[placed, 2]
    span_to = at[last[placed]] + anchors[placed, 4]
    # One entry per coding and theme its code sits in.
    lo = np.searchsorted(member_code, code, side="left")
    times = np.searchsorted(member_code, code, side="right") - lo
    coding = np.repeat(np.arange(len(code)), times)
    rank = member_rank[
        np.repeat(lo, times) + np.arange(len(coding)) - np.repeat(np.cumsum(times) - times, times)
    ]
    if not len(rank):
        return None
    # Themes kept apart by an offset larger than any position, so one running maximum of the
    # ends serves them all: a span opens a segment unless it starts before that maximum.
    apart = int(max(span_from.max(), span_to.max())) + 2
    key_from = rank * apart + span_from[coding]
    key_to = rank * apart + span_to[coding]
    order_ = np.lexsort((key_to, key_from))
    key_from, key_to = key_from[order_], key_to[order_]
    reach = np.maximum.accumulate(key_to)
    opens = np.ones(len(key_from), dtype=bool)
    opens[1:] = key_from[1:] >= reach[:-1]
    first_of = np.flatnonzero(opens)
    seg_rank = key_from[first_of] // apart
    seg_from = key_from[first_of] - seg_rank * apart
    seg_to = np.maximum.reduceat(key_to, first_of) - seg_rank * apart
    number = np.arange(len(first_of)) - np.searchsorted(seg_rank, seg_rank, side="left")
    return theme_ids[seg_rank], number, seg_from, seg_to


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
    over the tidy tables); the loop below only looks up."""
    theme_ids = list(data.themes)
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
    segments_l, voices_l = n_segments.tolist(), n_voices.tolist()
    words_in_l, words_all_l = words_in.tolist(), words_all.tolist()
    clinician_l, patient_l = (clinician > 0).tolist(), (patient > 0).tolist()

    latest = [data.theme_latest_code.get(tid) for tid in theme_ids]
    names = [data.themes[tid] for tid in theme_ids]
    result = []
    for u, unit_ in enumerate(all_units):
        dyad = unit_.kind == "dyad"
        at_wave = []
        for w, wave_name in enumerate(data.waves):
            missing = unit_missing(data, unit_, wave_name, include_unconsented)
            attributes = {
                data.people[pid].key: data.wave_attributes[(pid, wave_name)]
                for pid in unit_.members
                if (pid, wave_name) in data.wave_attributes
                and unit_.kind in ("participant", "dyad")
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
            total = int(words_all_l[u * n_waves + w])
            at_wave.append((wave_name, missing, attributes, earliest, total))
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
                count = segments_l[c]
                share = int(words_in_l[c]) / total if total else 0.0
                co = _cooccurrence(clinician_l[c], patient_l[c]) if dyad else None
                result.append(
                    Cell(
                        theme,
                        unit_.name,
                        wave_name,
                        count,
                        share,
                        int(count > 0),
                        voices_l[c],
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


def _cooccurrence(clinician: bool, patient: bool) -> str:
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


def shape(values: Sequence[float | int | None]) -> str | None:
    """The form of the observed values across waves (None with fewer than two): ``flat`` (all
    equal), ``dip`` (a middle wave below both ends), ``peak`` (one above both), else ``rising``
    or ``falling`` by the last against the first. Unlike the coding pattern, a dip or a surge
    is named rather than folded into "persistent"."""
    xs = [x for x in values if x is not None]
    if len(xs) < 2:
        return None
    if all(x == xs[0] for x in xs):
        return "flat"
    inner = xs[1:-1]
    if inner and min(inner) < min(xs[0], xs[-1]):
        return "dip"
    if inner and max(inner) > max(xs[0], xs[-1]):
        return "peak"
    return "rising" if xs[-1] > xs[0] else "falling"


def censored(sequence: Sequence[int | float | None]) -> bool:
    """True when the last observed wave precedes a missing one (a drop-out, or a wave not yet
    coded): what follows is unknown, so "ceasing" there is no finding."""
    observed = [i for i, x in enumerate(sequence) if x is not None]
    return bool(observed) and observed[-1] < len(sequence) - 1


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
