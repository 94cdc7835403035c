"""Every change is a command, and undo is data.

``run_command`` runs one user action in one transaction. While it runs, a recorder notes every row
the action inserts, updates or deletes (through the ORM), with the row as it was before. When the
action ends, the rows as they are after are read back, and both sides are stored as one
``UndoEntry`` of the acting coder — in the project, so ``workbench undo`` in one process undoes
what another process did, and the window shows the same history.

Undo puts the "before" rows back; redo puts the "after" rows back. Either is refused, with a
reason, when any of those rows no longer looks as the entry left it (someone changed it since).
The history is bounded per coder; a new command drops what had been undone.

Rule for commands: change rows through ORM objects (``session.add``/``session.delete``/attribute
assignment), deleting dependent rows explicitly, never with bulk statements or by relying on the
database's ON DELETE CASCADE: what the recorder does not see, undo cannot restore.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import delete, event, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workbench.coding.history import push_step
from workbench.domain.study import StudyError
from workbench.storage.models import (
    Base,
    Coder,
    InterviewParticipantRow,
    UndoEntry,
)
from workbench.storage.project import Project
from workbench.storage.rows import (
    ROWS_READ,
    RowKey,
    decode,
    normalise,
    pk_clause,
    read_rows,
    row_key,
    table_of,
)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Change:
    """What a command did, for the caller to refresh: a description and the kinds of rows."""

    description: str
    tables: frozenset[str]
    undoable: bool = True


@dataclass(frozen=True, slots=True)
class HistoryItem:
    seq: int
    description: str
    undone: bool
    at: dt.datetime


# --- recording -----------------------------------------------------------------------------------


@dataclass
class _Recorder:
    before: dict[RowKey, dict[str, Any] | None] = field(default_factory=dict)
    order: list[RowKey] = field(default_factory=list)

    def note(self, key: RowKey, before: dict[str, Any] | None) -> None:
        if key not in self.before:
            self.before[key] = before
            self.order.append(key)


def _key_of(obj: object) -> RowKey | None:
    key = row_key(obj)
    if key is None or key[0] in ("undo_entry", "audit_log", "coder"):
        return None
    return key


def _attach(session: Session, recorder: _Recorder) -> Callable[[], None]:
    def before_flush(s: Session, _ctx: Any, _instances: Any) -> None:
        # The session's guard (storage.rows) has just locked every row about to change and
        # compared it with what the command read: its reads are the rows as they were before.
        read = s.info.get(ROWS_READ, {})
        for obj in list(s.dirty) + list(s.deleted):
            key = _key_of(obj)
            if key is not None and key in read:
                recorder.note(key, read[key])

    def after_flush(s: Session, _ctx: Any) -> None:
        for obj in s.new:
            key = _key_of(obj)
            if key is not None:
                recorder.note(key, None)

    event.listen(session, "before_flush", before_flush)
    event.listen(session, "after_flush", after_flush)

    def detach() -> None:
        event.remove(session, "before_flush", before_flush)
        event.remove(session, "after_flush", after_flush)

    return detach


# --- who changed a row ----------------------------------------------------------------------------

LOOK_BACK = 5000
"""How many recent steps (all analysts) ``changed_since`` reads to name who changed a row."""


def last_change(session: Session, key: RowKey) -> tuple[str, dt.datetime] | None:
    """The analyst and time of the newest recorded step that wrote this row, if any is kept."""
    name, pk = key[0], list(key[1])
    needle = json.dumps([name, pk])
    for coder_name, created_at, forward in session.execute(
        select(Coder.name, UndoEntry.created_at, UndoEntry.forward)
        .join(Coder, Coder.id == UndoEntry.coder_id)
        .where(UndoEntry.undone.is_(False))
        .order_by(UndoEntry.created_at.desc(), UndoEntry.id.desc())
        .limit(LOOK_BACK)
    ):
        if needle in forward and [name, pk] in json.loads(forward).get("keys", []):
            return coder_name, created_at
    return None


def changed_since(session: Session, key: RowKey) -> str:
    """One line: "code 12 was changed by maria at 14:02 UTC since you read it"."""
    what = f"{key[0].replace('_', ' ')} {key[1][0]}"
    found = last_change(session, key)
    if found is None:
        return f"{what} has changed since you read it"
    who, when = found
    stamp = normalise(when).strftime("%Y-%m-%d %H:%M UTC")
    return f"{what} was changed by {who} at {stamp} since you read it"


# --- applying a side of an entry -----------------------------------------------------------------


def _table_rank() -> dict[str, int]:
    return {t.name: i for i, t in enumerate(Base.metadata.sorted_tables)}


def _code_depth(rows: dict[str, Any] | None, all_rows: dict[RowKey, dict[str, Any] | None]) -> int:
    """Parents before children when codes are put back (the code tree references itself)."""
    depth, seen = 0, set()
    parent = rows.get("parent_id") if rows else None
    by_id = {k[1][0]: v for k, v in all_rows.items() if k[0] == "code" and v}
    while parent is not None and parent in by_id and parent not in seen:
        seen.add(parent)
        depth += 1
        parent = by_id[parent].get("parent_id")
    return depth


def _apply_side(
    session: Session,
    rows: list[tuple[RowKey, dict[str, Any] | None, dict[str, Any] | None]],
    verb: str,
) -> None:
    """Make every row equal ``target``, having checked it equals ``expected`` now.

    ``rows`` holds (key, expected now, target); None means "no such row".
    """
    now = read_rows(session, [key for key, _, _ in rows], lock=True)
    for key, expected, _ in rows:
        if now[key] != expected:
            raise StudyError(f"refused: {changed_since(session, key)}; {verb} would overwrite it")
    # Inserts (parents first), then updates, then deletes (children first): deleting last means
    # the database's ON DELETE CASCADE never reaches a row that an update was moving away.
    rank = _table_rank()
    targets = {key: target for key, _, target in rows}

    def tree_order(r: tuple[RowKey, Any, Any]) -> tuple[int, int]:
        values = r[2] if r[2] is not None else r[1]
        return rank[r[0][0]], _code_depth(values, targets) if r[0][0] == "code" else 0

    for (name, _), expected, target in sorted(rows, key=tree_order):
        if target is None or expected is not None:
            continue
        session.execute(insert(table_of(name)).values(**{c: decode(v) for c, v in target.items()}))
    for (name, key), expected, target in rows:
        if target is None or expected is None:
            continue
        table = table_of(name)
        values = {c: decode(v) for c, v in target.items()}
        session.execute(update(table).where(pk_clause(table, key)).values(**values))
    for (name, key), expected, target in sorted(rows, key=tree_order, reverse=True):
        if target is None and expected is not None:
            table = table_of(name)
            session.execute(delete(table).where(pk_clause(table, key)))


# --- the public commands -------------------------------------------------------------------------


def _participants_of(session: Session, rows: dict[RowKey, dict[str, Any] | None]) -> str:
    """Participants whose words an entry may hold: everyone in the interviews it touches."""
    interviews = set()
    for values in rows.values():
        if values and "interview_id" in values:
            interviews.add(values["interview_id"])
    people: set[int] = set()
    if interviews:
        people.update(
            session.scalars(
                select(InterviewParticipantRow.participant_id).where(
                    InterviewParticipantRow.interview_id.in_(interviews)
                )
            )
        )
    for (name, _), values in rows.items():
        if values and name in ("utterance", "detached_coding"):
            for col in ("speaker_id", "renders_id"):
                if values.get(col) is not None:
                    people.add(values[col])
    return " ".join(str(p) for p in sorted(people))


def run_command(
    project: Project,
    description: str,
    action: Callable[[Session], T],
    *,
    coder: str | None = None,
    audit: tuple[str, str | None] | None = None,
    **audit_detail: Any,
) -> tuple[T, Change]:
    """Run ``action`` as one undoable command of ``coder`` in one transaction.

    When the transaction collides with a colleague's commit it runs again, reading afresh (see
    ``Project.retrying``), so ``action`` must only act through the session it is given. A rule the
    database holds (a unique name a colleague took meanwhile) gets one more run, where the
    action's own check says what is wrong; a second breach is refused in one line."""
    return _with_rules(
        project,
        lambda: _run_once(project, description, action, coder, audit, audit_detail),
    )


def _with_rules(project: Project, work: Callable[[], T]) -> T:
    try:
        return project.retrying(work)
    except IntegrityError:
        pass
    try:
        return project.retrying(work)
    except IntegrityError as exc:
        raise StudyError(f"refused: {broken_rule(exc)}") from exc


RULES = {
    "uq_code_sibling_name": "two codes under one parent would share a name",
    "uq_theme_name": "two themes would share a name",
    "uq_wave_name": "two waves would share a name",
    "wave.name": "two waves would share a name",  # SQLite names the column, not the constraint
    "theme.name": "two themes would share a name",
}
"""The database's own invariants (migration 0011 and earlier), in words."""


def broken_rule(exc: IntegrityError) -> str:
    """Which invariant the database refused, as words, from the driver's report."""
    orig = exc.orig
    diag = getattr(orig, "diag", None)
    name = getattr(diag, "constraint_name", None) or ""
    message = str(orig)
    for index, words in RULES.items():
        if index == name or index in message:
            return words
    if "FOREIGN KEY" in message.upper():
        return "a row it refers to was removed meanwhile"
    return f"the change breaks a rule of the project ({name or message.splitlines()[0]})"


def _run_once(
    project: Project,
    description: str,
    action: Callable[[Session], T],
    coder: str | None,
    audit: tuple[str, str | None] | None,
    audit_detail: dict[str, Any],
) -> tuple[T, Change]:
    with project.session() as session:
        who = project.coder(session, coder)
        recorder = _Recorder()
        detach = _attach(session, recorder)
        try:
            result = action(session)
            session.flush()
        finally:
            detach()
        after = read_rows(session, recorder.order)
        rows = {key: (recorder.before[key], after[key]) for key in recorder.order}
        changed = {k: v for k, v in rows.items() if v[0] != v[1]}
        if changed:
            _push(session, who, description, changed)
        if audit is not None:
            project.audit(session, audit[0], audit[1], coder=who.name, **audit_detail)
        tables = frozenset(k[0] for k in changed)
        return result, Change(description, tables)


def _push(
    session: Session,
    coder: Coder,
    description: str,
    changed: dict[RowKey, tuple[dict[str, Any] | None, dict[str, Any] | None]],
) -> None:
    keys = [[name, list(key)] for name, key in changed]
    push_step(
        session,
        coder,
        description,
        forward=json.dumps({"keys": keys, "rows": [v[1] for v in changed.values()]}),
        inverse=json.dumps({"keys": keys, "rows": [v[0] for v in changed.values()]}),
        participant_ids=_participants_of(session, {k: v[0] or v[1] for k, v in changed.items()}),
    )


def _sides(entry: UndoEntry) -> tuple[list[RowKey], list[Any], list[Any]]:
    forward, inverse = json.loads(entry.forward), json.loads(entry.inverse)
    keys = [(name, tuple(key)) for name, key in forward["keys"]]
    return keys, forward["rows"], inverse["rows"]


def undo(project: Project, coder: str | None = None, *, key: str | Path | None = None) -> Change:
    """Undo the coder's latest step that is not undone yet (a redaction needs its ``key``)."""
    return _with_rules(project, lambda: _undo_once(project, coder, key))


def _undo_once(project: Project, coder: str | None, key: str | Path | None) -> Change:
    with project.session() as session:
        who = project.coder(session, coder)
        entry = session.scalar(
            select(UndoEntry)
            .where(UndoEntry.coder_id == who.id, UndoEntry.undone.is_(False))
            .order_by(UndoEntry.seq.desc())
        )
        if entry is None:
            raise StudyError(f"nothing to undo for {who.name}")
        marker = json.loads(entry.forward)
        if "redaction" in marker:
            from workbench.coding.redaction import (
                open_key_for_undo,
                restore_originals,
                restore_texts,
            )

            store = open_key_for_undo(project, key)
            restore_originals(session, store, list(marker["redaction"]), marker.get("snaps"))
            if marker.get("texts"):  # analyst text the redaction rewrote, back where it stands
                (ref,) = marker["redaction"]
                restore_texts(session, store.original(ref), marker["placeholder"], marker["texts"])
            # The original is back in the text; redacting again is a new step, not a redo.
            session.delete(entry)
            project.audit(session, "undo", None, coder=who.name, step=entry.seq)
            return Change(f"undo: {entry.description}", frozenset({"utterance", "redaction"}))
        keys, after, before = _sides(entry)
        _apply_side(session, list(zip(keys, after, before, strict=True)), "undo")
        entry.undone = True
        project.audit(session, "undo", None, coder=who.name, step=entry.seq)
        return Change(f"undo: {entry.description}", frozenset(k[0] for k in keys))


def redo(project: Project, coder: str | None = None) -> Change:
    """Redo the coder's earliest undone step."""
    return _with_rules(project, lambda: _redo_once(project, coder))


def _redo_once(project: Project, coder: str | None) -> Change:
    with project.session() as session:
        who = project.coder(session, coder)
        entry = session.scalar(
            select(UndoEntry)
            .where(UndoEntry.coder_id == who.id, UndoEntry.undone.is_(True))
            .order_by(UndoEntry.seq)
        )
        if entry is None:
            raise StudyError(f"nothing to redo for {who.name}")
        keys, after, before = _sides(entry)
        _apply_side(session, list(zip(keys, before, after, strict=True)), "redo")
        entry.undone = False
        project.audit(session, "redo", None, coder=who.name, step=entry.seq)
        return Change(f"redo: {entry.description}", frozenset(k[0] for k in keys))


def history(project: Project, coder: str | None = None) -> list[HistoryItem]:
    """The coder's steps, newest first."""
    with project.session(write=False) as session:
        name = coder or project.coder_name
        coder_id = session.scalar(select(Coder.id).where(Coder.name == name))
        if coder_id is None:
            return []
        return [
            HistoryItem(e.seq, e.description, e.undone, e.created_at)
            for e in session.scalars(
                select(UndoEntry)
                .where(UndoEntry.coder_id == coder_id)
                .order_by(UndoEntry.seq.desc())
            )
        ]
