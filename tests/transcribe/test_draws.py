"""Whisper's random draws (its temperature fallback) are the same for a window whatever the model
drew before it: what a resumed job and a second run rely on (workbench/transcribe/draws.py)."""

from __future__ import annotations

from workbench.transcribe import parts
from workbench.transcribe.audio import decode
from workbench.transcribe.engine import _seed
from workbench.transcribe.model_files import load_model

from ..conftest import DATA


def _drawn(model: object, audio: object) -> str:
    """Whisper decoding by drawing only (the fallback's way: temperature 1, no beam)."""
    found, _ = model.transcribe(  # type: ignore[attr-defined]
        audio,
        language="en",
        temperature=1.0,
        beam_size=1,
        best_of=1,
        condition_on_previous_text=False,
        vad_filter=False,
    )
    return " ".join(s.text.strip() for s in found)


def test_a_window_seeded_alike_draws_alike_after_other_draws() -> None:
    audio = decode(DATA / "audio" / "pyannote_sample.wav")[: 16_000 * 20]
    whisper = load_model("tiny.en")
    heard = []
    for _ in range(3):
        _seed(16_000, 0, whisper)  # a window at 1 s, as a resume seeds it
        heard.append(_drawn(whisper, audio))
    # (CTranslate2 seeds a worker thread once, at its first draw: seeding again alone left the
    # second and third passes drawing on from the first's, and writing other words.)
    assert heard[0] == heard[1] == heard[2], heard
    twin = parts.twin(whisper)  # (the second part's model: made anew as well)
    by_twin = []
    for _ in range(2):
        _seed(16_000, 0, whisper)
        by_twin.append(_drawn(twin, audio))
    assert by_twin[0] == by_twin[1], by_twin
