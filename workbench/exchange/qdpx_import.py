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
which restores what REFI cannot hold: utterances with speakers and times, interview roles,
consent, waves in order, theme hierarchy and status, memo targets and the journal.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from workbench.coding.study import new_study
from workbench.coding.transcripts import participant_for_label
from workbench.domain.study import DEFAULT_WAVES, InterviewRole, Role, StudyError
from workbench.domain.text import count_words, search_text_of
from workbench.exchange.qdpx import derived_guid
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
from workbench.storage.models import (
    ROLES,
    Code,
    CodeCategory,
    Coder,
    Coding,
    Dyad,
    DyadMember,
    Interview,
    InterviewParticipantRow,
    InterviewTitle,
    JournalEntry,
    Memo,
    Participant,
    ParticipantAttribute,
    ParticipantWaveAttribute,
    ProjectRow,
    Theme,
    ThemeCode,
    UtteranceRow,
    Wave,
)
from workbench.storage.project import Project, ProjectError, is_url, open_project, sqlite_path_of

# --- writing -------------------------------------------------------------------------------


def _key(name: str, fallback: str, taken: set[str]) -> str:
    base = re.sub(r"\s+", "_", name.strip())[:90] or fallback
    key, n = base, 2
    while key.casefold() in taken:
        key, n = f"{base}-{n}", n + 1
    taken.add(key.casefold())
    return key


def _number(value: str) -> str:
    try:
        float(value)
    except ValueError:
        return "text"
    return "number"


def is_empty(project: Project) -> bool:
    with project.session(write=False) as s:
        return not any(
            s.scalar(select(func.count()).select_from(model))
            for model in (Participant, Interview, Code, Theme, Memo, JournalEntry, Dyad)
        )


def write_staged(
    project: Project, staged: _Staged, source_name: str, *, coder: str | None = None
) -> QdpxImport:
    """Write the staged project into ``project``, which must be empty, in one transaction."""
    if not is_empty(project):
        raise StudyError(
            "a .qdpx project imports into a new or empty project; this one holds data already "
            "(create one with `workbench new`, or name a new file)"
        )
    side = staged.sidecar
    not_carried, warnings = list(staged.not_carried), list(staged.warnings)
    with project.session() as s:
        me = project.coder(s, coder)
        row = s.scalar(select(ProjectRow))
        if row is not None and staged.name:
            row.title = staged.name
        # Users
        coders: dict[str, Coder] = {}
        for guid, name in staged.users.items():
            c = s.scalar(select(Coder).where(Coder.name == name))
            if c is None:
                c = Coder(name=name[:200], guid=guid)
                s.add(c)
            elif s.scalar(select(Coder).where(Coder.guid == guid)) is None:
                c.guid = guid  # the same person: keep the file's GUID for them
            coders[guid] = c
        s.flush()

        def coder_of(guid: str | None) -> int:
            return coders[guid].id if guid in coders else me.id

        # Waves: the file's order, then any a source names.
        waves = {w.name: w for w in s.scalars(select(Wave).order_by(Wave.position))}
        wanted = list(side.get("waves", []))
        if wanted:
            for w in waves.values():
                w.position += 10_000
            for i, name in enumerate(wanted):
                if name not in waves:
                    waves[name] = Wave(name=name[:200], position=i)
                    s.add(waves[name])
                waves[name].position = i
            extra = [w for w in waves.values() if w.name not in wanted]
            for i, w in enumerate(sorted(extra, key=lambda w: w.position)):
                w.position = len(wanted) + i
            s.flush()

        def wave(name: str | None) -> Wave | None:
            if not name:
                return None
            if name not in waves:
                waves[name] = Wave(name=name[:200], position=len(waves))
                s.add(waves[name])
                s.flush()
            return waves[name]

        # Codes
        codes: dict[str, Code] = {}
        own_codes = side.get("codes", {})
        siblings: dict[str | None, int] = {}
        for guid, parent, name, color, description in staged.codes:
            extra_ = own_codes.get(guid, {})
            code = Code(
                guid=guid,
                name=name[:500],
                parent_id=codes[parent].id if parent in codes else None,
                position=siblings.get(parent, 0),
                color=color,
                definition=extra_.get("definition", description) if extra_ else description,
                inclusion=extra_.get("inclusion"),
                exclusion=extra_.get("exclusion"),
                created_by_id=me.id,
            )
            siblings[parent] = siblings.get(parent, 0) + 1
            s.add(code)
            s.flush()
            codes[guid] = code
            if guid in staged.uncodable:
                s.add(CodeCategory(code_id=code.id))

        # Participants
        people: dict[str, Participant] = {}
        by_key: dict[str, Participant] = {}
        taken: set[str] = set()
        own_people = side.get("participants", {})
        for guid, name, values, _ in staged.cases:
            own = own_people.get(guid, {})
            key = _key(own.get("key") or name, f"case-{len(people) + 1}", taken)
            role = own.get("role") or values.get("role", "").casefold()
            if role not in ROLES:
                role = Role.OTHER.value
            p = Participant(key=key, role=role, guid=guid)
            if own.get("consent") in ("consented", "pending", "declined"):
                p.consent = own["consent"]
            attributes = (
                own.get("attributes")
                if own
                else {k: v for k, v in values.items() if k not in ("role", "dyad", "consent")}
            )
            for k, v in (attributes or {}).items():
                p.attributes.append(ParticipantAttribute(name=k, value=v, value_type=_number(v)))
            s.add(p)
            s.flush()
            for wave_name, k, v in own.get("wave_attributes", []):
                measured = wave(wave_name)
                if measured is not None:
                    s.add(
                        ParticipantWaveAttribute(
                            participant_id=p.id,
                            wave_id=measured.id,
                            name=k,
                            value=v,
                            value_type=_number(v),
                        )
                    )
            people[guid] = p
            by_key[key] = p
        # Dyads: the file's own list, else each case's "dyad" variable.
        dyad_members: dict[str, list[str]] = dict(side.get("dyads", {}))
        if not side:
            for guid, _, values, _ in staged.cases:
                for d in (values.get("dyad") or "").split(","):
                    if d.strip():
                        dyad_members.setdefault(d.strip(), []).append(people[guid].key)
        dyads: dict[str, Dyad] = {}
        dyad_keys: set[str] = set()
        for name, keys in dyad_members.items():
            dyad = Dyad(key=_key(name, "dyad", dyad_keys))
            s.add(dyad)
            s.flush()
            for k in dict.fromkeys(keys):
                if k in by_key:
                    s.add(DyadMember(dyad_id=dyad.id, participant_id=by_key[k].id))
            dyads[name] = dyad

        # Interviews, utterances, codings
        interviews: dict[str, Interview] = {}
        interview_keys: set[str] = set()
        pending: list[dict[str, Any]] = []
        coding_count = 0
        memo_for = {
            coding_guid: staged.notes[note_guid][1]
            for note_guid, coding_guid in side.get("coding_memos", {}).items()
            if note_guid in staged.notes
        }
        selection_notes: list[tuple[str, str]] = []
        carried: set[str] = set()
        coding_memo_count = 0
        now = dt.datetime.now(dt.UTC)
        cases_of: dict[str, list[str]] = {}
        for guid, _, _, sources in staged.cases:
            for src in sources:
                cases_of.setdefault(src, []).append(guid)
        for source in staged.sources:
            own = side.get("interviews", {}).get(source.guid) or {}
            v = source.variables
            date = None
            raw_date = own.get("date") or v.get("source date") or v.get("date")
            if raw_date:
                try:
                    date = dt.date.fromisoformat(raw_date[:10])
                except ValueError:
                    warnings.append(f"source {source.name!r}: date {raw_date!r} not understood")
            session_raw = own.get("session") if own else v.get("source session") or v.get("session")
            wave_name = own.get("wave") if own else v.get("source wave") or v.get("wave")
            dyad_name = own.get("dyad") if own else v.get("source dyad") or v.get("dyad")
            status = own.get("status") or ("transcribed" if source.utterances else "planned")
            if status not in ("planned", "transcribed", "coding", "coded", "stopped"):
                status = "transcribed"
            key = _key(
                own.get("key") or source.name, f"source-{len(interviews) + 1}", interview_keys
            )
            iv = Interview(
                guid=source.guid,
                key=key,
                wave=wave(wave_name),
                dyad=dyads.get(dyad_name) if dyad_name else None,
                language=own.get("language") or v.get("source language") or v.get("language"),
                date=date,
                session_number=int(str(session_raw)) if str(session_raw or "").isdigit() else None,
                weeks_since_start=own.get("weeks_since_start"),
                status=status,
                status_reason=own.get("status_reason"),
                transcript_version=1 if source.utterances else 0,
            )
            s.add(iv)
            s.flush()
            interviews[source.guid] = iv
            title = own.get("title") or (source.name if source.name != key else None)
            if title:
                s.add(InterviewTitle(interview_id=iv.id, title=title))
            roles = own.get("participants") or [
                [people[c].key, InterviewRole.default_for(Role(people[c].role)).value]
                for c in cases_of.get(source.guid, [])
                if c in people
            ]
            for k, r in dict((k, r) for k, r in roles).items():
                if k in by_key:
                    s.add(
                        InterviewParticipantRow(
                            interview_id=iv.id, participant_id=by_key[k].id, role=r
                        )
                    )
            details = own.get("utterances") if source.own else None
            speakers = {
                label: participant_for_label(
                    label, {k: (r, by_key[k].role) for k, r in roles if k in by_key}
                )
                for label in set(source.heads) - {None}
                if label is not None
            }
            rows = []
            for i, text in enumerate(source.utterances):
                record: dict[str, Any] = {
                    "interview_id": iv.id,
                    "position": i,
                    "text": text,
                    "search_text": search_text_of(text),
                    "word_count": count_words(text),
                    "language": iv.language,
                    "speaker_id": None,
                    "speaker_label": None,
                    "renders_id": None,
                    "start_ms": None,
                    "end_ms": None,
                    "needs_review": False,
                    "untranscribed_speech": False,
                    "verified": False,
                    "version": 0,
                }
                head = source.heads[i] if source.heads else None
                if head is not None:
                    record["speaker_label"] = head
                    heard = speakers.get(head)
                    record["speaker_id"] = by_key[heard].id if heard else None
                    record["start_ms"] = source.times[i]
                if details:
                    speaker, label, renders, start_ms, end_ms, language, flags = details[i]
                    record["speaker_id"] = by_key[speaker].id if speaker in by_key else None
                    record["speaker_label"] = label
                    record["renders_id"] = by_key[renders].id if renders in by_key else None
                    record["start_ms"], record["end_ms"] = start_ms, end_ms
                    record["language"] = language
                    (
                        record["needs_review"],
                        record["untranscribed_speech"],
                        record["verified"],
                    ) = (bool(x) for x in flags)
                rows.append(record)
            if rows:
                s.execute(insert(UtteranceRow), rows)
            ids = list(
                s.scalars(
                    select(UtteranceRow.id)
                    .where(UtteranceRow.interview_id == iv.id)
                    .order_by(UtteranceRow.position)
                )
            )
            lengths = [len(t) for t in source.utterances]
            ustarts, at = [], 0
            for n in lengths:
                ustarts.append(at)
                at += n + 1
            for sel in source.selections:
                first = True
                for coding_guid, code_guid, user, when in sel.codings:
                    if code_guid not in codes:
                        not_carried.append(
                            f"source {source.name!r}: a coding of a code the codebook lacks"
                        )
                        continue
                    # This workbench's selection GUID is its coding's (the Coding's is derived).
                    own_coding = coding_guid == derived_guid(sel.guid, "coding")
                    # Another tool's: its first coding keeps the selection's GUID (stable again
                    # on export, where a selection's GUID is its coding's).
                    guid = sel.guid if own_coding or first else coding_guid
                    su, so = _anchor(ids, lengths, ustarts, sel.start, end=False)
                    eu, eo = _anchor(ids, lengths, ustarts, sel.end, end=True)
                    pending.append(
                        {
                            "guid": guid,
                            "code_id": codes[code_guid].id,
                            "interview_id": iv.id,
                            "start_utterance_id": su,
                            "start_offset": so,
                            "end_utterance_id": eu,
                            "end_offset": eo,
                            "coder_id": coder_of(user or sel.user),
                            "created_at": when or sel.created or now,
                            "memo": memo_for.get(guid) or sel.description,
                            "important": False,
                        }
                    )
                    coding_count += 1
                    carried.add(guid)
                    coding_memo_count += bool(pending[-1]["memo"])
                    if len(pending) >= 5000:  # bounded memory on big projects
                        s.execute(insert(Coding), pending)
                        pending.clear()
                    if first:
                        # a note on the selection becomes a memo on its (first) coding
                        selection_notes += [(n, guid) for n in sel.notes]
                    first = False
                if not sel.codings:
                    not_carried.append(f"source {source.name!r}: a selection with no coding")
            # Written: let this source's staged text and selections go (bounded memory).
            source.utterances, source.selections = [], []
        if pending:
            s.execute(insert(Coding), pending)
        noted = {g for _, g in selection_notes} | {
            str(m.get("about", "")).partition(":")[2]
            for m in side.get("memos", {}).values()
            if str(m.get("about", "")).startswith("coding:")
        }
        coding_id = {g: i for g, i in s.execute(select(Coding.guid, Coding.id)) if g in noted}

        # Themes
        themes: dict[str, Theme] = {}
        theme_names: set[str] = set()
        own_themes = side.get("themes", {})
        for i, (guid, name, description, members, _) in enumerate(staged.sets):
            own = own_themes.get(guid, {})
            unique, n = name, 2
            while unique.casefold() in theme_names:
                unique, n = f"{name} ({n})", n + 1
            theme_names.add(unique.casefold())
            t = Theme(
                guid=guid,
                name=unique[:500],
                position=i,
                concept=own.get("concept") if own else description,
                definition=own.get("definition"),
                status=own.get("status") or "candidate",
            )
            s.add(t)
            s.flush()
            themes[guid] = t
            for code_guid in dict.fromkeys(members):
                if code_guid in codes:
                    s.add(ThemeCode(theme_id=t.id, code_id=codes[code_guid].id))
        for guid, t in themes.items():
            parent = own_themes.get(guid, {}).get("parent")
            if parent in themes:
                t.parent_id = themes[parent].id

        # Notes: memos on what refers to them, coding memos, the journal
        targets: dict[str, dict[str, int]] = {}
        s.flush()
        for guid, refs in staged.code_notes.items():
            for note_guid in refs:
                targets.setdefault(note_guid, {"code_id": codes[guid].id})
        for source in staged.sources:
            for note_guid in source.notes:
                targets.setdefault(note_guid, {"interview_id": interviews[source.guid].id})
        for note_guid, coding_guid in selection_notes:
            targets.setdefault(note_guid, {"coding_id": coding_id[coding_guid]})
        for guid, _, _, _, refs in staged.sets:
            for note_guid in refs:
                if guid in themes:
                    targets.setdefault(note_guid, {"theme_id": themes[guid].id})
        s.flush()
        own_memos = side.get("memos", {})
        coding_memos = side.get("coding_memos", {})
        journal = side.get("journal", {})
        memo_count = journal_count = 0
        by_guid: dict[str, dict[str, dict[str, int]]] = {
            "participant": {g: {"participant_id": p.id} for g, p in people.items()},
            "interview": {g: {"interview_id": iv.id} for g, iv in interviews.items()},
            "code": {g: {"code_id": c.id} for g, c in codes.items()},
            "coding": {g: {"coding_id": i} for g, i in coding_id.items()},
            "theme": {g: {"theme_id": t.id} for g, t in themes.items()},
            "dyad": {k: {"dyad_id": d.id} for k, d in dyads.items()},
            "wave": {k: {"wave_id": w.id} for k, w in waves.items()},
        }
        for guid, (name, text, user, when) in staged.notes.items():
            if guid in coding_memos:
                if coding_memos[guid] in carried:
                    continue  # carried with its coding
                # Our side file names a coding the file no longer holds: keep its memo.
                source_guid = side.get("coding_memo_sources", {}).get(guid)
                warnings.append(
                    f"coding memo {text[:40]!r}: its coding is gone from the file; kept as a memo "
                    + ("about its interview" if source_guid in interviews else "about the project")
                )
                if source_guid in interviews:
                    targets[guid] = {"interview_id": interviews[source_guid].id}
                name = name if name != "Coding memo" else "Memo of a removed coding"
            if guid in journal:
                entry = journal[guid]
                try:
                    day = dt.date.fromisoformat(entry.get("date", ""))
                except ValueError:
                    day = (when or dt.datetime.now(dt.UTC)).date()
                author = entry.get("coder")
                c = project.coder(s, author) if author else None
                s.add(
                    JournalEntry(
                        guid=guid,
                        text=text,
                        entry_date=day,
                        coder_id=c.id if c is not None else coder_of(user),
                        created_at=when or dt.datetime.now(dt.UTC),
                    )
                )
                journal_count += 1
                continue
            target = targets.get(guid, {})
            own = own_memos.get(guid)
            if own:
                kind, _, ref = str(own.get("about", "project")).partition(":")
                target = by_guid.get(kind, {}).get(ref, target)
            s.add(
                Memo(
                    guid=guid,
                    title=((own.get("title") if own else name) or "")[:500] or None,
                    text=text,
                    coder_id=coder_of(user),
                    created_at=when or dt.datetime.now(dt.UTC),
                    updated_at=when or dt.datetime.now(dt.UTC),
                    **target,
                )
            )
            memo_count += 1
        s.flush()
        modes = sorted(staged.modes) or [_default_mode(staged.origin)]
        project.audit(
            s,
            "import.qdpx",
            None,
            file=source_name,
            origin=staged.origin,
            sources=len(interviews),
            codes=len(codes),
            codings=coding_count,
            not_carried=len(not_carried),
        )
        return QdpxImport(
            project=project.location,
            origin=staged.origin,
            sources=len(interviews),
            participants=len(people),
            codes=len(codes),
            codings=coding_count,
            memos=memo_count,
            journal=journal_count,
            themes=len(themes),
            positions=", ".join(modes),
            not_carried=tuple(not_carried),
            warnings=tuple(warnings),
            inferred=tuple(staged.inferred),
            coding_memos=coding_memo_count,
        )


def _anchor(
    ids: list[int], lengths: list[int], starts: list[int], p: int, *, end: bool
) -> tuple[int, int]:
    """(utterance id, offset) of an interview position, canonical as ``domain.positions``."""
    i = bisect.bisect_right(starts, p) - 1
    offset = p - starts[i]
    if not end and offset >= lengths[i] and i + 1 < len(ids):
        return ids[i + 1], 0
    if end and offset == 0 and i > 0:
        return ids[i - 1], lengths[i - 1]
    return ids[i], min(offset, lengths[i])


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
