"""Fonts for the scripts the house font lacks, so a Tigrinya or Arabic quote never shows as boxes.

Every Word export passes its document through :func:`fallback_fonts` before saving. Text in
Ethiopic or Arabic script gets a run of its own naming a Noto font (Arabic as right-to-left
complex script, the way Word writes it), and the font itself travels inside the .docx: embedded and
obfuscated as ECMA-376 Part 1 §17.8 specifies, so Word and LibreOffice show it on a computer that
has no such font installed. A document without these scripts is left exactly as it was.

The fonts are the unmodified Noto files in ``exchange/fonts`` (SIL Open Font License 1.1).
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from importlib import resources
from typing import Any

import regex
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart
from docx.oxml import OxmlElement
from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import parse_xml

OBFUSCATED_FONT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_STORIES = {CT.WML_DOCUMENT_MAIN, CT.WML_HEADER, CT.WML_FOOTER, CT.WML_FOOTNOTES, CT.WML_ENDNOTES}
_SETTINGS_BEFORE_EMBED = (
    "w:writeProtection",
    "w:view",
    "w:zoom",
    "w:removePersonalInformation",
    "w:removeDateAndTime",
    "w:doNotDisplayPageBoundaries",
    "w:displayBackgroundShape",
    "w:printPostScriptOverText",
    "w:printFractionalCharacterWidth",
    "w:printFormsData",
)
"""What precedes ``w:embedTrueTypeFonts`` in ``w:settings`` (the schema fixes the order)."""
_COMPLEX_TWINS = (("w:b", "w:bCs"), ("w:i", "w:iCs"), ("w:sz", "w:szCs"))


@dataclass(frozen=True, slots=True)
class Fallback:
    family: str
    """The name runs and the font table give, as the font file names its family."""
    file: str
    script: str
    """The Unicode script (Script_Extensions, so Arabic vowel marks and the Arabic comma count)."""
    right_to_left: bool
    joins: str
    """What may stand between two pieces of the script and stay in its run: for Arabic anything
    but letters (digits and punctuation keep their place in right-to-left text), for Ethiopic
    spaces only (its font has no Latin digits or punctuation; Ethiopic has its own)."""

    @property
    def key(self) -> str:
        """The obfuscation key (``w:fontKey``): a GUID fixed per font, so exports are
        reproducible."""
        guid = uuid.uuid5(uuid.NAMESPACE_URL, f"https://dyad-workbench/fonts/{self.file}")
        return "{" + str(guid).upper() + "}"


ETHIOPIC = Fallback("Noto Sans Ethiopic", "NotoSansEthiopic-Regular.ttf", "Ethiopic", False, r"\s+")
ARABIC = Fallback("Noto Naskh Arabic", "NotoNaskhArabic-Regular.ttf", "Arabic", True, r"\P{L}+")
FALLBACKS = (ETHIOPIC, ARABIC)

_CLASSES = regex.compile(
    "|".join(f"(?P<s{n}>\\p{{scx={f.script}}}+)" for n, f in enumerate(FALLBACKS))
    + r"|(?P<letters>\p{L}+)|(?P<between>\P{L}+)"
)
_ANY = regex.compile("|".join(f"\\p{{scx={f.script}}}" for f in FALLBACKS))


def font_bytes(fallback: Fallback) -> bytes:
    return (resources.files("workbench.exchange") / "fonts" / fallback.file).read_bytes()


def obfuscate(font: bytes, key: str) -> bytes:
    """ECMA-376 Part 1 §17.8.1: the GUID's 16 bytes, as its hex digits read, reversed, XORed
    over the font's first 32 bytes (once over bytes 0–15, once over 16–31). Its own inverse."""
    reversed_key = bytes.fromhex(key.strip("{}").replace("-", ""))[::-1]
    head = bytes(b ^ reversed_key[i % 16] for i, b in enumerate(font[:32]))
    return head + font[32:]


# --- runs -----------------------------------------------------------------------------------


def _pieces(text: str) -> list[tuple[Fallback | None, str]]:
    """The text cut where its script changes: each piece with its fallback, or None for text
    the house font shows. What stands between two pieces of one script stays with it when the
    script's ``joins`` allows (so an Arabic phrase is one right-to-left run); elsewhere it keeps
    the house font."""
    found = [(m.lastgroup or "", m.group()) for m in _CLASSES.finditer(text)]
    pieces: list[tuple[Fallback | None, str]] = []
    for i, (kind, piece) in enumerate(found):
        if kind == "between":
            before = found[i - 1][0] if i > 0 else ""
            after = found[i + 1][0] if i + 1 < len(found) else ""
            around = FALLBACKS[int(before[1:])] if before == after and before[:1] == "s" else None
            joined = around is not None and regex.fullmatch(around.joins, piece) is not None
            kind = before if joined else "letters"
        fallback = FALLBACKS[int(kind[1:])] if kind[:1] == "s" else None
        if pieces and pieces[-1][0] is fallback:
            pieces[-1] = (fallback, pieces[-1][1] + piece)
        else:
            pieces.append((fallback, piece))
    return pieces


def _mark(run: Any, fallback: Fallback) -> None:
    """Name the fallback font on a run holding only its script (and the marks around it)."""
    properties = run.get_or_add_rPr()
    fonts = properties.get_or_add_rFonts()
    slots = ("cs",) if fallback.right_to_left else ("ascii", "hAnsi", "eastAsia", "cs")
    for slot in slots:
        fonts.set(qn(f"w:{slot}"), fallback.family)
    if fallback.right_to_left:
        properties.get_or_add_rtl()
        properties.get_or_add_cs()
    _complex_twins(properties)


def _complex_twins(properties: Any) -> None:
    """Bold, italic and size for complex script too: Word and LibreOffice read ``w:bCs``,
    ``w:iCs`` and ``w:szCs`` for such text, not ``w:b``, ``w:i`` and ``w:sz``."""
    for latin, twin in _COMPLEX_TWINS:
        given = properties.find(qn(latin))
        if given is None or properties.find(qn(twin)) is not None:
            continue
        added = OxmlElement(twin)
        for name, value in given.attrib.items():
            added.set(name, value)
        given.addnext(added)


def _split_run(run: Any) -> set[Fallback]:
    """Give each script's text in ``run`` a run of its own, marked with its font."""
    properties = run.find(qn("w:rPr"))
    groups: list[tuple[Fallback | None, list[Any]]] = []
    for child in list(run):
        if child is properties:
            continue
        if child.tag == qn("w:t"):
            parts = [(f, _text(piece)) for f, piece in _pieces(child.text or "")]
        else:  # a tab or a break goes with the text before it
            parts = [(groups[-1][0] if groups else None, child)]
        for fallback, element in parts:
            if groups and groups[-1][0] is fallback:
                groups[-1][1].append(element)
            else:
                groups.append((fallback, [element]))
    used = {f for f, _ in groups if f is not None}
    if len(groups) == 1 and groups[0][0] is not None:
        for child in [c for c in run if c is not properties]:
            run.remove(child)
        run.extend(groups[0][1])
        _mark(run, groups[0][0])
        return used
    for fallback, elements in groups:
        piece = OxmlElement("w:r")
        if properties is not None:
            piece.append(copy.deepcopy(properties))
        piece.extend(elements)
        if fallback is not None:
            _mark(piece, fallback)
        run.addprevious(piece)
    run.getparent().remove(run)
    return used


def _text(piece: str) -> Any:
    element = OxmlElement("w:t")
    element.text = piece
    element.set(_XML_SPACE, "preserve")
    return element


# --- embedding ------------------------------------------------------------------------------


def _font_table(document: Any) -> Any:
    """The font table as an XML part of the package (python-docx loads it as bytes)."""
    main = document.part
    rid = next((r for r, rel in main.rels.items() if rel.reltype == RT.FONT_TABLE), None)
    if rid is not None and isinstance(main.rels[rid].target_part, XmlPart):
        return main.rels[rid].target_part
    if rid is None:
        old = None
        partname, blob = PackURI("/word/fontTable.xml"), f"<w:fonts {nsdecls('w', 'r')}/>"
    else:
        old = main.rels[rid].target_part
        partname, blob = old.partname, old.blob
    table = XmlPart(partname, CT.WML_FONT_TABLE, parse_xml(blob), main.package)
    if old is not None:
        for kept_rid, rel in old.rels.items():
            target = rel.target_ref if rel.is_external else rel.target_part
            table.load_rel(rel.reltype, target, kept_rid, rel.is_external)
        del main.rels[rid]
        main.load_rel(RT.FONT_TABLE, table, rid)
    else:
        main.relate_to(table, RT.FONT_TABLE)
    return table


def _embed(document: Any, fallback: Fallback) -> None:
    """The font inside the package, named in the font table with its key (§17.8.3.3)."""
    table = _font_table(document)
    fonts = table.element
    entry = next((f for f in fonts.iterchildren(qn("w:font")) if _named(f, fallback)), None)
    if entry is not None and entry.find(qn("w:embedRegular")) is not None:
        return
    package = document.part.package
    part = Part(
        package.next_partname("/word/fonts/font%d.odttf"),
        OBFUSCATED_FONT,
        obfuscate(font_bytes(fallback), fallback.key),
        package,
    )
    rid = table.relate_to(part, RT.FONT)
    if entry is None:
        entry = OxmlElement("w:font")
        entry.set(qn("w:name"), fallback.family)
        for tag, value in (("w:charset", "00"), ("w:family", "auto"), ("w:pitch", "variable")):
            element = OxmlElement(tag)
            element.set(qn("w:val"), value)
            entry.append(element)
        fonts.append(entry)
    embedded = OxmlElement("w:embedRegular")
    embedded.set(qn("r:id"), rid)
    embedded.set(qn("w:fontKey"), fallback.key)
    later = [entry.find(qn(t)) for t in ("w:embedBold", "w:embedItalic", "w:embedBoldItalic")]
    first_later = next((e for e in later if e is not None), None)
    if first_later is not None:
        first_later.addprevious(embedded)
    else:
        entry.append(embedded)


def _named(entry: Any, fallback: Fallback) -> bool:
    return bool(entry.get(qn("w:name")) == fallback.family)


def _ask_to_embed(document: Any) -> None:
    """``w:embedTrueTypeFonts`` in the settings: the document carries its fonts, and Word keeps
    them when the document is saved again."""
    settings = document.settings.element
    if settings.find(qn("w:embedTrueTypeFonts")) is not None:
        return
    element = OxmlElement("w:embedTrueTypeFonts")
    before = [c for c in settings if c.tag in {qn(t) for t in _SETTINGS_BEFORE_EMBED}]
    if before:
        before[-1].addnext(element)
    else:
        settings.insert(0, element)


# --- the finishing step -----------------------------------------------------------------------


def fallback_fonts(document: Any) -> tuple[str, ...]:
    """Mark and embed the fallback fonts ``document`` needs; the families used, in order.

    Touches nothing when the document holds no Ethiopic or Arabic text. Running it twice
    changes nothing the second time."""
    used: set[Fallback] = set()
    stories = [document.part.element] + [
        p.element
        for p in document.part.package.iter_parts()
        if isinstance(p, XmlPart) and p.content_type in _STORIES and p is not document.part
    ]
    for story in stories:
        for run in list(story.iter(qn("w:r"))):
            if any(_ANY.search(t.text or "") for t in run.iter(qn("w:t"))):
                used |= _split_run(run)
    if not used:
        return ()
    for style in document.styles.element.iter(qn("w:rPr")):
        _complex_twins(style)
    for fallback in FALLBACKS:
        if fallback in used:
            _embed(document, fallback)
    _ask_to_embed(document)
    return tuple(f.family for f in FALLBACKS if f in used)
