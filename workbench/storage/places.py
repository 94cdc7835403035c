"""Where a row without an id of its own lives, in the words the command line and the window use.

Messages about text (the export gate's refusal, ``pseudonyms check``, the redaction report, the
withdrawal receipt) name a memo by the start of its id, as ``memo list`` prints it. A cell
summary, a stance note, an undo entry or an audit row has no such id: a row number
(``cell summary #12``) is nothing an analyst can find. They are named by what they belong to
instead: ``cell summary of 'Nights' for participant:P01 at baseline``, as ``summary set``
itself says it, ``undo entry 385 of demo-builder`` as ``history`` lists it.

Looked up only for the few rows a message names, never while a pass walks every text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from workbench.storage.rows import chunks

_UNIT = """
    CASE t.unit_kind
        WHEN 'participant' THEN 'participant:' || p.key
        WHEN 'dyad' THEN 'dyad:' || d.key
        WHEN 'role' THEN 'role:' || t.role
        ELSE 'study'
    END"""
_UNIT_JOINS = """
    LEFT JOIN participant p ON p.id = t.participant_id
    LEFT JOIN dyad d ON d.id = t.dyad_id"""


def _when(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)[:16] if value is not None else "?"


def _unit(unit: str | None) -> str:
    return unit or "someone no longer in the study"


def _in_utterance(row: Sequence[Any]) -> str:
    return f"of interview:{row[1]} #{row[2]}"


_QUERIES: dict[str, tuple[str, Callable[[Sequence[Any]], str]]] = {
    "utterance": (
        "SELECT t.id, i.key, t.position FROM utterance t JOIN interview i ON i.id = t.interview_id",
        _in_utterance,
    ),
    "setting": ("SELECT t.key FROM setting t", lambda r: f"'{r[0]}'"),
    "word": (
        "SELECT t.id, i.key, u.position FROM word t JOIN utterance u ON u.id = t.utterance_id "
        "JOIN interview i ON i.id = u.interview_id",
        _in_utterance,
    ),
    "translation": (
        "SELECT t.id, i.key, u.position FROM translation t "
        "JOIN utterance u ON u.id = t.utterance_id JOIN interview i ON i.id = u.interview_id",
        _in_utterance,
    ),
    "cell_summary": (
        f"SELECT t.id, th.name, {_UNIT}, w.name FROM cell_summary t "
        f"JOIN theme th ON th.id = t.theme_id JOIN wave w ON w.id = t.wave_id {_UNIT_JOINS}",
        lambda r: f"of '{r[1]}' for {_unit(r[2])} at {r[3]}",
    ),
    "exemplar": (
        f"SELECT t.id, th.name, {_UNIT}, w.name FROM exemplar t "
        f"JOIN theme th ON th.id = t.theme_id JOIN wave w ON w.id = t.wave_id {_UNIT_JOINS}",
        lambda r: f"of '{r[1]}' for {_unit(r[2])} at {r[3]}",
    ),
    "trajectory": (
        f"SELECT t.id, th.name, {_UNIT} FROM trajectory t "
        f"JOIN theme th ON th.id = t.theme_id {_UNIT_JOINS}",
        lambda r: f"of '{r[1]}' for {_unit(r[2])}",
    ),
    "dyad_stance": (
        "SELECT t.id, d.key, th.name, w.name FROM dyad_stance t JOIN dyad d ON d.id = t.dyad_id "
        "JOIN theme th ON th.id = t.theme_id JOIN wave w ON w.id = t.wave_id",
        lambda r: f"of {r[1]} on '{r[2]}' at {r[3]}",
    ),
    "theme_event": (
        "SELECT t.id, th.name, t.at FROM theme_event t JOIN theme th ON th.id = t.theme_id",
        lambda r: f"of '{r[1]}' ({_when(r[2])})",
    ),
    "interview_title": (
        "SELECT t.interview_id, i.key FROM interview_title t "
        "JOIN interview i ON i.id = t.interview_id",
        lambda r: f"of {r[1]}",
    ),
    "participant_attribute": (
        "SELECT t.id, t.name, p.key FROM participant_attribute t "
        "JOIN participant p ON p.id = t.participant_id",
        lambda r: f"{r[1]} of {r[2]}",
    ),
    "participant_wave_attribute": (
        "SELECT t.id, t.name, p.key, w.name FROM participant_wave_attribute t "
        "JOIN participant p ON p.id = t.participant_id JOIN wave w ON w.id = t.wave_id",
        lambda r: f"{r[1]} of {r[2]} at {r[3]}",
    ),
    "snapshot": (
        "SELECT t.id, t.created_at FROM snapshot t",
        lambda r: f"of {_when(r[1])}",
    ),
    "transcription_queue": (
        "SELECT t.id, i.key FROM transcription_queue t JOIN interview i ON i.id = t.interview_id",
        lambda r: f"of {r[1]}",
    ),
    "undo_entry": (
        "SELECT t.id, t.seq, c.name FROM undo_entry t JOIN coder c ON c.id = t.coder_id",
        lambda r: f"{r[1]} of {r[2]}",
    ),
    "audit_log": (
        "SELECT t.id, t.at, t.action FROM audit_log t",
        lambda r: f"of {_when(r[1])} ({r[2]})",
    ),
}
"""Per table: the rows' descriptions (the first column the row's key), and how one reads."""

_BY_KEY = {
    "interview": ("SELECT t.id, t.key FROM interview t", lambda r: f"of {r[1]}"),
    "wave": ("SELECT t.id, t.position FROM wave t", lambda r: f"of wave {r[1]}"),
}
"""Tables whose rows have an id of their own, but not one the analyst sees: an interview is
listed by its key, a wave by its name (the very text a message may be about)."""


def describe(
    s: Session | Connection, rows: Iterable[tuple[str, object]]
) -> dict[tuple[str, object], str]:
    """(table, key) → how to name the row after its label (``of 'Nights' for participant:P01
    at baseline``), for the rows of tables that need it; others are left out."""
    wanted: dict[str, set[object]] = {}
    for table, key in rows:
        if table in _QUERIES or table in _BY_KEY:
            wanted.setdefault(table, set()).add(key)
    found: dict[tuple[str, object], str] = {}
    for table, keys in wanted.items():
        query, reads = _QUERIES.get(table) or _BY_KEY[table]
        ordered = sorted(keys, key=str)
        for chunk in chunks(ordered):
            names = ", ".join(f":k{i}" for i in range(len(chunk)))
            statement = text(f"{query} WHERE t.{_key_column(table)} IN ({names})")
            params = {f"k{i}": key for i, key in enumerate(chunk)}
            for row in s.execute(statement, params):
                found[(table, row[0])] = reads(row)
    return found


def _key_column(table: str) -> str:
    return {"interview_title": "interview_id", "setting": "key"}.get(table, "id")


def has_description(table: str) -> bool:
    return table in _QUERIES or table in _BY_KEY
