"""Import and Export in the window: the exchange registry's formats, run off the event loop.

Every format the command line knows appears here, from the same registry, so the two never
drift apart. Work runs on a worker thread with a busy bar in the status bar; the result — what
was written or carried, and every note (what was left out, the pseudonym check) — is shown when
it ends, and a refusal is shown as the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal

from workbench.exchange.registry import (
    FORMATS,
    ExportOptions,
    Format,
    Outcome,
    export,
    exporter,
)
from workbench.storage.project import Project

KIND_ORDER = ("document", "table", "project", "codebook", "transcript")


class ExchangeTask(QThread):
    """Runs one export or import (or another piece of long work: a model's download);
    ``ended`` carries its result (an ``Outcome``), ``failed`` the reason."""

    ended = Signal(object)
    failed = Signal(str)

    def __init__(self, work: Callable[[], object], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.work = work
        self.error: Exception | None = None
        """What ``failed`` said, as raised (set before ``failed`` is emitted)."""

    def run(self) -> None:
        try:
            outcome = self.work()
        except Exception as exc:  # a readable reason in the window, never a dead thread
            self.error = exc
            self.failed.emit(str(exc) or type(exc).__name__)
            return
        self.ended.emit(outcome)


def export_formats() -> list[Format]:
    found = [f for f in FORMATS if f.export is not None]
    return sorted(found, key=lambda f: KIND_ORDER.index(f.kind) if f.kind in KIND_ORDER else 9)


def import_formats() -> list[Format]:
    return [f for f in FORMATS if f.import_ is not None]


def export_task(
    project: Project, name: str, out: Path, options: ExportOptions, parent: QObject | None = None
) -> ExchangeTask:
    exporter(name)  # an unknown format is refused here, before the task starts
    return ExchangeTask(lambda: export(project, name, out, options), parent)


def import_task(
    fmt: Format, target: str, path: Path, coder: str | None, parent: QObject | None = None
) -> ExchangeTask:
    assert fmt.import_ is not None
    run = fmt.import_
    return ExchangeTask(lambda: run(target, path, coder), parent)


def summary(outcome: Outcome) -> str:
    return "\n".join([*outcome.lines, *(f"Note: {n}" for n in outcome.notes)])
