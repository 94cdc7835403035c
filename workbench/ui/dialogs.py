"""Small dialogs: a new project, a new interview. They gather values; the core does the work."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from workbench.coding.study import (
    add_interview_with_people,
    list_dyads,
    list_participants,
    list_waves,
)
from workbench.domain.study import DEFAULT_WAVES, InterviewInfo
from workbench.storage.project import Project
from workbench.transcribe.models import list_models

AUDIO_FILES = "Audio or video (*.wav *.flac *.mp3 *.m4a *.aac *.aiff *.ogg *.opus *.mp4 *.webm)"

ROLE_FIELDS = (
    ("patient", "Patient"),
    ("clinician", "Clinician"),
    ("researcher", "Interviewer"),
    ("interpreter", "Interpreter"),
)


def _with_browse(line: QLineEdit, pick: QPushButton) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(line, 1)
    layout.addWidget(pick)
    return row


class NewProjectDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New project")
        self.location = QLineEdit()
        self.location.setPlaceholderText("Where the project file goes (…/study.dyad)")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        self.title_line = QLineEdit()
        self.title_line.setPlaceholderText("e.g. Trauma-focused therapy with interpreters")
        self.waves_line = QLineEdit(", ".join(DEFAULT_WAVES))
        form = QFormLayout(self)
        form.addRow("Project file", _with_browse(self.location, browse))
        form.addRow("Study title", self.title_line)
        form.addRow("Waves, in order", self.waves_line)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(560, 0)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "New project", str(Path.home() / "study.dyad"), "Projects (*.dyad)"
        )
        if path:
            self.location.setText(path if path.endswith(".dyad") else path + ".dyad")

    def path(self) -> str:
        return self.location.text().strip()

    def title(self) -> str:
        return self.title_line.text().strip()

    def waves(self) -> list[str]:
        return [w.strip() for w in self.waves_line.text().split(",") if w.strip()]


class AddInterviewDialog(QDialog):
    """An interview at a wave with its people; new participant ids are added with their role."""

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add interview")
        self.key = QLineEdit()
        self.key.setPlaceholderText("e.g. P03-baseline")
        self.wave = QComboBox()
        self.wave.addItems([w.name for w in list_waves(project)])
        known = [p.id for p in list_participants(project)]
        self.people: dict[str, QComboBox] = {}
        form = QFormLayout(self)
        form.addRow("Interview id", self.key)
        form.addRow("Wave", self.wave)
        for role, label in ROLE_FIELDS:
            box = QComboBox()
            box.setEditable(True)
            box.addItems(["", *known])
            box.setToolTip(f"{label}: an existing participant id, or a new one to add")
            self.people[role] = box
            form.addRow(label, box)
        self.dyad = QComboBox()
        self.dyad.setEditable(True)
        self.dyad.addItems(["", *(d.id for d in list_dyads(project))])
        form.addRow("Dyad", self.dyad)
        self.language = QLineEdit()
        self.language.setPlaceholderText("e.g. en, ar, da (empty: detect)")
        form.addRow("Language", self.language)
        self.media = QLineEdit()
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        form.addRow("Recording", _with_browse(self.media, browse))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(520, 0)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Recording",
            str(Path.home()),
            AUDIO_FILES,
        )
        if path:
            self.media.setText(path)

    def values(self) -> dict[str, str]:
        values = {
            "key": self.key.text().strip(),
            "wave": self.wave.currentText(),
            "dyad": self.dyad.currentText().strip(),
            "language": self.language.text().strip(),
            "media": self.media.text().strip(),
        }
        for role, box in self.people.items():
            values[role] = box.currentText().strip()
        return values


def add_interview_from(project: Project, values: dict[str, str]) -> InterviewInfo:
    """The form's values as the core's one-step interview (new people and dyad included)."""
    media = values.get("media")
    return add_interview_with_people(
        project,
        values.get("key", ""),
        wave=values.get("wave") or None,
        people=[(values[role], role) for role, _ in ROLE_FIELDS if values.get(role)],
        dyad=values.get("dyad") or None,
        language=values.get("language") or None,
        media=Path(media) if media else None,
    )


def _what_to_transcribe(interview: str | None, recording: str | None) -> str:
    if interview is None:
        return "The open interview's recording."
    if not recording:
        return (
            f"⚠ No recording is linked to interview <b>{interview}</b>: choose the recording "
            "to transcribe."
        )
    return f"Interview <b>{interview}</b> — recording <b>{Path(recording).name}</b>"


class TranscribeDialog(QDialog):
    """How to transcribe a recording: the model, its language, and the options the job takes.

    The models are those on this computer (the packaged two, and the ones fetched or added with
    ``workbench models``); with more than one speaker, each speaker may have a language."""

    def __init__(
        self,
        language: str | None,
        parent: QWidget | None = None,
        *,
        interview: str | None = None,
        recording: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Transcribe {interview}" if interview else "Transcribe the recording")
        self.what = QLabel(_what_to_transcribe(interview, recording))
        self.what.setObjectName("transcribeWhat")
        self.what.setWordWrap(True)
        self.what.setProperty("warning", interview is not None and not recording)
        self.audio: Path | None = None
        """A recording chosen here for an interview with none linked (this run only)."""
        self.choose_audio = QPushButton("Choose a recording…")
        self.choose_audio.setVisible(interview is not None and not recording)
        self.choose_audio.clicked.connect(self._ask_audio)
        self._interview = interview
        self.model = QComboBox()
        self._multilingual: dict[str, bool] = {}
        self._fill_models()
        self.model.setToolTip(
            "More models: More models… here, or `workbench models fetch NAME` (once, online) "
            "or `workbench models add FOLDER` (a CTranslate2 Whisper model)"
        )
        self.more_models = QPushButton("More models…")
        self.more_models.clicked.connect(self._open_models)
        self.language = QLineEdit(language or "")
        self.language.setPlaceholderText("e.g. ar, da, en; empty: detect each speaker turn")
        self.translate = QCheckBox("Add an English machine translation beside the original")
        self.fast = QCheckBox("Fast draft (batched; no word times)")
        self.channels = QCheckBox("One speaker per channel")
        self.speakers = QSpinBox()
        self.speakers.setRange(0, 8)
        self.speakers.setSpecialValueText("no clustering")
        self.speakers.setToolTip("Cluster voices into this many speakers (the [diarize] extra)")
        self.english = QCheckBox("Known to be English: skip the language check (faster)")
        self.speaker_rows = QWidget()
        self._speaker_form = QFormLayout(self.speaker_rows)
        self._speaker_form.setContentsMargins(0, 0, 0, 0)
        self.speaker_languages: dict[str, QLineEdit] = {}
        form = self._form = QFormLayout(self)
        form.addRow(self.what)
        form.addRow("", self.choose_audio)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model, 1)
        model_row.addWidget(self.more_models)
        form.addRow("Model", model_row)
        form.addRow("Language", self.language)
        form.addRow("Speakers", self.speakers)
        form.addRow("", self.channels)
        form.addRow("", self.speaker_rows)
        for box in (self.translate, self.fast, self.english):
            form.addRow("", box)
        form.addRow(self._buttons(interview is not None, bool(recording)))
        self.model.currentIndexChanged.connect(lambda _i: self._follow_model())
        self.speakers.valueChanged.connect(lambda _v: self._follow_speakers())
        self.channels.toggled.connect(lambda _on: self._follow_speakers())
        if language and language != "en":
            self._pick_multilingual()
        self._follow_model()
        self._follow_speakers()

    def _buttons(self, has_interview: bool, has_recording: bool) -> QDialogButtonBox:
        """Transcribe now, add to the queue (a linked recording only), or cancel."""
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Transcribe")
        self.ok.setEnabled(not has_interview or has_recording)
        self.queued = False
        """Add to the transcription queue instead of transcribing now."""
        self.queue = buttons.addButton("Add to the queue", QDialogButtonBox.ButtonRole.ActionRole)
        self.queue.setToolTip(
            "Transcribed in turn by Interview ▸ Transcription queue (or `workbench queue run`); "
            "the queue survives closing the window"
        )
        self.queue.setEnabled(has_interview and has_recording)
        self.queue.clicked.connect(self._queue_it)
        return buttons

    def _queue_it(self) -> None:
        self.queued = True
        self.accept()

    def _ask_audio(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "The interview's recording", str(Path.home()), AUDIO_FILES
        )
        if path:
            self.use_audio(Path(path))

    def use_audio(self, path: Path) -> None:
        """Transcribe ``path`` for an interview that has no recording linked."""
        self.audio = path
        self.what.setText(
            f"Interview <b>{self._interview}</b> — recording <b>{path.name}</b> (chosen here)"
        )
        self.what.setProperty("warning", False)
        self.ok.setEnabled(True)

    def _fill_models(self) -> None:
        """The usable models here, the chosen one kept when it still is."""
        chosen = self.model.currentData()
        self.model.clear()
        self._multilingual.clear()
        for found in list_models():
            if found.problem is not None:
                continue  # its files are gone: `workbench models list` says why
            multilingual = found.multilingual is not False
            self._multilingual[found.name] = multilingual
            if found.name == "tiny.en":
                label = "tiny.en — English only, fast"
            else:
                label = f"{found.name} — {'99 languages' if multilingual else 'English only'}"
            self.model.addItem(label, found.name)
        if chosen is not None:
            self.model.setCurrentIndex(max(0, self.model.findData(chosen)))

    def _open_models(self) -> None:
        from workbench.ui.models_dialog import ModelsDialog

        dialog = ModelsDialog(self)
        dialog.changed.connect(self._fill_models)
        dialog.exec()

    def _pick_multilingual(self) -> None:
        """A language tiny.en cannot hear picks base (when an English-only model is chosen)."""
        if not self._multilingual.get(str(self.model.currentData()), True):
            self.model.setCurrentIndex(max(0, self.model.findData("base")))

    def _follow_model(self) -> None:
        multilingual = self._multilingual.get(str(self.model.currentData()), True)
        self.translate.setEnabled(multilingual)
        if not multilingual:
            self.translate.setChecked(False)
        self.english.setEnabled(not multilingual)

    def speaker_labels(self) -> list[str]:
        """The speakers a language may be given to: the channels, or the clustered voices."""
        if self.channels.isChecked():
            return ["channel 1", "channel 2"]
        count = self.speakers.value()
        return [f"speaker {n + 1}" for n in range(count)] if count > 1 else []

    def _follow_speakers(self) -> None:
        """One language row per speaker (kept as typed when the number of speakers changes)."""
        self.speakers.setEnabled(not self.channels.isChecked())
        labels = self.speaker_labels()
        self._form.setRowVisible(self.speaker_rows, bool(labels))
        if labels == list(self.speaker_languages):
            return
        typed = {label: line.text() for label, line in self.speaker_languages.items()}
        while self._speaker_form.rowCount():
            self._speaker_form.removeRow(0)
        self.speaker_languages = {}
        for label in labels:
            line = QLineEdit(typed.get(label, ""))
            line.setPlaceholderText("as above")
            line.setToolTip(f"The language {label} speaks (e.g. ar); empty: as above")
            line.editingFinished.connect(self._speaker_language_changed)
            self.speaker_languages[label] = line
            self._speaker_form.addRow(f"{label.capitalize()} speaks", line)
        self.adjustSize()

    def _speaker_language_changed(self) -> None:
        if any(x.text().strip() not in ("", "en") for x in self.speaker_languages.values()):
            self._pick_multilingual()

    def values(self) -> tuple[str, str | None, dict[str, Any]]:
        """The model, the language (None: as the interview says) and the further options
        ``transcribe_interview`` takes."""
        model = str(self.model.currentData())
        language = self.language.text().strip() or None
        if language is None and self._multilingual.get(model, True):
            language = "auto"  # each speaker turn in its own language
        options: dict[str, Any] = {
            "translate": self.translate.isChecked() and self.translate.isEnabled(),
            "fast": self.fast.isChecked(),
            "channels_as_speakers": self.channels.isChecked(),
            "language_check": not (self.english.isChecked() and self.english.isEnabled()),
        }
        if self.speakers.value() and not self.channels.isChecked():
            options["expected_speakers"] = self.speakers.value()
        own = {k: v.text().strip() for k, v in self.speaker_languages.items() if v.text().strip()}
        if own:
            options["speaker_languages"] = own
        return model, language, options
