"""A window's speech heard in two parts at once (issue 17).

Whisper decodes a window one 30-second stretch after another, and on a CPU its two threads keep
the two cores only about two-thirds busy (raw faster-whisper: 1.32 s of CPU a second of wall).
Cut at a pause of at least 2 s (a boundary between the speech regions Whisper is given anyway),
each half of a window is decoded by a model of its own at the same time: the first by the
loaded model, the second by a copy of it on one thread (a *twin*). The halves' segments are
passed on in time order, the first half's as they come, the second's once the first is done.

Each half is always decoded by the same model, the first by the loaded one and the second by
its twin, so a window is cut and decoded the same way on every run. What differs from one pass
over the window is where Whisper's 30-second stretches fall in the second half, as it differs
between any two window lengths (word error rate no worse on read speech: benchmarks/README.md).
"""

from __future__ import annotations

import copy
import queue
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from workbench.transcribe.audio import SAMPLE_RATE
from workbench.transcribe.draws import Drawing

MIN_PART_S = 15.0
"""A window is cut only when each part holds this much speech: Whisper hears 30 s at a time, so
a shorter part would cost a whole pass for a small part of one (with 30 s, a file of short clips
far apart, 48 s of speech in 208 s, was not cut and took 1.23× raw's time; cut, 0.95×)."""
THREAD_NAME = "whisper second part"

T = TypeVar("T")

_TWINS: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def drawing(whisper: Any) -> list[Drawing]:
    """The CTranslate2 models decoding for ``whisper``: its own and its twin's, once made."""
    other = _TWINS.get(whisper) if twinned(whisper) else None
    found = [getattr(whisper, "model", None), getattr(other, "model", None)]
    return [x for x in found if isinstance(x, Drawing)]


def twinned(whisper: Any) -> bool:
    """Whether ``whisper`` can have a twin: a model ``model_files`` loaded on the CPU."""
    model = getattr(whisper, "model", None)
    return isinstance(model, Drawing) and model.device == "cpu"


def twin(whisper: Any) -> Any:
    """A copy of ``whisper`` with a CTranslate2 model of its own on one thread (made once per
    model, on first use, by the thread that first needs it)."""
    with _LOCK:
        found = _TWINS.get(whisper)
        if found is None:
            found = copy.copy(whisper)
            found.model = whisper.model.on_one_thread()
            _TWINS[whisper] = found
    return found


def split(chunks: Sequence[tuple[int, int]]) -> int:
    """Where to cut speech regions ``chunks`` (sample ranges) into two parts of as nearly equal
    speech as a boundary between regions allows: the index of the second part's first region,
    or 0 for no cut (less than ``MIN_PART_S`` of speech would be on one side)."""
    lengths = [b - a for a, b in chunks]
    total = sum(lengths)
    least = MIN_PART_S * SAMPLE_RATE
    best, best_gap = 0, float("inf")
    before = 0
    for i in range(1, len(chunks)):
        before += lengths[i - 1]
        if before >= least and total - before >= least and abs(total - 2 * before) < best_gap:
            best, best_gap = i, abs(total - 2 * before)
    return best


def in_order(first: Iterator[T], second: Callable[[], Iterator[T]]) -> Iterator[T]:
    """What ``first`` yields, then what ``second()`` yields, ``second`` running meanwhile on a
    thread of its own. Its error is raised here, in its place; once this generator is closed
    (done, abandoned on a cancel, or failed) the thread stops after the item it is on."""
    box: queue.SimpleQueue[tuple[bool, Any]] = queue.SimpleQueue()
    stop = threading.Event()

    def run() -> None:
        try:
            for item in second():
                if stop.is_set():
                    return
                box.put((True, item))
        except BaseException as exc:  # handed to the consumer, raised there
            box.put((False, exc))
            return
        box.put((False, None))

    thread = threading.Thread(target=run, name=THREAD_NAME, daemon=True)
    thread.start()
    try:
        yield from first
        while True:
            ok, item = box.get()
            if ok:
                yield item
            elif item is None:
                return
            else:
                raise item
    finally:
        stop.set()
