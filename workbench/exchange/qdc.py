"""REFI-QDA codebooks (.qdc): export valid against the codebook schema, import tolerant of the
tools that write them.

Codes keep their stored GUIDs, so two exports of the same project agree; themes travel as Sets of
codes. Import is all or nothing (one undoable step) and parses with entities and the network off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.coding.codebook import Codebook
from workbench.coding.undo import run_command
from workbench.domain.study import StudyError
from workbench.exchange.safe_archive import parse_xml
from workbench.storage.models import Code, Theme, ThemeCode
from workbench.storage.project import Project

NS = "urn:QDA-XML:codebook:1.0"
MAX_BYTES = 20 * 1024 * 1024
_GUID = re.compile(
    r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$"
)


def _description(code: Code) -> str | None:
    parts = [code.definition or ""]
    if code.inclusion:
        parts.append(f"Include: {code.inclusion}")
    if code.exclusion:
        parts.append(f"Exclude: {code.exclusion}")
    text = "\n".join(p for p in parts if p)
    return text or None


def export_qdc(project: Project, out: Path) -> int:
    """Write the codebook and themes; returns the number of codes."""
    from workbench import __version__

    with project.session(write=False) as s:
        book = Codebook(s)
        root = etree.Element(f"{{{NS}}}CodeBook", nsmap={None: NS})
        root.set("origin", f"Dyad Workbench {__version__}")
        codes = etree.SubElement(root, f"{{{NS}}}Codes")

        def add(parent: etree._Element, code: Code) -> None:
            node = etree.SubElement(parent, f"{{{NS}}}Code")
            node.set("guid", code.guid)
            node.set("name", code.name)
            node.set("isCodable", "true")
            if code.color:
                node.set("color", code.color)
            description = _description(code)
            if description:
                etree.SubElement(node, f"{{{NS}}}Description").text = description
            for child in book.siblings(code.id):
                add(node, child)

        for top in book.siblings(None):
            add(codes, top)
        themes = list(s.scalars(select(Theme).order_by(Theme.position, Theme.id)))
        if themes:
            sets = etree.SubElement(root, f"{{{NS}}}Sets")
            for theme in themes:
                node = etree.SubElement(sets, f"{{{NS}}}Set")
                node.set("guid", theme.guid)
                node.set("name", theme.name)
                if theme.definition or theme.concept:
                    etree.SubElement(node, f"{{{NS}}}Description").text = (
                        theme.concept or theme.definition
                    )
                for code_id in s.scalars(
                    select(ThemeCode.code_id).where(ThemeCode.theme_id == theme.id)
                ):
                    etree.SubElement(node, f"{{{NS}}}MemberCode").set(
                        "guid", book.by_id[code_id].guid
                    )
        count = len(book.codes)
    out.write_bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True))
    with project.session() as s:
        project.audit(s, "export", None, path=out.name, format="qdc")
    return count


@dataclass(frozen=True, slots=True)
class CodebookImport:
    codes: int
    themes: int
    skipped: tuple[str, ...]


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _guid(value: str | None) -> str | None:
    match = _GUID.match((value or "").strip())
    return match.group(1).lower() if match else None


def import_qdc(project: Project, path: Path, *, coder: str | None = None) -> CodebookImport:
    """Add a .qdc codebook's codes (and Sets as themes) to the project, in one undoable step."""
    if not path.is_file():
        raise StudyError(f"{path} does not exist")
    if path.stat().st_size > MAX_BYTES:
        raise StudyError(f"{path.name} is larger than a codebook can be ({MAX_BYTES // 2**20} MB)")
    data = path.read_bytes()
    # Judged before it is read: any DTD (entity expansion, external entities) refuses the file.
    root = parse_xml(data, path.name, "is not a readable codebook")
    if _local(root) != "CodeBook":
        raise StudyError(f"{path.name} is not a REFI-QDA codebook (its root is {_local(root)})")
    skipped: list[str] = []

    def action(s: Session) -> CodebookImport:
        made, known = _import_codes(project, s, root, coder, skipped)
        themes = _import_sets(s, root, known, skipped)
        return CodebookImport(made, themes, tuple(skipped))

    result, _ = run_command(
        project,
        f"import codebook {path.name}",
        action,
        coder=coder,
        audit=("import.qdc", None),
    )
    return result


def _import_codes(
    project: Project,
    s: Session,
    root: etree._Element,
    coder: str | None,
    skipped: list[str],
) -> tuple[int, dict[str, Code]]:
    """The Codes section: codes the project lacks are added (one already there, by GUID or by
    name under the same parent, is kept). Returns how many were made and the codes by GUID."""
    book = Codebook(s)
    known = {c.guid.lower(): c for c in book.codes}
    made = 0

    def walk(element: etree._Element, parent: Code | None) -> None:
        nonlocal made
        for node in element:
            if _local(node) != "Code":
                continue
            name = " ".join((node.get("name") or "").split())
            if not name:
                skipped.append("a code without a name")
                continue
            guid = _guid(node.get("guid"))
            code = known.get(guid) if guid else None
            if code is None:
                siblings = book.siblings(parent.id if parent else None)
                same = [c for c in siblings if c.name == name]
                code = same[0] if same else None
            if code is None:
                descriptions = [d.text or "" for d in node if _local(d) == "Description"]
                color = node.get("color")
                code = Code(
                    name=name,
                    parent_id=parent.id if parent else None,
                    color=color if color and re.fullmatch(r"#[0-9A-Fa-f]{6}", color) else None,
                    definition=descriptions[0] if descriptions else None,
                    created_by_id=project.coder(s, coder).id,
                )
                if guid:
                    code.guid = guid
                s.add(code)
                s.flush()
                book.add(code)
                made += 1
            if guid:
                known[guid] = code
            walk(node, code)

    for section in root:
        if _local(section) == "Codes":
            walk(section, None)
    return made, known


def _import_sets(
    s: Session, root: etree._Element, known: dict[str, Code], skipped: list[str]
) -> int:
    """The Sets section: each Set of codes a new theme (one already named so is skipped).
    Returns how many themes were made."""
    themes = 0
    for section in root:
        if _local(section) != "Sets":
            continue
        for node in section:
            if _local(node) != "Set" or not (node.get("name") or "").strip():
                continue
            name = " ".join(node.get("name", "").split())
            if s.scalar(select(Theme).where(Theme.name == name)) is not None:
                skipped.append(f"theme {name!r} exists already")
                continue
            descriptions = [d.text or "" for d in node if _local(d) == "Description"]
            theme = Theme(name=name, concept=descriptions[0] if descriptions else None)
            guid = _guid(node.get("guid"))
            if guid:
                theme.guid = guid
            s.add(theme)
            s.flush()
            themes += 1
            members = {
                known[g].id
                for g in (_guid(m.get("guid")) for m in node if _local(m) == "MemberCode")
                if g in known
            }
            for code_id in members:
                s.add(ThemeCode(theme_id=theme.id, code_id=code_id))
    return themes
