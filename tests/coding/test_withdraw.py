"""Consent withdrawal removes a participant's words from everywhere, the raw files included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from workbench.coding.study import add_interview, add_participant, new_study, set_attribute
from workbench.coding.transcripts import import_utterances, interview_text, utterances
from workbench.coding.withdraw import withdraw_participant
from workbench.domain.study import StudyError
from workbench.storage.check import check_project
from workbench.storage.models import AuditEntry, Coding, Interview, Memo, UtteranceRow
from workbench.storage.project import Project, open_project
from workbench.storage.search import search

from ..helpers import transcript

# Words only P02 ever says, so their absence from the bytes proves the purge.
P02_WORDS = ["quokkamarmalade", "zanzibarvelvet", "tesfamariamtown", "ሰላምታዬ"]


def _study(target: str) -> Project:
    p = new_study(target)
    for key, role in [
        ("P01", "patient"),
        ("P02", "patient"),
        ("C01", "clinician"),
        ("I01", "interpreter"),
        ("R01", "researcher"),
    ]:
        add_participant(p, key, role)
    set_attribute(p, "P02", "PCL-5", "52", wave="baseline")
    # P02 alone: this interview goes entirely.
    add_interview(p, "P02-solo", wave="baseline", participants=[("P02", None), ("R01", None)])
    import_utterances(
        p,
        "P02-solo",
        transcript(
            [("R01", "How are you?"), ("P02", f"I live near {P02_WORDS[2]}, {P02_WORDS[3]}.")]
        ),
        speakers={"R01": "R01", "P02": "P02"},
    )
    # A joint interview with P01, and an interpreter rendering P02.
    add_interview(
        p,
        "joint",
        wave="mid-treatment",
        participants=[("P01", None), ("P02", None), ("I01", None), ("R01", None)],
    )
    import_utterances(
        p,
        "joint",
        transcript(
            [
                ("R01", "Welcome both."),
                ("P02", f"My word is {P02_WORDS[0]}."),
                ("I01", f"She says: {P02_WORDS[1]} matters."),
                ("P01", "I agree with the group."),
            ]
        ),
        speakers={s: s for s in ("R01", "P02", "I01", "P01")},
    )
    with p.session() as s:
        rows = {
            u.position: u
            for u in s.scalars(select(UtteranceRow).join(Interview).where(Interview.key == "joint"))
        }
        rows[2].renders_id = rows[1].speaker_id
        iv = s.scalar(select(Interview).where(Interview.key == "joint"))
        assert iv is not None
        from workbench.storage.models import Code

        code = Code(name="sleep")
        s.add(code)
        s.flush()
        # One coding on P02's words, one on P01's only.
        s.add(
            Coding(
                code_id=code.id,
                interview_id=iv.id,
                start_utterance_id=rows[1].id,
                start_offset=0,
                end_utterance_id=rows[1].id,
                end_offset=5,
            )
        )
        s.add(
            Coding(
                code_id=code.id,
                interview_id=iv.id,
                start_utterance_id=rows[3].id,
                start_offset=0,
                end_utterance_id=rows[3].id,
                end_offset=5,
            )
        )
        participant_id = rows[1].speaker_id
        s.add(Memo(text=f"memo about {P02_WORDS[0]}", participant_id=participant_id))
    # A correction puts P02's words into the undo history, and a deletion into the detached list.
    from workbench.coding.codebook import add_code
    from workbench.coding.codings import apply_code
    from workbench.coding.utterances import edit_utterance

    edit_utterance(p, "joint", 1, text=f"My word is {P02_WORDS[0]}, and {P02_WORDS[1]}.")
    add_code(p, "place")
    full = interview_text(p, "joint")
    at = full.index(P02_WORDS[1])
    apply_code(p, "joint", at, at + len(P02_WORDS[1]), "place")
    edit_utterance(p, "joint", 1, text=f"My word is {P02_WORDS[0]}.")
    return p


def test_withdrawal_removes_their_words_and_keeps_the_rest(target: str) -> None:
    with _study(target) as p:
        receipt = withdraw_participant(p, "P02")
        assert receipt.interviews_deleted == ("P02-solo",)
        assert (receipt.utterances_replaced, receipt.interpreter_utterances_replaced) == (1, 1)
        assert receipt.codings_removed == 1
        assert receipt.memos_deleted == 1 and receipt.wave_attributes_deleted == 1
        assert receipt.undo_entries_deleted >= 3 and receipt.detached_codings_deleted == 1
        assert [u.text for u in utterances(p, "joint")] == [
            "Welcome both.",
            "[withdrawn]",
            "[withdrawn]",
            "I agree with the group.",
        ]
        for word in P02_WORDS:
            assert search(p, word) == []
        assert [h.utterance for h in search(p, "withdrawn")] == [1, 2]
        with p.session(write=False) as s:
            assert s.scalar(select(Coding.id).where(Coding.id > 0)) is not None  # P01's stays
            entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "participant.withdraw"))
            assert entry is not None and entry.target == "participant:[withdrawn]"
            detail = json.loads(entry.detail)
            assert detail["interviews_deleted"] == 1
            assert not any(w in entry.detail for w in P02_WORDS)
        assert check_project(p).sound
        with pytest.raises(StudyError):
            interview_text(p, "P02-solo")


def test_after_withdrawal_no_word_of_theirs_is_in_the_raw_files(tmp_path: Path) -> None:
    path = tmp_path / "study.dyad"
    _study(str(path)).close()
    raw_before = path.read_bytes().lower()
    assert any(w.encode() in raw_before for w in P02_WORDS[:3])  # the test can fail
    with open_project(path) as p:
        withdraw_participant(p, "P02")
        # Look while the project is still open: the WAL is live then.
        files = [f for f in tmp_path.iterdir() if f.name.startswith("study.dyad")]
        for f in files:
            raw = f.read_bytes().lower()
            for word in P02_WORDS:
                assert word.encode("utf-8") not in raw, f"{word} left in {f.name}"
    raw = path.read_bytes().lower()
    for word in P02_WORDS:
        assert word.encode("utf-8") not in raw


def test_withdrawal_of_an_unknown_participant_changes_nothing(project: Project) -> None:
    with pytest.raises(StudyError, match="no participant"):
        withdraw_participant(project, "P99")
