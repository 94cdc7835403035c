"""Offline speaker clustering, the ``[diarize]`` extra: voice activity, voice embeddings,
spectral clustering into the number of speakers the researcher expects.

resemblyzer ships its voice-encoder weights (17 MB) inside its wheel, so nothing is downloaded.
Speech regions come from the Silero VAD that ships with faster-whisper; every region is cut into
1.6 s windows every 0.5 s, each window becomes a 256-number voice embedding, and the windows are
clustered (cosine affinity, spectral clustering with k = the expected number of speakers). Each
moment of speech takes the speaker of the window centred nearest to it.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from workbench.transcribe.audio import SAMPLE_RATE, Speech, TranscriptionError, detect_speech

RATE = 2.0
"""Embedding windows per second of speech."""
MIN_COVERAGE = 0.75
"""resemblyzer's own default: a last window at least this full is padded and kept."""
BATCH = 256
MAX_POINTS = 3000
"""Spectral clustering runs on at most this many windows; the rest join the nearest centre."""
TURN_SILENCE_MS = 300
STEP_S = 0.02


@dataclass(frozen=True, slots=True)
class Turn:
    start_s: float
    end_s: float
    speaker: str


_ENCODER: list[Any] = []


def _encoder() -> Any:
    if not _ENCODER:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # webrtcvad's pkg_resources notice
                from resemblyzer import VoiceEncoder
        except ImportError as exc:
            raise TranscriptionError(
                "speaker clustering needs the diarize extra: pip install 'dyad-workbench[diarize]'"
            ) from exc
        _ENCODER.append(VoiceEncoder("cpu", verbose=False))
    return _ENCODER[0]


@dataclass
class Embeddings:
    """Voice embeddings of a recording's speech windows, gathered window by window."""

    vectors: list[np.ndarray]
    centres: list[float]
    regions: list[tuple[float, float]]

    @classmethod
    def empty(cls) -> Embeddings:
        return cls([], [], [])

    def add(self, audio: np.ndarray, offset_s: float = 0.0, speech: Speech | None = None) -> None:
        """Embed the speech in ``audio`` (16 kHz mono) that starts ``offset_s`` into the
        recording (``speech``: its voice activity, when known). All of its 1.6 s windows go
        through the voice encoder in batches, not region by region."""
        import torch

        encoder = _encoder()
        speech = speech or detect_speech(audio)
        partials: list[np.ndarray] = []
        for a, b in speech.regions(TURN_SILENCE_MS):
            wav = audio[a:b]
            if len(wav) < SAMPLE_RATE // 4:
                continue
            wav_slices, mel_slices = encoder.compute_partial_slices(len(wav), RATE, MIN_COVERAGE)
            padded = np.pad(wav, (0, max(0, wav_slices[-1].stop - len(wav))))
            mel = mel_frames(padded)
            for piece, frames in zip(wav_slices, mel_slices, strict=True):
                partials.append(mel[frames])
                centre = (piece.start + min(piece.stop, len(wav))) / 2
                self.centres.append(offset_s + (a + centre) / SAMPLE_RATE)
            self.regions.append((offset_s + a / SAMPLE_RATE, offset_s + b / SAMPLE_RATE))
        with torch.no_grad():
            for at in range(0, len(partials), BATCH):
                batch = torch.from_numpy(np.stack(partials[at : at + BATCH]))
                self.vectors.extend(np.asarray(encoder(batch).numpy(), dtype=np.float32))

    def turns(self, speakers: int) -> list[Turn]:
        """Cluster into ``speakers`` voices; speakers are named in order of first speech."""
        if speakers < 1:
            raise TranscriptionError("the expected number of speakers must be at least 1")
        if not self.vectors:
            return []
        labels = _cluster(np.stack(self.vectors), speakers)
        centres = np.asarray(self.centres)
        turns: list[Turn] = []
        for start, end in self.regions:
            inside = np.flatnonzero((centres >= start) & (centres <= end))
            if not len(inside):
                continue
            times = np.arange(start, end, STEP_S)
            nearest = inside[np.abs(centres[inside][None, :] - times[:, None]).argmin(axis=1)]
            frame_labels = labels[nearest]
            at = 0
            for i in range(1, len(times) + 1):
                if i == len(times) or frame_labels[i] != frame_labels[at]:
                    stop = end if i == len(times) else float(times[i])
                    turns.append(Turn(float(times[at]), stop, str(frame_labels[at])))
                    at = i
        order: dict[str, str] = {}
        for turn in turns:
            order.setdefault(turn.speaker, f"speaker {len(order) + 1}")
        return [Turn(t.start_s, t.end_s, order[t.speaker]) for t in turns]


@functools.cache
def _mel_basis() -> np.ndarray:
    from faster_whisper.feature_extractor import FeatureExtractor

    # The same Slaney mel filters as librosa's (faster-whisper ports them; equal to 1e-9).
    return np.asarray(FeatureExtractor.get_mel_filters(SAMPLE_RATE, N_FFT, n_mels=40))


N_FFT = 400
HOP = 160


def mel_frames(wav: np.ndarray) -> np.ndarray:
    """The voice encoder's input: the 40-band mel power spectrogram resemblyzer computes with
    librosa (25 ms Hann windows every 10 ms, centred, zero-padded), ``(frames, 40)``. Computed
    here with numpy because importing librosa's feature module alone costs ~3 s per job;
    tested equal to resemblyzer's own."""
    padded = np.pad(wav.astype(np.float32, copy=False), N_FFT // 2)
    count = 1 + (len(padded) - N_FFT) // HOP
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP][:count]
    window = np.hanning(N_FFT + 1)[:-1].astype(np.float32)
    power = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
    return np.asarray(power @ _mel_basis().T, dtype=np.float32)


def _cluster(vectors: np.ndarray, speakers: int) -> np.ndarray:
    from sklearn.cluster import SpectralClustering

    if len(vectors) <= speakers:
        return np.arange(len(vectors))
    step = max(1, int(np.ceil(len(vectors) / MAX_POINTS)))
    sample = vectors[::step]
    affinity = np.clip(sample @ sample.T, 0.0, 1.0)
    labels = SpectralClustering(
        n_clusters=speakers, affinity="precomputed", random_state=0, assign_labels="kmeans"
    ).fit_predict(affinity)
    if step == 1:
        return np.asarray(labels)
    centres = np.stack([sample[labels == k].mean(axis=0) for k in range(speakers)])
    return np.asarray((vectors @ centres.T).argmax(axis=1))


def diarize_audio(audio: np.ndarray, speakers: int) -> list[Turn]:
    """Speaker turns of a (short) recording held whole; long ones go through ``Embeddings``."""
    found = Embeddings.empty()
    found.add(audio)
    return found.turns(speakers)


def speaker_at(turns: Sequence[Turn], start_s: float, end_s: float) -> str | None:
    """The speaker who talks most between ``start_s`` and ``end_s`` (None: nobody)."""
    talk: dict[str, float] = {}
    for turn in turns:
        overlap = min(end_s, turn.end_s) - max(start_s, turn.start_s)
        if overlap > 0:
            talk[turn.speaker] = talk.get(turn.speaker, 0.0) + overlap
    if not talk:
        best = min(turns, key=lambda t: abs((t.start_s + t.end_s) / 2 - (start_s + end_s) / 2))
        return best.speaker if turns else None
    return max(talk, key=lambda k: talk[k])


# --- evaluation ----------------------------------------------------------------------------------


def read_rttm(lines: Iterable[str]) -> list[Turn]:
    turns = []
    for line in lines:
        fields = line.split()
        if fields and fields[0] == "SPEAKER":
            start, length = float(fields[3]), float(fields[4])
            turns.append(Turn(start, start + length, fields[7]))
    return turns


def _span(turn: Turn, step: float) -> slice:
    return slice(round(turn.start_s / step), round(turn.end_s / step))


def diarization_error_rate(
    reference: Sequence[Turn], hypothesis: Sequence[Turn], *, collar_s: float = 0.25
) -> float:
    """NIST-style DER on a 10 ms grid: (missed + false alarm + confusion) / reference speech,
    overlapping reference speech counted per speaker, the best one-to-one mapping of labels,
    and no scoring within ``collar_s`` either side of a reference boundary."""
    from scipy.optimize import linear_sum_assignment

    step = 0.01
    end = max([t.end_s for t in (*reference, *hypothesis)], default=0.0)
    n = int(np.ceil(end / step)) + 1
    ref_names = sorted({t.speaker for t in reference})
    hyp_names = sorted({t.speaker for t in hypothesis})
    ref = np.zeros((len(ref_names), n), bool)
    hyp = np.zeros((len(hyp_names), n), bool)
    for turn in reference:
        ref[ref_names.index(turn.speaker), _span(turn, step)] = 1
    for turn in hypothesis:
        hyp[hyp_names.index(turn.speaker), _span(turn, step)] = 1
    scored = np.ones(n, bool)
    for turn in reference:
        for edge in (turn.start_s, turn.end_s):
            scored[max(0, round((edge - collar_s) / step)) : round((edge + collar_s) / step)] = 0
    ref, hyp = ref[:, scored], hyp[:, scored]
    overlap = ref.astype(np.int64) @ hyp.T.astype(np.int64)
    rows, cols = linear_sum_assignment(-overlap) if overlap.size else ([], [])
    correct = np.zeros(ref.shape[1], np.int64)
    for r, c in zip(rows, cols, strict=True):
        correct += ref[r] & hyp[c]
    n_ref, n_hyp = ref.sum(axis=0), hyp.sum(axis=0)
    total = int(n_ref.sum())
    errors = int((np.maximum(n_ref, n_hyp) - correct).sum())
    return errors / total if total else 0.0
