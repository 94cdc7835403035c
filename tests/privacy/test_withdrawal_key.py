"""Withdrawal reaches the pseudonymisation key: originals only the withdrawn person's text used
(their own name, a relative's, a home town only they spoke of) leave the key, with those words
from its accepted identifiers and watch list, and the key file's bytes. An original that others'
text still uses stays, and still undoes. Without the key at hand the receipt says how many stay
and how to remove them (``pseudonyms prune``)."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import create_engine, text

from workbench.cli import main
from workbench.coding.keystore import KeyStore, prune_key
from workbench.coding.redaction import accept_identifier, redact
from workbench.coding.study import new_study
from workbench.coding.transcripts import interview_text
from workbench.coding.watchlist import watch_words
from workbench.coding.withdraw import withdraw_participant
from workbench.storage.project import Project, open_project

from ..coding.test_redaction_pg import Team, team  # noqa: F401 (fixture)
from ..helpers import interview_with

THEIRS = {"Adnan": "[patient P01]", "Qaryatayn": "[P01's home town]"}
SHARED = {"Samer": "[P01's brother]"}  # the clinician speaks of him too


def _study(p: Project, key: str | None = None) -> None:
    people = (("P01", "patient"), ("R01", "researcher"))
    interview_with(
        p,
        "P01-b",
        [("R01", "Tell me."), ("P01", "I am Adnan, from Qaryatayn. My brother Samer was taken.")],
        people=people,
    )
    clinic = (("C01", "clinician"), ("R01", "researcher"))
    interview_with(p, "C01-b", [("C01", "We spoke about Samer, his brother.")], people=clinic)
    for original, placeholder in {**THEIRS, **SHARED}.items():
        redact(p, placeholder, everywhere=original, key_path=key)
    accept_identifier(p, "Adnan", key)
    watch_words(p, ["Adnan", "Hiwet", "عدنان", "Samer"], key)
    interview_with(
        p, "P01-m", [("P01", "أنا عدنان، ابن الضيعة.")], people=people, wave="mid-treatment"
    )


def test_originals_only_their_text_used_leave_the_key_file(tmp_path: Path, capsys) -> None:
    path = tmp_path / "study.dyad"
    with new_study(path, title="Key") as p:
        _study(p)
    keyfile = path.with_suffix(".dyadkey")
    assert b"Qaryatayn" in keyfile.read_bytes()
    assert main(["withdraw", str(path), "P01"]) == 0
    out = capsys.readouterr().out
    assert (
        "originals removed from the pseudonymisation key (only their text used them): 2 (and 3 "
        "word(s) of theirs from its accepted identifiers and watch list)" in out
    )
    raw = keyfile.read_bytes()
    assert b"Adnan" not in raw and b"Qaryatayn" not in raw  # entries, identifier, watch list
    assert "عدنان".encode() not in raw  # watched, said by them only (never a redaction)
    assert b"Samer" in raw and b"Hiwet" in raw  # others' text still uses it; another's word
    with open_project(path) as p:
        store = KeyStore.open(p, None)
        assert sorted(store.originals()) == ["Samer"]
        assert store.identifiers() == [] and store.watched() == ["Hiwet", "Samer"]
        assert interview_text(p, "C01-b") == "We spoke about [P01's brother], his brother."
    # The shared original is still there for a key holder to read in the clinician's text.
    assert main(["text", str(path), "C01-b", "--originals"]) == 0
    assert "We spoke about Samer, his brother." in capsys.readouterr().out


def test_without_the_key_the_receipt_says_so_and_prune_removes_them_later(
    tmp_path: Path, capsys
) -> None:
    path = tmp_path / "study.dyad"
    with new_study(path, title="Key") as p:
        _study(p)
    elsewhere = tmp_path / "safe" / "study.dyadkey"
    elsewhere.parent.mkdir()
    shutil.move(path.with_suffix(".dyadkey"), elsewhere)
    with open_project(path) as p:
        receipt = withdraw_participant(p, "P01")
        assert receipt.key_originals_removed == 0
        (note,) = [c for c in receipt.unreachable_copies if "pseudonymisation key" in c]
        assert "not reached" in note and "2 original(s) of redactions only their text used" in note
        assert "workbench pseudonyms prune PROJECT --key KEY" in note
    assert b"Qaryatayn" in elsewhere.read_bytes()
    assert main(["pseudonyms", "prune", str(path), "--key", str(elsewhere)]) == 0
    assert "removed 2 original(s) from the key" in capsys.readouterr().out
    assert b"Qaryatayn" not in elsewhere.read_bytes()
    with open_project(path) as p:
        assert prune_key(p, elsewhere) == (0, 0)  # nothing more to remove
        assert KeyStore.open(p, elsewhere).originals() == ["Samer"]


def test_a_team_key_loses_their_originals_too(team: Team) -> None:  # noqa: F811
    with new_study(team.analyst, title="Team") as p:
        _study(p, team.holder)
        receipt = withdraw_participant(p, "P01", key_path=team.holder)
        assert receipt.key_originals_removed == 2
    admin = create_engine(team.admin)
    with admin.connect() as c:
        assert set(c.scalars(text("SELECT original FROM dyad_key.entry"))) == {"Samer"}
        assert set(c.scalars(text("SELECT text FROM dyad_key.identifier"))) == set()
        assert set(c.scalars(text("SELECT text FROM dyad_key.watch"))) == {"Hiwet", "Samer"}
    admin.dispose()
