"""The text inventory: every column of the project that can hold words a person said, or words
about a person, and how it is walked.

Redaction (``redact --all`` and span redaction's purge), the identifier check (``pseudonyms
check``), identifier suggestions, the export gate and consent withdrawal all read this one list,
so a new text column cannot be forgotten by one of them: ``tests/storage/test_inventory.py``
fails when a table gains a Text/String column that is neither here nor in ``NOT_WORDS``.

Kinds (how a column is walked):
- ``transcript``: an utterance's words (and a transcription's word times). Redacted with anchors
  (``workbench.coding.redaction``), never rewritten by the plain walker.
- ``prose``: free text a person wrote (memos, summaries, the journal, excerpts, translations):
  rewritten in place, searched for identifiers and suggested from.
- ``label``: short names a person chose (code and theme names, titles): rewritten and checked
  like prose, but not mined for suggestions (their capitals are names of things, not people).
- ``json``: a JSON document whose strings hold copies of text (snapshot payloads, theme history,
  audit details): its strings are rewritten, the document stays valid.
- ``history``: the undo history. An entry holding an original is purged, never rewritten (a
  rewritten step would undo into the wrong words).
- ``derived``: recomputed from another column on every write (the folded search copy); rebuilt,
  never walked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Column, Connection, String, Table, Text, delete, null, select, update
from sqlalchemy.orm import Session

from workbench.storage import places
from workbench.storage.models import DERIVED, Base
from workbench.storage.rows import chunks

TRANSCRIPT = "transcript"
PROSE = "prose"
LABEL = "label"
JSON = "json"
HISTORY = "history"
DERIVED_KIND = "derived"
UTTERANCES = ("utterance", "text")


@dataclass(frozen=True, slots=True)
class TextColumn:
    table: str
    column: str
    kind: str
    label: str
    """What an analyst calls it, used in messages: ``coding memo``, ``journal entry``."""


INVENTORY: tuple[TextColumn, ...] = (
    TextColumn("utterance", "text", TRANSCRIPT, "utterance"),
    TextColumn("utterance", "search_text", DERIVED_KIND, "utterance (search copy)"),
    TextColumn("utterance", "speaker_label", LABEL, "speaker label"),
    TextColumn("word", "text", TRANSCRIPT, "word"),
    TextColumn("translation", "text", PROSE, "translation"),
    TextColumn("translation", "translator", LABEL, "translator"),
    TextColumn("memo", "title", LABEL, "memo title"),
    TextColumn("memo", "text", PROSE, "memo"),
    TextColumn("coding", "memo", PROSE, "coding memo"),
    TextColumn("detached_coding", "text", PROSE, "detached coding"),
    TextColumn("detached_coding", "memo", PROSE, "detached coding memo"),
    TextColumn("journal_entry", "text", PROSE, "journal entry"),
    TextColumn("cell_summary", "text", PROSE, "cell summary"),
    TextColumn("trajectory", "text", PROSE, "trajectory note"),
    TextColumn("trajectory", "label", LABEL, "trajectory label"),
    TextColumn("exemplar", "excerpt", PROSE, "exemplar excerpt"),
    TextColumn("dyad_stance", "note", PROSE, "stance note"),
    TextColumn("theme", "name", LABEL, "theme name"),
    TextColumn("theme", "concept", PROSE, "theme concept"),
    TextColumn("theme", "definition", PROSE, "theme definition"),
    TextColumn("theme_event", "rationale", PROSE, "theme history rationale"),
    TextColumn("theme_event", "detail", JSON, "theme history"),
    TextColumn("code", "name", LABEL, "code name"),
    TextColumn("code", "definition", PROSE, "code definition"),
    TextColumn("code", "inclusion", PROSE, "code inclusion note"),
    TextColumn("code", "exclusion", PROSE, "code exclusion note"),
    TextColumn("interview", "status_reason", PROSE, "interview status reason"),
    TextColumn("interview_title", "title", LABEL, "interview name from another tool"),
    TextColumn("participant_attribute", "value", LABEL, "participant attribute"),
    TextColumn("participant_wave_attribute", "value", LABEL, "per-wave attribute"),
    TextColumn("project", "title", LABEL, "study title"),
    TextColumn("wave", "name", LABEL, "wave name"),
    TextColumn("setting", "value", JSON, "setting"),
    TextColumn("snapshot", "name", LABEL, "snapshot name"),
    TextColumn("snapshot", "payload", JSON, "snapshot"),
    TextColumn("transcription_queue", "options", JSON, "transcription queue settings"),
    TextColumn("transcription_queue", "detail", PROSE, "transcription queue note"),
    TextColumn("undo_entry", "description", HISTORY, "undo entry"),
    TextColumn("undo_entry", "forward", HISTORY, "undo entry"),
    TextColumn("undo_entry", "inverse", HISTORY, "undo entry"),
    TextColumn("audit_log", "target", LABEL, "audit log target"),
    TextColumn("audit_log", "detail", JSON, "audit log detail"),
)

NOT_WORDS: dict[tuple[str, str], str] = {
    # Ids a researcher gives (P01, D01, P01-baseline): pseudonymous keys by design; withdrawal
    # rewrites the withdrawn person's id where it appears in text.
    ("participant", "key"): "pseudonymous id",
    ("dyad", "key"): "pseudonymous id",
    ("interview", "key"): "pseudonymous id",
    ("undo_entry", "participant_ids"): "row ids",
    # Stable identifiers and hashes.
    **{
        (table, "guid"): "uuid"
        for table in (
            "project",
            "coder",
            "wave",
            "participant",
            "dyad",
            "interview",
            "code",
            "coding",
            "detached_coding",
            "theme",
            "memo",
            "journal_entry",
        )
    },
    ("interview", "media_sha256"): "hash",
    ("redaction", "key_ref"): "opaque reference into the key",
    ("analysis_rows", "inputs"): "hash",
    ("gate_clearance", "key_print"): "keyed digest of the key (keyed by its random references)",
    ("gate_clearance", "witnesses"): "keyed digests of words, and row ids (never words)",
    ("text_row_change", "tbl"): "the program's table names",
    # Closed vocabularies (a CHECK constraint or the code's own words).
    ("participant", "role"): "enum",
    ("participant", "study_role"): "enum",
    ("participant", "consent"): "enum",
    ("interview", "status"): "enum",
    ("interview_participant", "role"): "enum",
    ("theme", "status"): "enum",
    ("transcription_queue", "status"): "enum",
    ("theme_event", "kind"): "enum",
    ("cell_summary", "unit_kind"): "enum",
    ("cell_summary", "role"): "enum",
    ("trajectory", "unit_kind"): "enum",
    ("trajectory", "role"): "enum",
    ("exemplar", "unit_kind"): "enum",
    ("exemplar", "role"): "enum",
    ("dyad_stance", "stance"): "enum",
    ("translation", "method"): "enum",
    ("participant_attribute", "value_type"): "enum",
    ("participant_wave_attribute", "value_type"): "enum",
    ("audit_log", "action"): "the program's action names",
    ("setting", "key"): "the program's setting names",
    ("participant_attribute", "name"): "attribute names (age_band, first_name), not values",
    ("participant_wave_attribute", "name"): "attribute names, not values",
    # Language tags, colours.
    ("interview", "language"): "language tag",
    ("utterance", "language"): "language tag",
    ("translation", "language"): "language tag",
    ("code", "color"): "colour",
    # The team's own names: analysts, not participants.
    ("coder", "name"): "an analyst's name",
    ("audit_log", "coder"): "an analyst's name",
    # The placeholder that replaced an original: chosen to say nothing ([first name]).
    ("redaction", "placeholder"): "placeholder",
    # A media file the analyst linked; exports write its file name only where they write it.
    ("interview", "media_path"): "path of a media file on this machine",
}
"""Text/String columns that hold no words about a person, each with why."""

UNMAPPED_TABLES: dict[str, str] = {
    "utterance_fts": "SQLite FTS5 index of utterance.search_text: rebuilt after every purge",
    "utterance_fts_data": "FTS5 shadow table",
    "utterance_fts_idx": "FTS5 shadow table",
    "utterance_fts_docsize": "FTS5 shadow table",
    "utterance_fts_config": "FTS5 shadow table",
    "utterance_fts_content": "FTS5 shadow table",
    "analysis_clock": "a counter",
    "text_clock": "a counter",
    "alembic_version": "the schema revision",
}
"""Tables of a project outside the mapped models, each with why no words live there."""


def tables() -> dict[str, Table]:
    return {**DERIVED.tables, **Base.metadata.tables}


def text_columns_of_schema() -> list[tuple[str, str]]:
    """Every Text/String column of the models (the inventory test compares with this)."""
    found = []
    for name, table in tables().items():
        for column in table.columns:
            if isinstance(column.type, String | Text) or isinstance(
                getattr(column.type, "impl", None), String | Text
            ):
                found.append((name, column.name))
    return found


def walked(*kinds: str) -> tuple[TextColumn, ...]:
    return tuple(c for c in INVENTORY if c.kind in kinds)


def _table_column(item: TextColumn) -> tuple[Table, Column[Any], Column[Any]]:
    table = tables()[item.table]
    (pk, *_) = list(table.primary_key.columns)
    return table, pk, table.c[item.column]


def where(item: TextColumn, key: object, guid: str | None = None) -> str:
    """How messages name a row: by the id the command line lists for it (``memo 3b2d43ce``,
    the start of its uuid, as ``memo list`` and ``coding list`` print it), else by its row
    number (``audit log detail #40``), which ``named`` turns into what the row belongs to
    before a person reads it."""
    if guid and not places.has_description(item.table):
        return f"{item.label} {guid[:8]}"
    return f"{item.label} #{key}"


_LABELLED = {c.label: c.table for c in INVENTORY}
_NUMBERED = re.compile(r"(?P<label>.+) #(?P<key>[^#]+)")


def named(s: Session | Connection, wheres: Iterable[str]) -> dict[str, str]:
    """Each ``where`` that names a row by its number, as a person can find it: ``cell summary
    #12`` → ``cell summary of 'Nights' for participant:P01 at baseline`` (``places``). Others
    map to themselves."""
    parsed: dict[str, tuple[str, object]] = {}
    for place in set(wheres):
        found = _NUMBERED.fullmatch(place)
        if found is None or found["label"] not in _LABELLED:
            continue
        key = found["key"]
        parsed[place] = (_LABELLED[found["label"]], int(key) if key.isdigit() else key)
    described = places.describe(s, parsed.values())
    return {
        place: f"{place.rsplit(' #', 1)[0]} {described[row]}"
        for place, row in parsed.items()
        if row in described
    }


def named_all(s: Session | Connection, wheres: Sequence[str]) -> list[str]:
    """``wheres`` in order, each as ``named`` names it."""
    names = named(s, wheres)
    return [names.get(w, w) for w in wheres]


def iter_texts(
    s: Session | Connection,
    columns: tuple[TextColumn, ...],
    *,
    containing: str | None = None,
    rows: Sequence[object] | None = None,
) -> Iterator[tuple[TextColumn, object, str, str]]:
    """(column, row key, text, where: ``where``) of every non-empty value; ``containing``
    narrows down in the database (case-insensitively) before the caller's own pattern
    decides; ``rows``: only the rows with these keys."""
    for item in columns:
        table, pk, column = _table_column(item)
        guid = table.c.get("guid")
        stmt = select(pk, column, guid if guid is not None else null()).where(
            column.is_not(None), column != ""
        )
        if rows is not None:
            stmt = stmt.where(pk.in_(rows))
        if containing is not None:
            found = column.icontains(containing, autoescape=True)
            escaped = json.dumps(containing)[1:-1]
            if item.kind in (JSON, HISTORY) and escaped != containing:
                found = found | column.icontains(escaped, autoescape=True)
            stmt = stmt.where(found)
        for key, value, uuid in s.execute(stmt):
            yield item, key, value, where(item, key, uuid)


def map_strings(value: object, change: Callable[[str], str]) -> object:
    """A JSON value with ``change`` applied to every string in it (keys kept)."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, list):
        return [map_strings(v, change) for v in value]
    if isinstance(value, dict):
        return {k: map_strings(v, change) for k, v in value.items()}
    return value


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)


def readable(item: TextColumn, value: str) -> str:
    """The words a stored value holds, as a person would read them: a JSON document's strings
    one a line (JSON may escape non-ASCII letters, which a search of the raw text would miss)."""
    if item.kind not in (JSON, HISTORY):
        return value
    try:
        document = json.loads(value)
    except ValueError:
        return value
    return "\n".join(_strings(document))


def rewrite_value(item: TextColumn, value: str, change: Callable[[str], str]) -> str:
    """The column's value with ``change`` applied the way its kind is walked."""
    if item.kind == JSON:
        try:
            document = json.loads(value)
        except ValueError:
            return change(value)
        new = map_strings(document, change)
        return value if new == document else json.dumps(new, sort_keys=True)
    return change(value)


@dataclass(frozen=True, slots=True)
class Changed:
    column: TextColumn
    key: object
    before: str
    after: str
    where: str
    """How messages name the row (``where``)."""


def rewrite_texts(
    s: Session,
    change: Callable[[str], str],
    *,
    kinds: tuple[str, ...] = (PROSE, LABEL, JSON),
    containing: tuple[str, ...] | None = None,
) -> list[Changed]:
    """Apply ``change`` to every inventoried text of these kinds (never an utterance's text:
    that changes only through anchored commands), in the caller's transaction;
    returns what changed. ``containing`` narrows down in the database to rows holding one of
    these strings (case-insensitively)."""
    changed: list[Changed] = []
    for item in walked(*kinds):
        if item.kind in (HISTORY, DERIVED_KIND) or (item.table, item.column) == UTTERANCES:
            continue
        table, pk, column = _table_column(item)
        seen: set[object] = set()
        for needle in containing if containing is not None else (None,):
            for _, key, value, place in iter_texts(s, (item,), containing=needle):
                if key in seen:
                    continue
                seen.add(key)
                new = rewrite_value(item, value, change)
                if new != value:
                    s.execute(update(table).where(pk == key).values({column.name: new}))
                    changed.append(Changed(item, key, value, new, place))
    names = named(s, [c.where for c in changed])
    return [replace(c, where=names.get(c.where, c.where)) for c in changed]


def purge_history(s: Session, holds: Callable[[str], bool]) -> int:
    """Delete every undo entry whose stored text ``holds`` returns true for. Returns how many."""
    table = tables()["undo_entry"]
    doomed = [
        key
        for key, description, forward, inverse in s.execute(
            select(table.c.id, table.c.description, table.c.forward, table.c.inverse)
        )
        if holds(description) or holds(forward) or holds(inverse)
    ]
    for chunk in chunks(doomed):
        s.execute(delete(table).where(table.c.id.in_(chunk)))
    return len(doomed)


def holds_in_json(needle: str) -> Callable[[str], bool]:
    """Whether a stored text holds ``needle`` as written or as JSON escapes it."""
    escaped = json.dumps(needle)[1:-1]
    folded, folded_escaped = needle.casefold(), escaped.casefold()

    def holds(value: str) -> bool:
        low = value.casefold()
        return folded in low or folded_escaped in low

    return holds
