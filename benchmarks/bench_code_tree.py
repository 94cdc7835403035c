"""Code tree and retrieval pane speed on a generated study with many codes and codings (SQLite).

Times what the window does: reload the code tree (list the codebook, rebuild the model, keep what
is expanded and selected), rename a code in place, re-parent one by a drop, and fill the
retrieval pane for one code and for a family of ten with their sub-codes. Medians.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_code_tree.py [--dyads 10] [--codes 400]
        [--codings 20000]
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
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_coding import add_codebook_and_codings, median_ms
from generate_study import generate
from PySide6.QtCore import Qt

from workbench.storage.project import open_project
from workbench.ui.app import make_app
from workbench.ui.code_tree import CodeTreeWidget
from workbench.ui.retrieval import RetrievalPane


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dyads", type=int, default=10)
    parser.add_argument("--codes", type=int, default=400)
    parser.add_argument("--codings", type=int, default=20_000)
    args = parser.parse_args()
    target = str(Path(tempfile.mkdtemp(prefix="wb-bench-tree-")) / "tree.dyad")
    started = time.perf_counter()
    with generate(target, args.dyads) as project:
        add_codebook_and_codings(project, args.codes, args.codings)
    print(f"study in {time.perf_counter() - started:.0f} s", file=sys.stderr)

    make_app()
    results: list[tuple[str, float]] = []
    with open_project(target) as project:
        tree = CodeTreeWidget()
        pane = RetrievalPane()
        tree.codes_selected.connect(pane.set_codes)
        tree.resize(360, 700)
        tree.set_project(project)
        pane.set_project(project)
        tree.view.expandAll()
        results.append(
            (f"reload the tree ({args.codes} codes, all expanded)", median_ms(tree.refresh, 15))
        )

        model = tree.model
        names = iter(range(1000))

        def rename() -> None:
            model.setData(model.index(0, 0, model.index_of("Family 000")), f"Renamed {next(names)}")

        results.append(
            ("rename a code in place (core command + row update)", median_ms(rename, 15))
        )

        flip = iter(range(1000))

        def drop() -> None:
            source = model.index(0, 0, model.index_of("Family 001"))
            target_parent = "Family 002" if next(flip) % 2 == 0 else "Family 003"
            path = model.info(source).path if model.info(source) else None
            if path is None:
                return
            mime = model.mimeData([source])
            model.dropMimeData(
                mime, Qt.DropAction.MoveAction, -1, -1, model.index_of(target_parent)
            )
            # and back, so every run moves one code out of Family 001
            moved = model.index_of(target_parent + " / " + path.split(" / ")[-1])
            model.dropMimeData(
                model.mimeData([moved]),
                Qt.DropAction.MoveAction,
                -1,
                -1,
                model.index_of("Family 001"),
            )

        results.append(("re-parent by drop and back (2 moves, 2 reloads)", median_ms(drop, 9)))

        first = model.info(model.index(0, 0, model.index_of("Family 004")))
        assert first is not None
        one = first.path
        segments = 0

        def retrieve_one() -> None:
            nonlocal segments
            pane.set_codes([one])
            segments = pane.model.rowCount()

        ms = median_ms(retrieve_one, 9)
        results.append((f"retrieval pane: one code ({segments} segments)", ms))

        def retrieve_family() -> None:
            nonlocal segments
            pane.set_codes(["Family 005"])
            segments = pane.model.rowCount()

        ms = median_ms(retrieve_family, 5)
        results.append((f"retrieval pane: a family with its sub-codes ({segments} segments)", ms))

    print("| operation | median ms |")
    print("|---|---:|")
    for op, ms in results:
        print(f"| {op} | {ms:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
