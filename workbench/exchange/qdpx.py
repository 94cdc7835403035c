"""REFI-QDA projects (.qdpx) out: a zip of ``project.qde`` (valid against Project-mrt2019.xsd) and
one UTF-8, LF, BOM-less text file per interview under ``sources/``.

What maps to what (docs/refi-qda.md has the whole table):
- an interview is a TextSource whose text is the interview text (utterances joined by one LF),
  so a coding's positions are the same numbers ``workbench text`` and ``coding add`` use;
- a coding is a PlainTextSelection (its ``name`` holds the coded text, which lets an importer
  check the positions) with one Coding of its code, coder and date;
- codes keep hierarchy, colour and description; themes are Sets of codes;
- participants are Cases with variables (role, dyad, fixed and per-wave attributes) and refer to
  the interviews they take part in; an interview's wave, dyad, date, language, session and
  status are variables of its source;
- memos and the journal are Notes, referred to from what they are about.
What the standard has no place for (utterance speakers and times, interview roles, consent,
wave order, theme hierarchy and status, memo targets without a REFI element) travels in
``dyad-workbench.json`` beside ``project.qde``; other tools ignore it, this one reads it back.

Every GUID is the one stored with the object (or derived from stored GUIDs with UUID-5), so two
exports of the same project carry the same GUIDs; the archive's timestamps are fixed, so two
exports of an unchanged project are the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import uuid
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.coding.codebook import Codebook
from workbench.exchange.qdc import _description
from workbench.exchange.qdpx_turns import turn_heads, turns_text
from workbench.storage.models import (
    CODING_ANCHORS,
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
from workbench.storage.project import Project

NS = "urn:QDA-XML:project:1.0"
SIDECAR = "dyad-workbench.json"
ZIP_TIME = (2020, 1, 1, 0, 0, 0)
_CODING_COLUMNS = (
    Coding.id,
    Coding.guid,
    Coding.interview_id,
    Coding.code_id,
    *CODING_ANCHORS,
    Coding.coder_id,
    Coding.created_at,
    Coding.memo,
)
_UTTERANCE_COLUMNS = (
    UtteranceRow.id,
    UtteranceRow.text,
    UtteranceRow.speaker_id,
    UtteranceRow.speaker_label,
    UtteranceRow.renders_id,
    UtteranceRow.start_ms,
    UtteranceRow.end_ms,
    UtteranceRow.language,
    UtteranceRow.needs_review,
    UtteranceRow.untranscribed_speech,
    UtteranceRow.verified,
)
SOURCE_VARIABLES = (
    ("wave", "Text"),
    ("interview", "Text"),
    ("dyad", "Text"),
    ("date", "Date"),
    ("language", "Text"),
    ("session", "Integer"),
    ("status", "Text"),
)


@dataclass(frozen=True, slots=True)
class QdpxExport:
    path: str
    sources: int
    codes: int
    codings: int
    cases: int
    notes: int
    sets: int
    notes_on_content: tuple[str, ...]
    """What was left out and why (consent), stated so the reader of the export knows."""


def derived_guid(base: str, what: str) -> str:
    """A GUID derived from a stored one: the same every export, different per purpose."""
    return str(uuid.uuid5(uuid.UUID(base), what))


def _e(parent: etree._Element, tag: str, **attrs: str | None) -> etree._Element:
    node = etree.SubElement(parent, f"{{{NS}}}{tag}")
    for key, value in attrs.items():
        if value is not None:
            node.set(key, value)
    return node


def _when(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    """Characters XML 1.0 cannot hold (control characters) become U+FFFD; lengths stay."""
    return _NOT_XML.sub("\ufffd", text)


def _attr_var(name: str) -> str:
    """The variable of a fixed attribute, kept apart from the variables this export defines."""
    reserved = name in ("role", "dyad", "consent") or name.startswith("source ")
    return f"{name} (attribute)" if reserved else name


def _memo_name(about: str, names: dict[str, str]) -> str:
    kind, _, ref = about.partition(":")
    return f"Memo on {kind} {names.get(ref, ref)}".strip() if ref else "Memo on the project"


def _variable_value(parent: etree._Element, guid: str, kind: str, value: str) -> None:
    node = _e(parent, "VariableValue")
    _e(node, "VariableRef", targetGUID=guid)
    _e(node, f"{kind}Value").text = _clean(value)


def _typed(value: str, value_type: str) -> tuple[str, str]:
    """(REFI type, lexical value) of a stored attribute."""
    if value_type == "number":
        try:
            int(value)
        except ValueError:
            try:
                float(value)
            except ValueError:
                return "Text", value
            if value.strip().lower() not in ("nan", "inf", "-inf", "infinity", "-infinity"):
                return "Float", value.strip()
            return "Text", value
        return "Integer", value.strip()
    return "Text", value


def export_qdpx(
    project: Project,
    out: Path,
    *,
    include_unconsented: bool = False,
) -> QdpxExport:
    """Write the project as a .qdpx archive. Participants without consent (and the interviews
    they take part in) are left out unless ``include_unconsented``; the export says so."""
    from workbench import __version__

    notes: list[str] = []
    with project.session(write=False) as s:
        people = list(s.scalars(select(Participant).order_by(Participant.key)))
        withheld = {p.id for p in people if p.consent != "consented"}
        if include_unconsented:
            if withheld:
                notes.append(
                    f"includes {len(withheld)} participant(s) without consent, as asked "
                    "(--include-unconsented)"
                )
            withheld = set()
        interviews = list(s.scalars(select(Interview).order_by(Interview.key)))
        members = defaultdict(list)
        for row in s.scalars(select(InterviewParticipantRow)):
            members[row.interview_id].append(row)
        kept = [
            iv for iv in interviews if not {m.participant_id for m in members[iv.id]} & withheld
        ]
        if withheld:
            notes.append(
                f"left out {len(withheld)} participant(s) without consent and "
                f"{len(interviews) - len(kept)} interview(s) they take part in"
            )
        info = s.scalar(select(ProjectRow))
        attributes = {"name": info.title if info else "project"}
        attributes["origin"] = f"Dyad Workbench {__version__}"
        if info is not None:
            attributes["creationDateTime"] = _when(info.created_at) or ""
        # project.qde is written as it is built (lxml xmlfile) into a file beside the output,
        # the source texts straight into the archive; then project.qde joins them.
        tmp = out.with_name(f".{out.name}.part")
        qde = out.with_name(f".{out.name}.qde.part")
        try:
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
                with qde.open("wb") as fh, etree.xmlfile(fh, encoding="utf-8") as xf:
                    xf.write_declaration()
                    with xf.element(f"{{{NS}}}Project", attributes, nsmap={None: NS}):
                        sidecar, counts = _build(s, people, withheld, kept, members, xf, z)
                info_ = zipfile.ZipInfo("project.qde", date_time=ZIP_TIME)
                info_.compress_type = zipfile.ZIP_DEFLATED
                info_.external_attr = 0o644 << 16
                with qde.open("rb") as src, z.open(info_, "w", force_zip64=True) as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
                if notes:
                    sidecar["notes"] = notes
                _write(
                    z,
                    SIDECAR,
                    json.dumps(sidecar, ensure_ascii=False, indent=1, sort_keys=True).encode(),
                )
            tmp.replace(out)
        finally:
            tmp.unlink(missing_ok=True)
            qde.unlink(missing_ok=True)
    counts["notes_on_content"] = tuple(notes)
    with project.session() as s:
        project.audit(
            s,
            "export",
            None,
            path=out.name,
            format="qdpx",
            interviews=counts["sources"],
            include_unconsented=include_unconsented,
        )
    return QdpxExport(path=str(out), **counts)


def _write(z: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    z.writestr(info, data)


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

    def flush() -> None:
        for child in list(root):
            xf.write(child, pretty_print=True)
            root.remove(child)

    coders = {c.id: c for c in s.scalars(select(Coder).order_by(Coder.name))}
    waves = list(s.scalars(select(Wave).order_by(Wave.position)))
    wave_name = {w.id: w.name for w in waves}
    dyads = {d.id: d for d in s.scalars(select(Dyad).order_by(Dyad.key))}
    key_of = {p.id: p.key for p in people}
    categories = set(s.scalars(select(CodeCategory.code_id)))
    titles: dict[int, str] = {
        i: t for i, t in s.execute(select(InterviewTitle.interview_id, InterviewTitle.title))
    }
    role_of = {p.id: p.role for p in people}
    dyad_members: dict[int, list[int]] = defaultdict(list)
    for dm in s.scalars(select(DyadMember)):
        dyad_members[dm.dyad_id].append(dm.participant_id)
    kept_ids = {iv.id for iv in kept}
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

    key_of_guid = {p.guid: p.key for p in people} | {iv.guid: iv.key for iv in kept}
    # Users
    if coders:
        users = _e(root, "Users")
        for cdr in coders.values():
            _e(users, "User", guid=cdr.guid, name=cdr.name)
        flush()

    def user(coder_id: int | None) -> str | None:
        return coders[coder_id].guid if coder_id in coders else None

    # Memos first: NoteRefs point at them from everywhere.
    memos = list(s.scalars(select(Memo).order_by(Memo.created_at, Memo.id)))
    # The codings memos are about (the rest are read interview by interview, below).
    about_codings = {m.coding_id for m in memos if m.coding_id is not None}
    noted: list[Any] = list(
        s.execute(
            select(Coding.id, Coding.guid, Coding.interview_id).where(
                Coding.id.in_(about_codings) if about_codings else Coding.id < 0
            )
        )
    )
    coding_ids = {c.id for c in noted if c.interview_id in kept_ids}
    book = Codebook(s)
    guid_of_interview = {iv.id: iv.guid for iv in kept}
    guid_of_person = {p.id: p.guid for p in people}
    guid_of_coding = {c.id: c.guid for c in noted}
    guid_of_theme = {i: g for i, g in s.execute(select(Theme.id, Theme.guid))}
    refs = {
        "interview": guid_of_interview.__getitem__,
        "participant": guid_of_person.__getitem__,
        "dyad": lambda ref: dyads[ref].key,
        "wave": wave_name.__getitem__,
        "code": lambda ref: book.by_id[ref].guid,
        "coding": guid_of_coding.__getitem__,
        "theme": guid_of_theme.__getitem__,
    }
    by_target: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    project_notes: list[str] = []
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
                by_target[kind][ref].append(memo.guid)
                about = f"{kind}:{refs[kind](ref)}"
                break
        if about.partition(":")[0] in ("project", "participant", "dyad", "wave"):
            project_notes.append(memo.guid)
        sidecar["memos"][memo.guid] = {"about": about, "title": memo.title}
        memo_about[memo.guid] = about

    def note_refs(node: etree._Element, kind: str, ref: int) -> None:
        for guid in by_target[kind].get(ref, ()):
            _e(node, "NoteRef", targetGUID=guid)

    # CodeBook
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
        note_refs(node, "code", code.id)
        for child in book.siblings(code.id):
            add_code(node, child)
        sidecar["codes"][code.guid] = {
            "definition": code.definition,
            "inclusion": code.inclusion,
            "exclusion": code.exclusion,
        }

    if book.codes:
        codes_node = _e(_e(root, "CodeBook"), "Codes")
        for top in book.siblings(None):
            add_code(codes_node, top)
        flush()

    # Variables
    shown = [p for p in people if p.id not in withheld]
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
    if include_consent := bool(withheld) is False and any(p.consent != "consented" for p in shown):
        variables.append(("consent", "Text", "consent status"))
    variables += [(name, kind, "participant attribute") for name, kind in sorted(fixed.items())]
    variables += [
        (f"{name} [{wave}]", kind, f"'{name}' measured at wave '{wave}'")
        for (name, wave), kind in sorted(
            per_wave.items(), key=lambda i: (i[0][0], sidecar["waves"].index(i[0][1]))
        )
    ]
    variables += [
        (f"source {name}", kind, f"the interview's {name}") for name, kind in SOURCE_VARIABLES
    ]
    var_guid = {name: derived_guid(base, f"variable:{name}") for name, _, _ in variables}
    var_kind = {name: kind for name, kind, _ in variables}
    node = _e(root, "Variables")
    for name, kind, description in variables:
        v = _e(node, "Variable", guid=var_guid[name], name=_clean(name), typeOfVariable=kind)
        _e(v, "Description").text = description
    flush()

    # Cases
    dyads_of: dict[int, list[str]] = defaultdict(list)
    for dyad_id, pids in dyad_members.items():
        for pid in pids:
            dyads_of[pid].append(dyads[dyad_id].key)
    interviews_of: dict[int, list[Interview]] = defaultdict(list)
    for iv in kept:
        for ipr in members[iv.id]:
            interviews_of[ipr.participant_id].append(iv)
    if shown:
        cases = _e(root, "Cases")
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
            sidecar["participants"][p.guid] = {
                "key": p.key,
                "role": p.role,
                "consent": p.consent,
                "attributes": {a.name: a.value for a in attrs[p.id]},
                "wave_attributes": [
                    [wave_name[w.wave_id], w.name, w.value] for w in wave_attrs[p.id]
                ],
            }
        flush()

    # Sources: each written as soon as it is built, its codings read interview by interview.
    coding_count = 0
    coding_memos: list[Any] = []
    if kept:
        flush()
        sources_element = xf.element(f"{{{NS}}}Sources")
        sources_element.__enter__()
        for iv in kept:
            rows: list[Any] = list(
                s.execute(
                    select(*_UTTERANCE_COLUMNS)
                    .where(UtteranceRow.interview_id == iv.id)
                    .order_by(UtteranceRow.position)
                )
            )
            heads = turn_heads(rows, members[iv.id], role_of, key_of)
            text, starts = turns_text(rows, heads)
            index = {r.id: i for i, r in enumerate(rows)}
            path = f"{iv.guid}.txt"
            _write(z, f"sources/{path}", text.encode("utf-8"))
            source = _e(
                root,
                "TextSource",
                guid=iv.guid,
                name=_clean(titles.get(iv.id) or iv.key),
                plainTextPath=f"internal://{path}",
                creationDateTime=_when(iv.created_at),
            )
            codings = s.execute(
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
                    creatingUser=user(cd.coder_id),
                    creationDateTime=_when(cd.created_at),
                )
                if cd.memo:  # as a Description too: QualCoder reads only that
                    _e(selection, "Description").text = _clean(cd.memo)
                coding = _e(
                    selection,
                    "Coding",
                    guid=derived_guid(cd.guid, "coding"),
                    creatingUser=user(cd.coder_id),
                    creationDateTime=_when(cd.created_at),
                )
                _e(coding, "CodeRef", targetGUID=book.by_id[cd.code_id].guid)
                note_refs(selection, "coding", cd.id)
                if cd.memo:
                    coding_memos.append(cd)
                    note = derived_guid(cd.guid, "memo")
                    _e(selection, "NoteRef", targetGUID=note)
                    sidecar["coding_memos"][note] = cd.guid
                    sidecar["coding_memo_sources"][note] = iv.guid
                coding_count += 1
            note_refs(source, "interview", iv.id)
            values: dict[str, str | None] = {
                "wave": wave_name.get(iv.wave_id) if iv.wave_id else None,
                "interview": iv.key,
                "dyad": dyads[iv.dyad_id].key if iv.dyad_id else None,
                "date": iv.date.isoformat() if iv.date else None,
                "language": iv.language,
                "session": str(iv.session_number) if iv.session_number is not None else None,
                "status": iv.status,
            }
            for name, kind in SOURCE_VARIABLES:
                given = values[name]
                if given is not None:
                    _variable_value(source, var_guid[f"source {name}"], kind, given)
            sidecar["interviews"][iv.guid] = {
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
                "participants": sorted([key_of[m.participant_id], m.role] for m in members[iv.id]),
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
            flush()
        sources_element.__exit__(None, None, None)

    # Notes: memos, coding memos, the journal
    journal = list(
        s.scalars(select(JournalEntry).order_by(JournalEntry.entry_date, JournalEntry.id))
    )
    note_count = 0
    if kept_memos or journal or coding_memos:
        notes_node = _e(root, "Notes")
        for memo in kept_memos:
            note = _e(
                notes_node,
                "Note",
                guid=memo.guid,
                name=_clean(memo.title or _memo_name(memo_about[memo.guid], key_of_guid)),
                creatingUser=user(memo.coder_id),
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
                creatingUser=user(cd.coder_id),
                creationDateTime=_when(cd.created_at),
            )
            _e(note, "PlainTextContent").text = _clean(cd.memo or "")
        for j in journal:
            note = _e(
                notes_node,
                "Note",
                guid=j.guid,
                name=f"Journal {j.entry_date.isoformat()}",
                creatingUser=user(j.coder_id),
                creationDateTime=_when(j.created_at),
            )
            _e(note, "Description").text = "reflexive journal"
            _e(note, "PlainTextContent").text = _clean(j.text)
            project_notes.append(j.guid)
            sidecar["journal"][j.guid] = {
                "date": j.entry_date.isoformat(),
                "coder": coders[j.coder_id].name if j.coder_id in coders else None,
            }
        note_count = len(kept_memos) + len(coding_memos) + len(journal)

    # Sets: themes
    themes = list(s.scalars(select(Theme).order_by(Theme.position, Theme.id)))
    theme_guid = {t.id: t.guid for t in themes}
    if themes:
        sets = _e(root, "Sets")
        member_codes = defaultdict(list)
        for tc in s.scalars(select(ThemeCode)):
            member_codes[tc.theme_id].append(book.by_id[tc.code_id])
        for t in themes:
            node = _e(sets, "Set", guid=t.guid, name=_clean(t.name))
            if t.concept or t.definition:
                _e(node, "Description").text = _clean(t.concept or t.definition or "")
            for code in sorted(member_codes[t.id], key=lambda c: book.path(c)):
                _e(node, "MemberCode", targetGUID=code.guid)
            for guid in by_target["theme"].get(t.id, ()):
                _e(node, "MemberNote", targetGUID=guid)
            sidecar["themes"][t.guid] = {
                "parent": theme_guid.get(t.parent_id) if t.parent_id else None,
                "status": t.status,
                "concept": t.concept,
                "definition": t.definition,
            }
    for guid in project_notes:
        _e(root, "NoteRef", targetGUID=guid)
    flush()
    counts = {
        "sources": len(kept),
        "codes": len(book.codes),
        "codings": coding_count,
        "cases": len(shown),
        "notes": note_count,
        "sets": len(themes),
    }
    return sidecar, counts
