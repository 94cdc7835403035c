"""A long window heard in two parts at once (workbench/transcribe/parts.py): where it is cut, the
parts passed on in time order, the words as good as one pass's, and a cancel stopping both."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbench.transcribe import parts
from workbench.transcribe.audio import SAMPLE_RATE, decode
from workbench.transcribe.engine import transcribe_file
from workbench.transcribe.results import Cancelled, SegmentResult
from workbench.transcribe.scoring import word_error_rate as wer

from ..conftest import DATA
from .long_audio import write_recording

AUDIO = DATA / "audio"
SAID = {
    "jfk.flac": "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country.",
    "fw_stereo_left.wav": "He began a confused complaint against the wizard, who had vanished "
    "behind the curtain on the left.",
    "ds_LDC93S1.wav": "She had your dark suit in greasy wash water all year.",
    "fw_stereo_right.wav": "The horizon seems extremely distant.",
}
PAUSE_S = 3.0


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Four read clips, three times over, 3 s apart: 72 s of speech in a 110 s recording (one
    window), with what was said."""
    path = tmp_path_factory.mktemp("parts") / "read.flac"
    placed, said, at = [], [], 0.5
    for _ in range(3):
        for name, text in SAID.items():
            placed.append((AUDIO / name, at))
            said.append(text)
            at += len(decode(AUDIO / name)) / SAMPLE_RATE + PAUSE_S
    write_recording(path, None, (), at + 1.0, clips=placed)
    return path, " ".join(said)


def _text(segments: list[SegmentResult]) -> str:
    return " ".join(s.text for s in segments if s.text)


def test_speech_is_cut_between_regions_into_two_nearly_equal_parts() -> None:
    second = SAMPLE_RATE

    def regions(*seconds: float) -> list[tuple[int, int]]:
        out, at = [], 0
        for length in seconds:
            out.append((at, at + round(length * second)))
            at += round((length + 3) * second)
        return out

    assert parts.split(regions(20, 20, 20, 20)) == 2
    assert parts.split(regions(50, 10, 10, 10, 10)) == 1  # 50 | 40: the nearest to equal
    assert parts.split(regions(70, 16)) == 1
    assert parts.split(regions(70, 10)) == 0  # a 10 s part: a pass for a third of one
    assert parts.split(regions(12, 12)) == 0
    assert parts.split(regions(100)) == 0  # no pause to cut at
    assert parts.split([]) == 0


def test_the_second_part_follows_the_first_and_its_error_is_raised_in_its_place() -> None:
    assert list(parts.in_order(iter([1, 2]), lambda: iter([3, 4]))) == [1, 2, 3, 4]

    def failing() -> Iterator[int]:
        yield 3
        raise ValueError("the second part failed")

    got: list[int] = []
    with pytest.raises(ValueError, match="second part failed"):
        for item in parts.in_order(iter([1, 2]), failing):
            got.append(item)
    assert got == [1, 2, 3]


def test_a_closed_stream_stops_its_second_part_after_the_item_it_is_on() -> None:
    made: list[int] = []

    def endless() -> Iterator[int]:
        n = 0
        while True:
            n += 1
            made.append(n)
            time.sleep(0.01)
            yield n

    stream = parts.in_order(iter([1]), endless)
    assert next(stream) == 1
    stream.close()
    _wait_for_no_second_part()
    count = len(made)
    time.sleep(0.1)
    assert len(made) == count


def _second_parts() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == parts.THREAD_NAME]


def _wait_for_no_second_part(within_s: float = 20.0) -> None:
    end = time.monotonic() + within_s
    while _second_parts() and time.monotonic() < end:
        time.sleep(0.05)
    assert not _second_parts(), "the second part still runs"


def test_a_long_window_is_heard_in_two_parts_at_once_in_order_and_as_well_as_in_one(
    recording: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, said = recording
    order: list[tuple[int, int]] = []
    alongside: list[bool] = []

    def on_segment(segment: SegmentResult) -> None:
        order.append((segment.start_ms, segment.end_ms))
        alongside.append(bool(_second_parts()))

    two = transcribe_file(path, model="tiny.en", language="en", on_segment=on_segment)
    assert any(alongside), "no second part decoded alongside the first"
    assert order == sorted(order)
    assert order[-1][1] > 100_000  # the last clip, in the second part, was heard
    _wait_for_no_second_part()

    monkeypatch.setattr(parts, "MIN_PART_S", 1e9)  # one pass over the window, as before
    one = transcribe_file(path, model="tiny.en", language="en")
    assert wer(said, _text(two.segments)) <= wer(said, _text(one.segments)) + 0.03
    assert wer(said, _text(two.segments)) <= 0.15, _text(two.segments)
    assert sum(s.untranscribed_speech for s in two.segments) == 0


def test_a_cancel_stops_the_second_part_even_while_the_cancel_is_held(
    recording: tuple[Path, str],
) -> None:
    path, _ = recording
    passed: list[SegmentResult] = []
    with pytest.raises(Cancelled) as raised:
        transcribe_file(
            path,
            model="tiny.en",
            language="en",
            on_segment=passed.append,
            cancelled=lambda: bool(passed),
        )
    assert len(raised.value.partial) == 1
    _wait_for_no_second_part(within_s=10.0)  # (while ``raised`` holds the traceback)
