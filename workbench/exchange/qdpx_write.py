"""Writing a staged REFI-QDA project (``qdpx_stage``) into an empty project: one function per
section written — users, waves, codes, participants, dyads, sources (interviews, utterances,
codings), themes, notes — in that order, sharing a ``_Write`` that holds the session and the id
maps each section fills for the ones after it. ``qdpx_import.write_staged`` runs them in one
transaction.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from workbench.coding.transcripts import participant_for_label
from workbench.domain.study import InterviewRole, Role, StudyRole
from workbench.domain.text import count_words, search_text_of
from workbench.exchange.qdpx_staged import _Source, _Staged
from workbench.exchange.qdpx_xml import derived_guid
from workbench.storage.bulk import Bulk
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
    RenderingSpan,
    Theme,
    ThemeCode,
    UtteranceLink,
    UtteranceRow,
    Wave,
)
from workbench.storage.project import Project


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


@dataclass
class _Write:
    """One import's shared state: the session, the staged file, what is reported, and the maps
    from the file's GUIDs (or names) to the rows written so far."""

    project: Project
    s: Session
    staged: _Staged
    me: Coder
    not_carried: list[str]
    warnings: list[str]
    coders: dict[str, Coder] = field(default_factory=dict)
    waves: dict[str, Wave] = field(default_factory=dict)
    codes: dict[str, Code] = field(default_factory=dict)
    people: dict[str, Participant] = field(default_factory=dict)
    by_key: dict[str, Participant] = field(default_factory=dict)
    dyads: dict[str, Dyad] = field(default_factory=dict)
    interviews: dict[str, Interview] = field(default_factory=dict)
    selection_notes: list[tuple[str, str]] = field(default_factory=list)
    carried: set[str] = field(default_factory=set)
    coding_id: dict[str, int] = field(default_factory=dict)
    themes: dict[str, Theme] = field(default_factory=dict)
    coding_count: int = 0
    coding_memo_count: int = 0
    memo_count: int = 0
    journal_count: int = 0
    bulk: Bulk | None = None
    """SQLite: utterances and codings inserted without a trigger per row (``storage.bulk``)."""

    def insert(self, model: type[UtteranceRow] | type[Coding], rows: list[dict[str, Any]]) -> None:
        if self.bulk is not None:
            self.bulk.insert(model.__table__, rows)  # type: ignore[arg-type]
        else:
            self.s.execute(insert(model), rows)

    @property
    def side(self) -> dict:
        return self.staged.sidecar

    def coder_of(self, guid: str | None) -> int:
        return self.coders[guid].id if guid in self.coders else self.me.id

    def wave(self, name: str | None) -> Wave | None:
        if not name:
            return None
        if name not in self.waves:
            self.waves[name] = Wave(name=name[:200], position=len(self.waves))
            self.s.add(self.waves[name])
            self.s.flush()
        return self.waves[name]


def _write_users(w: _Write) -> None:
    s = w.s
    for guid, name in w.staged.users.items():
        c = s.scalar(select(Coder).where(Coder.name == name))
        if c is None:
            c = Coder(name=name[:200], guid=guid)
            s.add(c)
        elif s.scalar(select(Coder).where(Coder.guid == guid)) is None:
            c.guid = guid  # the same person: keep the file's GUID for them
        w.coders[guid] = c
    s.flush()


def _write_waves(w: _Write) -> None:
    """The file's order, then any a source names (``_Write.wave``)."""
    s = w.s
    waves = w.waves
    waves.update({wv.name: wv for wv in s.scalars(select(Wave).order_by(Wave.position))})
    wanted = list(w.side.get("waves", []))
    if wanted:
        for wv in waves.values():
            wv.position += 10_000
        for i, name in enumerate(wanted):
            if name not in waves:
                waves[name] = Wave(name=name[:200], position=i)
                s.add(waves[name])
            waves[name].position = i
        extra = [wv for wv in waves.values() if wv.name not in wanted]
        for i, wv in enumerate(sorted(extra, key=lambda wv: wv.position)):
            wv.position = len(wanted) + i
        s.flush()


def _write_codes(w: _Write) -> None:
    s, staged, codes = w.s, w.staged, w.codes
    own_codes = w.side.get("codes", {})
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
            created_by_id=w.me.id,
        )
        siblings[parent] = siblings.get(parent, 0) + 1
        s.add(code)
        s.flush()
        codes[guid] = code
        if guid in staged.uncodable:
            s.add(CodeCategory(code_id=code.id))


def _write_participants(w: _Write) -> None:
    s, people = w.s, w.people
    taken: set[str] = set()
    own_people = w.side.get("participants", {})
    for guid, name, values, _ in w.staged.cases:
        own = own_people.get(guid, {})
        key = _key(own.get("key") or name, f"case-{len(people) + 1}", taken)
        role = own.get("role") or values.get("role", "").casefold()
        if role not in ROLES:
            role = Role.OTHER.value
        study = own.get("study_role")
        if study not in (StudyRole.PARTICIPANT.value, StudyRole.TEAM.value):
            study = StudyRole.default_for(Role(role)).value  # as when a person is added
        p = Participant(key=key, role=role, guid=guid, study_role=study)
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
            measured = w.wave(wave_name)
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
        w.by_key[key] = p


def _write_dyads(w: _Write) -> None:
    """The file's own list, else each case's "dyad" variable."""
    s, side = w.s, w.side
    dyad_members: dict[str, list[str]] = dict(side.get("dyads", {}))
    if not side:
        for guid, _, values, _ in w.staged.cases:
            for d in (values.get("dyad") or "").split(","):
                if d.strip():
                    dyad_members.setdefault(d.strip(), []).append(w.people[guid].key)
    dyad_keys: set[str] = set()
    for name, keys in dyad_members.items():
        dyad = Dyad(key=_key(name, "dyad", dyad_keys))
        s.add(dyad)
        s.flush()
        for k in dict.fromkeys(keys):
            if k in w.by_key:
                s.add(DyadMember(dyad_id=dyad.id, participant_id=w.by_key[k].id))
        w.dyads[name] = dyad


def _write_sources(w: _Write) -> None:
    """Interviews, their utterances and codings, one source at a time; codings are inserted in
    batches and each source's staged text let go once written (bounded memory)."""
    s, staged, side = w.s, w.staged, w.side
    interview_keys: set[str] = set()
    pending: list[dict[str, Any]] = []
    memo_for = {
        coding_guid: staged.notes[note_guid][1]
        for note_guid, coding_guid in side.get("coding_memos", {}).items()
        if note_guid in staged.notes
    }
    now = dt.datetime.now(dt.UTC)
    cases_of: dict[str, list[str]] = {}
    for guid, _, _, sources in staged.cases:
        for src in sources:
            cases_of.setdefault(src, []).append(guid)
    for source in staged.sources:
        own = side.get("interviews", {}).get(source.guid) or {}
        iv, roles = _write_interview(w, source, own, cases_of, interview_keys)
        rows = _utterance_rows(w, source, own, iv, roles)
        if rows:
            w.insert(UtteranceRow, rows)
            if source.own and (own.get("rendering_spans") or own.get("links")):
                _write_renderings(w, source, own, iv)
        _stage_codings(w, source, iv, pending, memo_for, now)
        # Written: let this source's staged text and selections go (bounded memory).
        source.utterances, source.selections = [], []
    if pending:
        w.insert(Coding, pending)
    noted = {g for _, g in w.selection_notes} | {
        str(m.get("about", "")).partition(":")[2]
        for m in side.get("memos", {}).values()
        if str(m.get("about", "")).startswith("coding:")
    }
    w.coding_id = {g: i for g, i in s.execute(select(Coding.guid, Coding.id)) if g in noted}


def _write_interview(
    w: _Write,
    source: _Source,
    own: dict,
    cases_of: dict[str, list[str]],
    interview_keys: set[str],
) -> tuple[Interview, list]:
    """The source's interview row, its title and participants; returns it and the roles."""
    s, people, by_key = w.s, w.people, w.by_key
    v = source.variables
    date = None
    raw_date = own.get("date") or v.get("source date") or v.get("date")
    if raw_date:
        try:
            date = dt.date.fromisoformat(raw_date[:10])
        except ValueError:
            w.warnings.append(f"source {source.name!r}: date {raw_date!r} not understood")
    session_raw = own.get("session") if own else v.get("source session") or v.get("session")
    wave_name = own.get("wave") if own else v.get("source wave") or v.get("wave")
    dyad_name = own.get("dyad") if own else v.get("source dyad") or v.get("dyad")
    status = own.get("status") or ("transcribed" if source.utterances else "planned")
    if status not in ("planned", "transcribed", "coding", "coded", "stopped"):
        status = "transcribed"
    key = _key(own.get("key") or source.name, f"source-{len(w.interviews) + 1}", interview_keys)
    iv = Interview(
        guid=source.guid,
        key=key,
        wave=w.wave(wave_name),
        dyad=w.dyads.get(dyad_name) if dyad_name else None,
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
    w.interviews[source.guid] = iv
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
            s.add(InterviewParticipantRow(interview_id=iv.id, participant_id=by_key[k].id, role=r))
    return iv, roles


def _utterance_rows(
    w: _Write, source: _Source, own: dict, iv: Interview, roles: list
) -> list[dict[str, Any]]:
    """One row per staged utterance, with speakers from turn heads or our side file."""
    by_key = w.by_key
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
    return rows


def _write_renderings(w: _Write, source: _Source, own: dict, iv: Interview) -> None:
    """Rendering spans and original/rendering links from our side file, whose turns fit the
    text (utterances by position); one that does not fit is reported, not carried."""
    s, texts = w.s, source.utterances
    ids = list(
        s.scalars(
            select(UtteranceRow.id)
            .where(UtteranceRow.interview_id == iv.id)
            .order_by(UtteranceRow.position)
        )
    )

    def fits(i: Any) -> bool:
        return isinstance(i, int) and 0 <= i < len(ids)

    taken: dict[int, list[tuple[int, int]]] = {}
    for entry in own.get("rendering_spans") or []:
        i, lo, hi, key = (list(entry) + [None] * 4)[:4]
        ok = fits(i) and isinstance(lo, int) and isinstance(hi, int) and key in w.by_key
        ok = ok and 0 <= lo < hi <= len(texts[i])
        ok = ok and not any(a < hi and lo < b for a, b in taken.get(i, []))
        if not ok:
            w.not_carried.append(f"source {source.name!r}: a rendering span that does not fit")
            continue
        taken.setdefault(i, []).append((lo, hi))
        s.add(
            RenderingSpan(
                interview_id=iv.id,
                utterance_id=ids[i],
                participant_id=w.by_key[key].id,
                start_offset=lo,
                end_offset=hi,
            )
        )
    rendered: set[int] = set()
    for entry in own.get("links") or []:
        original, rendering = (list(entry) + [None] * 2)[:2]
        if (
            not (fits(original) and fits(rendering))
            or original == rendering
            or (rendering in rendered)
        ):
            w.not_carried.append(f"source {source.name!r}: a rendering link that does not fit")
            continue
        rendered.add(rendering)
        s.add(
            UtteranceLink(
                interview_id=iv.id, original_id=ids[original], rendering_id=ids[rendering]
            )
        )
    s.flush()


def _stage_codings(
    w: _Write,
    source: _Source,
    iv: Interview,
    pending: list[dict[str, Any]],
    memo_for: dict[str, str],
    now: dt.datetime,
) -> None:
    """The source's selections as coding rows in ``pending``, inserted every 5000."""
    s = w.s
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
            if code_guid not in w.codes:
                w.not_carried.append(
                    f"source {source.name!r}: a coding of a code the codebook lacks"
                )
                continue
            # This workbench's selection GUID is its coding's (the Coding's is derived).
            # Another tool's: its first coding keeps the selection's GUID (stable again
            # on export, where a selection's GUID is its coding's). The UUID-5 is only
            # needed past the first coding (a tenth of the import's selection time).
            own = first or coding_guid == derived_guid(sel.guid, "coding")
            guid = sel.guid if own else coding_guid
            su, so = _anchor(ids, lengths, ustarts, sel.start, end=False)
            eu, eo = _anchor(ids, lengths, ustarts, sel.end, end=True)
            pending.append(
                {
                    "guid": guid,
                    "code_id": w.codes[code_guid].id,
                    "interview_id": iv.id,
                    "start_utterance_id": su,
                    "start_offset": so,
                    "end_utterance_id": eu,
                    "end_offset": eo,
                    "coder_id": w.coder_of(user or sel.user),
                    "created_at": when or sel.created or now,
                    "memo": memo_for.get(guid) or sel.description,
                    "important": False,
                }
            )
            w.coding_count += 1
            w.carried.add(guid)
            w.coding_memo_count += bool(pending[-1]["memo"])
            if len(pending) >= 5000:  # bounded memory on big projects
                w.insert(Coding, pending)
                pending.clear()
            if first:
                # a note on the selection becomes a memo on its (first) coding
                w.selection_notes += [(n, guid) for n in sel.notes]
            first = False
        if not sel.codings:
            w.not_carried.append(f"source {source.name!r}: a selection with no coding")


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


def _write_themes(w: _Write) -> None:
    s, themes = w.s, w.themes
    theme_names: set[str] = set()
    own_themes = w.side.get("themes", {})
    for i, (guid, name, description, members, _) in enumerate(w.staged.sets):
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
            if code_guid in w.codes:
                s.add(ThemeCode(theme_id=t.id, code_id=w.codes[code_guid].id))
    for guid, t in themes.items():
        parent = own_themes.get(guid, {}).get("parent")
        if parent in themes:
            t.parent_id = themes[parent].id


def _note_targets(w: _Write) -> dict[str, dict[str, int]]:
    """What each note is about, by what refers to it in the file."""
    staged = w.staged
    targets: dict[str, dict[str, int]] = {}
    w.s.flush()
    for guid, refs in staged.code_notes.items():
        for note_guid in refs:
            targets.setdefault(note_guid, {"code_id": w.codes[guid].id})
    for source in staged.sources:
        for note_guid in source.notes:
            targets.setdefault(note_guid, {"interview_id": w.interviews[source.guid].id})
    for note_guid, coding_guid in w.selection_notes:
        targets.setdefault(note_guid, {"coding_id": w.coding_id[coding_guid]})
    for guid, _, _, _, refs in staged.sets:
        for note_guid in refs:
            if guid in w.themes:
                targets.setdefault(note_guid, {"theme_id": w.themes[guid].id})
    w.s.flush()
    return targets


def _write_notes(w: _Write) -> None:
    """Memos on what refers to them, coding memos, the journal."""
    targets = _note_targets(w)
    side = w.side
    own_memos = side.get("memos", {})
    coding_memos = side.get("coding_memos", {})
    journal = side.get("journal", {})
    by_guid: dict[str, dict[str, dict[str, int]]] = {
        "participant": {g: {"participant_id": p.id} for g, p in w.people.items()},
        "interview": {g: {"interview_id": iv.id} for g, iv in w.interviews.items()},
        "code": {g: {"code_id": c.id} for g, c in w.codes.items()},
        "coding": {g: {"coding_id": i} for g, i in w.coding_id.items()},
        "theme": {g: {"theme_id": t.id} for g, t in w.themes.items()},
        "dyad": {k: {"dyad_id": d.id} for k, d in w.dyads.items()},
        "wave": {k: {"wave_id": wv.id} for k, wv in w.waves.items()},
    }
    for guid, (name, text, user, when) in w.staged.notes.items():
        if guid in coding_memos:
            if coding_memos[guid] in w.carried:
                continue  # carried with its coding
            name = _orphan_coding_memo(w, guid, name, text, targets)
        if guid in journal:
            _write_journal_entry(w, guid, journal[guid], text, user, when)
            continue
        target = targets.get(guid, {})
        own = own_memos.get(guid)
        if own:
            kind, _, ref = str(own.get("about", "project")).partition(":")
            target = by_guid.get(kind, {}).get(ref, target)
        w.s.add(
            Memo(
                guid=guid,
                title=((own.get("title") if own else name) or "")[:500] or None,
                text=text,
                coder_id=w.coder_of(user),
                created_at=when or dt.datetime.now(dt.UTC),
                updated_at=when or dt.datetime.now(dt.UTC),
                **target,
            )
        )
        w.memo_count += 1
    w.s.flush()


def _orphan_coding_memo(
    w: _Write, guid: str, name: str, text: str, targets: dict[str, dict[str, int]]
) -> str:
    """Our side file names a coding the file no longer holds: keep its memo. Returns its name."""
    source_guid = w.side.get("coding_memo_sources", {}).get(guid)
    w.warnings.append(
        f"coding memo {text[:40]!r}: its coding is gone from the file; kept as a memo "
        + ("about its interview" if source_guid in w.interviews else "about the project")
    )
    if source_guid in w.interviews:
        targets[guid] = {"interview_id": w.interviews[source_guid].id}
    return name if name != "Coding memo" else "Memo of a removed coding"


def _write_journal_entry(
    w: _Write, guid: str, entry: dict, text: str, user: str | None, when: dt.datetime | None
) -> None:
    try:
        day = dt.date.fromisoformat(entry.get("date", ""))
    except ValueError:
        day = (when or dt.datetime.now(dt.UTC)).date()
    author = entry.get("coder")
    c = w.project.coder(w.s, author) if author else None
    w.s.add(
        JournalEntry(
            guid=guid,
            text=text,
            entry_date=day,
            coder_id=c.id if c is not None else w.coder_of(user),
            created_at=when or dt.datetime.now(dt.UTC),
        )
    )
    w.journal_count += 1
