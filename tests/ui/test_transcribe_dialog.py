"""The Transcribe dialog: the models on this computer (fetched or added ones too) and a
language per speaker; a real job in the window with an added model."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from workbench.transcribe.job import transcribe_interview
from workbench.transcribe.models import add_model
from workbench.ui.dialogs import TranscribeDialog
from workbench.ui.main_window import MainWindow

from ..conftest import DATA

CLIP = DATA / "audio" / "sr_english_one_two_three.wav"


@pytest.fixture
def clinic_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The packaged tiny.en, linked into a folder and registered as ``clinic`` in a user data
    folder of this test's own."""
    from workbench.transcribe.model_files import model_path

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))
    folder = tmp_path / "clinic-whisper"
    folder.mkdir()
    for file in model_path("tiny.en").iterdir():
        (folder / file.name).symlink_to(file)
    add_model(folder, "clinic")
    return folder


def test_the_dialog_lists_the_models_here_and_asks_each_speakers_language(
    qtbot, clinic_model: Path, tmp_path: Path
) -> None:
    gone = tmp_path / "gone-whisper"
    gone.mkdir()
    for file in clinic_model.iterdir():
        (gone / file.name).symlink_to(file.resolve())
    add_model(gone, "gone")
    (gone / "model.bin").unlink()  # registered, but its files are missing: not offered

    dialog = TranscribeDialog(None)
    qtbot.addWidget(dialog)
    names = [dialog.model.itemData(i) for i in range(dialog.model.count())]
    assert names == ["tiny.en", "base", "clinic"]
    assert dialog.model.itemText(2) == "clinic — English only"
    dialog.model.setCurrentIndex(2)
    assert not dialog.translate.isEnabled()  # English only, told by its vocabulary
    assert dialog.values()[:2] == ("clinic", None)

    # One speaker: no rows. Two clustered speakers: a language row each.
    assert dialog.speaker_rows.isHidden()
    dialog.speakers.setValue(1)
    assert dialog.speaker_rows.isHidden() and list(dialog.speaker_languages) == []
    dialog.speakers.setValue(2)
    assert not dialog.speaker_rows.isHidden()
    assert list(dialog.speaker_languages) == ["speaker 1", "speaker 2"]
    qtbot.keyClicks(dialog.speaker_languages["speaker 1"], "ru")
    dialog.speaker_languages["speaker 1"].editingFinished.emit()
    # A speaker in a language the English-only model cannot hear picks the multilingual one.
    model, language, options = dialog.values()
    assert (model, language) == ("base", "auto")
    assert options["expected_speakers"] == 2
    assert options["speaker_languages"] == {"speaker 1": "ru"}
    # The job takes every option as it is (the window passes them on unchanged).
    inspect.signature(transcribe_interview).bind(None, "a1", model=model, **options)
    dialog.speakers.setValue(3)  # what was typed stays
    assert dialog.speaker_languages["speaker 1"].text() == "ru"
    assert list(dialog.speaker_languages) == ["speaker 1", "speaker 2", "speaker 3"]
    dialog.grab().save(str(tmp_path / "dialog.png"))  # renders offscreen without complaint

    # One speaker per channel: rows for the channels, and no clustering.
    dialog.channels.setChecked(True)
    assert not dialog.speakers.isEnabled()
    assert list(dialog.speaker_languages) == ["channel 1", "channel 2"]
    dialog.speaker_languages["channel 2"].setText("da")
    _, _, options = dialog.values()
    assert options["channels_as_speakers"] and "expected_speakers" not in options
    assert options["speaker_languages"] == {"channel 2": "da"}


def test_an_added_model_transcribes_from_the_window(
    qtbot, clinic_model: Path, tmp_path: Path
) -> None:
    window = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    assert window.create_project(str(tmp_path / "t.dyad"), "Models", ["baseline"])
    assert window.add_interview(
        {"key": "a1", "wave": "baseline", "patient": "P01", "media": str(CLIP)}
    )
    job = window.page.start_transcription(model="clinic", options={"language_check": False})
    assert job is not None
    assert window.page.job_label.text() == "Transcribing a1 with clinic…"
    with qtbot.waitSignal(job.finished, timeout=120_000):
        pass
    qtbot.waitUntil(lambda: window.page.job is None, timeout=5000)
    text = window.editor.toPlainText().lower()
    assert "one" in text and "three" in text
