"""Retrieval: coded segments with their attribution, and code counts as pandas DataFrames.

Retrieval is not analysis: every coding is returned whatever its interview's status. Consent is
honoured: participants whose consent is pending or declined are left out unless asked for.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench.coding._anchors import LoadedTranscript
from workbench.coding.codebook import Codebook
from workbench.domain.coding import Segment
from workbench.domain.positions import utterance_starts
from workbench.domain.study import StudyError
from workbench.domain.text import fold
from workbench.storage.models import (
    Coder,
    Coding,
    Dyad,
    DyadMember,
    Interview,
    InterviewParticipantRow,
    Participant,
    ParticipantAttribute,
    Theme,
    ThemeCode,
    UtteranceRow,
    Wave,
)
from workbench.storage.project import Project


@dataclass(frozen=True, slots=True)
class _Person:
    key: str
    role: str
    consented: bool
    dyads: frozenset[str]
    attributes: dict[str, str]


def _people(s: Session) -> dict[int, _Person]:
    dyads: dict[int, set[str]] = {}
    for pid, key in s.execute(select(DyadMember.participant_id, Dyad.key).join(Dyad)):
        dyads.setdefault(pid, set()).add(key)
    attributes: dict[int, dict[str, str]] = {}
    for pid, name, value in s.execute(
        select(
            ParticipantAttribute.participant_id,
            ParticipantAttribute.name,
            ParticipantAttribute.value,
        )
    ):
        attributes.setdefault(pid, {})[name] = value
    return {
        p.id: _Person(
            p.key,
            p.role,
            p.consent == "consented",
            frozenset(dyads.get(p.id, ())),
            attributes.get(p.id, {}),
        )
        for p in s.scalars(select(Participant))
    }


def _code_ids(
    s: Session, book: Codebook, code: str | None, theme: str | None, sub: bool
) -> set[int] | None:
    ids: set[int] | None = None
    if code is not None:
        target = book.find(code)
        ids = {target.id} | ({c.id for c in book.descendants(target)} if sub else set())
    if theme is not None:
        row = s.scalar(select(Theme).where(Theme.name == theme))
        if row is None:
            raise StudyError(f"no theme '{theme}'")
        members = set(s.scalars(select(ThemeCode.code_id).where(ThemeCode.theme_id == row.id)))
        ids = members if ids is None else ids & members
    return ids


def query_segments(
    project: Project,
    *,
    code: str | None = None,
    include_subcodes: bool = True,
    theme: str | None = None,
    wave: str | None = None,
    role: str | None = None,
    dyad: str | None = None,
    participant: str | None = None,
    coder: str | None = None,
    attributes: dict[str, str] | None = None,
    text: str | None = None,
    interview: str | None = None,
    include_unconsented: bool = False,
) -> list[Segment]:
    """Coded segments matching every filter given, in interview then text order."""
    with project.session(write=False) as s:
        book = Codebook(s)
        code_ids = _code_ids(s, book, code, theme, include_subcodes)
        people = _people(s)
        coders = {cid: name for cid, name in s.execute(select(Coder.id, Coder.name))}
        waves = {wid: name for wid, name in s.execute(select(Wave.id, Wave.name))}
        dyad_keys = {did: key for did, key in s.execute(select(Dyad.id, Dyad.key))}
        needle = fold(text) if text else None

        stmt = select(Interview).order_by(Interview.key)
        if interview is not None:
            stmt = stmt.where(Interview.key == interview)
        result: list[Segment] = []
        for iv in s.scalars(stmt):
            if wave is not None and waves.get(iv.wave_id or -1) != wave:
                continue
            codings_stmt = select(Coding).where(Coding.interview_id == iv.id)
            if code_ids is not None:
                codings_stmt = codings_stmt.where(Coding.code_id.in_(code_ids))
            codings = list(s.scalars(codings_stmt))
            if not codings:
                continue
            transcript = LoadedTranscript.load(s, iv)
            interviewers = set(
                s.scalars(
                    select(InterviewParticipantRow.participant_id).where(
                        InterviewParticipantRow.interview_id == iv.id,
                        InterviewParticipantRow.role == "interviewer",
                    )
                )
            )
            full = transcript.text
            for c in codings:
                seg = _segment(c, iv, transcript, full, people, interviewers, include_unconsented)
                if seg is None:
                    continue
                attributed = [people[pid] for pid in seg[1]]
                if role is not None and not any(p.role == role for p in attributed):
                    continue
                if participant is not None and participant not in {p.key for p in attributed}:
                    continue
                if dyad is not None and not (
                    (iv.dyad_id is None or dyad_keys.get(iv.dyad_id) == dyad)
                    and any(dyad in p.dyads for p in attributed)
                ):
                    continue
                if coder is not None and coders.get(c.coder_id or -1) != coder:
                    continue
                if attributes and not any(
                    all(p.attributes.get(k) == v for k, v in attributes.items()) for p in attributed
                ):
                    continue
                start, end, first, last = seg[0]
                body = full[start:end]
                if needle is not None and needle not in fold(body):
                    continue
                rows = transcript.rows
                result.append(
                    Segment(
                        coding=c.guid,
                        interview=iv.key,
                        wave=waves.get(iv.wave_id) if iv.wave_id else None,
                        dyad=dyad_keys.get(iv.dyad_id) if iv.dyad_id else None,
                        code=book.path(book.by_id[c.code_id]),
                        start=start,
                        end=end,
                        text=body,
                        participants=tuple(sorted(p.key for p in attributed)),
                        speakers=tuple(
                            dict.fromkeys(
                                people[r.speaker_id].key
                                if r.speaker_id in people
                                else (r.speaker_label or "?")
                                for r in rows[first : last + 1]
                            )
                        ),
                        start_ms=rows[first].start_ms,
                        end_ms=rows[last].end_ms,
                        before=rows[first - 1].text if first > 0 else None,
                        after=rows[last + 1].text if last + 1 < len(rows) else None,
                        coder=coders.get(c.coder_id) if c.coder_id else None,
                        memo=c.memo,
                        important=c.important,
                    )
                )
        result.sort(key=lambda g: (g.interview, g.start, g.end, g.code))
        return result


def _segment(
    c: Coding,
    iv: Interview,
    transcript: LoadedTranscript,
    full: str,
    people: dict[int, _Person],
    interviewers: set[int],
    include_unconsented: bool,
) -> tuple[tuple[int, int, int, int], list[int]] | None:
    """The span and the participants it is attributed to; None when consent excludes it."""
    start, end = transcript.span(c)
    first = transcript.index_of(c.start_utterance_id)
    last = transcript.index_of(c.end_utterance_id)
    attributed: list[int] = []
    for row in transcript.rows[first : last + 1]:
        who = row.renders_id if row.renders_id is not None else row.speaker_id
        if who is None or who in interviewers or who not in people:
            continue
        if who not in attributed:
            attributed.append(who)
    if not include_unconsented:
        kept = [pid for pid in attributed if people[pid].consented]
        if attributed and not kept:
            return None
        attributed = kept
    return (start, end, first, last), attributed


def cooccurrence(project: Project, *, within: str = "overlap") -> pd.DataFrame:
    """Code × code counts of codings that overlap (``overlap``) or share an utterance
    (``utterance``) within one interview. The diagonal counts each code's codings."""
    if within not in ("overlap", "utterance"):
        raise StudyError("co-occurrence is counted 'overlap' or 'utterance'")
    with project.session(write=False) as s:
        book = Codebook(s)
        names = [book.path(c) for c in book.codes]
        column = {c.id: i for i, c in enumerate(book.codes)}
        counts = np.zeros((len(names), len(names)), dtype=np.int64)
        lengths: dict[int, list[int]] = {}
        for interview_id, length in s.execute(
            select(UtteranceRow.interview_id, func.length(UtteranceRow.text)).order_by(
                UtteranceRow.interview_id, UtteranceRow.position
            )
        ):
            lengths.setdefault(interview_id, []).append(int(length))
        index: dict[int, tuple[int, int]] = {}
        for uid, interview_id, position in s.execute(
            select(UtteranceRow.id, UtteranceRow.interview_id, UtteranceRow.position)
        ):
            index[uid] = (interview_id, position)
        spans: dict[int, list[tuple[int, int, int]]] = {}
        for code_id, su, so, eu, eo in s.execute(
            select(
                Coding.code_id,
                Coding.start_utterance_id,
                Coding.start_offset,
                Coding.end_utterance_id,
                Coding.end_offset,
            )
        ):
            interview_id, first = index[su]
            _, last = index[eu]
            if within == "overlap":
                starts = utterance_starts(lengths[interview_id])
                a, b = starts[first] + so, starts[last] + eo
            else:
                a, b = first, last + 1
            spans.setdefault(interview_id, []).append((a, b, column[code_id]))
        for items in spans.values():
            items.sort()
            for i, (_, b, code) in enumerate(items):
                counts[code, code] += 1
                for a2, _b2, other in items[i + 1 :]:
                    if a2 >= b:
                        break
                    if other != code:
                        counts[code, other] += 1
                        counts[other, code] += 1
        return pd.DataFrame(counts, index=names, columns=names)


def code_counts(
    project: Project, *, by: str = "interview", include_unconsented: bool = False
) -> pd.DataFrame:
    """Codings per code × interview, or per code × attributed participant."""
    if by not in ("interview", "participant"):
        raise StudyError("counts are by 'interview' or 'participant'")
    segments = query_segments(project, include_unconsented=include_unconsented)
    records: Iterable[tuple[str, str]]
    if by == "interview":
        records = ((g.code, g.interview) for g in segments)
    else:
        records = ((g.code, p) for g in segments for p in g.participants)
    frame = pd.DataFrame(list(records), columns=["code", by])
    if frame.empty:
        return pd.DataFrame(dtype="int64")
    return pd.crosstab(frame["code"], frame[by])
