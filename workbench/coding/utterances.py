"""Correcting a transcript while codings stay on their words (DESIGN.md, invariant 2).

Edits, splits and merges are undoable commands. Words inserted strictly inside a coded span join
it, words inserted at its edges do not; a coding whose words are all deleted moves to the detached
list with the text it held. A corrected re-import keeps unchanged utterances as they are (flags,
translations, words) and moves codings through a diff of the text.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.coding._anchors import LoadedTranscript
from workbench.coding.codings import detach
from workbench.coding.study import get_interview
from workbench.coding.undo import Change, run_command
from workbench.domain.positions import (
    edit_opcodes,
    map_offset,
    map_span,
    still_the_same_words,
    words_went,
)
from workbench.domain.study import StudyError
from workbench.storage.models import (
    Coding,
    Interview,
    Participant,
    Redaction,
    RenderingSpan,
    Translation,
    UtteranceLink,
    UtteranceRow,
    WordRow,
)
from workbench.storage.project import Project

Opcodes = list[tuple[str, int, int, int, int]]


def _row(transcript: LoadedTranscript, index: int) -> UtteranceRow:
    if not 0 <= index < len(transcript.rows):
        raise StudyError(
            f"interview '{transcript.interview.key}' has no utterance {index} "
            f"(0–{len(transcript.rows) - 1})"
        )
    return transcript.rows[index]


def _row_by_id(transcript: LoadedTranscript, row_id: int, index: int) -> UtteranceRow:
    for row in transcript.rows:
        if row.id == row_id:
            return row
    raise StudyError(
        f"utterance {index} of interview '{transcript.interview.key}' was removed since you "
        f"read it (merged, withdrawn or undone): read the transcript again"
    )


def _participant_in(s: Session, interview: Interview, key: str) -> Participant:
    for ip in interview.participants:
        if ip.participant.key == key:
            return ip.participant
    raise StudyError(f"participant '{key}' does not take part in interview '{interview.key}'")


def _touched(s: Session, transcript: LoadedTranscript, ids: set[int]) -> list[Coding]:
    return [
        c for c in transcript.codings(s) if c.start_utterance_id in ids or c.end_utterance_id in ids
    ]


def _settle(
    s: Session,
    transcript: LoadedTranscript,
    codings: Sequence[Coding],
    held: dict[int, str],
    rewritten: set[int] = frozenset(),  # type: ignore[assignment]
) -> None:
    """Re-anchor codings canonically; detach those left without their words."""
    transcript.invalidate()
    text = transcript.text
    for coding in codings:
        start, end = transcript.span(coding)
        now = text[start:end] if start < end else ""
        gone = (
            not now.strip()
            or words_went(held[coding.id], now)
            or (coding.id in rewritten and not still_the_same_words(held[coding.id], now))
        )
        if gone:
            detach(s, transcript, coding, held[coding.id])
        else:
            transcript.set_span(coding, start, end)


def _move_redactions(
    s: Session, row: UtteranceRow, ops: list[tuple[str, int, int, int, int]], text: str
) -> None:
    """Redactions follow a correction as codings do; one whose placeholder the correction
    changes is refused (undoing it would put the original into other words)."""
    for redaction in s.scalars(select(Redaction).where(Redaction.utterance_id == row.id)):
        start = map_offset(ops, redaction.start_offset, "start", len(text))
        end = map_offset(ops, redaction.end_offset, "end", len(text))
        if text[start:end] != redaction.placeholder:
            raise StudyError(
                f"that correction changes the placeholder {redaction.placeholder} of a redaction: "
                "leave it as it is, or undo the redaction with its key first"
            )
        redaction.start_offset, redaction.end_offset = start, end


def _move_spans(
    s: Session, row: UtteranceRow, ops: list[tuple[str, int, int, int, int]], text: str
) -> None:
    """Rendering spans follow a correction as codings do; one whose words are all gone goes."""
    for span in s.scalars(select(RenderingSpan).where(RenderingSpan.utterance_id == row.id)):
        start, end, _ = map_span(ops, span.start_offset, span.end_offset, len(text))
        if end <= start:
            s.delete(span)
        else:
            span.start_offset, span.end_offset = start, end


def _set_text(row: UtteranceRow, text: str) -> None:
    row.text = text
    row.version += 1


def edit_utterance(
    project: Project,
    interview: str,
    index: int,
    *,
    text: str | None = None,
    speaker: str | None = None,
    renders: str | None = None,
    verified: bool | None = None,
    needs_review: bool | None = None,
    untranscribed_speech: bool | None = None,
    row_id: int | None = None,
    coder: str | None = None,
) -> Change:
    """Correct utterance ``index``: its text, speaker (a participant id; "" unmaps it), whom an
    interpreter's utterance renders ("" clears it), and its flags. With ``row_id``
    (``Utterance.row``) the utterance is the one with that identity, wherever it now stands:
    the window's corrections while a transcription inserts segments."""

    def action(s: Session) -> None:
        iv = get_interview(s, interview)
        transcript = LoadedTranscript.load(s, iv)
        row = _row(transcript, index) if row_id is None else _row_by_id(transcript, row_id, index)
        if text is not None and text != row.text:
            if "\n" in text:
                raise StudyError("an utterance holds no line breaks: split it instead")
            old_full = transcript.text
            codings = _touched(s, transcript, {row.id})
            held = {c.id: old_full.__getitem__(slice(*transcript.span(c))) for c in codings}
            ops = edit_opcodes(row.text, text)
            rewritten = set()
            for c in codings:
                if c.start_utterance_id == row.id == c.end_utterance_id:
                    c.start_offset, c.end_offset, inside = map_span(
                        ops, c.start_offset, c.end_offset, len(text)
                    )
                    if inside:
                        rewritten.add(c.id)
                elif c.start_utterance_id == row.id:
                    c.start_offset = map_offset(ops, c.start_offset, "start", len(text))
                else:
                    c.end_offset = map_offset(ops, c.end_offset, "end", len(text))
            _move_redactions(s, row, ops, text)
            _move_spans(s, row, ops, text)
            _set_text(row, text)
            iv.transcript_version += 1
            _settle(s, transcript, codings, held, rewritten)
        if speaker is not None:
            row.speaker_id = _participant_in(s, iv, speaker).id if speaker else None
            row.version += 1
        if renders is not None:
            row.renders_id = _participant_in(s, iv, renders).id if renders else None
            row.version += 1
        for flag, value in (
            ("verified", verified),
            ("needs_review", needs_review),
            ("untranscribed_speech", untranscribed_speech),
        ):
            if value is not None:
                setattr(row, flag, value)

    _, change = run_command(
        project,
        f"edit utterance {index} of {interview}",
        action,
        coder=coder,
        audit=("utterance.edit", f"interview:{interview}"),
        utterance=index,
    )
    return change


def _shift_positions(transcript: LoadedTranscript, after: int, by: int) -> None:
    for row in transcript.rows[after + 1 :]:
        row.position += by


def split_utterance(
    project: Project, interview: str, index: int, offset: int, *, coder: str | None = None
) -> Change:
    """Split utterance ``index`` at ``offset`` (code points into its text) into two."""

    def action(s: Session) -> None:
        iv = get_interview(s, interview)
        transcript = LoadedTranscript.load(s, iv)
        row = _row(transcript, index)
        body = row.text
        left = body[:offset].rstrip()
        rest = body[offset:]
        right_start = offset + len(rest) - len(rest.lstrip())
        right = body[right_start:]
        if not 0 < offset < len(body) or not left or not right:
            raise StudyError("split an utterance between two words, with text on both sides")
        split_ms = None
        if row.start_ms is not None and row.end_ms is not None:
            split_ms = row.start_ms + round((row.end_ms - row.start_ms) * offset / len(body))
        codings = _touched(s, transcript, {row.id})
        held = {c.id: transcript.text.__getitem__(slice(*transcript.span(c))) for c in codings}
        _shift_positions(transcript, index, 1)
        new = UtteranceRow(
            interview_id=iv.id,
            position=row.position + 1,
            speaker_id=row.speaker_id,
            speaker_label=row.speaker_label,
            renders_id=row.renders_id,
            start_ms=split_ms,
            end_ms=row.end_ms,
            text=right,
            language=row.language,
            needs_review=row.needs_review,
            untranscribed_speech=False,
            verified=row.verified,
        )
        s.add(new)
        s.flush()
        for c in codings:
            if c.start_utterance_id == row.id and c.start_offset >= len(left):
                c.start_utterance_id = new.id
                c.start_offset = max(0, c.start_offset - right_start)
            if c.end_utterance_id == row.id and c.end_offset > len(left):
                if c.end_offset > right_start:
                    c.end_utterance_id, c.end_offset = new.id, c.end_offset - right_start
                else:
                    c.end_offset = len(left)
        if split_ms is not None:
            for word in s.scalars(select(WordRow).where(WordRow.utterance_id == row.id)):
                if word.start_ms >= split_ms:
                    word.utterance_id = new.id
        for redaction in s.scalars(select(Redaction).where(Redaction.utterance_id == row.id)):
            if redaction.start_offset >= right_start:
                redaction.utterance_id = new.id
                redaction.start_offset -= right_start
                redaction.end_offset -= right_start
        _split_spans(s, row, new, len(left), right_start)
        row.end_ms = split_ms if split_ms is not None else row.end_ms
        _set_text(row, left)
        iv.transcript_version += 1
        s.flush()
        transcript.rows.insert(index + 1, new)
        _settle(s, transcript, codings, held)

    _, change = run_command(
        project,
        f"split utterance {index} of {interview}",
        action,
        coder=coder,
        audit=("utterance.split", f"interview:{interview}"),
        utterance=index,
    )
    return change


def _split_spans(
    s: Session, row: UtteranceRow, new: UtteranceRow, left: int, right_start: int
) -> None:
    """Rendering spans go with their words when an utterance is split (one across the split
    becomes one on each side)."""
    for span in list(s.scalars(select(RenderingSpan).where(RenderingSpan.utterance_id == row.id))):
        start, end = span.start_offset, span.end_offset
        if end <= left:
            continue
        if start >= right_start:
            span.utterance_id = new.id
            span.start_offset, span.end_offset = start - right_start, end - right_start
            continue
        if end > right_start:
            s.add(
                RenderingSpan(
                    interview_id=span.interview_id,
                    utterance_id=new.id,
                    participant_id=span.participant_id,
                    start_offset=0,
                    end_offset=end - right_start,
                )
            )
        if start < left:
            span.end_offset = left
        else:
            s.delete(span)


def _merge_marks(s: Session, first: UtteranceRow, second: UtteranceRow, shift: int) -> None:
    """Rendering spans and links of ``second`` move to ``first`` it merges into, explicitly (so
    undo restores them); a link between the two goes."""
    for span in s.scalars(select(RenderingSpan).where(RenderingSpan.utterance_id == second.id)):
        span.utterance_id = first.id
        span.start_offset += shift
        span.end_offset += shift
    for link in list(
        s.scalars(
            select(UtteranceLink).where(
                (UtteranceLink.original_id == second.id) | (UtteranceLink.rendering_id == second.id)
            )
        )
    ):
        ends = {link.original_id, link.rendering_id} - {second.id}
        if ends == {first.id}:
            s.delete(link)
        elif link.original_id == second.id:
            link.original_id = first.id
        else:
            link.rendering_id = first.id


def merge_utterances(
    project: Project, interview: str, index: int, *, coder: str | None = None
) -> Change:
    """Merge utterance ``index`` with the one after it (same speaker), joined by a space."""

    def action(s: Session) -> None:
        iv = get_interview(s, interview)
        transcript = LoadedTranscript.load(s, iv)
        first, second = _row(transcript, index), _row(transcript, index + 1)
        if (first.speaker_id, first.speaker_label) != (second.speaker_id, second.speaker_label):
            raise StudyError("only utterances of the same speaker merge; change a speaker first")
        glue = " " if first.text and second.text else ""
        shift = len(first.text) + len(glue)
        codings = _touched(s, transcript, {second.id})
        held = {c.id: transcript.text.__getitem__(slice(*transcript.span(c))) for c in codings}
        for c in codings:
            if c.start_utterance_id == second.id:
                c.start_utterance_id, c.start_offset = first.id, c.start_offset + shift
            if c.end_utterance_id == second.id:
                c.end_utterance_id, c.end_offset = first.id, c.end_offset + shift
        for word in s.scalars(select(WordRow).where(WordRow.utterance_id == second.id)):
            word.utterance_id = first.id
        for redaction in s.scalars(select(Redaction).where(Redaction.utterance_id == second.id)):
            redaction.utterance_id = first.id
            redaction.start_offset += shift
            redaction.end_offset += shift
        for translation in list(
            s.scalars(select(Translation).where(Translation.utterance_id == second.id))
        ):
            mine = s.scalar(
                select(Translation).where(
                    Translation.utterance_id == first.id,
                    Translation.language == translation.language,
                    Translation.method == translation.method,
                )
            )
            if mine is not None:
                mine.text = f"{mine.text} {translation.text}".strip()
                s.delete(translation)
            else:
                translation.utterance_id = first.id
        _merge_marks(s, first, second, shift)
        s.flush()
        _set_text(first, first.text + glue + second.text)
        first.end_ms = second.end_ms if second.end_ms is not None else first.end_ms
        first.verified = first.verified and second.verified
        first.needs_review = first.needs_review or second.needs_review
        _shift_positions(transcript, index + 1, -1)
        s.delete(second)
        iv.transcript_version += 1
        s.flush()
        transcript.rows.pop(index + 1)
        _settle(s, transcript, codings, held)

    _, change = run_command(
        project,
        f"merge utterances {index} and {index + 1} of {interview}",
        action,
        coder=coder,
        audit=("utterance.merge", f"interview:{interview}"),
        utterance=index,
    )
    return change


# --- a corrected version of the whole transcript --------------------------------------------------


def global_opcodes(old: Sequence[str], new: Sequence[str]) -> Opcodes:
    """Character opcodes between two interview texts, found utterance by utterance first.

    Matching whole utterances first keeps this fast on long interviews; only the stretches that
    differ are compared character by character.
    """

    def block(texts: Sequence[str], i1: int, i2: int) -> str:
        body = "\n".join(texts[i1:i2])
        return body + "\n" if i2 < len(texts) and i2 > i1 else body

    def start(texts: Sequence[str], i: int) -> int:
        # The end of the last utterance has no LF after it.
        return min(sum(len(t) + 1 for t in texts[:i]), max(sum(len(t) + 1 for t in texts) - 1, 0))

    ops: Opcodes = []
    matcher = difflib.SequenceMatcher(None, list(old), list(new), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        a, b = block(old, i1, i2), block(new, j1, j2)
        oa, ob = start(old, i1), start(new, j1)
        if tag == "equal":
            common = min(len(a), len(b))
            ops.append(("equal", oa, oa + common, ob, ob + common))
            if len(a) != len(b):
                kind = "delete" if len(a) > len(b) else "insert"
                ops.append((kind, oa + common, oa + len(a), ob + common, ob + len(b)))
            continue
        for t, x1, x2, y1, y2 in edit_opcodes(a, b):
            ops.append((t, oa + x1, oa + x2, ob + y1, ob + y2))
    return ops


def _map_redactions(
    s: Session, transcript: LoadedTranscript, ops: Opcodes, new_full: str
) -> list[tuple[Redaction, tuple[int, int]]]:
    """Where each redaction of the interview lands in the corrected text; refused when the
    correction changes a placeholder."""
    ids = [r.id for r in transcript.rows]
    mapped = []
    for r in s.scalars(select(Redaction).where(Redaction.utterance_id.in_(ids))):
        at = transcript.position(r.utterance_id, r.start_offset)
        start = map_offset(ops, at, "start", len(new_full))
        end = map_offset(ops, at + r.end_offset - r.start_offset, "end", len(new_full))
        if new_full[start:end] != r.placeholder:
            raise StudyError(
                f"the corrected transcript changes the placeholder {r.placeholder} of a "
                "redaction: keep the placeholders as they are (or undo the redaction with its "
                "key first)"
            )
        mapped.append((r, (start, end)))
    return mapped


def replace_transcript(
    s: Session,
    transcript: LoadedTranscript,
    new_rows: Sequence[Mapping[str, Any]],
) -> int:
    """Replace an interview's utterances by a corrected version, keeping codings on their words.

    Unchanged utterances keep their rows (flags, words, translations); the rest are replaced.
    Returns how many codings had to be detached.
    """
    old_texts = [r.text for r in transcript.rows]
    new_texts = [str(r["text"]) for r in new_rows]
    old_full = transcript.text
    new_full = "\n".join(new_texts)
    codings = transcript.codings(s)
    spans = {c.id: transcript.span(c) for c in codings}
    ops = global_opcodes(old_texts, new_texts)
    redacted = _map_redactions(s, transcript, ops, new_full)

    keep: dict[int, UtteranceRow] = {}
    matcher = difflib.SequenceMatcher(None, old_texts, new_texts, autojunk=False)
    for tag, i1, i2, j1, _ in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                keep[j1 + k] = transcript.rows[i1 + k]
    # Park kept rows out of the way while positions are renumbered.
    for row in transcript.rows:
        row.position = -1 - row.position
    s.flush()
    rows: list[UtteranceRow] = []
    for j, values in enumerate(new_rows):
        if j in keep:
            row = keep[j]
            row.position = j
            row.start_ms = values["start_ms"]
            row.end_ms = values["end_ms"]
            row.speaker_id = values["speaker_id"]
            row.speaker_label = values["speaker_label"]
        else:
            row = UtteranceRow(**{**values, "position": j})
            s.add(row)
        rows.append(row)
    s.flush()
    replaced = LoadedTranscript(transcript.interview, rows)
    for r, (start, end) in redacted:
        r.utterance_id, r.start_offset = replaced.anchor(start, "start")
        r.end_offset = r.start_offset + (end - start)
    detached = 0
    for c in codings:
        start, end = spans[c.id]
        new_start, new_end, inside = map_span(ops, start, end, len(new_full))
        now = new_full[new_start:new_end] if new_start < new_end else ""
        old = old_full[start:end]
        if (
            not now.strip()
            or words_went(old, now)
            or (inside and not still_the_same_words(old, now))
        ):
            detach(s, transcript, c, old_full[start:end])
            detached += 1
        else:
            replaced.set_span(c, new_start, new_end)
    s.flush()
    kept_ids = {r.id for r in keep.values()}
    for row in transcript.rows:
        if row.id not in kept_ids:
            s.delete(row)
    s.flush()
    return detached


def mark_rendering(
    project: Project,
    interview: str,
    index: int,
    rendered: str,
    span: tuple[int, int] | None = None,
    *,
    coder: str | None = None,
) -> Change:
    """Utterance ``index`` renders participant ``rendered``: wholly (``span`` None: the
    utterance's own mark), or only characters ``span`` = (start, end) of its text — then its
    unmarked words stay the speaker's own (an interpreter's aside), and the utterance-wide mark
    gives way to its spans. Spans follow corrections of the text as codings do."""

    def action(s: Session) -> None:
        iv = get_interview(s, interview)
        transcript = LoadedTranscript.load(s, iv)
        row = _row(transcript, index)
        who = _participant_in(s, iv, rendered)
        if span is None:
            row.renders_id = who.id
            row.version += 1
            return
        start, end = span
        if not 0 <= start < end <= len(row.text):
            raise StudyError(
                f"a span is START END within the utterance's {len(row.text)} characters, "
                f"with START < END; got {start} {end}"
            )
        for other in s.scalars(
            select(RenderingSpan).where(RenderingSpan.utterance_id == row.id).with_for_update()
        ):
            if other.start_offset < end and start < other.end_offset:
                raise StudyError(
                    f"characters {other.start_offset}–{other.end_offset} of that utterance "
                    "already render someone: spans do not overlap"
                )
        if row.renders_id is not None:
            row.renders_id = None
            row.version += 1
        s.add(
            RenderingSpan(
                interview_id=iv.id,
                utterance_id=row.id,
                participant_id=who.id,
                start_offset=start,
                end_offset=end,
            )
        )

    _, change = run_command(
        project,
        f"mark utterance {index} of {interview} as rendering {rendered}",
        action,
        coder=coder,
        audit=("utterance.renders", f"interview:{interview}"),
        utterance=index,
    )
    return change


def unmark_rendering(
    project: Project,
    interview: str,
    index: int,
    span: tuple[int, int] | None = None,
    *,
    coder: str | None = None,
) -> Change:
    """Utterance ``index`` no longer renders anyone there: ``span`` None clears the utterance's
    own mark and all its spans; else every span overlapping characters ``span`` = (start, end)
    goes whole (its words are the speaker's own again). Refused when there is none to remove."""

    def action(s: Session) -> None:
        iv = get_interview(s, interview)
        row = _row(LoadedTranscript.load(s, iv), index)
        removed = 0
        if span is None and row.renders_id is not None:
            row.renders_id = None
            row.version += 1
            removed += 1
        for other in s.scalars(
            select(RenderingSpan).where(RenderingSpan.utterance_id == row.id).with_for_update()
        ):
            if span is None or (other.start_offset < span[1] and span[0] < other.end_offset):
                s.delete(other)
                removed += 1
        if not removed:
            where = "there" if span is not None else "in it"
            raise StudyError(f"utterance {index} of {interview} renders nobody {where}")

    _, change = run_command(
        project,
        f"unmark the rendering in utterance {index} of {interview}",
        action,
        coder=coder,
        audit=("utterance.renders", f"interview:{interview}"),
        utterance=index,
    )
    return change


def link_rendering(
    project: Project, interview: str, original: int, rendering: int, *, coder: str | None = None
) -> Change:
    """Utterance ``rendering`` renders utterance ``original`` (say, the English of an Arabic
    statement): wherever segments are counted, a theme coded on both counts once."""
    if original == rendering:
        raise StudyError("an utterance is not its own rendering")

    def action(s: Session) -> None:
        iv = get_interview(s, interview)
        transcript = LoadedTranscript.load(s, iv)
        first, second = _row(transcript, original), _row(transcript, rendering)
        taken = s.scalar(
            select(UtteranceLink).where(UtteranceLink.rendering_id == second.id).with_for_update()
        )
        if taken is not None:
            raise StudyError(f"utterance {rendering} of {interview} is already linked")
        s.add(UtteranceLink(interview_id=iv.id, original_id=first.id, rendering_id=second.id))

    _, change = run_command(
        project,
        f"link utterance {rendering} of {interview} to its original {original}",
        action,
        coder=coder,
        audit=("utterance.link", f"interview:{interview}"),
        original=original,
        rendering=rendering,
    )
    return change


def unlink_rendering(
    project: Project, interview: str, rendering: int, *, coder: str | None = None
) -> Change:
    """Utterance ``rendering`` is no longer linked to the original it renders: both count again."""

    def action(s: Session) -> None:
        iv = get_interview(s, interview)
        row = _row(LoadedTranscript.load(s, iv), rendering)
        link = s.scalar(
            select(UtteranceLink).where(UtteranceLink.rendering_id == row.id).with_for_update()
        )
        if link is None:
            raise StudyError(f"utterance {rendering} of {interview} is linked to no original")
        s.delete(link)

    _, change = run_command(
        project,
        f"unlink utterance {rendering} of {interview} from its original",
        action,
        coder=coder,
        audit=("utterance.link", f"interview:{interview}"),
        rendering=rendering,
    )
    return change
