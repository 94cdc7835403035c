"""Value types for transcripts on their way into a project."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class UtteranceDraft:
    """One utterance read from a transcript file, before it belongs to an interview.

    ``speaker`` is the label found in the file (``"Doctor"``, ``"P1"``) or None when the file
    names no speaker. Times are milliseconds from the start of the recording, or None when the
    file carries no times. ``text`` is kept exactly as written, transcription conventions and all.
    """

    speaker: str | None
    start_ms: int | None
    end_ms: int | None
    text: str


@dataclass(frozen=True, slots=True)
class ParsedTranscript:
    """What a transcript reader found: the utterances in order, and how it read them."""

    utterances: tuple[UtteranceDraft, ...]
    encoding: str
    """The text encoding the file was read in (``"utf-8"``, ``"utf-8-sig"``, ``"cp1256"``, ...)."""
    format: str
    """``"txt"``, ``"docx"``, ``"srt"``, ``"vtt"``, ``"textgrid"`` or ``"merged"``."""
    warnings: tuple[str, ...] = field(default=())

    @property
    def speakers(self) -> tuple[str, ...]:
        """The distinct speaker labels in order of first appearance."""
        seen: dict[str, None] = {}
        for u in self.utterances:
            if u.speaker is not None:
                seen.setdefault(u.speaker, None)
        return tuple(seen)


class TranscriptFormatError(ValueError):
    """A transcript file cannot be read; the message is one line a researcher can act on."""


def format_ms(value: int | None) -> str:
    """A time in a recording as people read it: h:mm:ss ("" when unknown)."""
    if value is None:
        return ""
    total = value // 1000
    return f"{total // 3600:d}:{total % 3600 // 60:02d}:{total % 60:02d}"
