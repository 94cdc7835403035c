"""Themes: first-class objects with member codes, subthemes, status and a history of changes.

Every change is an undoable command (``undo``) that also writes a ``ThemeEvent`` with who, when
and the analyst's rationale, so the theme's development can be reported (reflexive thematic
analysis asks for it). The analyst's own reading of a theme's change over time — the trajectory —
lives here too: it is what exports headline; the computed coding pattern only supports it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench.coding.codebook import Codebook
from workbench.coding.study import get_dyad, get_participant
from workbench.coding.undo import Change, changed_since, run_command
from workbench.domain.study import Role, StudyError
from workbench.storage.models import (
    THEME_STATUSES,
    CellSummary,
    Coder,
    DyadStance,
    Exemplar,
    Memo,
    Theme,
    ThemeCode,
    ThemeEvent,
    Trajectory,
)
from workbench.storage.project import Project


@dataclass(frozen=True, slots=True)
class ThemeInfo:
    name: str
    parent: str | None
    status: str
    concept: str | None
    definition: str | None
    codes: tuple[str, ...]
    subthemes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ThemeEventInfo:
    theme: str | None
    kind: str
    detail: dict[str, object]
    rationale: str | None
    coder: str | None
    at: str


def get_theme(s: Session, name: str) -> Theme:
    theme = s.scalar(select(Theme).where(Theme.name == name))
    if theme is None:
        raise StudyError(f"no theme '{name}'")
    return theme


def _info(s: Session, theme: Theme, book: Codebook | None = None) -> ThemeInfo:
    book = book or Codebook(s)
    codes = sorted(
        book.path(book.by_id[cid])
        for cid in s.scalars(select(ThemeCode.code_id).where(ThemeCode.theme_id == theme.id))
    )
    parent = s.get(Theme, theme.parent_id) if theme.parent_id else None
    children = s.scalars(
        select(Theme.name).where(Theme.parent_id == theme.id).order_by(Theme.position, Theme.id)
    )
    return ThemeInfo(
        name=theme.name,
        parent=parent.name if parent else None,
        status=theme.status,
        concept=theme.concept,
        definition=theme.definition,
        codes=tuple(codes),
        subthemes=tuple(children),
    )


def _event(
    s: Session,
    project: Project,
    coder: str | None,
    theme: Theme | None,
    kind: str,
    rationale: str | None,
    **detail: object,
) -> None:
    s.add(
        ThemeEvent(
            theme_id=theme.id if theme else None,
            kind=kind,
            detail=json.dumps(detail, sort_keys=True, ensure_ascii=False),
            rationale=rationale,
            coder_id=project.coder(s, coder).id,
        )
    )


def _next_position(s: Session) -> int:
    """After every theme: a new theme comes last wherever themes are listed."""
    last = s.scalar(select(func.max(Theme.position)))
    return 0 if last is None else last + 1


def _ancestors(s: Session, theme: Theme) -> list[int]:
    """The ids of the themes ``theme`` sits inside, nearest first."""
    found: list[int] = []
    parent_id = theme.parent_id
    while parent_id is not None and parent_id not in found:
        found.append(parent_id)
        parent = s.get(Theme, parent_id)
        parent_id = parent.parent_id if parent else None
    return found


def _arrange(s: Session, theme: Theme, parent_id: int | None, before: Theme | None) -> None:
    """Put ``theme`` under ``parent_id`` (None: top level), just before ``before`` or last, and
    number every theme in tree order (each followed by its subthemes), so the board, the heat
    map and the timeline list themes the same way. Only changed rows are written."""
    every = list(s.scalars(select(Theme).order_by(Theme.position, Theme.id)))
    children: dict[int | None, list[Theme]] = {}
    for t in every:
        if t.id != theme.id:
            children.setdefault(t.parent_id, []).append(t)
    siblings = children.setdefault(parent_id, [])
    siblings.insert(siblings.index(before) if before is not None else len(siblings), theme)
    if theme.parent_id != parent_id:
        theme.parent_id = parent_id
    order: list[Theme] = []

    def walk(pid: int | None) -> None:
        for t in children.get(pid, []):
            order.append(t)
            walk(t.id)

    walk(None)
    order += [t for t in every if t not in order]  # never lose a theme, whatever happened
    for i, t in enumerate(order):
        if t.position != i:
            t.position = i


def _check_name(s: Session, name: str, except_id: int = 0) -> str:
    name = " ".join(name.split())
    if not name:
        raise StudyError("a theme needs a name")
    existing = s.scalar(select(Theme).where(Theme.name == name))
    if existing is not None and existing.id != except_id:
        raise StudyError(f"there is already a theme '{name}'")
    return name


def add_theme(
    project: Project,
    name: str,
    *,
    codes: list[str] | None = None,
    parent: str | None = None,
    concept: str | None = None,
    definition: str | None = None,
    rationale: str | None = None,
    coder: str | None = None,
) -> tuple[ThemeInfo, Change]:
    """A candidate theme (or subtheme, with ``parent``) holding the given codes."""

    def action(s: Session) -> ThemeInfo:
        book = Codebook(s)
        checked = _check_name(s, name)
        parent_theme = get_theme(s, parent) if parent else None
        theme = Theme(
            name=checked,
            parent_id=parent_theme.id if parent_theme else None,
            concept=concept,
            definition=definition,
            position=_next_position(s),
        )
        s.add(theme)
        s.flush()
        for code_name in dict.fromkeys(codes or []):
            s.add(ThemeCode(theme_id=theme.id, code_id=book.find(code_name).id))
        _event(s, project, coder, theme, "create", rationale, codes=list(codes or []))
        s.flush()
        return _info(s, theme, book)

    return run_command(
        project, f"add theme '{name}'", action, coder=coder, audit=("theme.add", None)
    )


def update_theme(
    project: Project,
    name: str,
    *,
    new_name: str | None = None,
    status: str | None = None,
    concept: str | None = None,
    definition: str | None = None,
    rationale: str | None = None,
    expected: tuple[str, str] | None = None,
    coder: str | None = None,
) -> tuple[ThemeInfo, Change]:
    """Rename a theme, move it along candidate → reviewed → defined → named, or reword it.
    ``expected`` is the (concept, definition) the writer read ("" for none): when a colleague
    has reworded the theme since, the edit is refused in one line instead of overwriting."""
    if status is not None and status not in THEME_STATUSES:
        raise StudyError(f"unknown theme status '{status}' (one of: {', '.join(THEME_STATUSES)})")

    def action(s: Session) -> ThemeInfo:
        theme = get_theme(s, name)
        if expected is not None and (theme.concept or "", theme.definition or "") != expected:
            raise StudyError(f"refused: {changed_since(s, ('theme', (theme.id,)))}")
        if new_name is not None and new_name != theme.name:
            checked = _check_name(s, new_name, theme.id)
            _event(s, project, coder, theme, "rename", rationale, previous=theme.name, name=checked)
            theme.name = checked
        if status is not None and status != theme.status:
            _event(
                s, project, coder, theme, "status", rationale, previous=theme.status, status=status
            )
            theme.status = status
        for field, value in (("concept", concept), ("definition", definition)):
            if value is not None:
                setattr(theme, field, value or None)
                _event(s, project, coder, theme, field, rationale)
        return _info(s, theme)

    return run_command(
        project, f"edit theme '{name}'", action, coder=coder, audit=("theme.edit", None)
    )


def move_codes(
    project: Project,
    codes: list[str],
    *,
    into: str | None,
    out_of: str | None = None,
    rationale: str | None = None,
    coder: str | None = None,
) -> Change:
    """Put codes into a theme (a code may sit in several), or take them out of one, or both."""
    if into is None and out_of is None:
        raise StudyError("say which theme the codes go into or come out of")

    def action(s: Session) -> None:
        book = Codebook(s)
        ids = [book.find(c).id for c in codes]
        if out_of is not None:
            source = get_theme(s, out_of)
            for link in s.scalars(
                select(ThemeCode).where(ThemeCode.theme_id == source.id, ThemeCode.code_id.in_(ids))
            ):
                s.delete(link)
            _event(s, project, coder, source, "codes_out", rationale, codes=codes, to=into)
        if into is not None:
            target = get_theme(s, into)
            have = set(s.scalars(select(ThemeCode.code_id).where(ThemeCode.theme_id == target.id)))
            s.flush()
            for code_id in ids:
                if code_id not in have:
                    s.add(ThemeCode(theme_id=target.id, code_id=code_id))
            _event(s, project, coder, target, "codes_in", rationale, codes=codes, source=out_of)

    where = f"into '{into}'" if into else f"out of '{out_of}'"
    _, change = run_command(
        project,
        f"move {len(codes)} code{'' if len(codes) == 1 else 's'} {where}",
        action,
        coder=coder,
        audit=("theme.codes", None),
    )
    return change


def merge_themes(
    project: Project,
    source: str,
    into: str,
    *,
    rationale: str | None = None,
    coder: str | None = None,
) -> tuple[ThemeInfo, Change]:
    """Fold ``source`` into ``into``: its codes, subthemes and analyst notes move; it goes."""

    def action(s: Session) -> ThemeInfo:
        src, dst = get_theme(s, source), get_theme(s, into)
        if src.id == dst.id:
            raise StudyError("a theme cannot be merged into itself")
        have = set(s.scalars(select(ThemeCode.code_id).where(ThemeCode.theme_id == dst.id)))
        moved = []
        for link in list(s.scalars(select(ThemeCode).where(ThemeCode.theme_id == src.id))):
            s.delete(link)
            if link.code_id not in have:
                moved.append(link.code_id)
        s.flush()
        for code_id in moved:
            s.add(ThemeCode(theme_id=dst.id, code_id=code_id))
        if src.id in _ancestors(s, dst):  # merged into its own subtheme: it takes src's place
            dst.parent_id = src.parent_id
        for child in s.scalars(select(Theme).where(Theme.parent_id == src.id)):
            if child.id != dst.id:
                child.parent_id = dst.id
        for model in (Memo, CellSummary, Trajectory, Exemplar, DyadStance):
            for row in s.scalars(select(model).where(model.theme_id == src.id)):
                s.delete(row)  # the merged theme's readings must be rewritten, not silently mixed
        for event in s.scalars(select(ThemeEvent).where(ThemeEvent.theme_id == src.id)):
            event.theme_id = dst.id
        _event(s, project, coder, dst, "merge", rationale, merged=src.name)
        s.flush()
        s.delete(src)
        s.flush()
        return _info(s, dst)

    return run_command(
        project,
        f"merge theme '{source}' into '{into}'",
        action,
        coder=coder,
        audit=("theme.merge", None),
    )


def split_theme(
    project: Project,
    theme: str,
    new_name: str,
    codes: list[str],
    *,
    rationale: str | None = None,
    coder: str | None = None,
) -> tuple[ThemeInfo, Change]:
    """Make a new theme beside ``theme`` and move the given codes to it."""

    def action(s: Session) -> ThemeInfo:
        book = Codebook(s)
        src = get_theme(s, theme)
        new = Theme(
            name=_check_name(s, new_name), parent_id=src.parent_id, position=_next_position(s)
        )
        s.add(new)
        s.flush()
        for code_name in codes:
            code_id = book.find(code_name).id
            link = s.get(ThemeCode, (src.id, code_id))
            if link is None:
                raise StudyError(f"code '{code_name}' is not in theme '{theme}'")
            s.delete(link)
            s.flush()
            s.add(ThemeCode(theme_id=new.id, code_id=code_id))
        _event(s, project, coder, src, "split", rationale, into=new.name, codes=codes)
        _event(s, project, coder, new, "create", rationale, split_from=src.name, codes=codes)
        s.flush()
        return _info(s, new, book)

    return run_command(
        project,
        f"split '{new_name}' off theme '{theme}'",
        action,
        coder=coder,
        audit=("theme.split", None),
    )


def move_theme(
    project: Project,
    theme: str,
    parent: str | None,
    *,
    before: str | None = None,
    rationale: str | None = None,
    coder: str | None = None,
) -> tuple[ThemeInfo, Change]:
    """Make ``theme`` a subtheme of ``parent`` (None: a theme of its own again), placed just
    before its new sibling ``before`` or after the others (a theme of its own again with no
    ``before``: just after the theme of its own it was inside, ``top_level_place``). A theme
    cannot go inside one of its own subthemes."""

    def action(s: Session) -> ThemeInfo:
        moving = get_theme(s, theme)
        target = get_theme(s, parent) if parent is not None else None
        if target is not None and target.id == moving.id:
            raise StudyError(f"'{theme}' cannot be a subtheme of itself")
        if target is not None and moving.id in _ancestors(s, target):
            raise StudyError(
                f"'{parent}' is one of the subthemes of '{theme}': '{theme}' cannot go inside it "
                f"(themes cannot nest in a circle)"
            )
        target_id = target.id if target else None
        if moving.parent_id == target_id:
            where = f"a subtheme of '{parent}'" if parent else "a theme of its own"
            raise StudyError(f"'{theme}' is already {where}")
        previous = s.get(Theme, moving.parent_id) if moving.parent_id else None
        place = before
        if target is None and before is None:  # the board's rule: after its own top theme
            place = top_level_place(_placed(s), theme)
        _arrange(s, moving, target_id, _sibling(s, place, target_id))
        _event(
            s,
            project,
            coder,
            moving,
            "parent",
            rationale,
            previous=previous.name if previous else None,
            parent=parent,
        )
        s.flush()
        return _info(s, moving)

    what = f"make '{theme}' a subtheme of '{parent}'" if parent else f"make '{theme}' a theme"
    return run_command(project, what, action, coder=coder, audit=("theme.move", None))


def reorder_theme(
    project: Project,
    theme: str,
    *,
    before: str | None = None,
    steps: int = 0,
    coder: str | None = None,
) -> Change:
    """Move ``theme`` among its siblings: just before ``before`` (None with no steps: last), or
    ``steps`` places up (negative) or down. The order is the analyst's; it is not history."""

    def action(s: Session) -> None:
        moving = get_theme(s, theme)
        siblings = list(
            s.scalars(
                select(Theme)
                .where(
                    Theme.parent_id.is_(None)
                    if moving.parent_id is None
                    else Theme.parent_id == moving.parent_id
                )
                .order_by(Theme.position, Theme.id)
            )
        )
        if steps:
            at = siblings.index(moving) + steps
            if not 0 <= at < len(siblings):
                raise StudyError(f"'{theme}' is already {'first' if steps < 0 else 'last'}")
            rest = [t for t in siblings if t.id != moving.id]
            _arrange(s, moving, moving.parent_id, rest[at] if at < len(rest) else None)
            return
        if before == theme:
            raise StudyError("a theme cannot be put before itself")
        _arrange(s, moving, moving.parent_id, _sibling(s, before, moving.parent_id))

    what = f"move theme '{theme}' {'up' if steps < 0 else 'down' if steps else 'in the order'}"
    _, change = run_command(project, what, action, coder=coder, audit=("theme.order", None))
    return change


def _sibling(s: Session, name: str | None, parent_id: int | None) -> Theme | None:
    if name is None:
        return None
    sibling = get_theme(s, name)
    if sibling.parent_id != parent_id:
        raise StudyError(f"'{name}' is not beside it: they sit under different themes")
    return sibling


# --- where a theme may go: plain rules on listed themes, for the board and the command line ---


class PlacedTheme(Protocol):
    """What the placement rules read of a theme (a ``ThemeInfo`` or a row's name and parent)."""

    @property
    def name(self) -> str: ...
    @property
    def parent(self) -> str | None: ...
    @property
    def subthemes(self) -> tuple[str, ...]: ...


_T = TypeVar("_T", bound=PlacedTheme)


@dataclass(frozen=True, slots=True)
class _Placed:
    name: str
    parent: str | None
    subthemes: tuple[str, ...] = ()


def _placed(s: Session) -> list[_Placed]:
    """Every theme's name, parent and subthemes in board order, read in the caller's session."""
    order = (Theme.position, Theme.id)
    rows = list(s.execute(select(Theme.id, Theme.name, Theme.parent_id).order_by(*order)))
    names = {row.id: row.name for row in rows}
    below: dict[int | None, list[str]] = {}
    for row in rows:
        below.setdefault(row.parent_id, []).append(row.name)
    return [_Placed(r.name, names.get(r.parent_id), tuple(below.get(r.id, ()))) for r in rows]


def find_theme(themes: Sequence[_T], name: str) -> _T:
    for theme in themes:
        if theme.name == name:
            return theme
    raise StudyError(f"no theme '{name}'")


def theme_within(themes: Sequence[PlacedTheme], theme: str, other: str) -> bool:
    """Whether ``other`` is ``theme`` or sits (at any depth) inside it: ``theme`` cannot go
    inside ``other`` then, for themes cannot nest in a circle (``move_theme`` refuses it)."""
    pending = [theme]
    while pending:
        current = pending.pop()
        if current == other:
            return True
        pending += list(find_theme(themes, current).subthemes)
    return False


def can_nest(themes: Sequence[PlacedTheme], theme: str, parent: str) -> bool:
    """Whether ``theme`` may become a subtheme of ``parent``: not inside itself or one of its
    own subthemes, and not where it already is."""
    return not theme_within(themes, theme, parent) and find_theme(themes, theme).parent != parent


def sibling_themes(themes: Sequence[PlacedTheme], theme: str) -> list[str]:
    """The themes beside ``theme``, itself included, in order: its parent's subthemes, or the
    themes of their own."""
    parent = find_theme(themes, theme).parent
    if parent is not None:
        return list(find_theme(themes, parent).subthemes)
    return [t.name for t in themes if t.parent is None]


def top_level_place(themes: Sequence[PlacedTheme], theme: str) -> str | None:
    """Where a subtheme made a theme of its own goes: just after the theme of its own it was
    inside (at any depth). The theme it goes before (``move_theme``'s ``before``); None: last."""
    top = theme
    while (parent := find_theme(themes, top).parent) is not None:
        top = parent
    tops = sibling_themes(themes, top)
    after = tops.index(top) + 1
    return tops[after] if after < len(tops) else None


def list_themes(project: Project) -> list[ThemeInfo]:
    with project.session(write=False) as s:
        book = Codebook(s)
        return [
            _info(s, t, book) for t in s.scalars(select(Theme).order_by(Theme.position, Theme.id))
        ]


def theme_history(project: Project, theme: str | None = None) -> list[ThemeEventInfo]:
    with project.session(write=False) as s:
        stmt = (
            select(ThemeEvent, Theme.name, Coder.name)
            .outerjoin(Theme, ThemeEvent.theme_id == Theme.id)
            .outerjoin(Coder, ThemeEvent.coder_id == Coder.id)
            .order_by(ThemeEvent.id)
        )
        if theme is not None:
            stmt = stmt.where(ThemeEvent.theme_id == get_theme(s, theme).id)
        return [
            ThemeEventInfo(name, e.kind, json.loads(e.detail), e.rationale, coder, e.at.isoformat())
            for e, name, coder in s.execute(stmt)
        ]


def unit_columns(s: Session, unit: str) -> dict[str, object]:
    """``study``, ``role:patient``, ``participant:P01`` or ``dyad:D01`` as Trajectory columns."""
    kind, _, ref = unit.partition(":")
    if unit == "study":
        return {"unit_kind": "study", "role": None, "participant_id": None, "dyad_id": None}
    if kind == "role" and ref in {r.value for r in Role} - {"researcher"}:
        return {"unit_kind": "role", "role": ref, "participant_id": None, "dyad_id": None}
    if kind == "participant" and ref:
        return {
            "unit_kind": "participant",
            "role": None,
            "participant_id": get_participant(s, ref).id,
            "dyad_id": None,
        }
    if kind == "dyad" and ref:
        return {
            "unit_kind": "dyad",
            "role": None,
            "participant_id": None,
            "dyad_id": get_dyad(s, ref).id,
        }
    raise StudyError("a unit is 'study', 'role:ROLE', 'participant:ID' or 'dyad:ID'")


def set_trajectory(
    project: Project,
    theme: str,
    unit: str,
    *,
    label: str | None,
    text: str | None = None,
    coder: str | None = None,
) -> Change:
    """The analyst's own reading of how a theme changed for a unit (a label and/or words)."""

    def action(s: Session) -> None:
        target = get_theme(s, theme)
        columns = unit_columns(s, unit)
        stmt = select(Trajectory).where(Trajectory.theme_id == target.id)
        for column, value in columns.items():
            attr = getattr(Trajectory, column)
            stmt = stmt.where(attr.is_(None) if value is None else attr == value)
        row = s.scalar(stmt)
        if row is None:
            row = Trajectory(theme_id=target.id, **columns)
            s.add(row)
        row.label = label or None
        row.text = text
        row.coder_id = project.coder(s, coder).id

    _, change = run_command(
        project,
        f"trajectory of '{theme}' for {unit}",
        action,
        coder=coder,
        audit=("theme.trajectory", None),
    )
    return change
