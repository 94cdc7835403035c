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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from workbench.transcribe.audio import (
    MIN_WINDOW_S,
    SAMPLE_RATE,
    WINDOW_S,
    Speech,
    TranscriptionError,
    blocks,
    detect_speech,
    probe,
    windows,
)
from workbench.transcribe.gaps import _emit, _in_gaps, _InOrder, _merged, _uncovered
from workbench.transcribe.language_check import (
    DETECT_CONFIDENCE,
    PIECE_S,
    _EnglishCheck,
    _languages,
    _middle,
    prepare,
)
from workbench.transcribe.model_files import check_language, load_model
from workbench.transcribe.parts import drawing, in_order, split, twin, twinned
from workbench.transcribe.results import Cancelled, SegmentResult, TranscriptionResult, Word
from workbench.transcribe.speakers import (
    _check_speakers,
    _cluster_speakers,
    _split_into,
    speaker_language_runs,
    split_by_speaker,
)

__all__ = [
    "TranscriptionError",
    "check_language",
    "transcribe_audio",
    "transcribe_by_speaker_language",
    "transcribe_file",
]

LOW_LOGPROB = -1.0
HIGH_NO_SPEECH = 0.6
HIGH_COMPRESSION = 2.4
CONDITION_ON_PREVIOUS_TEXT = False
"""Whisper does not see its own previous text as a prompt. With it, the short last stretch of a
window repeated earlier sentences instead of transcribing new ones (benchmarks/README.md)."""


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

    (Longer than most: one loop over the language runs whose state — segments, warnings,
    languages heard, the in-order gate — the first pass and the second try share.)
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
            emit = functools.partial(
                _emit,
                segments=segments,
                on_segment=gate,
                progress=progress,
                cancelled=cancelled,
                total=total,
            )
            for gap in _second_try(
                whisper,
                piece,
                gaps,
                emit,
                language=run_language if run_language else detected,
                fast=fast,
                translate=translate,
                speaker=speaker,
                shift_s=shift,
                warnings=warnings,
                english=english,
            ):
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


def _second_try(
    whisper: Any,
    piece: np.ndarray,
    gaps: list[tuple[float, float]],
    emit: Callable[[Iterable[SegmentResult]], Iterator[SegmentResult]],
    *,
    speaker: str | None,
    shift_s: float,
    **options: Any,
) -> list[SegmentResult]:
    """Speech the first pass left without text (``gaps``, seconds into ``piece``) heard once
    more, all of it in one pass; what is found there is flagged and passed to ``emit``. Returns
    the stretches still without text, as empty segments flagged ``untranscribed_speech``."""
    # (The gaps are padded speech regions already: a wider margin put the first word
    # of a retried sentence in the silence before it.)
    clips = _merged(
        (max(0, round(a * SAMPLE_RATE)), min(len(piece), round(b * SAMPLE_RATE))) for a, b in gaps
    )
    retried, _ = _transcribe_piece(
        whisper,
        piece,
        expected=None,
        speaker=speaker,
        shift_s=shift_s,
        chunks=clips,
        clips=True,
        **options,
    )
    # What the model first passed over is not trusted without a human check.
    doubtful = (
        dataclasses.replace(x, needs_review=True, reasons=(*x.reasons, "heard on a second try"))
        for x in retried
    )
    # Keep only what falls in a gap: a second try also hears the edges of its
    # neighbours, which are transcribed already.
    kept = (part for x in doubtful for part in _in_gaps(x, shift_s, gaps))
    found = [x for x in emit(kept) if x.text]
    again = [(x.start_ms / 1000 - shift_s, x.end_ms / 1000 - shift_s) for x in found]
    return [
        SegmentResult(
            speaker=speaker,
            start_ms=round((shift_s + c) * 1000),
            end_ms=round((shift_s + d) * 1000),
            text="",
            language=None,
            untranscribed_speech=True,
            reasons=("speech without text",),
        )
        for c, d in _uncovered(gaps, again)
    ]


WHISPER_SILENCE_MS = 2000
"""Whisper hears speech as faster-whisper's own VAD filter gives it (a pause of 2 s ends a
region); shorter pauses (``SILENCE_MS``) mark speech turns and speech left without text."""
BATCHED_SILENCE_MS = 160
"""The batched pipeline's own VAD setting: short regions, packed whole into 30 s batch items."""
CHUNK_S = 30.0
TURN_SILENCE_MS = 600
MIN_DETECT_S = 1.5


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
        cut = split(chunks) if language and not clips and twinned(whisper) else 0

        def hear(model: Any, part: Sequence[tuple[int, int]]) -> tuple[Iterator[Any], Any]:
            joined = np.concatenate([piece[a:b] for a, b in part] or [piece[:0]])
            found, about = model.transcribe(joined, vad_filter=False, **options)
            if part:
                found = restore_speech_timestamps(
                    found, [{"start": a, "end": b} for a, b in part], SAMPLE_RATE
                )
            return found, about

        generator, info = hear(whisper, chunks[: cut or len(chunks)])
        if cut:
            # A long window's second half, heard by the twin at the same time (parts.py).
            generator = in_order(generator, lambda: hear(twin(whisper), chunks[cut:])[0])
    detected = str(info.language)
    found = _unjudged(generator, detected, shift_s, unexpected, translate, whisper, piece, speaker)
    if english is None:
        return (result for result, _ in found), detected
    return english.judged(found), detected


def _unjudged(
    generator: Iterable[Any],
    detected: str,
    shift_s: float,
    unexpected: bool,
    translate: bool,
    whisper: Any,
    piece: np.ndarray,
    speaker: str | None,
) -> Iterator[tuple[SegmentResult, float]]:
    """Whisper's segments as ours, flagged by Whisper's own signs, each with its average
    log-probability (the English check's sign of doubt when there are no word times)."""
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
        yield result, seg.avg_logprob


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


def _by_channel(
    window: np.ndarray,
    speaker_languages: Mapping[str, str],
    *,
    language: str | None,
    progress: Callable[[float, float], None] | None,
    offset_s: float,
    total_s: float,
    **options: Any,
) -> Iterator[TranscriptionResult]:
    """Each channel of a window transcribed as its own speaker (``channel 1``, ...), in its
    speaker's language, one after the other (lazily: a channel is heard when asked for)."""
    count = window.shape[0]
    seconds = window.shape[1] / SAMPLE_RATE
    for n, channel in enumerate(window):
        label = f"channel {n + 1}"
        yield transcribe_audio(
            channel,
            language=speaker_languages.get(label, language),
            speaker=label,
            progress=_channel_progress(progress, offset_s, seconds, n, count, total_s),
            offset_s=offset_s,
            total_s=total_s,
            **options,
        )


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
    after: Sequence[int] | None = None,
    loaded: Any = None,
    seed: int = 0,
) -> TranscriptionResult:
    """Transcribe a file (from ``start_s`` on), streaming: it is decoded in blocks and
    transcribed in windows cut in silence, so memory does not grow with its length.

    ``after`` resumes a job exactly: ``(start_ms, end_ms)`` of the last segment it stored. The
    windows are cut as in an uninterrupted run (the audio before is decoded and its voice
    activity scored again, no Whisper pass), the window holding that segment is transcribed
    again and only what comes after it is passed on — so a resumed job stores what an
    uninterrupted one would have (each window's decoding is seeded by where it starts).
    ``seed`` varies those draws (a resume must keep the job's; benchmarks pair it with raw
    faster-whisper seeded alike, whose unseeded draws make its own time vary by half).

    With ``channels_as_speakers`` each channel is its own speaker (``channel 1``,
    ``channel 2``), merged by time; ``speaker_languages`` gives a speaker's own language.
    ``language_check=False`` skips the multilingual model's check of what an English-only model
    hears (for recordings known to be English: about half the time of tiny.en).
    With ``speakers`` (the ``[diarize]`` extra) a first streaming pass clusters the voices into
    that many speakers (``speaker 1``, ...), and segments are split where the speaker changes.

    (Longer than most: one loop over the windows whose state — segments so far, warnings,
    languages heard, the cancellation's partial result — every branch shares.)
    """
    speaker_languages = dict(speaker_languages or {})
    english_only = [
        check_language(value, model) for value in [language, *speaker_languages.values()]
    ]
    if language_check and any(english_only):
        prepare()  # the check's model, loading while this thread starts the job
    info = probe(path)
    _check_speakers(path, info.channels, channels_as_speakers, start_s, speakers, speaker_languages)
    turns = _cluster_speakers(path, speakers) if speakers else None
    if after is not None:
        if start_s:
            raise ValueError("resume either after a stored segment or from a time, not both")
        on_segment = _passed_on_after(tuple(after), on_segment)
    if turns is not None:
        on_segment = _split_into(turns, on_segment)
    whisper = loaded or load_model(model, device=device)
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
    shared: dict[str, Any] = {
        "model": model,
        "language": language,
        "fast": fast,
        "translate": translate,
        "progress": progress,
        "loaded": whisper,
        "language_check": language_check,
    }
    chunks = blocks(path, keep_channels=channels_as_speakers, start_s=start_s)
    for first, window, speech in windows(chunks, window_s=window_s, min_s=min_window_s):
        offset = start_s + first / SAMPLE_RATE
        seconds = window.shape[1] / SAMPLE_RATE
        end_s = offset + seconds
        total = max(total, end_s)
        if after is not None and end_s * 1000 <= after[0]:
            if progress is not None:
                progress(end_s, total)
            continue  # stored before: only its voice activity was needed, for the cuts
        _seed(first, seed, whisper)
        if not channels_as_speakers:
            try:
                result = transcribe_window(
                    window[0],
                    cancelled=cancelled,
                    offset_s=offset,
                    total_s=total,
                    speech=speech,
                    on_segment=on_segment,
                    **shared,
                )
            except Cancelled as stop:
                raise Cancelled(segments + stop.partial) from None
            for segment in result.segments:
                segments.extend(split_by_speaker(segment, turns or []))
            note(result, seconds)
        else:
            gathered: list[SegmentResult] = []
            for result in _by_channel(
                window, speaker_languages, offset_s=offset, total_s=total, **shared
            ):
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


def _passed_on_after(
    last: tuple[int, ...], on_segment: Callable[[SegmentResult], None] | None
) -> Callable[[SegmentResult], None] | None:
    """``on_segment`` for the segments after ``last`` (start, end in ms), in time order:
    the ones up to it were stored by the job being resumed."""
    if on_segment is None:
        return None
    target = on_segment

    def passed_on(segment: SegmentResult) -> None:
        if (segment.start_ms, segment.end_ms) > last:
            target(segment)

    return passed_on


def _seed(first_sample: int, base: int = 0, whisper: Any = None) -> None:
    """Whisper's fallback decoding samples at a raised temperature: seeded by where the window
    starts, a window decodes the same whether the job ran through or was resumed. (A model
    that drew before is made anew first: CTranslate2 seeds a worker thread once, at its first
    draw; draws.py.)"""
    import ctranslate2

    ctranslate2.set_random_seed((first_sample + base * 1_000_003) % 2**31)
    for model in drawing(whisper):
        model.make_anew()


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
