"""Ethiopic and Arabic in every Word export: their runs name a Noto font that has the script,
and the font travels inside the .docx (ECMA-376 Part 1 §17.8), so LibreOffice on a machine
without Noto still draws the words and embeds the font in the PDF. A document without these
scripts carries no font."""

from __future__ import annotations

import re
import zipfile
from importlib import resources
from pathlib import Path

import docx
import pytest
import regex
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from lxml import etree

from workbench.coding.codebook import add_code
from workbench.coding.codings import apply_code, list_codings
from workbench.coding.identifiers import accept_identifier
from workbench.coding.readings import pin_exemplar, set_cell_summary
from workbench.coding.study import (
    add_dyad,
    add_interview,
    add_participant,
    new_study,
    set_interview_status,
)
from workbench.coding.themes import add_theme, set_trajectory
from workbench.coding.transcripts import import_utterances, interview_text
from workbench.exchange._docx import add_table, landscape_document, save
from workbench.exchange._docx_fonts import OBFUSCATED_FONT, fallback_fonts
from workbench.exchange.gate import file_texts
from workbench.exchange.registry import FORMATS, ExportOptions, export
from workbench.storage.project import Project

from ..helpers import interview_with, pdf_fonts, pdf_text, to_pdf, transcript

TIGRINYA = "ሰላም ኣሎኹ፣ ለይቲ ኣይድቅስን።"
ARABIC = "لا أنام جيدا في الليل"
TITLE = "ለይቲ — ليالي (Nights)"
LANGUAGES = "ትግርኛ، العربية"


def _study(path: Path) -> Project:
    """One interview in which the patient speaks Tigrinya and Arabic, both lines coded, pinned
    as quotes, summarised and named in the codebook; the title and the interview's language
    name both scripts too (the COREQ checklist and the matrices show no quotes)."""
    p = new_study(path, title=TITLE)
    add_participant(p, "P01", "patient")
    add_participant(p, "R01", "researcher")
    add_participant(p, "C01", "clinician")
    add_dyad(p, "D01", ["C01", "P01"])  # the dyadic comparison shows P01's summary
    add_interview(
        p, "I1", wave="baseline", participants=[("P01", None), ("R01", None)], language=LANGUAGES
    )
    lines = [("R01", "How do you sleep?"), ("P01", TIGRINYA), ("P01", ARABIC)]
    import_utterances(p, "I1", transcript(lines), speakers={"R01": "R01", "P01": "P01"})
    add_code(p, "sleep", definition=f"Sleep, as in «{ARABIC}» or «{TIGRINYA}»")
    full = interview_text(p, "I1")
    for words in (TIGRINYA, ARABIC):
        at = full.index(words)
        apply_code(p, "I1", at, at + len(words), "sleep")
    set_interview_status(p, "I1", "coded")
    add_theme(p, "Nights", codes=["sleep"], concept=f"Nights: {TIGRINYA} / {ARABIC}")
    for c in list_codings(p):
        pin_exemplar(p, "Nights", "participant:P01", "baseline", c.id)
    set_trajectory(p, "Nights", "participant:P01", label="easing")
    set_cell_summary(p, "Nights", "participant:P01", "baseline", f"{TIGRINYA} — {ARABIC}")
    return p


WORD_FORMATS = [f.name for f in FORMATS if f.extension == ".docx" and f.export is not None]
ETHIOPIC = regex.compile(r"\p{scx=Ethiopic}")
ARABIC_SCRIPT = regex.compile(r"\p{scx=Arabic}")
SHOWN = (TIGRINYA, ARABIC, TITLE, LANGUAGES)
"""Each Word export shows at least one of these whole (quotes, summaries, title, languages)."""


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every Word format the registry writes, of the study, through the export gate."""
    folder = tmp_path_factory.mktemp("fonts")
    written = {}
    with _study(folder / "s.dyad") as p:
        for name in WORD_FORMATS:
            written[name] = folder / f"{name}.docx"
            export(p, name, written[name], ExportOptions(interview="I1"))
    return written


def _xml(docx_file: Path, member: str) -> etree._Element:
    with zipfile.ZipFile(docx_file) as z:
        return etree.fromstring(z.read(member))


def _runs(body: etree._Element) -> list[tuple[str, etree._Element | None]]:
    """(text, rPr) of every run that holds text."""
    runs = []
    for run in body.iter(qn("w:r")):
        text = "".join(t.text or "" for t in run.iter(qn("w:t")))
        if text:
            runs.append((text, run.find(qn("w:rPr"))))
    return runs


def _fonts(properties: etree._Element | None) -> dict[str, str]:
    fonts = properties.find(qn("w:rFonts")) if properties is not None else None
    return {} if fonts is None else {etree.QName(k).localname: v for k, v in fonts.attrib.items()}


@pytest.mark.parametrize("name", WORD_FORMATS)
def test_ethiopic_and_arabic_runs_name_a_font_with_their_script(
    exported: dict[str, Path], name: str
) -> None:
    body = _xml(exported[name], "word/document.xml")
    runs = _runs(body)
    ethiopic = [(t, p) for t, p in runs if ETHIOPIC.search(t)]
    arabic = [(t, p) for t, p in runs if ARABIC_SCRIPT.search(t)]
    assert ethiopic and arabic, f"{name} shows no Tigrinya or no Arabic"
    for text, properties in ethiopic:
        assert _fonts(properties) == dict.fromkeys(
            ("ascii", "hAnsi", "eastAsia", "cs"), "Noto Sans Ethiopic"
        ), text
        assert not regex.search(r"\p{Latin}", text), f"a Latin word in an Ethiopic run: {text}"
    for text, properties in arabic:
        assert properties is not None and _fonts(properties) == {"cs": "Noto Naskh Arabic"}, text
        assert properties.find(qn("w:rtl")) is not None, text  # right to left, as Word writes it
        assert properties.find(qn("w:cs")) is not None, text  # complex script formatting
        assert not regex.search(r"\p{Latin}", text), f"a Latin word in an Arabic run: {text}"
    for text, properties in runs:
        if not (ETHIOPIC.search(text) or ARABIC_SCRIPT.search(text)):
            assert "Noto" not in str(_fonts(properties)), f"house text in a fallback font: {text}"
    paragraphs = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]
    assert any(shown in par for par in paragraphs for shown in SHOWN), "text lost in the split"


def _embedded(docx_file: Path) -> dict[str, bytes]:
    """The fonts the document embeds, de-obfuscated by ECMA-376 Part 1 §17.8.1 (written here
    from the standard's words, apart from the code that obfuscates): family → font file."""
    table = _xml(docx_file, "word/fontTable.xml")
    rels = _xml(docx_file, "word/_rels/fontTable.xml.rels")
    types = _xml(docx_file, "[Content_Types].xml")
    targets = {r.get("Id"): r for r in rels}
    overrides = {o.get("PartName"): o.get("ContentType") for o in types}
    fonts = {}
    with zipfile.ZipFile(docx_file) as z:
        for font in table.iter(qn("w:font")):
            embedded = font.find(qn("w:embedRegular"))
            if embedded is None:
                continue
            rel = targets[embedded.get(qn("r:id"))]
            assert rel.get("Type") == RT.FONT
            member = f"word/{rel.get('Target')}"
            assert overrides[f"/{member}"] == OBFUSCATED_FONT
            guid = embedded.get(qn("w:fontKey"))
            assert re.fullmatch(r"\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", guid or "")
            key = bytes.fromhex(guid.strip("{}").replace("-", ""))[::-1]  # type: ignore[union-attr]
            data = z.read(member)
            head = bytes(data[i] ^ key[i % 16] for i in range(32))
            fonts[font.get(qn("w:name"))] = head + data[32:]
    return fonts


@pytest.mark.parametrize("name", WORD_FORMATS)
def test_the_fallback_fonts_are_embedded_and_read_back_as_the_bundled_files(
    exported: dict[str, Path], name: str
) -> None:
    fonts = _embedded(exported[name])
    assert set(fonts) == {"Noto Sans Ethiopic", "Noto Naskh Arabic"}
    bundled = resources.files("workbench.exchange") / "fonts"
    assert fonts["Noto Sans Ethiopic"] == (bundled / "NotoSansEthiopic-Regular.ttf").read_bytes()
    assert fonts["Noto Naskh Arabic"] == (bundled / "NotoNaskhArabic-Regular.ttf").read_bytes()
    with zipfile.ZipFile(exported[name]) as z:
        assert z.read("word/fonts/font1.odttf")[:4] != b"\x00\x01\x00\x00"  # obfuscated
    settings = _xml(exported[name], "word/settings.xml")
    assert settings.find(qn("w:embedTrueTypeFonts")) is not None


def _without_embedded_fonts(docx_file: Path, out: Path) -> Path:
    """The same document with its font parts taken out (runs still naming the Noto fonts)."""
    with zipfile.ZipFile(docx_file) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("word/fonts/") or info.filename.endswith(
                "fontTable.xml.rels"
            ):
                continue
            if info.filename == "word/fontTable.xml":
                table = etree.fromstring(data)
                for embedded in list(table.iter(qn("w:embedRegular"))):
                    embedded.getparent().remove(embedded)
                data = etree.tostring(table, xml_declaration=True, standalone=True)
            dst.writestr(info, data)
    return out


def test_libreoffice_draws_tigrinya_and_arabic_with_the_embedded_fonts(
    exported: dict[str, Path], tmp_path: Path
) -> None:
    """The machine has no Noto font: the PDF embeds Noto Sans Ethiopic and Noto Naskh Arabic only
    because LibreOffice read them from the .docx. Without the font parts, the same document comes
    out without them (the control that shows the fonts came from the file)."""
    themes = exported["theme-table-docx"]
    fonts = pdf_fonts(to_pdf(themes, tmp_path))
    assert fonts.get("NotoSansEthiopic-Regular") is True, fonts
    assert fonts.get("NotoNaskhArabic-Regular") is True, fonts
    text = pdf_text(themes, tmp_path)
    assert "ሰላም" in text and "ኣይድቅስን" in text
    bare = _without_embedded_fonts(themes, tmp_path / "bare.docx")
    control = pdf_fonts(to_pdf(bare, tmp_path))
    assert not any(name.startswith("Noto") for name in control), control


def _latin_study(path: Path) -> Project:
    p = new_study(path, title="Plain study")
    interview_with(p, "I1", [("R01", "How do you sleep?"), ("P01", "Badly, since the move.")])
    add_code(p, "sleep")
    full = interview_text(p, "I1")
    at = full.index("Badly")
    apply_code(p, "I1", at, at + len("Badly, since the move."), "sleep")
    set_interview_status(p, "I1", "coded")
    add_theme(p, "Nights", codes=["sleep"], concept="Sleep as where distress shows")
    for c in list_codings(p):
        pin_exemplar(p, "Nights", "participant:P01", "baseline", c.id)
    return p


def test_a_document_without_these_scripts_carries_no_font(tmp_path: Path) -> None:
    template = Path(docx.__file__).parent / "templates" / "default.docx"
    with zipfile.ZipFile(template) as z:
        font_table = z.read("word/fontTable.xml")
    with _latin_study(tmp_path / "s.dyad") as p:
        for name in WORD_FORMATS:
            out = tmp_path / f"{name}.docx"
            export(p, name, out, ExportOptions(interview="I1"))
            with zipfile.ZipFile(out) as z:
                members = z.namelist()
                assert not [m for m in members if "fonts/" in m or m.endswith(".odttf")], name
                assert "word/_rels/fontTable.xml.rels" not in members, name
                assert z.read("word/fontTable.xml") == font_table, name  # as python-docx wrote it
                assert b"embedTrueTypeFonts" not in z.read("word/settings.xml"), name
                assert b"Noto" not in z.read("word/document.xml"), name


def _parts(document: object) -> dict[str, bytes]:
    package = document.part.package  # type: ignore[attr-defined]
    return {str(part.partname): part.blob for part in package.iter_parts()}


def test_the_finishing_step_leaves_a_document_without_these_scripts_byte_for_byte() -> None:
    document = landscape_document()
    document.add_heading("Themes — Plain study", level=1)
    add_table(document, ["Theme", "Quote"], [["Nights", "“Badly, since the move.” (P01)"]])
    document.add_paragraph("Ünïcödé, Ελληνικά, русский, 中文 and עברית need no fallback here.")
    before = _parts(document)
    assert fallback_fonts(document) == ()
    assert _parts(document) == before


def test_the_finishing_step_run_twice_embeds_each_font_once(tmp_path: Path) -> None:
    document = landscape_document()
    add_table(document, ["Quote"], [[f"“{TIGRINYA}” (P01)"], [f"«{ARABIC}» (P01)"]])
    assert fallback_fonts(document) == ("Noto Sans Ethiopic", "Noto Naskh Arabic")
    once = _parts(document)
    assert fallback_fonts(document) == ("Noto Sans Ethiopic", "Noto Naskh Arabic")
    assert _parts(document) == once
    save(document, tmp_path / "twice.docx")
    assert set(_embedded(tmp_path / "twice.docx")) == {"Noto Sans Ethiopic", "Noto Naskh Arabic"}


def test_a_word_the_embedded_font_bytes_spell_does_not_stop_the_export(tmp_path: Path) -> None:
    """The gate reads every part of a .docx as text; a font's bytes hold hundreds of letter runs
    that read as whole words (table tags, chance). An accepted identifier that one of them spells
    must not refuse the export: the fonts carry no project text."""
    with _study(tmp_path / "s.dyad") as p:
        first = tmp_path / "first.docx"
        export(p, "theme-table-docx", first, ExportOptions())
        with zipfile.ZipFile(first) as z:
            texts = " ".join(z.read(m).decode("utf-8", "ignore") for m in z.namelist())
            font = z.read("word/fonts/font1.odttf").decode("utf-8", errors="ignore")
        shown = " ".join(
            body for name, body in file_texts(first) if not name.endswith(".odttf")
        ).casefold()
        words = re.findall(r"(?<!\w)([A-Za-z]{5,})(?!\w)", font)
        word = next(w for w in words if w.casefold() not in shown and texts.count(w) == 1)
        accept_identifier(p, word)
        export(p, "theme-table-docx", tmp_path / "second.docx", ExportOptions())
    assert (tmp_path / "second.docx").exists()
