"""Read a .qdpx archive into the staging model (``qdpx_staged``): nothing is written here."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from lxml import etree

from workbench.domain.study import StudyError
from workbench.exchange.qdpx import SIDECAR
from workbench.exchange.qdpx_positions import (
    _place,
)
from workbench.exchange.qdpx_staged import (
    _COLOR,
    MAX_SIDECAR,
    MAX_TEXT,
    _child,
    _children,
    _date,
    _decode,
    _Guids,
    _kinds,
    _local,
    _Selection,
    _Source,
    _Staged,
    _text,
)
from workbench.exchange.safe_archive import (
    MAX_XML,
    Member,
    guard_xml,
    inspect_zip,
    open_member,
    read_member,
)


def stage(path: Path) -> _Staged:
    """Read and check the whole archive into memory; nothing is written.

    ``project.qde`` is streamed (lxml ``iterparse``): each section of the project, and each
    source, is read when it ends and then dropped, so memory follows the staged content, not
    the XML tree. ``_Stager`` has one method per element kind.
    """
    members = inspect_zip(path)
    by_name = {m.name.casefold(): m for m in members}
    qde = [m for m in members if m.name.casefold().endswith(".qde")]
    if not qde:
        raise StudyError(f"{path.name} holds no project.qde: not a REFI-QDA project")
    if len(qde) > 1:
        raise StudyError(f"{path.name} holds several .qde files: not a REFI-QDA project")
    with open_member(path, qde[0], MAX_XML) as stream:
        guard_xml(stream, qde[0].name, prolog_only=True)  # parse() reads the rest
    stager = _Stager(path, by_name, _Staged(origin="", name=""))
    with zipfile.ZipFile(path) as stager.archive:
        stager.read_sidecar()
        stager.parse(qde[0])
    stager.finish()
    return stager.staged


class _Stager:
    """One archive being staged: the members by name, the staged model filled so far, and the
    id map (``_Guids``) every element's GUIDs go through."""

    def __init__(self, path: Path, by_name: dict[str, Member], staged: _Staged) -> None:
        self.path = path
        self.by_name = by_name
        self.staged = staged
        self.guids = _Guids()
        self.skipped_kinds: dict[str, int] = {}
        self.archive: zipfile.ZipFile | None = None
        """The archive, open while it is read (its members' files read without opening it
        again)."""

    def read_sidecar(self) -> None:
        staged = self.staged
        sidecar_member = self.by_name.get(SIDECAR.casefold())
        if sidecar_member is not None:
            try:
                staged.sidecar = json.loads(
                    read_member(self.path, sidecar_member, MAX_SIDECAR, self.archive)
                )
                if staged.sidecar.get("format") != "dyad-workbench-qdpx":
                    staged.sidecar = {}
            except (ValueError, UnicodeDecodeError):
                staged.warnings.append(f"{SIDECAR} is unreadable: read as any REFI-QDA project")
                staged.sidecar = {}

    def read_file(self, reference: str, what: str) -> str | None:
        staged = self.staged
        ref = reference.strip()
        for scheme in ("internal://", "internal:///"):
            if ref.lower().startswith(scheme):
                ref = ref[len(scheme) :]
        if ref.lower().startswith(("relative://", "absolute://", "file:", "http")):
            staged.not_carried.append(f"{what}: its file is outside the archive ({reference})")
            return None
        ref = ref.lstrip("/")
        for candidate in (f"sources/{ref}", ref):
            member: Member | None = self.by_name.get(candidate.casefold())
            if member is not None:
                return _decode(
                    read_member(self.path, member, MAX_TEXT, self.archive), what, staged.warnings
                )
        staged.not_carried.append(f"{what}: its file {reference} is not in the archive")
        return None

    def on_users(self, users: etree._Element) -> None:
        for u in _children(users, "User"):
            self.on_user(u)

    def on_user(self, u: etree._Element) -> None:
        guid = self.guids.define(u.get("guid") or u.get("id"))
        name = (u.get("name") or u.get("id") or "").strip()[:200]
        self.staged.users[guid] = name or f"user {guid[:8]}"

    def walk(self, element: etree._Element, parent: str | None) -> None:
        staged = self.staged
        for node in _children(element, "Code"):
            guid = self.guids.define(node.get("guid"))
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
            self.walk(node, guid)

    def on_codebook(self, book: etree._Element) -> None:
        codes = _child(book, "Codes")
        if codes is not None:
            self.walk(codes, None)

    def on_variables(self, variables: etree._Element) -> None:
        for v in _children(variables, "Variable"):
            self.staged.variables[self.guids.define(v.get("guid"))] = (v.get("name") or "").strip()

    def values(
        self, element: etree._Element, kinds: dict[str, list[etree._Element]] | None = None
    ) -> dict[str, str]:
        found: dict[str, str] = {}
        for vv in (kinds or _kinds(element)).get("VariableValue", []):
            ref = _child(vv, "VariableRef")
            name = (
                self.staged.variables.get(self.guids.ref(ref.get("targetGUID")) or "")
                if ref is not None
                else None
            )
            value = next(
                (c.text for c in vv if _local(c).endswith("Value") and c.text is not None), None
            )
            if name and value is not None and value.strip():
                found[name] = value.strip()
        return found

    def on_cases(self, cases: etree._Element) -> None:
        for case in _children(cases, "Case"):
            guid = self.guids.define(case.get("guid"))
            refs = [r.get("targetGUID", "") for r in _children(case, "SourceRef")]
            self.staged.cases.append(
                (guid, (case.get("name") or "").strip(), self.values(case), refs)
            )

    def on_source(self, node: etree._Element) -> None:
        staged = self.staged
        kind = _local(node)
        if kind != "TextSource":
            if kind:
                self.skipped_kinds[kind] = self.skipped_kinds.get(kind, 0) + 1
            return
        guid = self.guids.define(node.get("guid"))
        name = (node.get("name") or "").strip() or Path(
            (node.get("plainTextPath") or "source").replace("\\", "/")
        ).stem
        kinds = _kinds(node)
        raw = self.source_text(node, name, kinds)
        if raw is None:
            return
        source = _Source(guid, name, raw.lstrip("\ufeff"), self.values(node, kinds), [], [])
        if not source.raw.strip():
            staged.warnings.append(
                f"source {name!r} has no text: it arrives as an interview without a transcript"
            )
        source.notes = [r.get("targetGUID", "") for r in kinds.get("NoteRef", [])]
        if kinds.get("Coding"):
            staged.not_carried.append(
                f"source {name!r}: {len(kinds['Coding'])} coding(s) of the whole "
                "source (not of a span)"
            )
        for sel in kinds.get("PlainTextSelection", []):
            selection = self.on_selection(sel, name)
            if selection is not None:
                source.selections.append(selection)
        _place(staged, source)
        staged.sources.append(source)

    def source_text(
        self, node: etree._Element, name: str, kinds: dict[str, list[etree._Element]]
    ) -> str | None:
        """A TextSource's text, inline or from its file; None when it is not carried."""
        inline = kinds.get("PlainTextContent", [None])[0]
        if inline is not None and inline.text:
            return inline.text
        if node.get("plainTextPath"):
            return self.read_file(node.get("plainTextPath", ""), f"source {name!r}")
        if node.get("richTextPath"):
            self.staged.not_carried.append(
                f"source {name!r}: only a rich-text file, no plain text (open and re-export "
                "it as text in the tool that wrote it)"
            )
            return None
        return ""

    def on_selection(self, sel: etree._Element, name: str) -> _Selection | None:
        staged, guids = self.staged, self.guids
        try:
            start, end = int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))
        except ValueError:
            staged.not_carried.append(f"source {name!r}: a selection without positions")
            return None
        sel_guid = guids.define(sel.get("guid"))
        kinds = _kinds(sel)
        codings = []
        for c in kinds.get("Coding", []):
            ref = next((r for r in c if _local(r) == "CodeRef"), None)  # _child, inline
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
        return _Selection(
            sel_guid,
            sel.get("name"),
            start,
            end,
            sel.get("creatingUser"),
            _date(sel.get("creationDateTime")),
            codings,
            [r.get("targetGUID", "") for r in kinds.get("NoteRef", [])],
            _text(kinds.get("Description", [None])[0]),
        )

    def on_notes(self, notes: etree._Element) -> None:
        for note in _children(notes, "Note"):
            self.on_note(note)

    def on_note(self, note: etree._Element) -> None:
        staged = self.staged
        guid = self.guids.define(note.get("guid"))
        name = (note.get("name") or "").strip()
        inline = _child(note, "PlainTextContent")
        text = inline.text if inline is not None and inline.text else None
        if text is None and note.get("plainTextPath"):
            text = self.read_file(note.get("plainTextPath", ""), f"note {name!r}")
        if text is None or not text.strip():
            staged.not_carried.append(f"note {name or guid!r}: no text")
            return
        staged.notes[guid] = (
            name,
            text.lstrip("\ufeff"),
            note.get("creatingUser"),
            _date(note.get("creationDateTime")),
        )

    def on_sets(self, sets: etree._Element) -> None:
        for node in _children(sets, "Set"):
            self.on_set(node)

    def on_set(self, node: etree._Element) -> None:
        guids = self.guids
        guid = guids.define(node.get("guid"))
        members_ = [
            guids.ref(m.get("targetGUID") or m.get("guid")) or ""
            for m in _children(node, "MemberCode")
        ]
        notes_ = [guids.ref(m.get("targetGUID")) or "" for m in _children(node, "MemberNote")]
        name = " ".join((node.get("name") or "").split())
        if not members_:
            self.staged.not_carried.append(
                f"set {name!r}: groups sources or notes, not codes (only sets of codes "
                "become themes)"
            )
            return
        self.staged.sets.append(
            (guid, name or "(unnamed set)", _text(_child(node, "Description")), members_, notes_)
        )

    def parse(self, qde: Member) -> None:
        """Stream ``project.qde``: each top-level section, and each source, handed to its
        method when it ends, then dropped."""
        path, staged = self.path, self.staged
        handlers = {
            "Users": self.on_users,
            "CodeBook": self.on_codebook,
            "Variables": self.on_variables,
            "Cases": self.on_cases,
            "Notes": self.on_notes,
            "Sets": self.on_sets,
        }
        depth = 0
        in_sources = False
        with open_member(path, qde, MAX_XML) as stream:
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
                            if element.getroottree().docinfo.doctype or (
                                element.getroottree().docinfo.internalDTD is not None
                            ):  # the guard refused any already: never trust one parser alone
                                raise StudyError(
                                    f"{qde.name} declares a DTD or entities: refused as unsafe"
                                )
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
                        self.on_source(element)
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
                raise StudyError(f"{qde.name} is not readable XML ({exc})") from exc

    def finish(self) -> None:
        """Report what was skipped; normalise every reference through the id map (non-GUID
        ids were remapped)."""
        staged, guids = self.staged, self.guids
        for kind, n in sorted(self.skipped_kinds.items()):
            staged.not_carried.append(f"{n} {kind}(s): only text sources are carried")
        if guids.remapped:
            staged.warnings.append(
                f"{guids.remapped} id(s) were not GUIDs (or repeated): given new ones"
            )
        staged.code_notes = {
            k: [guids.ref(g) or "" for g in v] for k, v in staged.code_notes.items()
        }
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
