"""Memos on anything, and the reflexive journal. Undoable commands like every other change."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.coding.codebook import Codebook
from workbench.coding.study import get_dyad, get_interview, get_participant, get_wave
from workbench.coding.undo import Change, changed_since, run_command
from workbench.domain.coding import JournalEntryInfo, MemoInfo
from workbench.domain.study import StudyError
from workbench.storage.models import (
    Coder,
    Coding,
    Dyad,
    Interview,
    JournalEntry,
    Memo,
    Participant,
    Theme,
    Wave,
)
from workbench.storage.project import Project

_TARGET_COLUMNS = (
    "interview_id",
    "participant_id",
    "dyad_id",
    "wave_id",
    "code_id",
    "coding_id",
    "theme_id",
)
TARGETS = ("project", "interview", "participant", "dyad", "wave", "code", "coding", "theme")


def _resolve(s: Session, about: str) -> dict[str, int]:
    """``interview:P01-baseline`` → {"interview_id": 7}; ``project`` → {}."""
    kind, _, ref = about.partition(":")
    if kind == "project" and not ref:
        return {}
    if kind not in TARGETS or not ref:
        raise StudyError(
            f"a memo is about 'project' or KIND:ID with KIND one of {', '.join(TARGETS[1:])}"
        )
    if kind == "interview":
        return {"interview_id": get_interview(s, ref).id}
    if kind == "participant":
        return {"participant_id": get_participant(s, ref).id}
    if kind == "dyad":
        return {"dyad_id": get_dyad(s, ref).id}
    if kind == "wave":
        return {"wave_id": get_wave(s, ref).id}
    if kind == "code":
        return {"code_id": Codebook(s).find(ref).id}
    if kind == "coding":
        coding = s.scalar(select(Coding).where(Coding.guid == ref))
        if coding is None:
            raise StudyError(f"no coding '{ref}'")
        return {"coding_id": coding.id}
    theme = s.scalar(select(Theme).where(Theme.name == ref))
    if theme is None:
        raise StudyError(f"no theme '{ref}'")
    return {"theme_id": theme.id}


def _about(s: Session, memo: Memo) -> str:
    lookups: list[tuple[int | None, type, str]] = [
        (memo.interview_id, Interview, "interview"),
        (memo.participant_id, Participant, "participant"),
        (memo.dyad_id, Dyad, "dyad"),
        (memo.wave_id, Wave, "wave"),
        (memo.theme_id, Theme, "theme"),
    ]
    for ref, model, kind in lookups:
        if ref is not None:
            row = s.get(model, ref)
            name = getattr(row, "key", None) or getattr(row, "name", "?")
            return f"{kind}:{name}"
    if memo.code_id is not None:
        book = Codebook(s)
        return f"code:{book.path(book.by_id[memo.code_id])}"
    if memo.coding_id is not None:
        coding = s.get(Coding, memo.coding_id)
        return f"coding:{coding.guid if coding else '?'}"
    return "project"


def _coder_name(s: Session, coder_id: int | None) -> str | None:
    return s.scalar(select(Coder.name).where(Coder.id == coder_id)) if coder_id else None


def _memo_info(s: Session, memo: Memo) -> MemoInfo:
    return MemoInfo(
        id=memo.guid,
        about=_about(s, memo),
        title=memo.title,
        text=memo.text,
        coder=_coder_name(s, memo.coder_id),
        updated_at=memo.updated_at,
    )


def add_memo(
    project: Project,
    text: str,
    *,
    about: str = "project",
    title: str | None = None,
    coder: str | None = None,
) -> tuple[MemoInfo, Change]:
    if not text.strip():
        raise StudyError("a memo needs some text")

    def action(s: Session) -> MemoInfo:
        memo = Memo(
            text=text, title=title, coder_id=project.coder(s, coder).id, **_resolve(s, about)
        )
        s.add(memo)
        s.flush()
        return _memo_info(s, memo)

    return run_command(project, f"memo on {about}", action, coder=coder, audit=("memo.add", about))


def edit_memo(
    project: Project,
    memo_id: str,
    *,
    text: str | None = None,
    title: str | None = None,
    expected_text: str | None = None,
    coder: str | None = None,
) -> tuple[MemoInfo, Change]:
    """Change a memo. ``expected_text`` is the text the writer read: when a colleague has changed
    it since, the edit is refused (naming who and when) instead of writing over their words."""

    def action(s: Session) -> MemoInfo:
        memo = s.scalar(select(Memo).where(Memo.guid == memo_id))
        if memo is None:
            raise StudyError(f"no memo '{memo_id}'")
        if expected_text is not None and memo.text != expected_text:
            raise StudyError(f"refused: {changed_since(s, ('memo', (memo.id,)))}")
        if text is not None:
            memo.text = text
        if title is not None:
            memo.title = title or None
        memo.updated_at = dt.datetime.now(dt.UTC)
        return _memo_info(s, memo)

    return run_command(project, "edit memo", action, coder=coder, audit=("memo.edit", None))


def delete_memo(project: Project, memo_id: str, *, coder: str | None = None) -> Change:
    def action(s: Session) -> None:
        memo = s.scalar(select(Memo).where(Memo.guid == memo_id))
        if memo is None:
            raise StudyError(f"no memo '{memo_id}'")
        s.delete(memo)

    _, change = run_command(
        project, "delete memo", action, coder=coder, audit=("memo.delete", None)
    )
    return change


def list_memos(project: Project, *, about: str | None = None) -> list[MemoInfo]:
    with project.session(write=False) as s:
        stmt = select(Memo).order_by(Memo.created_at, Memo.id)
        if about == "project":
            for column in _TARGET_COLUMNS:
                stmt = stmt.where(getattr(Memo, column).is_(None))
        elif about is not None:
            for column, value in _resolve(s, about).items():
                stmt = stmt.where(getattr(Memo, column) == value)
        return [_memo_info(s, m) for m in s.scalars(stmt)]


def add_journal_entry(
    project: Project, text: str, *, date: dt.date | None = None, coder: str | None = None
) -> tuple[JournalEntryInfo, Change]:
    """A dated reflexive note of the coder's (today unless ``date`` is given)."""
    if not text.strip():
        raise StudyError("a journal entry needs some text")

    def action(s: Session) -> JournalEntryInfo:
        who = project.coder(s, coder)
        entry = JournalEntry(coder_id=who.id, entry_date=date or dt.date.today(), text=text)
        s.add(entry)
        s.flush()
        return JournalEntryInfo(entry.guid, entry.entry_date, entry.text, who.name)

    return run_command(project, "journal entry", action, coder=coder, audit=("journal.add", None))


def list_journal(project: Project, *, coder: str | None = None) -> list[JournalEntryInfo]:
    """Journal entries, oldest first; only one coder's when ``coder`` is given."""
    with project.session(write=False) as s:
        stmt = (
            select(JournalEntry, Coder.name)
            .outerjoin(Coder)
            .order_by(JournalEntry.entry_date, JournalEntry.id)
        )
        if coder is not None:
            stmt = stmt.where(Coder.name == coder)
        return [JournalEntryInfo(e.guid, e.entry_date, e.text, name) for e, name in s.execute(stmt)]
