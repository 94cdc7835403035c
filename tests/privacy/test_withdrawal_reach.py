"""Withdrawal reaches what analysts wrote from the withdrawn person's words."""

from __future__ import annotations

import zipfile
from pathlib import Path

from workbench.cli import main
from workbench.coding.codebook import add_code
from workbench.coding.codings import apply_code
from workbench.coding.memos import add_journal_entry, add_memo, edit_memo, list_journal, list_memos
from workbench.coding.study import new_study
from workbench.coding.transcripts import interview_text
from workbench.coding.withdraw import withdraw_participant
from workbench.coding.withdraw_reach import shingles
from workbench.storage.project import open_project

from ..helpers import interview_with

THEIRS = "The night before the boat left, my uncle sang an old song for all of us."
MINE = "Since week six I sleep better, and I walk with my daughter every morning."
BOTH = "It was so cold in the winter camp."  # said by both: not P02's alone
UNRELATED = ("P01 describes sleep improving after week six.", "Re-read the codebook tomorrow.")
PHRASES = [b"night before the boat left", b"uncle sang an old song", b"song for all of us"]


def _study(path: Path) -> None:
    with new_study(path) as p:
        interview_with(
            p,
            "A",
            [("R01", "Tell me."), ("P02", THEIRS), ("P02", BOTH)],
            people=(("P02", "patient"), ("R01", "researcher")),
        )
        interview_with(
            p,
            "B",
            [("R01", "And you?"), ("P01", MINE), ("P01", BOTH)],
            people=(("P01", "patient"), ("R01", "researcher")),
        )
        add_code(p, "sleep")
        text = interview_text(p, "B")
        at = text.index("I sleep better")
        apply_code(
            p,
            "B",
            at,
            at + 14,
            "sleep",
            memo='Compare P02: "my uncle sang an old song for all of us".',
        )
        memo, _ = add_memo(p, "First draft.", about="interview:B")
        edit_memo(p, memo.id, text="P02 said the night before the boat left was the worst.")
        edit_memo(p, memo.id, text="P02 said THE NIGHT before the boat, left: was the worst!")
        add_memo(p, UNRELATED[0], about="interview:B")
        add_memo(p, "Both said it was so cold in the winter camp.", about="interview:B")
        add_journal_entry(p, "Thinking of the uncle who sang an old song for all of us, tonight.")
        add_journal_entry(p, UNRELATED[1])


def _raw(path: Path) -> bytes:
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_withdrawal_replaces_their_quotes_and_id_in_analyst_text_and_says_where(
    tmp_path: Path, capsys
) -> None:
    path = tmp_path / "study.dyad"
    _study(path)
    assert all(phrase in _raw(path) for phrase in PHRASES[1:])  # the test can fail
    out = tmp_path / "before.csv"
    assert main(["export", str(path), "--format", "csv", "-o", str(out)]) == 0
    capsys.readouterr()
    with open_project(path) as p:
        receipt = withdraw_participant(p, "P02")
        changed = "\n".join(receipt.derived_text_changed)
        assert "coding memo " in changed and "journal entry " in changed
        # Each changed memo is named by the id `memo list` prints for it.
        rewritten = [m.id[:8] for m in list_memos(p) if "[withdrawn]" in m.text]
        assert rewritten and all(f"\nmemo {i}: " in "\n" + changed for i in rewritten)
        assert receipt.audit_entries_rewritten > 0
        assert any(c == "export written earlier: before.csv" for c in receipt.unreachable_copies)
        memos = {m.text for m in list_memos(p)}
        assert UNRELATED[0] in memos  # untouched, P01 and all
        assert "Both said it was so cold in the winter camp." in memos  # P01 said it too
        assert "[withdrawn] said [withdrawn]: was the worst!" in memos
        journal = [j.text for j in list_journal(p)]
        assert UNRELATED[1] in journal
        assert "Thinking of the uncle who [withdrawn], tonight." in journal
        assert MINE in interview_text(p, "B")
        for f in [f for f in tmp_path.iterdir() if f.name.startswith("study.dyad")]:
            raw = f.read_bytes()
            assert b"P02" not in raw, f.name
            for phrase in PHRASES:
                assert phrase not in raw.lower(), (f.name, phrase)
    raw = _raw(path)
    assert b"P02" not in raw and not any(phrase in raw.lower() for phrase in PHRASES)
    left = shingles([raw.decode("utf-8", errors="ignore")]) & shingles([THEIRS])
    assert not left, left  # no run of five of their words, whatever the punctuation
    for fmt in ("csv", "qdpx"):
        after = tmp_path / f"after.{fmt}"
        assert main(["export", str(path), "--format", fmt, "-o", str(after)]) == 0
        body = after.read_bytes()
        if zipfile.is_zipfile(after):
            with zipfile.ZipFile(after) as z:
                body = b"".join(z.read(n) for n in z.namelist())
        assert b"P02" not in body and not any(phrase in body.lower() for phrase in PHRASES), fmt
    assert main(["withdraw", str(path), "P01"]) == 0
    assert "changed in analyst text (" in capsys.readouterr().out


def test_their_id_inside_a_placeholder_reads_as_one_placeholder() -> None:
    """Found by trying the tool: ``[P01's wife]`` became ``[[withdrawn]'s wife]``."""
    from workbench.coding.withdraw_reach import Quotation

    quotation = Quotation(set(), "P01")
    text, changed = quotation.replace("[P01's wife] came; P01 said so. [patient P01] [x] P01]")
    assert text == (
        "[withdrawn's wife] came; [withdrawn] said so. [patient withdrawn] [x] [withdrawn]]"
    )
    assert changed == 4
