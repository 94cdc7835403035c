"""Longitudinal tables on the reference study: all matrices, patterns and co-occurrences.

Targets (issue "themes"): all matrices, patterns and co-occurrences < 500 ms; suggestions for
400 codes < 5 s; the timeline view drawn < 200 ms.

    python benchmarks/bench_analysis.py [--dyads 30] [--codes 400] [--codings 60000] [--pg URL]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_coding import add_codebook_and_codings
from generate_study import generate
from sqlalchemy import select, update

from workbench.analysis.longitudinal import (
    cells,
    collect,
    dyad_timeline,
    forget_cached_rows,
    matrix,
    trajectories,
)
from workbench.analysis.suggestions import suggest_themes
from workbench.storage.models import Code, Interview, Theme, ThemeCode, utcnow
from workbench.storage.project import Project, open_project


def add_themes(project: Project, themes: int = 40) -> None:
    with project.session() as s:
        codes = list(
            s.scalars(select(Code.id).where(Code.parent_id.is_not(None)).order_by(Code.id))
        )
        for i in range(themes):
            theme = Theme(name=f"Theme {i:02d}", position=i)
            s.add(theme)
            s.flush()
            for code_id in codes[i::themes]:
                s.add(ThemeCode(theme_id=theme.id, code_id=code_id))
        s.execute(update(Interview).values(status="coded", coded_at=utcnow()))


def median_ms(func, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def cold(func):  # type: ignore[no-untyped-def]
    """``func`` with nothing remembered from an earlier read: the first view after opening."""

    def run() -> object:
        forget_cached_rows(project)
        return func()

    return run


def heat_map(project: Project, by: str) -> None:
    """What the heat map reads when it is shown or its unit changes: cells and trajectories."""
    matrix(project, by)
    trajectories(project, by)


def timeline_drawn(project: Project, dyad: str) -> float:
    """The dyad's timeline computed and painted into an image, as the window shows it (ms)."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QImage, QPainter

    from workbench.ui.app import make_app
    from workbench.ui.timeline import TimelineCanvas

    make_app([])
    canvas = TimelineCanvas()
    started = time.perf_counter()
    canvas.set_timeline(dyad_timeline(project, dyad))
    canvas.resize(1250, canvas.minimumHeight())
    image = QImage(canvas.size(), QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    canvas.paint(painter)
    painter.end()
    return (time.perf_counter() - started) * 1000


def everything(project: Project) -> int:
    """What the heat maps and the timeline need: one read, every unit kind, every pattern."""
    data = collect(project)
    n = 0
    for by in ("study", "role", "participant", "dyad"):
        n += len(cells(data, by))
    return n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dyads", type=int, default=30)
    parser.add_argument("--codes", type=int, default=400)
    parser.add_argument("--codings", type=int, default=60_000)
    parser.add_argument("--pg", help="an empty PostgreSQL database URL")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="wb-bench-analysis-"))
    targets = [(str(folder / "analysis.dyad"), "SQLite")]
    pg = args.pg
    if pg is None:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        from conftest import _start_own_server  # type: ignore[import-not-found]

        pg = _start_own_server()
    if pg:
        targets.append((pg, "PostgreSQL"))
    print("| backend | operation | median ms |")
    print("|---|---|---:|")
    for target, label in targets:
        with generate(target, args.dyads) as project:
            add_codebook_and_codings(project, args.codes, args.codings)
            add_themes(project)
        with open_project(target) as project:
            n = everything(project)
            first = time.perf_counter()
            suggest_themes(project)
            first_ms = (time.perf_counter() - first) * 1000
            rows = [
                (
                    "read the study into tidy tables (`collect`), cold",
                    cold(lambda: collect(project)),
                ),
                ("`collect` again, nothing changed (rows reused)", lambda: collect(project)),
                (
                    f"all matrices: study, roles, participants, dyads ({n} cells), cold",
                    cold(lambda: everything(project)),
                ),
                ("all matrices again, nothing changed", lambda: everything(project)),
                (
                    "coding patterns for every theme × participant, cold",
                    cold(lambda: trajectories(project, "participant")),
                ),
                ("heat map by dyad: cells + trajectories", lambda: heat_map(project, "dyad")),
                ("themes suggested for 400 codes", lambda: suggest_themes(project)),
            ]
            for what, func in rows:
                print(f"| {label} | {what} | {median_ms(func, 3):.0f} |")
            what = "themes suggested, first call (imports scikit-learn)"
            print(f"| {label} | {what} | {first_ms:.0f} |")
            drawn = [timeline_drawn(project, "D001") for _ in range(3)]
            print(f"| {label} | dyad timeline computed and drawn, first | {drawn[0]:.0f} |")
            print(
                f"| {label} | dyad timeline computed and drawn | {statistics.median(drawn):.0f} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
