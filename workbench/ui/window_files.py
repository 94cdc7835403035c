"""The window's File and Interview work on files: opening a project (offering its latest backup
when it is damaged) and the recent ones, import and export through the format registry (off the
GUI thread), new projects, interviews and transcript files. The main window
builds on it (``MainWindow``); split off to keep each module readable."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
)

from workbench.coding.study import new_study
from workbench.coding.undo import Change
from workbench.exchange.gate import ExportRefused
from workbench.exchange.registry import ExportOptions, Format, Outcome, exporter, importer_for
from workbench.exchange.transcript_import import import_transcript_files
from workbench.storage.backup import latest_backup, restore_latest_backup
from workbench.storage.project import Project, ProjectError, open_project
from workbench.ui.dialogs import AddInterviewDialog, NewProjectDialog, add_interview_from
from workbench.ui.exchange import ExchangeTask, export_task, import_task
from workbench.ui.exchange import summary as exchange_summary
from workbench.ui.identifiers_dialog import IdentifiersDialog
from workbench.ui.job_guard import settle_running_job
from workbench.ui.key_location import remembered
from workbench.ui.transcript_page import USER_ERRORS, TranscriptPage
from workbench.ui.undo_stack import ProjectUndo
from workbench.ui.withdraw_dialog import WithdrawDialog

MAX_RECENT = 8


class ProjectFilesWindow(QMainWindow):
    """Files in and out of the open project; ``MainWindow`` provides what is declared here."""

    settings: QSettings
    project: Project | None
    page: TranscriptPage
    undo: ProjectUndo
    recent_menu: QMenu
    task: ExchangeTask | None
    task_label: QLabel
    task_bar: QProgressBar

    def _action(
        self, text: str, keys: str | QKeySequence.StandardKey | None, slot: Callable[[], object]
    ) -> QAction:
        action = QAction(text, self)
        action.setProperty("label", text)  # F1 names the action, not its live undo text
        if keys is not None:
            action.setShortcut(QKeySequence(keys))
        action.triggered.connect(lambda _=False: slot())
        return action

    def refresh(self) -> None:
        raise NotImplementedError

    def open_location(self, location: str) -> bool:
        raise NotImplementedError

    def open_interview(self, interview: str) -> None:
        raise NotImplementedError

    def _refresh_views(self) -> None:
        raise NotImplementedError

    # --- opening a project, the recent ones ----------------------------------------------------

    def _open_or_restore(self, location: str) -> Project | None:
        """The project at ``location``; a damaged one offers its latest backup in its place
        (None: it cannot be opened, or the analyst said no)."""
        try:
            return open_project(location)
        except ProjectError as exc:
            backup = latest_backup(Path(location)) if "damaged" in str(exc) else None
            if backup is None:
                QMessageBox.critical(self, "Cannot open project", str(exc))
                return None
            answer = QMessageBox.question(
                self,
                "Project damaged",
                f"{exc}\n\nRestore the latest backup ({backup.name}) in its place? "
                "The damaged file is kept beside it.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return None
            try:
                kept = restore_latest_backup(Path(location))
                project = open_project(location)
            except (OSError, ProjectError) as again:
                QMessageBox.critical(self, "Cannot restore the backup", str(again))
                return None
            self.statusBar().showMessage(
                f"Restored from {backup.name}; damaged file kept as {kept}"
            )
            return project

    def _recent(self) -> list[str]:
        value = self.settings.value("recentProjects", [])
        if isinstance(value, str):
            return [value]
        if isinstance(value, list):
            return [str(v) for v in value]
        return []

    def _remember(self, location: str) -> None:
        """``location`` heads File ▸ Open recent."""
        recent = [location, *(r for r in self._recent() if r != location)][:MAX_RECENT]
        self.settings.setValue("recentProjects", recent)
        self._fill_recent()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self._recent()
        for location in recent:
            action = self.recent_menu.addAction(location)
            action.triggered.connect(lambda _=False, loc=location: self.open_location(loc))
        self.recent_menu.setEnabled(bool(recent))

    def _choose_project(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open project", str(Path.home()), "Dyad Workbench projects (*.dyad)"
        )
        if path:
            self.open_location(path)

    # --- import and export ---------------------------------------------------------------------

    def _run_task(self, task: ExchangeTask, what: str, then: Callable[[Outcome], None]) -> bool:
        if self.task is not None:
            self.page.notice.show_message("Another import or export is still running.", error=True)
            return False
        self.task = task
        self.task_label.setText(what)
        self.task_label.show()
        self.task_bar.show()

        def ended(outcome: object) -> None:
            assert isinstance(outcome, Outcome)
            self.page.notice.show_message(exchange_summary(outcome))
            then(outcome)

        def failed(reason: str) -> None:
            if isinstance(task.error, ExportRefused) and task.error.in_project:
                reason += "\nFile ▸ Review identifiers… lists them to redact or dismiss."
            self.page.notice.show_message(reason, error=True)

        task.ended.connect(ended)
        task.failed.connect(failed)
        task.finished.connect(self._task_ended)
        task.start()
        return True

    def _task_ended(self) -> None:
        self.task = None
        self.task_label.hide()
        self.task_bar.hide()

    def _ask_export(self, fmt: Format) -> None:
        if self.project is None:
            self.page.notice.show_message("Open a project first.", error=True)
            return
        stem = self.page.interview if fmt.kind == "transcript" and self.page.interview else fmt.name
        path, _ = QFileDialog.getSaveFileName(
            self,
            f"Export {fmt.label}",
            str(Path.home() / f"{stem}{fmt.extension}"),
            f"{fmt.label} (*{fmt.extension})",
        )
        if path:
            self.export_to(fmt.name, Path(path))

    def export_to(self, name: str, out: Path, options: ExportOptions | None = None) -> bool:
        """Export as format ``name``; transcripts export the open interview."""
        if self.project is None:
            return False
        # The key where the analyst said it is (Review identifiers…, Show originals…), if they
        # did: else the one beside the project file.
        options = options or ExportOptions(
            interview=self.page.interview, key=remembered(self.project)
        )
        try:
            task = export_task(self.project, name, out, options, self)
        except USER_ERRORS as exc:
            self.page.notice.show_message(str(exc), error=True)
            return False
        if exporter(name).kind == "transcript" and not options.interview:
            self.page.notice.show_message("Open the interview to export first.", error=True)
            return False
        return self._run_task(task, f"Exporting {out.name}…", lambda _o: None)

    def review_identifiers(self) -> IdentifiersDialog | None:
        """File ▸ Review identifiers…: what the export gate asks about, redacted or dismissed
        in the window (``ui/identifiers_dialog.py``)."""
        if self.project is None:
            self.page.notice.show_message("Open a project first.", error=True)
            return None
        if self.page.editor.has_pending_edit():
            self.page.editor.commit()
        dialog = IdentifiersDialog(self.project, self)
        dialog.changed.connect(self._text_changed)
        dialog.open()
        return dialog

    def withdraw_participant(self) -> WithdrawDialog | None:
        """File ▸ Withdraw a participant…: consent withdrawn, removed without a trace
        (``ui/withdraw_dialog.py``). Not while a transcription writes into the project."""
        if self.project is None:
            self.page.notice.show_message("Open a project first.", error=True)
            return None
        if not settle_running_job(self.page, "a participant is withdrawn"):
            return None
        if self.page.editor.has_pending_edit():
            self.page.editor.commit()
        dialog = WithdrawDialog(self.project, self)
        dialog.withdrawn.connect(self._withdrawn)
        dialog.open()
        return dialog

    def _withdrawn(self, _participant: str) -> None:
        """Their interviews may be gone, and the undo history holding their words is: the
        window's stack starts afresh and everything is read again."""
        self.undo.set_project(self.project)
        self.page.set_project(self.project)
        self.refresh()
        self._refresh_views()

    def _text_changed(self, change: Change) -> None:
        """A redaction rewrote text everywhere: one step on the undo stack; read it all again."""
        self.undo.record(change)
        self.refresh()
        self.page.reload()

    def _ask_import(self, fmt: Format) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, f"Import {fmt.label}", str(Path.home()), f"{fmt.label} (*{fmt.extension})"
        )
        if not path:
            return
        target = None
        if fmt.kind == "project":
            target, _ = QFileDialog.getSaveFileName(
                self,
                "The new project",
                str(Path(path).with_suffix(".dyad")),
                "Dyad Workbench projects (*.dyad)",
            )
            if not target:
                return
        self.import_from(Path(path), target)

    def import_from(self, path: Path, new_project: str | None = None) -> bool:
        """Import a file: a project format into ``new_project`` (then opened), anything else
        into the open project."""
        try:
            fmt = importer_for(path)
        except USER_ERRORS as exc:
            self.page.notice.show_message(str(exc), error=True)
            return False
        if fmt.kind == "project":
            if not new_project:
                self.page.notice.show_message("Name the new project to import into.", error=True)
                return False
            target = new_project
        elif self.project is None:
            self.page.notice.show_message("Open the project to import into first.", error=True)
            return False
        else:
            target = self.project.location
        coder = self.project.coder_name if self.project is not None else None

        def then(_outcome: Outcome) -> None:
            if fmt.kind == "project":
                self.open_location(target)
            else:
                self.refresh()
                self.page.reload()

        task = import_task(fmt, target, path, coder, self)
        return self._run_task(task, f"Importing {path.name}…", then)

    # --- creating and importing --------------------------------------------------------------

    def _ask_new_project(self) -> None:
        dialog = NewProjectDialog(self)
        if dialog.exec():
            self.create_project(dialog.path(), dialog.title(), dialog.waves())

    def create_project(self, path: str, title: str, waves: list[str]) -> bool:
        try:
            project = new_study(path, title=title or None, waves=waves)
        except USER_ERRORS as exc:
            QMessageBox.warning(self, "Cannot create the project", str(exc))
            return False
        project.close()
        return self.open_location(path)

    def _ask_add_interview(self) -> None:
        if self.project is None:
            self.page.notice.show_message("Open or create a project first.", error=True)
            return
        dialog = AddInterviewDialog(self.project, self)
        if dialog.exec():
            self.add_interview(dialog.values())

    def add_interview(self, values: dict[str, str]) -> bool:
        if self.project is None:
            return False
        try:
            info = add_interview_from(self.project, values)
        except USER_ERRORS as exc:
            self.page.notice.show_message(str(exc), error=True)
            return False
        self.refresh()
        self.open_interview(info.id)
        return True

    def _ask_import_transcript(self) -> None:
        if self.page.interview is None:
            self.page.notice.show_message(
                "Choose (or add) the interview the transcript belongs to first.", error=True
            )
            return
        paths, _ = QFileDialog.getOpenFileNames(
            self,
            f"Import a transcript into {self.page.interview}",
            str(Path.home()),
            "Transcripts (*.txt *.docx *.srt *.vtt *.TextGrid *.textgrid);;All files (*)",
        )
        if paths:
            self.import_transcript([Path(p) for p in paths])

    def import_transcript(self, paths: list[Path]) -> bool:
        interview = self.page.interview
        if self.project is None or interview is None:
            return False
        try:
            report = import_transcript_files(self.project, interview, paths)
        except USER_ERRORS as exc:
            self.page.notice.show_message(f"Import refused: {exc}", error=True)
            return False
        speakers = ", ".join(f"{k} → {v or 'unmapped'}" for k, v in report.speakers.items())
        text = f"Imported {report.utterances} utterances ({report.format}, {report.encoding})."
        if speakers:
            text += f" Speakers: {speakers}."
        if report.warnings:
            text += "\n" + "\n".join(report.warnings)
        self.page.notice.show_message(text)
        self.refresh()
        self.page.reload()
        return True
