"""The undo history's one way in: a step is put on a coder's history here, by every command
(``workbench.coding.undo``) and by the redaction marker (``workbench.coding.redaction``)."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from workbench.storage.models import Coder, UndoEntry

HISTORY_LIMIT = 200
TRIM_EVERY = 20
"""Steps beyond ``HISTORY_LIMIT`` are dropped every this many steps (one statement, not one per
command)."""


def push_step(
    session: Session,
    coder: Coder,
    description: str,
    *,
    forward: str,
    inverse: str,
    participant_ids: str = "",
) -> None:
    """Put one step on the coder's history: the steps undone before it become unreachable and
    go, and the history keeps its bound."""
    # Undone steps are always the newest (undo takes the newest step not undone), so the newest
    # step says whether there are any.
    newest = session.execute(
        select(UndoEntry.seq, UndoEntry.undone)
        .where(UndoEntry.coder_id == coder.id)
        .order_by(UndoEntry.seq.desc())
        .limit(1)
    ).first()
    last = newest.seq if newest is not None else 0
    if newest is not None and newest.undone:
        session.execute(
            delete(UndoEntry).where(UndoEntry.coder_id == coder.id, UndoEntry.undone.is_(True))
        )
        last = (
            session.scalar(select(func.max(UndoEntry.seq)).where(UndoEntry.coder_id == coder.id))
            or 0
        )
    session.add(
        UndoEntry(
            coder_id=coder.id,
            seq=last + 1,
            description=description[:500],
            forward=forward,
            inverse=inverse,
            participant_ids=participant_ids,
        )
    )
    if (last + 1) % TRIM_EVERY == 0:  # the history may exceed its limit by a few steps between
        session.flush()
        session.execute(
            delete(UndoEntry).where(
                UndoEntry.coder_id == coder.id, UndoEntry.seq <= last + 1 - HISTORY_LIMIT
            )
        )
