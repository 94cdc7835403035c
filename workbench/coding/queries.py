"""Retrieval: coded segments with their attribution, and code counts as pandas DataFrames.

Retrieval is not analysis: every coding is returned whatever its interview's status. Consent is
honoured: participants whose consent is pending or declined are left out unless asked for.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench.coding.codebook import Codebook
from workbench.domain.coding import Segment
from workbench.domain.positions import utterance_starts
from workbench.domain.study import Span, StudyError, voice_runs
from workbench.domain.text import fold
from workbench.storage.models import (
    CODING_ANCHORS,
    Coder,
    Coding,
    Dyad,
    DyadMember,
    Interview,
    InterviewParticipantRow,
    Participant,
    ParticipantAttribute,
    RenderingSpan,
    Theme,
    ThemeCode,
    UtteranceRow,
    Wave,
)
from workbench.storage.project import Project
from workbench.storage.rows import chunks


@dataclass(frozen=True, slots=True)
class _Person:
    key: str
    role: str
    consented: bool
    dyads: frozenset[str]
    attributes: dict[str, str]
    team: bool


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
            p.study_role == "team",
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


@dataclass(frozen=True, slots=True)
class _Utt:
    id: int
    position: int
    length: int
    speaker_id: int | None
    speaker_label: str | None
    renders_id: int | None
    start_ms: int | None
    end_ms: int | None
    verified: bool


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
    codings: Collection[str] | None = None,
) -> list[Segment]:
    """Coded segments matching every filter given, in interview then text order.

    ``codings`` (coding GUIDs) keeps only those codings: a few pinned quotes are read without
    reading the study's every segment.

    Reads light utterance rows (lengths, speakers, times) for the interviews involved and the
    text of only the utterances a segment covers or borders, so a query over a large study
    does not load every transcript.
    """
    with project.session(write=False) as s:
        book = Codebook(s)
        code_ids = _code_ids(s, book, code, theme, include_subcodes)
        people = _people(s)
        coders = {cid: name for cid, name in s.execute(select(Coder.id, Coder.name))}
        interviews = _interviews(s, interview, wave)
        if not interviews:
            return []
        found = _codings(s, interviews, code_ids, codings)
        read = _read(s, sorted({c.interview_id for c in found}), people)
        wanted = _Wanted(role, participant, dyad, coder, attributes, include_unconsented)
        picked: list[tuple[Coding, int, int, list[int]]] = []
        for c in found:
            first, last, attributed = read.attribute(c, people)
            dyad_key = interviews[c.interview_id][2]
            kept = wanted.keep(c, read.utts[c.interview_id][first : last + 1], attributed,
                               read.withheld, people, coders, dyad_key)  # fmt: skip
            if kept is not None:
                picked.append((c, first, last, kept))
        texts = _texts(s, picked, read.utts)
        needle = fold(text) if text else None
        result: list[Segment] = []
        for c, first, last, attributed in picked:
            segment = _segment(
                c, first, last, attributed, interviews[c.interview_id], read, texts, book,
                people, coders,
            )  # fmt: skip
            if needle is None or needle in fold(segment.text):
                result.append(segment)
        result.sort(key=lambda g: (g.interview, g.start, g.end, g.code))
        return result


def _interviews(
    s: Session, interview: str | None, wave: str | None
) -> dict[int, tuple[str, str | None, str | None]]:
    """The interviews a query looks in: id → (key, wave, dyad)."""
    stmt = (
        select(Interview.id, Interview.key, Wave.name, Dyad.key)
        .outerjoin(Wave, Interview.wave_id == Wave.id)
        .outerjoin(Dyad, Interview.dyad_id == Dyad.id)
    )
    if interview is not None:
        stmt = stmt.where(Interview.key == interview)
    if wave is not None:
        stmt = stmt.where(Wave.name == wave)
    return {row[0]: (row[1], row[2], row[3]) for row in s.execute(stmt)}


def _codings(
    s: Session,
    interviews: Collection[int],
    code_ids: set[int] | None,
    codings: Collection[str] | None,
) -> list[Coding]:
    stmt = select(Coding).where(Coding.interview_id.in_(list(interviews)))
    if code_ids is not None:
        stmt = stmt.where(Coding.code_id.in_(code_ids))
    only = None if codings is None else set(codings)
    if only is not None and len(only) <= 900:  # within any backend's bound parameters
        stmt = stmt.where(Coding.guid.in_(sorted(only)))
    return [c for c in s.scalars(stmt) if only is None or c.guid in only]


@dataclass(frozen=True, slots=True)
class _Read:
    """What a query reads of the interviews its codings are in (no utterance text)."""

    utts: dict[int, list[_Utt]]
    spans: dict[int, list[Span]]
    interviewers: dict[int, set[int]]
    withheld: set[int]
    """Interviews where someone other than the interviewer has not consented."""
    layout: dict[int, tuple[dict[int, int], list[int]]]
    """Per interview: utterance id → index, and where each utterance starts in the text."""
    team: frozenset[int]

    def attribute(self, c: Coding, people: dict[int, _Person]) -> tuple[int, int, list[int]]:
        """The utterances a coding covers (first, last) and whom its words are attributed to."""
        index, _ = self.layout[c.interview_id]
        first, last = index[c.start_utterance_id], index[c.end_utterance_id]
        rows = self.utts[c.interview_id][first : last + 1]
        attributed: list[int] = []
        silent = self.team | self.interviewers.get(c.interview_id, set())
        for i, u in enumerate(rows):
            # An utterance with rendering spans: only the runs the coding reaches count.
            lo = c.start_offset if i == 0 else 0
            hi = c.end_offset if i == len(rows) - 1 else u.length
            for r_lo, r_hi, who in voice_runs(
                u.length, u.speaker_id, u.renders_id, self.spans.get(u.id, ()), silent
            ):
                if u.id in self.spans and not (r_lo < hi and lo < r_hi):
                    continue
                if who is not None and who in people and who not in attributed:
                    attributed.append(who)
        return first, last, attributed


def _read(s: Session, involved: list[int], people: dict[int, _Person]) -> _Read:
    utts: dict[int, list[_Utt]] = {}
    for chunk in chunks(involved):
        for row in s.execute(
            select(
                UtteranceRow.id,
                UtteranceRow.position,
                func.length(UtteranceRow.text),
                UtteranceRow.speaker_id,
                UtteranceRow.speaker_label,
                UtteranceRow.renders_id,
                UtteranceRow.start_ms,
                UtteranceRow.end_ms,
                UtteranceRow.verified,
                UtteranceRow.interview_id,
            )
            .where(UtteranceRow.interview_id.in_(chunk))
            .order_by(UtteranceRow.interview_id, UtteranceRow.position)
        ):
            utts.setdefault(row[9], []).append(_Utt(*row[:9]))
    spans: dict[int, list[Span]] = {}
    for chunk in chunks(involved):
        for uid, s_lo, s_hi, pid in s.execute(
            select(
                RenderingSpan.utterance_id,
                RenderingSpan.start_offset,
                RenderingSpan.end_offset,
                RenderingSpan.participant_id,
            ).where(RenderingSpan.interview_id.in_(chunk))
        ):
            spans.setdefault(uid, []).append((s_lo, s_hi, pid))
    interviewers: dict[int, set[int]] = {}
    withheld: set[int] = set()
    for chunk in chunks(involved):
        for iid, pid, interview_role in s.execute(
            select(
                InterviewParticipantRow.interview_id,
                InterviewParticipantRow.participant_id,
                InterviewParticipantRow.role,
            ).where(InterviewParticipantRow.interview_id.in_(chunk))
        ):
            if interview_role == "interviewer":
                interviewers.setdefault(iid, set()).add(pid)
            elif pid in people and not people[pid].consented:
                withheld.add(iid)
    layout = {
        iid: ({u.id: i for i, u in enumerate(rows)}, utterance_starts([u.length for u in rows]))
        for iid, rows in utts.items()
    }
    team = frozenset(pid for pid, p in people.items() if p.team)
    return _Read(utts, spans, interviewers, withheld, layout, team)


@dataclass(frozen=True, slots=True)
class _Wanted:
    """The filters on whom a segment is attributed to, and who coded it."""

    role: str | None
    participant: str | None
    dyad: str | None
    coder: str | None
    attributes: dict[str, str] | None
    include_unconsented: bool

    def keep(
        self,
        c: Coding,
        rows: list[_Utt],
        attributed: list[int],
        withheld: set[int],
        people: dict[int, _Person],
        coders: dict[int, str],
        dyad_key: str | None,
    ) -> list[int] | None:
        """The segment's participants when it passes every filter, else None."""
        if not self.include_unconsented:
            kept = [pid for pid in attributed if people[pid].consented]
            if attributed and not kept:
                return None
            # Words nobody is known to have said, in an interview with someone who has not
            # consented, may be theirs: left out too.
            unknown = any(u.speaker_id is None and u.renders_id is None for u in rows)
            if unknown and c.interview_id in withheld:
                return None
            attributed = kept
        persons = [people[pid] for pid in attributed]
        if self.role is not None and not any(p.role == self.role for p in persons):
            return None
        if self.participant is not None and self.participant not in {p.key for p in persons}:
            return None
        if self.dyad is not None and not (
            dyad_key in (None, self.dyad) and any(self.dyad in p.dyads for p in persons)
        ):
            return None
        if self.coder is not None and coders.get(c.coder_id or -1) != self.coder:
            return None
        if self.attributes and not any(
            all(p.attributes.get(k) == v for k, v in self.attributes.items()) for p in persons
        ):
            return None
        return attributed


def _texts(
    s: Session, picked: list[tuple[Coding, int, int, list[int]]], utts: dict[int, list[_Utt]]
) -> dict[int, str]:
    """The text of the utterances the picked segments cover or border, and no others."""
    wanted: set[int] = set()
    for c, first, last, _ in picked:
        rows = utts[c.interview_id]
        for i in range(max(first - 1, 0), min(last + 2, len(rows))):
            wanted.add(rows[i].id)
    texts: dict[int, str] = {}
    for chunk in chunks(sorted(wanted)):
        texts.update(
            (uid, body)
            for uid, body in s.execute(
                select(UtteranceRow.id, UtteranceRow.text).where(UtteranceRow.id.in_(chunk))
            )
        )
    return texts


def _segment(
    c: Coding,
    first: int,
    last: int,
    attributed: list[int],
    interview: tuple[str, str | None, str | None],
    read: _Read,
    texts: dict[int, str],
    book: Codebook,
    people: dict[int, _Person],
    coders: dict[int, str],
) -> Segment:
    rows = read.utts[c.interview_id]
    _, starts = read.layout[c.interview_id]
    covered = "\n".join(texts[u.id] for u in rows[first : last + 1])
    body = covered[c.start_offset : len(covered) - (rows[last].length - c.end_offset)]
    key, wave_name, dyad_key = interview
    return Segment(
        coding=c.guid,
        interview=key,
        wave=wave_name,
        dyad=dyad_key,
        code=book.path(book.by_id[c.code_id]),
        start=starts[first] + c.start_offset,
        end=starts[last] + c.end_offset,
        text=body,
        participants=tuple(sorted(people[pid].key for pid in attributed)),
        speakers=tuple(
            dict.fromkeys(
                people[u.speaker_id].key if u.speaker_id in people else (u.speaker_label or "?")
                for u in rows[first : last + 1]
            )
        ),
        start_ms=rows[first].start_ms,
        end_ms=rows[last].end_ms,
        before=texts[rows[first - 1].id] if first > 0 else None,
        after=texts[rows[last + 1].id] if last + 1 < len(rows) else None,
        coder=coders.get(c.coder_id) if c.coder_id else None,
        memo=c.memo,
        important=c.important,
        verified=all(u.verified for u in rows[first : last + 1]),
    )


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
                *CODING_ANCHORS,
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
