"""Merging a colleague's separately coded copy into the project: nothing silently dropped.

Two analysts start from one project, code apart (one offline, say), and bring the readings
together. The source is a ``.dyad`` copy or a ``.qdpx`` written by our export (read into a
temporary project first). What is merged:

- **codes** are matched by GUID, then by path; a code matched by GUID whose path differs in the
  two copies (renamed or moved differently) is a *conflict*: the project's name is kept and the
  difference is listed. A code only the source has is added, under its matched parent.
- **codings** keep their analyst, date, memo and GUID. A coding whose GUID the project already
  has was merged before (or never left): it is skipped, so a second merge of the same copy adds
  nothing. A coding equal to one the project has (same code, interview, words and analyst) is
  matched, not duplicated.
- **interviews** are matched by GUID, then by id; a coding is placed on the same words: where the
  interview text differs (edited in both copies) its words are looked for in the project's text,
  and a coding whose words are not found exactly once is a conflict, listed with its text, never
  placed on other words.
- Interviews, participants and waves only the source has are listed, not created: the study's
  structure is the owner's to change (import the interview first, then merge again). So are
  the transcript's interpreter marks (renderings, their spans, original/rendering links): a
  merge never adds or changes them.

The merge is one transaction and one undoable step of the merging analyst.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.coding._anchors import LoadedTranscript
from workbench.coding.codebook import Codebook
from workbench.coding.undo import Change, run_command
from workbench.domain.study import StudyError
from workbench.storage.models import Code, Coder, Coding, Interview
from workbench.storage.project import Project, open_project

SOURCE_SUFFIXES = (".dyad", ".qdpx")


@dataclass(frozen=True, slots=True)
class _SourceCode:
    guid: str
    path: str
    name: str
    parent_guid: str | None
    color: str | None
    definition: str | None
    inclusion: str | None
    exclusion: str | None


@dataclass(frozen=True, slots=True)
class _SourceCoding:
    guid: str
    code_guid: str
    interview_guid: str
    interview_key: str
    start: int
    end: int
    text: str
    coder: str | None
    created_at: object
    memo: str | None
    important: bool


@dataclass(frozen=True, slots=True)
class MergeConflict:
    """Something the two copies disagree on, and what the merge did about it."""

    kind: str  # code renamed | interview missing | words not found | words found twice
    what: str
    resolution: str


@dataclass
class MergeReport:
    source: str
    codes_added: list[str] = field(default_factory=list)
    codes_matched: int = 0
    codings_added: dict[str, int] = field(default_factory=dict)
    """per analyst"""
    codings_already_present: int = 0
    codings_moved: int = 0
    """placed by their words where the interview text differs between the copies"""
    conflicts: list[MergeConflict] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(self.codings_added.values())


@dataclass
class _Source:
    codes: list[_SourceCode]
    codings: list[_SourceCoding]
    interviews: dict[str, tuple[str, str]]
    """guid -> (key, interview text)"""


def _read_source(project: Project) -> _Source:
    with project.session(write=False) as s:
        book = Codebook(s)
        by_id = book.by_id
        ordered = sorted(book.codes, key=lambda c: book.path(c).count(" / "))
        codes = [
            _SourceCode(
                guid=c.guid,
                path=book.path(c),
                name=c.name,
                parent_guid=by_id[c.parent_id].guid if c.parent_id else None,
                color=c.color,
                definition=c.definition,
                inclusion=c.inclusion,
                exclusion=c.exclusion,
            )
            for c in ordered
        ]
        coders = {cid: name for cid, name in s.execute(select(Coder.id, Coder.name))}
        interviews: dict[str, tuple[str, str]] = {}
        codings: list[_SourceCoding] = []
        for iv in s.scalars(select(Interview).order_by(Interview.key)):
            transcript = LoadedTranscript.load_for_reading(s, iv)
            text = transcript.text
            interviews[iv.guid] = (iv.key, text)
            rows = s.scalars(select(Coding).where(Coding.interview_id == iv.id).order_by(Coding.id))
            for coding in rows:
                start, end = transcript.span(coding)
                codings.append(
                    _SourceCoding(
                        guid=coding.guid,
                        code_guid=by_id[coding.code_id].guid,
                        interview_guid=iv.guid,
                        interview_key=iv.key,
                        start=start,
                        end=end,
                        text=text[start:end],
                        coder=coders.get(coding.coder_id) if coding.coder_id else None,
                        created_at=coding.created_at,
                        memo=coding.memo,
                        important=coding.important,
                    )
                )
        return _Source(codes, codings, interviews)


@contextmanager
def _opened_source(source: Path) -> Iterator[Project]:
    if not source.exists():
        raise StudyError(f"{source} does not exist")
    suffix = source.suffix.lower()
    if suffix not in SOURCE_SUFFIXES:
        raise StudyError(f"merge reads a .dyad copy or a .qdpx from our export, not '{suffix}'")
    if suffix == ".dyad":
        with open_project(str(source)) as project:
            yield project
        return
    from workbench.exchange.qdpx_import import import_qdpx_as_new

    with tempfile.TemporaryDirectory(prefix="wb-merge-") as folder:
        staged = Path(folder) / "source.dyad"
        import_qdpx_as_new(str(staged), source)
        with open_project(str(staged)) as project:
            yield project


@dataclass
class _Here:
    """One of the project's interviews as the merge places codings in it."""

    transcript: LoadedTranscript
    text: str
    seen: set[tuple[int, int, int, int | None]]
    """(code id, start, end, coder id) of the codings it has: an equal one is not added twice"""


class _Merger:
    """The merge inside the project's transaction (``run_command`` records every row)."""

    def __init__(self, project: Project, s: Session, source: _Source, report: MergeReport):
        self.project, self.s, self.source, self.report = project, s, source, report
        self.book = Codebook(s)
        self.code_ids: dict[str, int] = {}
        """source code guid -> the project's code id"""

    def codes(self) -> None:
        by_guid = {c.guid: c for c in self.book.codes}
        by_path = {self.book.path(c): c for c in self.book.codes}
        for code in self.source.codes:  # parents first
            found = by_guid.get(code.guid) or by_path.get(code.path)
            if found is not None:
                self.code_ids[code.guid] = found.id
                self.report.codes_matched += 1
                here = self.book.path(found)
                if here != code.path:
                    self.report.conflicts.append(
                        MergeConflict(
                            "code renamed",
                            f"'{code.path}' in the copy is '{here}' here",
                            "kept the project's name; the copy's codings are merged into it",
                        )
                    )
                continue
            parent_id = self.code_ids.get(code.parent_guid) if code.parent_guid else None
            new = Code(
                guid=code.guid,  # not in the project: a match by GUID was taken above
                name=code.name,
                parent_id=parent_id,
                position=len(self.book.siblings(parent_id)),
                color=code.color,
                definition=code.definition,
                inclusion=code.inclusion,
                exclusion=code.exclusion,
                created_by_id=self.project.coder(self.s).id,
            )
            self.s.add(new)
            self.s.flush()
            self.book.add(new)
            self.code_ids[code.guid] = new.id
            self.report.codes_added.append(self.book.path(new))

    def _interviews(self) -> dict[str, _Here]:
        """The project's interviews that the copy's codings lie in, by the copy's GUIDs."""
        ours = list(self.s.scalars(select(Interview)))
        by_guid = {iv.guid: iv for iv in ours}
        by_key = {iv.key: iv for iv in ours}
        coded = {c.interview_guid for c in self.source.codings}
        found: dict[str, _Here] = {}
        for guid, (key, _) in self.source.interviews.items():
            if guid not in coded:
                continue
            iv = by_guid.get(guid) or by_key.get(key)
            if iv is None:
                self.report.conflicts.append(
                    MergeConflict(
                        "interview missing",
                        f"interview '{key}' is only in the copy",
                        "its codings were not merged: add the interview here, then merge again",
                    )
                )
                continue
            transcript = LoadedTranscript.load(self.s, iv)
            seen = {
                (c.code_id, *transcript.span(c), c.coder_id) for c in transcript.codings(self.s)
            }
            found[guid] = _Here(transcript, transcript.text, seen)
        return found

    def _place(self, coding: _SourceCoding, text: str) -> tuple[int, int] | None:
        if text[coding.start : coding.end] == coding.text:
            return coding.start, coding.end
        first = text.find(coding.text)
        where = f"'{coding.text[:60]}' ({coding.interview_key}, by {coding.coder or '?'})"
        if first < 0 or not coding.text.strip():
            self.report.conflicts.append(
                MergeConflict("words not found", where, "not merged: the words are not here")
            )
            return None
        if text.find(coding.text, first + 1) >= 0:
            self.report.conflicts.append(
                MergeConflict("words found twice", where, "not merged: code it by hand")
            )
            return None
        self.report.codings_moved += 1
        return first, first + len(coding.text)

    def codings(self) -> None:
        here = self._interviews()
        present = set(self.s.scalars(select(Coding.guid)))
        coders: dict[str | None, Coder] = {}
        for coding in self.source.codings:
            if coding.guid in present:
                self.report.codings_already_present += 1
                continue
            target = here.get(coding.interview_guid)
            span = self._place(coding, target.text) if target is not None else None
            if target is None or span is None:
                continue
            if coding.coder not in coders:
                coders[coding.coder] = self.project.coder(self.s, coding.coder or "unknown")
            who = coders[coding.coder]
            code_id = self.code_ids[coding.code_guid]
            signature = (code_id, span[0], span[1], who.id)
            if signature in target.seen:
                self.report.codings_already_present += 1
                continue
            target.seen.add(signature)
            new = Coding(
                code_id=code_id,
                interview_id=target.transcript.interview.id,
                coder_id=who.id,
                created_at=coding.created_at,
                memo=coding.memo,
                important=coding.important,
                guid=coding.guid,
            )
            target.transcript.set_span(new, *span)
            self.s.add(new)
            self.report.codings_added[who.name] = self.report.codings_added.get(who.name, 0) + 1
        self.s.flush()


def merge_copy(
    project: Project, source: Path, *, coder: str | None = None
) -> tuple[MergeReport, Change]:
    """Bring the codes and codings of ``source`` (a .dyad copy or our .qdpx) into ``project``."""
    with _opened_source(source) as opened:
        if opened.location == project.location:
            raise StudyError("a project cannot be merged into itself")
        read = _read_source(opened)
    report = MergeReport(source=source.name)

    def action(s: Session) -> MergeReport:
        merger = _Merger(project, s, read, report)
        merger.codes()
        merger.codings()
        return report

    return run_command(
        project,
        f"merge the codings of {source.name}",
        action,
        coder=coder,
        audit=("project.merge", source.name),
    )
