"""REFI-QDA projects: export validates and round-trips on both databases, tools' files import with
the right counts, and hostile archives are refused with nothing written."""

from __future__ import annotations

import datetime as dt
import json
import stat
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from workbench.cli import main
from workbench.coding.codebook import add_code, list_codes
from workbench.coding.codings import apply_code, list_codings
from workbench.coding.memos import add_journal_entry, add_memo, list_journal, list_memos
from workbench.coding.study import (
    add_dyad,
    add_interview,
    add_participant,
    list_interviews,
    list_participants,
    new_study,
    set_attribute,
    set_interview_status,
    summary,
)
from workbench.coding.themes import add_theme, list_themes
from workbench.coding.transcripts import interview_text, utterances
from workbench.domain.study import StudyError
from workbench.exchange.qdpx import SIDECAR, export_qdpx
from workbench.exchange.qdpx_import import import_qdpx, import_qdpx_as_new
from workbench.storage.project import Project, open_project

from ..conftest import DATA

REFI = DATA / "refi"
SCHEMA = etree.XMLSchema(etree.parse(str(REFI / "Project-mrt2019.xsd")))
NS = "{urn:QDA-XML:project:1.0}"


def _build(project: Project, tmp_path: Path) -> None:
    add_participant(project, "P01", "patient", attributes={"country": "Syria", "age": "34"})
    add_participant(project, "C01", "clinician", attributes={"role": "lead therapist"})
    add_participant(project, "R01", "researcher")
    add_participant(project, "P02", "patient", consent="pending")
    set_attribute(project, "P01", "PCL-5", "58", wave="baseline")
    add_dyad(project, "D01", ["C01", "P01"])
    add_interview(
        project,
        "P01-baseline",
        wave="baseline",
        dyad="D01",
        participants=[("P01", None), ("R01", None)],
        date=dt.date(2025, 3, 14),
        session_number=1,
        language="en",
    )
    add_interview(project, "P02-baseline", wave="baseline", participants=[("P02", None)])
    transcript = tmp_path / "p01.txt"
    transcript.write_text(
        "[00:00:01] R01: How have your nights been?\n"
        "[00:00:05] P01: I wake up at three 🌙 and cannot sleep again.\n"
        "[00:00:12] P01: أحلام سيئة every night, the same dream.\n"
        "[00:00:20] R01: Thank you.\n",
        encoding="utf-8",
    )
    from workbench.exchange.transcript_import import import_transcript_files

    import_transcript_files(project, "P01-baseline", [transcript])
    other = tmp_path / "p02.txt"
    other.write_text("[00:00:01] P02: My private words.\n[00:00:04] P02: Yes.\n", encoding="utf-8")
    import_transcript_files(project, "P02-baseline", [other])
    set_interview_status(project, "P01-baseline", "coded")
    add_code(project, "Sleep", color="#4f6d7a", definition="Nights", inclusion="any night")
    add_code(project, "Nightmares", parent="Sleep", definition="Dreams that wake them")
    add_code(project, "Waking", parent="Sleep", color="#aa0000")
    add_code(project, "Gratitude")
    text = interview_text(project, "P01-baseline")
    moon = text.index("three 🌙")
    apply_code(project, "P01-baseline", moon, moon + len("three 🌙"), "Waking", memo="at 3 am")
    dream = text.index("أحلام سيئة")
    apply_code(project, "P01-baseline", dream, text.index("dream."), "Nightmares")
    # across two utterances
    apply_code(project, "P01-baseline", moon, dream + 5, "Sleep", coder="second coder")
    apply_code(project, "P01-baseline", text.index("Thank"), len(text), "Gratitude")
    mine = interview_text(project, "P02-baseline")
    apply_code(project, "P02-baseline", 0, len(mine), "Gratitude")
    add_memo(project, "Sleep seems central", about="code:Sleep", title="On sleep")
    add_memo(project, "Good rapport", about="interview:P01-baseline")
    add_memo(project, "Trust grows", about="participant:P01")
    add_memo(project, "Withheld person", about="participant:P02")
    add_memo(project, "The whole study", about="project")
    add_memo(project, "Dyad note", about="dyad:D01")
    add_journal_entry(project, "I expect improvement.", date=dt.date(2025, 3, 15))
    add_theme(project, "Nights that loosen", codes=["Nightmares", "Waking"], concept="Easing")
    add_theme(project, "Waking hours", codes=["Waking"], parent="Nights that loosen")
    add_memo(project, "Theme memo", about="theme:Nights that loosen")


def _state(project: Project) -> dict:
    """Everything the round trip must keep, in comparable form."""
    s = summary(project)
    interviews = list_interviews(project)
    return {
        "counts": (s.participants, s.dyads, s.interviews, s.utterances, s.codes, s.codings),
        "waves": s.wave_names,
        "codes": [(c.path, c.color, c.definition) for c in list_codes(project)],
        "codings": sorted(
            (c.interview, c.code, c.start, c.end, c.text, c.coder, c.memo)
            for c in list_codings(project)
        ),
        "memos": sorted((m.about, m.title, m.text) for m in list_memos(project)),
        "journal": [(j.date, j.text) for j in list_journal(project)],
        "themes": [(t.name, t.codes, t.parent, t.concept) for t in list_themes(project)],
        "participants": [
            (p.id, p.role, p.consent, p.attributes, p.wave_attributes, p.dyads)
            for p in list_participants(project)
        ],
        "interviews": [
            (i.id, i.wave, i.dyad, i.status, i.date, i.session_number, i.participants)
            for i in interviews
        ],
        "utterances": {
            i.id: [(u.speaker, u.start_ms, u.end_ms, u.text) for u in utterances(project, i.id)]
            for i in interviews
        },
    }


def _qde(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read("project.qde"))


def _guids(root: etree._Element) -> set[tuple[str, str]]:
    kinds = ("Code", "TextSource", "PlainTextSelection", "Case", "Note", "Set", "User")
    return {
        (etree.QName(e).localname, e.get("guid"))
        for e in root.iter()
        if isinstance(e.tag, str) and etree.QName(e).localname in kinds
    }


def test_export_validates_and_imports_as_the_same_project(target: str, tmp_path: Path) -> None:
    source = tmp_path / "source.dyad"
    with new_study(source, title="Round trip") as p:
        _build(p, tmp_path)
        first, second = tmp_path / "one.qdpx", tmp_path / "two.qdpx"
        report = export_qdpx(p, first)
        export_qdpx(p, second)
        with pytest.raises(StudyError, match="holds data already"):
            import_qdpx(p, first)  # never into a project that holds data
        expected = _state(p)
    assert first.read_bytes() == second.read_bytes()  # the same GUIDs, the same bytes
    root = _qde(first)
    assert SCHEMA.validate(root), SCHEMA.error_log
    assert (report.sources, report.cases, report.codings) == (1, 3, 4)
    assert (
        "left out 1 participant(s) without consent and 1 interview(s)"
        in (report.notes_on_content[0])
    )
    with zipfile.ZipFile(first) as z:
        texts = [n for n in z.namelist() if n.startswith("sources/")]
        data = z.read(texts[0])
        assert b"My private words" not in b"".join(z.read(n) for n in z.namelist())
        assert b"Withheld person" not in z.read("project.qde")
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
    selections = root.iter(f"{NS}PlainTextSelection")
    text = data.decode("utf-8")
    for sel in selections:  # positions are code points of the source text
        start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
        assert text[start:end] == sel.get("name")

    # Into a new project on this backend; then it is the same project.
    result = import_qdpx_as_new(target, first)
    assert (result.sources, result.codes, result.codings, result.themes) == (1, 4, 4, 2)
    assert result.not_carried == ()
    with open_project(target) as q:
        got = _state(q)
        again = tmp_path / "again.qdpx"
        export_qdpx(q, again)
    consented = {k: v for k, v in expected.items()}
    consented["participants"] = [p for p in expected["participants"] if p[0] != "P02"]
    consented["interviews"] = [i for i in expected["interviews"] if i[0] != "P02-baseline"]
    consented["utterances"] = {
        k: v for k, v in expected["utterances"].items() if k != "P02-baseline"
    }
    consented["codings"] = [c for c in expected["codings"] if c[0] != "P02-baseline"]
    consented["memos"] = [m for m in expected["memos"] if m[2] != "Withheld person"]
    consented["counts"] = (3, 1, 1, 4, 4, 4)
    assert got == consented
    assert _guids(_qde(again)) == _guids(root)


def test_unconsented_participants_are_included_only_when_asked(tmp_path: Path) -> None:
    with new_study(tmp_path / "s.dyad") as p:
        _build(p, tmp_path)
        out = tmp_path / "all.qdpx"
        report = export_qdpx(p, out, include_unconsented=True)
    assert report.sources == 2 and report.cases == 4
    assert "includes 1 participant(s) without consent" in report.notes_on_content[0]
    assert SCHEMA.validate(_qde(out)), SCHEMA.error_log
    with zipfile.ZipFile(out) as z:
        assert "includes 1 participant" in json.loads(z.read("dyad-workbench.json"))["notes"][0]
    result = import_qdpx_as_new(str(tmp_path / "copy.dyad"), out)
    assert result.participants == 4
    with open_project(tmp_path / "copy.dyad") as q:
        assert {p.id: p.consent.value for p in list_participants(q)}["P02"] == "pending"


def test_the_qc_sample_imports_with_its_counts_and_its_lines(tmp_path: Path, capsys) -> None:
    sample = REFI / "qc132_interview_coded.qdpx"
    root = _qde(sample)
    selections = list(root.iter(f"{NS}PlainTextSelection"))
    assert (len(list(root.iter(f"{NS}Code"))), len(selections)) == (262, 158)
    assert len(list(root.iter(f"{NS}Coding"))) == 205
    out = tmp_path / "qc.dyad"
    assert main(["import", str(out), str(sample)]) == 0
    out_text = capsys.readouterr().out
    assert "262 codes, 205 codings" in out_text and "CRLF as 2 (the standard)" in out_text
    with open_project(out) as p:
        s = summary(p)
        assert (s.codes, s.codings, s.interviews) == (262, 205, 2)
        assert [i.wave for i in list_interviews(p)] == [None, None]  # unassigned
        codings = list_codings(p)
    # Each selection is named after the line it covers ("line:6"): the coded text is that line.
    files = {}
    with zipfile.ZipFile(sample) as z:
        for name in ("admin-1", "board_2017"):
            files[name] = z.read(f"sources/{name}.txt").decode().split("\n")
    by_span = {(c.interview, c.start): c.text for c in codings}
    assert len({(c.interview, c.start, c.end) for c in codings}) == 158
    for source in root.iter(f"{NS}TextSource"):
        name = Path(source.get("plainTextPath")).stem
        for sel in source.iter(f"{NS}PlainTextSelection"):
            line = int(sel.get("name").split(":")[1])
            coded = [t for (iv, _), t in by_span.items() if iv == name]
            assert " ".join(files[name][line].split()) in {" ".join(t.split()) for t in coded}


def test_the_nvivo_sample_imports(tmp_path: Path) -> None:
    result = import_qdpx_as_new(str(tmp_path / "n.dyad"), REFI / "nvivo15mac_codebook_only.qdpx")
    assert (result.codes, result.codings) == (262, 0)
    assert result.positions == "utf16-crlf2"
    assert sum("has no text" in w for w in result.warnings) == 2  # NVivo wrote 1-byte files
    with open_project(tmp_path / "n.dyad") as p:
        depth = max(c.path.count(" / ") for c in list_codes(p)) + 1
    assert depth == 7


def _archive(path: Path, files: dict[str, bytes | str], **info: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return path


def _project_xml(origin: str, text_ref: str, selections: str, notes: str = "") -> str:
    return (
        f'<Project xmlns="urn:QDA-XML:project:1:0" name="tool" origin="{origin}">'
        '<CodeBook><Codes><Code guid="{ABCDEFAB-1234-4234-8234-1234567890AB}" name="Night" '
        'isCodable="true" color="#a0b"/><Code guid="c002" name="Day" isCodable="true"/>'
        "<Code guid='' name='' isCodable='true'/></Codes></CodeBook>"
        f'<Sources><TextSource guid="11111111-2222-4333-8444-555555555555" name="Interview A" '
        f'plainTextPath="{text_ref}">{selections}</TextSource></Sources>{notes}'
        '<Sets><Set guid="22222222-2222-4333-8444-555555555555" name="Theme">'
        '<MemberCode targetGUID="abcdefab-1234-4234-8234-1234567890ab"/></Set>'
        '<Set guid="32222222-2222-4333-8444-555555555555" name="Sources only"/></Sets>'
        "</Project>"
    )


def _sel(
    guid: int, start: int, end: int, name: str | None, code: str = "c002", note: str = ""
) -> str:
    named = f' name="{name}"' if name is not None else ""
    ref = f'<NoteRef targetGUID="{note}"/>' if note else ""
    return (
        f'<PlainTextSelection guid="{guid:08d}-0000-4000-8000-000000000000"{named} '
        f'startPosition="{start}" endPosition="{end}"><Coding guid="{guid:08d}-1111-4000-8000-'
        f'000000000000"><CodeRef targetGUID="{code}"/></Coding>{ref}</PlainTextSelection>'
    )


@pytest.mark.parametrize(
    ("origin", "count"),
    [("NVivo 14.23.0 (Windows)", "utf16"), ("ATLAS.ti 23.4.0", "crlf1"), ("MAXQDA 2022", "std")],
)
def test_tools_count_positions_their_own_way(tmp_path: Path, origin: str, count: str) -> None:
    raw = "Interviewer: How are nights?\r\n\r\nPatient: 😴 bad, nightmares 😱 always.\r\n"
    norm = raw.replace("\r\n", "\n")

    def pos(i: int) -> int:  # a position as this tool counts it
        if count == "crlf1":
            return i
        raw_i = i + norm[:i].count("\n")  # CRLF counted as 2
        if count == "std":
            return raw_i
        return raw_i + sum(1 for ch in raw[:raw_i] if ord(ch) > 0xFFFF)

    a = norm.index("nightmares")
    b = a + len("nightmares")
    selections = (
        _sel(1, pos(a), pos(b), "nightmares", "{ABCDEFAB-1234-4234-8234-1234567890AB}", "n1")
        + _sel(2, pos(norm.index("bad")), pos(norm.index("bad") + 3), "bad")
        + _sel(3, 5, 5, "empty")
        + _sel(4, pos(norm.index("How")), pos(norm.index("nights") + 6), None)
    )
    notes = '<Notes><Note guid="n1" name="A note"><PlainTextContent>Why here</PlainTextContent>'
    xml = _project_xml(origin, "a.txt", selections, notes + "</Note></Notes>")
    path = _archive(
        tmp_path / "tool.qdpx",
        {"Trial.qde": xml, "Sources/a.txt": b"\xef\xbb\xbf" + raw.encode(), ".DS_Store": b""},
    )
    result = import_qdpx_as_new(str(tmp_path / "t.dyad"), path)
    assert result.codes == 3 and result.codings == 3 and result.themes == 1
    assert any("zero-length" in n for n in result.not_carried)
    assert any("Sources only" in n for n in result.not_carried)
    with open_project(tmp_path / "t.dyad") as p:
        got = sorted((c.code, c.text) for c in list_codings(p))
        assert [i.wave for i in list_interviews(p)] == [None]
        # Speaker turns are read from the labels (no participant to map them to: kept as labels).
        assert [(u.speaker, u.text) for u in utterances(p, "Interview_A")] == [
            ("Interviewer", "How are nights?"),
            ("Patient", "😴 bad, nightmares 😱 always."),
        ]
        assert result.inferred and "2 speaker turn(s)" in result.inferred[0]
        colours = {c.name: c.color for c in list_codes(p)}
        night = [c.id for c in list_codings(p) if c.code == "Night"]
        assert [(m.about, m.title, m.text) for m in list_memos(p)] == [
            (f"coding:{night[0]}", "A note", "Why here")
        ]
    assert got == [("Day", "How are nights"), ("Day", "bad"), ("Night", "nightmares")]
    assert colours["Night"] == "#aa00bb"


def test_a_selection_a_little_off_its_quote_is_found_nearby(tmp_path: Path) -> None:
    raw = "one two three four five six seven\n" * 3
    start = raw.index("four") + 2  # two characters late, the name says where it really is
    xml = _project_xml("SomeTool", "internal://a.txt", _sel(1, start, start + 4, "four"))
    path = _archive(tmp_path / "x.qdpx", {"project.qde": xml, "sources/a.txt": raw})
    result = import_qdpx_as_new(str(tmp_path / "x.dyad"), path)
    assert result.codings == 1
    with open_project(tmp_path / "x.dyad") as p:
        assert [c.text for c in list_codings(p)] == ["four"]


# --- hostile archives ----------------------------------------------------------------------


def _valid_qde() -> str:
    return _project_xml("x", "a.txt", _sel(1, 0, 3, "abc"))


def _zip_slip(tmp: Path) -> Path:
    return _archive(tmp / "h.qdpx", {"project.qde": _valid_qde(), "../../evil.txt": "x"})


def _absolute(tmp: Path) -> Path:
    return _archive(tmp / "h.qdpx", {"project.qde": _valid_qde(), "/etc/evil": "x"})


def _drive(tmp: Path) -> Path:
    return _archive(tmp / "h.qdpx", {"project.qde": _valid_qde(), "C:/evil.txt": "x"})


def _symlink(tmp: Path) -> Path:
    path = tmp / "h.qdpx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", _valid_qde())
        link = zipfile.ZipInfo("sources/unused-link")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(link, "/etc/passwd")
    return path


def _bomb(tmp: Path) -> Path:
    path = tmp / "h.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("project.qde", _valid_qde())
        with z.open("sources/never-referenced.txt", "w", force_zip64=True) as fh:
            block = b"\0" * (1 << 20)
            for _ in range(300):  # 300 MB of zeros, ~300 KB compressed
                fh.write(block)
    return path


def _many(tmp: Path) -> Path:
    path = tmp / "h.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("project.qde", _valid_qde())
        for i in range(10_001):
            z.writestr(f"sources/{i}.txt", b"")
    return path


def _laughs(tmp: Path) -> Path:
    entities = '<!ENTITY a "lol">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)
    )
    qde = f'<?xml version="1.0"?><!DOCTYPE Project [{entities}]>' + _valid_qde().replace(
        'name="tool"', 'name="&j;"'
    )
    return _archive(tmp / "h.qdpx", {"project.qde": qde, "sources/a.txt": "abc"})


def _external(tmp: Path) -> Path:
    qde = (
        '<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        + _valid_qde().replace('name="tool"', 'name="&e;"')
    )
    return _archive(tmp / "h.qdpx", {"project.qde": qde, "sources/a.txt": "abc"})


def _two_qde(tmp: Path) -> Path:
    return _archive(tmp / "h.qdpx", {"a.qde": _valid_qde(), "b.qde": _valid_qde()})


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (_zip_slip, "climbs out"),
        (_absolute, "absolute path"),
        (_drive, "absolute path"),
        (_symlink, "symbolic link"),
        (_bomb, "expands more than"),
        (_many, "members"),
        (_laughs, "refused as unsafe"),
        (_external, "refused as unsafe"),
        (_two_qde, "several .qde"),
    ],
)
def test_hostile_archives_are_refused_with_nothing_written(
    build, message: str, tmp_path: Path, capsys
) -> None:
    hostile = build(tmp_path)
    before = set(tmp_path.iterdir())
    tracemalloc.start()
    began = time.perf_counter()
    try:
        with pytest.raises(StudyError, match=message):
            import_qdpx_as_new(str(tmp_path / "new.dyad"), hostile)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - began < 5
    assert peak < 20 * 2**20  # never unpacked, never expanded: under 20 MB allocated
    assert set(tmp_path.iterdir()) == before  # no project, no staging file
    assert not (tmp_path.parent / "evil.txt").exists()
    # ... and into an existing empty project: it stays empty, and the command line says why
    with new_study(tmp_path / "empty.dyad") as p:
        with pytest.raises(StudyError, match=message):
            import_qdpx(p, hostile)
        assert summary(p).codes == 0
    assert main(["import", str(tmp_path / "empty.dyad"), str(hostile)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


def test_import_into_an_existing_empty_project(project: Project, tmp_path: Path) -> None:
    long = "D" * 600  # longer than a code name may be: shortened, never a database error
    xml = _project_xml("x", "a.txt", _sel(1, 0, 3, "abc")).replace('name="Day"', f'name="{long}"')
    tool = _archive(tmp_path / "b.qdpx", {"project.qde": xml, "sources/a.txt": "abc"})
    result = import_qdpx(project, tool)
    assert (result.codes, result.codings, result.sources) == (3, 1, 1)
    with pytest.raises(StudyError, match="holds data already"):
        import_qdpx(project, tool)
    assert summary(project).codings == 1
    assert [(c.code, c.text) for c in list_codings(project)] == [("D" * 500, "abc")]


def test_the_codebook_document_lists_every_code_with_its_criteria(tmp_path: Path, capsys) -> None:
    from docx import Document

    path = tmp_path / "s.dyad"
    with new_study(path) as p:
        _build(p, tmp_path)
    out = tmp_path / "codebook.docx"
    args = ["export", str(path), "--format", "codebook-docx", "-o", str(out), "--with-counts"]
    assert main(args) == 0
    assert "4 codes" in capsys.readouterr().out
    table = Document(str(out)).tables[0]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["Code", "Definition", "Include", "Exclude", "Themes", "Codings"]
    assert rows[1:] == [
        ["Sleep", "Nights", "any night", "", "", "1"],
        ["    Nightmares", "Dreams that wake them", "", "", "Nights that loosen", "1"],
        ["    Waking", "", "", "", "Nights that loosen; Waking hours", "1"],
        ["Gratitude", "", "", "", "", "1"],  # P02's coding is left out: no consent
    ]


def test_identifying_text_stops_the_export_unless_overridden(tmp_path: Path) -> None:
    from workbench.coding.redaction import accept_identifier

    with new_study(tmp_path / "s.dyad") as p:
        _build(p, tmp_path)
        add_journal_entry(p, "Met Samer's family today.")  # the journal is exported too
        accept_identifier(p, "Samer")
        out = tmp_path / "x.qdpx"
        from workbench.exchange.registry import ExportOptions, export

        (entry,) = [j for j in list_journal(p) if "Samer" in j.text]  # named by its listed id
        with pytest.raises(
            StudyError,
            match=rf"still holds 'Samer' \(an accepted identifier, in journal entry {entry.id[:8]}\)",
        ):
            export(p, "qdpx", out, ExportOptions())
        assert not out.exists()
        export(p, "qdpx", out, ExportOptions(override_check=True))
    with zipfile.ZipFile(out) as z:
        qde = z.read("project.qde").decode()
        assert "Samer" in qde  # as the analyst chose
        assert "overrode the pseudonymisation check" in qde


def _rewritten(src: Path, dest: Path, *, keep_sidecar: bool, append: str = "") -> Path:
    """The archive as another tool rewrites it: our side file dropped (or kept), a turn added."""
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(dest, "w") as out:
        for name in z.namelist():
            if name == SIDECAR and not keep_sidecar:
                continue
            data = z.read(name)
            if name.startswith("sources/"):
                data += append.encode()
            out.writestr(name, data)
    return dest


@pytest.mark.parametrize("keep_sidecar", [False, True])
def test_speaker_turns_survive_without_our_side_file(tmp_path: Path, keep_sidecar: bool) -> None:
    with new_study(tmp_path / "source.dyad", title="Turns") as p:
        _build(p, tmp_path)
        export_qdpx(p, tmp_path / "ours.qdpx")
        turns = [(u.speaker, u.text) for u in utterances(p, "P01-baseline")]
        codings = sorted((c.code, c.text) for c in list_codings(p) if c.interview != "P02-baseline")
    with zipfile.ZipFile(tmp_path / "ours.qdpx") as z:
        text = z.read(next(n for n in z.namelist() if n.startswith("sources/"))).decode()
    # As other tools show a transcript: one "Label: text" turn per paragraph.
    assert text.split("\n\n")[:2] == [
        "Interviewer: How have your nights been?",
        "Patient: I wake up at three 🌙 and cannot sleep again.",
    ]
    # Stale: another tool added a turn and kept our side file, which no longer fits the text.
    append = "\n\nPatient: Added elsewhere." if keep_sidecar else ""
    bare = _rewritten(
        tmp_path / "ours.qdpx", tmp_path / "bare.qdpx", keep_sidecar=keep_sidecar, append=append
    )
    result = import_qdpx_as_new(str(tmp_path / "back.dyad"), bare)
    assert result.not_carried == ()
    assert any(
        "4 speaker turn(s)" in line or "5 speaker turn(s)" in line for line in result.inferred
    )
    if keep_sidecar:
        assert any("no longer matches our side file" in w for w in result.warnings)
    with open_project(tmp_path / "back.dyad") as q:
        got = [(u.speaker, u.text) for u in utterances(q, "P01-baseline")]
        assert got == turns + ([("P01", "Added elsewhere.")] if keep_sidecar else [])
        assert sorted((c.code, c.text) for c in list_codings(q)) == codings


def test_the_import_report_counts_each_kind_once_and_lists_them_with_verbose(
    tmp_path: Path, capsys
) -> None:
    raw = "Interviewer: How are nights?\n\nPatient: bad.\n"
    selections = "".join(_sel(i, 3, 3, "empty") for i in range(1, 5)) + _sel(9, 14, 17, "How")
    xml = _project_xml("MAXQDA 24", "internal://a.txt", selections)
    path = _archive(tmp_path / "tool.qdpx", {"project.qde": xml, "sources/a.txt": raw})
    assert main(["import", str(tmp_path / "one.dyad"), str(path)]) == 0
    err = capsys.readouterr().err
    assert "note: not carried: 4 × zero-length or reversed selection (each with --verbose)" in err
    assert err.count("zero-length") == 1
    assert "note: inferred: source 'Interview A': 2 speaker turn(s)" in err
    assert main(["import", str(tmp_path / "two.dyad"), str(path), "--verbose"]) == 0
    err = capsys.readouterr().err
    assert err.count("zero-length") == 4 and "inferred:" in err


def _edit_qde(src: Path, dest: Path, edit, *, keep_sidecar: bool = True) -> Path:
    """The archive with its project.qde changed by ``edit(root)`` (as another tool saves it)."""
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(dest, "w") as out:
        for name in z.namelist():
            data = z.read(name)
            if name == SIDECAR and not keep_sidecar:
                continue
            if name == "project.qde":
                root = etree.fromstring(data)
                edit(root)
                data = etree.tostring(root, xml_declaration=True, encoding="utf-8")
            out.writestr(name, data)
    return dest


def test_coding_memos_travel_as_descriptions_and_are_never_dropped(tmp_path: Path) -> None:
    with new_study(tmp_path / "source.dyad", title="Memos") as p:
        _build(p, tmp_path)
        export_qdpx(p, tmp_path / "ours.qdpx")
    root = _qde(tmp_path / "ours.qdpx")
    described = [
        s for s in root.iter(f"{NS}PlainTextSelection") if s.find(f"{NS}Description") is not None
    ]
    assert [s.find(f"{NS}Description").text for s in described] == ["at 3 am"]

    def qualcoder(root: etree._Element) -> None:  # keeps Descriptions, drops our Notes
        for notes in root.findall(f"{NS}Notes"):
            root.remove(notes)
        for ref in list(root.iter(f"{NS}NoteRef")):
            ref.getparent().remove(ref)

    qc = _edit_qde(tmp_path / "ours.qdpx", tmp_path / "qc.qdpx", qualcoder, keep_sidecar=False)
    result = import_qdpx_as_new(str(tmp_path / "qc.dyad"), qc)
    assert result.coding_memos == 1
    with open_project(tmp_path / "qc.dyad") as q:
        assert [c.memo for c in list_codings(q) if c.memo] == ["at 3 am"]

    def drop_memo_selection(root: etree._Element) -> None:  # a tool deleted that coding
        for sel in described:
            for mine in root.iter(f"{NS}PlainTextSelection"):
                if mine.get("guid") == sel.get("guid"):
                    mine.getparent().remove(mine)

    gone = _edit_qde(tmp_path / "ours.qdpx", tmp_path / "gone.qdpx", drop_memo_selection)
    result = import_qdpx_as_new(str(tmp_path / "gone.dyad"), gone)
    assert any("its coding is gone from the file" in w for w in result.warnings)
    with open_project(tmp_path / "gone.dyad") as q:
        kept = [(m.about, m.text) for m in list_memos(q) if m.text == "at 3 am"]
        assert kept == [("interview:P01-baseline", "at 3 am")]


@pytest.mark.parametrize(
    ("origin", "count"),
    [("NVivo 14.23.0 (Windows)", "utf16"), ("ATLAS.ti 23.4.0", "crlf1"), ("MAXQDA 2022", "std")],
)
def test_a_shortened_name_never_shortens_the_span(tmp_path: Path, origin: str, count: str) -> None:
    raw = "Interviewer: Nights? 🌙\r\n\r\nPatient: I lie awake until the birds start, then sleep an hour or so at most.\r\n"
    norm = raw.replace("\r\n", "\n")

    def pos(i: int) -> int:
        if count == "crlf1":
            return i
        raw_i = i + norm[:i].count("\n")
        return raw_i if count == "std" else raw_i + sum(1 for ch in raw[:raw_i] if ord(ch) > 0xFFFF)

    a = norm.index("I lie")
    b = norm.index(" at most")
    full = norm[a:b]
    assert len(full) > 50
    shortened = full[:30]  # ATLAS.ti's quotation name: the first characters only
    off = norm.index("lie awake")  # a name that does not quote these words at all
    selections = _sel(1, pos(a), pos(b), shortened) + _sel(2, pos(off), pos(off + 9), "Nights")
    xml = _project_xml(origin, "a.txt", selections)
    path = _archive(tmp_path / "t.qdpx", {"project.qde": xml, "sources/a.txt": raw.encode()})
    result = import_qdpx_as_new(str(tmp_path / "t.dyad"), path)
    with open_project(tmp_path / "t.dyad") as p:
        texts = sorted(c.text for c in list_codings(p))
    # The full span is kept; the mismatched one keeps its 9 characters, moved to the name's start.
    assert texts == sorted([full, "Nights? 🌙"[:9]])
    moved = [w for w in result.warnings if "moved from" in w]
    assert moved == [
        "source 'Interview A', selection 'Nights': moved from 'lie awake' to 'Nights? 🌙'"
    ]


def test_categories_source_names_and_selection_guids_survive_a_round_trip(
    tmp_path: Path,
) -> None:
    raw = "Interviewer: How are nights?\n\nPatient: bad, always.\n"
    xml = _project_xml("MAXQDA 24", "internal://a.txt", _sel(7, 14, 17, "How")).replace(
        "<Code guid='' name='' isCodable='true'/>",
        '<Code guid="c003" name="Grouping" isCodable="false"/>',
    )
    path = _archive(tmp_path / "tool.qdpx", {"project.qde": xml, "sources/a.txt": raw})
    import_qdpx_as_new(str(tmp_path / "t.dyad"), path)
    with open_project(tmp_path / "t.dyad") as p:
        assert [i.id for i in list_interviews(p)] == ["Interview_A"]  # an id is one word
        export_qdpx(p, tmp_path / "back.qdpx")
    root = _qde(tmp_path / "back.qdpx")
    codable = {c.get("name"): c.get("isCodable") for c in root.iter(f"{NS}Code")}
    assert codable == {"Night": "true", "Day": "true", "Grouping": "false"}
    assert [s.get("name") for s in root.iter(f"{NS}TextSource")] == ["Interview A"]
    assert [s.get("guid") for s in root.iter(f"{NS}PlainTextSelection")] == [
        "00000007-0000-4000-8000-000000000000"
    ]
