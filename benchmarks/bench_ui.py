"""The transcript editor on a long interview: open, scroll-paint with many codings, apply a code.

Targets (issue "window"): open a 300,000-character transcript < 500 ms; paint with 5,000
codings < 16 ms a frame while scrolling; apply a code through the window < 50 ms. Each figure
is shown beside a baseline measured in the same process: a bare QPlainTextEdit given the same
text (open, paint), and the core's ``apply_code`` alone (apply).

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_ui.py [--chars 300000] [--codings 5000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_coding import add_codebook_and_codings
from generate_study import sentences, synthetic_transcript
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QPlainTextEdit

from workbench.coding.codebook import list_codes
from workbench.coding.codings import apply_code, remove_coding
from workbench.coding.study import add_interview, add_participant, new_study
from workbench.coding.transcripts import import_utterances
from workbench.ui.app import make_app
from workbench.ui.main_window import MainWindow


def timed(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return (time.perf_counter() - start) * 1000


def build(folder: Path, chars: int, codings: int) -> Path:
    path = folder / "long.dyad"
    rng = random.Random(3)
    pool = sentences()
    minutes = max(chars // 900, 1)  # ~150 words a minute, ~6 characters a word
    with new_study(path, title="Long interview", coder="benchmark") as p:
        add_participant(p, "R01", "researcher")
        add_participant(p, "P01", "patient")
        add_interview(p, "long", wave="baseline", participants=[("P01", None), ("R01", None)])
        transcript = synthetic_transcript(rng, pool, minutes)
        import_utterances(
            p, "long", transcript, speakers={"Interviewer": "R01", "Participant": "P01"}
        )
        add_codebook_and_codings(p, codes=400, codings=codings)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chars", type=int, default=300_000)
    parser.add_argument("--codings", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    app = make_app()
    assert isinstance(app, QApplication)
    folder = Path(tempfile.mkdtemp(prefix="bench-ui-"))
    path = build(folder, args.chars, args.codings)
    window = MainWindow(QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat))
    window.resize(1280, 800)
    window.show()
    window.open_location(str(path))
    app.processEvents()
    editor = window.editor
    page = window.page

    def open_interview() -> None:
        page.show_interview(None)
        app.processEvents()
        page.show_interview("long")
        app.processEvents()

    open_interview()  # warm the statement caches
    opens = []
    for _ in range(args.runs):
        page.show_interview(None)
        app.processEvents()
        opens.append(timed(lambda: (page.show_interview("long"), app.processEvents())))
    text = editor.toPlainText()
    bare = QPlainTextEdit()
    bare.resize(editor.size())
    bare.show()
    bare_opens = []
    for _ in range(args.runs):
        bare.clear()
        app.processEvents()
        bare_opens.append(timed(lambda: (bare.setPlainText(text), app.processEvents())))

    def frames(widget: QPlainTextEdit, extra: list) -> list[float]:  # type: ignore[type-arg]
        bar = widget.verticalScrollBar()
        times = []
        for step in range(60):
            bar.setValue(bar.maximum() * step // 60)

            def paint() -> None:
                widget.viewport().repaint()
                for other in extra:
                    other.repaint()

            times.append(timed(paint))
        return times

    paint = frames(editor, [editor.gutter, editor.margin])
    bare_paint = frames(bare, [])

    codes = [c.path for c in list_codes(page.project)] if page.project else []  # type: ignore[arg-type]
    rng = random.Random(5)
    applies, cores = [], []
    assert page.project is not None
    for _ in range(args.runs * 2):
        start = rng.randrange(0, len(text) - 300)
        editor.select_span(start, start + 120)
        applies.append(timed(lambda: page.apply(rng.choice(codes))))
        coding, _ = apply_code(page.project, "long", start, start + 120, codes[0])
        cores.append(
            timed(lambda at=start: apply_code(page.project, "long", at, at + 90, codes[1]))  # type: ignore[arg-type, misc]
        )
        remove_coding(page.project, coding.id)

    stripes = len(editor.stripes)

    def row(name: str, ours: list[float], base: list[float], target: str) -> str:
        m, b = statistics.median(ours), statistics.median(base)
        p95 = sorted(ours)[int(len(ours) * 0.95) - 1]
        return f"| {name} | {m:.1f} | {p95:.1f} | {b:.1f} | {m / b:.2f}× | {target} |"

    print(f"{len(text):,} characters, {len(editor.rows):,} utterances, {stripes:,} codings")
    print("| measure | median ms | p95 ms | baseline ms | ratio | target |")
    print("|---|---|---|---|---|---|")
    print(row("open the interview in the editor", opens, bare_opens, "< 500 ms"))
    print(row("paint a frame while scrolling", paint, bare_paint, "< 16 ms"))
    print(row("apply a code through the window", applies, cores, "< 50 ms"))
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
