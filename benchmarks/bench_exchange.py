"""REFI-QDA project exchange, and the manuscript theme table, on the generated reference study.

Targets (issue "exports and interoperability"): theme-table docx < 3 s (40 themes, 120 pinned
quotes, trajectories and cell summaries over the 60,000 codings; ``--theme-table-only`` times
just that); .qdpx export < 10 s, import < 20 s, memory during the import of a 50 MB .qdpx
< 500 MB; the same import without our side file (as another tool hands it over: speakers
inferred from the turns) < 30 s, < 500 MB (issue 16). Export is timed in this process (median of
--runs); each import runs in a child process into a new SQLite project, so its peak resident
memory (VmHWM) is its own. ``--dyads 120 --codings 240000`` makes a .qdpx of about 50 MB.

    python benchmarks/bench_exchange.py [--dyads 30] [--minutes 60] [--codes 400]
                                        [--codings 60000] [--runs 3] [--theme-table-only]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_analysis import add_themes
from bench_coding import add_codebook_and_codings
from generate_study import generate
from sqlalchemy import select

from workbench.exchange.matrix_doc import export_matrix_docx
from workbench.exchange.qdpx import export_qdpx
from workbench.exchange.theme_table import export_theme_table
from workbench.storage.models import (
    CellSummary,
    Coding,
    Exemplar,
    Interview,
    Participant,
    Theme,
    ThemeCode,
    Trajectory,
)
from workbench.storage.project import Project

CHILD = """
import resource, sys, time
from pathlib import Path
from workbench.exchange.qdpx_import import import_qdpx_as_new
started, cpu = time.perf_counter(), time.process_time()
r = import_qdpx_as_new(sys.argv[1], Path(sys.argv[2]))
took, cpu = time.perf_counter() - started, time.process_time() - cpu
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec.
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) / 1024
print(f"{took:.3f} {cpu:.3f} {peak:.0f} {r.codings} {r.sources}")
"""


def add_readings(project: Project, per_theme: int = 3) -> int:
    """The analyst's side of the themes: ``per_theme`` pinned quotes per theme (study cells),
    a trajectory and a summary per theme for the first 10 patients. Returns the quotes pinned."""
    pinned = 0
    with project.session() as s:
        patients = list(
            s.scalars(
                select(Participant.id)
                .where(Participant.role == "patient")
                .order_by(Participant.key)
                .limit(10)
            )
        )
        for theme_id in s.scalars(select(Theme.id).order_by(Theme.position)):
            quotes = s.execute(
                select(Coding.id, Interview.wave_id)
                .join(ThemeCode, ThemeCode.code_id == Coding.code_id)
                .join(Interview, Coding.interview_id == Interview.id)
                .where(ThemeCode.theme_id == theme_id, Interview.wave_id.is_not(None))
                .order_by(Coding.id)
                .limit(per_theme)
            ).all()
            for coding_id, wave_id in quotes:
                s.add(
                    Exemplar(
                        theme_id=theme_id, wave_id=wave_id, coding_id=coding_id, unit_kind="study"
                    )
                )
                pinned += 1
            for pid in patients:
                s.add(
                    Trajectory(
                        theme_id=theme_id,
                        unit_kind="participant",
                        participant_id=pid,
                        label="easing",
                    )
                )
                if quotes:
                    s.add(
                        CellSummary(
                            theme_id=theme_id,
                            wave_id=quotes[0][1],
                            unit_kind="participant",
                            participant_id=pid,
                            text="Sleep comes back when the pain is named.",
                        )
                    )
    return pinned


def time_theme_table(project: Project, folder: Path, runs: int) -> None:
    add_themes(project)
    pinned = add_readings(project)
    out = folder / "themes.docx"
    walls, cpus = [], []
    for _ in range(runs):
        began, cpu = time.perf_counter(), time.process_time()
        report = export_theme_table(project, out)
        walls.append(time.perf_counter() - began)
        cpus.append(time.process_time() - cpu)
    print(
        f"theme table: {report.themes} themes, {report.quotes} quotes ({pinned} pinned), "
        f"{out.stat().st_size / 1024:.0f} KB docx: median {statistics.median(walls):.2f} s wall, "
        f"{statistics.median(cpus):.2f} s CPU"
    )
    walls = []
    for _ in range(runs):
        began = time.perf_counter()
        tables = export_matrix_docx(project, folder / "matrices.docx").tables
        walls.append(time.perf_counter() - began)
    size = (folder / "matrices.docx").stat().st_size / 1024
    print(
        f"matrix docx ({', '.join(tables)}): {size:.0f} KB, "
        f"median {statistics.median(walls):.2f} s wall"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dyads", type=int, default=30)
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--codes", type=int, default=400)
    parser.add_argument("--codings", type=int, default=60_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="copy the exported .qdpx here")
    parser.add_argument(
        "--theme-table-only", action="store_true", help="time only the theme-table docx"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        project = generate(str(folder / "study.dyad"), args.dyads, args.minutes)
        add_codebook_and_codings(project, args.codes, args.codings)
        print(f"generated in {time.perf_counter() - started:.0f} s")
        time_theme_table(project, folder, args.runs)
        if args.theme_table_only:
            project.close()
            return 0
        exports, export_cpu = [], []
        out = folder / "study.qdpx"
        for _ in range(args.runs):
            began, cpu = time.perf_counter(), time.process_time()
            report = export_qdpx(project, out)
            exports.append(time.perf_counter() - began)
            export_cpu.append(time.process_time() - cpu)
        project.close()
        size = out.stat().st_size / 1024**2
        if args.keep:
            shutil.copyfile(out, args.keep)
        export_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        imports, import_cpu, peaks = [], [], []
        for i in range(args.runs):
            done = subprocess.run(
                [sys.executable, "-c", CHILD, str(folder / f"copy{i}.dyad"), str(out)],
                capture_output=True,
                text=True,
                check=True,
            )
            took, cpu_s, peak, codings, sources = done.stdout.split()
            imports.append(float(took))
            import_cpu.append(float(cpu_s))
            peaks.append(float(peak))
            assert int(codings) == report.codings and int(sources) == report.sources
        # As another tool would hand it over: no side file, speakers inferred from the turns.
        bare = _without_side_file(out, folder / "bare.qdpx")
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(folder / "bare.dyad"), str(bare)],
            capture_output=True,
            text=True,
            check=True,
        )
        bare_took, bare_cpu, bare_peak, bare_codings, _ = done.stdout.split()
        assert int(bare_codings) == report.codings
    print(
        f"{report.sources} interviews, {report.codes} codes, {report.codings} codings; "
        f".qdpx {size:.1f} MB"
    )
    print(
        f"export: median {statistics.median(exports):.2f} s wall, "
        f"{statistics.median(export_cpu):.2f} s CPU (process peak {export_peak:.0f} MB)"
    )
    print(
        f"import: median {statistics.median(imports):.2f} s wall, "
        f"{statistics.median(import_cpu):.2f} s CPU, peak memory {max(peaks):.0f} MB "
        "(child process)"
    )
    print(
        f"import without the side file (speakers inferred): {float(bare_took):.2f} s wall, "
        f"{float(bare_cpu):.2f} s CPU, peak memory {float(bare_peak):.0f} MB (child process)"
    )
    return 0


def _without_side_file(qdpx: Path, out: Path) -> Path:
    import zipfile

    from workbench.exchange.qdpx import SIDECAR

    with zipfile.ZipFile(qdpx) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != SIDECAR:
                dst.writestr(info, src.read(info))
    return out


if __name__ == "__main__":
    sys.exit(main())
