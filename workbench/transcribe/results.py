"""What a transcription gives: words, segments (with their flags), the whole result, and the
cancellation that carries what was transcribed so far."""

from __future__ import annotations

from dataclasses import dataclass, field


class Cancelled(Exception):
    """The job was cancelled; what was transcribed so far is in ``partial``."""

    def __init__(self, partial: list[SegmentResult]) -> None:
        super().__init__("cancelled")
        self.partial = partial


@dataclass(frozen=True, slots=True)
class Word:
    start_ms: int
    end_ms: int
    text: str
    probability: float


@dataclass(frozen=True, slots=True)
class SegmentResult:
    speaker: str | None
    start_ms: int
    end_ms: int
    text: str
    language: str | None
    words: tuple[Word, ...] = ()
    needs_review: bool = False
    untranscribed_speech: bool = False
    reasons: tuple[str, ...] = ()
    translation: str | None = None
    """Whisper's English translation (a ``machine`` layer beside the text), when asked for."""


@dataclass
class TranscriptionResult:
    segments: list[SegmentResult]
    language: str | None
    duration_s: float
    model: str
    warnings: list[str] = field(default_factory=list)
