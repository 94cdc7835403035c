"""Comparing two analysts over the whole reference study (target < 2 s), and the agreement
figures on request.

The reference study with 400 codes; analyst "ana" has ~30,000 codings (bench_coding's bulk
setup); "ben" re-reads 80 % of them with the same code and edges moved by up to 60 characters
either way, and adds 6,000 codings of his own. Bulk-inserted test data, not user actions.

    python benchmarks/bench_compare.py [--dyads 30] [--codings 30000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_coding import add_codebook_and_codings
from generate_study import generate
from sqlalchemy import insert, select, update

from workbench.analysis.agreement import agreement
from workbench.analysis.compare import compare
from workbench.coding._anchors import LoadedTranscript
from workbench.storage.models import Code, Coding, Interview, new_guid, utcnow
from workbench.storage.project import Project, open_project


def second_reading(project: Project, seed: int = 5) -> None:
    """Ben's codings: most of Ana's re-read with moved edges, and some of his own."""
    rng = random.Random(seed)
    with project.session() as s:
        ana, ben = project.coder(s, "ana").id, project.coder(s, "ben").id
        s.execute(update(Coding).values(coder_id=ana))
        codes = list(s.scalars(select(Code.id).where(Code.parent_id.is_not(None))))
        rows = []
        for iv in s.scalars(select(Interview).order_by(Interview.key)):
            t = LoadedTranscript.load(s, iv)
            total = len(t.text)
            theirs = s.execute(
                select(Coding.code_id, Coding.start_utterance_id, Coding.start_offset,
                       Coding.end_utterance_id, Coding.end_offset)
                .where(Coding.interview_id == iv.id)
            ).all()  # fmt: skip
            spans = [(c, t.position(su, so), t.position(eu, eo)) for c, su, so, eu, eo in theirs]
            mine = [(c, a, b) for c, a, b in spans if rng.random() < 0.8]
            moved = [
                (c, max(0, a + rng.randint(-60, 60)), min(total, b + rng.randint(-60, 60)))
                for c, a, b in mine
            ]
            for _ in range(len(spans) // 5):
                start = rng.randrange(0, total - 200)
                moved.append((rng.choice(codes), start, min(total, start + rng.randint(20, 400))))
            for code, start, end in moved:
                if end - start < 5:
                    continue
                su, so = t.anchor(start, "start")
                eu, eo = t.anchor(end, "end")
                rows.append(
                    {
                        "code_id": code,
                        "interview_id": iv.id,
                        "start_utterance_id": su,
                        "start_offset": so,
                        "end_utterance_id": eu,
                        "end_offset": eo,
                        "coder_id": ben,
                        "created_at": utcnow(),
                        "memo": None,
                        "important": False,
                        "guid": new_guid(),
                    }
                )
        for chunk in range(0, len(rows), 5000):
            s.execute(insert(Coding), rows[chunk : chunk + 5000])


def timed(func: object, runs: int) -> tuple[float, float, object]:
    """Median wall-clock and CPU seconds (CPU: what the figure is on a busy machine)."""
    wall, cpu, result = [], [], None
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = func()  # type: ignore[operator]
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall), statistics.median(cpu), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dyads", type=int, default=30)
    parser.add_argument("--codings", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wb-bench-compare-") as folder:
        target = str(Path(folder) / "study.dyad")
        generate(target, dyads=args.dyads).close()
        with open_project(target, coder="bench") as p:
            add_codebook_and_codings(p, 400, args.codings)
            second_reading(p)
        with open_project(target, coder="bench") as p:
            compare_s, compare_cpu, found = timed(lambda: compare(p, "ana", "ben"), args.runs)
            stats_s, stats_cpu, stats = timed(lambda: agreement(p, "ana", "ben"), args.runs)
    readings = found.readings  # type: ignore[attr-defined]
    both = sum(len(r.both) for r in readings)
    only = sum(len(r.only_a) + len(r.only_b) for r in readings)
    codes = len(stats.codes)  # type: ignore[attr-defined]
    words = stats.words  # type: ignore[attr-defined]
    rows = [
        (f"compare ana and ben ({both:,} shared pairs, {only:,} alone)", compare_s, compare_cpu,
         "< 2 s"),
        (f"--stats: agreement, kappa, alpha ({codes} codes, {words:,} words)", stats_s, stats_cpu,
         ""),
    ]  # fmt: skip
    print(f"{'operation':<66} {'s':>6} {'cpu s':>6}  target")
    for name, wall, cpu, goal in rows:
        print(f"{name:<66} {wall:6.2f} {cpu:6.2f}  {goal}")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
