"""Pseudonymisation on a generated study: redact a name everywhere, suggest, check, labels.

    python benchmarks/bench_pseudonyms.py [--dyads 30] [--minutes 60] [--codings 20000]

Each step runs once (a redaction changes the project); times in milliseconds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_coding import add_codebook_and_codings
from generate_study import generate

from workbench.coding.labels import label_report, set_quote_label
from workbench.coding.redaction import (
    RedactionReport,
    check_identifiers,
    redact,
    suggest_identifiers,
)
from workbench.coding.undo import undo

NAME = "Hiba"  # a name in the demo's sentences, so in every generated transcript


def timed(what: str, func: Callable[[], object]) -> object:
    started = time.perf_counter()
    result = func()
    print(f"| {what} | {(time.perf_counter() - started) * 1000:,.0f} |")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dyads", type=int, default=30)
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--codings", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.dyad"
        with generate(str(path), args.dyads, args.minutes) as p:
            add_codebook_and_codings(p, 200, args.codings)
            print(f"study: {path.stat().st_size / 1e6:.0f} MB file\n")
            print("| step | ms |\n|---|---:|")
            report = timed("redact `Hiba` everywhere", lambda: redact(p, "[x]", everywhere=NAME))
            assert isinstance(report, RedactionReport)
            print(
                f"\n({report.occurrences} occurrences; "
                f"{report.codings_kept} codings in those utterances)\n"
            )
            timed("undo it with the key", lambda: undo(p))
            timed("suggest identifiers", lambda: suggest_identifiers(p))
            timed("check before export", lambda: check_identifiers(p))
            set_quote_label(p, "{Role}, {wave}")
            timed("labels report with risks", lambda: label_report(p))
    return 0


if __name__ == "__main__":
    sys.exit(main())
