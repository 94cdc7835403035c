"""Storage speed on SQLite and PostgreSQL: open, import a 300,000-character transcript, search.

Each figure is the median of several runs, beside a baseline measured in the same process on the
same data (the raw database doing the least it could), since this machine is noisy.

    python benchmarks/bench_storage.py [--dyads 30] [--pg URL] [--keep DIR]

Without --pg, a throwaway PostgreSQL server is started when PostgreSQL is installed.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generate_study import generate, sentences, synthetic_transcript
from sqlalchemy import text

from workbench.coding.study import add_interview, delete_interview
from workbench.coding.transcripts import import_utterances
from workbench.storage.project import open_project
from workbench.storage.search import search

QUERIES = [
    "nightmares",
    "sleep*",
    '"my heart"',
    "asylum decision",
    "interpreter*",
    "the",
    "zzzznothing",
]
PANE = 2000
"""Hits the window's search pane lists at most (``ui/search_pane.LIMIT``)."""


def median_ms(func: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def bench(target: str, label: str) -> list[tuple[str, str, float, float, str]]:
    rows = []
    is_sqlite = "://" not in target

    def open_close() -> None:
        open_project(target).close()

    def baseline_open() -> None:
        if is_sqlite:
            con = sqlite3.connect(target)
            con.execute("PRAGMA quick_check").fetchall()
            con.close()
        else:
            from sqlalchemy import create_engine

            engine = create_engine(target)
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            engine.dispose()

    rows.append(
        (
            label,
            "open project",
            median_ms(open_close, 5),
            median_ms(baseline_open, 5),
            "baseline: connect + quick_check" if is_sqlite else "baseline: connect",
        )
    )

    import random

    rng = random.Random(3)
    pool = sentences()
    big = synthetic_transcript(rng, pool, 60)
    chars = sum(len(u.text) for u in big.utterances)
    scale = 300_000 / chars
    big = synthetic_transcript(rng, pool, int(60 * scale) + 1)
    chars = sum(len(u.text) for u in big.utterances)
    with open_project(target) as project:
        counter = iter(range(1000))

        def do_import() -> None:
            key = f"bench-{next(counter)}"
            add_interview(project, key, wave="baseline", participants=[("R01", None)])
            import_utterances(
                project, key, big, speakers={"Interviewer": "R01", "Participant": "R01"}
            )
            delete_interview(project, key)

        import_ms = median_ms(do_import, 3)
        rows.append(
            (
                label,
                f"import {chars:,}-char transcript (+add, delete)",
                import_ms,
                float("nan"),
                f"{len(big.utterances)} utterances",
            )
        )
        for q in QUERIES:
            hits = len(search(project, q))
            rows.append(
                (
                    label,
                    f"search {q!r} ({hits} hits)",
                    median_ms(lambda q=q: search(project, q), 7),
                    float("nan"),
                    "",
                )
            )
            if hits > PANE:
                rows.append(
                    (
                        label,
                        f"search {q!r}, the first {PANE:,} (the window's pane)",
                        median_ms(lambda q=q: search(project, q, limit=PANE), 7),
                        float("nan"),
                        "",
                    )
                )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dyads", type=int, default=30)
    parser.add_argument("--pg", help="an empty PostgreSQL database URL")
    parser.add_argument("--keep", type=Path, help="folder for the SQLite study (kept)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="wb-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    results = []
    sqlite_target = str(folder / f"reference-{args.dyads}.dyad")
    if not Path(sqlite_target).exists():
        started = time.perf_counter()
        generate(sqlite_target, args.dyads).close()
        print(f"generated SQLite study in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    results += bench(sqlite_target, "SQLite")
    pg = args.pg
    if pg is None:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        from conftest import _start_own_server  # type: ignore[import-not-found]

        pg = _start_own_server()
    if pg:
        started = time.perf_counter()
        generate(pg, args.dyads).close()
        print(
            f"generated PostgreSQL study in {time.perf_counter() - started:.0f} s", file=sys.stderr
        )
        results += bench(pg, "PostgreSQL")
    print("| backend | operation | median ms | baseline ms | note |")
    print("|---|---|---:|---:|---|")
    for backend, op, ms, base, note in results:
        base_s = "" if base != base else f"{base:.1f}"
        print(f"| {backend} | {op} | {ms:.1f} | {base_s} | {note} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
