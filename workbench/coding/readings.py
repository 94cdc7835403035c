"""The analyst's reading of a theme over time: cell summaries, pinned quotes, dyad stances.

Computed tables describe where the analyst coded; these records hold what the analyst makes of
it. Exemplar proposals are a shortlist drawn across participants and waves, in the order the
words were spoken — never ranked by length, which would surface the most graphic passages.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.coding._anchors import LoadedTranscript
from workbench.coding.queries import query_segments
from workbench.coding.study import get_dyad, get_wave
from workbench.coding.themes import get_theme, unit_columns
from workbench.coding.undo import Change, changed_since, run_command
from workbench.domain.coding import Segment
from workbench.domain.study import StudyError
from workbench.storage.models import (
    STANCES,
    CellSummary,
    Coding,
    DyadStance,
    Exemplar,
    Interview,
)
from workbench.storage.project import Project


def _cell_query(
    model: type[CellSummary] | type[Exemplar],
    s: Session,
    theme_id: int,
    wave_id: int,
    columns: dict[str, object],
) -> Any:
    stmt: Any = select(model).where(model.theme_id == theme_id, model.wave_id == wave_id)
    for column, value in columns.items():
        attr = getattr(model, column)
        stmt = stmt.where(attr.is_(None) if value is None else attr == value)
    return stmt


def set_cell_summary(
    project: Project,
    theme: str,
    unit: str,
    wave: str,
    text: str,
    *,
    expected: str | None = None,
    coder: str | None = None,
) -> Change:
    """The analyst's summary of one theme × unit × wave cell ("" removes it). ``expected`` is
    the summary the writer read ("" for none): a colleague's newer one is refused in one line
    instead of overwritten."""

    def action(s: Session) -> None:
        target, w = get_theme(s, theme), get_wave(s, wave)
        columns = unit_columns(s, unit)
        row = s.scalar(_cell_query(CellSummary, s, target.id, w.id, columns))
        if expected is not None and (row.text if row is not None else "") != expected:
            since = (
                changed_since(s, ("cell_summary", (row.id,)))
                if row is not None
                else "the summary was removed since you read it"
            )
            raise StudyError(f"refused: {since}")
        if not text.strip():
            if row is not None:
                s.delete(row)
            return
        if row is None:
            row = CellSummary(theme_id=target.id, wave_id=w.id, text=text, **columns)
            s.add(row)
        row.text = text
        row.coder_id = project.coder(s, coder).id
        row.updated_at = dt.datetime.now(dt.UTC)

    _, change = run_command(
        project,
        f"summary of '{theme}' for {unit} at {wave}",
        action,
        coder=coder,
        audit=("reading.summary", None),
    )
    return change


def cell_summary(project: Project, theme: str, unit: str, wave: str) -> str | None:
    """The analyst's summary of one theme × unit × wave cell, if written."""
    with project.session(write=False) as s:
        target, w = get_theme(s, theme), get_wave(s, wave)
        row = s.scalar(_cell_query(CellSummary, s, target.id, w.id, unit_columns(s, unit)))
        return row.text if row is not None else None


ELLIPSIS = re.compile(r"\s*\[(?:…|\.\.\.)\]\s*")


def check_excerpt(full: str, excerpt: str) -> None:
    """An excerpt is the quote's own words in order, with "[…]" (or "[...]") where words were
    left out; anything else would put words in a participant's mouth."""
    pieces = [p for p in ELLIPSIS.split(excerpt.strip()) if p.strip()]
    if not pieces:
        raise StudyError("the excerpt holds no words of the quote")
    flat = " ".join(full.split())
    at = 0
    for piece in pieces:
        found = flat.find(" ".join(piece.split()), at)
        if found < 0:
            raise StudyError(
                f"the excerpt's words '{piece.strip()}' are not the quote's own, in order: "
                "shorten only by leaving words out and marking the gap with […]"
            )
        at = found + len(" ".join(piece.split()))


def pin_exemplar(
    project: Project,
    theme: str,
    unit: str,
    wave: str,
    coding_id: str,
    *,
    unpin: bool = False,
    excerpt: str | None = None,
    coder: str | None = None,
) -> Change:
    """Pin (or unpin) a coded quote as exemplary for a theme × unit × wave cell.

    ``excerpt`` shortens the quote: the coding's own words, in order, with "[…]" where words were
    left out (checked against the coding); pinning again changes it.
    """

    def action(s: Session) -> None:
        target, w = get_theme(s, theme), get_wave(s, wave)
        columns = unit_columns(s, unit)
        coding = s.scalar(select(Coding).where(Coding.guid == coding_id))
        if coding is None:
            raise StudyError(f"no coding '{coding_id}'")
        stmt = _cell_query(Exemplar, s, target.id, w.id, columns).where(
            Exemplar.coding_id == coding.id
        )
        row = s.scalar(stmt)
        if excerpt is not None and not unpin:
            iv = s.get(Interview, coding.interview_id)
            assert iv is not None
            transcript = LoadedTranscript.load_for_reading(s, iv)
            start, end = transcript.span(coding)
            check_excerpt(transcript.text[start:end], excerpt)
        if unpin:
            if row is None:
                raise StudyError("that quote is not pinned there")
            s.delete(row)
        elif row is None:
            s.add(
                Exemplar(
                    theme_id=target.id,
                    wave_id=w.id,
                    coding_id=coding.id,
                    coder_id=project.coder(s, coder).id,
                    excerpt=excerpt or None,
                    **columns,
                )
            )
        elif excerpt is not None:
            row.excerpt = excerpt or None

    verb = "unpin" if unpin else "pin"
    _, change = run_command(
        project,
        f"{verb} a quote for '{theme}' {unit} {wave}",
        action,
        coder=coder,
        audit=("reading.exemplar", None),
    )
    return change


def set_stance(
    project: Project,
    dyad: str,
    wave: str,
    theme: str,
    stance: str,
    *,
    note: str | None = None,
    coder: str | None = None,
) -> Change:
    """The analyst's judgement of a dyad on a theme at a wave: convergent, divergent or mixed
    (both voicing a theme is not agreement)."""
    if stance not in STANCES:
        raise StudyError(f"a stance is one of: {', '.join(STANCES)}")

    def action(s: Session) -> None:
        d, w, t = get_dyad(s, dyad), get_wave(s, wave), get_theme(s, theme)
        row = s.scalar(
            select(DyadStance).where(
                DyadStance.dyad_id == d.id, DyadStance.wave_id == w.id, DyadStance.theme_id == t.id
            )
        )
        if row is None:
            row = DyadStance(dyad_id=d.id, wave_id=w.id, theme_id=t.id, stance=stance)
            s.add(row)
        row.stance, row.note = stance, note
        row.coder_id = project.coder(s, coder).id

    _, change = run_command(
        project,
        f"stance of {dyad} on '{theme}' at {wave}",
        action,
        coder=coder,
        audit=("reading.stance", None),
    )
    return change


def propose_exemplars(
    project: Project, theme: str, *, limit: int = 6, include_unconsented: bool = False
) -> list[Segment]:
    """A shortlist of quotes for a theme, spread across participants and waves.

    Waves take turns, and within a wave participants take turns, each giving its segments in the
    order they were spoken. Never ranked by length.
    """
    segments = query_segments(project, theme=theme, include_unconsented=include_unconsented)
    waves: dict[str, dict[str, list[Segment]]] = {}
    for g in segments:
        if g.participants:
            waves.setdefault(g.wave or "", {}).setdefault(g.participants[0], []).append(g)
    # Interleave waves, and within each wave start with a different participant, so a short
    # list already spans people and time.
    queues: list[list[Segment]] = []
    for w, (_, people) in enumerate(sorted(waves.items())):
        names = sorted(people)
        rotated = names[w % len(names) :] + names[: w % len(names)]
        queue: list[Segment] = []
        depth = 0
        while any(depth < len(people[n]) for n in rotated):
            queue += [people[n][depth] for n in rotated if depth < len(people[n])]
            depth += 1
        queues.append(queue)
    picked: list[Segment] = []
    while len(picked) < limit and any(queues):
        for q in queues:
            if q and len(picked) < limit:
                picked.append(q.pop(0))
    return picked


def stances(project: Project) -> list[tuple[str, str, str, str, str | None]]:
    """(dyad, wave, theme, stance, note) for every judged cell."""
    from workbench.storage.models import Dyad, Theme, Wave

    with project.session(write=False) as s:
        rows = s.execute(
            select(Dyad.key, Wave.name, Theme.name, DyadStance.stance, DyadStance.note)
            .join(Dyad, DyadStance.dyad_id == Dyad.id)
            .join(Wave, DyadStance.wave_id == Wave.id)
            .join(Theme, DyadStance.theme_id == Theme.id)
            .order_by(Dyad.key, Wave.position, Theme.name)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]
