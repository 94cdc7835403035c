"""A .qdpx source text as other tools show a transcript: a `Label: text` turn per paragraph."""

from __future__ import annotations

from typing import Any

from workbench.coding.transcripts import participant_for_label
from workbench.exchange._transcripts.labels import plausible_label
from workbench.storage.models import InterviewParticipantRow


def turn_heads(
    rows: list[Any],
    members: list[InterviewParticipantRow],
    role_of: dict[int, str],
    key_of: dict[int, str],
) -> list[str | None]:
    """Each utterance's speaker label as other tools show it: the speaker's role word when it
    names that speaker alone among the interview's participants, else the speaker's key; the
    transcript's own label for a speaker not linked to a participant."""
    members = [m for m in members if m.participant_id in key_of]
    roles = {key_of[m.participant_id]: (m.role, role_of[m.participant_id]) for m in members}
    label_of: dict[int, str] = {}
    for m in members:
        key = key_of[m.participant_id]
        interview_role, role = roles[key]
        word = "Interviewer" if interview_role == "interviewer" else role.capitalize()
        if interview_role == "interpreter":
            word = "Interpreter"
        label_of[m.participant_id] = word if participant_for_label(word, roles) == key else key
    heads: list[str | None] = []
    for r in rows:
        if r.speaker_id is not None:
            heads.append(label_of.get(r.speaker_id) or key_of.get(r.speaker_id))
        else:
            label = plausible_label(r.speaker_label or "")
            heads.append(label if label and ":" not in label else None)
    return heads


def turns_text(rows: list[Any], heads: list[str | None]) -> tuple[str, list[int]]:
    """The source text, one ``Label: text`` turn per paragraph, and where each utterance's own
    text begins in it."""
    parts: list[str] = []
    starts: list[int] = []
    at = 0
    for r, head in zip(rows, heads, strict=True):
        prefix = f"{head}: " if head else ""
        starts.append(at + len(prefix))
        parts.append(prefix + r.text)
        at += len(prefix) + len(r.text) + 2
    return "\n\n".join(parts), starts
