"""Withdrawal reads quotes in any spelling, as the check and the gate read names (a review's
findings): vowel marks, tatweel, hamza, a soft hyphen or accents written apart do not hide a
quote of theirs, nor make a quote of someone who stays theirs; an id holding theirs is another
person's; the key's words only they said go, and a key not reached is said to hold them; a file
name with an underscore or a digit beside a name, or a watched word, is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.coding.identifiers import accept_identifier
from workbench.coding.keystore import KeyStore
from workbench.coding.memos import add_memo, list_memos
from workbench.coding.redaction import redact
from workbench.coding.study import new_study
from workbench.coding.watchlist import watch_words
from workbench.coding.withdraw import withdraw_participant
from workbench.exchange.gate import ExportRefused
from workbench.exchange.registry import ExportOptions, export

from ..helpers import interview_with

MARKED = "أَخِي مُحَمَّد عَبَرَ النَّهْرَ فِي اللَّيْلِ وَحْدَهُ"  # "my brother Muhammad crossed the river…"
PLAIN = "أخي محمد عبر النهر في الليل وحده"
PEOPLE = (("P02", "patient"), ("R01", "researcher"))


def _memos(p) -> list[str]:  # type: ignore[no-untyped-def]
    return [m.text for m in list_memos(p)]


@pytest.mark.parametrize(
    ("said", "quoted"),
    [
        (MARKED, f"قالت: {PLAIN}"),  # their turn with vowel marks, the memo without
        (PLAIN, f"قالت: {MARKED}"),
        ("أخي محمـــد عبـــر النهـــر فـــي الليـــل وحده", f"قالت: {PLAIN}"),  # tatweel
        (
            "My brother Sa\u00admer crossed the river alone",
            "He said my brother Samer crossed the river alone.",
        ),
        ("We left Jose\u0301 at the border that night", "we left José at the border that night"),
    ],
)
def test_a_quote_in_another_spelling_of_their_words_goes(
    tmp_path: Path, said: str, quoted: str
) -> None:
    path = tmp_path / "study.dyad"
    with new_study(path) as p:
        interview_with(p, "A", [("R01", "Tell me."), ("P02", said)], people=PEOPLE)
        interview_with(p, "B", [("R01", "And you?"), ("P01", "Fine, thank you.")])
        add_memo(p, quoted, about="interview:B")
        withdraw_participant(p, "P02")
        (memo,) = _memos(p)
    assert "[withdrawn]" in memo
    for word in ("النهر في الليل", "crossed the river alone", "at the border that night"):
        assert word not in memo


MARKED_TOO = "الحَمْدُ لِلَّهِ على كل حال يا أختي"  # "praise God, whatever happens, sister"
PLAIN_TOO = "الحمد لله على كل حال يا أختي"


@pytest.mark.parametrize(("stays", "goes"), [(MARKED_TOO, PLAIN_TOO), (PLAIN_TOO, MARKED_TOO)])
def test_a_quote_someone_who_stays_also_said_stays_in_any_spelling(
    tmp_path: Path, stays: str, goes: str
) -> None:
    with new_study(tmp_path / "study.dyad") as p:
        interview_with(p, "A", [("R01", "Tell me."), ("P02", goes)], people=PEOPLE)
        interview_with(p, "B", [("R01", "And you?"), ("P01", stays)])
        add_memo(p, f"P01 put it this way: {goes}", about="interview:B")
        withdraw_participant(p, "P02")
        assert _memos(p) == [f"P01 put it this way: {goes}"]


def test_an_id_holding_theirs_is_another_person_s(tmp_path: Path) -> None:
    with new_study(tmp_path / "study.dyad") as p:
        interview_with(
            p,
            "A",
            [("R01", "Tell me."), ("P1", "Fine."), ("P1-C", "He is fine.")],
            people=(("P1", "patient"), ("P1-C", "clinician"), ("R01", "researcher")),
        )
        interview_with(p, "B", [("R01", "And you?"), ("P01", "Fine, thank you.")])
        add_memo(p, "P1-C says P1 is fine; ask P1-C again.", about="interview:B")
        withdraw_participant(p, "P1")
        assert _memos(p) == ["P1-C says [withdrawn] is fine; ask P1-C again."]


def test_the_key_loses_their_accepted_words_and_says_when_it_is_not_reached(
    tmp_path: Path,
) -> None:
    path = tmp_path / "study.dyad"
    with new_study(path) as p:
        interview_with(p, "A", [("R01", "Tell me."), ("P02", "Hiwet came with me.")], people=PEOPLE)
        interview_with(p, "B", [("R01", "And you?"), ("P01", "Fine, thank you.")])
        redact(p, "[thanks]", everywhere="thank")  # a key beside the project
        accept_identifier(p, "Hiwet")  # accepted, never redacted: said only by P02
        receipt = withdraw_participant(p, "P02")
        assert receipt.key_words_removed == 1
        assert "Hiwet" not in KeyStore.open(p, None).identifiers()

    apart = tmp_path / "elsewhere.dyadkey"  # a key kept apart: not beside the second project
    with new_study(tmp_path / "second.dyad") as p:
        interview_with(p, "A", [("R01", "Tell me."), ("P02", "Saba came too.")], people=PEOPLE)
        interview_with(p, "B", [("R01", "And you?"), ("P01", "Fine, thank you.")])
        redact(p, "[thanks]", everywhere="thank", key_path=str(apart), new_key=True)
        receipt = withdraw_participant(p, "P02")  # the key is not beside the project
        (said,) = [c for c in receipt.unreachable_copies if "pseudonymisation key" in c]
        assert "watch list" in said and "not reached" in said


def test_a_file_name_with_a_name_beside_an_underscore_or_a_digit_is_refused(
    tmp_path: Path,
) -> None:
    with new_study(tmp_path / "study.dyad") as p:
        interview_with(p, "A", [("R01", "Tell me."), ("P01", "Samer came by boat.")])
        redact(p, "[P01's brother]", everywhere="Samer")
        watch_words(p, ["Hiwet"])  # nobody wrote it yet: only a file name can carry it
        for name in ("Samer_notes.csv", "Samer2.csv", "notes-Samer.csv", "Hiwet.csv"):
            with pytest.raises(ExportRefused) as refused:
                export(p, "csv", tmp_path / name, ExportOptions())
            assert f"the file name {name}" in str(refused.value)
            assert "'Samer'" in str(refused.value) or "'Hiwet'" in str(refused.value)
        export(p, "csv", tmp_path / "segments_2026.csv", ExportOptions())
