"""REFI-QDA codebooks: export validates against the schema, round-trips, and tools' files import."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from workbench.cli import main
from workbench.coding.codebook import add_code, list_codes
from workbench.coding.study import new_study
from workbench.coding.themes import add_theme, list_themes
from workbench.domain.study import StudyError
from workbench.exchange.qdc import export_qdc, import_qdc

from ..conftest import DATA

SCHEMA = etree.XMLSchema(etree.parse(str(DATA / "refi" / "Codebook-mrt2019.xsd")))


def test_export_is_valid_stable_and_round_trips(tmp_path: Path) -> None:
    with new_study(tmp_path / "a.dyad") as p:
        add_code(p, "Sleep", color="#4f6d7a", definition="Nights & dreams <all>")
        add_code(p, "Nightmares", parent="Sleep", definition="Waking from dreams")
        add_code(p, "نوم", parent="Sleep")  # Arabic name
        add_theme(p, "Nights", codes=["Nightmares", "نوم"], concept="Sleep as distress")
        first, second = tmp_path / "one.qdc", tmp_path / "two.qdc"
        assert export_qdc(p, first) == 3
        export_qdc(p, second)
    assert SCHEMA.validate(etree.parse(str(first))), SCHEMA.error_log
    assert first.read_bytes() == second.read_bytes()  # same GUIDs every time
    with new_study(tmp_path / "b.dyad") as q:
        result = import_qdc(q, first)
        assert (result.codes, result.themes) == (3, 1)
        codes = {c.path: c for c in list_codes(q)}
        assert set(codes) == {"Sleep", "Sleep / Nightmares", "Sleep / نوم"}
        assert codes["Sleep"].color == "#4f6d7a"
        assert codes["Sleep"].definition == "Nights & dreams <all>"
        assert list_themes(q)[0].codes == ("Sleep / Nightmares", "Sleep / نوم")
        again = tmp_path / "three.qdc"
        export_qdc(q, again)
    assert again.read_bytes().replace(b"b.dyad", b"") == first.read_bytes().replace(b"a.dyad", b"")


def test_an_atlas_ti_codebook_imports(tmp_path: Path, capsys) -> None:
    path = tmp_path / "s.dyad"
    new_study(path).close()
    source = DATA / "refi" / "atlasti23_codebook_from_requal_test.qdc"
    assert main(["import", str(path), str(source)]) == 0
    assert "imported 1 codes and 1 themes" in capsys.readouterr().out
    assert main(["import", str(path), str(source)]) == 0  # the same codes are not doubled
    assert "exists already" in capsys.readouterr().err
    assert main(["code", "list", str(path), "--json"]) == 0
    import json

    codes = json.loads(capsys.readouterr().out)
    assert [(c["name"], c["color"], c["definition"]) for c in codes] == [
        ("code1", "#46AA00", "description")
    ]


def test_hostile_or_wrong_files_are_refused_with_nothing_written(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.qdc"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">'
        ']><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="1FF58B12-6F6F-4B0C-8BE5-'
        'BBDC91F55294" name="&b;" isCodable="true"/></Codes></CodeBook>',
        encoding="utf-8",
    )
    external = tmp_path / "external.qdc"
    external.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="1FF58B12-6F6F-4B0C-8BE5-'
        'BBDC91F55294" name="x&e;" isCodable="true"/></Codes></CodeBook>',
        encoding="utf-8",
    )
    notes = tmp_path / "notes.qdc"
    notes.write_text("just some notes", encoding="utf-8")
    with new_study(tmp_path / "s.dyad") as p:
        for hostile in (bomb, external):
            with pytest.raises(StudyError, match="refused as unsafe"):
                import_qdc(p, hostile)
        with pytest.raises(StudyError, match="not a readable codebook"):
            import_qdc(p, notes)
        assert list_codes(p) == []
