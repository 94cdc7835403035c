"""A consensus decision: two analysts' readings of one stretch become the project's coding.

After comparing readings (``analysis.compare``) the team decides, with a rationale, what stays:

- ``keep_a`` / ``keep_b``: that analyst's coding stays, the other's is removed;
- ``both``: both stay (the decision and its rationale are still recorded, in the audit trail
  only: there is nothing to undo);
- ``neither``: both are removed;
- ``merged``: both are replaced by one coding of the deciding analyst over the union of their
  spans (or a span the team chose).

The decision is one command (one undoable step: undo puts both codings back) and one audit entry
that holds both original readings — spans, analysts, coding ids — the decision and the rationale.
Memos on a removed coding move to the coding that stays (or to the merged one), so no analyst's
note is lost with the span it was on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.coding._anchors import LoadedTranscript
from workbench.coding.codebook import Codebook
from workbench.coding.codings import delete_coding
from workbench.coding.study import get_interview
from workbench.coding.undo import Change, run_command
from workbench.domain.coding import CONSENSUS_DECISIONS
from workbench.domain.study import StudyError
from workbench.storage.models import Coder, Coding, Memo
from workbench.storage.project import Project

DECISIONS = CONSENSUS_DECISIONS


@dataclass(frozen=True, slots=True)
class ConsensusResult:
    decision: str
    kept: tuple[str, ...]
    """Ids of the codings that stay as they were."""
    removed: tuple[str, ...]
    merged: str | None
    """The id of the merged coding (``merged`` only)."""
    start: int | None
    end: int | None
    """The merged coding's span."""


def _locked_coding(s: Session, guid: str, code_id: int, interview_id: int, what: str) -> Coding:
    coding = s.scalar(select(Coding).where(Coding.guid == guid).with_for_update())
    if coding is None:
        raise StudyError(f"no coding '{guid}' ({what}): it may have been removed since you read it")
    if coding.code_id != code_id or coding.interview_id != interview_id:
        raise StudyError(f"coding '{guid}' ({what}) is not of that code in that interview")
    return coding


def _reading(s: Session, transcript: LoadedTranscript, coding: Coding) -> dict[str, Any]:
    start, end = transcript.span(coding)
    coder = s.get(Coder, coding.coder_id) if coding.coder_id else None
    return {
        "coding": coding.guid,
        "coder": coder.name if coder else None,
        "start": start,
        "end": end,
    }


def _hand_over(s: Session, removed: Coding, survivor: Coding) -> None:
    """The removed coding's notes go to the one that stays."""
    for memo in s.scalars(select(Memo).where(Memo.coding_id == removed.id)):
        memo.coding_id = survivor.id
    if removed.memo and removed.memo != survivor.memo:
        survivor.memo = "\n\n".join(m for m in (survivor.memo, removed.memo) if m)
    survivor.important = survivor.important or removed.important


def _check(decision: str, rationale: str, reading_a: str | None, reading_b: str | None) -> None:
    if decision not in DECISIONS:
        raise StudyError(f"unknown decision '{decision}'; one of {', '.join(DECISIONS)}")
    if not rationale.strip():
        raise StudyError("a consensus decision needs a rationale: say why")
    if reading_a is None and reading_b is None:
        raise StudyError("a consensus decision needs at least one analyst's coding")
    if decision == "keep_a" and reading_a is None:
        raise StudyError("keep_a needs analyst A's coding; A has none here")
    if decision == "keep_b" and reading_b is None:
        raise StudyError("keep_b needs analyst B's coding; B has none here")
    if reading_a is not None and reading_a == reading_b:
        raise StudyError("the two readings are the same coding")


def record_consensus(
    project: Project,
    code: str,
    interview: str,
    *,
    reading_a: str | None,
    reading_b: str | None,
    decision: str,
    rationale: str,
    span: tuple[int, int] | None = None,
    coder: str | None = None,
) -> tuple[ConsensusResult, Change]:
    """Decide between analyst A's coding ``reading_a`` and B's ``reading_b`` (coding ids; one
    may be None when only one analyst coded there). ``span``: the merged coding's span
    (``merged`` only; default the union of both). ``coder``: the deciding analyst."""
    _check(decision, rationale, reading_a, reading_b)
    if span is not None and decision != "merged":
        raise StudyError("a span is only for a merged decision")

    def action(s: Session) -> ConsensusResult:
        iv = get_interview(s, interview)
        book = Codebook(s)
        target = book.find(code)
        transcript = LoadedTranscript.load(s, iv)
        a = _locked_coding(s, reading_a, target.id, iv.id, "A") if reading_a else None
        b = _locked_coding(s, reading_b, target.id, iv.id, "B") if reading_b else None
        if a is not None and b is not None and a.coder_id == b.coder_id:
            raise StudyError("the two readings are by the same analyst")
        readings = {"a": a and _reading(s, transcript, a), "b": b and _reading(s, transcript, b)}
        who = project.coder(s, coder)
        kept, removed, merged = _apply(s, transcript, decision, a, b, span, target.id, who.id)
        result = ConsensusResult(
            decision,
            tuple(c.guid for c in kept),
            tuple(removed),
            merged.guid if merged else None,
            *(transcript.span(merged) if merged else (None, None)),
        )
        project.audit(
            s,
            "coding.consensus",
            f"interview:{iv.key}",
            coder=who.name,
            code=book.path(target),
            decision=decision,
            rationale=rationale,
            **readings,
            kept=list(result.kept),
            removed=list(result.removed),
            merged=None
            if merged is None
            else {"coding": merged.guid, "span": [result.start, result.end]},
        )
        return result

    result, change = run_command(
        project, f"consensus in {interview} on '{code}': {decision}", action, coder=coder
    )
    if not change.tables:
        # Nothing changed (both readings stay): no step in the history, nothing to undo.
        change = Change(change.description, change.tables, undoable=False)
    return result, change


def _apply(
    s: Session,
    transcript: LoadedTranscript,
    decision: str,
    a: Coding | None,
    b: Coding | None,
    span: tuple[int, int] | None,
    code_id: int,
    coder_id: int,
) -> tuple[list[Coding], list[str], Coding | None]:
    """Make the decision's rows: (codings kept, ids removed, the merged coding)."""
    present = [c for c in (a, b) if c is not None]
    if decision == "both":
        return present, [], None
    if decision in ("keep_a", "keep_b"):
        survivor, other = (a, b) if decision == "keep_a" else (b, a)
        assert survivor is not None  # _check made sure
        if other is None:
            return [survivor], [], None
        _hand_over(s, other, survivor)
        guid = other.guid
        delete_coding(s, other)
        return [survivor], [guid], None
    merged = None
    if decision == "merged":
        spans = [transcript.span(c) for c in present]
        start, end = span or (min(x for x, _ in spans), max(y for _, y in spans))
        if not 0 <= start < end <= len(transcript.text):
            raise StudyError(f"span {start}–{end} is outside the interview text")
        merged = Coding(code_id=code_id, interview_id=transcript.interview.id, coder_id=coder_id)
        transcript.set_span(merged, start, end)
        s.add(merged)
        s.flush()
        for c in present:
            _hand_over(s, c, merged)
    removed = [c.guid for c in present]
    for c in present:
        delete_coding(s, c)
    return [], removed, merged
