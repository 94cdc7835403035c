"""Our transcription against raw faster-whisper on several kinds of audio, not only our own
recording: what the pipeline and the job around it add (target ≤ 1.10× raw).

    python benchmarks/bench_overhead.py [--runs 3] [--kinds meeting,telephone,read,silences,mix]

Each recording is built from the shared clips (../shared/data/audio, else tests/data/audio):
- meeting: the four AMI far-field meeting clips one after the other;
- telephone: the clean clips band-limited to 300–3,400 Hz through an 8 kHz line;
- read: the clean read-speech clips, round after round, for about three minutes;
- silences: the clean clips with 20 s of silence between them;
- mix: the issue's 235 s concatenation (jfk, two AMI clips, the pyannote sample, LDC93S1, the
  stereo pair, twice, half a second apart).

Per recording and run, each in a child process of its own (model load included): raw
faster-whisper (tiny.en, int8, 2 threads, VAD, word times, beam 5, English, no prompting),
``transcribe_file`` (ours, language check on), and the whole ``workbench transcribe`` command
into a fresh project (child process, storing). Medians of wall and CPU time.

Raw faster-whisper's temperature fallback draws at random, unseeded: on far-field audio its own
time moved from 12.5 to 19.3 s between runs. Ours seeds each window's draws by where it starts
(for an exact resume), so raw is seeded as ours seeds a window at 0: both take the same draws,
and the ratio measures the pipeline rather than luck.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from bench_transcribe import measure  # noqa: E402

from workbench.transcribe.audio import SAMPLE_RATE, decode  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "audio"
CLEAN = ["jfk.flac", "ds_LDC93S1.wav", "fw_stereo_left.wav", "fw_stereo_right.wav"]
MEETING = [f"pyannote_ami_{n}.wav" for n in ("dev00", "dev01", "tst00", "tst01")]


def _clip(name: str) -> np.ndarray:
    folder = SHARED if (SHARED / name).exists() else ROOT / "tests" / "data" / "audio"
    return decode(folder / name)


def _silence(seconds: float) -> np.ndarray:
    return np.zeros(round(seconds * SAMPLE_RATE), dtype=np.float32)


def _telephone(audio: np.ndarray) -> np.ndarray:
    from scipy.signal import butter, resample_poly, sosfilt

    band = sosfilt(butter(6, [300, 3400], btype="bandpass", fs=SAMPLE_RATE, output="sos"), audio)
    return resample_poly(resample_poly(band, 1, 2), 2, 1).astype(np.float32)


def recording(kind: str) -> np.ndarray:
    if kind == "meeting":
        return np.concatenate([p for n in MEETING for p in (_clip(n), _silence(0.5))])
    if kind == "silences":
        return np.concatenate([p for n in CLEAN * 2 for p in (_clip(n), _silence(20))])
    if kind == "mix":
        names = ["jfk.flac", *MEETING[0:3:2], "pyannote_sample.wav", *CLEAN[1:]]
        return np.concatenate(
            [p for _ in range(2) for n in names for p in (_clip(n), _silence(0.5))]
        )
    parts: list[np.ndarray] = []
    while sum(len(p) for p in parts) < 180 * SAMPLE_RATE:
        parts += [p for n in CLEAN for p in (_clip(n), _silence(0.8))]
    audio = np.concatenate(parts)
    return _telephone(audio) if kind == "telephone" else audio


def write_wav(path: Path, audio: np.ndarray) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())


def whole_command(path: Path, folder: Path) -> dict:
    """``workbench transcribe`` as a user runs it, into a fresh project: wall and CPU."""
    project = folder / f"p{time.monotonic_ns()}.dyad"
    cli = [sys.executable, "-m", "workbench.cli"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    setup = [
        ["new", str(project)],
        ["participant", "add", str(project), "P1", "--role", "patient"],
        ["interview", "add", str(project), "I1", "--participant", "P1", "--media", str(path)],
    ]
    for args in setup:
        subprocess.run([*cli, *args], check=True, capture_output=True, env=env)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [*cli, "transcribe", str(project), "I1", "--model", "tiny.en", "--language", "en"],
        check=True,
        capture_output=True,
        env=env,
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"seconds": seconds, "cpu": cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kinds", default="meeting,telephone,read,silences,mix")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-overhead-"))
    os.environ.setdefault("XDG_DATA_HOME", str(folder / "data"))
    from workbench.transcribe.model_files import model_path

    model_path("base")  # the language check's model, joined before timing
    rows = []
    for kind in args.kinds.split(","):
        path = folder / f"{kind}.wav"
        audio = recording(kind)
        write_wav(path, audio)
        length = len(audio) / SAMPLE_RATE
        runs: dict[str, list[dict]] = {"raw": [], "ours": [], "command": []}
        for _ in range(args.runs):
            runs["raw"].append(measure("raw", path, seed=0))
            runs["ours"].append(measure("ours", path, seed=0))
            runs["command"].append(whole_command(path, folder))
        wall = {k: statistics.median(r["seconds"] for r in v) for k, v in runs.items()}
        cpu = {k: statistics.median(r["cpu"] for r in v) for k, v in runs.items()}
        stages = {
            name: statistics.median(r["stages"].get(name, 0.0) for r in runs["ours"])
            for name in {n for r in runs["ours"] for n in r["stages"]}
        }
        rows.append((kind, length, wall, cpu, stages))
        print(f"{kind}: {length:.0f} s audio, " + ", ".join(f"{k} {wall[k]:.1f} s" for k in wall))
    print(
        "\n| audio | length s | raw s | ours s | command s | ours/raw wall | ours/raw CPU "
        "| command/raw wall | command/raw CPU |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    for kind, length, wall, cpu, _ in rows:
        print(
            f"| {kind} | {length:.0f} | {wall['raw']:.1f} | {wall['ours']:.1f} "
            f"| {wall['command']:.1f} | {wall['ours'] / wall['raw']:.2f}× "
            f"| {cpu['ours'] / cpu['raw']:.2f}× | {wall['command'] / wall['raw']:.2f}× "
            f"| {cpu['command'] / cpu['raw']:.2f}× |"
        )
    names = sorted({name for *_, stages in rows for name in stages})
    print(
        "\nStages of ours (medians, seconds; wall on the main thread unless said) and what the "
        "command adds around it (command − ours, wall):\n\n| audio | "
        + " | ".join(names)
        + " | the job |\n|---|"
        + "---:|" * (len(names) + 1)
    )
    for kind, _, wall, _, stages in rows:
        cells = " | ".join(f"{stages.get(name, 0.0):.2f}" for name in names)
        print(f"| {kind} | {cells} | {wall['command'] - wall['ours']:.2f} |")


if __name__ == "__main__":
    main()
