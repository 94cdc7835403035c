"""The English check: what an English-only model hears that is not English, judged by the
multilingual model on a thread of its own; and Whisper's language detection over short pieces."""

from __future__ import annotations

import dataclasses
import functools
import math
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from typing import Any

import numpy as np

from workbench.transcribe.audio import SAMPLE_RATE
from workbench.transcribe.model_files import load_model
from workbench.transcribe.results import SegmentResult

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
MAX_JUDGE_S = 8.0
"""A doubtful segment is judged by at most this much of the speech around it: the encoder's
cost grows faster than the length, and a whole 20-30 s turn cost 0.6-0.9 s of a core
(benchmarks/README.md)."""
DETECT_BATCH = 8
DETECT_CONFIDENCE = 0.5
_CHECKER: list[Any] = []
_CHECKER_LOCK = threading.Lock()


def _checker() -> Any:
    with _CHECKER_LOCK:
        if not _CHECKER:
            # One thread: it listens beside tiny.en's decoder, which leaves about a core idle.
            _CHECKER.append(load_model("base", device="cpu", threads=1))
    return _CHECKER[0]


def prepare() -> None:
    """Load the check's model now, on the check's own thread: a job calls this before it loads
    its own model and scores the first window's voice activity, work on one core that leaves the
    other idle. Loaded later, it took that core from Whisper's two threads (issue 17)."""
    _background(_checker)


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
    model itself doubts (``_doubtful``) is checked too, by the stretch of speech it lies in (at
    most ``MAX_JUDGE_S`` of it), so a short foreign turn the samples missed (joined with English,
    it is outvoted) is caught where the model stumbled over it. Short excerpts mislead the
    detector — two seconds of clear English came out as Japanese — so nothing shorter than
    ``MIN_JUDGE_S`` is judged alone."""

    def __init__(
        self, audio: np.ndarray, regions: Sequence[tuple[int, int]], offset_s: float
    ) -> None:
        self.audio = audio
        self.offset_s = offset_s
        self.regions = list(regions)
        self._found = _background(lambda: self._listen(self.regions))
        self._extra: list[tuple[float, float, str]] = []
        self._judged: dict[tuple[int, int], Future[tuple[str, float]]] = {}
        self._turns: dict[tuple[int, int], tuple[str, float]] = {}  # (the check's thread only)

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

    def judged(self, results: Iterable[tuple[SegmentResult, float]]) -> Iterator[SegmentResult]:
        """Each (segment, its average log-probability) flagged when it was made of speech that is
        not English, in order. A segment the model doubts is judged by the stretch of speech it
        lies in (a turn is heard whole: tiny.en breaks foreign speech into short scraps), on the
        check's own thread while Whisper decodes on; the stream waits for a judgement only to
        pass its segment on, or when a later segment lies in a stretch still being judged (it
        is flagged as that stretch is) — the same flags as judging one segment at a time."""
        waiting: deque[_Verdict] = deque()
        for segment, avg_logprob in results:
            waiting.append(self._verdict(segment, avg_logprob, waiting))
            while waiting and waiting[0].ready():
                yield self._settled(waiting.popleft())
        while waiting:
            yield self._settled(waiting.popleft())

    def _verdict(
        self, segment: SegmentResult, avg_logprob: float, waiting: Sequence[_Verdict]
    ) -> _Verdict:
        middle = (segment.start_ms + segment.end_ms) / 2000
        heard = next((x for a, b, x in self.stretches if a <= middle <= b), None)
        for earlier in waiting if heard is None else ():
            if earlier.span[0] <= middle <= earlier.span[1]:  # (a judgement's span: see below)
                heard = earlier.heard()
                if heard is not None:
                    break
        if heard is None and segment.text and _doubtful(segment, avg_logprob):
            a = round((segment.start_ms / 1000 - self.offset_s) * SAMPLE_RATE)
            b = round((segment.end_ms / 1000 - self.offset_s) * SAMPLE_RATE)
            turn = _context(self.regions, a, b)
            around = _share(turn, (a + b) // 2, MAX_JUDGE_S)
            lo, hi = around[0][0], around[-1][1]
            if sum(y - x for x, y in around) >= MIN_JUDGE_S * SAMPLE_RATE:
                if (lo, hi) not in self._judged:
                    judge = functools.partial(self._judge, around, turn)
                    self._judged[(lo, hi)] = _background(judge)
                # (Its span is the whole turn: a later segment in it, however sure tiny.en is of
                # its words, is flagged as the turn is — fluent English invented from German.)
                start, end = turn[0][0], turn[-1][1]
                span = (self.offset_s + start / SAMPLE_RATE, self.offset_s + end / SAMPLE_RATE)
                return _Verdict(segment, None, self._judged[(lo, hi)], span)
        return _Verdict(segment, heard, None, (1.0, 0.0))  # an empty span: nothing to wait for

    def _judge(
        self, share: Sequence[tuple[int, int]], turn: Sequence[tuple[int, int]]
    ) -> tuple[str, float]:
        """The language heard in ``share`` of a turn; when it is not English, the language heard
        in the whole ``turn`` (on the check's thread). A share is cheaper to hear, but less
        sure: alone, shares of far-field English came out as Welsh (p 0.51); heard whole, not."""
        heard = _languages(_checker(), [np.concatenate([self.audio[x:y] for x, y in share])])[0]
        if heard[0] == "en" or heard[1] < DETECT_CONFIDENCE or list(share) == list(turn):
            return heard
        key = (turn[0][0], turn[-1][1])
        if key not in self._turns:
            whole = np.concatenate([self.audio[x:y] for x, y in turn])
            self._turns[key] = _languages(_checker(), [whole])[0]
        return self._turns[key]

    def _settled(self, verdict: _Verdict) -> SegmentResult:
        heard = verdict.heard()
        if (
            verdict.judgement is not None
            and heard is not None
            and (found := (*verdict.span, heard)) not in self._extra
        ):
            self._extra.append(found)
        if heard is None:
            return verdict.segment
        return dataclasses.replace(
            verdict.segment,
            language=heard,
            needs_review=True,
            reasons=(*verdict.segment.reasons, f"sounds like {heard}, not English"),
        )


@dataclasses.dataclass(frozen=True, slots=True)
class _Verdict:
    """What the check says of one segment: known (``language``), or a judgement of the stretch
    of speech ``span`` (seconds in the recording) that the check's thread is hearing."""

    segment: SegmentResult
    language: str | None
    judgement: Future[tuple[str, float]] | None
    span: tuple[float, float]

    def ready(self) -> bool:
        return self.judgement is None or self.judgement.done()

    def heard(self) -> str | None:
        """The foreign language the segment was heard in, or None (waits for a judgement)."""
        if self.judgement is None:
            return self.language
        language, probability = self.judgement.result()
        return language if language != "en" and probability >= DETECT_CONFIDENCE else None


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


def _share(speech: Sequence[tuple[int, int]], at: int, seconds: float) -> list[tuple[int, int]]:
    """The part of ``speech`` (sample ranges) around sample ``at`` when it holds more than
    ``seconds``: it is cut into equal shares of at most that much, the same for every segment
    in it (so they share one judgement), and the share ``at`` falls in (or nearest) is kept."""
    total = sum(b - a for a, b in speech)
    count = math.ceil(total / (seconds * SAMPLE_RATE))
    if count <= 1:
        return list(speech)
    shares = _pieces(speech, math.ceil(total / count) / SAMPLE_RATE)

    def away(share: list[tuple[int, int]]) -> int:
        first, last = share[0][0], share[-1][1]
        return 0 if first <= at < last else min(abs(at - first), abs(at - last))

    return min(shares, key=away)


def _doubtful(segment: SegmentResult, avg_logprob: float) -> bool:
    """Whether the model doubts its own words: their mean probability is low (tiny.en on
    Russian or German: 0.35-0.6; on the benchmark's English never below 0.9). Without word
    times, the average log-probability — which faster-whisper gives per 30 s pass, not per
    segment, so it is a coarse sign."""
    if segment.words:
        mean = sum(w.probability for w in segment.words) / len(segment.words)
        return mean < SUSPECT_WORD_PROBABILITY
    return avg_logprob < SUSPECT_LOGPROB
