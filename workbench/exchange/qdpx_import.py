"""REFI-QDA projects (.qdpx) in: tolerant of the files real tools write, strict about hostile ones.

The archive is judged on its member list before anything in it is read (``safe_archive``), the
XML parsed with DTDs refused and entities off. Everything is then read into a staging model in
memory — nothing written yet — and written into an empty project in one transaction: all or
nothing. The report says what came across and what could not.

Tolerances (see docs/refi-qda.md): any single ``*.qde``; ``sources/`` or ``Sources/`` or the root;
``internal://`` or no scheme; any namespace (local names are matched); GUIDs in braces or any
case; non-GUID ids remapped; empty elements; zero-length selections skipped and reported;
positions counted as the producing tool counts them (NVivo: UTF-16 units with CRLF as 2;
ATLAS.ti: code points with CRLF as 1; others: code points of the file), checked against each
selection's quoted text where the name holds it, the better reading chosen per source.

A source arrives as an interview without a wave (unless a variable names one) and one utterance
per paragraph, paragraphs separated by blank lines; line breaks inside a paragraph become spaces
so every position keeps its place. A file this workbench wrote carries ``dyad-workbench.json``,
which restores what REFI cannot hold: utterances with speakers and times, renderings (spans,
links), interview and study roles, consent, waves in order, theme hierarchy and status, memo
targets and the journal.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from workbench.coding.study import new_study
from workbench.domain.study import DEFAULT_WAVES, StudyError
from workbench.exchange.qdpx_positions import (
    _default_mode,
)
from workbench.exchange.qdpx_stage import (
    stage,
)
from workbench.exchange.qdpx_staged import (
    QdpxImport,
    _Staged,
)
from workbench.exchange.qdpx_write import (
    _Write,
    _write_codes,
    _write_dyads,
    _write_notes,
    _write_participants,
    _write_sources,
    _write_themes,
    _write_users,
    _write_waves,
)
from workbench.storage.bulk import Bulk
from workbench.storage.models import (
    Code,
    Dyad,
    Interview,
    JournalEntry,
    Memo,
    Participant,
    ProjectRow,
    Theme,
)
from workbench.storage.project import Project, ProjectError, is_url, open_project, sqlite_path_of

# --- writing -------------------------------------------------------------------------------


def is_empty(project: Project) -> bool:
    with project.session(write=False) as s:
        return not any(
            s.scalar(select(func.count()).select_from(model))
            for model in (Participant, Interview, Code, Theme, Memo, JournalEntry, Dyad)
        )


def write_staged(
    project: Project, staged: _Staged, source_name: str, *, coder: str | None = None
) -> QdpxImport:
    """Write the staged project into ``project``, which must be empty, in one transaction.

    One ``qdpx_write`` function per section, in order: users, waves, codes, participants,
    dyads, sources (interviews, utterances, codings), themes, notes.
    """
    if not is_empty(project):
        raise StudyError(
            "a .qdpx project imports into a new or empty project; this one holds data already "
            "(create one with `workbench new`, or name a new file)"
        )
    not_carried, warnings = list(staged.not_carried), list(staged.warnings)
    with project.session() as s:
        me = project.coder(s, coder)
        row = s.scalar(select(ProjectRow))
        if row is not None and staged.name:
            row.title = staged.name
        w = _Write(project, s, staged, me, not_carried, warnings)
        _write_users(w)
        _write_waves(w)
        _write_codes(w)
        _write_participants(w)
        _write_dyads(w)
        w.bulk = Bulk(s, project.is_sqlite)
        w.bulk.start()
        _write_sources(w)
        w.bulk.finish()  # the triggers and indexes back, in this transaction
        w.bulk = None
        _write_themes(w)
        _write_notes(w)
        modes = sorted(staged.modes) or [_default_mode(staged.origin)]
        project.audit(
            s,
            "import.qdpx",
            None,
            file=source_name,
            origin=staged.origin,
            sources=len(w.interviews),
            codes=len(w.codes),
            codings=w.coding_count,
            not_carried=len(not_carried),
        )
        return QdpxImport(
            project=project.location,
            origin=staged.origin,
            sources=len(w.interviews),
            participants=len(w.people),
            codes=len(w.codes),
            codings=w.coding_count,
            memos=w.memo_count,
            journal=w.journal_count,
            themes=len(w.themes),
            positions=", ".join(modes),
            not_carried=tuple(not_carried),
            warnings=tuple(warnings),
            inferred=tuple(staged.inferred),
            coding_memos=w.coding_memo_count,
        )


def import_qdpx(project: Project, path: Path, *, coder: str | None = None) -> QdpxImport:
    """Import a .qdpx into an open, empty project (all or nothing)."""
    staged = stage(path)
    return write_staged(project, staged, path.name, coder=coder)


def import_qdpx_as_new(target: str, path: Path, *, coder: str | None = None) -> QdpxImport:
    """Import a .qdpx into ``target``: a new project made for it (a .dyad path that does not
    exist yet, or an empty PostgreSQL database), or an existing empty project.

    A new SQLite project is built in a staging file beside the target and takes its name only
    when the import succeeded, so a failed import leaves nothing behind.
    """
    staged = stage(path)  # hostile or unreadable files stop here, before anything is created
    waves = staged.sidecar.get("waves") or list(DEFAULT_WAVES)
    sqlite = sqlite_path_of(target)
    if sqlite is not None and not sqlite.exists():
        staging = sqlite.with_name(f".{sqlite.name}.importing")
        for leftover in (staging, Path(f"{staging}-wal"), Path(f"{staging}-shm")):
            leftover.unlink(missing_ok=True)
        try:
            with new_study(
                staging, title=staged.name or sqlite.stem, waves=waves, coder=coder
            ) as p:
                result = write_staged(p, staged, path.name, coder=coder)
            staging.replace(sqlite)
        finally:
            for leftover in (staging, Path(f"{staging}-wal"), Path(f"{staging}-shm")):
                leftover.unlink(missing_ok=True)
        return QdpxImport(**{**_fields(result), "project": str(sqlite)})
    if is_url(target):
        try:
            with new_study(target, title=staged.name or "project", waves=waves, coder=coder) as p:
                return write_staged(p, staged, path.name, coder=coder)
        except ProjectError as exc:
            if "already holds" not in str(exc):
                raise
    with open_project(target, coder=coder) as p:
        return write_staged(p, staged, path.name, coder=coder)


def _fields(result: QdpxImport) -> dict:
    return {name: getattr(result, name) for name in QdpxImport.__dataclass_fields__}
