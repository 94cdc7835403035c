"""Analysts coding at once on one PostgreSQL project: time to apply a code, alone and with 8.

The reference study (30 dyads, 180 interviews) with a codebook of 40 codes. First one analyst
alone applies codes for SECONDS (the baseline, same run), then 8 analyst processes at once, each
applying codes to random spans of random interviews through ``apply_code`` (the same call the
window makes). Reported: median and p95 time to apply a code (targets < 30 ms / < 100 ms),
throughput, and how many units of work ran again after a collision (``Project.retries``).

    python benchmarks/bench_team.py --pg postgresql+psycopg://postgres@127.0.0.1:55432/bench \\
        [--dyads 30] [--analysts 8] [--seconds 30]

Without --pg, a throwaway PostgreSQL server is started when PostgreSQL is installed. The URL's
database is dropped and made anew.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generate_study import generate

from workbench.coding.codebook import add_code
from workbench.coding.codings import apply_code
from workbench.coding.study import list_interviews
from workbench.coding.transcripts import interview_text
from workbench.storage.project import open_project

CODES = [f"Theme {i // 8} / code {i}" for i in range(40)]


def _analyst(url: str, name: str, seconds: float, pause: float, seed: int, out: mp.Queue) -> None:
    rng = random.Random(seed)
    project = open_project(url, coder=name)
    keys = [iv.id for iv in list_interviews(project)]
    texts = {key: interview_text(project, key) for key in rng.sample(keys, 12)}
    times = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        key = rng.choice(list(texts))
        text = texts[key]
        start = text.find(" ", rng.randrange(len(text) - 400)) + 1
        stop = text.find(" ", start + rng.randint(20, 300))
        started = time.perf_counter()
        apply_code(project, key, start, stop, rng.choice(CODES), coder=name)
        times.append(time.perf_counter() - started)
        time.sleep(rng.uniform(0, 2 * pause))  # reading the transcript between two codings
    out.put((times, project.retries))
    project.close()


def _run(url: str, analysts: int, seconds: float, pause: float) -> tuple[list[float], int]:
    ctx = mp.get_context("spawn")
    out: mp.Queue = ctx.Queue()
    procs = [
        ctx.Process(target=_analyst, args=(url, f"analyst{i}", seconds, pause, i, out))
        for i in range(analysts)
    ]
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    return [t for times, _ in results for t in times], sum(r for _, r in results)


def _fresh_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    sa_url = make_url(url)
    admin = create_engine(sa_url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{sa_url.database}"'))
        conn.execute(text(f'CREATE DATABASE "{sa_url.database}"'))
    admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="a PostgreSQL database URL (dropped and made anew)")
    parser.add_argument("--dyads", type=int, default=30)
    parser.add_argument("--analysts", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument(
        "--pause", type=float, default=1.0, help="mean seconds between one analyst's codings"
    )
    args = parser.parse_args()
    url = args.pg
    if url is None:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        from conftest import _start_own_server  # type: ignore[import-not-found]

        url = _start_own_server()
        if not url:
            print("no PostgreSQL: pass --pg URL", file=sys.stderr)
            return 2
        url = url.rsplit("/", 1)[0] + "/bench_team"
    _fresh_database(url)
    generate(url, args.dyads).close()
    with open_project(url, coder="setup") as p:
        for theme in range(5):
            add_code(p, f"Theme {theme}")
            for i in range(8):
                add_code(p, f"code {8 * theme + i}", parent=f"Theme {theme}")
    rows = []
    runs = [
        ("1 analyst, flat out (baseline)", 1, 0.0),
        (
            f"{args.analysts} analysts, a coding every ~{args.pause:g} s each",
            args.analysts,
            args.pause,
        ),
        (f"{args.analysts} analysts, flat out", args.analysts, 0.0),
    ]
    for label, analysts, pause in runs:
        times, retries = _run(url, analysts, args.seconds, pause)
        ms = sorted(t * 1000 for t in times)
        rows.append(
            (
                label,
                statistics.median(ms),
                ms[int(0.95 * (len(ms) - 1))],
                len(ms) / args.seconds,
                retries,
            )
        )
    print(f"reference study, {args.dyads} dyads, PostgreSQL, {args.seconds:.0f} s per run")
    print("| run | median ms | p95 ms | codings/s | retries |")
    print("|---|---:|---:|---:|---:|")
    for label, med, p95, rate, retries in rows:
        print(f"| {label} | {med:.1f} | {p95:.1f} | {rate:.0f} | {retries} |")
    print(f"paced median / alone: {rows[1][1] / rows[0][1]:.2f}×; targets < 30 ms / < 100 ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
