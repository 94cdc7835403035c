"""Where an interpreted turn says again what a redaction took out, in another script.

An interpreter renders a patient's Arabic into English and the interviewer's English into
Arabic, turn by turn. Redacting "Rana" reaches every English turn, but the Arabic turn it
renders holds the same name as ورنا, which no whole-word match of "Rana" finds (and the other
way round). After a redaction, the turns interpreted to or from the ones it changed — the turn
just before or after, when one of the two is an interpreter's, and any pair linked as original
and rendering (``utterance link``) — are named when they are written in another script and hold
no redaction with the same placeholder yet: the analyst reads them, then watches for the name as
written there (``pseudonyms watch``) or redacts the span.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from sqlalchemy import or_, select, tuple_
from sqlalchemy.orm import Session, aliased

from workbench.domain.study import Role
from workbench.storage.models import (
    Interview,
    Participant,
    Redaction,
    UtteranceLink,
    UtteranceRow,
)
from workbench.storage.rows import chunks


def scripts(text: str) -> set[str]:
    """The scripts ``text`` has letters of (the first word of each letter's Unicode name:
    LATIN, ARABIC, ETHIOPIC…)."""
    return {unicodedata.name(ch, "?").split(" ", 1)[0] for ch in text if ch.isalpha()}


def unreached_counterparts(
    s: Session, changed: Iterable[int], original: str, placeholder: str
) -> list[str]:
    """Turns interpreted to or from the utterances ``changed`` (ids), in a script ``original``
    is not written in, that hold no redaction as ``placeholder``: ``interview:KEY #POSITION``,
    in the interview's order."""
    touched = set(changed)
    linked = (_linked(s, touched) | _interpreted_next_to(s, touched)) - touched
    done = {
        u
        for chunk in chunks(sorted(linked))
        for u in s.scalars(
            select(Redaction.utterance_id).where(
                Redaction.utterance_id.in_(chunk), Redaction.placeholder == placeholder
            )
        )
    }
    own = scripts(original)
    found = [
        (key, position)
        for chunk in chunks(sorted(linked - done))
        for key, position, body in s.execute(
            select(Interview.key, UtteranceRow.position, UtteranceRow.text)
            .join(Interview, UtteranceRow.interview_id == Interview.id)
            .where(UtteranceRow.id.in_(chunk))
        )
        if scripts(body) - own
    ]
    return [f"interview:{key} #{position}" for key, position in sorted(found)]


def _linked(s: Session, touched: set[int]) -> set[int]:
    found: set[int] = set()
    for chunk in chunks(sorted(touched)):
        pairs = s.execute(
            select(UtteranceLink.original_id, UtteranceLink.rendering_id).where(
                or_(UtteranceLink.original_id.in_(chunk), UtteranceLink.rendering_id.in_(chunk))
            )
        )
        found |= {u for pair in pairs for u in pair}
    return found


def _interpreted_next_to(s: Session, touched: set[int]) -> set[int]:
    """The turns just before and after each touched one, where one of the two is spoken by an
    interpreter (or renders someone)."""
    spots = [
        spot
        for chunk in chunks(sorted(touched))
        for spot in s.execute(
            select(UtteranceRow.interview_id, UtteranceRow.position).where(
                UtteranceRow.id.in_(chunk)
            )
        )
    ]
    wanted = {(iv, position + step) for iv, position in spots for step in (-1, 0, 1)}
    speaker = aliased(Participant)
    interprets: dict[tuple[int, int], tuple[int, bool]] = {}
    for chunk in chunks(sorted(wanted)):
        for iv, position, uid, flag in s.execute(
            select(
                UtteranceRow.interview_id,
                UtteranceRow.position,
                UtteranceRow.id,
                (speaker.role == Role.INTERPRETER.value) | UtteranceRow.renders_id.is_not(None),
            )
            .outerjoin(speaker, UtteranceRow.speaker_id == speaker.id)
            .where(tuple_(UtteranceRow.interview_id, UtteranceRow.position).in_(chunk))
        ):
            interprets[(iv, position)] = (uid, bool(flag))
    found: set[int] = set()
    for iv, position in spots:
        here = interprets[(iv, position)][1]
        for step in (-1, 1):
            other = interprets.get((iv, position + step))
            if other is not None and (other[1] or here):
                found.add(other[0])
    return found
