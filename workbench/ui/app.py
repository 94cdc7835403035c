"""Start the window: one QApplication, one house style, settings in the user's config folder."""

from __future__ import annotations

import os
import sys

# Qt Multimedia reports missing video-acceleration libraries as it loads: not the user's concern.
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false")

from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from workbench.ui.main_window import MainWindow

ACCENT = "#2a6f97"

STYLE_SHEET = f"""
QMainWindow, QDockWidget {{ background: #fafafa; }}
QDockWidget::title {{ padding: 6px 8px; background: #f0f1f3; color: #374151; font-weight: 600; }}
QTableView {{ background: white; border: 1px solid #e3e5e8; gridline-color: #eceef1;
              selection-background-color: {ACCENT}; selection-color: white; }}
QTableView#navigator::item {{ border: 2px solid #fafafa; }}
QHeaderView::section {{ background: #f5f6f7; color: #4b5563; border: none;
                        border-bottom: 1px solid #e3e5e8; padding: 5px 8px; }}
QLabel#transcriptTitle {{ color: #1f2937; font-size: 12pt; font-weight: 600; padding: 4px 0; }}
QLabel#banner {{ background: #fff4d6; color: #6b4e00; border: 1px solid #f0d78c;
                 border-radius: 4px; padding: 8px; }}
QStatusBar {{ color: #4b5563; }}
QLabel#footnote {{ color: #6b7280; font-size: 9pt; padding: 4px 0; }}
QToolBar#modes {{ background: #f0f1f3; border: none; border-bottom: 1px solid #e3e5e8;
                  spacing: 4px; padding: 2px 8px; }}
QToolBar#modes QToolButton {{ padding: 5px 12px; border-radius: 4px; color: #374151; }}
QToolBar#modes QToolButton:checked {{ background: {ACCENT}; color: white; }}
"""


def make_app(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName("DyadWorkbench")
    app.setApplicationName("Dyad Workbench")
    app.setStyle(QStyleFactory.create("Fusion"))
    palette = app.palette()
    palette.setColor(QPalette.ColorRole.Highlight, QColor(ACCENT))
    palette.setColor(QPalette.ColorRole.Window, QColor("#fafafa"))
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor("#f6f7f9"))
    app.setPalette(palette)
    font = QFont(app.font())
    font.setPointSize(max(font.pointSize(), 10))
    app.setFont(font)
    app.setStyleSheet(STYLE_SHEET)
    return app


def run(project: str | None = None) -> int:
    app = make_app()
    window = MainWindow(QSettings())
    window.show()
    if project:
        window.open_location(project)
    return app.exec()
