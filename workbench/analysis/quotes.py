"""The analyst's pinned quotes (exemplars) of a theme, and whether they lean on a few voices.

The window's cell details and the exports (theme table, analysis audit) share ``quote_balance``:
a person, dyad or wave holding more than half of a theme's pinned quotes is named, in plain
words, so the analyst can look for quotes from others. It is a prompt, never a rule.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select

from workbench.coding.queries import query_segments
from workbench.storage.models import Coding, Dyad, Exemplar, Participant, Theme, Wave
from workbench.storage.project import Project

BALANCE_SHARE = 0.5
"""A person, dyad, wave or role holding more than this share of the pinned quotes is warned of
(from three quotes on)."""


class Attributed(Protocol):
    """What the balance reads of a quote: whom it is attributed to, in which dyad and wave."""

    @property
    def people(self) -> tuple[str, ...]: ...
    @property
    def dyad(self) -> str | None: ...
    @property
    def wave(self) -> str | None: ...
    @property
    def roles(self) -> tuple[str, ...]: ...


@dataclass(frozen=True, slots=True)
class PinnedQuote:
    """A quote pinned for a theme × unit × wave cell, with its attribution."""

    theme: str
    unit: str
    """``study``, ``role:R``, ``participant:ID`` or ``dyad:ID``: the cell it is pinned in."""
    cell_wave: str
    coding: str
    """The coding's GUID."""
    interview: str
    text: str
    """The analyst's excerpt if shortened, else the coded words."""
    people: tuple[str, ...]
    dyad: str | None
    wave: str | None
    roles: tuple[str, ...]


def pinned_quotes(
    project: Project, theme: str | None = None, *, include_unconsented: bool = False
) -> list[PinnedQuote]:
    """The quotes pinned for ``theme`` (every theme: None) in the order they were pinned;
    quotes of participants without consent are left out unless asked for."""
    with project.session(write=False) as s:
        stmt = (
            select(
                Theme.name,
                Exemplar.unit_kind,
                Exemplar.role,
                Participant.key,
                Dyad.key,
                Wave.name,
                Coding.guid,
                Exemplar.excerpt,
            )
            .join(Theme, Exemplar.theme_id == Theme.id)
            .join(Wave, Exemplar.wave_id == Wave.id)
            .join(Coding, Exemplar.coding_id == Coding.id)
            .outerjoin(Participant, Exemplar.participant_id == Participant.id)
            .outerjoin(Dyad, Exemplar.dyad_id == Dyad.id)
            .order_by(Theme.position, Theme.id, Exemplar.id)
        )
        if theme is not None:
            stmt = stmt.where(Theme.name == theme)
        pinned = s.execute(stmt).all()
        role_of = dict(s.execute(select(Participant.key, Participant.role)).all())
    if not pinned:
        return []
    segments = {
        g.coding: g
        for g in query_segments(
            project, include_unconsented=include_unconsented, codings=[p[6] for p in pinned]
        )
    }
    found = []
    for name, kind, role, person, dyad, wave, guid, excerpt in pinned:
        g = segments.get(guid)
        if g is None:  # consent leaves it out
            continue
        ref = {"role": role, "participant": person, "dyad": dyad}.get(kind)
        found.append(
            PinnedQuote(
                theme=name,
                unit=f"{kind}:{ref}" if ref else "study",
                cell_wave=wave,
                coding=guid,
                interview=g.interview,
                text=excerpt or g.text,
                people=g.participants,
                dyad=g.dyad,
                wave=g.wave,
                roles=tuple(sorted({role_of.get(p, "?") for p in g.participants})),
            )
        )
    return found


def quote_balance(quotes: Sequence[Attributed]) -> tuple[list[list[str]], list[str]]:
    """The pinned quotes counted by person, dyad, wave and role (a quote attributed to two
    people counts for both), and a warning for each group holding more than half of them."""
    groups: dict[str, Counter[str]] = {
        "person": Counter(p for q in quotes for p in q.people),
        "dyad": Counter(q.dyad or "no dyad" for q in quotes),
        "wave": Counter(q.wave or "no wave" for q in quotes),
        "role": Counter(r for q in quotes for r in q.roles),
    }
    rows: list[list[str]] = []
    warnings: list[str] = []
    total = len(quotes)
    for kind, counter in groups.items():
        for name, n in counter.most_common():
            rows.append([kind, name, str(n), f"{n / total:.0%}" if total else "–"])
            if total >= 3 and n / total > BALANCE_SHARE and kind != "role":
                warnings.append(
                    f"{n} of {total} pinned quotes come from {kind} {name}; consider quotes "
                    "from other people, dyads and waves"
                )
    return rows, warnings


def balance_note(quotes: Sequence[Attributed]) -> str | None:
    """``quote_balance``'s warnings in one sentence (the window's cell details): "Of 3 pinned
    quotes, 3 come from person P01 and 2 from wave baseline; consider …"; None when balanced."""
    total = len(quotes)
    heavy = [
        (kind, name, int(n))
        for kind, name, n, _ in quote_balance(quotes)[0]
        if total >= 3
        and kind != "role"
        and int(n) / total > BALANCE_SHARE
        and name not in ("no dyad", "no wave")  # interviews about no dyad: nothing to vary
    ]
    if not heavy:
        return None
    parts = [f"{n} from {kind} {name}" for kind, name, n in heavy]
    parts[0] = parts[0].replace(" from ", " come from ", 1)
    said = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"Of {total} pinned quotes, {said}; consider quotes from other people, dyads and waves."
