"""Start the window: one QApplication, one house style, settings in the user's config folder."""

from __future__ import annotations

import gc
import os
import sys

# Qt Multimedia reports missing video-acceleration libraries as it loads: not the user's concern.
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false")

from PySide6.QtCore import QSettings
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QStyleFactory

from workbench.ui import theme
from workbench.ui.main_window import MainWindow


def settle_heap() -> None:
    """Collect once, then freeze what exists, so the cyclic garbage collector stops rescanning
    the libraries' hundreds of thousands of long-lived objects: its full passes took 130–160 ms
    each — long enough to stall playback and typing — and now scan only what is new."""
    gc.collect()
    gc.freeze()


def make_app(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName("DyadWorkbench")
    app.setApplicationName("Dyad Workbench")
    app.setStyle(QStyleFactory.create("Fusion"))
    font = QFont(app.font())
    font.setPointSize(max(font.pointSize(), 10))
    app.setFont(font)
    theme.apply(app, theme.DARK if QSettings().value("view/dark") == "true" else theme.LIGHT)
    return app


def run(project: str | None = None) -> int:
    app = make_app()
    window = MainWindow(QSettings())
    window.show()
    if project:
        window.open_location(project)
    settle_heap()
    return app.exec()
