"""Audio in: any common audio or video decoded with PyAV to 16 kHz float32, in blocks, and
grouped into windows cut in silence, so a long recording never sits in memory whole."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16_000


class TranscriptionError(ValueError):
    """Transcription cannot start or go on; the message is one line for the researcher."""


BLOCK_S = 10.0
"""Decoded audio arrives in blocks of about this length (never the whole file at once)."""
WINDOW_S = 120.0
MIN_WINDOW_S = 60.0
"""Whisper gets the audio in windows of at most ``WINDOW_S``, each cut in the longest silence
after ``MIN_WINDOW_S``: memory stays that of a two-minute file, however long the recording."""
TRUNCATION_SLACK_S = 5.0


@dataclass(frozen=True, slots=True)
class AudioInfo:
    duration_s: float | None
    """As the file's header declares it (None when it does not say)."""
    channels: int
    codec: str


def _reason(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def probe(path: Path) -> AudioInfo:
    """Check that ``path`` is audio we can decode, before any of it is transcribed.

    Refused with a one-line reason: a missing or empty file, one that is not audio (a text file
    renamed ``.wav``), one without an audio stream, a codec that cannot be decoded, and a file
    that ends long before the length its header declares (a truncated download or copy).
    """
    import av

    if not path.is_file():
        raise TranscriptionError(f"{path} does not exist")
    if path.stat().st_size == 0:
        raise TranscriptionError(f"{path.name} is empty")
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise TranscriptionError(f"{path.name} has no audio stream")
            stream = container.streams.audio[0]
            if stream.codec_context is None:
                raise TranscriptionError(
                    f"{path.name} uses an audio codec that cannot be decoded here "
                    "(convert it to wav, flac or mp3)"
                )
            codec = stream.codec_context.name
            channels = stream.codec_context.channels or 1
            declared = container.duration / 1_000_000 if container.duration else None
            if declared is None and stream.duration and stream.time_base:
                declared = float(stream.duration * stream.time_base)
            first = next(iter(container.decode(stream)), None)
            if first is None:
                raise TranscriptionError(f"{path.name} holds no audio")
            if declared and declared > 2 * TRUNCATION_SLACK_S:
                # Seek near the declared end: a truncated file has nothing there.
                container.seek(int((declared - 2) * 1_000_000))
                last = next(iter(container.decode(stream)), None)
                reached = float(last.time) if last is not None and last.time is not None else 0
                if reached < declared - TRUNCATION_SLACK_S:
                    raise TranscriptionError(
                        f"{path.name} is truncated or damaged: its header says "
                        f"{declared:.0f} s but the audio ends near {reached:.0f} s"
                    )
    except TranscriptionError:
        raise
    except Exception as exc:  # PyAV raises many kinds; all mean "not audio we can read"
        raise TranscriptionError(f"{path.name} cannot be read as audio ({_reason(exc)})") from exc
    return AudioInfo(declared, channels, codec)


def blocks(
    path: Path, *, keep_channels: bool = False, start_s: float = 0.0, block_s: float = BLOCK_S
) -> Iterator[np.ndarray]:
    """Decode and resample ``path`` to 16 kHz float32 in blocks of about ``block_s``, each
    ``(channels, samples)`` (one channel unless ``keep_channels``), from ``start_s`` on."""
    import av

    skip = round(start_s * SAMPLE_RATE)
    size = round(block_s * SAMPLE_RATE)
    pending: list[np.ndarray] = []
    held = 0
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            stream = container.streams.audio[0]
            channels = stream.codec_context.channels or 1
            layout = "stereo" if keep_channels and channels >= 2 else "mono"
            resampler = av.AudioResampler(format="fltp", layout=layout, rate=SAMPLE_RATE)
            frames = container.decode(stream)
            while True:
                frame = next(frames, None)
                for out in resampler.resample(frame):
                    data = out.to_ndarray().astype(np.float32, copy=False)
                    if skip:
                        dropped = min(skip, data.shape[1])
                        data, skip = data[:, dropped:], skip - dropped
                    if data.shape[1]:
                        pending.append(data)
                        held += data.shape[1]
                    if held >= size:
                        yield np.concatenate(pending, axis=1)
                        pending, held = [], 0
                if frame is None:
                    break
    except TranscriptionError:
        raise
    except Exception as exc:
        raise TranscriptionError(f"{path.name} cannot be read as audio ({_reason(exc)})") from exc
    if pending:
        yield np.concatenate(pending, axis=1)


def decode(path: Path, *, keep_channels: bool = False) -> np.ndarray:
    """Decode a (short) file whole: (samples,) or (channels, samples). Long recordings go
    through ``blocks`` and ``windows`` instead."""
    probe(path)
    parts = list(blocks(path, keep_channels=keep_channels))
    if not parts:
        raise TranscriptionError(f"{path.name} holds no audio")
    audio = np.concatenate(parts, axis=1)
    if audio.shape[1] < SAMPLE_RATE // 10:
        raise TranscriptionError(f"{path.name} is too short to transcribe")
    return audio if keep_channels else audio[0]


SILENCE_MS = 600


def speech_regions(audio: np.ndarray, min_silence_ms: int = SILENCE_MS) -> list[tuple[int, int]]:
    """Voice activity (Silero, as faster-whisper's own filter) as sample ranges; a pause of
    ``min_silence_ms`` ends a region (faster-whisper's own filter waits 2 s, which counts the
    pause between two turns as speech)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(min_silence_duration_ms=min_silence_ms)
    return [(r["start"], r["end"]) for r in get_speech_timestamps(audio, options)]


def _cut(regions: list[tuple[int, int]], low: int, high: int) -> int:
    """Where to end a window: the middle of the longest silence that lies between ``low`` and
    ``high`` samples (``high`` when speech runs through)."""
    if not regions:
        return high
    edges = [0] + [x for r in regions for x in r] + [high]
    best, best_len = high, 0
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        lo, hi = max(a, low), min(b, high)
        if hi - lo >= SAMPLE_RATE // 5 and b - a > best_len:
            best, best_len = (lo + hi) // 2, b - a
    return best


def windows(
    chunks: Iterable[np.ndarray], *, window_s: float = WINDOW_S, min_s: float = MIN_WINDOW_S
) -> Iterator[tuple[int, np.ndarray, list[tuple[int, int]]]]:
    """Group decoded blocks into windows cut in silence: ``(first sample, audio (channels,
    samples), speech regions in the window)``. Only one window is held at a time."""
    high, low = round(window_s * SAMPLE_RATE), round(min_s * SAMPLE_RATE)
    pending: list[np.ndarray] = []
    held = offset = 0
    for block in chunks:
        pending.append(block)
        held += block.shape[1]
        while held >= high:
            buffer = np.concatenate(pending, axis=1)
            mono = buffer[:, :high].mean(axis=0)
            regions = speech_regions(mono)
            cut = _cut(regions, low, high)
            inside = [(a, min(b, cut)) for a, b in regions if a < cut]
            yield offset, buffer[:, :cut], inside
            offset += cut
            pending, held = [buffer[:, cut:]], buffer.shape[1] - cut
    if held >= SAMPLE_RATE // 10:
        buffer = np.concatenate(pending, axis=1)
        yield offset, buffer, speech_regions(buffer.mean(axis=0))
