"""Coding speed on SQLite and PostgreSQL, on the reference study with many codes and codings.

Targets (issue "coding core"): apply a code < 30 ms including the commit; all segments of one
code across the study < 200 ms; co-occurrence of all codes < 1 s; correcting an utterance that
carries 20 codings < 50 ms. Medians; each beside a same-process baseline.

    python benchmarks/bench_coding.py [--dyads 30] [--codes 400] [--codings 60000] [--pg URL]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generate_study import generate
from sqlalchemy import insert, select

from workbench.coding._anchors import LoadedTranscript
from workbench.coding.codings import apply_code
from workbench.coding.queries import cooccurrence, query_segments
from workbench.coding.transcripts import interview_text
from workbench.coding.utterances import edit_utterance
from workbench.storage.models import Code, Coding, Interview, new_guid, utcnow
from workbench.storage.project import Project, open_project


def median_ms(func: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def add_codebook_and_codings(project: Project, codes: int, codings: int, seed: int = 11) -> None:
    """Bulk setup (not through the commands: this is test data, not user actions)."""
    rng = random.Random(seed)
    with project.session() as s:
        parents = []
        for i in range(codes // 10):
            code = Code(name=f"Family {i:03d}", position=i)
            s.add(code)
            parents.append(code)
        s.flush()
        children = []
        for i in range(codes - len(parents)):
            code = Code(name=f"Code {i:03d}", parent_id=parents[i % len(parents)].id, position=i)
            s.add(code)
            children.append(code)
        s.flush()
        interviews = list(s.scalars(select(Interview).order_by(Interview.key)))
        per = codings // len(interviews)
        rows = []
        for iv in interviews:
            t = LoadedTranscript.load(s, iv)
            total = len(t.text)
            for _ in range(per):
                start = rng.randrange(0, total - 200)
                end = start + rng.randint(20, 400)
                end = min(end, total)
                su, so = t.anchor(start, "start")
                eu, eo = t.anchor(end, "end")
                rows.append(
                    {
                        "code_id": rng.choice(children).id,
                        "interview_id": iv.id,
                        "start_utterance_id": su,
                        "start_offset": so,
                        "end_utterance_id": eu,
                        "end_offset": eo,
                        "created_at": utcnow(),
                        "memo": None,
                        "important": False,
                        "guid": new_guid(),
                    }
                )
        for chunk in range(0, len(rows), 5000):
            s.execute(insert(Coding), rows[chunk : chunk + 5000])


def prepare_twenty(project: Project) -> tuple[str, int, str]:
    """An utterance carrying 20 codings of its own; returns (interview, index, its text)."""
    interview = "P001-baseline"
    text = interview_text(project, interview)
    lines = text.split("\n")
    index = max(range(len(lines)), key=lambda i: len(lines[i]))
    start = sum(len(line) + 1 for line in lines[:index])
    for k in range(20):
        a = start + k * 3
        apply_code(project, interview, a, a + 20 + k, "Code 000", coder="bench")
    return interview, index, lines[index]


def bench(target: str, label: str) -> list[tuple[str, str, float, str]]:
    rows = []
    with open_project(target, coder="bench") as project:
        text = interview_text(project, "P002-baseline")
        rng = random.Random(5)

        def apply_one() -> None:
            a = rng.randrange(0, len(text) - 100)
            apply_code(project, "P002-baseline", a, a + 60, "Code 001")

        rows.append(
            (
                label,
                "apply a code (one command, with commit and undo entry)",
                median_ms(apply_one, 15),
                "",
            )
        )
        n = len(query_segments(project, code="Code 002"))
        rows.append(
            (
                label,
                f"all segments of one code ({n}) across the study",
                median_ms(lambda: query_segments(project, code="Code 002"), 5),
                "",
            )
        )
        n_family = len(query_segments(project, code="Family 001"))
        rows.append(
            (
                label,
                f"segments of a parent with sub-codes ({n_family})",
                median_ms(lambda: query_segments(project, code="Family 001"), 3),
                "",
            )
        )
        rows.append(
            (
                label,
                "co-occurrence of all codes (overlap)",
                median_ms(lambda: cooccurrence(project), 3),
                "",
            )
        )
        interview, index, original = prepare_twenty(project)
        flip = [original]

        def correct() -> None:
            new = (
                flip[0].replace(" ", "  ", 1)
                if "  " not in flip[0]
                else flip[0].replace("  ", " ", 1)
            )
            edit_utterance(project, interview, index, text=new)
            flip[0] = new

        rows.append((label, "correct an utterance carrying 20 codings", median_ms(correct, 9), ""))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dyads", type=int, default=30)
    parser.add_argument("--codes", type=int, default=400)
    parser.add_argument("--codings", type=int, default=60_000)
    parser.add_argument("--pg", help="an empty PostgreSQL database URL")
    args = parser.parse_args()
    results = []
    folder = Path(tempfile.mkdtemp(prefix="wb-bench-coding-"))
    targets = [(str(folder / "coding.dyad"), "SQLite")]
    pg = args.pg
    if pg is None:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        from conftest import _start_own_server  # type: ignore[import-not-found]

        pg = _start_own_server()
    if pg:
        targets.append((pg, "PostgreSQL"))
    for target, label in targets:
        started = time.perf_counter()
        with generate(target, args.dyads) as project:
            add_codebook_and_codings(project, args.codes, args.codings)
        print(
            f"{label}: study with {args.codings} codings in {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
        results += bench(target, label)
    print("| backend | operation | median ms |")
    print("|---|---|---:|")
    for backend, op, ms, _ in results:
        print(f"| {backend} | {op} | {ms:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
