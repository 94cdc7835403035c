"""Redactions are anchored like codings: they follow corrections, splits and merges, and undoing
one with the key puts the original back exactly where it belongs (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from workbench.coding.codebook import add_code
from workbench.coding.codings import apply_code, list_codings
from workbench.coding.redaction import redact, unredact, with_originals
from workbench.coding.study import new_study
from workbench.coding.transcripts import interview_text
from workbench.coding.utterances import edit_utterance, merge_utterances, split_utterance
from workbench.domain.study import StudyError
from workbench.storage.models import Redaction

from ..helpers import interview_with

LINES = [("P01", "My brother Samer came to see me."), ("P01", "He stayed two days with Samer.")]


def test_edit_split_and_merge_then_undo_with_the_key_restores_exactly(
    target: str, tmp_path: Path
) -> None:
    key = tmp_path / "study.dyadkey"
    with new_study(target) as p:
        interview_with(p, "I1", LINES, people=(("P01", "patient"), ("R01", "researcher")))
        add_code(p, "family")
        full = interview_text(p, "I1")
        at = full.index("brother Samer came")
        apply_code(p, "I1", at, at + len("brother Samer came"), "family")
        redact(p, "[brother]", everywhere="Samer", key_path=key)
        edit_utterance(p, "I1", 0, text="Yes. My brother [brother] came to see me.")
        assert with_originals(p, "I1", key)[0] == "Yes. My brother Samer came to see me."
        with pytest.raises(StudyError, match="changes the placeholder"):
            edit_utterance(p, "I1", 0, text="Yes. My brother [bro] came to see me.")
        split_utterance(p, "I1", 0, len("Yes. "))
        merge_utterances(p, "I1", 1)
        assert interview_text(p, "I1") == (
            "Yes.\nMy brother [brother] came to see me. He stayed two days with [brother]."
        )
        with p.session(write=False) as s:
            refs = sorted(set(s.scalars(select(Redaction.key_ref))))
        assert unredact(p, refs, key) == 2
        assert interview_text(p, "I1") == (
            "Yes.\nMy brother Samer came to see me. He stayed two days with Samer."
        )
        assert [c.text for c in list_codings(p)] == ["brother Samer came"]


def test_a_corrected_reimport_keeps_redactions_on_their_placeholders(tmp_path: Path) -> None:
    from workbench.coding.transcripts import import_utterances

    from ..helpers import transcript

    key = tmp_path / "k.dyadkey"
    with new_study(tmp_path / "s.dyad") as p:
        interview_with(p, "I1", LINES, people=(("P01", "patient"), ("R01", "researcher")))
        redact(p, "[brother]", everywhere="Samer", key_path=key)
        corrected = [
            ("P01", "Well. My brother [brother] came to see me."),
            ("P01", "He stayed two days with [brother]."),
        ]
        import_utterances(p, "I1", transcript(corrected), speakers={"P01": "P01"})
        assert with_originals(p, "I1", key) == [
            "Well. My brother Samer came to see me.",
            "He stayed two days with Samer.",
        ]
        with pytest.raises(StudyError, match="changes the placeholder"):
            import_utterances(
                p,
                "I1",
                transcript([("P01", "My brother came."), *corrected[1:]]),
                speakers={"P01": "P01"},
            )


def test_undo_of_redact_all_puts_the_name_back_into_analyst_text_too(
    target: str, tmp_path: Path
) -> None:
    from workbench.coding.codebook import list_codes, update_code
    from workbench.coding.memos import add_memo, edit_memo, list_memos
    from workbench.coding.undo import undo

    key = tmp_path / "study.dyadkey"
    with new_study(target) as p:
        interview_with(p, "I1", LINES, people=(("P01", "patient"), ("R01", "researcher")))
        add_code(p, "family")
        update_code(p, "family", definition="Samer, and what Samer means to him.")
        kept, _ = add_memo(p, "Samer visits; Samer's absence later.", about="project")
        edited, _ = add_memo(p, "Ask about Samer again.", about="project")
        redact(p, "[brother]", everywhere="Samer", key_path=key)
        memos = {m.id: m.text for m in list_memos(p)}
        assert memos[kept.id] == "[brother] visits; [brother]'s absence later."
        # A memo edited since: its placeholder moved, so that one stays redacted.
        edit_memo(p, edited.id, text="First: " + memos[edited.id], coder="colleague")
        undo(p, key=key)
        memos = {m.id: m.text for m in list_memos(p)}
        assert memos[kept.id] == "Samer visits; Samer's absence later."
        assert memos[edited.id] == "First: Ask about [brother] again."
        assert interview_text(p, "I1").count("Samer") == 2
        (code,) = [c for c in list_codes(p) if c.name == "family"]
        assert code.definition == "Samer, and what Samer means to him."
