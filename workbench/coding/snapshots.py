"""Snapshots: a named, frozen copy of the analysis state that an export can cite and rebuild.

A snapshot holds the codebook, the themes and their member codes, every coding (as anchors, so
later corrections elsewhere in a transcript do not move them), which interviews were coded and
when, and the analyst's trajectories. ``workbench.analysis`` rebuilds the longitudinal tables
from it exactly as they were when it was taken.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.coding.undo import Change, run_command
from workbench.domain.study import StudyError
from workbench.storage.models import (
    CODING_ANCHORS,
    Code,
    Coder,
    Coding,
    Interview,
    Snapshot,
    Theme,
    ThemeCode,
    Trajectory,
)
from workbench.storage.project import Project

FORMAT = 1


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    name: str
    created_at: dt.datetime
    coder: str | None
    themes: int
    codings: int


def _payload(s: Session) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "codes": [
            {
                "id": c.id,
                "name": c.name,
                "parent_id": c.parent_id,
                "created_at": c.created_at.isoformat(),
            }
            for c in s.scalars(select(Code))
        ],
        "themes": [
            {
                "id": t.id,
                "name": t.name,
                "parent_id": t.parent_id,
                "status": t.status,
                "concept": t.concept,
            }
            for t in s.scalars(select(Theme).order_by(Theme.position, Theme.id))
        ],
        "theme_codes": [list(r) for r in s.execute(select(ThemeCode.theme_id, ThemeCode.code_id))],
        "codings": [
            list(r)
            for r in s.execute(
                select(
                    Coding.interview_id,
                    Coding.code_id,
                    *CODING_ANCHORS,
                )
            )
        ],
        "interviews": {
            str(iv.id): [iv.status, iv.coded_at.isoformat() if iv.coded_at else None]
            for iv in s.scalars(select(Interview))
        },
        "trajectories": [
            [t.theme_id, t.unit_kind, t.role, t.participant_id, t.dyad_id, t.label, t.text]
            for t in s.scalars(select(Trajectory))
        ],
    }


def take_snapshot(
    project: Project, name: str, *, coder: str | None = None
) -> tuple[SnapshotInfo, Change]:
    name = name.strip()
    if not name:
        raise StudyError("a snapshot needs a name")

    def action(s: Session) -> SnapshotInfo:
        if s.scalar(select(Snapshot).where(Snapshot.name == name)) is not None:
            raise StudyError(f"there is already a snapshot '{name}'")
        payload = _payload(s)
        who = project.coder(s, coder)
        row = Snapshot(name=name, payload=json.dumps(payload, ensure_ascii=False), coder_id=who.id)
        s.add(row)
        s.flush()
        return SnapshotInfo(
            name, row.created_at, who.name, len(payload["themes"]), len(payload["codings"])
        )

    return run_command(
        project, f"snapshot '{name}'", action, coder=coder, audit=("snapshot.take", None)
    )


def load_snapshot(project: Project, name: str) -> dict[str, Any]:
    with project.session(write=False) as s:
        row = s.scalar(select(Snapshot).where(Snapshot.name == name))
        if row is None:
            raise StudyError(f"no snapshot '{name}'")
        payload: dict[str, Any] = json.loads(row.payload)
    if payload.get("format") != FORMAT:
        raise StudyError(f"snapshot '{name}' was made by a newer Dyad Workbench")
    return payload


def list_snapshots(project: Project) -> list[SnapshotInfo]:
    with project.session(write=False) as s:
        result = []
        for row, coder in s.execute(
            select(Snapshot, Coder.name).outerjoin(Coder).order_by(Snapshot.created_at)
        ):
            payload = json.loads(row.payload)
            result.append(
                SnapshotInfo(
                    row.name, row.created_at, coder, len(payload["themes"]), len(payload["codings"])
                )
            )
        return result
