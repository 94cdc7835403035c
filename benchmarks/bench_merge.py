"""Merging a colleague's copy: the reference study, a copy with 400 codes and 60,000 codings of
another analyst, merged into the project (target < 30 s), then merged again (adds nothing).

Baseline in the same process: reading the copy alone (what any merge must do at least).

    python benchmarks/bench_merge.py [--dyads 30] [--codings 60000]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_coding import add_codebook_and_codings
from generate_study import generate

from workbench.exchange.merge import _read_source, merge_copy
from workbench.storage.project import open_project


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dyads", type=int, default=30)
    parser.add_argument("--codings", type=int, default=60_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wb-bench-merge-") as folder:
        target, copy = Path(folder) / "ana.dyad", Path(folder) / "ben.dyad"
        generate(str(target), dyads=args.dyads).close()
        shutil.copy(target, copy)
        with open_project(str(copy), coder="ben") as p:
            add_codebook_and_codings(p, 400, args.codings)
        with open_project(str(copy)) as p:
            started = time.perf_counter()
            source = _read_source(p)
            read_s = time.perf_counter() - started
        rows = []
        with open_project(str(target), coder="ana") as p:
            started = time.perf_counter()
            report, _ = merge_copy(p, copy)
            first_s = time.perf_counter() - started
            started = time.perf_counter()
            again, _ = merge_copy(p, copy)
            second_s = time.perf_counter() - started
        assert report.added == len(source.codings) and again.added == 0
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rows.append(("read the copy (baseline)", read_s, ""))
        rows.append(
            (f"merge {report.added:,} codings, {len(report.codes_added)} codes", first_s, "< 30 s")
        )
        rows.append(("merge the same copy again (adds nothing)", second_s, ""))
        print(f"{'operation':<48} {'s':>7}  target")
        for name, seconds, goal in rows:
            print(f"{name:<48} {seconds:7.2f}  {goal}")
        print(f"merge / read: {first_s / read_s:.1f}×; peak memory {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
