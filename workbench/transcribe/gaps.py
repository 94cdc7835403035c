"""Speech left without text: finding it (speech no segment covers), keeping the parts of a second
try that fall in it, and passing segments on in time order once nothing before them can change."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Sequence

from workbench.transcribe.results import Cancelled, SegmentResult

MIN_GAP_S = 1.0


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
