"""Segments are stored in time order, and only once nothing before them can change: a stretch of
speech left without text holds later segments back until its second try is in, so a job stopped
at any moment has stored everything up to its last stored segment (resume starts there)."""

from __future__ import annotations

from workbench.transcribe.gaps import _InOrder
from workbench.transcribe.results import SegmentResult


def _seg(a: float, b: float, text: str = "words", **kw: object) -> SegmentResult:
    return SegmentResult(None, round(a * 1000), round(b * 1000), text, "en", **kw)  # type: ignore[arg-type]


def test_a_run_without_gaps_streams_each_segment_at_once() -> None:
    stored: list[SegmentResult] = []
    gate = _InOrder(stored.append, [(0.0, 4.0), (5.0, 9.0)], shift=100.0)
    gate(_seg(100, 104))
    assert len(stored) == 1
    gate(_seg(105, 109))
    assert len(stored) == 2
    gate.flush()
    assert len(stored) == 2


def test_after_a_gap_later_segments_wait_for_the_second_try() -> None:
    stored: list[SegmentResult] = []
    gate = _InOrder(stored.append, [(0.0, 4.0), (5.0, 12.0)], shift=0.0)
    gate(_seg(0, 4))
    gate(_seg(8, 12))  # 5–8 s of speech without text before it: held
    assert [s.start_ms for s in stored] == [0]
    # A job stopped here resumes after 4 s: the gap is transcribed again, nothing is lost.
    gate(_seg(5, 6.5, needs_review=True))  # the second try
    gate(_seg(6.5, 8, text="", untranscribed_speech=True))  # what stayed without text
    gate.flush()
    assert [(s.start_ms, s.end_ms) for s in stored] == [
        (0, 4000),
        (5000, 6500),
        (6500, 8000),
        (8000, 12000),
    ]
