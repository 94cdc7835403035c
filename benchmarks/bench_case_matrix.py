"""Case-ordered summary matrices on the reference study (issue 15).

Target: the case-ordered summary matrix for 40 themes < 2 s (docx) and < 300 ms in the window
(the matrices built, without a document).

    python benchmarks/bench_case_matrix.py [--dyads 30] [--codes 400] [--codings 60000]
"""

from __future__ import annotations

import argparse
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
from workbench.exchange.case_matrix import case_matrices, export_case_matrix_docx
from workbench.storage.project import open_project


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
        out = folder / "case.docx"
        started = time.perf_counter()
        export_case_matrix_docx(project, out)
        written = (time.perf_counter() - started) * 1000
    print("| operation | ms |")
    print("|---|---:|")
    print(f"| {n} case-ordered matrices built (the window's data), median of 5 | {built:.0f} |")
    print(f"| the same written as docx | {written:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
