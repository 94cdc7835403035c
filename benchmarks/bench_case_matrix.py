"""Case-ordered summary matrices on the reference study (issue 15).

Target: the case-ordered summary matrix for 40 themes < 2 s (docx) and < 300 ms in the window
(the matrices built, without a document); one theme's matrix shown in the window's view beside
the heat map (``ui/case_matrix.py``: read, model filled, rows laid out) < 300 ms.

    python benchmarks/bench_case_matrix.py [--dyads 30] [--codes 400] [--codings 60000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_analysis import add_themes, median_ms
from bench_coding import add_codebook_and_codings
from generate_study import generate

from workbench.analysis.longitudinal import collect
from workbench.coding.themes import list_themes
from workbench.exchange.case_matrix import case_matrices, export_case_matrix_docx
from workbench.storage.project import Project, open_project


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dyads", type=int, default=30)
    parser.add_argument("--codes", type=int, default=400)
    parser.add_argument("--codings", type=int, default=60_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="wb-bench-case-"))
    target = str(folder / "case.dyad")
    with generate(target, args.dyads) as project:
        add_codebook_and_codings(project, args.codes, args.codings)
        add_themes(project)
    with open_project(target) as project:
        collect(project)  # rows kept, as in a window that has shown the study once
        n = len(case_matrices(project))
        built, _ = median_ms(lambda: case_matrices(project), 5)
        one, shown = _one_theme(project)
        out = folder / "case.docx"
        started = time.perf_counter()
        export_case_matrix_docx(project, out)
        written = (time.perf_counter() - started) * 1000
    print("| operation | ms |")
    print("|---|---:|")
    print(f"| {n} case-ordered matrices built (the window's data), median of 5 | {built:.0f} |")
    print(f"| the same written as docx | {written:.0f} |")
    print(f"| one theme's matrix built, median of 5 | {one:.0f} |")
    print(
        f"| one theme's matrix shown in the window's view (read, filled, laid out) | {shown:.0f} |"
    )
    return 0


def _one_theme(project: Project) -> tuple[float, float]:
    """One theme's matrix: built alone, and shown in the window's view (offscreen Qt)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from workbench.ui.case_matrix import CaseMatrixView

    app = QApplication.instance() or QApplication([])
    name = list_themes(project)[0].name
    built, _ = median_ms(lambda: case_matrices(project, theme=name), 5)
    view = CaseMatrixView()
    view.resize(1200, 700)
    view.show()
    view.set_project(project, name)

    def show() -> None:
        view.refresh()
        app.processEvents()

    shown, _ = median_ms(show, 5)
    return built, shown


if __name__ == "__main__":
    raise SystemExit(main())
