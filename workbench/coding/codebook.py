"""The codebook: a tree of codes. One undoable command per action (see ``undo``)."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench.coding.undo import Change, changed_since, run_command
from workbench.domain.coding import CodeInfo
from workbench.domain.study import StudyError
from workbench.storage.models import (
    Code,
    Coding,
    DetachedCoding,
    Exemplar,
    Memo,
    ThemeCode,
)
from workbench.storage.project import Project

PATH_SEPARATOR = " / "
_COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


class Codebook:
    """All codes of a project, loaded once for lookups by name or path."""

    def __init__(self, session: Session) -> None:
        self.codes = list(session.scalars(select(Code).order_by(Code.position, Code.id)))
        self.by_id = {c.id: c for c in self.codes}

    def path(self, code: Code) -> str:
        names, seen = [], set()
        node: Code | None = code
        while node is not None and node.id not in seen:
            seen.add(node.id)
            names.append(node.name)
            node = self.by_id.get(node.parent_id) if node.parent_id else None
        return PATH_SEPARATOR.join(reversed(names))

    def all_paths(self) -> dict[int, str]:
        """Every code's path by id, for describing many codings at once."""
        return {c.id: self.path(c) for c in self.codes}

    def find(self, name_or_path: str) -> Code:
        wanted = name_or_path.strip()
        exact = [c for c in self.codes if self.path(c) == wanted]
        if exact:
            return exact[0]
        named = [c for c in self.codes if c.name == wanted]
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            paths = ", ".join(f"'{self.path(c)}'" for c in named)
            raise StudyError(f"several codes are named '{wanted}': give the path ({paths})")
        raise StudyError(f"no code '{wanted}' in the codebook")

    def descendants(self, code: Code) -> list[Code]:
        found, frontier = [], [code.id]
        while frontier:
            children = [c for c in self.codes if c.parent_id in frontier]
            found += children
            frontier = [c.id for c in children]
        return found

    def add(self, code: Code) -> None:
        """Know a code made after loading (flushed, so it has its id)."""
        self.codes.append(code)
        self.by_id[code.id] = code

    def info(self, code: Code, codings: int) -> CodeInfo:
        parent = self.by_id.get(code.parent_id) if code.parent_id else None
        return CodeInfo(
            name=code.name,
            path=self.path(code),
            parent=self.path(parent) if parent else None,
            color=code.color,
            definition=code.definition,
            inclusion=code.inclusion,
            exclusion=code.exclusion,
            created_at=code.created_at,
            codings=codings,
        )

    def siblings(self, parent_id: int | None) -> list[Code]:
        return [c for c in self.codes if c.parent_id == parent_id]


def _check_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise StudyError("a code needs a name")
    if PATH_SEPARATOR in name:
        raise StudyError(f"a code name cannot contain '{PATH_SEPARATOR.strip()}' between spaces")
    if len(name) > 500:
        raise StudyError("a code name can have at most 500 characters")
    return name


def _check_unique(book: Codebook, name: str, parent_id: int | None, except_id: int = 0) -> None:
    if any(c.name == name and c.id != except_id for c in book.siblings(parent_id)):
        where = f"under '{book.path(book.by_id[parent_id])}'" if parent_id else "at the top"
        raise StudyError(f"there is already a code '{name}' {where}")


def _check_color(color: str | None) -> str | None:
    if color is not None and not _COLOR_RE.match(color):
        raise StudyError(f"colour '{color}' is not of the form #RRGGBB")
    return color


def code_info(session: Session, book: Codebook, code: Code) -> CodeInfo:
    count = session.scalar(select(func.count()).where(Coding.code_id == code.id)) or 0
    return book.info(code, int(count))


def list_codes(project: Project) -> list[CodeInfo]:
    """Every code, parents before their children, with its number of codings."""
    with project.session(write=False) as s:
        book = Codebook(s)
        counts = dict(
            (code_id, n)
            for code_id, n in s.execute(
                select(Coding.code_id, func.count()).group_by(Coding.code_id)
            )
        )
        ordered: list[Code] = []
        children: dict[int | None, list[Code]] = {}
        for c in book.codes:  # in sibling order
            children.setdefault(c.parent_id, []).append(c)

        def walk(parent_id: int | None) -> None:
            for c in children.get(parent_id, ()):
                ordered.append(c)
                walk(c.id)

        walk(None)
        return [book.info(c, int(counts.get(c.id, 0))) for c in ordered]


CODE_COLOURS = (
    "#2a6f97",
    "#5b8e3e",
    "#b5562e",
    "#7b5ea7",
    "#c08a1e",
    "#3d8c8c",
    "#a8456b",
    "#6b7f2f",
    "#8c5a3c",
    "#4a6fa5",
)
"""Colours a new code made while coding gets, the least used first (the analyst can change it)."""


def next_colour(book: Codebook) -> str:
    """The palette colour fewest codes have (the earliest of those)."""
    used = [c.color.lower() for c in book.codes if c.color]
    return min(CODE_COLOURS, key=lambda colour: (used.count(colour), CODE_COLOURS.index(colour)))


def create_code(
    s: Session,
    book: Codebook,
    name: str,
    *,
    parent: str | None,
    created_by_id: int,
    color: str | None = None,
    definition: str | None = None,
    inclusion: str | None = None,
    exclusion: str | None = None,
) -> Code:
    """Add a code to the codebook inside the caller's command (last among its siblings)."""
    name = _check_name(name)
    _check_color(color)
    parent_code = book.find(parent) if parent else None
    parent_id = parent_code.id if parent_code else None
    _check_unique(book, name, parent_id)
    code = Code(
        name=name,
        parent_id=parent_id,
        position=len(book.siblings(parent_id)),
        color=color,
        definition=definition,
        inclusion=inclusion,
        exclusion=exclusion,
        created_by_id=created_by_id,
    )
    s.add(code)
    s.flush()
    book.add(code)
    return code


def add_code(
    project: Project,
    name: str,
    *,
    parent: str | None = None,
    color: str | None = None,
    definition: str | None = None,
    inclusion: str | None = None,
    exclusion: str | None = None,
    coder: str | None = None,
) -> tuple[CodeInfo, Change]:
    name = _check_name(name)
    _check_color(color)

    def action(s: Session) -> CodeInfo:
        book = Codebook(s)
        code = create_code(
            s,
            book,
            name,
            parent=parent,
            color=color,
            definition=definition,
            inclusion=inclusion,
            exclusion=exclusion,
            created_by_id=project.coder(s, coder).id,
        )
        return code_info(s, book, code)

    info, change = run_command(
        project, f"add code '{name}'", action, coder=coder, audit=("code.add", None)
    )
    return info, change


def rename_code(
    project: Project, code: str, new_name: str, *, coder: str | None = None
) -> tuple[CodeInfo, Change]:
    new_name = _check_name(new_name)

    def action(s: Session) -> CodeInfo:
        book = Codebook(s)
        target = book.find(code)
        _check_unique(book, new_name, target.parent_id, except_id=target.id)
        target.name = new_name
        return code_info(s, book, target)

    return run_command(
        project,
        f"rename code '{code}' to '{new_name}'",
        action,
        coder=coder,
        audit=("code.rename", None),
    )


def update_code(
    project: Project,
    code: str,
    *,
    color: str | None = None,
    definition: str | None = None,
    inclusion: str | None = None,
    exclusion: str | None = None,
    expected_definition: str | None = None,
    coder: str | None = None,
) -> tuple[CodeInfo, Change]:
    """Change a code's colour, definition or notes (None leaves a field as it is).
    ``expected_definition`` is the definition the writer read ("" for none): when a colleague
    has changed it since, the edit is refused in one line instead of overwriting theirs."""
    _check_color(color)

    def action(s: Session) -> CodeInfo:
        book = Codebook(s)
        target = book.find(code)
        if expected_definition is not None and (target.definition or "") != expected_definition:
            raise StudyError(f"refused: {changed_since(s, ('code', (target.id,)))}")
        for field, value in (
            ("color", color),
            ("definition", definition),
            ("inclusion", inclusion),
            ("exclusion", exclusion),
        ):
            if value is not None:
                setattr(target, field, value or None)
        return code_info(s, book, target)

    return run_command(
        project, f"edit code '{code}'", action, coder=coder, audit=("code.update", None)
    )


def move_code(
    project: Project, code: str, new_parent: str | None, *, coder: str | None = None
) -> tuple[CodeInfo, Change]:
    """Put a code under another (None: at the top). A move into its own subtree is refused."""

    def action(s: Session) -> CodeInfo:
        book = Codebook(s)
        target = book.find(code)
        parent = book.find(new_parent) if new_parent else None
        if parent is not None and (parent.id == target.id or parent in book.descendants(target)):
            raise StudyError(
                f"cannot move '{book.path(target)}' under '{book.path(parent)}': "
                "a code cannot sit inside itself"
            )
        parent_id = parent.id if parent else None
        _check_unique(book, target.name, parent_id, except_id=target.id)
        target.parent_id = parent_id
        target.position = len(book.siblings(parent_id))
        return code_info(s, book, target)

    where = f"under '{new_parent}'" if new_parent else "to the top"
    return run_command(
        project, f"move code '{code}' {where}", action, coder=coder, audit=("code.move", None)
    )


def _delete_code_rows(s: Session, code: Code) -> None:
    """Delete a code and everything that hangs on it, row by row (so undo can restore it)."""
    for coding in s.scalars(select(Coding).where(Coding.code_id == code.id)):
        for memo in s.scalars(select(Memo).where(Memo.coding_id == coding.id)):
            s.delete(memo)
        for exemplar in s.scalars(select(Exemplar).where(Exemplar.coding_id == coding.id)):
            s.delete(exemplar)
        s.delete(coding)
    for model in (DetachedCoding, ThemeCode):
        for row in s.scalars(select(model).where(model.code_id == code.id)):
            s.delete(row)
    for memo in s.scalars(select(Memo).where(Memo.code_id == code.id)):
        s.delete(memo)
    s.flush()
    s.delete(code)
    s.flush()


def delete_code(
    project: Project, code: str, *, confirm: bool = False, coder: str | None = None
) -> Change:
    """Delete a code, its sub-codes and their codings; needs ``confirm`` when that loses work."""

    def action(s: Session) -> int:
        book = Codebook(s)
        target = book.find(code)
        subtree = [target, *book.descendants(target)]
        ids = [c.id for c in subtree]
        n = s.scalar(select(func.count()).where(Coding.code_id.in_(ids))) or 0
        if (n or len(subtree) > 1) and not confirm:
            raise StudyError(
                f"'{book.path(target)}' has {len(subtree) - 1} sub-codes and {n} codings; "
                "confirm to delete them all (--yes)"
            )
        for c in reversed(subtree):
            _delete_code_rows(s, c)
        return int(n)

    _, change = run_command(
        project, f"delete code '{code}'", action, coder=coder, audit=("code.delete", None)
    )
    return change


def merge_codes(
    project: Project, source: str, into: str, *, coder: str | None = None
) -> tuple[CodeInfo, Change]:
    """Move the source's codings, sub-codes, memos and theme places to ``into``; delete it.

    A coding whose span the target already codes in the same interview collapses into it.
    """

    def action(s: Session) -> CodeInfo:
        book = Codebook(s)
        src, dst = book.find(source), book.find(into)
        if src.id == dst.id:
            raise StudyError("a code cannot be merged into itself")
        if dst in book.descendants(src):
            raise StudyError(f"cannot merge '{book.path(src)}' into its own sub-code")
        existing = {
            (c.interview_id, c.start_utterance_id, c.start_offset, c.end_utterance_id, c.end_offset)
            for c in s.scalars(select(Coding).where(Coding.code_id == dst.id))
        }
        for coding in list(s.scalars(select(Coding).where(Coding.code_id == src.id))):
            span = (
                coding.interview_id,
                coding.start_utterance_id,
                coding.start_offset,
                coding.end_utterance_id,
                coding.end_offset,
            )
            if span in existing:
                for memo in s.scalars(select(Memo).where(Memo.coding_id == coding.id)):
                    s.delete(memo)
                for exemplar in s.scalars(select(Exemplar).where(Exemplar.coding_id == coding.id)):
                    s.delete(exemplar)
                s.delete(coding)
            else:
                coding.code_id = dst.id
                existing.add(span)
        for detached in s.scalars(select(DetachedCoding).where(DetachedCoding.code_id == src.id)):
            detached.code_id = dst.id
        for memo in s.scalars(select(Memo).where(Memo.code_id == src.id)):
            memo.code_id = dst.id
        in_themes = set(s.scalars(select(ThemeCode.theme_id).where(ThemeCode.code_id == dst.id)))
        for link in list(s.scalars(select(ThemeCode).where(ThemeCode.code_id == src.id))):
            s.delete(link)
            if link.theme_id not in in_themes:
                s.flush()
                s.add(ThemeCode(theme_id=link.theme_id, code_id=dst.id))
        for child in book.siblings(src.id):
            _check_unique(book, child.name, dst.id, except_id=child.id)
            child.parent_id = dst.id
        s.flush()
        s.delete(src)
        s.flush()
        book.codes.remove(src)
        return code_info(s, book, dst)

    return run_command(
        project,
        f"merge code '{source}' into '{into}'",
        action,
        coder=coder,
        audit=("code.merge", None),
    )


def split_code(
    project: Project,
    code: str,
    new_name: str,
    coding_ids: list[str],
    *,
    coder: str | None = None,
) -> tuple[CodeInfo, Change]:
    """Make a sibling code ``new_name`` and move the given codings to it."""
    new_name = _check_name(new_name)

    def action(s: Session) -> CodeInfo:
        book = Codebook(s)
        src = book.find(code)
        _check_unique(book, new_name, src.parent_id)
        new = Code(
            name=new_name,
            parent_id=src.parent_id,
            position=len(book.siblings(src.parent_id)),
            color=src.color,
            created_by_id=project.coder(s, coder).id,
        )
        s.add(new)
        s.flush()
        moving = list(s.scalars(select(Coding).where(Coding.guid.in_(coding_ids))))
        if len(moving) != len(set(coding_ids)):
            raise StudyError("some of the codings to split off do not exist")
        for coding in moving:
            if coding.code_id != src.id:
                raise StudyError(f"coding {coding.guid} is not coded with '{code}'")
            coding.code_id = new.id
        book.add(new)
        return code_info(s, book, new)

    return run_command(
        project,
        f"split '{new_name}' off code '{code}'",
        action,
        coder=coder,
        audit=("code.split", None),
    )
