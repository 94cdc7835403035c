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
import json
import re
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from sqlalchemy import func, insert, select

from workbench.coding.study import new_study
from workbench.coding.transcripts import participant_for_label
from workbench.domain.study import DEFAULT_WAVES, InterviewRole, Role, StudyError
from workbench.domain.text import count_words, search_text_of
from workbench.exchange._transcripts.labels import accepted_labels, read_line_head
from workbench.exchange.qdpx import SIDECAR, derived_guid
from workbench.exchange.safe_archive import (
    MAX_XML,
    Member,
    guard_xml,
    inspect_zip,
    open_member,
    read_member,
)
from workbench.storage.models import (
    ROLES,
    Code,
    Coder,
    Coding,
    Dyad,
    DyadMember,
    Interview,
    InterviewParticipantRow,
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

MAX_TEXT = 256 * 1024**2
MAX_SIDECAR = 512 * 1024**2
_GUID = re.compile(
    r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$"
)
_PARAGRAPH = re.compile(r"[^\n]*\S[^\n]*(?:\n[^\n]*\S[^\n]*)*")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_COLOR = re.compile(r"^#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
MODES = ("codepoints-crlf2", "codepoints-crlf1", "utf16-crlf2", "utf16-crlf1")


@dataclass(frozen=True, slots=True)
class QdpxImport:
    project: str
    origin: str
    sources: int
    participants: int
    codes: int
    codings: int
    memos: int
    journal: int
    themes: int
    positions: str
    """How the file's positions were read (e.g. ``codepoints-crlf2``; per source when mixed)."""
    not_carried: tuple[str, ...]
    warnings: tuple[str, ...]
    inferred: tuple[str, ...] = ()
    coding_memos: int = 0
    """What was read from the text itself for want of our side file (speaker turns)."""


# --- staging -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Selection:
    guid: str
    name: str | None
    start: int
    end: int
    user: str | None
    created: dt.datetime | None
    codings: list[tuple[str, str, str | None, dt.datetime | None]]
    """(coding guid, code guid, user guid, date)"""
    notes: list[str]
    description: str | None = None
    """The selection's ``<Description>``: a memo on its coding (QualCoder reads and writes it)."""


@dataclass
class _Source:
    guid: str
    name: str
    raw: str
    variables: dict[str, str]
    selections: list[_Selection]
    notes: list[str]
    text: str = ""
    utterances: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    """For each utterance, its (start, end) in the normalised source text."""
    own: bool = False
    heads: list[str | None] = field(default_factory=list)
    """Without our side file: each utterance's speaker label, read from ``Label: text``."""
    times: list[int | None] = field(default_factory=list)


@dataclass
class _Staged:
    origin: str
    name: str
    users: dict[str, str] = field(default_factory=dict)
    codes: list[tuple[str, str | None, str, str | None, str | None]] = field(default_factory=list)
    """(guid, parent guid, name, colour, description), parents first"""
    code_notes: dict[str, list[str]] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    cases: list[tuple[str, str, dict[str, str], list[str]]] = field(default_factory=list)
    sources: list[_Source] = field(default_factory=list)
    notes: dict[str, tuple[str, str, str | None, dt.datetime | None]] = field(default_factory=dict)
    """guid -> (name, text, user guid, date)"""
    project_notes: list[str] = field(default_factory=list)
    sets: list[tuple[str, str, str | None, list[str], list[str]]] = field(default_factory=list)
    sidecar: dict = field(default_factory=dict)
    not_carried: list[str] = field(default_factory=list)
    inferred: list[str] = field(default_factory=list)
    uncodable: set[str] = field(default_factory=set)
    """GUIDs of codes marked ``isCodable="false"`` (categories)."""
    """What was read from the files themselves for want of our side file (speaker turns)."""
    warnings: list[str] = field(default_factory=list)
    modes: set[str] = field(default_factory=set)


def _local(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(element).localname if isinstance(tag, str) else ""


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element if _local(c) == name]


def _child(element: etree._Element, name: str) -> etree._Element | None:
    found = _children(element, name)
    return found[0] if found else None


def _text(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    value = "".join(element.itertext())
    return value if value.strip() else None


def _date(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


class _Guids:
    """GUIDs as this project stores them: lower case, no braces; other ids get a new one."""

    def __init__(self) -> None:
        self.mapped: dict[str, str] = {}
        self.taken: set[str] = set()
        self.remapped = 0

    def ref(self, value: str | None) -> str | None:
        if not value or not value.strip():
            return None
        match = _GUID.match(value.strip())
        if match:
            return sys.intern(match.group(1).lower())  # one string per GUID, however often named
        return self.mapped.get(value.strip())

    def define(self, value: str | None) -> str:
        """The GUID for an element's own id (new when missing, not a GUID, or taken)."""
        guid = self.ref(value)
        if guid is None or guid in self.taken:
            guid = str(uuid.uuid4())
            self.remapped += 1
            if value and value.strip():
                self.mapped.setdefault(value.strip(), guid)
        self.taken.add(guid)
        return guid


def _decode(data: bytes, what: str, warnings: list[str]) -> str:
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        warnings.append(f"{what} is not UTF-8: read as Windows-1252")
        return data.decode("cp1252", errors="replace")


def stage(path: Path) -> _Staged:
    """Read and check the whole archive into memory; nothing is written.

    ``project.qde`` is streamed (lxml ``iterparse``): each section of the project, and each
    source, is read when it ends and then dropped, so memory follows the staged content, not
    the XML tree.
    """
    members = inspect_zip(path)
    by_name = {m.name.casefold(): m for m in members}
    qde = [m for m in members if m.name.casefold().endswith(".qde")]
    if not qde:
        raise StudyError(f"{path.name} holds no project.qde: not a REFI-QDA project")
    if len(qde) > 1:
        raise StudyError(f"{path.name} holds several .qde files: not a REFI-QDA project")
    with open_member(path, qde[0], MAX_XML) as stream:
        guard_xml(stream, qde[0].name)
    staged = _Staged(origin="", name="")
    sidecar_member = by_name.get(SIDECAR.casefold())
    if sidecar_member is not None:
        try:
            staged.sidecar = json.loads(read_member(path, sidecar_member, MAX_SIDECAR))
            if staged.sidecar.get("format") != "dyad-workbench-qdpx":
                staged.sidecar = {}
        except (ValueError, UnicodeDecodeError):
            staged.warnings.append(f"{SIDECAR} is unreadable: read as any REFI-QDA project")
            staged.sidecar = {}
    guids = _Guids()

    def read_file(reference: str, what: str) -> str | None:
        ref = reference.strip()
        for scheme in ("internal://", "internal:///"):
            if ref.lower().startswith(scheme):
                ref = ref[len(scheme) :]
        if ref.lower().startswith(("relative://", "absolute://", "file:", "http")):
            staged.not_carried.append(f"{what}: its file is outside the archive ({reference})")
            return None
        ref = ref.lstrip("/")
        for candidate in (f"sources/{ref}", ref):
            member: Member | None = by_name.get(candidate.casefold())
            if member is not None:
                return _decode(read_member(path, member, MAX_TEXT), what, staged.warnings)
        staged.not_carried.append(f"{what}: its file {reference} is not in the archive")
        return None

    def on_users(users: etree._Element) -> None:
        for u in _children(users, "User"):
            on_user(u)

    def on_user(u: etree._Element) -> None:
        guid = guids.define(u.get("guid") or u.get("id"))
        name = (u.get("name") or u.get("id") or "").strip()[:200]
        staged.users[guid] = name or f"user {guid[:8]}"

    def walk(element: etree._Element, parent: str | None) -> None:
        for node in _children(element, "Code"):
            guid = guids.define(node.get("guid"))
            name = " ".join((node.get("name") or "").split())
            if not name:
                name = "(unnamed code)"
                staged.warnings.append("a code without a name was named '(unnamed code)'")
            color = node.get("color")
            if color and _COLOR.match(color.strip()):
                c = color.strip().lstrip("#")
                color = "#" + (c if len(c) == 6 else "".join(ch * 2 for ch in c))
            else:
                color = None
            description = _text(_child(node, "Description"))
            staged.codes.append((guid, parent, name, color, description))
            if (node.get("isCodable") or "true").strip().lower() == "false":
                staged.uncodable.add(guid)
            staged.code_notes[guid] = [r.get("targetGUID", "") for r in _children(node, "NoteRef")]
            walk(node, guid)

    def on_codebook(book: etree._Element) -> None:
        codes = _child(book, "Codes")
        if codes is not None:
            walk(codes, None)

    def on_variables(variables: etree._Element) -> None:
        for v in _children(variables, "Variable"):
            staged.variables[guids.define(v.get("guid"))] = (v.get("name") or "").strip()

    def values(element: etree._Element) -> dict[str, str]:
        found: dict[str, str] = {}
        for vv in _children(element, "VariableValue"):
            ref = _child(vv, "VariableRef")
            name = (
                staged.variables.get(guids.ref(ref.get("targetGUID")) or "")
                if ref is not None
                else None
            )
            value = next(
                (c.text for c in vv if _local(c).endswith("Value") and c.text is not None), None
            )
            if name and value is not None and value.strip():
                found[name] = value.strip()
        return found

    def on_cases(cases: etree._Element) -> None:
        for case in _children(cases, "Case"):
            guid = guids.define(case.get("guid"))
            refs = [r.get("targetGUID", "") for r in _children(case, "SourceRef")]
            staged.cases.append((guid, (case.get("name") or "").strip(), values(case), refs))

    skipped_kinds: dict[str, int] = {}

    def on_source(node: etree._Element) -> None:
        kind = _local(node)
        if kind != "TextSource":
            if kind:
                skipped_kinds[kind] = skipped_kinds.get(kind, 0) + 1
            return
        guid = guids.define(node.get("guid"))
        name = (node.get("name") or "").strip() or Path(
            (node.get("plainTextPath") or "source").replace("\\", "/")
        ).stem
        inline = _child(node, "PlainTextContent")
        raw: str | None
        if inline is not None and inline.text:
            raw = inline.text
        elif node.get("plainTextPath"):
            raw = read_file(node.get("plainTextPath", ""), f"source {name!r}")
            if raw is None:
                return
        else:
            raw = ""
            if node.get("richTextPath"):
                staged.not_carried.append(
                    f"source {name!r}: only a rich-text file, no plain text (open and re-export "
                    "it as text in the tool that wrote it)"
                )
                return
        source = _Source(guid, name, raw.lstrip("\ufeff"), values(node), [], [])
        if not source.raw.strip():
            staged.warnings.append(
                f"source {name!r} has no text: it arrives as an interview without a transcript"
            )
        source.notes = [r.get("targetGUID", "") for r in _children(node, "NoteRef")]
        if _children(node, "Coding"):
            staged.not_carried.append(
                f"source {name!r}: {len(_children(node, 'Coding'))} coding(s) of the whole "
                "source (not of a span)"
            )
        for sel in _children(node, "PlainTextSelection"):
            try:
                start, end = int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))
            except ValueError:
                staged.not_carried.append(f"source {name!r}: a selection without positions")
                continue
            sel_guid = guids.define(sel.get("guid"))
            codings = []
            for c in _children(sel, "Coding"):
                ref = _child(c, "CodeRef")
                code = guids.ref(ref.get("targetGUID")) if ref is not None else None
                if code is None:
                    staged.not_carried.append(f"source {name!r}: a coding without a code")
                    continue
                codings.append(
                    (
                        guids.define(c.get("guid")),
                        code,
                        c.get("creatingUser"),
                        _date(c.get("creationDateTime")),
                    )
                )
            source.selections.append(
                _Selection(
                    sel_guid,
                    sel.get("name"),
                    start,
                    end,
                    sel.get("creatingUser"),
                    _date(sel.get("creationDateTime")),
                    codings,
                    [r.get("targetGUID", "") for r in _children(sel, "NoteRef")],
                    _text(_child(sel, "Description")),
                )
            )
        _place(staged, source)
        staged.sources.append(source)

    def on_notes(notes: etree._Element) -> None:
        for note in _children(notes, "Note"):
            on_note(note)

    def on_note(note: etree._Element) -> None:
        guid = guids.define(note.get("guid"))
        name = (note.get("name") or "").strip()
        inline = _child(note, "PlainTextContent")
        text = inline.text if inline is not None and inline.text else None
        if text is None and note.get("plainTextPath"):
            text = read_file(note.get("plainTextPath", ""), f"note {name!r}")
        if text is None or not text.strip():
            staged.not_carried.append(f"note {name or guid!r}: no text")
            return
        staged.notes[guid] = (
            name,
            text.lstrip("\ufeff"),
            note.get("creatingUser"),
            _date(note.get("creationDateTime")),
        )

    def on_sets(sets: etree._Element) -> None:
        for node in _children(sets, "Set"):
            on_set(node)

    def on_set(node: etree._Element) -> None:
        guid = guids.define(node.get("guid"))
        members_ = [
            guids.ref(m.get("targetGUID") or m.get("guid")) or ""
            for m in _children(node, "MemberCode")
        ]
        notes_ = [guids.ref(m.get("targetGUID")) or "" for m in _children(node, "MemberNote")]
        name = " ".join((node.get("name") or "").split())
        if not members_:
            staged.not_carried.append(
                f"set {name!r}: groups sources or notes, not codes (only sets of codes "
                "become themes)"
            )
            return
        staged.sets.append(
            (guid, name or "(unnamed set)", _text(_child(node, "Description")), members_, notes_)
        )

    handlers = {
        "Users": on_users,
        "CodeBook": on_codebook,
        "Variables": on_variables,
        "Cases": on_cases,
        "Notes": on_notes,
        "Sets": on_sets,
    }
    depth = 0
    in_sources = False
    with open_member(path, qde[0], MAX_XML) as stream:
        events = etree.iterparse(
            stream,
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        try:
            for event, element in events:
                name = _local(element)
                if event == "start":
                    depth += 1
                    if depth == 1:
                        if name != "Project":
                            raise StudyError(
                                f"{path.name} is not a REFI-QDA project (its root is {name})"
                            )
                        staged.origin = element.get("origin") or ""
                        staged.name = (element.get("name") or "").strip()
                    elif depth == 2:
                        in_sources = name == "Sources"
                    continue
                depth -= 1
                if depth == 2 and in_sources:
                    on_source(element)
                elif depth == 1:
                    if name in handlers:
                        handlers[name](element)
                    elif name == "NoteRef":
                        staged.project_notes.append(element.get("targetGUID", ""))
                    elif name in ("Links", "Graphs") and len(element):
                        staged.not_carried.append(
                            f"{len(element)} {name[:-1].lower()}(s): not modelled here"
                        )
                if depth == 1 or (depth == 2 and in_sources):
                    # Done with this part of the tree: drop it and what came before it.
                    element.clear()
                    parent = element.getparent()
                    while parent is not None and element.getprevious() is not None:
                        del parent[0]
        except etree.XMLSyntaxError as exc:
            raise StudyError(f"{qde[0].name} is not readable XML ({exc})") from exc
    for kind, n in sorted(skipped_kinds.items()):
        staged.not_carried.append(f"{n} {kind}(s): only text sources are carried")
    if guids.remapped:
        staged.warnings.append(
            f"{guids.remapped} id(s) were not GUIDs (or repeated): given new ones"
        )

    # Normalise every reference through the id map (non-GUID ids were remapped).
    staged.code_notes = {k: [guids.ref(g) or "" for g in v] for k, v in staged.code_notes.items()}
    staged.project_notes = [guids.ref(g) or "" for g in staged.project_notes]
    staged.cases = [
        (guid, name, found, [guids.ref(g) or "" for g in refs])
        for guid, name, found, refs in staged.cases
    ]
    for source in staged.sources:
        source.notes = [guids.ref(g) or "" for g in source.notes]
        for sel in source.selections:
            sel.notes = [guids.ref(g) or "" for g in sel.notes]
            sel.user = guids.ref(sel.user)
            sel.codings = [(a, b, guids.ref(u), d) for a, b, u, d in sel.codings]
    staged.notes = {k: (n, t, guids.ref(u), d) for k, (n, t, u, d) in staged.notes.items()}
    return staged


# --- positions -----------------------------------------------------------------------------


def _default_mode(origin: str) -> str:
    folded = origin.casefold()
    if "nvivo" in folded:
        return "utf16-crlf2"
    if "atlas" in folded:
        return "codepoints-crlf1"
    return "codepoints-crlf2"


def _mapper(raw: str, mode: str) -> Callable[[int], int]:
    """Position as the file counts it -> code point in the text with line ends made LF."""
    crlf = [m.start() for m in re.finditer("\r\n", raw)]
    base = raw.replace("\r\n", "\n") if mode.endswith("crlf1") else raw
    astral_cp = [m.start() for m in _ASTRAL.finditer(base)]
    astral_u16 = [a + j for j, a in enumerate(astral_cp)]

    def from_units(u: int) -> int:
        return u - bisect.bisect_left(astral_u16, u) if astral_u16 else u

    def to_norm(p: int) -> int:
        return p - bisect.bisect_left(crlf, p) if crlf else p

    if mode == "codepoints-crlf1":
        return lambda p: p
    if mode == "codepoints-crlf2":
        return to_norm
    if mode == "utf16-crlf2":
        return lambda u: to_norm(from_units(u))
    return from_units


def _same(name: str, coded: str) -> bool:
    a, b = " ".join(name.split()), " ".join(coded.split())
    if not a:
        return False
    if a == b or (len(a) >= 3 and b.startswith(a)):
        return True  # the whole text, or its first characters (ATLAS.ti names a quotation so)
    for ellipsis in ("…", "..."):
        if a.endswith(ellipsis) and len(a) > 3 and b.startswith(a[: -len(ellipsis)].rstrip()):
            return True
    return False


def _place(staged: _Staged, source: _Source) -> None:
    """Choose how the source's positions count, build its utterances, map its selections."""
    raw = source.raw
    norm = raw.replace("\r\n", "\n").replace("\r", "\n")
    source.text = norm
    mode = _default_mode(staged.origin)
    tricky = "\r" in raw or _ASTRAL.search(raw) is not None
    named = [s for s in source.selections if s.name]
    if tricky and named:
        scores = {}
        for candidate in MODES:
            f = _mapper(raw, candidate)
            scores[candidate] = sum(
                1 for s in named if _same(s.name or "", norm[f(s.start) : f(s.end)])
            )
        best = max(MODES, key=lambda m: (scores[m], m == mode))
        if scores[best] > scores[mode]:
            staged.warnings.append(
                f"source {source.name!r}: positions read as {best} (the quoted text agrees), "
                f"not as {mode}"
            )
            mode = best
    staged.modes.add(mode)
    f = _mapper(raw, mode) if tricky else (lambda p: p)
    quotes = any(_same(s.name or "", norm[f(s.start) : f(s.end)]) for s in named)
    _utterances(
        staged, source, norm, sorted(f(s.start) for s in source.selections if s.end > s.start)
    )
    starts = [a for a, _ in source.spans]
    interview_starts, at = [], 0
    for a, b in source.spans:
        interview_starts.append(at)
        at += b - a + 1

    def place(p: int, side: str) -> int:
        i = bisect.bisect_right(starts, p) - 1
        if i >= 0 and p <= source.spans[i][1]:
            return interview_starts[i] + p - source.spans[i][0]
        if side == "start":
            return interview_starts[i + 1] if i + 1 < len(starts) else max(at - 1, 0)
        return interview_starts[i] + source.spans[i][1] - source.spans[i][0] if i >= 0 else 0

    kept = []
    mismatched = moved = 0
    for sel in source.selections:
        where = f"source {source.name!r}, selection {sel.name or sel.guid!r}"
        if sel.end <= sel.start:
            staged.not_carried.append(f"{where}: zero-length or reversed selection")
            continue
        a, b = f(sel.start), f(sel.end)
        if not 0 <= a < b <= len(norm):
            # Impossible positions: only here may the name place the span (if it occurs once).
            quoted = " ".join((sel.name or "").split())
            if len(quoted) < 3 or norm.count(quoted) != 1:
                staged.not_carried.append(
                    f"{where}: positions {sel.start}–{sel.end} outside the text"
                )
                continue
            a = norm.index(quoted)
            b = a + len(quoted)
            staged.warnings.append(
                f"{where}: positions {sel.start}–{sel.end} outside the text; placed on the "
                "words its name quotes"
            )
        elif sel.name and not _same(sel.name, norm[a:b]):
            found = _nearby(norm, sel.name, a)
            if found is not None:  # the name confirms a start: the span keeps its length
                before = norm[a:b]
                a, b = found[0], min(found[0] + b - a, len(norm))
                moved += 1
                staged.warnings.append(
                    f"{where}: moved from {_clip(before)!r} to {_clip(norm[a:b])!r}"
                )
            elif quotes:
                mismatched += 1
        sel.start, sel.end = place(a, "start"), place(b, "end")
        if sel.end <= sel.start:
            staged.not_carried.append(f"{where}: covers only blank lines")
            continue
        kept.append(sel)
    if mismatched:
        staged.warnings.append(
            f"source {source.name!r}: {mismatched} selection(s) do not hold the text their name "
            "quotes; carried at their positions"
        )
    for sel in kept:
        sel.name = None  # checked; the quotes are not needed any more
    source.raw = source.text = ""
    source.spans = []
    if moved:
        staged.warnings.append(
            f"source {source.name!r}: {moved} selection(s) moved to the text their name quotes, "
            "found a few characters away"
        )
    source.selections = kept


def _utterances(staged: _Staged, source: _Source, norm: str, coded: list[int]) -> None:
    """Split the source text into utterances: as our side file says when it fits the text
    (``Label: text`` turns, or one line each in older exports), else one per paragraph with a
    speaker label read from its start where the text has recurring labels. A label stays in
    the utterance's text when a selection (starting at ``coded``) begins within it."""
    own = staged.sidecar.get("interviews", {}).get(source.guid)
    lines = norm.split("\n") if norm else []
    details = own.get("utterances", []) if own is not None else []
    if own is not None and own.get("layout") == "turns":
        paragraphs = list(_PARAGRAPH.finditer(norm))
        heads = own.get("heads") or []
        if len(paragraphs) == len(details) == len(heads) and all(
            m.group().startswith(f"{h}: " if h else "") and "\n" not in m.group()
            for m, h in zip(paragraphs, heads, strict=True)
        ):
            source.own = True
            for m, h in zip(paragraphs, heads, strict=True):
                a = m.start() + (len(h) + 2 if h else 0)
                source.spans.append((a, m.end()))
                source.utterances.append(norm[a : m.end()])
            return
        staged.warnings.append(
            f"source {source.name!r}: the text no longer matches our side file "
            "(edited in another tool); turns and speakers read from the text"
        )
    elif own is not None and len(details) == len(lines):
        source.own = True
        source.utterances = lines
        at = 0
        for line in lines:
            source.spans.append((at, at + len(line)))
            at += len(line) + 1
        return
    paragraphs = list(_PARAGRAPH.finditer(norm))
    found = [read_line_head(m.group().split("\n", 1)[0].strip()) for m in paragraphs]
    accepted = accepted_labels(found)
    for m, head in zip(paragraphs, found, strict=True):
        a = m.start()
        if head.label in accepted:
            first = m.group().split("\n", 1)[0].rstrip()
            rest = a + len(first) - len(head.rest)
            i = bisect.bisect_left(coded, a)
            if not (i < len(coded) and coded[i] < rest):
                a = rest
            source.heads.append(head.label)
            source.times.append(head.start_ms)
        else:
            source.heads.append(None)
            source.times.append(None)
        source.spans.append((a, m.end()))
        source.utterances.append(norm[a : m.end()].replace("\n", " "))
    if accepted:
        labelled = sum(1 for h in source.heads if h)
        staged.inferred.append(
            f"source {source.name!r}: {labelled} speaker turn(s) read from labels "
            f"({', '.join(sorted(accepted))})"
        )


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else f"{text[:37]}..."


def _nearby(text: str, quote: str, at: int) -> tuple[int, int] | None:
    """Where the quoted text sits closest to ``at`` (a selection a few characters off)."""
    needle = quote.rstrip("…").rstrip(".") if quote.endswith(("…", "...")) else quote
    if not needle.strip():
        return None
    lo = max(0, at - 500)
    hits = [
        m.start() + lo for m in re.finditer(re.escape(needle), text[lo : at + 500 + len(needle)])
    ]
    if not hits:
        return None
    best = min(hits, key=lambda h: abs(h - at))
    return best, best + len(needle)


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
                codable=guid not in staged.uncodable,
                created_by_id=me.id,
            )
            siblings[parent] = siblings.get(parent, 0) + 1
            s.add(code)
            s.flush()
            codes[guid] = code

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
                title=own.get("title") or (source.name if source.name != key else None),
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
