"""What the transcription queue adds per item: ten recordings through ``run_queue`` against the
same ten transcribed one after the other with ``transcribe_interview``, in this process.

    python benchmarks/bench_queue.py [--items 10] [--runs 3]

The recordings are the short test clips (tests/data/audio), round after round; each way writes
into a fresh project of its own. Both ways start the same child process per item (model load
included), so the difference is the queue's own work: claiming an item, its heartbeat and its
outcome row. Prints a table: medians over the runs, and the overhead per item.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workbench.coding.study import add_interview_with_people, new_study  # noqa: E402
from workbench.storage.project import Project  # noqa: E402
from workbench.transcribe.job import transcribe_interview  # noqa: E402
from workbench.transcribe.queue import enqueue, list_queue, run_queue  # noqa: E402

AUDIO = ROOT / "tests" / "data" / "audio"
CLIPS = ("jfk.flac", "sr_english_one_two_three.wav", "ds_LDC93S1.wav")
SETTINGS = {"model": "tiny.en", "language": "en", "language_check": False}


def _study(folder: Path, name: str, items: int) -> tuple[Project, list[str]]:
    project = new_study(str(folder / f"{name}.dyad"), title=name, waves=["baseline"])
    keys = []
    for n in range(items):
        key = f"P{n + 1:02d}-baseline"
        clip = AUDIO / CLIPS[n % len(CLIPS)]
        add_interview_with_people(
            project, key, wave="baseline", people=[(f"P{n + 1:02d}", "patient")], media=clip
        )
        keys.append(key)
    return project, keys


def one_by_one(folder: Path, items: int) -> float:
    project, keys = _study(folder, "direct", items)
    with project:
        started = time.perf_counter()
        for key in keys:
            transcribe_interview(project, key, **SETTINGS)  # type: ignore[arg-type]
        return time.perf_counter() - started


def queued(folder: Path, items: int) -> float:
    project, keys = _study(folder, "queued", items)
    with project:
        for key in keys:
            enqueue(project, key, **SETTINGS)
        started = time.perf_counter()
        run_queue(project)
        elapsed = time.perf_counter() - started
        assert all(item.status == "done" for item in list_queue(project)), list_queue(project)
        return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    direct, through = [], []
    for _ in range(args.runs):  # alternated, so a noisy moment falls on both ways alike
        with tempfile.TemporaryDirectory() as folder:
            direct.append(one_by_one(Path(folder), args.items))
            through.append(queued(Path(folder), args.items))
    d, q = statistics.median(direct), statistics.median(through)
    print(f"{args.items} recordings, medians of {args.runs} runs\n")
    print("| way | s | s per item |\n|---|---:|---:|")
    print(f"| transcribe_interview, one after the other | {d:.2f} | {d / args.items:.2f} |")
    print(f"| run_queue | {q:.2f} | {q / args.items:.2f} |")
    print(f"\nthe queue adds {1000 * (q - d) / args.items:+.0f} ms per item ({q / d:.2f}×)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
