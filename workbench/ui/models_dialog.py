"""The Whisper models on this computer, and getting more: fetch one by name (once, online, only
when asked here) or add a CTranslate2 Whisper folder the researcher already has.

Fetching is the window's only network use; it runs on a worker thread (the download itself in a
child process of its own, see ``workbench.transcribe.models``) with a busy bar and Cancel, and a
failure is shown as its reason. Nothing is kept of a download that did not complete."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbench.transcribe.audio import TranscriptionError
from workbench.transcribe.models import (
    ModelInfo,
    add_model,
    fetch_model,
    hub_model_names,
    list_models,
)
from workbench.ui.exchange import ExchangeTask


def describe(found: ModelInfo) -> str:
    languages = "99 languages" if found.multilingual is not False else "English only"
    size = f" · {found.size_bytes / 1e6:,.0f} MB" if found.size_bytes else ""
    where = "" if found.source in ("packaged", "") else f" · {found.source}"
    problem = f" — unusable: {found.problem}" if found.problem else ""
    return f"{found.name} — {languages}{size}{where}{problem}"


class ModelsDialog(QDialog):
    """Models here; fetch by name or add a folder. ``changed`` fires when a model was added."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Whisper models")
        self.setMinimumWidth(560)
        self.listing = QListWidget()
        self.name = QComboBox()
        self.name.setEditable(True)
        self.name.addItems(hub_model_names())
        self.name.setCurrentText("small")
        self.name.setToolTip("A faster-whisper model name, or a hub id such as owner/repo")
        self.fetch_button = QPushButton("Fetch")
        self.cancel_button = QPushButton("Cancel download")
        self.cancel_button.hide()
        self.add_button = QPushButton("Add a folder…")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.hide()
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        note = QLabel(
            "Fetching downloads the model from the internet (Hugging Face), once, into your "
            "data folder; nothing of your projects is sent. Transcription itself never goes "
            "online."
        )
        note.setWordWrap(True)
        note.setObjectName("faint")
        fetch_row = QHBoxLayout()
        fetch_row.addWidget(QLabel("Fetch by name"))
        fetch_row.addWidget(self.name, 1)
        fetch_row.addWidget(self.fetch_button)
        fetch_row.addWidget(self.cancel_button)
        add_row = QHBoxLayout()
        add_row.addWidget(QLabel("A CTranslate2 Whisper model you already have"))
        add_row.addStretch(1)
        add_row.addWidget(self.add_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("On this computer"))
        layout.addWidget(self.listing, 1)
        layout.addLayout(fetch_row)
        layout.addWidget(note)
        layout.addLayout(add_row)
        layout.addWidget(self.busy)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.fetch_button.clicked.connect(lambda: self.fetch(self.name.currentText().strip()))
        self.cancel_button.clicked.connect(self.cancel)
        self.add_button.clicked.connect(self._choose_folder)
        self._task: ExchangeTask | None = None
        self._stop = False
        self.refresh()

    def refresh(self) -> None:
        self.listing.clear()
        for found in list_models():
            self.listing.addItem(describe(found))

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet("color: #b42318;" if error else "")
        self.message.setText(text)

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "A CTranslate2 Whisper model folder")
        if folder:
            self.add_folder(Path(folder))

    def add_folder(self, folder: Path, name: str | None = None) -> None:
        try:
            found = add_model(folder, name)
        except TranscriptionError as exc:
            self._say(str(exc), error=True)
            return
        self._say(f"Added {found.name}: choose it in the Model list.")
        self.refresh()
        self.changed.emit()

    def fetch(self, name: str) -> None:
        if not name or self._task is not None:
            return
        self._stop = False
        self._task = ExchangeTask(lambda: fetch_model(name, cancelled=lambda: self._stop), self)
        self._task.ended.connect(self._fetched)
        self._task.failed.connect(lambda reason: self._ended(reason, error=True))
        self._running(True)
        self._say(f"Fetching {name}… (large models take a while)")
        self._task.start()

    def cancel(self) -> None:
        self._stop = True
        self.cancel_button.setEnabled(False)

    def _fetched(self, found: object) -> None:
        assert isinstance(found, ModelInfo)
        self._ended(f"Fetched {found.name}: choose it in the Model list.")
        self.refresh()
        self.changed.emit()

    def _ended(self, text: str, *, error: bool = False) -> None:
        if self._task is not None:
            self._task.wait()
        self._task = None
        self._running(False)
        self._say(text, error=error)

    def _running(self, on: bool) -> None:
        self.busy.setVisible(on)
        self.cancel_button.setVisible(on)
        self.cancel_button.setEnabled(on)
        self.fetch_button.setEnabled(not on)
        self.add_button.setEnabled(not on)

    def running(self) -> bool:
        return self._task is not None

    def reject(self) -> None:
        """Closing while a download runs cancels it (nothing is kept) before the dialog goes."""
        if self._task is not None:
            self.cancel()
            self._task.wait(10_000)
        super().reject()
