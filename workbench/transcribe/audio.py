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
WINDOW_S = 300.0
MIN_WINDOW_S = 180.0
"""Whisper gets the audio in windows of at most ``WINDOW_S``, each cut in the longest silence
after ``MIN_WINDOW_S``: memory stays that of a five-minute file, however long the recording.
Each window edge costs Whisper a part-filled 30 s pass (2-minute windows cost ~15 % more time
than raw faster-whisper); longer windows make the feature extraction's peak grow (a 10-minute
window added ~280 MB)."""
TAIL_S = 60.0
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
FRAME = 512
"""Silero VAD scores speech every 512 samples (32 ms)."""


@dataclass(frozen=True, slots=True)
class Speech:
    """Silero's speech probability for every 32 ms of a stretch of audio, computed once; the
    regions for any pause length come from it — Whisper's input (faster-whisper's own VAD
    settings), speaker turns, speech left without text — without listening again."""

    probabilities: np.ndarray
    samples: int

    def regions(
        self, min_silence_ms: int = SILENCE_MS, pad_ms: int | None = None
    ) -> list[tuple[int, int]]:
        """Speech as sample ranges: a pause of ``min_silence_ms`` ends a region, each region
        padded by ``pad_ms`` (faster-whisper's rule: a pause shorter than two pads is split in
        the middle). The same thresholds as faster-whisper's ``get_speech_timestamps``."""
        from faster_whisper.vad import VadOptions

        defaults = VadOptions()
        high = defaults.threshold
        low = defaults.neg_threshold or max(high - 0.15, 0.01)
        pad = round(SAMPLE_RATE * (defaults.speech_pad_ms if pad_ms is None else pad_ms) / 1000)
        wait = SAMPLE_RATE * min_silence_ms / 1000
        found: list[list[int]] = []
        start = quiet_from = 0
        talking = False
        for i, p in enumerate(self.probabilities.tolist()):
            at = FRAME * i
            if p >= high:
                quiet_from = 0
                if not talking:
                    talking, start = True, at
                    continue
            if talking and p < low:
                quiet_from = quiet_from or at
                if at - quiet_from >= wait:
                    found.append([start, quiet_from])
                    talking, quiet_from = False, 0
        if talking and self.samples > start:
            found.append([start, self.samples])
        for i, region in enumerate(found):
            if i == 0:
                region[0] = max(0, region[0] - pad)
            if i + 1 < len(found):
                following = found[i + 1]
                pause = following[0] - region[1]
                if pause < 2 * pad:
                    region[1] += pause // 2
                    following[0] = max(0, following[0] - pause // 2)
                else:
                    region[1] = min(self.samples, region[1] + pad)
                    following[0] = max(0, following[0] - pad)
            else:
                region[1] = min(self.samples, region[1] + pad)
        return [(a, b) for a, b in found]

    def head(self, samples: int) -> Speech:
        """The first ``samples`` (a multiple of ``FRAME``)."""
        return Speech(self.probabilities[: samples // FRAME], min(samples, self.samples))

    def tail(self, samples: int) -> Speech:
        """What follows the first ``samples`` (a multiple of ``FRAME``)."""
        return Speech(self.probabilities[samples // FRAME :], max(0, self.samples - samples))


def detect_speech(audio: np.ndarray, known: Speech | None = None) -> Speech:
    """Silero VAD (as faster-whisper ships it) over ``audio``; with ``known``, the
    probabilities already computed for its beginning are kept and only the rest is scored."""
    from faster_whisper.vad import get_vad_model

    done = 0 if known is None else (known.samples // FRAME) * FRAME
    rest = audio[done:]
    if len(rest):
        padded = np.pad(rest, (0, FRAME - len(rest) % FRAME))
        fresh = np.asarray(get_vad_model()(padded), dtype=np.float32).reshape(-1)
    else:
        fresh = np.zeros(0, dtype=np.float32)
    kept = np.zeros(0, dtype=np.float32) if known is None else known.probabilities
    return Speech(np.concatenate([kept[: done // FRAME], fresh]), len(audio))


def speech_regions(audio: np.ndarray, min_silence_ms: int = SILENCE_MS) -> list[tuple[int, int]]:
    """Voice activity (Silero, as faster-whisper's own filter) as sample ranges; a pause of
    ``min_silence_ms`` ends a region (faster-whisper's own filter waits 2 s, which counts the
    pause between two turns as speech)."""
    return detect_speech(audio).regions(min_silence_ms)


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
) -> Iterator[tuple[int, np.ndarray, Speech]]:
    """Group decoded blocks into windows cut in silence: ``(first sample, audio (channels,
    samples), its voice activity)``. Only one window is held at a time; every stretch of audio
    is scored by the VAD once."""
    high = round(window_s * SAMPLE_RATE) // FRAME * FRAME
    low = round(min_s * SAMPLE_RATE)
    # A window is cut only once the audio runs on past it by TAIL_S: a recording that ends
    # within that stays one window instead of a window and a scrap (each edge costs Whisper a
    # part-filled pass).
    wait = high + round(min(TAIL_S, window_s / 5) * SAMPLE_RATE)
    pending: list[np.ndarray] = []
    held = offset = 0
    known: Speech | None = None
    for block in chunks:
        pending.append(block)
        held += block.shape[1]
        while held >= wait:
            buffer = np.concatenate(pending, axis=1)
            mono = buffer[:, :high].mean(axis=0)
            known = detect_speech(mono, known)
            cut = _cut(known.regions(), low, high) // FRAME * FRAME
            yield offset, buffer[:, :cut], known.head(cut)
            known = known.tail(cut)
            offset += cut
            pending, held = [buffer[:, cut:]], buffer.shape[1] - cut
    if held >= SAMPLE_RATE // 10:
        buffer = np.concatenate(pending, axis=1)
        yield offset, buffer, detect_speech(buffer.mean(axis=0), known)
