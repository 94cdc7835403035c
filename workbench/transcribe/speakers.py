"""Clustered speakers: the voices of a recording, segments split where the speaker changes, and
the stretches of a window each in its speaker's own language."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from workbench.transcribe.audio import SAMPLE_RATE, TranscriptionError, blocks, windows
from workbench.transcribe.results import SegmentResult, Word


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


def _check_speakers(
    path: Path,
    channels: int,
    channels_as_speakers: bool,
    start_s: float,
    speakers: int | None,
    speaker_languages: Mapping[str, str],
) -> None:
    """Refuse speaker options that cannot go together (or with this recording)."""
    if channels_as_speakers:
        if channels < 2:
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
