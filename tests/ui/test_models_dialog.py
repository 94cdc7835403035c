"""More models from the window: a folder added, a model fetched from a hub on a local port (this
computer has no internet), a failure shown as its reason, a download cancelled — nothing kept of
what did not complete, and the Transcribe dialog offers what was added."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from workbench.transcribe.model_files import model_path
from workbench.ui.dialogs import TranscribeDialog
from workbench.ui.models_dialog import ModelsDialog

from ..transcribe.local_hub import local_hub


@pytest.fixture
def models_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))
    return tmp_path / "data-home" / "dyad-workbench" / "models"


def _kept(models: Path) -> list[str]:
    return sorted(p.name for p in models.iterdir() if p.is_dir()) if models.exists() else []


@dataclass(frozen=True)
class SilentHub:
    url: str
    connected: threading.Event
    """set once a download has connected (and waits for an answer that never comes)"""


@pytest.fixture
def silent_hub() -> Iterator[SilentHub]:
    """A port that takes connections and never answers: a download that hangs."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()
    connected = threading.Event()

    def hold() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue
            connected.set()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    yield SilentHub(f"http://127.0.0.1:{server.getsockname()[1]}", connected)
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()


def test_a_folder_added_in_the_window_is_offered_for_transcription(
    qtbot, models_home: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "clinic-whisper"
    folder.mkdir()
    for file in model_path("tiny.en").iterdir():
        (folder / file.name).symlink_to(file)
    transcribe = TranscribeDialog("en")
    qtbot.addWidget(transcribe)
    assert transcribe.model.findData("clinic") == -1
    dialog = ModelsDialog(transcribe)
    dialog.changed.connect(transcribe._fill_models)
    dialog.add_folder(folder, "clinic")
    assert "Added clinic" in dialog.message.text()
    rows = [dialog.listing.item(i).text() for i in range(dialog.listing.count())]
    assert any(r.startswith("clinic — English only") for r in rows), rows
    assert transcribe.model.findData("clinic") >= 0
    # Not a model: the reason, nothing registered.
    dialog.add_folder(tmp_path, "empty")
    assert "model.bin" in dialog.message.text()
    assert transcribe.model.findData("empty") == -1


def test_a_model_fetched_in_the_window_is_moved_into_place(
    qtbot, models_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with local_hub({"test/tiny": model_path("tiny.en")}) as (endpoint, requests):
        monkeypatch.setenv("HF_ENDPOINT", endpoint)
        dialog = ModelsDialog()
        qtbot.addWidget(dialog)
        dialog.name.setCurrentText("test/tiny")
        qtbot.mouseClick(dialog.fetch_button, Qt.MouseButton.LeftButton)
        assert dialog.running() and dialog.busy.isVisibleTo(dialog)
        qtbot.waitUntil(lambda: not dialog.running(), timeout=60_000)
    assert dialog.message.text().startswith("Fetched tiny"), dialog.message.text()
    assert requests, "the download went to the local hub"
    assert _kept(models_home) == ["tiny"]
    assert (models_home / "tiny" / "model.bin").stat().st_size == (
        model_path("tiny.en") / "model.bin"
    ).stat().st_size
    assert not dialog.busy.isVisibleTo(dialog) and dialog.fetch_button.isEnabled()


def test_a_failed_or_cancelled_fetch_says_why_and_keeps_nothing(
    qtbot, models_home: Path, monkeypatch: pytest.MonkeyPatch, silent_hub: SilentHub
) -> None:
    dialog = ModelsDialog()
    qtbot.addWidget(dialog)
    monkeypatch.setenv("HF_ENDPOINT", "http://model-hub.invalid")
    dialog.fetch("small")
    qtbot.waitUntil(lambda: not dialog.running(), timeout=60_000)
    assert "offline" in dialog.message.text() and "nothing was kept" in dialog.message.text()
    assert _kept(models_home) == []

    monkeypatch.setenv("HF_ENDPOINT", silent_hub.url)
    dialog.fetch("small")
    # The cancel lands on a download under way: one the hub has taken and never answers.
    qtbot.waitUntil(silent_hub.connected.is_set, timeout=60_000)
    assert dialog.running()  # the hub does not answer: the download waits
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.running(), timeout=5_000)
    assert "cancelled" in dialog.message.text() and "nothing was kept" in dialog.message.text()
    assert _kept(models_home) == []
    assert dialog.fetch_button.isEnabled()
