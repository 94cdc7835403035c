"""Every trace of a person, on the generated reference study with 5,000 analyst memos.

    python benchmarks/bench_privacy.py [--dyads 30] [--minutes 60] [--codings 20000] [--memos 5000]

Targets (issue 13): redact a name everywhere < 6 s; withdraw a participant (all their interviews
and derived text) < 10 s; the export gate adds < 10 % to the theme-table export. A quarter of the
memos are coding memos quoting their coding's words, a quarter name a participant, the rest are
the analyst's own words; the gate runs with every suggestion reviewed, as it must before an
export passes: after an analyst's change (a memo written: the gate reads the rows changed since
its last verdict, migration 0017), with no verdict to start from (the whole pass over every
text) and with nothing changed since (the verdict the database keeps, migration 0016), medians
of 3, wall and CPU time (the process's own, steadier on a shared machine). Each other step once
(they change the project); times in milliseconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_analysis import add_themes
from bench_coding import add_codebook_and_codings
from bench_exchange import add_readings
from generate_study import generate
from sqlalchemy import select

from workbench.coding.memos import add_memo
from workbench.coding.redaction import dismiss_identifier, redact, suggest_identifiers
from workbench.coding.withdraw import withdraw_participant
from workbench.exchange.gate import precheck
from workbench.exchange.registry import ExportOptions, export, exporter
from workbench.storage import text_changes
from workbench.storage.models import Coding, JournalEntry, Memo
from workbench.storage.project import Project

NAME = "Hiba"  # a name in the demo's sentences, so in every generated transcript


def timed(what: str, func: Callable[[], object]) -> tuple[object, float]:
    started = time.perf_counter()
    result = func()
    took = time.perf_counter() - started
    print(f"| {what} | {took * 1000:,.0f} |")
    return result, took


def _add_memos(project: Project, memos: int, seed: int = 5) -> None:
    from workbench.analysis.suggestions import coded_texts

    rng = random.Random(seed)
    texts = coded_texts(project)
    quotes = [t for found in texts.values() for t in found if len(t.split()) >= 8]
    with project.session() as s:
        codings = list(s.scalars(select(Coding).order_by(Coding.id).limit(memos // 4)))
        for coding in codings:
            coding.memo = f'She said: "{rng.choice(quotes)}" — compare later.'
        people = [f"P{d:03d}" for d in range(1, 31)]
        for i in range(memos // 4):
            s.add(Memo(text=f"{rng.choice(people)} and the waiting: memo {i}, read again."))
        for i in range(memos - 2 * (memos // 4)):
            if i % 10 == 0:
                s.add(JournalEntry(entry_date=dt.date(2026, 1, 1), text=f"My own reaction {i}."))
            else:
                s.add(Memo(text=f"The analyst's own thought number {i}, nothing quoted."))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dyads", type=int, default=30)
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--codings", type=int, default=20_000)
    parser.add_argument("--memos", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.dyad"
        with generate(str(path), args.dyads, args.minutes) as p:
            add_codebook_and_codings(p, 200, args.codings)
            _add_memos(p, args.memos)
            add_themes(p)
            add_readings(p)
            print(f"study: {path.stat().st_size / 1e6:.0f} MB file\n")
            print("| step | ms |\n|---|---:|")
            timed(f"redact `{NAME}` everywhere", lambda: redact(p, "[x]", everywhere=NAME))
            for candidate in suggest_identifiers(p):
                if not candidate.reviewed:
                    dismiss_identifier(p, candidate.text)
            fmt = exporter("theme-table-docx")
            assert fmt.export is not None
            precheck(p, None)  # the verdict a project has once it has passed the gate
            bare, cold, whole, warm, idle, window = [], [], [], [], [], []
            bare_cpu, cold_cpu, whole_cpu, warm_cpu = [], [], [], []
            for run in range(3):
                out = Path(folder) / f"t{run}.docx"
                gc.collect()  # each step from the same start: no collection left over
                started, cpu = time.perf_counter(), time.process_time()
                fmt.export(p, out, ExportOptions())
                bare.append(time.perf_counter() - started)
                bare_cpu.append(time.process_time() - cpu)
                # An analyst's change (a memo): the gate reads the rows it changed (0017).
                add_memo(p, f"Read the second interview again: the waiting, the nights ({run}).")
                gc.collect()  # each step from the same start: no collection left over
                started, cpu = time.perf_counter(), time.process_time()
                export(p, fmt.name, out, ExportOptions())
                cold.append(time.perf_counter() - started)
                cold_cpu.append(time.process_time() - cpu)
                # No verdict to start from (another key or rules, more than the row log holds,
                # a bulk import): the whole pass over every text.
                text_changes.forget(p)
                gc.collect()  # each step from the same start: no collection left over
                started, cpu = time.perf_counter(), time.process_time()
                export(p, fmt.name, out, ExportOptions())
                whole.append(time.perf_counter() - started)
                whole_cpu.append(time.process_time() - cpu)
                gc.collect()  # each step from the same start: no collection left over
                started, cpu = time.perf_counter(), time.process_time()
                export(p, fmt.name, out, ExportOptions())
                warm.append(time.perf_counter() - started)
                warm_cpu.append(time.process_time() - cpu)
                # The window: a change, the pass while the project is idle (ui/gate_status.py,
                # on a worker thread), then the export.
                text_changes.forget(p)
                gc.collect()  # each step from the same start: no collection left over
                started = time.perf_counter()
                precheck(p, None)
                idle.append(time.perf_counter() - started)
                gc.collect()  # each step from the same start: no collection left over
                started = time.perf_counter()
                export(p, fmt.name, out, ExportOptions())
                window.append(time.perf_counter() - started)
            b, c, a, w, bc, cc, ac, wc = (
                statistics.median(x)
                for x in (bare, cold, whole, warm, bare_cpu, cold_cpu, whole_cpu, warm_cpu)
            )
            i, x = statistics.median(idle), statistics.median(window)
            print(
                f"| theme table without the gate (median of 3) | {b * 1000:,.0f} "
                f"(CPU {bc * 1000:,.0f}) |"
            )
            print(
                f"| through the gate, a memo written since the last export | {c * 1000:,.0f} "
                f"(CPU {cc * 1000:,.0f}) |"
            )
            print(
                f"| through the gate, no verdict to start from (every text read) | "
                f"{a * 1000:,.0f} (CPU {ac * 1000:,.0f}) |"
            )
            print(
                f"| through the gate, no text changed since | {w * 1000:,.0f} "
                f"(CPU {wc * 1000:,.0f}) |"
            )
            print(f"| the window: the gate's pass while idle, after a change | {i * 1000:,.0f} |")
            print(f"| the window: then the export, through the gate | {x * 1000:,.0f} |")
            receipt, _ = timed(
                "withdraw P001 (their 3 interviews, quotes in memos)",
                lambda: withdraw_participant(p, "P001"),
            )
            changed = len(getattr(receipt, "derived_text_changed", ()))
            print(
                f"\ngate adds {100 * (c - b) / b:.0f} % after a memo, {100 * (w - b) / b:.0f} % "
                f"when nothing changed, {100 * (a - b) / b:.0f} % reading every text (CPU: "
                f"{100 * (cc - bc) / bc:.0f} %, {100 * (wc - bc) / bc:.0f} %, "
                f"{100 * (ac - bc) / bc:.0f} %); in the window, once the idle pass has run, "
                f"{100 * (x - b) / b:.0f} %; withdrawal changed {changed} texts"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
