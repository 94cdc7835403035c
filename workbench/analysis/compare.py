"""Two analysts' readings side by side: per code and interview, the stretches both coded, and
those only one of them coded — with the words, so the two can talk about where they differ.

A pair of codings (one of each analyst, same code, same interview) is *shared* when at least one
word lies wholly inside both spans. Words are ``\\w+`` runs, counted as everywhere else
(``analysis.segments``: a word cut by a span's edge is not inside it). A coding that shares no
word with any of the other analyst's codings of its code is *only A* or *only B*. One long
coding of A over two short ones of B gives two shared pairs.

Consent is honoured as queries honour it (``coding.queries.query_segments``, the one rule): a
coding attributed only to participants whose consent is pending or declined is left out unless
asked for (``include_unconsented``), and the result says how many were.

Agreement figures are not computed here: ``analysis.agreement`` does that, on request only.
"""

from __future__ import annotations

import bisect
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.analysis.segments import _word_edges
from workbench.coding._anchors import LoadedTranscript
from workbench.coding.codebook import Codebook
from workbench.coding.queries import query_segments
from workbench.coding.study import get_interview
from workbench.domain.positions import utterance_starts
from workbench.domain.study import StudyError
from workbench.storage.models import CODING_ANCHORS, Coder, Coding, Interview, Participant
from workbench.storage.project import Project


@dataclass(frozen=True, slots=True)
class Reading:
    """One analyst's coding, as the comparison shows it."""

    coding: str
    """The coding's id (a GUID): what ``consensus`` takes."""
    coder: str
    start: int
    end: int
    """Code points of the interview text, end exclusive."""
    words: int
    """Words wholly inside the span."""
    text: str


@dataclass(frozen=True, slots=True)
class SharedSpan:
    """A coding of each analyst sharing at least one word: the overlap and both spans."""

    start: int
    end: int
    """The overlap of the two spans."""
    words: int
    """Words wholly inside the overlap (≥ 1)."""
    text: str
    a: Reading
    b: Reading


@dataclass(frozen=True, slots=True)
class CodeReadings:
    """One code in one interview: what both coded, what only A and only B coded."""

    interview: str
    code: str
    """The code's path."""
    both: tuple[SharedSpan, ...]
    only_a: tuple[Reading, ...]
    only_b: tuple[Reading, ...]


@dataclass(frozen=True, slots=True)
class Comparison:
    coder_a: str
    coder_b: str
    readings: tuple[CodeReadings, ...]
    """Per interview (by key) and code (by path), where either analyst coded."""
    interviews: tuple[str, ...] = field(default=())
    """Interviews in scope both analysts coded (at least one coding each, any code): where
    agreement figures are counted."""
    withheld: int = 0
    """Codings left out: attributed only to participants without consent."""


class Span(NamedTuple):
    """A coding placed in its interview's text: what the word arithmetic needs (a tuple: tens
    of thousands are made per comparison)."""

    coding: str
    code_id: int
    coder_id: int | None
    start: int
    end: int


class Words:
    """Where an interview's words start and end: words inside any stretch by bisection."""

    def __init__(self, text: str) -> None:
        self.text = text
        starts, ends = _word_edges(text)
        # Plain lists: one bisection per span is many times faster than numpy's per call.
        self.starts: list[int] = starts.tolist()
        self.ends: list[int] = ends.tolist()

    def first_last(self, lo: int, hi: int) -> tuple[int, int]:
        """Indexes of the words wholly inside ``[lo, hi)``: ``range(first, last)`` (empty when
        ``last <= first``)."""
        return bisect.bisect_left(self.starts, lo), bisect.bisect_right(self.ends, hi)

    def inside(self, lo: int, hi: int) -> int:
        if hi <= lo:
            return 0
        first, last = self.first_last(lo, hi)
        return max(last - first, 0)

    def __len__(self) -> int:
        return len(self.starts)


def coder_id(s: Session, name: str) -> int:
    """The analyst's row id; an unknown name is refused with the analysts there are."""
    found = s.scalar(select(Coder.id).where(Coder.name == name))
    if found is None:
        known = sorted(s.scalars(select(Coder.name)))
        raise StudyError(
            f"no analyst named '{name}' in this project (analysts: {', '.join(known) or 'none'})"
        )
    return found


def placed_codings(
    s: Session,
    transcript: LoadedTranscript,
    coder_ids: Sequence[int],
    code_ids: set[int] | None,
    withheld: Container[str] = (),
) -> list[Span]:
    """The analysts' codings of one interview, as positions in its text (``withheld`` left
    out)."""
    query = select(Coding.guid, Coding.code_id, Coding.coder_id, *CODING_ANCHORS).where(
        Coding.interview_id == transcript.interview.id, Coding.coder_id.in_(coder_ids)
    )
    if code_ids is not None:
        query = query.where(Coding.code_id.in_(code_ids))
    starts = utterance_starts(transcript.lengths)
    at = {row.id: start for row, start in zip(transcript.rows, starts, strict=True)}
    spans = [
        Span(guid, code, coder, at[su] + so, at[eu] + eo)
        for guid, code, coder, su, so, eu, eo in s.execute(query)
        if guid not in withheld
    ]
    spans.sort(key=lambda c: (c.start, c.end, c.coding))
    return spans


def _reading(span: Span, coder: str, words: Words) -> Reading:
    return Reading(
        span.coding,
        coder,
        span.start,
        span.end,
        words.inside(span.start, span.end),
        words.text[span.start : span.end],
    )


def pair_up(
    a: Sequence[Span], b: Sequence[Span], words: Words
) -> tuple[list[tuple[Span, Span, int, int, int]], list[Span], list[Span]]:
    """Pairs sharing at least one word ((a, b, overlap start, end, words)), and the spans of each
    side sharing none. ``a`` and ``b`` sorted by start."""
    b_starts = [s.start for s in b]
    pairs = []
    paired_b: set[int] = set()
    alone_a = []
    for x in a:
        found = False
        for j in range(bisect.bisect_left(b_starts, x.end)):
            y = b[j]
            lo, hi = max(x.start, y.start), min(x.end, y.end)
            n = words.inside(lo, hi)
            if n > 0:
                pairs.append((x, y, lo, hi, n))
                paired_b.add(j)
                found = True
        if not found:
            alone_a.append(x)
    alone_b = [y for j, y in enumerate(b) if j not in paired_b]
    return pairs, alone_a, alone_b


def _code_readings(
    interview: str,
    path: str,
    names: tuple[str, str],
    a: list[Span],
    b: list[Span],
    words: Words,
) -> CodeReadings:
    pairs, alone_a, alone_b = pair_up(a, b, words)
    both = tuple(
        SharedSpan(
            lo,
            hi,
            n,
            words.text[lo:hi],
            _reading(x, names[0], words),
            _reading(y, names[1], words),
        )
        for x, y, lo, hi, n in pairs
    )
    return CodeReadings(
        interview,
        path,
        both,
        tuple(_reading(x, names[0], words) for x in alone_a),
        tuple(_reading(y, names[1], words) for y in alone_b),
    )


@dataclass
class Scope:
    """What a comparison covers, resolved in one session."""

    a: int
    b: int
    interviews: list[Interview]
    code_ids: set[int] | None
    paths: dict[int, str]
    both_coded: set[int]
    """Interviews both analysts coded (at least one coding each, any code)."""
    withheld: dict[str, int] = field(default_factory=dict)
    """Codings left out for consent: coding id → interview id."""


def withhold_unconsented(project: Project, s: Session, scope: Scope) -> None:
    """Note in ``scope`` the analysts' codings that queries leave out for consent."""
    if s.scalar(select(Participant.id).where(Participant.consent != "consented").limit(1)) is None:
        return
    query = select(Coding.guid, Coding.interview_id).where(
        Coding.coder_id.in_((scope.a, scope.b)),
        Coding.interview_id.in_([iv.id for iv in scope.interviews]),
    )
    if scope.code_ids is not None:
        query = query.where(Coding.code_id.in_(scope.code_ids))
    where: dict[str, int] = {guid: iv for guid, iv in s.execute(query)}
    kept = {seg.coding for seg in query_segments(project, codings=list(where))}
    scope.withheld = {guid: iv for guid, iv in where.items() if guid not in kept}


def open_scope(
    project: Project,
    s: Session,
    coder_a: str,
    coder_b: str,
    interview: str | None,
    code: str | None,
    include_unconsented: bool,
) -> Scope:
    """What two analysts are compared over, with the codings consent keeps out noted."""
    scope = resolve_scope(s, coder_a, coder_b, interview, code)
    if not include_unconsented:
        withhold_unconsented(project, s, scope)
    return scope


def resolve_scope(
    s: Session, coder_a: str, coder_b: str, interview: str | None, code: str | None
) -> Scope:
    if coder_a == coder_b:
        raise StudyError("compare needs two different analysts")
    a, b = coder_id(s, coder_a), coder_id(s, coder_b)
    book = Codebook(s)
    code_ids = {book.find(code).id} if code is not None else None
    if interview is not None:
        interviews = [get_interview(s, interview)]
    else:
        coded = select(Coding.interview_id).where(Coding.coder_id.in_((a, b))).distinct()
        interviews = list(
            s.scalars(select(Interview).where(Interview.id.in_(coded)).order_by(Interview.key))
        )
    by_a = select(Coding.interview_id).where(Coding.coder_id == a)
    by_b = select(Coding.interview_id).where(Coding.coder_id == b)
    both_coded = set(s.scalars(by_a.intersect(by_b)))
    return Scope(a, b, interviews, code_ids, book.all_paths(), both_coded)


def each_interview(
    s: Session, scope: Scope, *, both_coded: bool = False
) -> Iterable[tuple[Interview, Words, dict[int, tuple[list[Span], list[Span]]]]]:
    """Per interview in scope where either analyst coded the compared codes (``both_coded``:
    every interview both coded, any code): its words, and per code each analyst's spans
    (sorted by start)."""
    for iv in scope.interviews:
        if both_coded and iv.id not in scope.both_coded:
            continue
        transcript = LoadedTranscript.load_for_reading(s, iv)
        if not transcript.rows:
            continue
        spans = placed_codings(s, transcript, (scope.a, scope.b), scope.code_ids, scope.withheld)
        if not spans and not both_coded:
            continue
        by_code: dict[int, tuple[list[Span], list[Span]]] = {}
        for span in spans:
            sides = by_code.setdefault(span.code_id, ([], []))
            sides[0 if span.coder_id == scope.a else 1].append(span)
        yield iv, Words(transcript.text), by_code


def compare(
    project: Project,
    coder_a: str,
    coder_b: str,
    interview: str | None = None,
    code: str | None = None,
    *,
    include_unconsented: bool = False,
) -> Comparison:
    """Two analysts' codings side by side, per interview and code (see the module's doc)."""
    with project.session(write=False) as s:
        scope = open_scope(project, s, coder_a, coder_b, interview, code, include_unconsented)
        readings: list[CodeReadings] = []
        both_coded = [iv.key for iv in scope.interviews if iv.id in scope.both_coded]
        for iv, words, by_code in each_interview(s, scope):
            ordered = sorted(by_code.items(), key=lambda item: scope.paths[item[0]])
            readings += [
                _code_readings(iv.key, scope.paths[cid], (coder_a, coder_b), a, b, words)
                for cid, (a, b) in ordered
            ]
    return Comparison(coder_a, coder_b, tuple(readings), tuple(both_coded), len(scope.withheld))


def readings_at(readings: CodeReadings, position: int) -> tuple[str | None, str | None]:
    """The two codings a consensus decision at ``position`` is about: the shared pair whose
    overlap holds it, else the one pair where either coding holds it, else each analyst's own
    coding there (either may be None)."""
    pairs = [p for p in readings.both if p.start <= position < p.end] or [
        p
        for p in readings.both
        if p.a.start <= position < p.a.end or p.b.start <= position < p.b.end
    ]
    if len(pairs) > 1:
        listed = ", ".join(f"{p.start}–{p.end}" for p in pairs)
        raise StudyError(
            f"several shared stretches hold position {position} ({listed}): name the codings"
        )
    if pairs:
        return pairs[0].a.coding, pairs[0].b.coding
    found: list[str | None] = []
    for side in (readings.only_a, readings.only_b):
        here = [r for r in side if r.start <= position < r.end]
        if len(here) > 1:
            raise StudyError(f"several codings of one analyst hold position {position}")
        found.append(here[0].coding if here else None)
    if found == [None, None]:
        raise StudyError(
            f"neither analyst coded '{readings.code}' at position {position} of "
            f"{readings.interview}"
        )
    return found[0], found[1]


def analysts(project: Project) -> list[str]:
    """The analysts who have coded something, by name: whom ``compare`` can set side by side."""
    with project.session(write=False) as s:
        coded = select(Coding.coder_id).where(Coding.coder_id.is_not(None)).distinct()
        return sorted(s.scalars(select(Coder.name).where(Coder.id.in_(coded))))
