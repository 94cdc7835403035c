"""Audio playback under the fingers while correcting: play, pause, skip, speed, the F4 key."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap, QPolygonF
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QToolButton,
    QWidget,
)

from workbench.domain.transcript import format_ms
from workbench.ui import theme

SKIP_MS = 3000
REWIND_MS = 2000
"""The transcription key (F4) rewinds this much when it resumes, as f4 and MAXQDA do."""
SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)


_SHAPES: dict[str, tuple[tuple[tuple[float, float], ...], ...]] = {
    # Outlines on a 16 × 16 grid, drawn in the theme's ink (the style's own media icons vanish
    # on a dark palette).
    "play": (((4, 2), (14, 8), (4, 14)),),
    "pause": (
        ((3.5, 2), (6.5, 2), (6.5, 14), (3.5, 14)),
        ((9.5, 2), (12.5, 2), (12.5, 14), (9.5, 14)),
    ),
    "back": (((8, 3), (8, 13), (1, 8)), ((15, 3), (15, 13), (8, 8))),
    "forward": (((1, 3), (8, 8), (1, 13)), ((8, 3), (15, 8), (8, 13))),
}


def media_icon(shape: str, ink: str, faded: str, size: int = 16) -> QIcon:
    """A player icon drawn in ``ink`` (``faded`` when disabled), sharp at any screen scale."""
    icon = QIcon()
    for colour, mode in ((ink, QIcon.Mode.Normal), (faded, QIcon.Mode.Disabled)):
        for scale in (1, 2):
            pixmap = QPixmap(size * scale, size * scale)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(colour))
            k = size * scale / 16
            for outline in _SHAPES[shape]:
                painter.drawPolygon(QPolygonF([QPointF(x * k, y * k) for x, y in outline]))
            painter.end()
            icon.addPixmap(pixmap, mode)
    return icon


class AudioBar(QWidget):
    """One recording's player; ``position_changed`` drives the editor's highlight."""

    position_changed = Signal(int)
    message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("audioBar")
        self.player = QMediaPlayer(self)
        self.output = QAudioOutput(self)  # without one, nothing plays, not even on a wall clock
        self.player.setAudioOutput(self.output)
        self.player.positionChanged.connect(self._moved)
        self.player.durationChanged.connect(self._duration)
        self.player.playbackStateChanged.connect(self._state)
        self.player.errorOccurred.connect(lambda _e, text: self.message.emit(f"Audio: {text}"))

        self.play_button = QToolButton()
        self.play_button.setObjectName("play")
        self.play_button.setToolTip("Play / pause (F4 rewinds 2 s when it resumes)")
        self.play_button.clicked.connect(self.toggle)
        back = self.back_button = QToolButton()
        back.setObjectName("back")
        back.setToolTip("Back 3 seconds (Alt+Left)")
        back.clicked.connect(lambda: self.skip(-SKIP_MS))
        forward = self.forward_button = QToolButton()
        forward.setObjectName("forward")
        forward.setToolTip("Forward 3 seconds (Alt+Right)")
        forward.clicked.connect(lambda: self.skip(SKIP_MS))
        self.slider = QSlider()
        self.slider.setOrientation(self.slider.orientation().Horizontal)
        self.slider.sliderMoved.connect(self.seek)
        self.time_label = QLabel("0:00:00 / 0:00:00")
        self.time_label.setObjectName("audioTime")
        self.speed = QComboBox()
        self.speed.setToolTip("Playback speed")
        for value in SPEEDS:
            self.speed.addItem(f"{value:g}×", value)
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.speed.currentIndexChanged.connect(
            lambda _i: self.player.setPlaybackRate(float(self.speed.currentData()))
        )
        self.source_label = QLabel("No recording linked to this interview")
        self.source_label.setObjectName("audioSource")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.setSpacing(6)
        for widget in (back, self.play_button, forward):
            layout.addWidget(widget)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.time_label)
        layout.addWidget(self.speed)
        layout.addWidget(self.source_label)
        self._controls = (back, self.play_button, forward, self.slider, self.speed)
        self.apply_theme()
        self.set_source(None)

    def _icon(self, shape: str) -> QIcon:
        t = theme.current()
        return media_icon(shape, t.text, t.muted)

    def apply_theme(self) -> None:
        """Draw the buttons' icons in the current theme's ink."""
        self.back_button.setIcon(self._icon("back"))
        self.forward_button.setIcon(self._icon("forward"))
        self._state(self.player.playbackState())

    def set_source(self, path: str | None) -> None:
        self.player.stop()
        if path and Path(path).is_file():
            self.player.setSource(QUrl.fromLocalFile(str(Path(path).resolve())))
            self.source_label.setText(Path(path).name)
            self.source_label.setToolTip(path)
            enabled = True
        else:
            self.player.setSource(QUrl())
            self.source_label.setText(
                f"Recording not found: {path}" if path else "No recording linked"
            )
            self.source_label.setToolTip(path or "")
            enabled = False
        for widget in self._controls:
            widget.setEnabled(enabled)

    @property
    def has_source(self) -> bool:
        return not self.player.source().isEmpty()

    def toggle(self) -> None:
        if not self.has_source:
            self.message.emit("This interview has no recording to play.")
            return
        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.player.pause()
        else:
            self.player.play()

    def transcription_key(self) -> None:
        """Toggle playback; resuming replays the last two seconds so no word is missed."""
        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.player.pause()
            return
        if self.has_source:
            self.seek(max(self.player.position() - REWIND_MS, 0))
        self.toggle()

    def skip(self, delta_ms: int) -> None:
        self.seek(max(self.player.position() + delta_ms, 0))

    def seek(self, ms: int) -> None:
        if self.has_source:
            self.player.setPosition(int(ms))

    def set_speed(self, rate: float) -> None:
        nearest = min(SPEEDS, key=lambda s: abs(s - rate))
        self.speed.setCurrentIndex(SPEEDS.index(nearest))

    def _moved(self, ms: int) -> None:
        if not self.slider.isSliderDown():
            self.slider.setValue(ms)
        self.time_label.setText(f"{format_ms(ms)} / {format_ms(self.player.duration())}")
        self.position_changed.emit(ms)

    def _duration(self, ms: int) -> None:
        self.slider.setRange(0, ms)
        self.time_label.setText(f"{format_ms(self.player.position())} / {format_ms(ms)}")

    def _state(self, state: QMediaPlayer.PlaybackState) -> None:
        playing = state == QMediaPlayer.PlaybackState.PlayingState
        self.play_button.setIcon(self._icon("pause" if playing else "play"))
