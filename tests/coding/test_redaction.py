"""Redaction keeps codings on their words; originals live only in the separate key file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.coding.codebook import add_code
from workbench.coding.codings import apply_code, list_codings
from workbench.coding.redaction import (
    accept_identifier,
    check_identifiers,
    redact,
    suggest_identifiers,
)
from workbench.coding.study import new_study
from workbench.coding.transcripts import interview_text
from workbench.coding.undo import undo
from workbench.domain.study import StudyError
from workbench.storage.project import Project, open_project

from ..helpers import interview_with

LINES = [
    ("P01", "My brother Samer is in detention near Deir al-Nour, since the war."),
    ("P01", "أخي سامر في السجن منذ سنتين"),
    ("P01", "Yesterday Samer called Hiwet from Mendefera on 14 March."),
    ("C01", "Dr Brandt thinks Samer is safe for now."),
]
NAMES = {"Samer": "[brother]", "سامر": "[brother]", "Hiwet": "[sister]"}
PLACES = {"Deir al-Nour": "[home town]", "Mendefera": "[town in Eritrea]"}


def _coded(project: Project) -> None:
    interview_with(project, "I1", LINES, people=(("P01", "patient"), ("C01", "clinician")))
    full = interview_text(project, "I1")
    add_code(project, "family")
    add_code(project, "place")
    for code, words in [
        ("family", "brother Samer is in detention"),
        ("family", "أخي سامر"),
        ("family", "Samer called Hiwet"),
        ("place", "Deir al-Nour"),
    ]:
        at = full.index(words)
        apply_code(project, "I1", at, at + len(words), code)


def test_redacting_names_and_places_keeps_codings_and_leaves_no_original_in_the_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "s.dyad"
    with new_study(path) as p:
        _coded(p)
        for original, placeholder in {**NAMES, **PLACES}.items():
            report = redact(p, placeholder, everywhere=original)
            assert report.occurrences >= 1
        assert sorted(c.text for c in list_codings(p)) == [
            "[brother] called [sister]",
            "[home town]",
            "brother [brother] is in detention",
            "أخي [brother]",
        ]
        assert "Samer" not in interview_text(p, "I1")
    raw = path.read_bytes()
    for original in {**NAMES, **PLACES}:
        assert original.encode("utf-8") not in raw, original
    key = path.with_suffix(".dyadkey").read_bytes()
    for original in {**NAMES, **PLACES}:
        assert original.encode("utf-8") in key


def test_undo_needs_the_key_and_restores_original_text_and_codings(tmp_path: Path) -> None:
    path = tmp_path / "s.dyad"
    with new_study(path) as p:
        _coded(p)
        before_text = interview_text(p, "I1")
        before = sorted(c.text for c in list_codings(p))
        redact(p, "[brother]", everywhere="Samer")
        key = path.with_suffix(".dyadkey")
        hidden = tmp_path / "elsewhere.key"
        shutil.move(key, hidden)
        with pytest.raises(StudyError, match="needs its key"):
            undo(p)
        undo(p, key=hidden)
        assert interview_text(p, "I1") == before_text
        assert sorted(c.text for c in list_codings(p)) == before


def test_refusals_keep_everything_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "s.dyad"
    with new_study(path) as p:
        _coded(p)
        redact(p, "[brother]", everywhere="Samer")
        with pytest.raises(StudyError, match="same placeholder"):
            redact(p, "[friend]", interview="I1", start=0, end=2, everywhere="Samer")
        text = interview_text(p, "I1")
        at = text.index("[brother]")
        with pytest.raises(StudyError, match="overlaps a redaction"):
            redact(p, "[x]", interview="I1", start=at + 1, end=at + 12)
        with pytest.raises(StudyError, match="within one utterance"):
            redact(p, "[x]", interview="I1", start=at, end=text.index("أخي") + 2)
        assert interview_text(p, "I1") == text
    other = tmp_path / "other.dyad"
    new_study(other).close()
    with open_project(other) as q, pytest.raises(StudyError, match="another project"):
        redact(q, "[x]", everywhere="anything", key_path=path.with_suffix(".dyadkey"))


def test_suggest_accept_and_check_before_export(tmp_path: Path, capsys) -> None:
    path = tmp_path / "s.dyad"
    with new_study(path) as p:
        _coded(p)
        found = {c.text: c.kind for c in suggest_identifiers(p)}
        for name in ("Samer", "Hiwet", "Mendefera", "Brandt"):
            assert any(name in text for text in found), (name, found)
        assert found.get("14 March") == "date"
        accept_identifier(p, "Hiwet")
        assert [leak.found for leak in check_identifiers(p)] == ["Hiwet"]
    assert main(["pseudonyms", "check", str(path)]) != 0
    assert "would be exported" in capsys.readouterr().err
    assert main(["redact", str(path), "--all", "Hiwet", "--as", "[sister]"]) == 0
    assert main(["pseudonyms", "check", str(path)]) == 0
    assert main(["redact", str(path), "--all", "Nobody", "--as", "[x]"]) != 0
