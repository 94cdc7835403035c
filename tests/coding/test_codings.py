"""The coding core: codebook, codings that follow their words, undo as data."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from workbench.coding.codebook import (
    add_code,
    delete_code,
    list_codes,
    merge_codes,
    move_code,
    split_code,
    update_code,
)
from workbench.coding.codings import (
    apply_code,
    discard_detached,
    in_vivo_code,
    list_codings,
    list_detached,
    reattach_coding,
    remove_coding,
    set_coding_note,
)
from workbench.coding.transcripts import import_utterances, interview_text
from workbench.coding.undo import history, redo, undo
from workbench.coding.utterances import edit_utterance, merge_utterances, split_utterance
from workbench.domain.positions import codepoint_to_utf16, utf16_to_codepoint
from workbench.domain.study import StudyError
from workbench.storage.project import Project

from ..helpers import interview_with, transcript

LINES = [
    ("R01", "How have you been sleeping?"),
    ("P01", "Badly. The nightmares come every night and I wake up shaking."),
    ("R01", "And during the day?"),
    ("P01", "I worry about my brother. He is still in detention."),
]


def dump(project: Project) -> dict[str, list[tuple[object, ...]]]:
    """Every table but the history itself, for exact before/after comparisons."""
    skip = {"undo_entry", "audit_log", "coder", "alembic_version"}
    out = {}
    with project.engine.connect() as conn:
        from workbench.storage.models import Base

        for table in Base.metadata.sorted_tables:
            if table.name in skip:
                continue
            rows = conn.execute(table.select().order_by(*table.primary_key.columns)).all()
            out[table.name] = [tuple(r) for r in rows]
    return out


def spans(project: Project, interview: str = "I1") -> list[tuple[str, str]]:
    return [(c.code, c.text) for c in list_codings(project, interview=interview)]


@pytest.fixture
def coded(project: Project) -> Project:
    interview_with(project, "I1", LINES)
    add_code(project, "Sleep")
    add_code(project, "Nightmares", parent="Sleep", color="#4f6d7a")
    add_code(project, "Family")
    return project


def _find(project: Project, words: str, interview: str = "I1") -> tuple[int, int]:
    full = interview_text(project, interview)
    at = full.index(words)
    return at, at + len(words)


def test_codebook_tree_names_unique_among_siblings_only(coded: Project) -> None:
    add_code(coded, "Worry", parent="Family")
    add_code(coded, "Worry", parent="Sleep")
    with pytest.raises(StudyError, match="several codes are named 'Worry'"):
        apply_code(coded, "I1", 0, 3, "Worry")
    with pytest.raises(StudyError, match="already a code 'Worry'"):
        add_code(coded, "Worry", parent="Family")
    paths = [c.path for c in list_codes(coded)]
    assert paths == ["Sleep", "Sleep / Nightmares", "Sleep / Worry", "Family", "Family / Worry"]
    info, _ = update_code(
        coded, "Family / Worry", definition="Concern for relatives", color="#aa3300"
    )
    assert (info.definition, info.color) == ("Concern for relatives", "#aa3300")
    with pytest.raises(StudyError, match="#RRGGBB"):
        update_code(coded, "Sleep", color="red")


def test_moving_a_code_into_its_own_subtree_is_refused(coded: Project) -> None:
    before = dump(coded)
    with pytest.raises(StudyError, match="inside itself"):
        move_code(coded, "Sleep", "Sleep / Nightmares")
    with pytest.raises(StudyError, match="inside itself"):
        move_code(coded, "Sleep", "Sleep")
    assert dump(coded) == before
    move_code(coded, "Nightmares", None)
    assert [c.path for c in list_codes(coded)] == ["Sleep", "Family", "Nightmares"]


def test_codings_land_on_their_words_and_bad_spans_are_refused(coded: Project) -> None:
    start, end = _find(coded, "The nightmares come every night")
    info, _ = apply_code(coded, "I1", start, end, "Nightmares", memo="vivid")
    assert (info.code, info.text, info.memo) == (
        "Sleep / Nightmares",
        "The nightmares come every night",
        "vivid",
    )
    # Across utterances: from "shaking." to "And during".
    s2, _ = _find(coded, "shaking.")
    _, e2 = _find(coded, "And during")
    crossing, _ = apply_code(coded, "I1", s2, e2, "Sleep")
    assert crossing.text == "shaking.\nAnd during"
    before = dump(coded)
    total = len(interview_text(coded, "I1"))
    for bad, reason in [
        ((-1, 5, "Sleep"), "outside"),
        ((5, total + 1, "Sleep"), "outside"),
        ((10, 10, "Sleep"), "start before it ends"),
        ((12, 4, "Sleep"), "start before it ends"),
        ((0, 5, "Nope"), "no code"),
    ]:
        with pytest.raises(StudyError, match=reason):
            apply_code(coded, "I1", *bad)
    with pytest.raises(StudyError, match="no interview"):
        apply_code(coded, "I9", 0, 5, "Sleep")
    assert dump(coded) == before


def test_editing_text_keeps_codings_on_the_same_words(coded: Project) -> None:
    start, end = _find(coded, "nightmares come every night")
    apply_code(coded, "I1", start, end, "Nightmares")
    s2, e2 = _find(coded, "my brother")
    apply_code(coded, "I1", s2, e2, "Family")
    # Correct words before, inside and at the edges of the coded span.
    edit_utterance(
        coded,
        "I1",
        1,
        text="Very badly. The awful nightmares come nearly every night and I wake up shaking.",
    )
    assert spans(coded) == [
        ("Sleep / Nightmares", "nightmares come nearly every night"),
        ("Family", "my brother"),
    ]
    # Words inserted exactly at the edges stay outside.
    edit_utterance(coded, "I1", 3, text="I worry about my brother Samer. He is still in detention.")
    assert ("Family", "my brother") in spans(coded)


def test_a_coding_whose_words_are_deleted_is_detached_not_dropped(coded: Project) -> None:
    start, end = _find(coded, "He is still in detention.")
    info, _ = apply_code(coded, "I1", start, end, "Family")
    edit_utterance(coded, "I1", 3, text="I worry about my brother.")
    assert spans(coded) == []
    (detached,) = list_detached(coded)
    assert (detached.code, detached.text, detached.id) == (
        "Family",
        "He is still in detention.",
        info.id,
    )
    a, b = _find(coded, "my brother")
    back, _ = reattach_coding(coded, detached.id, a, b)
    assert back.text == "my brother" and list_detached(coded) == []
    edit_utterance(coded, "I1", 3, text="I worry.")
    discard_detached(coded, list_detached(coded)[0].id)
    assert list_detached(coded) == []


def test_split_and_merge_keep_codings_on_their_words(coded: Project) -> None:
    a, b = _find(coded, "nightmares come every night and I wake")
    apply_code(coded, "I1", a, b, "Nightmares")
    full = interview_text(coded, "I1")
    split_at = full.index("and I wake") - full.index("Badly.")
    split_utterance(coded, "I1", 1, split_at)
    assert interview_text(coded, "I1").split("\n")[1:3] == [
        "Badly. The nightmares come every night",
        "and I wake up shaking.",
    ]
    assert spans(coded) == [("Sleep / Nightmares", "nightmares come every night\nand I wake")]
    merge_utterances(coded, "I1", 1)
    assert interview_text(coded, "I1") == "\n".join(t for _, t in LINES)
    assert spans(coded) == [("Sleep / Nightmares", "nightmares come every night and I wake")]
    with pytest.raises(StudyError, match="same speaker"):
        merge_utterances(coded, "I1", 0)


def test_merging_codes_and_undoing_restores_both_exactly(coded: Project) -> None:
    a, b = _find(coded, "nightmares")
    apply_code(coded, "I1", a, b, "Nightmares")
    apply_code(coded, "I1", a, b, "Sleep")  # the same span: collapses on merge
    c, d = _find(coded, "wake up shaking")
    apply_code(coded, "I1", c, d, "Sleep")
    before = dump(coded)
    merge_codes(coded, "Sleep", "Family")
    assert sorted(spans(coded)) == [
        ("Family", "nightmares"),
        ("Family", "wake up shaking"),
        ("Family / Nightmares", "nightmares"),
    ]
    undo(coded)
    assert dump(coded) == before
    redo(coded)
    assert [c.path for c in list_codes(coded)] == ["Family", "Family / Nightmares"]


def test_deleting_a_code_needs_confirmation_and_leaves_no_orphans(coded: Project) -> None:
    a, b = _find(coded, "nightmares")
    info, _ = apply_code(coded, "I1", a, b, "Nightmares")
    set_coding_note(coded, info.id, memo="note", important=True)
    with pytest.raises(StudyError, match="confirm"):
        delete_code(coded, "Sleep")
    before = dump(coded)
    delete_code(coded, "Sleep", confirm=True)
    assert [c.path for c in list_codes(coded)] == ["Family"]
    assert list_codings(coded) == []
    with coded.engine.connect() as conn:
        if coded.is_sqlite:
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
        else:
            for table, column, parent in [
                ("coding", "code_id", "code"),
                ("memo", "coding_id", "coding"),
            ]:
                orphans = conn.execute(
                    text(
                        f"SELECT count(*) FROM {table} t WHERE t.{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.id = t.{column})"
                    )
                ).scalar()
                assert orphans == 0
    undo(coded)
    assert dump(coded) == before


def test_undo_is_per_coder_persisted_and_refused_when_the_target_changed(coded: Project) -> None:
    a, b = _find(coded, "nightmares")
    info, _ = apply_code(coded, "I1", a, b, "Nightmares", coder="ana")
    apply_code(coded, "I1", a, b, "Family", coder="ben")
    assert history(coded, "ana")[0].description.startswith("code I1")
    set_coding_note(coded, info.id, memo="ben's note", coder="ben")
    with pytest.raises(
        StudyError,
        match=r"coding \d+ was changed by ben at \d{4}-\d\d-\d\d \d\d:\d\d UTC since you read it",
    ):
        undo(coded, "ana")  # ana's coding now carries ben's memo
    undo(coded, "ben")  # ben's memo
    undo(coded, "ana")
    assert spans(coded) == [("Family", "nightmares")]
    with pytest.raises(StudyError, match="nothing to redo"):
        redo(coded, "carl")
    remove_coding(coded, list_codings(coded)[0].id, coder="ben")
    assert spans(coded) == []


def test_in_vivo_and_split_codes(coded: Project) -> None:
    a, b = _find(coded, "wake up shaking")
    vivo, _ = in_vivo_code(coded, "I1", a, b, parent="Sleep")
    assert vivo.code == "Sleep / wake up shaking"
    c, d = _find(coded, "nightmares")
    one, _ = apply_code(coded, "I1", c, d, "Sleep")
    two, _ = apply_code(coded, "I1", a, b, "Sleep")
    split_code(coded, "Sleep", "Body", [two.id])
    assert sorted(spans(coded)) == [
        ("Body", "wake up shaking"),
        ("Sleep", "nightmares"),
        ("Sleep / wake up shaking", "wake up shaking"),
    ]
    assert one.id in {c.id for c in list_codings(coded, code="Sleep")}


def test_a_corrected_reimport_keeps_codings_and_unchanged_utterances(coded: Project) -> None:
    a, b = _find(coded, "nightmares come every night")
    apply_code(coded, "I1", a, b, "Nightmares")
    c, d = _find(coded, "He is still in detention.")
    apply_code(coded, "I1", c, d, "Family")
    edit_utterance(coded, "I1", 0, verified=True)
    corrected = [
        ("R01", "How have you been sleeping?"),
        ("P01", "Badly. The nightmares come almost every night and I wake up shaking."),
        ("R01", "And during the day?"),
        ("P01", "I worry about my brother."),
        ("P01", "That's all."),
    ]
    report = import_utterances(
        coded, "I1", transcript(corrected), speakers={"R01": "R01", "P01": "P01"}
    )
    assert report.detached == 1
    assert spans(coded) == [("Sleep / Nightmares", "nightmares come almost every night")]
    assert [d.text for d in list_detached(coded)] == ["He is still in detention."]
    from workbench.coding.transcripts import utterances

    assert utterances(coded, "I1")[0].flags == ("verified",)
    assert interview_text(coded, "I1") == "\n".join(t for _, t in corrected)


MULTILINGUAL = [
    ("P01", "لا أستطيع النوم منذ أسابيع 😔"),
    ("P01", "خواب‌هایم بد است 👩🏽‍⚕️"),
    ("P01", "ሰላም እየ፣ ግን ለይቲ ድቃስ የብለይን።"),
    ("P01", "Cafe\u0301 🇪🇷 n\u0303 done"),
]


def test_codings_on_many_scripts_land_on_the_same_characters_in_utf16(project: Project) -> None:
    interview_with(project, "M1", MULTILINGUAL)
    add_code(project, "Q")
    full = interview_text(project, "M1")
    for words in ["النوم منذ", "😔", "خواب‌هایم", "👩🏽‍⚕️", "ለይቲ ድቃስ", "e\u0301 🇪🇷 n\u0303"]:
        start = full.index(words)
        end = start + len(words)
        info, _ = apply_code(project, "M1", start, end, "Q")
        assert info.text == words
        # What the window will do: Qt reports UTF-16 positions; convert and back.
        u16 = (codepoint_to_utf16(full, start), codepoint_to_utf16(full, end))
        assert full.encode("utf-16-le")[u16[0] * 2 : u16[1] * 2].decode("utf-16-le") == words
        assert (utf16_to_codepoint(full, u16[0]), utf16_to_codepoint(full, u16[1])) == (start, end)


def test_a_new_code_applied_in_one_command_is_one_undo_step(coded: Project) -> None:
    from workbench.coding.codebook import CODE_COLOURS
    from workbench.coding.codings import apply_new_code

    before = list_codes(coded)
    start, end = _find(coded, "I wake up shaking")
    info, change = apply_new_code(coded, "I1", start, end, "Waking", parent="Sleep")
    assert (info.code, info.text) == ("Sleep / Waking", "I wake up shaking")
    made = next(c for c in list_codes(coded) if c.path == "Sleep / Waking")
    assert made.color == CODE_COLOURS[0] and made.codings == 1
    assert history(coded)[0].description == change.description
    undo(coded)
    assert list_codes(coded) == before and spans(coded) == []
    redo(coded)
    assert spans(coded) == [("Sleep / Waking", "I wake up shaking")]
    with pytest.raises(StudyError):
        apply_new_code(coded, "I1", start, end, "Nightmares", parent="Sleep")
    assert len(list_codes(coded)) == len(before) + 1
