"""A small study with one row in every table the text inventory lists, and a name planted in
any one inventoried column (tests of redaction, the check, the export gate and withdrawal)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import select, update

from workbench.coding.codebook import add_code
from workbench.coding.codings import apply_code
from workbench.coding.memos import add_journal_entry, add_memo
from workbench.coding.study import new_study
from workbench.coding.transcripts import interview_text
from workbench.storage import inventory
from workbench.storage.inventory import TextColumn
from workbench.storage.models import (
    CellSummary,
    Coding,
    DetachedCoding,
    Dyad,
    DyadStance,
    Exemplar,
    Interview,
    InterviewTitle,
    Participant,
    ParticipantAttribute,
    ParticipantWaveAttribute,
    Setting,
    Snapshot,
    Theme,
    ThemeCode,
    ThemeEvent,
    Trajectory,
    TranscriptionQueueItem,
    Translation,
    UndoEntry,
    UtteranceRow,
    Wave,
    WordRow,
)
from workbench.storage.project import Project

from ..helpers import interview_with

NAME = "Zarifa"
LINES = [
    ("P01", "We came by boat, it was a long night and the sea was rough."),
    ("C01", "How is the sleep these days?"),
    ("P01", "Better since the new medicine, I sleep five hours now."),
]


def build(path: Path | str) -> None:
    """The study: people, one coded interview, and one row in every inventoried table."""
    with new_study(path, title="Fictional study") as p:
        interview_with(p, "I1", LINES, people=(("P01", "patient"), ("C01", "clinician")))
        add_code(p, "journey")
        full = interview_text(p, "I1")
        at = full.index("came by boat")
        apply_code(p, "I1", at, at + len("came by boat"), "journey")
        add_memo(p, "a memo about the journey", about="interview:I1")
        add_journal_entry(p, "I noticed my own reaction today.")
        _rows(p)


def _rows(p: Project) -> None:
    with p.session() as s:
        person = s.scalar(select(Participant).where(Participant.key == "P01"))
        iv = s.scalar(select(Interview).where(Interview.key == "I1"))
        wave = s.scalar(select(Wave))
        coding = s.scalar(select(Coding))
        utterance = s.scalar(select(UtteranceRow))
        assert person and iv and wave and coding and utterance
        coding.memo = "the boat again"
        theme = Theme(name="Leaving", concept="what was left", definition="leaving home")
        dyad = Dyad(key="D01")
        s.add_all([theme, dyad])
        s.flush()
        s.add_all(
            [
                ThemeCode(theme_id=theme.id, code_id=coding.code_id),
                ThemeEvent(
                    theme_id=theme.id, kind="rename", detail='{"from": "Left"}', rationale="clearer"
                ),
                ParticipantAttribute(participant_id=person.id, name="age_band", value="30-39"),
                ParticipantWaveAttribute(
                    participant_id=person.id, wave_id=wave.id, name="PHQ-9", value="12"
                ),
                Setting(key="example", value="a setting"),
                InterviewTitle(interview_id=iv.id, title="Interview one"),
                WordRow(utterance_id=utterance.id, position=0, start_ms=0, end_ms=100, text="We"),
                Translation(
                    utterance_id=utterance.id,
                    language="ar",
                    text="جئنا بالقارب",
                    translator="a translator",
                    method="human",
                ),
                DetachedCoding(
                    code_id=coding.code_id,
                    interview_id=iv.id,
                    text="old words",
                    coded_at=dt.datetime.now(dt.UTC),
                    memo="a memo",
                    guid="g-1",
                ),
                CellSummary(
                    unit_kind="participant",
                    participant_id=person.id,
                    theme_id=theme.id,
                    wave_id=wave.id,
                    text="a summary",
                ),
                Trajectory(
                    unit_kind="participant",
                    participant_id=person.id,
                    theme_id=theme.id,
                    label="steady",
                    text="a reading",
                ),
                Exemplar(
                    unit_kind="participant",
                    participant_id=person.id,
                    theme_id=theme.id,
                    wave_id=wave.id,
                    coding_id=coding.id,
                    excerpt="came by boat",
                ),
                DyadStance(
                    dyad_id=dyad.id,
                    wave_id=wave.id,
                    theme_id=theme.id,
                    stance="mixed",
                    note="a note",
                ),
                Snapshot(name="first", payload='{"themes": ["Leaving"]}'),
                TranscriptionQueueItem(
                    interview_id=iv.id,
                    position=1,
                    options='{"model": "tiny.en", "speakers": {"Patient": "P01"}}',
                    status="done",
                    detail="3 utterances",
                ),
            ]
        )
        iv.status_reason = "a reason"


def value_for(column: TextColumn, name: str = NAME) -> str:
    if column.kind in (inventory.JSON, inventory.HISTORY):
        return json.dumps({"text": f"words with {name} in them"})
    return f"words with {name} in them"


def plant(p: Project, column: TextColumn, name: str = NAME, *, value: str | None = None) -> None:
    """Write ``name`` into one row of ``column`` (an undo entry is made for history); ``value``:
    the whole text instead of ``value_for``'s."""
    table = inventory.tables()[column.table]
    with p.session() as s:
        if column.kind == inventory.HISTORY:
            coder = p.coder(s, None)
            s.add(
                UndoEntry(
                    coder_id=coder.id, seq=999, description="edit memo", forward="{}", inverse="{}"
                )
            )
            s.flush()
        (pk,) = list(table.primary_key.columns)
        key = s.scalar(select(pk).order_by(pk.desc()).limit(1))
        assert key is not None, f"no row in {column.table}"
        s.execute(
            update(table).where(pk == key).values({column.column: value or value_for(column, name)})
        )
