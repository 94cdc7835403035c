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
from sqlalchemy import delete, select, update

from workbench.analysis.longitudinal import (
    cells,
    collect,
    dyad_timeline,
    forget_cached_rows,
    matrix,
    trajectories,
)
from workbench.analysis.suggestions import suggest_themes
from workbench.coding.codings import apply_code
from workbench.coding.themes import move_codes
from workbench.storage.models import Code, Interview, Theme, ThemeCode, analysis_rows, utcnow
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


def median_ms(func, runs: int, setup=lambda: None) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median wall and CPU time (of this process) of ``func``, ``setup`` run untimed before each."""
    wall, cpu = [], []
    for _ in range(runs):
        setup()
        started, ticks = time.perf_counter(), time.process_time()
        func()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - ticks) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def forget(project: Project) -> None:
    """Nothing remembered by this handle: the first read after opening the project (the rows
    kept in the project are read)."""
    forget_cached_rows(project)


def forget_all(project: Project) -> None:
    """Nothing remembered and nothing kept: the first read ever (after the upgrade to 0005 or
    an import), every interview's rows computed from its text."""
    forget_cached_rows(project)
    with project.engine.begin() as conn:
        conn.execute(delete(analysis_rows))


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


class Changes:
    """Changes made before a timed read (untimed): a coding added, a code moved."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.turn = 0
        with project.session(write=False) as s:
            self.code = s.scalar(
                select(Code.name).join(ThemeCode, ThemeCode.code_id == Code.id).order_by(Code.id)
            )
            self.themes = list(s.scalars(select(Theme.name).order_by(Theme.position)))
            self.interviews = list(s.scalars(select(Interview.key).order_by(Interview.id)))

    def add_coding(self) -> None:
        self.turn += 1
        interview = self.interviews[self.turn % len(self.interviews)]
        apply_code(self.project, interview, 10, 60, self.code)

    def move_code(self) -> None:
        """The code leaves the theme it is in for another (as a drag on the theme board)."""
        with self.project.session(write=False) as s:
            now = s.scalar(
                select(Theme.name)
                .join(ThemeCode, ThemeCode.theme_id == Theme.id)
                .join(Code, Code.id == ThemeCode.code_id)
                .where(Code.name == self.code)
            )
        others = [t for t in self.themes if t != now]
        self.turn += 1
        move_codes(self.project, [self.code], into=others[self.turn % len(others)], out_of=now)


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
    print("| backend | operation | median ms | CPU ms (this process) |")
    print("|---|---|---:|---:|")
    for target, label in targets:
        with generate(target, args.dyads) as project:
            add_codebook_and_codings(project, args.codes, args.codings)
            add_themes(project)
        with open_project(target) as project:
            n = everything(project)
            first = time.perf_counter()
            suggest_themes(project)
            first_ms = (time.perf_counter() - first) * 1000
            changes = Changes(project)
            rows = [
                (
                    "read the study into tidy tables (`collect`), cold",
                    lambda: collect(project),
                    lambda: forget(project),
                ),
                ("`collect` again, nothing changed", lambda: collect(project), None),
                (
                    f"all matrices: study, roles, participants, dyads ({n} cells), cold",
                    lambda: everything(project),
                    lambda: forget(project),
                ),
                ("all matrices again, nothing changed", lambda: everything(project), None),
                (
                    "all matrices, first read ever (nothing kept: every text read)",
                    lambda: everything(project),
                    lambda: forget_all(project),
                ),
                (
                    "all matrices after one coding was added",
                    lambda: everything(project),
                    changes.add_coding,
                ),
                (
                    "all matrices after a code moved to another theme",
                    lambda: everything(project),
                    changes.move_code,
                ),
                (
                    "coding patterns for every theme × participant, cold",
                    lambda: trajectories(project, "participant"),
                    lambda: forget(project),
                ),
                ("heat map by dyad: cells + trajectories", lambda: heat_map(project, "dyad"), None),
                ("themes suggested for 400 codes", lambda: suggest_themes(project), None),
            ]
            for what, func, setup in rows:
                wall, cpu = median_ms(func, 5, setup or (lambda: None))
                print(f"| {label} | {what} | {wall:.0f} | {cpu:.0f} |")
            opened = []
            for _ in range(3):
                started = time.perf_counter()
                with open_project(target) as again:
                    everything(again)
                opened.append((time.perf_counter() - started) * 1000)
            what = "open the project and read all matrices (a new handle)"
            print(f"| {label} | {what} | {statistics.median(opened):.0f} | |")
            what = "themes suggested, first call (imports scikit-learn)"
            print(f"| {label} | {what} | {first_ms:.0f} | |")
            drawn = [timeline_drawn(project, "D001") for _ in range(3)]
            print(f"| {label} | dyad timeline computed and drawn, first | {drawn[0]:.0f} | |")
            what = "dyad timeline computed and drawn"
            print(f"| {label} | {what} | {statistics.median(drawn):.0f} | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
