"""Consent withdrawal: remove a participant and everything that holds their words.

DESIGN.md, "Consent withdrawal". Interviews where they are the only interviewee are deleted; in
joint interviews their utterances, and interpreter utterances rendering them, become
``[withdrawn]`` and the codings on them go; memos about them, their attributes, undo entries and
detached codings holding their words are deleted. Then the full-text index is rebuilt (FTS5 keeps
deleted tokens in its segments otherwise) and the storage is compacted so the words leave the
file's bytes too: SQLite with ``secure_delete``, a TRUNCATE checkpoint of the WAL and VACUUM;
PostgreSQL with VACUUM FULL of the touched tables.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import PurePath

from sqlalchemy import delete, func, or_, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from workbench.coding.identifiers import located_texts
from workbench.coding.keystore import KeyLocation, KeyStore, refs_in_use
from workbench.coding.study import get_participant
from workbench.coding.withdraw_reach import (
    Quotation,
    reach_derived_text,
    said_by_others,
    shingles,
)
from workbench.coding.words import loose_word
from workbench.domain.study import WITHDRAWN_TEXT, StudyError, WithdrawalReceipt
from workbench.domain.text import count_words, search_text_of
from workbench.storage import inventory
from workbench.storage.backup import list_backups
from workbench.storage.inventory import HISTORY, JSON, LABEL, PROSE, TRANSCRIPT
from workbench.storage.models import (
    AuditEntry,
    Coding,
    DetachedCoding,
    Interview,
    InterviewParticipantRow,
    Memo,
    Participant,
    ParticipantWaveAttribute,
    Redaction,
    RenderingSpan,
    Translation,
    UndoEntry,
    UtteranceRow,
    WordRow,
)
from workbench.storage.project import Project, compact_storage

_OWN_TABLES = (
    "utterance",
    "word",
    "translation",
    "coding",
    "detached_coding",
    "memo",
    "undo_entry",
    "participant",
    "participant_attribute",
    "participant_wave_attribute",
    "interview",
    "cell_summary",
    "trajectory",
    "exemplar",
    "redaction",
)

_VACUUM_TABLES = tuple(
    sorted({c.table for c in inventory.INVENTORY if c.table in inventory.tables()} | {*_OWN_TABLES})
)
"""Everything withdrawal may change: its own tables and every table of the text inventory."""


def _codings_touching(s: Session, interview_id: int, positions: set[int]) -> list[int]:
    """Codings of one interview whose span covers any of the given utterance positions."""
    by_id = dict(
        s.execute(
            select(UtteranceRow.id, UtteranceRow.position).where(
                UtteranceRow.interview_id == interview_id
            )
        ).all()
    )
    hit = []
    for coding_id, start_id, end_id in s.execute(
        select(Coding.id, Coding.start_utterance_id, Coding.end_utterance_id).where(
            Coding.interview_id == interview_id
        )
    ):
        first, last = by_id[start_id], by_id[end_id]
        if any(first <= p <= last for p in positions):
            hit.append(coding_id)
    return hit


def _renders(pid: int) -> ColumnElement[bool]:
    """Utterances rendering them: wholly, or in a rendering span (the whole utterance goes,
    the interpreter's aside in it too: safer than leaving words next to theirs)."""
    spans = select(RenderingSpan.utterance_id).where(RenderingSpan.participant_id == pid)
    return or_(UtteranceRow.renders_id == pid, UtteranceRow.id.in_(spans))


def _their_words(s: Session, pid: int) -> list[str]:
    """Everything they said (and what an interpreter rendered of it), with its translations."""
    mine = or_(UtteranceRow.speaker_id == pid, _renders(pid))
    said = list(s.scalars(select(UtteranceRow.text).where(mine)))
    said += s.scalars(
        select(Translation.text)
        .join(UtteranceRow, Translation.utterance_id == UtteranceRow.id)
        .where(mine)
    )
    return said


def _exports_written_earlier(s: Session) -> list[str]:
    """File names of earlier exports (from the audit log: names only, never a machine's path)."""
    names = []
    for (detail,) in s.execute(select(AuditEntry.detail).where(AuditEntry.action == "export")):
        out = json.loads(detail).get("path")
        if out:
            names.append(PurePath(str(out)).name)
    return names


def _delete_their_own_interviews(s: Session, pid: int) -> tuple[list[str], list[int], int]:
    """Interviews where they are the only interviewee go; returns their keys, the ids of the
    joint interviews they take part in, and how many codings went with their own."""
    deleted_interviews: list[str] = []
    joint_interviews: list[int] = []
    codings = 0
    for interview in s.scalars(
        select(Interview)
        .join(InterviewParticipantRow)
        .where(InterviewParticipantRow.participant_id == pid)
        .order_by(Interview.key)
    ):
        interviewees = [ip for ip in interview.participants if ip.role == "interviewee"]
        if len(interviewees) == 1 and interviewees[0].participant_id == pid:
            deleted_interviews.append(interview.key)
            codings += (
                s.scalar(
                    select(func.count())
                    .select_from(Coding)
                    .where(Coding.interview_id == interview.id)
                )
                or 0
            )
            s.delete(interview)
        else:
            joint_interviews.append(interview.id)
    s.flush()
    return deleted_interviews, joint_interviews, codings


def _blank_them_in_joint_interviews(
    s: Session, pid: int, joint_interviews: list[int]
) -> tuple[int, int, int]:
    """Their utterances, and interpreter utterances rendering them, become ``[withdrawn]``;
    codings on them go. Returns (utterances, interpreter utterances, codings)."""
    replaced = interpreter_replaced = codings_removed = 0
    for interview_id in joint_interviews:
        own = s.execute(
            select(UtteranceRow.id, UtteranceRow.position).where(
                UtteranceRow.interview_id == interview_id, UtteranceRow.speaker_id == pid
            )
        ).all()
        rendering = s.execute(
            select(UtteranceRow.id, UtteranceRow.position).where(
                UtteranceRow.interview_id == interview_id,
                _renders(pid),
                or_(UtteranceRow.speaker_id.is_(None), UtteranceRow.speaker_id != pid),
            )
        ).all()
        ids = [r.id for r in own] + [r.id for r in rendering]
        if not ids:
            continue
        codings = _codings_touching(s, interview_id, {r.position for r in [*own, *rendering]})
        if codings:
            s.execute(delete(Coding).where(Coding.id.in_(codings)))
        s.execute(delete(WordRow).where(WordRow.utterance_id.in_(ids)))
        s.execute(delete(Translation).where(Translation.utterance_id.in_(ids)))
        s.execute(delete(Redaction).where(Redaction.utterance_id.in_(ids)))
        s.execute(
            update(UtteranceRow)
            .where(UtteranceRow.id.in_(ids))
            .values(
                text=WITHDRAWN_TEXT,
                search_text=search_text_of(WITHDRAWN_TEXT),
                word_count=count_words(WITHDRAWN_TEXT),
                needs_review=False,
                untranscribed_speech=False,
                verified=False,
                version=UtteranceRow.version + 1,
            )
        )
        s.execute(
            update(Interview)
            .where(Interview.id == interview_id)
            .values(transcript_version=Interview.transcript_version + 1)
        )
        replaced += len(own)
        interpreter_replaced += len(rendering)
        codings_removed += len(codings)
    return replaced, interpreter_replaced, codings_removed


def withdraw_participant(
    project: Project, key: str, *, key_path: KeyLocation = None
) -> WithdrawalReceipt:
    """Remove participant ``key`` without a trace; returns the receipt (also audited).

    Everything up to the audit entry is one transaction; the storage is compacted after it.
    Then the pseudonymisation key (``key_path``, default beside a project file) loses the
    originals only their text used."""
    watch_list, key_missing = _listed_words(project, key_path)
    with project.session() as s:
        if project.is_sqlite:
            # Freed pages are zeroed from now on, so deleted text does not linger in free space.
            s.execute(text("PRAGMA secure_delete = ON"))
        person = get_participant(s, key)
        pid = person.id
        said = _their_words(s, pid)
        others = s.scalars(select(Participant.key).where(Participant.id != pid)).all()
        quotation = Quotation(shingles(said), key, others=others)
        refs_before = refs_in_use(s)
        watched_in_theirs = {
            w for w in watch_list if any(loose_word(w).search(text) for text in said)
        }
        exported = _exports_written_earlier(s)

        deleted_interviews, joint_interviews, with_them = _delete_their_own_interviews(s, pid)
        replaced, interpreter_replaced, codings_removed = _blank_them_in_joint_interviews(
            s, pid, joint_interviews
        )
        codings_removed += with_them
        memos, wave_attributes, detached, undo_entries = _delete_the_rest_of_them(s, pid)

        s.flush()
        quotation.shared = said_by_others(s)
        reached = reach_derived_text(s, quotation)
        audit_rows = [c for c in reached.changed if c.startswith("audit log")]
        derived = tuple(c for c in reached.changed if not c.startswith("audit log"))

        only_theirs = refs_before - refs_in_use(s)
        watched_only_theirs = watched_in_theirs - _standing(s, watched_in_theirs)
        if project.is_sqlite:
            s.execute(text("INSERT INTO utterance_fts(utterance_fts) VALUES ('rebuild')"))
            s.execute(text("INSERT INTO utterance_fts(utterance_fts) VALUES ('optimize')"))

        receipt = WithdrawalReceipt(
            participant=key,
            interviews_deleted=tuple(deleted_interviews),
            utterances_replaced=replaced,
            interpreter_utterances_replaced=interpreter_replaced,
            codings_removed=codings_removed,
            memos_deleted=memos,
            wave_attributes_deleted=wave_attributes,
            undo_entries_deleted=undo_entries + reached.undo_entries_purged,
            detached_codings_deleted=detached,
            full_text_index_rebuilt=True,
            storage_compacted=(
                "secure_delete, WAL checkpoint (TRUNCATE), VACUUM"
                if project.is_sqlite
                else "VACUUM FULL of the touched tables"
            ),
            unreachable_copies=tuple(_unreachable_copies(project, exported)),
            derived_text_changed=derived,
            audit_entries_rewritten=len(audit_rows),
        )
        _audit_withdrawal(project, s, receipt, len(only_theirs))
    skipped = compact_storage(project, _VACUUM_TABLES)
    if skipped:  # a team role that does not own the tables: PostgreSQL vacuumed nothing
        receipt = dataclasses.replace(
            receipt,
            storage_compacted="not compacted: this role does not own the tables",
            unreachable_copies=(
                *receipt.unreachable_copies,
                f"old row versions in {', '.join(skipped)} until the tables' owner runs "
                "VACUUM FULL on them (docs/team.md)",
            ),
        )
    return _forget_in_key(project, key_path, only_theirs, watched_only_theirs, receipt, key_missing)


def _listed_words(project: Project, key_path: KeyLocation) -> tuple[list[str], str | None]:
    """The key's watched and accepted words, or nothing and why when the key is not at hand
    (``_forget_in_key`` says so in the receipt)."""
    try:
        store = KeyStore.open(project, key_path)
    except StudyError as exc:
        return [], str(exc)
    return [*store.watched(), *store.identifiers()], None


def _standing(s: Session, words: set[str]) -> set[str]:
    """Which of ``words`` any inventoried text still holds, in any spelling."""
    if not words:
        return set()
    patterns = {w: loose_word(w) for w in words}
    found: set[str] = set()
    for _, body in located_texts(s, (TRANSCRIPT, PROSE, LABEL, JSON, HISTORY)):
        found |= {w for w, pattern in patterns.items() if w not in found and pattern.search(body)}
        if found == words:
            break
    return found


def _forget_in_key(
    project: Project,
    key_path: KeyLocation,
    refs: set[str],
    watched: set[str],
    receipt: WithdrawalReceipt,
    key_missing: str | None = None,
) -> WithdrawalReceipt:
    """The key's originals that only their text used (their own name, a relative's, a home
    town only they spoke of) go from the key too, and watched or accepted words only they said
    that no text holds any more; when the key is not at hand, the receipt says what stays there
    and how to remove it."""
    if key_missing is None and not refs and not watched:
        return receipt
    if key_missing is None:
        try:
            removed, words = KeyStore.open(project, key_path).forget(refs, watched)
            return dataclasses.replace(
                receipt, key_originals_removed=removed, key_words_removed=words
            )
        except StudyError as exc:  # no key here (a team project's is a key holder's)
            key_missing = str(exc)
    return dataclasses.replace(
        receipt,
        unreachable_copies=(
            *receipt.unreachable_copies,
            f"the pseudonymisation key, not reached ({key_missing}): {len(refs)} original(s) "
            "of redactions only their text used stay there (remove them with workbench "
            "pseudonyms prune PROJECT --key KEY), and so does any word of its watch list "
            "or accepted identifiers only they said (take a watched word off with "
            "workbench pseudonyms watch PROJECT --remove WORD --key KEY)",
        ),
    )


def _delete_the_rest_of_them(s: Session, pid: int) -> tuple[int, int, int, int]:
    """Detached codings holding their words and undo entries naming them go, then the
    participant row. Returns how many (memos, wave attributes, detached codings, undo entries)
    went."""
    memos = len(s.scalars(select(Memo.id).where(Memo.participant_id == pid)).all())
    wave_attributes = len(
        s.scalars(
            select(ParticipantWaveAttribute.id).where(
                ParticipantWaveAttribute.participant_id == pid
            )
        ).all()
    )
    detached = s.execute(delete(DetachedCoding).where(DetachedCoding.speaker_id == pid))
    undo_ids = [
        entry.id
        for entry in s.scalars(select(UndoEntry))
        if str(pid) in entry.participant_ids.split()
    ]
    if undo_ids:
        s.execute(delete(UndoEntry).where(UndoEntry.id.in_(undo_ids)))
    # The participant row goes last: memos, attributes, dyad memberships and analyst
    # readings about them cascade with it.
    s.execute(delete(Participant).where(Participant.id == pid))
    return memos, wave_attributes, int(getattr(detached, "rowcount", 0) or 0), len(undo_ids)


def _unreachable_copies(project: Project, exported: list[str]) -> list[str]:
    """Copies of their words withdrawal cannot reach: backups (or, on a server, its WAL archives
    and backups) and exports written earlier."""
    unreachable = (
        [f"backup made earlier: {b}" for b in list_backups(project.path)]
        if (project.path)
        else ["server-side WAL archives and database backups (ask your database administrator)"]
    )
    unreachable += [f"export written earlier: {name}" for name in exported]
    return unreachable


def _audit_withdrawal(
    project: Project, s: Session, receipt: WithdrawalReceipt, key_originals: int
) -> None:
    """The audit entry, in the withdrawal's transaction: counts only."""
    # Their id is gone from the project: the audit names them no more than the text does.
    project.audit(
        s,
        "participant.withdraw",
        f"participant:{WITHDRAWN_TEXT}",
        interviews_deleted=len(receipt.interviews_deleted),
        utterances_replaced=receipt.utterances_replaced,
        interpreter_utterances_replaced=receipt.interpreter_utterances_replaced,
        codings_removed=receipt.codings_removed,
        memos_deleted=receipt.memos_deleted,
        wave_attributes_deleted=receipt.wave_attributes_deleted,
        undo_entries_deleted=receipt.undo_entries_deleted,
        derived_texts_changed=len(receipt.derived_text_changed),
        audit_entries_rewritten=receipt.audit_entries_rewritten,
        unreachable_copies=len(receipt.unreachable_copies),
        key_originals_only_theirs=key_originals,
    )
