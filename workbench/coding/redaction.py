"""Pseudonymisation: redactions that keep codings on their words, with the key kept apart.

A redaction replaces an identifying original (a name, a town, a date) with a placeholder
(``[first name]``); the same original always gets the same placeholder. The originals live only
in a separate key file (by default ``<project>.dyadkey`` beside a ``.dyad`` file) — never in the
project, its undo history or its backups made from now on. Undoing a redaction therefore needs
the key. Codings stay on their words: one that covered the name now covers the placeholder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import sqlite3
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from workbench.coding.study import get_interview
from workbench.domain.study import StudyError
from workbench.storage.models import (
    Coding,
    DetachedCoding,
    Interview,
    Memo,
    ParticipantAttribute,
    ProjectRow,
    Redaction,
    Translation,
    UndoEntry,
    UtteranceRow,
    WordRow,
)
from workbench.storage.project import Project, compact_storage, is_url

KEY_SUFFIX = ".dyadkey"
_TOUCHED = ("utterance", "word", "translation", "detached_coding", "undo_entry", "redaction")


# --- the key ------------------------------------------------------------------------------------


class KeyMissing(StudyError):
    """No key where one was looked for (a project that never had a redaction has none)."""


KeyLocation = str | Path | None
"""Where the key is: a key file, a PostgreSQL URL of a key holder, or None for the default."""

KEY_SCHEMA = "dyad_key"
_FILE_TABLES = (
    "CREATE TABLE IF NOT EXISTS {s}meta (name TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE IF NOT EXISTS {s}entry (ref TEXT PRIMARY KEY, original TEXT UNIQUE,"
    " placeholder TEXT, created_at TEXT)",
    "CREATE TABLE IF NOT EXISTS {s}identifier (text TEXT PRIMARY KEY, accepted_at TEXT)",
)


class KeyStore:
    """The key kept apart: originals with their placeholders, and the identifiers the analyst
    accepted. A second SQLite file beside a project file (``FileKeyStore``), or the schema
    ``dyad_key`` that only key holders' roles can read in a PostgreSQL database
    (``ServerKeyStore``)."""

    schema = ""

    def __init__(self, where: str, project_guid: str) -> None:
        self.where = where
        self.project_guid = project_guid

    @classmethod
    def open(
        cls, project: Project, key: KeyLocation, *, create: bool = False, new_key: bool = False
    ) -> KeyStore:
        """Open the key; with ``create``, make it when there is none yet — but never silently
        beside a project whose earlier redactions have their originals in another key."""
        with project.session(write=False) as s:
            guid = s.scalar(select(ProjectRow.guid)) or ""
            made = s.scalar(select(func.count()).select_from(Redaction)) or 0
        if create and made and not new_key:
            try:
                return cls.open(project, key)
            except KeyMissing as exc:
                raise KeyMissing(
                    f"{exc} — this project already has {made} redaction(s) whose originals are "
                    "in a key: give that key (to start a new key on purpose, add --new-key; the "
                    "earlier redactions then stay undoable only with the old one)"
                ) from None
        store: KeyStore
        if key is not None and is_url(key):
            store = ServerKeyStore.connect(project, str(key), guid, create=create)
        else:
            if key is None:
                if project.path is None:
                    raise KeyMissing(
                        "a team project keeps its key in the database schema dyad_key, which only "
                        "key holders can read: give --key postgresql://KEYHOLDER@HOST/DATABASE"
                    )
                key = project.path.with_suffix(KEY_SUFFIX)
            store = FileKeyStore.at(Path(key), guid, create=create)
        owner = store._query(f"SELECT value FROM {store.schema}meta WHERE name = 'project'")
        if not owner or owner[0][0] != guid:
            raise StudyError(f"{store.where} is the key of another project, not of this one")
        return store

    def _query(self, sql: str, params: dict[str, object] | None = None) -> list[tuple[object, ...]]:
        raise NotImplementedError

    def placeholder_of(self, original: str) -> str | None:
        rows = self._query(
            f"SELECT placeholder FROM {self.schema}entry WHERE original = :o", {"o": original}
        )
        return str(rows[0][0]) if rows else None

    def ref_of(self, original: str, placeholder: str) -> str:
        rows = self._query(
            f"SELECT ref FROM {self.schema}entry WHERE original = :o", {"o": original}
        )
        if rows:
            return str(rows[0][0])
        ref = uuid.uuid4().hex
        self._query(
            f"INSERT INTO {self.schema}entry VALUES (:ref, :o, :p, :at)",
            {"ref": ref, "o": original, "p": placeholder, "at": _now()},
        )
        return ref

    def original(self, ref: str) -> str:
        rows = self._query(f"SELECT original FROM {self.schema}entry WHERE ref = :r", {"r": ref})
        if not rows:
            raise StudyError(f"{self.where} does not hold that redaction's original")
        return str(rows[0][0])

    def originals(self) -> list[str]:
        return [str(r[0]) for r in self._query(f"SELECT original FROM {self.schema}entry")]

    def accept(self, identifier: str) -> None:
        self._query(
            f"INSERT INTO {self.schema}identifier VALUES (:t, :at) ON CONFLICT DO NOTHING",
            {"t": identifier, "at": _now()},
        )

    def identifiers(self) -> list[str]:
        return [str(r[0]) for r in self._query(f"SELECT text FROM {self.schema}identifier")]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def _first_line(exc: DBAPIError) -> str:
    lines = str(exc.orig if exc.orig is not None else exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


class FileKeyStore(KeyStore):
    """The key as a second SQLite file (``study.dyadkey`` beside ``study.dyad`` by default)."""

    def __init__(self, path: Path, project_guid: str) -> None:
        super().__init__(str(path), project_guid)
        self.path = path

    @classmethod
    def at(cls, path: Path, guid: str, *, create: bool) -> FileKeyStore:
        if not path.exists():
            if not create:
                raise KeyMissing(f"no key file at {path}: give the right --key FILE")
            try:
                con = sqlite3.connect(path)
                try:
                    with con:
                        for statement in _FILE_TABLES:
                            con.execute(statement.format(s=""))
                        con.execute("INSERT INTO meta VALUES ('project', ?)", (guid,))
                finally:
                    con.close()
                path.chmod(0o600)  # the originals: readable by their owner only
            except (sqlite3.Error, OSError) as exc:
                raise StudyError(f"cannot make the key file {path}: {exc}") from None
        elif path.is_dir():
            raise StudyError(f"{path} is a folder, not a key file")
        return cls(path, guid)

    def _query(self, sql: str, params: dict[str, object] | None = None) -> list[tuple[object, ...]]:
        try:
            con = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=rw", uri=True)
            try:
                with con:
                    return con.execute(sql, params or {}).fetchall()
            finally:
                con.close()
        except sqlite3.DatabaseError as exc:
            raise StudyError(f"{self.path} is not a readable key file ({exc})") from exc


class ServerKeyStore(KeyStore):
    """The key in the schema ``dyad_key`` of a PostgreSQL database, reached as a key holder.

    The schema is created by the first key holder who redacts (or accepts an identifier) with
    ``--key URL``, with no privilege for PUBLIC: only its owner, roles the owner grants it to and
    superusers can read it. The project's own role must not be one of them: opening the key
    refuses when the connection is the project's role, or when the project's role can use the
    schema."""

    schema = f"{KEY_SCHEMA}."

    def __init__(self, engine: Engine, where: str, project_guid: str) -> None:
        super().__init__(where, project_guid)
        self.engine = engine

    @classmethod
    def connect(cls, project: Project, url: str, guid: str, *, create: bool) -> ServerKeyStore:
        sa_url = make_url(url)
        if not sa_url.get_backend_name().startswith("postgresql"):
            raise StudyError(
                f"a key is a key file or a PostgreSQL URL, not {sa_url.get_backend_name()}"
            )
        if sa_url.drivername in ("postgresql", "postgres"):
            sa_url = sa_url.set(drivername="postgresql+psycopg")
        where = sa_url.render_as_string(hide_password=True)
        engine = create_engine(sa_url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                key_user = conn.scalar(text("SELECT current_user"))
                exists = conn.scalar(text(f"SELECT to_regnamespace('{KEY_SCHEMA}')")) is not None
        except DBAPIError as exc:
            engine.dispose()
            raise StudyError(f"cannot reach the key at {where}: {_first_line(exc)}") from None
        store = cls(engine, where, guid)
        if project.is_sqlite:
            project_user = None
        else:
            with project.engine.connect() as conn:
                project_user = conn.scalar(text("SELECT current_user"))
        if key_user == project_user:
            raise StudyError(
                f"the key must be reached as a key holder's role, not as the project's role "
                f"({project_user}): give --key postgresql://KEYHOLDER@HOST/DATABASE"
            )
        store._refuse_if_project_can_read(project)
        if not exists:
            if not create:
                raise KeyMissing(
                    f"no key at {where}: the schema {KEY_SCHEMA} does not exist there yet"
                )
            store._create(guid)
            store._refuse_if_project_can_read(project)
        return store

    def _create(self, guid: str) -> None:
        try:
            with self.engine.begin() as conn:
                conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {KEY_SCHEMA}"))
                conn.execute(text(f"REVOKE ALL ON SCHEMA {KEY_SCHEMA} FROM PUBLIC"))
                for statement in _FILE_TABLES:
                    conn.execute(text(statement.format(s=self.schema)))
                conn.execute(
                    text(
                        f"INSERT INTO {self.schema}meta VALUES ('project', :g) "
                        "ON CONFLICT DO NOTHING"
                    ),
                    {"g": guid},
                )
        except DBAPIError as exc:
            raise StudyError(
                f"cannot create the key schema {KEY_SCHEMA} at {self.where}: {_first_line(exc)}"
            ) from None

    def _refuse_if_project_can_read(self, project: Project) -> None:
        """The project's role must not be able to read the key (nor be a superuser, who can)."""
        if project.is_sqlite:
            return
        with project.engine.connect() as conn:
            who, superuser, readable = conn.execute(
                text(
                    "SELECT current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = "
                    f"current_user), CASE WHEN to_regnamespace('{KEY_SCHEMA}') IS NULL THEN false "
                    f"ELSE has_schema_privilege('{KEY_SCHEMA}', 'USAGE') END"
                )
            ).one()
        if superuser or readable:
            raise StudyError(
                f"refused: the project's role ({who}) "
                f"{'is a superuser and ' if superuser else ''}can read the key schema "
                f"{KEY_SCHEMA}; keep the key apart: open the project as an analysis role that is "
                "neither a superuser nor a key holder"
            )

    def _query(self, sql: str, params: dict[str, object] | None = None) -> list[tuple[object, ...]]:
        try:
            with self.engine.begin() as conn:
                result = conn.execute(text(sql), params or {})
                return [tuple(r) for r in result] if result.returns_rows else []
        except DBAPIError as exc:
            raise StudyError(f"cannot use the key at {self.where}: {_first_line(exc)}") from None


# --- redacting ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RedactionReport:
    placeholder: str
    occurrences: int
    interviews: tuple[str, ...]
    codings_kept: int
    snapped: int
    """Coding edges that fell inside the original and now sit at the placeholder's edge."""
    undo_entries_purged: int
    unreachable: tuple[str, ...]


def _whole_word(needle: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(needle)}(?!\w)")


def _whole_word_folded(needle: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(needle)}(?!\w)", re.IGNORECASE)


Snap = tuple[int, int, str, int]
"""(redaction id, coding id, "start" or "end", the edge's offset into the original)."""


@dataclass(slots=True)
class _Around:
    """What a redaction moves in the utterances it touches, loaded once for all of them."""

    codings: dict[int, list[Coding]]
    """By utterance: the codings with an edge there."""
    redactions: dict[int, list[Redaction]]
    words: dict[int, list[WordRow]]

    @classmethod
    def load(cls, s: Session, utterance_ids: set[int]) -> _Around:
        around = cls({}, {}, {})
        ids = sorted(utterance_ids)
        for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
            inside = set(chunk)
            for coding in s.scalars(
                select(Coding).where(
                    Coding.start_utterance_id.in_(chunk) | Coding.end_utterance_id.in_(chunk)
                )
            ):
                for uid in {coding.start_utterance_id, coding.end_utterance_id} & inside:
                    around.codings.setdefault(uid, []).append(coding)
            for redaction in s.scalars(select(Redaction).where(Redaction.utterance_id.in_(chunk))):
                around.redactions.setdefault(redaction.utterance_id, []).append(redaction)
            for word in s.scalars(select(WordRow).where(WordRow.utterance_id.in_(chunk))):
                around.words.setdefault(word.utterance_id, []).append(word)
        return around


def _replace_in_utterance(
    s: Session,
    around: _Around,
    row: UtteranceRow,
    start: int,
    end: int,
    placeholder: str,
    ref: str,
) -> tuple[int, Redaction, list[tuple[int, str, int]]]:
    """Replace row.text[start:end]; move every anchor in this utterance.

    Returns how many codings have an edge in this utterance, the new redaction, and the coding
    edges that fell inside the original: (coding id, side, offset into the original). They now
    sit at the placeholder's edge; undo puts them back."""
    mine = around.redactions.setdefault(row.id, [])
    for existing in mine:
        if existing.start_offset < end and start < existing.end_offset:
            raise StudyError("that span overlaps a redaction already made")
    delta = len(placeholder) - (end - start)
    snapped: list[tuple[int, str, int]] = []

    def move(coding: Coding, offset: int, side: str) -> int:
        if offset <= start:
            return offset
        if offset >= end:
            return offset + delta
        snapped.append((coding.id, side, offset - start))
        return start if side == "start" else start + len(placeholder)

    codings = around.codings.get(row.id, [])
    for coding in codings:
        if coding.start_utterance_id == row.id:
            coding.start_offset = move(coding, coding.start_offset, "start")
        if coding.end_utterance_id == row.id:
            coding.end_offset = move(coding, coding.end_offset, "end")
    for other in mine:
        if other.start_offset >= end:
            other.start_offset += delta
            other.end_offset += delta
    original = row.text[start:end]
    row.text = row.text[:start] + placeholder + row.text[end:]
    row.version += 1
    _redact_words(around.words.get(row.id, []), original, placeholder)
    redaction = Redaction(
        utterance_id=row.id,
        start_offset=start,
        end_offset=start + len(placeholder),
        placeholder=placeholder,
        key_ref=ref,
    )
    s.add(redaction)
    mine.append(redaction)
    return len(codings), redaction, snapped


def _redact_words(words: list[WordRow], original: str, placeholder: str) -> None:
    """A transcription's word times keep each word's text: the original's words go there too.
    (They are not put back by undo: the utterance's text is what holds the words.)"""
    patterns = [_whole_word(token) for token in original.split() if token.strip()]
    for word in words:
        new = word.text
        for pattern in patterns:
            new = pattern.sub(placeholder, new)
        if new != word.text:
            word.text = new


def _placeholder_for(key: KeyStore, original: str, placeholder: str) -> str:
    placeholder = placeholder.strip()
    if not placeholder:
        raise StudyError("give the placeholder (--as '[first name]')")
    known = key.placeholder_of(original)
    if known is not None and known != placeholder:
        raise StudyError(
            f"that text is already redacted as {known!r}: the same original keeps the same "
            "placeholder"
        )
    return placeholder


def _purge(s: Session, originals: list[str]) -> int:
    """Remove the originals from every place the project keeps old text: the undo history,
    translations and detached codings; then rebuild the full-text index."""
    patterns = [_whole_word(o) for o in originals]
    purged = 0
    for entry in s.scalars(select(UndoEntry)):
        if any(o in entry.forward or o in entry.inverse for o in originals) or any(
            json.dumps(o)[1:-1] in entry.forward + entry.inverse for o in originals
        ):
            s.delete(entry)
            purged += 1
    holders: list[Translation | DetachedCoding] = [
        *s.scalars(select(Translation)),
        *s.scalars(select(DetachedCoding)),
    ]
    for holder in holders:
        new = holder.text
        for o, pattern in zip(originals, patterns, strict=True):
            new = pattern.sub("[redacted]", new) if o in new else new
        if new != holder.text:
            holder.text = new
    if s.get_bind().dialect.name == "sqlite":
        s.flush()
        s.execute(text("INSERT INTO utterance_fts(utterance_fts) VALUES ('rebuild')"))
        s.execute(text("INSERT INTO utterance_fts(utterance_fts) VALUES ('optimize')"))
    return purged


def _push_marker(
    s: Session,
    project: Project,
    coder: str | None,
    refs: list[str],
    what: str,
    snaps: list[Snap],
) -> None:
    """An undo step that names key entries only: undoing it needs the key. It also keeps where
    coding edges that fell inside an original were (offsets, never text), so undo puts them
    back exactly."""
    who = project.coder(s, coder)
    for entry in s.scalars(
        select(UndoEntry).where(UndoEntry.coder_id == who.id, UndoEntry.undone.is_(True))
    ):
        s.delete(entry)
    last = s.scalar(
        select(UndoEntry.seq).where(UndoEntry.coder_id == who.id).order_by(UndoEntry.seq.desc())
    )
    marker = json.dumps({"redaction": refs, "snaps": [list(snap) for snap in snaps]})
    s.add(
        UndoEntry(
            coder_id=who.id,
            seq=(last or 0) + 1,
            description=what,
            forward=marker,
            inverse=marker,
        )
    )


def _occurrences(
    s: Session, needle: str, interview: str | None
) -> Iterator[tuple[UtteranceRow, int, int]]:
    pattern = _whole_word(needle)
    # The database narrows down to utterances holding the text at all; the pattern decides.
    stmt = (
        select(UtteranceRow)
        .where(UtteranceRow.text.contains(needle, autoescape=True))
        .order_by(UtteranceRow.interview_id, UtteranceRow.position)
    )
    if interview is not None:
        stmt = stmt.where(UtteranceRow.interview_id == get_interview(s, interview).id)
    for row in s.scalars(stmt):
        # Right to left, so earlier matches keep their offsets while later ones change.
        for match in reversed(list(pattern.finditer(row.text))):
            yield row, match.start(), match.end()


def redact(
    project: Project,
    placeholder: str,
    *,
    interview: str | None = None,
    start: int | None = None,
    end: int | None = None,
    everywhere: str | None = None,
    key_path: KeyLocation = None,
    coder: str | None = None,
    new_key: bool = False,
) -> RedactionReport:
    """Redact a span of one interview (``interview``, ``start``, ``end``), or every whole-word,
    case-sensitive occurrence of ``everywhere`` across the project."""
    key = KeyStore.open(project, key_path, create=True, new_key=new_key)
    from workbench.coding._anchors import LoadedTranscript

    with project.session() as s:
        if project.is_sqlite:
            s.execute(text("PRAGMA secure_delete = ON"))
        targets: list[tuple[UtteranceRow, int, int]] = []
        if everywhere is not None:
            original = everywhere
            if not original.strip():
                raise StudyError("give the text to redact")
            _placeholder_for(key, original, placeholder)
            targets = list(_occurrences(s, original, None))
            if not targets:
                raise StudyError("that text does not occur as a whole word anywhere")
        else:
            if interview is None or start is None or end is None:
                raise StudyError("give --interview, --start and --end, or --all TEXT")
            iv = get_interview(s, interview)
            transcript = LoadedTranscript.load(s, iv)
            total = len(transcript.text)
            if not 0 <= start < end <= total:
                raise StudyError(f"span {start}–{end} is outside the interview text (0–{total})")
            first_id, offset = transcript.anchor(start, "start")
            last_id, end_offset = transcript.anchor(end, "end")
            if first_id != last_id:
                raise StudyError("a redaction lies within one utterance")
            row = transcript.rows[transcript.index_of(first_id)]
            original = row.text[offset:end_offset]
            if not original.strip():
                raise StudyError("the span holds no words")
            targets = [(row, offset, end_offset)]
        chosen = _placeholder_for(key, original, placeholder)
        ref = key.ref_of(original, chosen)
        kept = 0
        made: list[tuple[Redaction, list[tuple[int, str, int]]]] = []
        interviews: set[int] = set()
        around = _Around.load(s, {row.id for row, _, _ in targets})
        with s.no_autoflush:
            for row, a, b in targets:
                k, redaction, snapped = _replace_in_utterance(s, around, row, a, b, chosen, ref)
                kept += k
                made.append((redaction, snapped))
                interviews.add(row.interview_id)
            for iv_id in interviews:
                changed = s.get(Interview, iv_id)
                assert changed is not None
                changed.transcript_version += 1
        s.flush()
        snaps: list[Snap] = [
            (redaction.id, cid, side, rel)
            for redaction, snapped in made
            for cid, side, rel in snapped
        ]
        purged = _purge(s, [original])
        keys = sorted(s.scalars(select(Interview.key).where(Interview.id.in_(interviews))))
        _push_marker(s, project, coder, [ref], f"redact as {chosen}", snaps)
        project.audit(
            s,
            "redact",
            None,
            occurrences=len(targets),
            interviews=keys,
            undo_entries_purged=purged,
        )
    compact_storage(project, _TOUCHED)
    from workbench.storage.backup import list_backups

    unreachable = tuple(
        f"backup made earlier: {b}" for b in (list_backups(project.path) if project.path else [])
    )
    return RedactionReport(chosen, len(targets), tuple(keys), kept, len(snaps), purged, unreachable)


def open_key_for_undo(project: Project, key_path: KeyLocation) -> KeyStore:
    try:
        return KeyStore.open(project, key_path)
    except StudyError as exc:
        raise StudyError(f"refused: undoing a redaction needs its key ({exc})") from None


def unredact(project: Project, refs: list[str], key_path: KeyLocation) -> int:
    """Put the originals back where these redactions are (needs the key). Returns how many."""
    key = open_key_for_undo(project, key_path)
    with project.session() as s:
        return restore_originals(s, key, refs)


def restore_originals(
    s: Session, key: KeyStore, refs: list[str], snaps: list[list[object]] | None = None
) -> int:
    """Put the originals back (right to left in each utterance); coding edges that the
    redaction snapped to the placeholder go back to where they were in the original."""
    by_redaction: dict[int, list[tuple[int, str, int]]] = {}
    for rid, cid, side, rel in snaps or []:
        by_redaction.setdefault(int(str(rid)), []).append((int(str(cid)), str(side), int(str(rel))))
    chosen = list(
        s.scalars(
            select(Redaction)
            .where(Redaction.key_ref.in_(refs))
            .order_by(Redaction.utterance_id, Redaction.start_offset.desc())
        )
    )
    ids = {r.utterance_id for r in chosen}
    around = _Around.load(s, ids)
    rows = {
        row.id: row
        for chunk in (sorted(ids)[i : i + 500] for i in range(0, len(ids), 500))
        for row in s.scalars(select(UtteranceRow).where(UtteranceRow.id.in_(chunk)))
    }
    codings = {c.id: c for found in around.codings.values() for c in found}
    originals = {ref: key.original(ref) for ref in {r.key_ref for r in chosen}}
    with s.no_autoflush:
        for redaction in chosen:
            row = rows[redaction.utterance_id]
            original = originals[redaction.key_ref]
            a, b = redaction.start_offset, redaction.end_offset
            around.redactions[row.id].remove(redaction)
            s.delete(redaction)
            _replace_back(around, row, a, b, original)
            for cid, side, rel in by_redaction.get(redaction.id, []):
                coding = codings.get(cid)
                if coding is None or not 0 < rel < len(original):
                    continue
                if side == "start" and (coding.start_utterance_id, coding.start_offset) == (
                    row.id,
                    a,
                ):
                    coding.start_offset = a + rel
                elif side == "end" and (coding.end_utterance_id, coding.end_offset) == (
                    row.id,
                    a + len(original),
                ):
                    coding.end_offset = a + rel
    s.flush()
    return len(chosen)


def with_originals(project: Project, interview: str, key_path: KeyLocation) -> list[str]:
    """Each utterance's text with the originals in place of its placeholders, for a key holder
    who asks; nothing in the project changes (the reading is audited). Positions in this text
    differ from the project's wherever an original is longer or shorter than its placeholder."""
    key = KeyStore.open(project, key_path)
    with project.session() as s:
        iv = get_interview(s, interview)
        rows = s.scalars(
            select(UtteranceRow)
            .where(UtteranceRow.interview_id == iv.id)
            .order_by(UtteranceRow.position)
        ).all()
        spans: dict[int, list[Redaction]] = {}
        for redaction in s.scalars(
            select(Redaction)
            .join(UtteranceRow, Redaction.utterance_id == UtteranceRow.id)
            .where(UtteranceRow.interview_id == iv.id)
            .order_by(Redaction.start_offset.desc())
        ):
            spans.setdefault(redaction.utterance_id, []).append(redaction)
        project.audit(
            s,
            "redaction.reveal",
            f"interview:{interview}",
            redactions=sum(map(len, spans.values())),
        )
    originals: dict[str, str] = {}
    texts = []
    for row in rows:
        body = row.text
        for r in spans.get(row.id, []):
            if r.key_ref not in originals:
                originals[r.key_ref] = key.original(r.key_ref)
            body = body[: r.start_offset] + originals[r.key_ref] + body[r.end_offset :]
        texts.append(body)
    return texts


def _replace_back(around: _Around, row: UtteranceRow, start: int, end: int, original: str) -> None:
    delta = len(original) - (end - start)

    def move(offset: int, side: str) -> int:
        if offset <= start:
            return offset
        if offset >= end:
            return offset + delta
        return start if side == "start" else start + len(original)

    for coding in around.codings.get(row.id, []):
        if coding.start_utterance_id == row.id:
            coding.start_offset = move(coding.start_offset, "start")
        if coding.end_utterance_id == row.id:
            coding.end_offset = move(coding.end_offset, "end")
    for other in around.redactions.get(row.id, []):
        if other.start_offset >= end:
            other.start_offset += delta
            other.end_offset += delta
    row.text = row.text[:start] + original + row.text[end:]
    row.version += 1


# --- finding and checking identifiers -------------------------------------------------------------

_COMMON = frozenset(
    [
        "i",
        "i'm",
        "i've",
        "i'll",
        "i'd",
        "the",
        "a",
        "an",
        "and",
        "but",
        "or",
        "so",
        "yes",
        "no",
        "okay",
        "ok",
        "um",
        "uh",
        "mm",
        "hm",
        "yeah",
        "well",
        "oh",
        "right",
        "what",
        "when",
        "where",
        "why",
        "how",
        "who",
        "which",
        "this",
        "that",
        "these",
        "those",
        "it",
        "it's",
        "he",
        "she",
        "we",
        "they",
        "you",
        "my",
        "your",
        "his",
        "her",
        "our",
        "their",
        "there",
        "here",
        "then",
        "now",
        "today",
        "tomorrow",
        "yesterday",
        "thank",
        "thanks",
        "please",
        "sorry",
        "doctor",
        "dr",
        "mr",
        "mrs",
        "ms",
        "miss",
        "god",
        "allah",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "english",
        "arabic",
        "interviewer",
        "patient",
        "clinician",
        "interpreter",
    ]
)
_DATE = re.compile(
    r"\b(\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2}(st|nd|rd|th)? (of )?(January|February|March|"
    r"April|May|June|July|August|September|October|November|December)|(January|February|March|"
    r"April|May|June|July|August|September|October|November|December) \d{1,2}(st|nd|rd|th)?|"
    r"\b(19|20)\d{2}\b)"
)
_CAPITALISED = re.compile(r"(?<![.!?:\n]\s)(?<!^)\b([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*)")


@dataclass(frozen=True, slots=True)
class Candidate:
    text: str
    kind: str
    """``name`` (capitalised, not at a sentence start), ``date``, ``number``, ``listed`` (the
    analyst's word list), ``participant`` (a name the participant list holds) or ``known``
    (accepted before)."""
    count: int
    interviews: tuple[str, ...]


_NUMBER = re.compile(r"(?<![\w:./-])\d[\d ./-]{2,}\d(?![\w:])")
"""Three or more digits in a run (phone, case, camp-block or file numbers), in any script's
digits; times of day (10:30) are not identifiers."""
_NAME_ATTRIBUTES = re.compile(r"name|pseudonym|alias|nickname", re.IGNORECASE)


def suggest_identifiers(
    project: Project, key_path: KeyLocation = None, *, words: Sequence[str] = ()
) -> list[Candidate]:
    """Candidate identifiers for review; nothing is redacted until the analyst accepts.

    Besides capitalised words, dates and numbers, ``words`` (the analyst's own list: towns,
    camps, clinics, in any script) and names the participant list holds (attributes such as
    ``first_name``) are looked for as whole words, so an Arabic or Tigrinya name is found too.
    """
    listed = [w.strip() for w in words if w.strip()]
    known: list[str] = []
    with contextlib.suppress(StudyError):  # no key yet: nothing accepted yet
        known = KeyStore.open(project, key_path).identifiers()
    with project.session(write=False) as s:
        rows = s.execute(
            select(Interview.key, UtteranceRow.text)
            .join(Interview, UtteranceRow.interview_id == Interview.id)
            .order_by(Interview.key, UtteranceRow.position)
        ).all()
        people = [
            value.strip()
            for name, value in s.execute(
                select(ParticipantAttribute.name, ParticipantAttribute.value)
            )
            if value and _NAME_ATTRIBUTES.search(name)
        ]
    lower_words = Counter(w for _, body in rows for w in re.findall(r"\b[a-z][\w'’-]*", body))
    found: dict[tuple[str, str], set[str]] = {}
    counts: Counter[tuple[str, str]] = Counter()

    def note(value: str, kind: str, interview: str) -> None:
        found.setdefault((value, kind), set()).add(interview)
        counts[(value, kind)] += 1

    for interview, body in rows:
        for sentence in re.split(r"(?<=[.!?])\s+", body):
            for match in _CAPITALISED.finditer(sentence):
                value = match.group(1).strip("'’-")
                words = value.split()
                if match.start(1) == 0 and len(words) == 1:
                    continue  # a sentence start says nothing
                if all(w.lower() in _COMMON or lower_words[w.lower()] > 0 for w in words):
                    continue
                note(value, "name", interview)
        dates = [m.span() for m in _DATE.finditer(body)]
        for match in _DATE.finditer(body):
            note(match.group(0), "date", interview)
        for match in _NUMBER.finditer(body):
            if not any(a <= match.start() < b for a, b in dates):
                note(match.group(0), "number", interview)
        for kind, needles in (("listed", listed), ("participant", people)):
            for word in needles:
                if _whole_word_folded(word).search(body):
                    note(word, kind, interview)
        for word in known:
            if _whole_word(word).search(body):
                note(word, "known", interview)
    return sorted(
        (
            Candidate(value, kind, counts[(value, kind)], tuple(sorted(found[(value, kind)])))
            for value, kind in found
        ),
        key=lambda c: (-c.count, c.text),
    )


def accept_identifier(project: Project, identifier: str, key_path: KeyLocation = None) -> None:
    """Remember an identifier the analyst accepted (in the key: it is itself identifying)."""
    KeyStore.open(project, key_path, create=True).accept(identifier)


@dataclass(frozen=True, slots=True)
class Leak:
    where: str
    """``interview:ID #N``, ``translation``, ``memo``, ``detached coding``"""
    found: str


def check_identifiers(project: Project, key_path: KeyLocation = None) -> list[Leak]:
    """Key originals or accepted identifiers still present in text an export would write."""
    key = KeyStore.open(project, key_path)
    needles = [n for n in {*key.originals(), *key.identifiers()} if n.strip()]
    patterns = [(n, re.compile(rf"(?<!\w){re.escape(n)}(?!\w)", re.IGNORECASE)) for n in needles]
    leaks: list[Leak] = []
    with project.session(write=False) as s:
        texts: list[tuple[str, str]] = [
            (f"interview:{key_} #{pos}", body)
            for key_, pos, body in s.execute(
                select(Interview.key, UtteranceRow.position, UtteranceRow.text).join(
                    Interview, UtteranceRow.interview_id == Interview.id
                )
            )
        ]
        texts += [("translation", t) for t in s.scalars(select(Translation.text))]
        texts += [("memo", t) for t in s.scalars(select(Memo.text))]
        texts += [("detached coding", t) for t in s.scalars(select(DetachedCoding.text))]
        texts += [("coding memo", t) for t in s.scalars(select(Coding.memo)) if t]
    for where, body in texts:
        for needle, pattern in patterns:
            if pattern.search(body):
                leaks.append(Leak(where, needle))
    return leaks
