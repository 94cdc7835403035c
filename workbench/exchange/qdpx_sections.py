"""The children of a .qdpx export's ``Project`` element, one function per XML section — Users,
CodeBook, Variables, Cases, Sources, Notes, Sets — each written to the open ``lxml.xmlfile`` as
soon as it is built (``_Out.flush``), each source on its own, so a big project is never held
whole in memory. ``_build`` runs them in the standard's order and returns the side file and the
counts; ``qdpx.export_qdpx`` owns the archive around them.
"""

from __future__ import annotations

import uuid
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.coding.codebook import Codebook
from workbench.exchange.qdc import _description
from workbench.exchange.qdpx_turns import turn_heads, turns_text
from workbench.exchange.qdpx_xml import (
    _CODING_COLUMNS,
    _UTTERANCE_COLUMNS,
    NS,
    SOURCE_VARIABLES,
    _attr_var,
    _clean,
    _e,
    _memo_name,
    _typed,
    _variable_value,
    _when,
    _write,
    derived_guid,
)
from workbench.storage.models import (
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
    RenderingSpan,
    Theme,
    ThemeCode,
    UtteranceLink,
    UtteranceRow,
    Wave,
)


@dataclass
class _Out:
    """One export's shared state: the session, the writers, what is kept, the lookups every
    section reads and the side file they fill."""

    s: Session
    xf: Any
    z: zipfile.ZipFile
    root: etree._Element
    people: list[Participant]
    withheld: set[int]
    kept: list[Interview]
    members: dict[int, list[InterviewParticipantRow]]
    coders: dict[int, Coder]
    wave_name: dict[int, str]
    dyads: dict[int, Dyad]
    key_of: dict[int, str]
    dyad_members: dict[int, list[int]]
    book: Codebook
    sidecar: dict
    by_target: dict[str, dict[int, list[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    project_notes: list[str] = field(default_factory=list)
    var_guid: dict[str, str] = field(default_factory=dict)
    var_kind: dict[str, str] = field(default_factory=dict)

    def flush(self) -> None:
        for child in list(self.root):
            self.xf.write(child, pretty_print=True)
            self.root.remove(child)

    def user(self, coder_id: int | None) -> str | None:
        return self.coders[coder_id].guid if coder_id in self.coders else None

    def note_refs(self, node: etree._Element, kind: str, ref: int) -> None:
        for guid in self.by_target[kind].get(ref, ()):
            _e(node, "NoteRef", targetGUID=guid)


def _build(
    s: Session,
    people: list[Participant],
    withheld: set[int],
    kept: list[Interview],
    members: dict[int, list[InterviewParticipantRow]],
    xf: Any,
    z: zipfile.ZipFile,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Write the Project's children to ``xf`` section by section (and each source on its own),
    the source texts into ``z``; return the sidecar and the counts."""
    info = s.scalar(select(ProjectRow))
    base = info.guid if info else str(uuid.uuid4())
    root = etree.Element(f"{{{NS}}}Project", nsmap={None: NS})  # holds one section at a time
    coders = {c.id: c for c in s.scalars(select(Coder).order_by(Coder.name))}
    waves = list(s.scalars(select(Wave).order_by(Wave.position)))
    dyads = {d.id: d for d in s.scalars(select(Dyad).order_by(Dyad.key))}
    key_of = {p.id: p.key for p in people}
    dyad_members: dict[int, list[int]] = defaultdict(list)
    for dm in s.scalars(select(DyadMember)):
        dyad_members[dm.dyad_id].append(dm.participant_id)
    sidecar: dict = {
        "format": "dyad-workbench-qdpx",
        "version": 1,
        "waves": [w.name for w in waves],
        "dyads": {
            d.key: sorted(key_of[p] for p in dyad_members[d.id] if p not in withheld)
            for d in dyads.values()
        },
        "participants": {},
        "interviews": {},
        "codes": {},
        "themes": {},
        "memos": {},
        "journal": {},
        "coding_memos": {},
        "coding_memo_sources": {},
    }
    o = _Out(
        s=s,
        xf=xf,
        z=z,
        root=root,
        people=people,
        withheld=withheld,
        kept=kept,
        members=members,
        coders=coders,
        wave_name={w.id: w.name for w in waves},
        dyads=dyads,
        key_of=key_of,
        dyad_members=dyad_members,
        book=Codebook(s),
        sidecar=sidecar,
    )
    _users(o)
    # Memos first: NoteRefs point at them from everywhere.
    kept_memos, memo_about = _memo_targets(o)
    _codebook(o)
    shown = [p for p in people if p.id not in withheld]
    _cases(o, shown, *_variables(o, shown, base))
    coding_count, coding_memos = _sources(o)
    note_count = _notes(o, kept_memos, memo_about, coding_memos)
    theme_count = _sets(o)
    for guid in o.project_notes:
        _e(root, "NoteRef", targetGUID=guid)
    o.flush()
    counts = {
        "sources": len(kept),
        "codes": len(o.book.codes),
        "codings": coding_count,
        "cases": len(shown),
        "notes": note_count,
        "sets": theme_count,
    }
    return sidecar, counts


def _users(o: _Out) -> None:
    if o.coders:
        users = _e(o.root, "Users")
        for cdr in o.coders.values():
            _e(users, "User", guid=cdr.guid, name=cdr.name)
        o.flush()


def _memo_targets(o: _Out) -> tuple[list[Memo], dict[str, str]]:
    """The memos kept (not about what is left out) and what each is about; fills
    ``o.by_target`` (for NoteRefs), the project's notes and the side file's memos."""
    s, withheld = o.s, o.withheld
    kept_ids = {iv.id for iv in o.kept}
    memos = list(s.scalars(select(Memo).order_by(Memo.created_at, Memo.id)))
    # The codings memos are about (the rest are read interview by interview, in _sources).
    about_codings = {m.coding_id for m in memos if m.coding_id is not None}
    noted: list[Any] = list(
        s.execute(
            select(Coding.id, Coding.guid, Coding.interview_id).where(
                Coding.id.in_(about_codings) if about_codings else Coding.id < 0
            )
        )
    )
    coding_ids = {c.id for c in noted if c.interview_id in kept_ids}
    guid_of_interview = {iv.id: iv.guid for iv in o.kept}
    guid_of_person = {p.id: p.guid for p in o.people}
    guid_of_coding = {c.id: c.guid for c in noted}
    guid_of_theme = {i: g for i, g in s.execute(select(Theme.id, Theme.guid))}
    refs = {
        "interview": guid_of_interview.__getitem__,
        "participant": guid_of_person.__getitem__,
        "dyad": lambda ref: o.dyads[ref].key,
        "wave": o.wave_name.__getitem__,
        "code": lambda ref: o.book.by_id[ref].guid,
        "coding": guid_of_coding.__getitem__,
        "theme": guid_of_theme.__getitem__,
    }
    kept_memos: list[Memo] = []
    memo_about: dict[str, str] = {}
    for memo in memos:
        if (
            (memo.participant_id and memo.participant_id in withheld)
            or (memo.interview_id and memo.interview_id not in kept_ids)
            or (memo.coding_id and memo.coding_id not in coding_ids)
        ):
            continue
        kept_memos.append(memo)
        about = "project"
        for column, kind in (
            ("interview_id", "interview"),
            ("participant_id", "participant"),
            ("dyad_id", "dyad"),
            ("wave_id", "wave"),
            ("code_id", "code"),
            ("coding_id", "coding"),
            ("theme_id", "theme"),
        ):
            ref = getattr(memo, column)
            if ref is not None:
                o.by_target[kind][ref].append(memo.guid)
                about = f"{kind}:{refs[kind](ref)}"
                break
        if about.partition(":")[0] in ("project", "participant", "dyad", "wave"):
            o.project_notes.append(memo.guid)
        o.sidecar["memos"][memo.guid] = {"about": about, "title": memo.title}
        memo_about[memo.guid] = about
    return kept_memos, memo_about


def _codebook(o: _Out) -> None:
    book = o.book
    categories = set(o.s.scalars(select(CodeCategory.code_id)))

    def add_code(parent: etree._Element, code: Code) -> None:
        node = _e(
            parent,
            "Code",
            guid=code.guid,
            name=_clean(code.name),
            isCodable="false" if code.id in categories else "true",
            color=code.color if code.color and len(code.color) == 7 else None,
        )
        description = _description(code)
        if description:
            _e(node, "Description").text = _clean(description)
        o.note_refs(node, "code", code.id)
        for child in book.siblings(code.id):
            add_code(node, child)
        o.sidecar["codes"][code.guid] = {
            "definition": code.definition,
            "inclusion": code.inclusion,
            "exclusion": code.exclusion,
        }

    if book.codes:
        codes_node = _e(_e(o.root, "CodeBook"), "Codes")
        for top in book.siblings(None):
            add_code(codes_node, top)
        o.flush()


def _variables(
    o: _Out, shown: list[Participant], base: str
) -> tuple[dict[int, list[ParticipantAttribute]], dict[int, list[ParticipantWaveAttribute]], bool]:
    """The Variables section; fills ``o.var_guid`` and ``o.var_kind``. Returns each
    participant's fixed and per-wave attributes and whether consent is a variable."""
    s, wave_name = o.s, o.wave_name
    fixed: dict[str, str] = {}
    per_wave: dict[tuple[str, str], str] = {}
    attrs = defaultdict(list)
    for a in s.scalars(select(ParticipantAttribute).order_by(ParticipantAttribute.name)):
        attrs[a.participant_id].append(a)
        kind, _ = _typed(a.value, a.value_type)
        fixed[_attr_var(a.name)] = kind if fixed.get(_attr_var(a.name), kind) == kind else "Text"
    wave_attrs = defaultdict(list)
    for w in s.scalars(select(ParticipantWaveAttribute).order_by(ParticipantWaveAttribute.name)):
        wave_attrs[w.participant_id].append(w)
        label = (w.name, wave_name[w.wave_id])
        kind, _ = _typed(w.value, w.value_type)
        per_wave[label] = kind if per_wave.get(label, kind) == kind else "Text"
    variables: list[tuple[str, str, str]] = [("role", "Text", "study role")]
    variables.append(("dyad", "Text", "the dyads this participant belongs to"))
    if include_consent := bool(o.withheld) is False and any(
        p.consent != "consented" for p in shown
    ):
        variables.append(("consent", "Text", "consent status"))
    variables += [(name, kind, "participant attribute") for name, kind in sorted(fixed.items())]
    variables += [
        (f"{name} [{wave}]", kind, f"'{name}' measured at wave '{wave}'")
        for (name, wave), kind in sorted(
            per_wave.items(), key=lambda i: (i[0][0], o.sidecar["waves"].index(i[0][1]))
        )
    ]
    variables += [
        (f"source {name}", kind, f"the interview's {name}") for name, kind in SOURCE_VARIABLES
    ]
    o.var_guid = {name: derived_guid(base, f"variable:{name}") for name, _, _ in variables}
    o.var_kind = {name: kind for name, kind, _ in variables}
    node = _e(o.root, "Variables")
    for name, kind, description in variables:
        v = _e(node, "Variable", guid=o.var_guid[name], name=_clean(name), typeOfVariable=kind)
        _e(v, "Description").text = description
    o.flush()
    return attrs, wave_attrs, include_consent


def _cases(
    o: _Out,
    shown: list[Participant],
    attrs: dict[int, list[ParticipantAttribute]],
    wave_attrs: dict[int, list[ParticipantWaveAttribute]],
    include_consent: bool,
) -> None:
    var_guid, var_kind, wave_name = o.var_guid, o.var_kind, o.wave_name
    dyads_of: dict[int, list[str]] = defaultdict(list)
    for dyad_id, pids in o.dyad_members.items():
        for pid in pids:
            dyads_of[pid].append(o.dyads[dyad_id].key)
    interviews_of: dict[int, list[Interview]] = defaultdict(list)
    for iv in o.kept:
        for ipr in o.members[iv.id]:
            interviews_of[ipr.participant_id].append(iv)
    if shown:
        cases = _e(o.root, "Cases")
        for p in shown:
            case = _e(cases, "Case", guid=p.guid, name=_clean(p.key))
            _variable_value(case, var_guid["role"], "Text", p.role)
            if dyads_of[p.id]:
                _variable_value(case, var_guid["dyad"], "Text", ", ".join(sorted(dyads_of[p.id])))
            if include_consent:
                _variable_value(case, var_guid["consent"], "Text", p.consent)
            for a in attrs[p.id]:
                kind, value = _typed(a.value, a.value_type)
                if var_kind[_attr_var(a.name)] != kind:
                    kind, value = "Text", a.value
                _variable_value(case, var_guid[_attr_var(a.name)], kind, value)
            for w in wave_attrs[p.id]:
                name = f"{w.name} [{wave_name[w.wave_id]}]"
                kind, value = _typed(w.value, w.value_type)
                if var_kind[name] != kind:
                    kind, value = "Text", w.value
                _variable_value(case, var_guid[name], kind, value)
            for iv in interviews_of[p.id]:
                _e(case, "SourceRef", targetGUID=iv.guid)
            o.sidecar["participants"][p.guid] = {
                "key": p.key,
                "role": p.role,
                "consent": p.consent,
                "study_role": p.study_role,
                "attributes": {a.name: a.value for a in attrs[p.id]},
                "wave_attributes": [
                    [wave_name[w.wave_id], w.name, w.value] for w in wave_attrs[p.id]
                ],
            }
        o.flush()


def _sources(o: _Out) -> tuple[int, list[Any]]:
    """Each source written as soon as it is built, its codings read interview by interview.
    Returns the number of codings and those with a memo (for the Notes)."""
    coding_count = 0
    coding_memos: list[Any] = []
    if o.kept:
        titles: dict[int, str] = {
            i: t for i, t in o.s.execute(select(InterviewTitle.interview_id, InterviewTitle.title))
        }
        role_of = {p.id: p.role for p in o.people}
        o.flush()
        sources_element = o.xf.element(f"{{{NS}}}Sources")
        sources_element.__enter__()
        for iv in o.kept:
            coding_count += _source(o, iv, titles, role_of, coding_memos)
            o.flush()
        sources_element.__exit__(None, None, None)
    return coding_count, coding_memos


def _source(
    o: _Out, iv: Interview, titles: dict[int, str], role_of: dict[int, str], coding_memos: list
) -> int:
    """One interview: its text into the archive, its TextSource (selections, variables) into
    ``o.root``, its side file entry. Returns its number of codings."""
    rows: list[Any] = list(
        o.s.execute(
            select(*_UTTERANCE_COLUMNS)
            .where(UtteranceRow.interview_id == iv.id)
            .order_by(UtteranceRow.position)
        )
    )
    heads = turn_heads(rows, o.members[iv.id], role_of, o.key_of)
    text, starts = turns_text(rows, heads)
    path = f"{iv.guid}.txt"
    _write(o.z, f"sources/{path}", text.encode("utf-8"))
    source = _e(
        o.root,
        "TextSource",
        guid=iv.guid,
        name=_clean(titles.get(iv.id) or iv.key),
        plainTextPath=f"internal://{path}",
        creationDateTime=_when(iv.created_at),
    )
    index = {r.id: i for i, r in enumerate(rows)}
    count = _selections(o, iv, source, text, starts, index, coding_memos)
    o.note_refs(source, "interview", iv.id)
    values: dict[str, str | None] = {
        "wave": o.wave_name.get(iv.wave_id) if iv.wave_id else None,
        "interview": iv.key,
        "dyad": o.dyads[iv.dyad_id].key if iv.dyad_id else None,
        "date": iv.date.isoformat() if iv.date else None,
        "language": iv.language,
        "session": str(iv.session_number) if iv.session_number is not None else None,
        "status": iv.status,
    }
    for name, kind in SOURCE_VARIABLES:
        given = values[name]
        if given is not None:
            _variable_value(source, o.var_guid[f"source {name}"], kind, given)
    entry = _interview_sidecar(o, iv, titles, values, heads, rows)
    entry.update(_renderings(o, iv.id, index))
    o.sidecar["interviews"][iv.guid] = entry
    return count


def _renderings(o: _Out, interview_id: int, index: dict[int, int]) -> dict[str, Any]:
    """The interview's rendering spans (``[utterance, start, end, participant]``, offsets in
    code points of the utterance's text) and original/rendering links (``[original,
    rendering]``), utterances by position: the standard has no place for either."""
    spans = sorted(
        [index[u], lo, hi, o.key_of[pid]]
        for u, lo, hi, pid in o.s.execute(
            select(
                RenderingSpan.utterance_id,
                RenderingSpan.start_offset,
                RenderingSpan.end_offset,
                RenderingSpan.participant_id,
            ).where(RenderingSpan.interview_id == interview_id)
        )
        if u in index and pid in o.key_of
    )
    links = sorted(
        [index[a], index[b]]
        for a, b in o.s.execute(
            select(UtteranceLink.original_id, UtteranceLink.rendering_id).where(
                UtteranceLink.interview_id == interview_id
            )
        )
        if a in index and b in index
    )
    found: dict[str, Any] = {}
    if spans:
        found["rendering_spans"] = spans
    if links:
        found["links"] = links
    return found


def _selections(
    o: _Out,
    iv: Interview,
    source: etree._Element,
    text: str,
    starts: list[int],
    index: dict[int, int],
    coding_memos: list,
) -> int:
    """The interview's codings as PlainTextSelections of ``source``; returns how many."""
    count = 0
    codings = o.s.execute(
        select(*_CODING_COLUMNS).where(Coding.interview_id == iv.id).order_by(Coding.id)
    )
    for cd in codings:
        start = starts[index[cd.start_utterance_id]] + cd.start_offset
        end = starts[index[cd.end_utterance_id]] + cd.end_offset
        selection = _e(
            source,
            "PlainTextSelection",
            guid=cd.guid,
            name=_clean(text[start:end]),
            startPosition=str(start),
            endPosition=str(end),
            creatingUser=o.user(cd.coder_id),
            creationDateTime=_when(cd.created_at),
        )
        if cd.memo:  # as a Description too: QualCoder reads only that
            _e(selection, "Description").text = _clean(cd.memo)
        coding = _e(
            selection,
            "Coding",
            guid=derived_guid(cd.guid, "coding"),
            creatingUser=o.user(cd.coder_id),
            creationDateTime=_when(cd.created_at),
        )
        _e(coding, "CodeRef", targetGUID=o.book.by_id[cd.code_id].guid)
        o.note_refs(selection, "coding", cd.id)
        if cd.memo:
            coding_memos.append(cd)
            note = derived_guid(cd.guid, "memo")
            _e(selection, "NoteRef", targetGUID=note)
            o.sidecar["coding_memos"][note] = cd.guid
            o.sidecar["coding_memo_sources"][note] = iv.guid
        count += 1
    return count


def _interview_sidecar(
    o: _Out,
    iv: Interview,
    titles: dict[int, str],
    values: dict[str, str | None],
    heads: list[str | None],
    rows: list[Any],
) -> dict[str, Any]:
    """What REFI cannot hold of an interview: its roles, status, utterance speakers and times."""
    key_of = o.key_of
    return {
        "key": iv.key,
        "title": titles.get(iv.id),
        "wave": values["wave"],
        "dyad": values["dyad"],
        "status": iv.status,
        "status_reason": iv.status_reason,
        "language": iv.language,
        "date": values["date"],
        "session": iv.session_number,
        "weeks_since_start": iv.weeks_since_start,
        "participants": sorted([key_of[m.participant_id], m.role] for m in o.members[iv.id]),
        "layout": "turns",
        "heads": heads,
        "utterances": [
            [
                key_of.get(r.speaker_id) if r.speaker_id else None,
                r.speaker_label,
                key_of.get(r.renders_id) if r.renders_id else None,
                r.start_ms,
                r.end_ms,
                r.language,
                [r.needs_review, r.untranscribed_speech, r.verified],
            ]
            for r in rows
        ],
    }


def _notes(
    o: _Out, kept_memos: list[Memo], memo_about: dict[str, str], coding_memos: list[Any]
) -> int:
    """Memos, coding memos, the journal; returns how many Notes."""
    journal = list(
        o.s.scalars(select(JournalEntry).order_by(JournalEntry.entry_date, JournalEntry.id))
    )
    if not (kept_memos or journal or coding_memos):
        return 0
    key_of_guid = {p.guid: p.key for p in o.people} | {iv.guid: iv.key for iv in o.kept}
    notes_node = _e(o.root, "Notes")
    for memo in kept_memos:
        note = _e(
            notes_node,
            "Note",
            guid=memo.guid,
            name=_clean(memo.title or _memo_name(memo_about[memo.guid], key_of_guid)),
            creatingUser=o.user(memo.coder_id),
            creationDateTime=_when(memo.created_at),
            modifiedDateTime=_when(memo.updated_at),
        )
        _e(note, "PlainTextContent").text = _clean(memo.text)
    for cd in coding_memos:
        note = _e(
            notes_node,
            "Note",
            guid=derived_guid(cd.guid, "memo"),
            name="Coding memo",
            creatingUser=o.user(cd.coder_id),
            creationDateTime=_when(cd.created_at),
        )
        _e(note, "PlainTextContent").text = _clean(cd.memo or "")
    for j in journal:
        note = _e(
            notes_node,
            "Note",
            guid=j.guid,
            name=f"Journal {j.entry_date.isoformat()}",
            creatingUser=o.user(j.coder_id),
            creationDateTime=_when(j.created_at),
        )
        _e(note, "Description").text = "reflexive journal"
        _e(note, "PlainTextContent").text = _clean(j.text)
        o.project_notes.append(j.guid)
        o.sidecar["journal"][j.guid] = {
            "date": j.entry_date.isoformat(),
            "coder": o.coders[j.coder_id].name if j.coder_id in o.coders else None,
        }
    return len(kept_memos) + len(coding_memos) + len(journal)


def _sets(o: _Out) -> int:
    """Themes as Sets of codes; returns how many."""
    book = o.book
    themes = list(o.s.scalars(select(Theme).order_by(Theme.position, Theme.id)))
    theme_guid = {t.id: t.guid for t in themes}
    if themes:
        sets = _e(o.root, "Sets")
        member_codes = defaultdict(list)
        for tc in o.s.scalars(select(ThemeCode)):
            member_codes[tc.theme_id].append(book.by_id[tc.code_id])
        for t in themes:
            node = _e(sets, "Set", guid=t.guid, name=_clean(t.name))
            if t.concept or t.definition:
                _e(node, "Description").text = _clean(t.concept or t.definition or "")
            for code in sorted(member_codes[t.id], key=lambda c: book.path(c)):
                _e(node, "MemberCode", targetGUID=code.guid)
            for guid in o.by_target["theme"].get(t.id, ()):
                _e(node, "MemberNote", targetGUID=guid)
            o.sidecar["themes"][t.guid] = {
                "parent": theme_guid.get(t.parent_id) if t.parent_id else None,
                "status": t.status,
                "concept": t.concept,
                "definition": t.definition,
            }
    return len(themes)
