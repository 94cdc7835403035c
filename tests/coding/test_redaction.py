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


def test_a_redaction_across_coding_edges_snaps_them_and_undo_puts_them_back(
    tmp_path: Path, capsys
) -> None:
    path = tmp_path / "s.dyad"
    with new_study(path) as p:
        _coded(p)
        full = interview_text(p, "I1")
        add_code(p, "edge")
        for words, start_at in [
            ("mer is in detention", full.index("Samer is")),  # starts inside "Samer"
            ("am", full.index("Samer is")),  # wholly inside
            ("called Hiw", full.index("Samer called")),  # ends inside "Hiwet"
        ]:
            at = full.index(words, start_at)
            apply_code(p, "I1", at, at + len(words), "edge")
        before = sorted((c.code, c.text) for c in list_codings(p))
    assert main(["redact", str(path), "--all", "Samer", "--as", "[brother]"]) == 0
    out = capsys.readouterr().out
    assert "redacted 3 occurrence(s) as [brother] in I1" in out
    assert "note: 3 coding edges inside the original now sit at the placeholder" in out
    with open_project(path) as p:
        report = redact(p, "[sister]", everywhere="Hiwet")
        assert report.snapped == 1
        edge = sorted(c.text for c in list_codings(p) if c.code == "edge")
        assert edge == ["[brother]", "[brother] is in detention", "called [sister]"]
        undo(p)
        undo(p)
        assert sorted((c.code, c.text) for c in list_codings(p)) == before


def test_missing_or_wrong_keys_are_refused_with_a_reason_and_nothing_is_lost(
    tmp_path: Path,
) -> None:
    path = tmp_path / "s.dyad"
    key = path.with_suffix(".dyadkey")
    with new_study(path) as p:
        _coded(p)
        redact(p, "[brother]", everywhere="Samer")
        text = interview_text(p, "I1")
        codings = sorted(c.text for c in list_codings(p))
        moved = tmp_path / "safe" / "s.dyadkey"
        moved.parent.mkdir()
        shutil.move(key, moved)
        # A missing key is not silently replaced by a new one.
        with pytest.raises(StudyError, match=r"already has 3 redaction\(s\).*give that key"):
            redact(p, "[sister]", everywhere="Hiwet")
        with pytest.raises(StudyError, match="already has 3 redaction"):
            accept_identifier(p, "Brandt")
        assert not key.exists()
        # Files that are not this project's key.
        other = tmp_path / "other.dyad"
        with new_study(other) as q:
            accept_identifier(q, "Someone")
        garbage = tmp_path / "garbage.dyadkey"
        garbage.write_bytes(b"not a database at all, just some bytes" * 100)
        for wrong, reason in [
            (other.with_suffix(".dyadkey"), "key of another project"),
            (path, "not a readable key file"),
            (garbage, "not a readable key file"),
            (tmp_path, "is a folder"),
            (tmp_path / "nowhere.dyadkey", "no key file at"),
        ]:
            with pytest.raises(StudyError, match=reason):
                undo(p, key=wrong)
            with pytest.raises(StudyError, match=reason):
                check_identifiers(p, wrong)
        assert interview_text(p, "I1") == text
        assert sorted(c.text for c in list_codings(p)) == codings
        # A new key on purpose: the earlier redaction stays undoable with the old key only.
        with pytest.raises(StudyError, match="cannot make the key file"):
            redact(p, "[x]", everywhere="Hiwet", new_key=True, key_path=tmp_path / "no" / "k")
        redact(p, "[sister]", everywhere="Hiwet", new_key=True)
        assert key.exists() and key.stat().st_mode & 0o777 == 0o600
        undo(p)  # Hiwet, with the new key
        with pytest.raises(StudyError, match="does not hold that redaction's original"):
            undo(p)
        assert interview_text(p, "I1") == text
        undo(p, key=moved)
        assert "Samer" in interview_text(p, "I1")
    assert garbage.read_bytes().startswith(b"not a database")  # a wrong key is never written


def test_word_times_of_a_transcription_lose_the_original_too(tmp_path: Path) -> None:
    from workbench.coding.study import add_interview, add_participant
    from workbench.coding.transcripts import append_transcription

    path = tmp_path / "s.dyad"
    with new_study(path) as p:
        add_participant(p, "P01", "patient")
        add_interview(p, "I1", wave="baseline", participants=[("P01", None)])
        row = {
            "speaker": "P01",
            "start_ms": 0,
            "end_ms": 2000,
            "text": "My brother Samer called.",
            "language": "en",
            "needs_review": False,
            "untranscribed_speech": False,
        }
        words = [[(0, 300, " My", 0.9), (300, 900, " brother", 0.9)]]
        words[0] += [(900, 1500, " Samer", 0.8), (1500, 2000, " called.", 0.9)]
        append_transcription(p, "I1", [row], words, model="tiny.en")
        redact(p, "[brother]", everywhere="Samer")
        assert interview_text(p, "I1") == "My brother [brother] called."
    assert b"Samer" not in path.read_bytes()
    assert b"Samer" in path.with_suffix(".dyadkey").read_bytes()


def test_a_key_holder_sees_the_originals_on_request_and_nothing_changes(
    tmp_path: Path, capsys
) -> None:
    path = tmp_path / "s.dyad"
    with new_study(path) as p:
        _coded(p)
        before = interview_text(p, "I1")
        for original, placeholder in {**NAMES, **PLACES}.items():
            redact(p, placeholder, everywhere=original)
        redacted = interview_text(p, "I1")
    capsys.readouterr()
    assert main(["text", str(path), "I1", "--originals"]) == 0
    assert capsys.readouterr().out == before
    assert main(["text", str(path), "I1"]) == 0
    assert capsys.readouterr().out == redacted
    shutil.move(path.with_suffix(".dyadkey"), tmp_path / "away.key")
    assert main(["text", str(path), "I1", "--originals"]) != 0
    assert "no key file at" in capsys.readouterr().err
    assert main(["text", str(path), "I1", "--originals", "--key", str(tmp_path / "away.key")]) == 0
    assert capsys.readouterr().out == before
    assert main(["text", str(path), "I1", "--key", str(tmp_path / "away.key")]) != 0
    with open_project(path) as p:
        assert interview_text(p, "I1") == redacted
    assert b"Samer" not in path.read_bytes()


def test_suggestions_find_listed_words_participant_names_and_numbers_in_any_script(
    tmp_path: Path, capsys
) -> None:
    from workbench.coding.study import set_attribute

    path = tmp_path / "s.dyad"
    with new_study(path) as p:
        interview_with(
            p,
            "I2",
            [
                ("P01", "كنت في مخيم الزعتري مع أخي سامر."),
                ("P01", "My case number is 2231 4478, we meet at 10:30 on 3/4/2024."),
            ],
        )
        set_attribute(p, "P01", "first_name", "سامر")
        found = {(c.text, c.kind) for c in suggest_identifiers(p, words=["الزعتري"])}
        assert ("الزعتري", "listed") in found
        assert ("سامر", "participant") in found
        assert ("2231 4478", "number") in found
        assert not any(text.startswith("10") for text, kind in found if kind == "number")
        assert ("3/4/2024", "date") in found and ("2024", "number") not in found
    words = tmp_path / "words.txt"
    words.write_text("الزعتري\n", encoding="utf-8")
    assert main(["pseudonyms", "suggest", str(path), "--words", str(words)]) == 0
    assert "listed" in capsys.readouterr().out
    assert main(["pseudonyms", "suggest", str(path), "--words", str(tmp_path / "none")]) != 0
