"""Long recordings made on the fly (never committed): speech clips at known times in silence."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from workbench.transcribe.audio import SAMPLE_RATE, decode


def write_recording(
    path: Path,
    clip: Path | None,
    starts_s: Sequence[float],
    length_s: float,
    codec: str = "flac",
    *,
    clips: Sequence[tuple[Path, float]] = (),
) -> None:
    """Write ``length_s`` seconds of 16 kHz mono: ``clip`` at each of ``starts_s`` (and each
    of ``clips`` at its start), silence (with a little noise) elsewhere. Written a second at a
    time, so memory stays small."""
    import av

    decoded: dict[Path, np.ndarray] = {}
    wanted = [(clip, s) for s in starts_s if clip is not None] + list(clips)
    for name, _ in wanted:
        if name not in decoded:
            decoded[name] = (decode(name) * 32767).astype(np.int16)
    total = round(length_s * SAMPLE_RATE)
    placed = sorted(
        ((round(s * SAMPLE_RATE), decoded[name]) for name, s in wanted), key=lambda p: p[0]
    )
    rng = np.random.default_rng(7)
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=SAMPLE_RATE, layout="mono")
        at = 0
        while at < total:
            n = min(SAMPLE_RATE, total - at)
            block = rng.integers(-20, 20, n).astype(np.int16)
            for start, samples in placed:
                a, b = max(start, at), min(start + len(samples), at + n)
                if a < b:
                    block[a - at : b - at] = samples[a - start : b - start]
            frame = av.AudioFrame.from_ndarray(block[None, :], format="s16", layout="mono")
            frame.sample_rate = SAMPLE_RATE
            for packet in stream.encode(frame):
                out.mux(packet)
            at += n
        for packet in stream.encode(None):
            out.mux(packet)
