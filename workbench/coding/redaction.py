"""Pseudonymisation: redactions that keep codings on their words, with the key kept apart.

A redaction replaces an identifying original (a name, a town, a date) with a placeholder
(``[first name]``); the same original always gets the same placeholder. The originals live only
in a separate key file (by default ``<project>.dyadkey`` beside a ``.dyad`` file) — never in the
project, its undo history or its backups made from now on. Undoing a redaction therefore needs
the key. Codings stay on their words: one that covered the name now covers the placeholder.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from workbench.coding.counterparts import unreached_counterparts
from workbench.coding.history import push_step
from workbench.coding.identifiers import (
    Candidate,
    Leak,
    accept_identifier,
    check_identifiers,
    dismiss_identifier,
    suggest_identifiers,
    whole_word,
)
from workbench.coding.keystore import (
    KEY_SUFFIX,
    FileKeyStore,
    KeyLocation,
    KeyMissing,
    KeyStore,
    ServerKeyStore,
)
from workbench.coding.study import get_interview
from workbench.domain.study import StudyError
from workbench.storage import inventory
from workbench.storage.models import (
    Coding,
    Interview,
    Redaction,
    UtteranceRow,
    WordRow,
)
from workbench.storage.project import Project, compact_storage
from workbench.storage.rows import chunks

__all__ = [
    "KEY_SUFFIX",
    "Candidate",
    "FileKeyStore",
    "KeyLocation",
    "KeyMissing",
    "KeyStore",
    "Leak",
    "RedactionReport",
    "ServerKeyStore",
    "accept_identifier",
    "check_identifiers",
    "dismiss_identifier",
    "originals_reader",
    "redact",
    "restore_originals",
    "suggest_identifiers",
    "unredact",
    "with_originals",
]
_TOUCHED = tuple(
    sorted({c.table for c in inventory.INVENTORY if c.table in inventory.tables()} | {"redaction"})
)

_ELSEWHERE = (
    inventory.TRANSCRIPT,
    inventory.PROSE,
    inventory.LABEL,
    inventory.JSON,
    inventory.HISTORY,
)


# --- redacting ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RedactionReport:
    placeholder: str
    occurrences: int
    interviews: tuple[str, ...]
    codings_kept: int
    snapped: int
    """Coding edges that fell inside the original and now sit at the placeholder's edge."""
    undo_entries_purged: int
    unreachable: tuple[str, ...]
    rewritten: tuple[str, ...] = ()
    """Other texts of the project where the original was replaced too (``coding memo 486a61d6``)."""
    counterparts: tuple[str, ...] = ()
    """Turns interpreted to or from the changed ones, in another script, that it did not reach:
    the same name may be written there (``coding.counterparts``)."""


def undo_step(placeholder: str) -> str:
    """How a redaction's step of the undo history reads (``history``, the window's Edit menu)."""
    return f"redact as {placeholder}"


Snap = tuple[int, int, str, int]
"""(redaction id, coding id, "start" or "end", the edge's offset into the original)."""


@dataclass(slots=True)
class _Around:
    """What a redaction moves in the utterances it touches, loaded once for all of them."""

    codings: dict[int, list[Coding]]
    """By utterance: the codings with an edge there."""
    redactions: dict[int, list[Redaction]]
    words: dict[int, list[WordRow]]

    @classmethod
    def load(cls, s: Session, utterance_ids: set[int]) -> _Around:
        around = cls({}, {}, {})
        ids = sorted(utterance_ids)
        for chunk in chunks(ids):
            inside = set(chunk)
            for coding in s.scalars(
                select(Coding).where(
                    Coding.start_utterance_id.in_(chunk) | Coding.end_utterance_id.in_(chunk)
                )
            ):
                for uid in {coding.start_utterance_id, coding.end_utterance_id} & inside:
                    around.codings.setdefault(uid, []).append(coding)
            for redaction in s.scalars(select(Redaction).where(Redaction.utterance_id.in_(chunk))):
                around.redactions.setdefault(redaction.utterance_id, []).append(redaction)
            for word in s.scalars(select(WordRow).where(WordRow.utterance_id.in_(chunk))):
                around.words.setdefault(word.utterance_id, []).append(word)
        return around


def _replace_in_utterance(
    s: Session,
    around: _Around,
    row: UtteranceRow,
    start: int,
    end: int,
    placeholder: str,
    ref: str,
) -> tuple[int, Redaction, list[tuple[int, str, int]]]:
    """Replace row.text[start:end]; move every anchor in this utterance.

    Returns how many codings have an edge in this utterance, the new redaction, and the coding
    edges that fell inside the original: (coding id, side, offset into the original). They now
    sit at the placeholder's edge; undo puts them back."""
    mine = around.redactions.setdefault(row.id, [])
    for existing in mine:
        if existing.start_offset < end and start < existing.end_offset:
            raise StudyError("that span overlaps a redaction already made")
    delta = len(placeholder) - (end - start)
    snapped: list[tuple[int, str, int]] = []

    def move(coding: Coding, offset: int, side: str) -> int:
        if offset <= start:
            return offset
        if offset >= end:
            return offset + delta
        snapped.append((coding.id, side, offset - start))
        return start if side == "start" else start + len(placeholder)

    codings = around.codings.get(row.id, [])
    for coding in codings:
        if coding.start_utterance_id == row.id:
            coding.start_offset = move(coding, coding.start_offset, "start")
        if coding.end_utterance_id == row.id:
            coding.end_offset = move(coding, coding.end_offset, "end")
    for other in mine:
        if other.start_offset >= end:
            other.start_offset += delta
            other.end_offset += delta
    original = row.text[start:end]
    row.text = row.text[:start] + placeholder + row.text[end:]
    row.version += 1
    _redact_words(around.words.get(row.id, []), original, placeholder)
    redaction = Redaction(
        utterance_id=row.id,
        start_offset=start,
        end_offset=start + len(placeholder),
        placeholder=placeholder,
        key_ref=ref,
    )
    s.add(redaction)
    mine.append(redaction)
    return len(codings), redaction, snapped


def _redact_words(words: list[WordRow], original: str, placeholder: str) -> None:
    """A transcription's word times keep each word's text: the original's words go there too.
    (They are not put back by undo: the utterance's text is what holds the words.)"""
    patterns = [whole_word(token) for token in original.split() if token.strip()]
    for word in words:
        new = word.text
        for pattern in patterns:
            new = pattern.sub(placeholder, new)
        if new != word.text:
            word.text = new


def _placeholder_for(key: KeyStore, original: str, placeholder: str) -> str:
    placeholder = placeholder.strip()
    if not placeholder:
        raise StudyError("give the placeholder (--as '[first name]')")
    known = key.placeholder_of(original)
    if known is not None and known != placeholder:
        raise StudyError(
            f"that text is already redacted as {known!r}: the same original keeps the same "
            "placeholder"
        )
    return placeholder


Spot = tuple[str, str, object, list[int]]
"""(table, column, row key, offsets in the rewritten text where the placeholder went): where a
redaction rewrote analyst text, so its undo can put the original back — positions, never text."""


def _spots(
    changed: list[inventory.Changed], pattern: re.Pattern[str], placeholder: str
) -> list[Spot]:
    """Where the placeholder stands in each rewritten plain text (JSON texts are not restored)."""
    spots: list[Spot] = []
    for c in changed:
        if c.column.kind == inventory.JSON:
            continue
        offsets, shift = [], 0
        for match in pattern.finditer(c.before):
            offsets.append(match.start() + shift)
            shift += len(placeholder) - (match.end() - match.start())
        if offsets:
            spots.append((c.column.table, c.column.column, c.key, offsets))
    return spots


def restore_texts(s: Session, original: str, placeholder: str, spots: list[list[Any]]) -> int:
    """Put ``original`` back where a redaction wrote ``placeholder`` into analyst text, wherever
    the placeholder still stands at its place (a text edited since keeps the placeholder there).
    Returns how many places were restored."""
    restored = 0
    for table_name, column_name, key, offsets in spots:
        table = inventory.tables()[table_name]
        (pk, *_) = list(table.primary_key.columns)
        column = table.c[column_name]
        value = s.execute(select(column).where(pk == key)).scalar()
        if not isinstance(value, str):
            continue
        for at in sorted(offsets, reverse=True):
            if value[at : at + len(placeholder)] == placeholder:
                value = value[:at] + original + value[at + len(placeholder) :]
                restored += 1
        s.execute(update(table).where(pk == key).values({column_name: value}))
    return restored


def _purge(s: Session, originals: list[str], placeholder: str) -> tuple[int, list[str], list[Spot]]:
    """Remove the originals from every other text the inventory lists: undo entries holding one
    are deleted; analyst text, names, snapshots and audit details get the placeholder (whole
    words, as written). Then the full-text index is rebuilt. Returns how many undo entries went
    and where text was rewritten."""
    purged = 0
    for original in originals:
        purged += inventory.purge_history(s, inventory.holds_in_json(original))
    patterns = [whole_word(o) for o in originals]

    def change(value: str) -> str:
        for pattern in patterns:
            value = pattern.sub(lambda _: placeholder, value)
        return value

    changed = inventory.rewrite_texts(s, change, kinds=_ELSEWHERE, containing=tuple(originals))
    if s.get_bind().dialect.name == "sqlite":
        s.flush()
        s.execute(text("INSERT INTO utterance_fts(utterance_fts) VALUES ('rebuild')"))
        s.execute(text("INSERT INTO utterance_fts(utterance_fts) VALUES ('optimize')"))
    spots = _spots(changed, patterns[0], placeholder) if len(patterns) == 1 else []
    return purged, [c.where for c in changed], spots


def _push_marker(
    s: Session,
    project: Project,
    coder: str | None,
    refs: list[str],
    what: str,
    snaps: list[Snap],
    placeholder: str = "",
    spots: list[Spot] | None = None,
) -> None:
    """An undo step that names key entries only: undoing it needs the key. It also keeps where
    coding edges that fell inside an original were, and where the placeholder went into analyst
    text (offsets, never text), so undo puts them back exactly."""
    marker = json.dumps(
        {
            "redaction": refs,
            "snaps": [list(snap) for snap in snaps],
            "placeholder": placeholder,
            "texts": [list(spot) for spot in spots or []],
        }
    )
    push_step(s, project.coder(s, coder), what, forward=marker, inverse=marker)


def _occurrences(
    s: Session, needle: str, interview: str | None
) -> Iterator[tuple[UtteranceRow, int, int]]:
    pattern = whole_word(needle)
    # The database narrows down to utterances holding the text at all; the pattern decides.
    stmt = (
        select(UtteranceRow)
        .where(UtteranceRow.text.contains(needle, autoescape=True))
        .order_by(UtteranceRow.interview_id, UtteranceRow.position)
    )
    if interview is not None:
        stmt = stmt.where(UtteranceRow.interview_id == get_interview(s, interview).id)
    for row in s.scalars(stmt):
        # Right to left, so earlier matches keep their offsets while later ones change.
        for match in reversed(list(pattern.finditer(row.text))):
            yield row, match.start(), match.end()


def redact(
    project: Project,
    placeholder: str,
    *,
    interview: str | None = None,
    start: int | None = None,
    end: int | None = None,
    everywhere: str | None = None,
    key_path: KeyLocation = None,
    coder: str | None = None,
    new_key: bool = False,
) -> RedactionReport:
    """Redact a span of one interview (``interview``, ``start``, ``end``), or every whole-word,
    case-sensitive occurrence of ``everywhere`` across the project.

    One transaction and one undo step; the storage is compacted after it."""
    key = KeyStore.open(project, key_path, create=True, new_key=new_key)

    with project.session() as s:
        if project.is_sqlite:
            s.execute(text("PRAGMA secure_delete = ON"))
        if everywhere is not None:
            original = everywhere
            targets = _targets_everywhere(s, key, original, placeholder)
        else:
            original, targets = _target_span(s, interview, start, end)
        chosen = _placeholder_for(key, original, placeholder)
        ref = key.ref_of(original, chosen)
        around = _Around.load(s, {row.id for row, _, _ in targets})
        kept, snaps, interviews = _replace_targets(s, around, targets, chosen, ref)
        counterparts = unreached_counterparts(
            s, (row.id for row, _, _ in targets), original, chosen
        )
        purged, rewritten, spots = _purge(s, [original], chosen)
        keys = sorted(s.scalars(select(Interview.key).where(Interview.id.in_(interviews))))
        _push_marker(s, project, coder, [ref], undo_step(chosen), snaps, chosen, spots)
        project.audit(
            s,
            "redact",
            None,
            occurrences=len(targets),
            interviews=keys,
            undo_entries_purged=purged,
            texts_rewritten=len(rewritten),
        )
    compact_storage(project, _TOUCHED)
    from workbench.storage.backup import list_backups

    unreachable = tuple(
        f"backup made earlier: {b}" for b in (list_backups(project.path) if project.path else [])
    )
    return RedactionReport(
        chosen,
        len(targets),
        tuple(keys),
        kept,
        len(snaps),
        purged,
        unreachable,
        tuple(rewritten),
        tuple(counterparts),
    )


def _targets_everywhere(
    s: Session, key: KeyStore, original: str, placeholder: str
) -> list[tuple[UtteranceRow, int, int]]:
    """Every whole-word occurrence of ``original`` in the utterances (right to left within
    each); an error when it occurs as a whole word nowhere, not even in other texts."""
    if not original.strip():
        raise StudyError("give the text to redact")
    _placeholder_for(key, original, placeholder)
    targets = list(_occurrences(s, original, None))
    if not targets and not any(
        whole_word(original).search(inventory.readable(column, body))
        for column, _, body, _ in inventory.iter_texts(
            s, inventory.walked(*_ELSEWHERE), containing=original
        )
    ):
        raise StudyError("that text does not occur as a whole word anywhere")
    return targets


def _target_span(
    s: Session, interview: str | None, start: int | None, end: int | None
) -> tuple[str, list[tuple[UtteranceRow, int, int]]]:
    """The original text of a span of one interview's text, and where it lies (within one
    utterance, holding words)."""
    from workbench.coding._anchors import LoadedTranscript

    if interview is None or start is None or end is None:
        raise StudyError("give --interview, --start and --end, or --all TEXT")
    iv = get_interview(s, interview)
    transcript = LoadedTranscript.load(s, iv)
    total = len(transcript.text)
    if not 0 <= start < end <= total:
        raise StudyError(f"span {start}–{end} is outside the interview text (0–{total})")
    first_id, offset = transcript.anchor(start, "start")
    last_id, end_offset = transcript.anchor(end, "end")
    if first_id != last_id:
        raise StudyError("a redaction lies within one utterance")
    row = transcript.rows[transcript.index_of(first_id)]
    original = row.text[offset:end_offset]
    if not original.strip():
        raise StudyError("the span holds no words")
    return original, [(row, offset, end_offset)]


def _replace_targets(
    s: Session,
    around: _Around,
    targets: list[tuple[UtteranceRow, int, int]],
    chosen: str,
    ref: str,
) -> tuple[int, list[Snap], set[int]]:
    """Replace every target with the placeholder, in the caller's transaction, and flush.
    Returns how many codings have an edge in the changed utterances, the coding edges that fell
    inside an original, and the ids of the interviews changed (their transcript versions
    bumped). ``around`` (the caller's) keeps the new redactions."""
    kept = 0
    made: list[tuple[Redaction, list[tuple[int, str, int]]]] = []
    interviews: set[int] = set()
    with s.no_autoflush:
        for row, a, b in targets:
            k, redaction, snapped = _replace_in_utterance(s, around, row, a, b, chosen, ref)
            kept += k
            made.append((redaction, snapped))
            interviews.add(row.interview_id)
        for iv_id in interviews:
            changed = s.get(Interview, iv_id)
            assert changed is not None
            changed.transcript_version += 1
    s.flush()
    snaps: list[Snap] = [
        (redaction.id, cid, side, rel) for redaction, snapped in made for cid, side, rel in snapped
    ]
    return kept, snaps, interviews


def open_key_for_undo(project: Project, key_path: KeyLocation) -> KeyStore:
    try:
        return KeyStore.open(project, key_path)
    except StudyError as exc:
        raise StudyError(f"refused: undoing a redaction needs its key ({exc})") from None


def unredact(project: Project, refs: list[str], key_path: KeyLocation) -> int:
    """Put the originals back where these redactions are (needs the key). Returns how many."""
    key = open_key_for_undo(project, key_path)
    with project.session() as s:
        return restore_originals(s, key, refs)


def restore_originals(
    s: Session, key: KeyStore, refs: list[str], snaps: list[list[object]] | None = None
) -> int:
    """Put the originals back (right to left in each utterance); coding edges that the
    redaction snapped to the placeholder go back to where they were in the original."""
    by_redaction: dict[int, list[tuple[int, str, int]]] = {}
    for rid, cid, side, rel in snaps or []:
        by_redaction.setdefault(int(str(rid)), []).append((int(str(cid)), str(side), int(str(rel))))
    chosen = list(
        s.scalars(
            select(Redaction)
            .where(Redaction.key_ref.in_(refs))
            .order_by(Redaction.utterance_id, Redaction.start_offset.desc())
        )
    )
    ids = {r.utterance_id for r in chosen}
    around = _Around.load(s, ids)
    rows = {
        row.id: row
        for chunk in chunks(sorted(ids))
        for row in s.scalars(select(UtteranceRow).where(UtteranceRow.id.in_(chunk)))
    }
    codings = {c.id: c for found in around.codings.values() for c in found}
    originals = {ref: key.original(ref) for ref in {r.key_ref for r in chosen}}
    with s.no_autoflush:
        for redaction in chosen:
            row = rows[redaction.utterance_id]
            original = originals[redaction.key_ref]
            a, b = redaction.start_offset, redaction.end_offset
            around.redactions[row.id].remove(redaction)
            s.delete(redaction)
            _replace_back(around, row, a, b, original)
            for cid, side, rel in by_redaction.get(redaction.id, []):
                coding = codings.get(cid)
                if coding is None or not 0 < rel < len(original):
                    continue
                if side == "start" and (coding.start_utterance_id, coding.start_offset) == (
                    row.id,
                    a,
                ):
                    coding.start_offset = a + rel
                elif side == "end" and (coding.end_utterance_id, coding.end_offset) == (
                    row.id,
                    a + len(original),
                ):
                    coding.end_offset = a + rel
    s.flush()
    return len(chosen)


def with_originals(project: Project, interview: str, key_path: KeyLocation) -> list[str]:
    """Each utterance's text with the originals in place of its placeholders, for a key holder
    who asks; nothing in the project changes (the reading is audited). Positions in this text
    differ from the project's wherever an original is longer or shorter than its placeholder."""
    key = KeyStore.open(project, key_path)
    with project.session() as s:
        iv = get_interview(s, interview)
        rows = s.scalars(
            select(UtteranceRow)
            .where(UtteranceRow.interview_id == iv.id)
            .order_by(UtteranceRow.position)
        ).all()
        spans: dict[int, list[Redaction]] = {}
        for redaction in s.scalars(
            select(Redaction)
            .join(UtteranceRow, Redaction.utterance_id == UtteranceRow.id)
            .where(UtteranceRow.interview_id == iv.id)
            .order_by(Redaction.start_offset.desc())
        ):
            spans.setdefault(redaction.utterance_id, []).append(redaction)
        project.audit(
            s,
            "redaction.reveal",
            f"interview:{interview}",
            redactions=sum(map(len, spans.values())),
        )
    originals: dict[str, str] = {}
    texts = []
    for row in rows:
        body = row.text
        for r in spans.get(row.id, []):
            if r.key_ref not in originals:
                originals[r.key_ref] = key.original(r.key_ref)
            body = body[: r.start_offset] + originals[r.key_ref] + body[r.end_offset :]
        texts.append(body)
    return texts


def originals_reader(project: Project, key_path: KeyLocation = None) -> Callable[[str], str]:
    """For a key holder who asks: a function giving an analyst text (a memo, the journal, a
    summary) with the originals in place of their placeholders. A placeholder several originals
    share shows them all (``[brother: Ali | Samer]``): analyst text keeps no offsets to tell
    them apart. Nothing in the project changes; opening the reader is audited as a reading."""
    key = KeyStore.open(project, key_path)
    shared: dict[str, list[str]] = {}
    for original in key.originals():
        placeholder = key.placeholder_of(original)
        if placeholder:
            shared.setdefault(placeholder, []).append(original)
    with project.session() as s:
        project.audit(s, "redaction.reveal", "analyst text", placeholders=len(shared))
    shown = {
        placeholder: originals[0]
        if len(originals) == 1
        else f"{placeholder.rstrip(']')}: {' | '.join(sorted(originals))}"
        + ("]" if placeholder.endswith("]") else "")
        for placeholder, originals in shared.items()
    }
    if not shown:
        return lambda text: text
    pattern = re.compile("|".join(map(re.escape, sorted(shown, key=len, reverse=True))))
    return lambda text: pattern.sub(lambda m: shown[m.group()], text)


def _replace_back(around: _Around, row: UtteranceRow, start: int, end: int, original: str) -> None:
    delta = len(original) - (end - start)

    def move(offset: int, side: str) -> int:
        if offset <= start:
            return offset
        if offset >= end:
            return offset + delta
        return start if side == "start" else start + len(original)

    for coding in around.codings.get(row.id, []):
        if coding.start_utterance_id == row.id:
            coding.start_offset = move(coding.start_offset, "start")
        if coding.end_utterance_id == row.id:
            coding.end_offset = move(coding.end_offset, "end")
    for other in around.redactions.get(row.id, []):
        if other.start_offset >= end:
            other.start_offset += delta
            other.end_offset += delta
    row.text = row.text[:start] + original + row.text[end:]
    row.version += 1
