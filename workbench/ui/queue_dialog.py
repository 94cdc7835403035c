"""The window's Transcription queue: the project's queued recordings, run one at a time with
progress per item and a Stop that puts the running item back to resume where it stopped.

The queue is the core's (``workbench.transcribe.queue``); this dialog shows it and runs it on a
worker thread. It is modal, so nothing in the window edits a transcript the queue is writing."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.domain.study import StudyError
from workbench.storage.project import Project
from workbench.transcribe.engine import TranscriptionError
from workbench.transcribe.queue import QueueItem, list_queue, remove_from_queue, run_queue

STATUS_WORDS = {
    "queued": "waiting",
    "running": "transcribing",
    "done": "done",
    "failed": "failed",
}
HEADERS = ("#", "Interview", "Model", "Status", "What became of it")


class QueueRun(QThread):
    """``run_queue`` on a worker thread: progress per item, each finished item, the end."""

    progress = Signal(str, float, float)
    """The interview, audio seconds done and in all."""
    item_done = Signal(object)
    """A finished ``QueueItem`` (done or failed)."""
    failed = Signal(str)

    def __init__(self, project: Project, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        try:
            run_queue(
                self.project,
                progress=lambda item, done, total: self.progress.emit(item.interview, done, total),
                should_cancel=self._stop.is_set,
                on_item=self.item_done.emit,
            )
        except (StudyError, TranscriptionError) as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # a readable reason in the window, never a silent thread death
            self.failed.emit(f"{type(exc).__name__}: {exc}")


class QueueDialog(QDialog):
    """The queue as a table; Run / Stop, Remove, Close."""

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.run: QueueRun | None = None
        self._current: str | None = None
        self.setWindowTitle("Transcription queue")
        self.resize(760, 360)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.run_button = QPushButton("Run the queue")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self._run_or_stop)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Take the selected waiting item out of the queue")
        self.remove_button.clicked.connect(self.remove_selected)
        buttons.addButton(self.run_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.remove_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.bar)
        layout.addWidget(buttons)
        self.refresh()

    def items(self) -> list[QueueItem]:
        return list_queue(self.project)

    def refresh(self) -> None:
        items = self.items()
        self.table.setRowCount(len(items))
        for row, item in enumerate(items):
            cells = (
                str(item.id),
                item.interview,
                item.model,
                STATUS_WORDS.get(item.status, item.status),
                item.detail or "",
            )
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setData(Qt.ItemDataRole.UserRole, item.id)
                if column == 4:
                    cell.setToolTip(text)
                self.table.setItem(row, column, cell)
        self.table.resizeColumnsToContents()
        waiting = sum(i.status in ("queued", "running") for i in items)
        if self.run is None:
            self.status.setText(
                f"{waiting} waiting of {len(items)}."
                if items
                else "The queue is empty: "
                "Transcribe ▸ Add to the queue puts an interview's recording here."
            )
            self.run_button.setEnabled(waiting > 0)
        self.remove_button.setEnabled(self.run is None and bool(items))

    def remove_selected(self) -> bool:
        rows = {index.row() for index in self.table.selectedIndexes()}
        if not rows:
            self.status.setText("Select an item to remove first.")
            return False
        for row in sorted(rows):
            cell = self.table.item(row, 0)
            if cell is None:
                continue
            try:
                remove_from_queue(self.project, int(cell.data(Qt.ItemDataRole.UserRole)))
            except StudyError as exc:
                self.status.setText(str(exc))
                return False
        self.refresh()
        return True

    def _run_or_stop(self) -> None:
        if self.run is None:
            self.start()
        else:
            self.stop()

    def start(self) -> QueueRun:
        run = self.run = QueueRun(self.project, self)
        run.progress.connect(self._progress)
        run.item_done.connect(lambda _item: self.refresh())
        run.failed.connect(lambda reason: self.status.setText(f"The queue stopped: {reason}"))
        run.finished.connect(self._ended)
        self.run_button.setText("Stop")
        self.remove_button.setEnabled(False)
        self.bar.setValue(0)
        self.bar.show()
        self.status.setText("Starting…")
        run.start()
        self.refresh()
        return run

    def stop(self) -> None:
        if self.run is not None:
            self.run.stop()
            self.status.setText("Stopping — segments so far are kept; the item resumes next run…")

    def _progress(self, interview: str, done: float, total: float) -> None:
        if total > 0:
            self.bar.setValue(int(1000 * min(done / total, 1.0)))
        self.status.setText(f"Transcribing {interview}: {done:.0f} of {total:.0f} s")
        if interview != self._current:  # the next item started: its row says so
            self._current = interview
            self.refresh()

    def _ended(self) -> None:
        self.run, self._current = None, None
        self.run_button.setText("Run the queue")
        self.bar.hide()
        self.refresh()

    def done(self, result: int) -> None:
        """Closing stops a running queue and waits for it: the item resumes next time."""
        if self.run is not None:
            self.run.stop()
            self.run.wait()
            self._ended()
        super().done(result)
