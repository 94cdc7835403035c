"""The house style in two palettes, light and dark: one set of named colours every widget reads."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

ACCENT = "#2a6f97"


@dataclass(frozen=True, slots=True)
class Theme:
    name: str
    window: str
    panel: str
    base: str
    text: str
    muted: str
    border: str
    header: str
    gutter: str
    separator: str
    verified_ink: str
    unverified_ink: str
    flagged: str
    current_line: str
    played: str
    notice: str
    notice_border: str
    notice_error: str
    notice_error_border: str
    banner: str
    banner_text: str
    accent: str = ACCENT


LIGHT = Theme(
    name="light",
    window="#fafafa",
    panel="#f0f1f3",
    base="#ffffff",
    text="#1f2937",
    muted="#6b7280",
    border="#e3e5e8",
    header="#f5f6f7",
    gutter="#f6f7f9",
    separator="#eceef1",
    verified_ink="#111827",
    unverified_ink="#3d4752",
    flagged="#fff4d6",
    current_line="#f2f6fb",
    played="#ffe08a",
    notice="#eef4fa",
    notice_border="#c9dbea",
    notice_error="#fdecec",
    notice_error_border="#f0b4b4",
    banner="#fff4d6",
    banner_text="#6b4e00",
)

DARK = Theme(
    name="dark",
    window="#1e2126",
    panel="#25292f",
    base="#16191d",
    text="#e5e7eb",
    muted="#9aa3ad",
    border="#343a42",
    header="#23272d",
    gutter="#1b1e23",
    separator="#2a2f36",
    verified_ink="#f3f4f6",
    unverified_ink="#c3c9d1",
    flagged="#3b3322",
    current_line="#20262e",
    played="#6b5a1e",
    notice="#1f2a35",
    notice_border="#2f4a63",
    notice_error="#3a2224",
    notice_error_border="#6b3236",
    banner="#3b3322",
    banner_text="#f3d98b",
)

_current = LIGHT


def current() -> Theme:
    return _current


def style_sheet(t: Theme) -> str:
    return f"""
QMainWindow, QDockWidget {{ background: {t.window}; }}
QDockWidget::title {{ padding: 6px 8px; background: {t.panel}; color: {t.text};
                      font-weight: 600; }}
QTableView {{ background: {t.base}; border: 1px solid {t.border}; gridline-color: {t.separator};
              selection-background-color: {t.accent}; selection-color: white; }}
QTableView#navigator::item {{ border: 2px solid {t.window}; }}
QHeaderView::section {{ background: {t.header}; color: {t.muted}; border: none;
                        border-bottom: 1px solid {t.border}; padding: 5px 8px; }}
QLabel#transcriptTitle {{ color: {t.text}; font-size: 12pt; font-weight: 600; padding: 4px 0; }}
QLabel#banner {{ background: {t.banner}; color: {t.banner_text}; border: 1px solid {t.border};
                 border-radius: 4px; padding: 8px; }}
QFrame#notice {{ background: {t.notice}; border: 1px solid {t.notice_border};
                 border-radius: 4px; }}
QFrame#notice[error="true"] {{ background: {t.notice_error};
                               border: 1px solid {t.notice_error_border}; }}
QLabel#noticeText {{ color: {t.text}; }}
QLabel#transcribeWhat[warning="true"] {{ background: {t.notice_error}; color: {t.text};
                                        border: 1px solid {t.notice_error_border};
                                        border-radius: 4px; padding: 6px; }}
QStatusBar {{ color: {t.muted}; }}
QLabel#footnote {{ color: {t.muted}; font-size: 9pt; padding: 4px 0; }}
QToolBar#modes {{ background: {t.panel}; border: none; border-bottom: 1px solid {t.border};
                  spacing: 4px; padding: 2px 8px; }}
QToolBar#modes QToolButton {{ padding: 5px 12px; border-radius: 4px; color: {t.text}; }}
QToolBar#modes QToolButton:checked {{ background: {t.accent}; color: white; }}
QLabel#translation {{ background: {t.gutter}; color: {t.text}; border: 1px solid {t.border};
                      border-radius: 4px; padding: 6px 8px; }}
QPlainTextEdit#editor {{ background: {t.base}; border: 1px solid {t.border}; }}
QPushButton#destructive:enabled {{ background: {t.notice_error};
                                   border: 1px solid {t.notice_error_border}; color: {t.text};
                                   padding: 4px 12px; border-radius: 3px; }}
"""


def palette(t: Theme, base: QPalette) -> QPalette:
    p = QPalette(base)
    roles = QPalette.ColorRole
    for role, colour in (
        (roles.Window, t.window),
        (roles.Base, t.base),
        (roles.AlternateBase, t.gutter),
        (roles.Text, t.text),
        (roles.WindowText, t.text),
        (roles.Button, t.panel),
        (roles.ButtonText, t.text),
        (roles.ToolTipBase, t.panel),
        (roles.ToolTipText, t.text),
        (roles.PlaceholderText, t.muted),
        (roles.Highlight, t.accent),
        (roles.HighlightedText, "#ffffff"),
        (roles.Mid, t.border),
    ):
        p.setColor(role, QColor(colour))
    p.setColor(QPalette.ColorGroup.Disabled, roles.Text, QColor(t.muted))
    p.setColor(QPalette.ColorGroup.Disabled, roles.ButtonText, QColor(t.muted))
    p.setColor(QPalette.ColorGroup.Disabled, roles.WindowText, QColor(t.muted))
    return p


def apply(app: QApplication, t: Theme) -> None:
    """Switch the whole application to ``t``; widgets that paint themselves read ``current()``."""
    global _current
    _current = t
    app.setPalette(palette(t, app.style().standardPalette()))
    app.setStyleSheet(style_sheet(t))
    for widget in app.allWidgets():
        widget.update()
