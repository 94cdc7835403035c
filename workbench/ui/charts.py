"""Saving a view's chart as a PNG image or an SVG drawing (text stays text in the SVG)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLineF, QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QFileDialog, QWidget

from workbench.domain.study import StudyError
from workbench.storage.project import Project

PNG_SCALE = 2
"""PNG pixels per drawing unit: sharp enough for a manuscript figure."""
DPI = 96
"""Both files lay text out at this resolution, so a chart measures the same in PNG and SVG."""
FILTERS = "PNG image (*.png);;SVG drawing (*.svg)"


def save_chart(
    path: Path,
    size: QSize,
    paint: Callable[[QPainter], None],
    *,
    title: str,
    project: Project | None = None,
) -> Path:
    """Draw ``paint`` at ``size`` into ``path``: .png (twice the size, white) or .svg.

    With ``project``, the chart passes the export gate first (``workbench.exchange.gate``): it
    is drawn as SVG into a scratch folder and its text searched, whatever format is asked for
    (a PNG's pixels cannot be read back)."""
    if project is not None:
        from workbench.exchange.gate import precheck, refusal, scan, standing_refusal

        checked = precheck(project, None)
        if checked.standing:
            raise StudyError(standing_refusal(checked.standing))
        with tempfile.TemporaryDirectory() as scratch:
            probe = _draw(Path(scratch) / path.with_suffix(".svg").name, size, paint, title)
            findings = scan([probe], checked.watched)
            if findings:
                raise StudyError(refusal(project, findings))
    return _draw(path, size, paint, title)


def _draw(path: Path, size: QSize, paint: Callable[[QPainter], None], title: str) -> Path:
    suffix = path.suffix.lower()
    if suffix == ".svg":
        generator = QSvgGenerator()
        generator.setFileName(str(path))
        generator.setSize(size)
        generator.setViewBox(QRect(QPoint(0, 0), size))
        generator.setResolution(DPI)
        generator.setTitle(title)
        generator.setDescription("Dyad Workbench chart")
        painter = QPainter(generator)
        painter.fillRect(QRect(QPoint(0, 0), size), QColor("white"))
        paint(painter)
        painter.end()
        if not path.exists():
            raise StudyError(f"could not write {path}")
        return path
    if suffix == ".png":
        image = QImage(size * PNG_SCALE, QImage.Format.Format_ARGB32)
        image.setDotsPerMeterX(round(DPI / 0.0254))
        image.setDotsPerMeterY(round(DPI / 0.0254))
        image.setDevicePixelRatio(PNG_SCALE)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        paint(painter)
        painter.end()
        if not image.save(str(path)):
            raise StudyError(f"could not write {path}")
        return path
    raise StudyError("a chart is saved as .png or .svg")


def chart_metrics(font: QFont) -> QFontMetricsF:
    """Text measured as the chart files will draw it (not as this screen does)."""
    return QFontMetricsF(font, _reference_image())


def _reference_image() -> QImage:
    image = QImage(1, 1, QImage.Format.Format_ARGB32)
    image.setDotsPerMeterX(round(DPI / 0.0254))
    image.setDotsPerMeterY(round(DPI / 0.0254))
    return image


def choose_chart_file(parent: QWidget, suggested: str) -> Path | None:
    """Ask where to save; the chosen filter decides the suffix when none is typed."""
    name, chosen = QFileDialog.getSaveFileName(parent, "Export chart", suggested, FILTERS)
    if not name:
        return None
    path = Path(name)
    if path.suffix.lower() not in {".png", ".svg"}:
        path = path.with_suffix(".svg" if "svg" in chosen.lower() else ".png")
    return path


def hatch(
    painter: QPainter,
    rect: QRectF,
    colour: QColor,
    *,
    radius: float = 0,
    fill: QColor | None = None,
) -> None:
    """A missing wave: diagonal lines cut to the box by hand (SVG drops clip paths)."""
    painter.save()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fill if fill is not None else QColor("#f6f7f9"))
    painter.drawRoundedRect(rect, radius, radius)
    painter.setPen(QPen(colour, 1))
    inner = rect.adjusted(1.5, 1.5, -1.5, -1.5)
    height = inner.height()
    x = inner.left() - height
    while x < inner.right():
        x0, y0, x1, y1 = x, inner.bottom(), x + height, inner.top()
        if x0 < inner.left():
            y0 -= inner.left() - x0
            x0 = inner.left()
        if x1 > inner.right():
            y1 += x1 - inner.right()
            x1 = inner.right()
        if x1 > x0:
            painter.drawLine(QLineF(x0, y0, x1, y1))
        x += 7.0
    painter.setPen(QPen(colour.darker(115), 1, Qt.PenStyle.DashLine))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(rect, radius, radius)
    painter.restore()
