"""Codings: spans of an interview's text with one code. One undoable command per action."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.coding._anchors import LoadedTranscript
from workbench.coding.codebook import Codebook, _check_unique, create_code, next_colour
from workbench.coding.study import get_interview
from workbench.coding.undo import Change, run_command
from workbench.domain.coding import CodingInfo, DetachedCodingInfo
from workbench.domain.study import StudyError
from workbench.storage.models import (
    CODING_ANCHORS,
    Code,
    Coder,
    Coding,
    DetachedCoding,
    Exemplar,
    Interview,
    Memo,
    utcnow,
)
from workbench.storage.project import Project

IN_VIVO_MAX = 60


def _coder_names(s: Session) -> dict[int, str]:
    return {cid: name for cid, name in s.execute(select(Coder.id, Coder.name))}


_INFO_COLUMNS = (
    Coding.guid,
    Coding.code_id,
    *CODING_ANCHORS,
    Coding.coder_id,
    Coding.created_at,
    Coding.memo,
    Coding.important,
)


def _info(
    s: Session,
    transcript: LoadedTranscript,
    book: Codebook,
    coding: Coding,
    coders: dict[int, str],
    text: str | None = None,
    paths: dict[int, str] | None = None,
) -> CodingInfo:
    """``text`` and ``paths``: the interview text and the code paths, when the caller describes
    many codings of one interview."""
    start, end = transcript.span(coding)
    return CodingInfo(
        id=coding.guid,
        interview=transcript.interview.key,
        code=paths[coding.code_id] if paths else book.path(book.by_id[coding.code_id]),
        start=start,
        end=end,
        text=(transcript.text if text is None else text)[start:end],
        coder=coders.get(coding.coder_id) if coding.coder_id else None,
        created_at=coding.created_at,
        memo=coding.memo,
        important=coding.important,
    )


def _check_span(transcript: LoadedTranscript, start: int, end: int) -> None:
    total = len(transcript.text)
    if not transcript.rows:
        raise StudyError(f"interview '{transcript.interview.key}' has no transcript yet")
    if start < 0 or end > total:
        raise StudyError(f"span {start}–{end} is outside the interview text (0–{total})")
    if start >= end:
        raise StudyError(f"a span must start before it ends (got {start}–{end})")
    if not transcript.text[start:end].strip():
        raise StudyError("the span holds no words")


_ChooseCode = Callable[[Session, Codebook, LoadedTranscript, Coder], Code]


def _code_span(
    project: Project,
    interview: str,
    start: int,
    end: int,
    choose: _ChooseCode,
    *,
    description: str,
    audit: str,
    coder: str | None,
    memo: str | None = None,
    important: bool = False,
) -> tuple[CodingInfo, Change]:
    """One command that codes the span with the code ``choose`` finds or makes in the same
    session (so one undo takes a code made for it away too)."""

    def action(s: Session) -> CodingInfo:
        iv = get_interview(s, interview)
        transcript = LoadedTranscript.load(s, iv)
        _check_span(transcript, start, end)
        book = Codebook(s)
        who = project.coder(s, coder)
        code = choose(s, book, transcript, who)
        coding = Coding(
            code_id=code.id, interview_id=iv.id, coder_id=who.id, memo=memo, important=important
        )
        transcript.set_span(coding, start, end)
        s.add(coding)
        s.flush()
        return _info(s, transcript, book, coding, _coder_names(s))

    return run_command(
        project, description, action, coder=coder, audit=(audit, f"interview:{interview}")
    )


def apply_code(
    project: Project,
    interview: str,
    start: int,
    end: int,
    code: str,
    *,
    memo: str | None = None,
    important: bool = False,
    coder: str | None = None,
) -> tuple[CodingInfo, Change]:
    """Code the interview text from ``start`` to ``end`` (code points, end exclusive)."""
    return _code_span(
        project,
        interview,
        start,
        end,
        lambda s, book, transcript, who: book.find(code),
        description=f"code {interview} {start}–{end} as '{code}'",
        audit="coding.add",
        coder=coder,
        memo=memo,
        important=important,
    )


def apply_new_code(
    project: Project,
    interview: str,
    start: int,
    end: int,
    name: str,
    *,
    parent: str | None = None,
    coder: str | None = None,
) -> tuple[CodingInfo, Change]:
    """Make a code (with a colour of its own) and code the span with it: one command, so one
    undo takes both away, as the analyst did one thing (typed a new name at Ctrl+K)."""

    def choose(s: Session, book: Codebook, transcript: LoadedTranscript, who: Coder) -> Code:
        colour = next_colour(book)
        return create_code(s, book, name, parent=parent, color=colour, created_by_id=who.id)

    return _code_span(
        project,
        interview,
        start,
        end,
        choose,
        description=f"code {interview} {start}–{end} as new code '{name.strip()}'",
        audit="coding.add",
        coder=coder,
    )


def in_vivo_code(
    project: Project,
    interview: str,
    start: int,
    end: int,
    *,
    parent: str | None = None,
    coder: str | None = None,
) -> tuple[CodingInfo, Change]:
    """Make a code named by the selected words (the participant's own), and apply it there."""

    def choose(s: Session, book: Codebook, transcript: LoadedTranscript, who: Coder) -> Code:
        name = " ".join(transcript.text[start:end].split())
        if len(name) > IN_VIVO_MAX:
            name = name[: IN_VIVO_MAX - 1].rstrip() + "…"
        parent_code = book.find(parent) if parent else None
        parent_id = parent_code.id if parent_code else None
        _check_unique(book, name, parent_id)
        code = Code(name=name, parent_id=parent_id, color=next_colour(book), created_by_id=who.id)
        s.add(code)
        s.flush()
        book.add(code)
        return code

    return _code_span(
        project,
        interview,
        start,
        end,
        choose,
        description=f"in-vivo code {interview} {start}–{end}",
        audit="coding.in_vivo",
        coder=coder,
    )


def _get_coding(s: Session, coding_id: str) -> Coding:
    coding = s.scalar(select(Coding).where(Coding.guid == coding_id))
    if coding is None:
        raise StudyError(f"no coding '{coding_id}'")
    return coding


def delete_coding(s: Session, coding: Coding) -> None:
    """Delete a coding with the rows that hang on it (memos, exemplars), where undo sees them."""
    for memo in s.scalars(select(Memo).where(Memo.coding_id == coding.id)):
        s.delete(memo)
    for exemplar in s.scalars(select(Exemplar).where(Exemplar.coding_id == coding.id)):
        s.delete(exemplar)
    s.delete(coding)


def remove_coding(project: Project, coding_id: str, *, coder: str | None = None) -> Change:
    def action(s: Session) -> None:
        delete_coding(s, _get_coding(s, coding_id))

    _, change = run_command(
        project, f"remove coding {coding_id}", action, coder=coder, audit=("coding.remove", None)
    )
    return change


def set_coding_note(
    project: Project,
    coding_id: str,
    *,
    memo: str | None = None,
    important: bool | None = None,
    coder: str | None = None,
) -> Change:
    """Set a coding's memo (empty string clears it) and/or its "important" flag."""

    def action(s: Session) -> None:
        coding = _get_coding(s, coding_id)
        if memo is not None:
            coding.memo = memo or None
        if important is not None:
            coding.important = important

    _, change = run_command(
        project, f"note on coding {coding_id}", action, coder=coder, audit=("coding.note", None)
    )
    return change


def list_codings(
    project: Project, *, interview: str | None = None, code: str | None = None
) -> list[CodingInfo]:
    """Codings with their positions and text, in interview then position order."""
    with project.session(write=False) as s:
        book = Codebook(s)
        coders = _coder_names(s)
        stmt = select(Interview).order_by(Interview.key)
        if interview is not None:
            stmt = stmt.where(Interview.id == get_interview(s, interview).id)
        code_ids = None
        if code is not None:
            target = book.find(code)
            code_ids = {target.id}
        result: list[CodingInfo] = []
        paths = book.all_paths()
        for iv in s.scalars(stmt):
            # Plain rows with the columns ``_info`` reads: many times faster than ORM objects.
            query = select(*_INFO_COLUMNS).where(Coding.interview_id == iv.id)
            if code_ids is not None:
                query = query.where(Coding.code_id.in_(code_ids))
            codings = cast(list[Coding], s.execute(query).all())
            if not codings:
                continue
            transcript = LoadedTranscript.load_for_reading(s, iv)
            text = transcript.text
            infos = [_info(s, transcript, book, c, coders, text, paths) for c in codings]
            result += sorted(infos, key=lambda c: (c.start, c.end, c.code))
        return result


def list_detached(project: Project) -> list[DetachedCodingInfo]:
    """Codings whose words were all deleted, waiting for the analyst to reattach or discard."""
    with project.session(write=False) as s:
        book = Codebook(s)
        coders = _coder_names(s)
        keys = {i: k for i, k in s.execute(select(Interview.id, Interview.key))}
        return [
            DetachedCodingInfo(
                id=d.guid,
                interview=keys[d.interview_id],
                code=book.path(book.by_id[d.code_id]),
                text=d.text,
                coder=coders.get(d.coder_id) if d.coder_id else None,
                detached_at=d.detached_at,
                memo=d.memo,
            )
            for d in s.scalars(select(DetachedCoding).order_by(DetachedCoding.id))
        ]


def _get_detached(s: Session, detached_id: str) -> DetachedCoding:
    row = s.scalar(select(DetachedCoding).where(DetachedCoding.guid == detached_id))
    if row is None:
        raise StudyError(f"no detached coding '{detached_id}'")
    return row


def reattach_coding(
    project: Project, detached_id: str, start: int, end: int, *, coder: str | None = None
) -> tuple[CodingInfo, Change]:
    """Put a detached coding back on a span of its interview."""

    def action(s: Session) -> CodingInfo:
        row = _get_detached(s, detached_id)
        iv = s.get(Interview, row.interview_id)
        assert iv is not None
        transcript = LoadedTranscript.load(s, iv)
        _check_span(transcript, start, end)
        coding = Coding(
            code_id=row.code_id,
            interview_id=iv.id,
            coder_id=row.coder_id,
            created_at=row.coded_at,
            memo=row.memo,
            guid=row.guid,
        )
        transcript.set_span(coding, start, end)
        s.delete(row)
        s.flush()
        s.add(coding)
        s.flush()
        return _info(s, transcript, Codebook(s), coding, _coder_names(s))

    return run_command(
        project,
        f"reattach coding {detached_id}",
        action,
        coder=coder,
        audit=("coding.reattach", None),
    )


def discard_detached(project: Project, detached_id: str, *, coder: str | None = None) -> Change:
    def action(s: Session) -> None:
        s.delete(_get_detached(s, detached_id))

    _, change = run_command(
        project,
        f"discard detached coding {detached_id}",
        action,
        coder=coder,
        audit=("coding.discard", None),
    )
    return change


def detach(s: Session, transcript: LoadedTranscript, coding: Coding, held: str) -> None:
    """Move a coding whose words are gone to the detached list, with the text it held."""
    starts = [r for r in transcript.rows if r.id == coding.start_utterance_id]
    speaker = starts[0].speaker_id if starts else None
    s.add(
        DetachedCoding(
            code_id=coding.code_id,
            interview_id=coding.interview_id,
            speaker_id=speaker,
            text=held,
            coder_id=coding.coder_id,
            coded_at=coding.created_at,
            detached_at=utcnow(),
            memo=coding.memo,
            guid=coding.guid,
        )
    )
    for memo in s.scalars(select(Memo).where(Memo.coding_id == coding.id)):
        s.delete(memo)
    for exemplar in s.scalars(select(Exemplar).where(Exemplar.coding_id == coding.id)):
        s.delete(exemplar)
    s.delete(coding)
