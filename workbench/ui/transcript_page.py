"""The transcript page: title, player, editor and the actions that code and correct the text.

Every action calls one of the core's commands and records its change on the window's undo
stack; the editor is then reloaded from the core, so what is shown is what is stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QRect, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.coding.codebook import PATH_SEPARATOR, list_codes
from workbench.coding.codings import (
    apply_code,
    apply_new_code,
    in_vivo_code,
    list_codings,
    remove_coding,
    set_coding_note,
)
from workbench.coding.study import interview_info
from workbench.coding.transcripts import timed_words, utterances
from workbench.coding.undo import Change
from workbench.coding.utterances import (
    edit_utterance,
    link_rendering,
    mark_rendering,
    merge_utterances,
    split_utterance,
    unlink_rendering,
    unmark_rendering,
)
from workbench.domain.coding import CodingInfo
from workbench.domain.study import InterviewInfo, InterviewRole, StudyError
from workbench.storage.project import Project, ProjectError
from workbench.transcribe.engine import TranscriptionError
from workbench.transcribe.queue import QueueItem, enqueue
from workbench.ui import redact_span, renderings
from workbench.ui.dialogs import TranscribeDialog
from workbench.ui.editor import TranscriptEditor
from workbench.ui.player import AudioBar
from workbench.ui.quick_code import QuickCodeBox, place
from workbench.ui.transcription import TranscriptionRun
from workbench.ui.undo_stack import ProjectUndo

T = TypeVar("T")
MAX_RECENT_CODES = 6
USER_ERRORS = (StudyError, ProjectError, TranscriptionError, OSError)


class Notice(QFrame):
    """A message bar above the transcript: errors and results the analyst should not miss."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notice")
        self.label = QLabel()
        self.label.setObjectName("noticeText")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(close)
        self.hide()

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.setProperty("error", error)
        self.style().unpolish(self)
        self.style().polish(self)
        self.label.setText(text)
        self.show()

    def text(self) -> str:
        return "" if self.isHidden() else self.label.text()


_SPAN = re.compile(r"(?P<interview>\S+) (?P<start>\d+)–(?P<end>\d+)")
"""An interview's span as the core's descriptions give it ("P01-b 708–740")."""
QUOTE_MAX = 48


class TranscriptPage(QWidget):
    project_changed = Signal()
    """A change went into the project: the window refreshes its other panels."""
    job_changed = Signal(str)
    originals_left = Signal()
    """The originals a key holder was shown gave way to the project's text (``ui/originals``)."""
    """The interview being transcribed ("" when no job runs)."""

    def __init__(self, undo: ProjectUndo, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.undo = undo
        self.settings = settings
        self.project: Project | None = None
        self.interview: str | None = None
        self.colours: dict[str, str] = {}
        self.job: TranscriptionRun | None = None
        self._info: InterviewInfo | None = None

        self.title = QLabel()
        self.title.setObjectName("transcriptTitle")
        self.notice = Notice()
        self.audio = AudioBar()
        self.editor = TranscriptEditor()
        self.quick = QuickCodeBox(self)
        self.job_bar = QWidget()
        self.job_bar.setObjectName("jobBar")
        self.job_label = QLabel()
        self.job_progress = QProgressBar()
        self.job_progress.setRange(0, 1000)
        self.job_progress.setTextVisible(False)
        self.job_cancel = QPushButton("Cancel")
        self.job_cancel.clicked.connect(self.cancel_transcription)
        job_layout = QHBoxLayout(self.job_bar)
        job_layout.setContentsMargins(0, 0, 0, 0)
        job_layout.addWidget(self.job_label)
        job_layout.addWidget(self.job_progress, 1)
        job_layout.addWidget(self.job_cancel)
        self.job_bar.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.notice)
        layout.addWidget(self.job_bar)
        layout.addWidget(self.audio)
        layout.addWidget(self.editor, 1)
        # A translation layer is shown beside the original, never in its place.
        self.translation = QLabel()
        self.translation.setObjectName("translation")
        self.translation.setWordWrap(True)
        self.translation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.translation.hide()
        layout.addWidget(self.translation)
        self.editor.cursorPositionChanged.connect(self._show_translation)

        self.editor.edit_requested.connect(self._correct)
        self.editor.split_requested.connect(
            lambda i, offset: self._change(lambda p: split_utterance(p, self._iv(), i, offset))
        )
        self.editor.merge_requested.connect(
            lambda i: self._change(lambda p: merge_utterances(p, self._iv(), i))
        )
        self.editor.utterance_action.connect(self._utterance_action)
        self.editor.coding_action.connect(self._coding_action)
        self.editor.rendering_chosen.connect(self._render)
        self.editor.redaction_asked.connect(lambda a, b: redact_span.redact_span(self, a, b))
        self.editor.code_dropped.connect(lambda path: self.apply(path))
        self.editor.seek_requested.connect(self.audio.seek)
        self.editor.message.connect(lambda text: self.notice.show_message(text))
        self.audio.position_changed.connect(self.editor.set_playhead)
        self.audio.message.connect(lambda text: self.notice.show_message(text, error=True))
        self.quick.chosen.connect(self.apply)
        self.actions_by_name = self._build_actions()
        self._reload_soon = QTimer(self)
        self._reload_soon.setSingleShot(True)
        self._reload_soon.setInterval(300)
        self._reload_soon.timeout.connect(self._reload_for_job)
        self._panels_soon = QTimer(self)
        self._panels_soon.setSingleShot(True)
        self._panels_soon.setInterval(400)
        self._panels_soon.timeout.connect(self.project_changed.emit)
        self.originals_shown = False
        self.originals_key: str | Path | None = None
        """The key the originals were read with (beside the project: None)."""
        self.set_project(None)

    # --- actions (the window puts them in its menus) -----------------------------------------

    def _build_actions(self) -> dict[str, QAction]:
        specs: list[tuple[str, str, str | QKeySequence.StandardKey, Callable[[], None]]] = [
            ("code", "&Code selection…", "Ctrl+K", self.open_quick_code),
            ("repeat", "Code with the &last code", "Ctrl+Shift+K", self.repeat_last_code),
            ("in_vivo", "&In-vivo code", "Ctrl+I", self.in_vivo),
            ("memo", "&Memo on the selected coding…", "Ctrl+Shift+M", self.memo_selected),
            ("remove", "&Remove the selected coding", "Ctrl+Shift+Del", self.remove_selected),
            ("verify", "Mark utterance &verified", "Ctrl+M", self.toggle_verified),
            ("merge", "Merge with the &next utterance", "Ctrl+Shift+J", self.merge_next),
            ("rendered", "Rendered &for…", "Ctrl+R", self.ask_rendered_for),
            ("play", "&Play / pause", "Ctrl+Space", self.audio.toggle),
            ("key", "&Transcription key (play, pause, rewind)", "F4", self.audio.transcription_key),
            ("back", "&Back 3 seconds", "Alt+Left", lambda: self.audio.skip(-3000)),
            ("forward", "&Forward 3 seconds", "Alt+Right", lambda: self.audio.skip(3000)),
            ("slower", "&Slower", "Alt+Down", lambda: self._speed(-1)),
            ("faster", "F&aster", "Alt+Up", lambda: self._speed(+1)),
            ("transcribe", "&Transcribe the recording…", "Ctrl+T", self.ask_transcribe),
        ]
        actions: dict[str, QAction] = {}
        for name, text, keys, slot in specs:
            action = QAction(text, self)
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _=False, f=slot: f())
            actions[name] = action
        return actions

    def _speed(self, step: int) -> None:
        index = min(max(self.audio.speed.currentIndex() + step, 0), self.audio.speed.count() - 1)
        self.audio.speed.setCurrentIndex(index)

    # --- running the core --------------------------------------------------------------------

    def _iv(self) -> str:
        if self.interview is None:
            raise StudyError("open an interview first (choose it in the study navigator)")
        return self.interview

    def call(self, func: Callable[[Project], T]) -> T | None:
        """Run a core function; a refusal becomes a message in the window."""
        if self.project is None:
            self.notice.show_message("Open a project first (File ▸ Open project…).", error=True)
            return None
        try:
            return func(self.project)
        except USER_ERRORS as exc:
            self.notice.show_message(str(exc), error=True)
            return None

    def _change(
        self,
        func: Callable[[Project], Any],
        *,
        shown: Callable[[Any], None] | None = None,
    ) -> bool:
        """Run a command, put its change on the undo stack, show the result.

        ``shown`` updates the editor from the command's result directly (a new coding), where
        reloading the whole interview would cost more than the change itself.
        """
        result = self.call(func)
        if result is None:
            self.reload()  # a refused edit must not stay on screen as if stored
            return False
        change = result[1] if isinstance(result, tuple) else result
        if isinstance(change, Change):
            self.undo.record(change)
        self.notice.hide()
        if shown is not None and isinstance(result, tuple):
            shown(result[0])
            self._retitle()
            # The other panels (counts, retrieval) follow once the analyst pauses, so a run of
            # codings is not slowed by refreshing them after each one.
            self._panels_soon.start()
        else:
            self.reload()
            self.project_changed.emit()
        return True

    # --- showing an interview ----------------------------------------------------------------

    def set_project(self, project: Project | None) -> None:
        if self.originals_shown:  # another project: the key holder's reading ends here
            self.originals_shown = False
            self.originals_left.emit()
        self.project = project
        self.interview = None
        self.show_interview(None)

    def show_interview(self, interview: str | None) -> None:
        if self.editor.has_pending_edit():
            self.editor.commit()
        self.interview = interview
        if interview is None or self.project is None:
            self.editor.load([])
            self.audio.set_source(None)
            self.editor.setReadOnly(True)
            self.title.setText(
                "Choose an interview in the study navigator to read and code its transcript."
                if self.project
                else "Open a project with File ▸ Open project… (Ctrl+O) or create one (Ctrl+N)."
            )
            return
        info = self.call(lambda p: interview_info(p, interview))
        if info is None:
            return
        self.editor.setReadOnly(False)
        self.audio.set_source(info.media_path)
        self.reload(info)

    def _correct(self, index: int, text: str) -> None:
        """Store a correction on the utterance the analyst typed in, found by its identity:
        a transcription may have inserted segments before it since the text was read."""
        row = self.editor.rows[index].row if index < len(self.editor.rows) else None
        self._change(lambda p: edit_utterance(p, self._iv(), index, text=text, row_id=row))

    def _reload_for_job(self) -> None:
        """New segments arrived: read them in, but not under the analyst's fingers. While an
        utterance is being corrected the reload waits; leaving it stores the correction."""
        if self.editor.has_pending_edit() and self.editor.hasFocus():
            self._reload_soon.start()
            return
        self.reload()

    def reload(self, info: InterviewInfo | None = None) -> None:
        if self.project is None or self.interview is None:
            return
        if self.editor.has_pending_edit():  # typed text is stored before the text is replaced
            self.editor.commit()
        if self.originals_shown:  # the project's text again, editable
            self.originals_shown = False
            self.editor.setReadOnly(False)
            self.notice.hide()
            self.originals_left.emit()
        project, key = self.project, self.interview
        try:
            rows = utterances(project, key)
            codings = list_codings(project, interview=key)
            codes = list_codes(project)
            words = timed_words(project, key)
            info = info or interview_info(project, key)
        except USER_ERRORS as exc:
            self.notice.show_message(str(exc), error=True)
            return
        self.colours = {c.path: c.color for c in codes if c.color}
        speakers = [ip.participant for ip in info.participants]
        self.editor.interpreters = {
            ip.participant for ip in info.participants if ip.role is InterviewRole.INTERPRETER
        }
        self.editor.load(rows, codings, self.colours, words, speakers)
        self._info = info
        self._retitle()
        self._show_translation()

    def refresh_from_project(self) -> None:
        """A colleague committed something: read the interview again, keeping the selection,
        the scroll position and a half-typed correction (then only the stripes are redrawn)."""
        if self.project is None or self.interview is None or self.job is not None:
            return  # a running transcription shows its own progress
        if self.editor.has_pending_edit():
            try:
                codings = list_codings(self.project, interview=self.interview)
            except USER_ERRORS:
                return
            self.editor.set_codings(codings, self.colours)
            return
        span = self.editor.selection_span()
        scrolled = self.editor.verticalScrollBar().value()
        self.reload()
        length = len(self.editor.toPlainText())
        if span is not None and span[1] <= length:
            self.editor.select_span(*span)
        self.editor.verticalScrollBar().setValue(scrolled)

    def _show_translation(self) -> None:
        rows = self.editor.rows
        if not any(r.translations for r in rows):
            self.translation.hide()
            return
        index = self.editor.current_utterance()
        layers = rows[index].translations if index is not None and index < len(rows) else ()
        if not layers:
            self.translation.setText("No translation of this utterance.")
        else:
            self.translation.setText(
                "\n".join(
                    f"{language} ({method} translation): {text}"
                    for language, method, text in layers
                )
            )
        self.translation.show()

    def show_sides(self, sides: tuple[str, str] | None) -> None:
        """Two analysts' stripes side by side (A's left, B's right), or every coding again."""
        self.editor.sides = sides
        self.reload()

    def _retitle(self) -> None:
        info = self._info
        if info is None or info.id != self.interview:
            return
        rows, codings = len(self.editor.rows), len(self.editor.stripes)
        parts = [info.id, info.wave or "no wave", f"{rows} utterances", f"{codings} codings"]
        if info.language:
            parts.insert(2, info.language)
        if self.editor.sides is not None:
            parts.append(f"stripes: {self.editor.sides[0]} left, {self.editor.sides[1]} right")
        text = "  ·  ".join(parts)
        if not rows:
            text += (
                "  —  No transcript yet: Interview ▸ Import transcript… or Transcribe the "
                "recording (Ctrl+T)."
            )
        self.title.setText(text)

    def in_words(self, description: str) -> str:
        """A core description with the open interview's spans said in their words: "code
        P01-b “I wake at three” as 'Sleep'" rather than its character positions."""

        def words(found: re.Match[str]) -> str:
            text = self.editor.toPlainText()
            start, end = int(found["start"]), int(found["end"])
            if found["interview"] != self.interview or not 0 <= start < end <= len(text):
                return found[0]
            said = " ".join(text[start:end].split())
            if len(said) > QUOTE_MAX:
                said = said[: QUOTE_MAX - 1].rstrip() + "…"
            return f"{found['interview']} “{said}”"

        return _SPAN.sub(words, description)

    # --- coding ------------------------------------------------------------------------------

    def recent_codes(self) -> list[str]:
        value = self.settings.value("recentCodes", [])
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]

    def _remember(self, path: str) -> None:
        recent = [path, *(r for r in self.recent_codes() if r != path)][:MAX_RECENT_CODES]
        self.settings.setValue("recentCodes", recent)

    def open_quick_code(self) -> None:
        if self.editor.selection_span() is None:
            self.notice.show_message("Select some words first, then code them (Ctrl+K).")
            return
        codes = self.call(list_codes)
        if codes is None:
            return
        cursor_rect = self.editor.cursorRect()
        line = QRect(self.editor.viewport().mapToGlobal(cursor_rect.topLeft()), cursor_rect.size())
        self.quick.open_for(codes, self.recent_codes(), self.colours)
        # Placed once shown, when the popup's frame is known: inside the window, as NVivo's.
        self.quick.move(place(self.quick.frameGeometry().size(), line, self.window().geometry()))

    def apply(self, path: str, create: bool = False) -> bool:
        span = self.editor.selection_span()
        if span is None:
            self.notice.show_message("Select some words first, then code them.")
            return False
        if self.editor.has_pending_edit():
            self.editor.commit()
            span = self.editor.selection_span() or span
        start, end = span
        if create:
            parent, _, name = path.rpartition(PATH_SEPARATOR)
            func: Callable[[Project], Any] = lambda p: apply_new_code(  # noqa: E731
                p, self._iv(), start, end, name, parent=parent or None
            )
        else:
            func = lambda p: apply_code(p, self._iv(), start, end, path)  # noqa: E731
        done = self._change(func, shown=self._show_coding)
        if done:
            self._remember(path)
            self.editor.select_span(start, end)
        return done

    def _show_coding(self, coding: CodingInfo) -> None:
        if coding.code not in self.colours:  # a new code: its colour is the core's choice
            codes = self.call(list_codes) or []
            self.colours = {c.path: c.color for c in codes if c.color}
        self.editor.add_coding(coding, self.colours)

    def repeat_last_code(self) -> None:
        recent = self.recent_codes()
        if not recent:
            self.notice.show_message("No code applied yet in this session: use Ctrl+K.")
            return
        self.apply(recent[0])

    def in_vivo(self) -> None:
        span = self.editor.selection_span()
        if span is None:
            self.notice.show_message("Select the participant's words to make an in-vivo code.")
            return
        self._change(
            lambda p: in_vivo_code(p, self._iv(), span[0], span[1]),
            shown=self._show_coding,
        )

    def remove_selected(self) -> None:
        coding = self.editor.selected_coding
        if coding is None:
            self.notice.show_message("Click a coding's stripe in the margin to select it first.")
            return
        self._change(lambda p: remove_coding(p, coding))

    def memo_selected(self) -> None:
        coding = self.editor.selected_coding
        if coding is None:
            self.notice.show_message("Click a coding's stripe in the margin to select it first.")
            return
        self._coding_action(coding, "memo")

    def _coding_action(self, coding: str, action: str) -> None:
        if action == "remove":
            self._change(lambda p: remove_coding(p, coding))
        elif action == "memo":
            current = next((s.memo for s in self.editor.stripes if s.coding == coding), None)
            text, ok = QInputDialog.getMultiLineText(
                self, "Memo on this coding", "Memo:", current or ""
            )
            if ok:
                self._change(lambda p: set_coding_note(p, coding, memo=text.strip() or None))

    # --- correcting --------------------------------------------------------------------------

    def _utterance_action(self, index: int, action: str) -> None:
        iv = self._iv()
        if action in ("verify", "unverify"):
            self._change(lambda p: edit_utterance(p, iv, index, verified=action == "verify"))
        elif action == "clear-review":
            self._change(
                lambda p: edit_utterance(
                    p, iv, index, needs_review=False, untranscribed_speech=False
                )
            )
        elif action.startswith("speaker:"):
            who = action.split(":", 1)[1]
            self._change(lambda p: edit_utterance(p, iv, index, speaker=who))
        elif action.startswith("renders:"):
            whose = action.split(":", 1)[1]  # "" clears it
            self._change(lambda p: edit_utterance(p, iv, index, renders=whose))
        elif action.startswith("link:"):  # this interpreter's utterance renders that one
            original = int(action.split(":", 1)[1])
            self._change(lambda p: link_rendering(p, iv, original, index))
        elif action == "unlink":
            self._change(lambda p: unlink_rendering(p, iv, index))

    def ask_rendered_for(self) -> None:
        """Code ▸ Rendered for…: the menu the right mouse button shows, at the text cursor."""
        if not self.editor.isVisible():
            return  # another view is in front: its keys, not the transcript's
        at = self.editor.viewport().mapToGlobal(self.editor.cursorRect().bottomLeft())
        self.rendered_menu = renderings.popup(
            self, at, lambda menu: renderings.fill_menu(menu, self.editor)
        )

    def _render(self, index: int, start: int, end: int, who: str) -> None:
        """Mark (or, with ``who`` "", unmark) characters of utterance ``index`` as rendering
        someone: one undoable step of the core."""
        iv, span = self._iv(), (start, end)
        if who:
            self._change(lambda p: mark_rendering(p, iv, index, who, span))
        else:
            self._change(lambda p: unmark_rendering(p, iv, index, span))

    def toggle_verified(self) -> None:
        index = self.editor.current_utterance()
        if index is None:
            return
        if self.editor.has_pending_edit():
            self.editor.commit()
        verified = "verified" in self.editor.rows[index].flags
        self._utterance_action(index, "unverify" if verified else "verify")

    def merge_next(self) -> None:
        index = self.editor.current_utterance()
        if index is not None and index + 1 < len(self.editor.rows):
            if self.editor.has_pending_edit():
                self.editor.commit()
            self._change(lambda p: merge_utterances(p, self._iv(), index))

    # --- transcription -----------------------------------------------------------------------

    def ask_transcribe(self) -> None:
        if self.interview is None:
            self.notice.show_message("Choose an interview to transcribe first.")
            return
        info = self._info if self._info is not None and self._info.id == self.interview else None
        dialog = TranscribeDialog(
            info.language if info else None,
            self,
            interview=self.interview,
            recording=info.media_path if info else None,
        )
        if dialog.exec():
            model, chosen, options = dialog.values()
            if dialog.queued:
                self.queue_transcription(model=model, language=chosen, options=options)
                return
            self.start_transcription(
                model=model, audio=dialog.audio, language=chosen, options=options
            )

    def queue_transcription(
        self, *, model: str, language: str | None, options: dict[str, Any] | None = None
    ) -> QueueItem | None:
        """Put the open interview in the project's transcription queue with these settings."""
        interview = self.interview
        if interview is None:
            self.notice.show_message("Choose an interview to transcribe first.")
            return None
        item = self.call(
            lambda p: enqueue(p, interview, model=model, language=language, **(options or {}))
        )
        if item is not None:
            self.notice.show_message(
                f"{interview} is in the transcription queue (item {item.id}): "
                "Interview ▸ Transcription queue… runs it."
            )
            self.project_changed.emit()
        return item

    def start_transcription(
        self,
        *,
        model: str = "tiny.en",
        audio: Path | None = None,
        language: str | None = None,
        resume: bool | None = None,
        options: dict[str, Any] | None = None,
    ) -> TranscriptionRun | None:
        if self.project is None or self.interview is None:
            self.notice.show_message("Choose an interview to transcribe first.")
            return None
        if self.job is not None:
            self.notice.show_message("A transcription is already running; cancel it first.")
            return None
        if resume is None:
            resume = bool(self.editor.rows)
        job = TranscriptionRun(
            self.project,
            self.interview,
            audio,
            model=model,
            language=language,
            resume=resume,
            options=options,
            parent=self,
        )
        job.progress.connect(self._job_progress)
        job.stored.connect(lambda _row: self._reload_soon.start())
        job.failed.connect(self._job_failed)
        job.finished_with.connect(self._job_done)
        job.finished.connect(self._job_ended)
        self.job = job
        self.job_label.setText(f"Transcribing {self.interview} with {model}…")
        self.job_progress.setValue(0)
        self.job_bar.show()
        job.start()
        self.job_changed.emit(self.interview)  # the navigator marks it, without a reload
        return job

    def cancel_transcription(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.job_label.setText("Cancelling — segments so far are kept…")

    def _job_progress(self, done: float, total: float, left: float) -> None:
        if total > 0:
            self.job_progress.setValue(int(1000 * min(done / total, 1.0)))
        eta = f", about {int(left // 60)} min {int(left % 60)} s left" if left >= 0 else ""
        self.job_label.setText(f"Transcribing: {done:.0f} of {total:.0f} s{eta}")

    def _job_failed(self, reason: str) -> None:
        self.notice.show_message(f"Transcription stopped: {reason}", error=True)

    def _job_done(self, outcome: Any) -> None:
        parts = [f"{outcome.stored} segments stored"]
        if outcome.flagged:
            parts.append(f"{outcome.flagged} flagged for review")
        if outcome.cancelled:
            parts.append("cancelled — Transcribe again to resume where it stopped")
        text = "Transcription: " + ", ".join(parts) + "."
        if outcome.warnings:
            text += "\n" + "\n".join(outcome.warnings)
        self.notice.show_message(text)

    def job_ended_now(self) -> None:
        """The job was waited for (the window lets go of its project): end it here, now."""
        if self.job is not None:
            self.job.finished.disconnect(self._job_ended)
            self._job_ended()

    def _job_ended(self) -> None:
        self.job = None
        self.job_changed.emit("")
        self.job_bar.hide()
        self.reload()
        self.project_changed.emit()
