"""An interview's rows: its theme segments (codings merged per theme), who voices each piece
(the attribution rule, ``domain.study.voice_runs``), and the words inside them."""

from __future__ import annotations

import functools
import itertools
from typing import Any

import numpy as np
from sqlalchemy import select

from workbench.analysis.study_data import (
    _NO_ROWS,
    InterviewFacts,
    Marks,
    Person,
    Rows,
    Utterance,
    _bare_rows,
)
from workbench.domain.positions import utterance_starts
from workbench.domain.study import voice_runs
from workbench.domain.text import WORD_RE
from workbench.storage.models import (
    RenderingSpan,
    UtteranceLink,
    UtteranceRow,
)
from workbench.storage.rows import chunks


def _team(people: dict[int, Person]) -> list[int]:
    return sorted(pid for pid, p in people.items() if p.team)


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


def _utterance_facts(
    s: Any, interview_ids: list[int]
) -> dict[int, list[tuple[int, int | None, int | None, int]]]:
    """Per interview, its utterances in order: id, speaker, whom it renders, word count (bare
    rows, no text)."""
    found: dict[int, list[tuple[int, int | None, int | None, int]]] = {}
    for chunk in chunks(sorted(interview_ids)):
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


def _voice_marks(s: Any, interview_ids: list[int]) -> dict[int, Marks]:
    """Per interview, its rendering spans and original/rendering links (only interviews with
    any)."""
    found: dict[int, Marks] = {}
    for chunk in chunks(sorted(interview_ids)):
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
        for chunk in chunks(sorted(interview_ids)):
            stmt = select(UtteranceRow.id, UtteranceRow.text).where(
                UtteranceRow.interview_id.in_(chunk)
            )
            texts.update(_bare_rows(s, stmt))
        return texts
    for chunk in chunks(sorted(ids), 2000):
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
