"""Each interview's rows kept while its version and its themes' codes are unchanged —
remembered by the handle and kept in the project (docs/interview-versions.md)."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import DBAPIError

from workbench.analysis.segments import _computed_rows, _team
from workbench.analysis.study_data import InterviewFacts, Person, Rows, _bare_rows
from workbench.storage.models import (
    CODING_ANCHORS,
    Coding,
    analysis_rows,
)
from workbench.storage.project import BUSY_TIMEOUT_MS, Project
from workbench.storage.rows import chunks

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
    for chunk in chunks([iid for iid in wanted if iid not in earlier]):
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


def _codings(
    s: Any, interview_ids: list[int], codes: set[int]
) -> dict[int, list[tuple[int, int, int, int, int]]]:
    """The interviews' codings of the given codes (in no particular order: segments are
    merged from sorted spans)."""
    codings: dict[int, list[tuple[int, int, int, int, int]]] = {}
    if not codes:
        return codings
    for chunk in chunks(interview_ids):
        stmt = select(
            Coding.interview_id,
            Coding.code_id,
            *CODING_ANCHORS,
        ).where(Coding.interview_id.in_(chunk), Coding.code_id.in_(sorted(codes)))
        for iid, code_id, su, so, eu, eo in _bare_rows(s, stmt):
            codings.setdefault(iid, []).append((code_id, su, so, eu, eo))
    return codings


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
                for chunk in chunks(list(fresh)):
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
