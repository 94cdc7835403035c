"""The main window: study navigator and participants on the left, the transcript in the centre."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSettings, Qt
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from workbench.coding.study import list_participants, study_grid, summary
from workbench.coding.transcripts import utterances
from workbench.coding.undo import Change, history, redo, undo
from workbench.domain.study import StudyError
from workbench.storage.backup import latest_backup, restore_latest_backup
from workbench.storage.project import Project, ProjectError, open_project
from workbench.ui.heatmap import HeatmapView
from workbench.ui.models import (
    ParticipantsModel,
    StudyGridModel,
    TranscriptModel,
    is_right_to_left,
)
from workbench.ui.theme_board import ThemeBoard
from workbench.ui.timeline import TimelineView

MAX_RECENT = 8


class BidiDelegate(QStyledItemDelegate):
    """Lays out each cell in its own text's direction, so Arabic or Farsi reads right to left
    with its punctuation in place, whatever the window's direction."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        if is_right_to_left(option.text):
            option.direction = Qt.LayoutDirection.RightToLeft


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings) -> None:
        super().__init__()
        self.settings = settings
        self.project: Project | None = None
        self.setWindowTitle("Dyad Workbench")
        self.resize(1280, 800)

        self.grid_model = StudyGridModel()
        self.participants_model = ParticipantsModel()
        self.transcript_model = TranscriptModel()

        self.navigator = QTableView()
        self.navigator.setObjectName("navigator")
        self.navigator.setModel(self.grid_model)
        self.navigator.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.navigator.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.navigator.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.navigator.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.navigator.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.navigator.verticalHeader().setDefaultSectionSize(40)
        self.navigator.setShowGrid(False)
        self.navigator.setWordWrap(True)
        self.navigator.clicked.connect(self._open_cell)
        self.navigator.activated.connect(self._open_cell)

        self.participants = QTableView()
        self.participants.setObjectName("participants")
        self.participants.setModel(self.participants_model)
        self.participants.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.participants.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.participants.verticalHeader().hide()
        self.participants.horizontalHeader().setStretchLastSection(True)
        self.participants.setShowGrid(False)
        self.participants.setAlternatingRowColors(True)

        study_dock = self._dock("Study", self.navigator, "studyDock")
        self._dock("Participants", self.participants, "participantsDock")
        self.resizeDocks([study_dock], [540], Qt.Orientation.Horizontal)

        self.transcript_title = QLabel()
        self.transcript_title.setObjectName("transcriptTitle")
        self.transcript = QTableView()
        self.transcript.setObjectName("transcript")
        self.transcript.setModel(self.transcript_model)
        self.transcript.setItemDelegateForColumn(2, BidiDelegate(self.transcript))
        self.transcript.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.transcript.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.transcript.setWordWrap(True)
        self.transcript.setShowGrid(False)
        self.transcript.verticalHeader().hide()
        header = self.transcript.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.transcript.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )

        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.hide()

        reading = QWidget()
        layout = QVBoxLayout(reading)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(6)
        layout.addWidget(self.transcript_title)
        layout.addWidget(self.transcript, 1)
        self.heatmap = HeatmapView()
        self.timeline = TimelineView()
        self.pages = QStackedWidget()
        self.pages.addWidget(reading)
        self.pages.addWidget(self.heatmap)
        self.pages.addWidget(self.timeline)
        self.board = ThemeBoard()
        self.board.sig_changed.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.board.sig_message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.pages.addWidget(self.board)
        centre = QWidget()
        outer = QVBoxLayout(centre)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.banner)
        outer.addWidget(self.pages, 1)
        self.setCentralWidget(centre)

        self.project_label = QLabel()
        self.project_label.setObjectName("projectLabel")
        self.statusBar().addPermanentWidget(self.project_label)

        self._build_menus()
        self._build_modes()
        self._show_transcript(None)
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = settings.value("window/state")
        if state is not None:
            self.restoreState(state)

    def _dock(self, title: str, widget: QWidget, name: str) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        return dock

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        open_action = QAction("&Open project…", self)
        open_action.setShortcut(QKeySequence.StandardKey.Open)
        open_action.triggered.connect(self._choose_project)
        file_menu.addAction(open_action)
        self.recent_menu = file_menu.addMenu("Open &recent")
        self._fill_recent()
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        edit_menu = self.menuBar().addMenu("&Edit")
        self.undo_action = QAction("&Undo", self)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.triggered.connect(lambda: self._step(undo))
        self.redo_action = QAction("&Redo", self)
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        self.redo_action.triggered.connect(lambda: self._step(redo))
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        self.history_menu = edit_menu.addMenu("&History")
        self.history_menu.aboutToShow.connect(self._fill_history)

    def _build_modes(self) -> None:
        bar = QToolBar("Views", self)
        bar.setObjectName("modes")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        group = QActionGroup(self)
        self.mode_actions: list[QAction] = []
        for number, label in enumerate(
            ("Transcripts", "Themes across waves", "Dyad timeline", "Theme board")
        ):
            action = QAction(label, self, checkable=True)
            action.setShortcut(QKeySequence(f"Ctrl+{number + 1}"))
            action.setToolTip(f"{label} (Ctrl+{number + 1})")
            action.triggered.connect(lambda _=False, n=number: self.show_mode(n))
            group.addAction(action)
            bar.addAction(action)
            self.mode_actions.append(action)
        self.mode_actions[0].setChecked(True)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)

    def show_mode(self, number: int) -> None:
        """0: transcripts with the study docks; 1 and 2: full-window longitudinal views."""
        self.pages.setCurrentIndex(number)
        self.mode_actions[number].setChecked(True)
        for dock in self.findChildren(QDockWidget):
            dock.setVisible(number == 0)
        views: dict[int, HeatmapView | TimelineView | ThemeBoard] = {
            1: self.heatmap,
            2: self.timeline,
            3: self.board,
        }
        view = views.get(number)
        if view is not None and view.project is not self.project:
            view.set_project(self.project)

    # --- undo, shared with the command line --------------------------------------------------

    def _step(self, func: Callable[[Project], Change]) -> None:
        """Undo or redo the analyst's last step: the same history ``workbench undo`` uses."""
        if self.project is None:
            return
        try:
            change = func(self.project)
        except StudyError as exc:
            self.statusBar().showMessage(str(exc), 8000)
            return
        self.statusBar().showMessage(change.description, 8000)
        self.refresh()
        if self.pages.currentIndex() == 1:
            self.heatmap.refresh()
        elif self.pages.currentIndex() == 3:
            self.board.refresh()

    def _fill_history(self) -> None:
        self.history_menu.clear()
        items = history(self.project) if self.project is not None else []
        for item in items[:30]:
            action = self.history_menu.addAction(
                ("(undone) " if item.undone else "") + item.description
            )
            action.setEnabled(False)
        if not items:
            self.history_menu.addAction("Nothing done yet").setEnabled(False)

    # --- projects ----------------------------------------------------------------------------

    def _recent(self) -> list[str]:
        value = self.settings.value("recentProjects", [])
        if isinstance(value, str):
            return [value]
        if isinstance(value, list):
            return [str(v) for v in value]
        return []

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

    def open_location(self, location: str) -> bool:
        try:
            project = open_project(location)
        except ProjectError as exc:
            backup = latest_backup(Path(location)) if "damaged" in str(exc) else None
            if backup is None:
                QMessageBox.critical(self, "Cannot open project", str(exc))
                return False
            answer = QMessageBox.question(
                self,
                "Project damaged",
                f"{exc}\n\nRestore the latest backup ({backup.name}) in its place? "
                "The damaged file is kept beside it.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
            try:
                kept = restore_latest_backup(Path(location))
                project = open_project(location)
            except (OSError, ProjectError) as again:
                QMessageBox.critical(self, "Cannot restore the backup", str(again))
                return False
            self.statusBar().showMessage(
                f"Restored from {backup.name}; damaged file kept as {kept}"
            )
        if self.project is not None:
            self.project.close()
        self.project = project
        if self.pages.currentIndex() == 1:
            self.heatmap.set_project(project)
        elif self.pages.currentIndex() == 2:
            self.timeline.set_project(project)
        elif self.pages.currentIndex() == 3:
            self.board.set_project(project)
        recent = [location, *(r for r in self._recent() if r != location)][:MAX_RECENT]
        self.settings.setValue("recentProjects", recent)
        self._fill_recent()
        self.refresh()
        if project.warnings:
            self.banner.setText("⚠ " + "\n⚠ ".join(project.warnings))
            self.banner.show()
        else:
            self.banner.hide()
        return True

    def refresh(self) -> None:
        if self.project is None:
            return
        info = summary(self.project)
        self.setWindowTitle(f"{info.title} — Dyad Workbench")
        self.grid_model.set_grid(study_grid(self.project))
        self.participants_model.set_rows(list_participants(self.project))
        self.participants.resizeColumnsToContents()
        self.project_label.setText(
            f"{info.location}   ·   {info.participants} participants · {info.dyads} dyads · "
            f"{info.interviews} interviews · {info.utterances} utterances · {info.codings} codings"
        )

    # --- transcript --------------------------------------------------------------------------

    def _open_cell(self, index: QModelIndex) -> None:
        interview = self.grid_model.data(index, StudyGridModel.InterviewRole)
        self._show_transcript(interview)

    def _show_transcript(self, interview: str | None) -> None:
        if interview is None or self.project is None:
            self.transcript_model.set_rows([])
            self.transcript_title.setText(
                "Choose an interview in the study navigator to read its transcript."
                if self.project
                else "Open a project with File ▸ Open project… (Ctrl+O)."
            )
            return
        rows = utterances(self.project, interview)
        self.transcript_model.set_rows(rows)
        self.transcript_title.setText(f"{interview}  ·  {len(rows)} utterances")

    def open_interview(self, interview: str) -> None:
        self._show_transcript(interview)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        if self.project is not None:
            self.project.close()
        super().closeEvent(event)
