"""The main window: study navigator and participants on the left, the transcript in the centre."""

from __future__ import annotations

import functools

from PySide6.QtCore import QByteArray, QModelIndex, QPoint, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDockWidget,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMenu,
    QProgressBar,
    QStackedWidget,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from workbench.coding.study import (
    list_participants,
    set_interview_status,
    study_grid,
    summary,
)
from workbench.coding.undo import Change, history
from workbench.domain.study import InterviewStatus
from workbench.storage.project import Project
from workbench.storage.watch import ChangeWatcher
from workbench.ui import theme, unsaved
from workbench.ui.code_tree import CodeTreeWidget
from workbench.ui.exchange import (
    ExchangeTask,
    export_formats,
    import_formats,
)
from workbench.ui.gate_status import GateStatus
from workbench.ui.heatmap import HeatmapView
from workbench.ui.job_guard import settle_running_job
from workbench.ui.memos import MemoPanel
from workbench.ui.models import ParticipantsModel, StudyGridModel
from workbench.ui.originals import Reveals, toggle_originals
from workbench.ui.retrieval import RetrievalPane
from workbench.ui.search_pane import SearchPane
from workbench.ui.shortcuts import ShortcutsDialog, window_shortcuts
from workbench.ui.theme_board import ThemeBoard
from workbench.ui.timeline import TimelineView
from workbench.ui.transcript_page import USER_ERRORS, TranscriptPage
from workbench.ui.undo_stack import ProjectUndo
from workbench.ui.window_files import ProjectFilesWindow

WATCH_MS = 1000
"""How often the window asks whether a colleague committed (a colleague's work shows within 2 s)."""


class MainWindow(ProjectFilesWindow):
    def __init__(self, settings: QSettings) -> None:
        super().__init__()
        self.settings = settings
        self.project: Project | None = None
        self.setWindowTitle("Dyad Workbench")
        self.resize(1280, 800)

        self.grid_model = StudyGridModel()
        self.participants_model = ParticipantsModel()
        self.undo = ProjectUndo(self)
        self.undo.changed.connect(self._undone)
        self._stale_views: set[int] = set()
        """Longitudinal views (by page) to re-read the project when next shown."""
        self.undo.stack.indexChanged.connect(self._views_stale)
        self.undo.stack.indexChanged.connect(lambda _: self.gate_status.changed(self.project))
        self.undo.failed.connect(self._undo_refused)

        self._build_study_docks()
        self._build_pages()
        self._build_status_bar()

        self._add_coding_docks()  # code tree and retrieval: ui/code_tree.py, ui/retrieval.py
        self.watcher: ChangeWatcher | None = None
        """Tells of colleagues' commits to the open project (polled, see ``_colleagues``)."""
        self._watch = QTimer(self)
        self._watch.setInterval(WATCH_MS)
        self._watch.timeout.connect(self._colleagues)
        self._dock_state: QByteArray | None = None
        """The docks as the user left them on the transcripts (the other views hide them)."""
        self._build_menus()
        self._build_modes()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = settings.value("window/state")
        if state is not None:
            self.restoreState(state)

    def _build_study_docks(self) -> None:
        """The study grid (interviews by participant and wave) and the participants, docked."""
        self.navigator = QTableView()
        self.navigator.setObjectName("navigator")
        self.navigator.setModel(self.grid_model)
        self.navigator.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.navigator.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.navigator.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.navigator.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.navigator.horizontalHeader().setTextElideMode(Qt.TextElideMode.ElideRight)
        self.navigator.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.navigator.verticalHeader().setDefaultSectionSize(40)
        self.navigator.setShowGrid(False)
        self.navigator.setWordWrap(True)
        self.navigator.clicked.connect(self._open_cell)
        self.navigator.activated.connect(self._open_cell)
        self.navigator.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.navigator.customContextMenuRequested.connect(self._cell_menu)
        self.navigator.setToolTip(
            "Click a cell to open its interview; right-click to set its status"
        )

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

    def _build_pages(self) -> None:
        """The banner and the four views: transcripts, heat map, timeline, theme board."""
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.hide()

        self.page = TranscriptPage(self.undo, self.settings)
        self.page.project_changed.connect(self.refresh)
        self.page.job_changed.connect(
            lambda key: self.grid_model.set_transcribing(frozenset({key} if key else set()))
        )
        self.editor = self.page.editor
        self.undo.wording = self.page.in_words
        self.undo.recorded.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.heatmap = HeatmapView()
        self.timeline = TimelineView()
        for details in (self.heatmap.details, self.timeline.details):  # pinned quotes: undoable
            details.changed.connect(self.undo.record)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.page)
        self.pages.addWidget(self.heatmap)
        self.pages.addWidget(self.timeline)
        self.board = ThemeBoard()
        self.board.sig_done.connect(self._board_changed)
        self.board.sig_message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.pages.addWidget(self.board)
        centre = QWidget()
        outer = QVBoxLayout(centre)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.banner)
        outer.addWidget(self.pages, 1)
        self.setCentralWidget(centre)

    def _build_status_bar(self) -> None:
        """A busy bar for exports and imports, and the open project's name."""
        self.task_label = QLabel()
        self.task_bar = QProgressBar()
        self.task_bar.setRange(0, 0)  # busy: exports and imports report no steps
        self.task_bar.setMaximumWidth(160)
        self.statusBar().addWidget(self.task_label)
        self.statusBar().addWidget(self.task_bar)
        self.task_label.hide()
        self.task_bar.hide()
        self.task: ExchangeTask | None = None

        self.gate_status = GateStatus(self.review_identifiers, self._own_write, self)
        self.statusBar().addPermanentWidget(self.gate_status.label)
        self.project_label = QLabel()
        self.project_label.setObjectName("projectLabel")
        self.statusBar().addPermanentWidget(self.project_label)

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
        self._build_file_menu()
        self._build_edit_menu()
        self._build_work_menus()
        self._build_view_menus()

    def _build_file_menu(self) -> None:
        """Projects, recent ones, import and export (one entry per registered format), quit."""
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(
            self._action("&New project…", QKeySequence.StandardKey.New, self._ask_new_project)
        )
        file_menu.addAction(
            self._action("&Open project…", QKeySequence.StandardKey.Open, self._choose_project)
        )
        self.recent_menu = file_menu.addMenu("Open &recent")
        self._fill_recent()
        file_menu.addSeparator()
        self.import_menu = file_menu.addMenu("&Import")
        for fmt in import_formats():
            where = "a new project" if fmt.kind == "project" else "this project"
            self.import_menu.addAction(
                self._action(
                    f"{fmt.label} ({fmt.extension}) into {where}…",
                    None,
                    functools.partial(self._ask_import, fmt),
                )
            )
        self.export_menu = file_menu.addMenu("&Export")
        previous_kind = None
        for fmt in export_formats():
            if previous_kind is not None and fmt.kind != previous_kind:
                self.export_menu.addSeparator()
            previous_kind = fmt.kind
            label = fmt.label + (" of the open interview" if fmt.kind == "transcript" else "")
            self.export_menu.addAction(
                self._action(f"{label}…", None, functools.partial(self._ask_export, fmt))
            )
        file_menu.addAction(self._action("Review &identifiers…", None, self.review_identifiers))
        file_menu.addAction(
            self._action("&Withdraw a participant…", None, self.withdraw_participant)
        )
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Quit", QKeySequence.StandardKey.Quit, self.close))

    def _build_edit_menu(self) -> None:
        """Undo and redo (named after the change), and the project's history."""
        edit_menu = self.menuBar().addMenu("&Edit")
        self.undo_action = self._action("&Undo", QKeySequence.StandardKey.Undo, self.undo.undo)
        self.redo_action = self._action("&Redo", QKeySequence.StandardKey.Redo, self.undo.redo)
        # Ctrl+Y as on Windows, in NVivo and MAXQDA; Ctrl+Shift+Z as elsewhere (⌘ on a Mac).
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        self.undo.stack.undoTextChanged.connect(
            lambda text: self.undo_action.setText(f"&Undo {text}" if text else "&Undo")
        )
        self.undo.stack.redoTextChanged.connect(
            lambda text: self.redo_action.setText(f"&Redo {text}" if text else "&Redo")
        )
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addAction(self._action("&Search the project…", "Ctrl+Shift+F", self.show_search))
        self.history_menu = edit_menu.addMenu("&History")
        self.history_menu.aboutToShow.connect(self._fill_history)

    def _build_work_menus(self) -> None:
        """Interview, Code and Play: mostly the transcript page's own actions."""
        actions = self.page.actions_by_name
        interview_menu = self.menuBar().addMenu("&Interview")
        interview_menu.addAction(
            self._action("&Add interview…", "Ctrl+Shift+N", self._ask_add_interview)
        )
        interview_menu.addAction(
            self._action("&Import transcript…", "Ctrl+Shift+I", self._ask_import_transcript)
        )
        interview_menu.addAction(actions["transcribe"])
        interview_menu.addAction(self._action("Transcription &queue…", None, self._show_queue))
        interview_menu.addSeparator()
        note = interview_menu.addAction("Split the utterance at the cursor\tEnter")
        note.setEnabled(False)
        interview_menu.addAction(actions["merge"])
        interview_menu.addAction(actions["verify"])

        code_menu = self.menuBar().addMenu("&Code")
        for name in ("code", "repeat", "in_vivo", "memo", "remove", "rendered"):
            code_menu.addAction(actions[name])
        code_menu.addSeparator()
        code_menu.addAction(self._action("Compare &analysts…", None, self._show_compare))
        code_menu.addAction(
            self._action("&Every analyst's stripes", None, lambda: self.page.show_sides(None))
        )

        play_menu = self.menuBar().addMenu("&Play")
        for name in ("play", "key", "back", "forward", "slower", "faster"):
            play_menu.addAction(actions[name])

    def _build_view_menus(self) -> None:
        """View (dark theme, the docks) and Help."""
        view_menu = self.menuBar().addMenu("&View")
        self.dark_action = self._action("&Dark theme", "Ctrl+Shift+D", self._toggle_dark)
        self.dark_action.setCheckable(True)
        self.dark_action.setChecked(theme.current() is theme.DARK)
        view_menu.addAction(self.dark_action)
        originals = "Show &originals (key holder)"
        self.originals_action = self._action(originals, None, self._toggle_originals)
        self.originals_action.setCheckable(True)
        self.page.originals_left.connect(self._originals_left)
        view_menu.addAction(self.originals_action)
        for dock in self.findChildren(QDockWidget):
            view_menu.addAction(dock.toggleViewAction())

        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(self._action("&Keyboard shortcuts…", "F1", self.show_shortcuts))

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
        leaving = self.pages.currentIndex()
        if leaving == 0 and number != 0:
            self._dock_state = self.saveState()  # which tab is in front, each dock's size
        self.pages.setCurrentIndex(number)
        self.mode_actions[number].setChecked(True)
        for dock in self.findChildren(QDockWidget):
            dock.setVisible(number == 0)
        if number == 0 and leaving != 0 and self._dock_state is not None:
            self.restoreState(self._dock_state)  # shown again one by one, the last in front
        views: dict[int, HeatmapView | TimelineView | ThemeBoard] = {
            1: self.heatmap,
            2: self.timeline,
            3: self.board,
        }
        view = views.get(number)
        if view is not None and view.project is not self.project:
            view.set_project(self.project)
        elif view is not None and number in self._stale_views:
            view.refresh()  # e.g. themes nested or reordered on the board: the same order here
        self._stale_views.discard(number)

    def _views_stale(self, *_: object) -> None:
        """The project changed: each longitudinal view re-reads it when next shown."""
        self._stale_views |= {1, 2, 3}

    # --- undo: the window's stack over the project's own history -------------------------------

    def shortcuts(self) -> list[tuple[str, str, str]]:
        """(where, action, keys) for every key in the window (see ``ui/shortcuts.py``)."""
        return window_shortcuts(self)

    def show_shortcuts(self) -> None:
        box = ShortcutsDialog(self, self.shortcuts())
        had_focus = QApplication.focusWidget()
        box.finished.connect(lambda _result: self._focus_back(had_focus))
        box.open()

    def _focus_back(self, widget: QWidget | None) -> None:
        """A closed dialog hands the keyboard back to where it was, so the next key works."""
        self.activateWindow()
        if widget is not None and widget.isVisible():
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def _toggle_originals(self) -> None:
        """A key holder's reading: transcript, memos, journal and cell summaries (ui/originals)."""
        panels: list[Reveals] = [self.memos, self.heatmap.details, self.timeline.details]
        if not toggle_originals(self.page, panels, self.originals_action.isChecked()):
            self.originals_action.setChecked(False)

    def _originals_left(self) -> None:
        self.originals_action.setChecked(False)
        for panel in (self.memos, self.heatmap.details, self.timeline.details):
            panel.set_reveal(None)

    def _toggle_dark(self) -> None:
        app = QApplication.instance()
        if not isinstance(app, QApplication):
            return
        dark = self.dark_action.isChecked()
        # A new style sheet changes the docks' size hints and Qt lays them out afresh (another
        # tab in front, the study pane grown): the arrangement the user made is put back.
        state = self.saveState()
        theme.apply(app, theme.DARK if dark else theme.LIGHT)
        app.processEvents()  # the style change's layout requests, before putting the docks back
        self.restoreState(state)
        self.settings.setValue("view/dark", "true" if dark else "false")
        self.editor.apply_theme()
        self.page.audio.apply_theme()
        self.board.apply_theme()

    def _board_changed(self, description: str, change: object) -> None:
        self.statusBar().showMessage(description, 8000)
        if isinstance(change, tuple):
            change = change[-1]
        if isinstance(change, Change):
            self.undo.record(change)
        self.refresh()

    def _show_compare(self) -> None:
        if self.project is None:
            self.page.notice.show_message("Open or create a project first.", error=True)
            return
        from workbench.ui.compare_dialog import CompareDialog

        dialog = CompareDialog(self.project, self)
        dialog.decided.connect(lambda change: self._board_changed(change.description, change))
        dialog.sides.connect(self._show_sides)
        dialog.exec()

    def _show_queue(self) -> None:
        if self.project is None:
            self.page.notice.show_message("Open or create a project first.", error=True)
            return
        if self.page.job is not None:
            self.page.notice.show_message(
                "A transcription is running in the window: let it end, or cancel it, first.",
                error=True,
            )
            return
        from workbench.ui.queue_dialog import QueueDialog

        QueueDialog(self.project, self).exec()
        self.refresh()
        self.page.reload()

    def _show_sides(self, a: str, b: str) -> None:
        self.show_mode(0)
        self.page.show_sides((a, b))

    def _undo_refused(self, reason: str) -> None:
        self.statusBar().showMessage(reason, 8000)
        self.page.notice.show_message(reason, error=True)

    def _undone(self, description: str) -> None:
        self.statusBar().showMessage(description, 8000)
        self.refresh()
        self.page.reload()
        self._refresh_views()

    def _refresh_views(self) -> None:
        """The longitudinal views read the project again: the one on screen now, others when
        next shown."""
        self._views_stale()
        if self.pages.currentIndex() == 1:
            self.heatmap.refresh()
        elif self.pages.currentIndex() == 2:
            self.timeline.refresh()
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

    # --- projects (opening one, the recent ones: ui/window_files.py) -----------------------

    def open_location(self, location: str) -> bool:
        if not settle_running_job(self.page, "another project opens"):
            return False
        if self.project is not None and not self._save_typing("another project opens"):
            return False
        project = self._open_or_restore(location)
        if project is None:
            return False
        if self.project is not None:
            self._stop_watching()
            self.project.close()
        self.project = project
        self.watcher = ChangeWatcher(project)
        self._watch.start()
        self.undo.set_project(project)
        self.page.set_project(project)
        if self.pages.currentIndex() == 1:
            self.heatmap.set_project(project)
        elif self.pages.currentIndex() == 2:
            self.timeline.set_project(project)
        elif self.pages.currentIndex() == 3:
            self.board.set_project(project)
        self._remember(location)
        self.refresh()
        if project.warnings:
            self.banner.setText("⚠ " + "\n⚠ ".join(project.warnings))
            self.banner.show()
        else:
            self.banner.hide()
        return True

    def _save_typing(self, why: str) -> bool:
        """A memo, cell summary or definition typed and not saved is saved where it was written;
        one a colleague's newer text refused is asked about (``ui/unsaved.py``). False: stay."""
        kept = (self.heatmap.details, self.timeline.details, self.code_tree)
        return unsaved.settle(self, (self.memos,), kept, why)

    def _stop_watching(self) -> None:
        self.gate_status.stop()
        self._watch.stop()
        if self.watcher is not None:
            self.watcher.close()
            self.watcher = None

    def _own_write(self) -> None:
        """The window's own worker committed (the export gate's verdict): not a colleague's."""
        if self.watcher is not None:
            self.watcher.changes()

    def _colleagues(self) -> None:
        """Someone else committed (another window, the command line, a colleague on the team
        server): show it without touching the user's selection or a half-typed correction."""
        if self.watcher is None or not self.watcher.changes():
            return
        self.refresh()
        self.page.refresh_from_project()
        self._refresh_views()
        self.statusBar().showMessage("Updated with changes saved elsewhere", 4000)

    def refresh(self) -> None:
        if self.project is None:
            return
        if self.watcher is not None:
            self.watcher.changes()  # what this window shows next includes them: not news
        info = summary(self.project)
        self.setWindowTitle(f"{info.title} — Dyad Workbench")
        running = self.page.job.interview if self.page.job is not None else None
        self.grid_model.set_grid(
            study_grid(self.project), frozenset({running} if running else set())
        )
        self._mark_open()
        self.participants_model.set_rows(list_participants(self.project))
        self.participants.resizeColumnsToContents()
        self.project_label.setText(
            f"{info.location}   ·   {info.participants} participants · {info.dyads} dyads · "
            f"{info.interviews} interviews · {info.utterances} utterances · {info.codings} codings"
        )
        self._refresh_coding_docks()
        self.gate_status.changed(self.project)

    # --- codes and retrieval --------------------------------------------------------------

    def _add_coding_docks(self) -> None:
        self.code_tree = CodeTreeWidget()
        self.retrieval = RetrievalPane()
        # As in MAXQDA: codes below the study on the left (a tab beside the participants), the
        # segments they retrieve under the transcript.
        codes = self._dock("Codes", self.code_tree, "codesDock")
        participants = self.findChild(QDockWidget, "participantsDock")
        if participants is not None:
            self.tabifyDockWidget(participants, codes)
        codes.raise_()
        found = self._dock("Retrieval", self.retrieval, "retrievalDock")
        self.removeDockWidget(found)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, found)
        found.show()
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.resizeDocks([found], [280], Qt.Orientation.Vertical)
        study = self.findChild(QDockWidget, "studyDock")
        if study is not None:
            self.resizeDocks([study], [540], Qt.Orientation.Horizontal)
            self.resizeDocks([study, codes], [230, 470], Qt.Orientation.Vertical)
        self.code_tree.codes_selected.connect(self.retrieval.set_codes)
        # The tree has already shown its own change; the rest of the window follows once the
        # tree's editor or drag has finished.
        self.code_tree.changed.connect(self.undo.record)
        self.code_tree.changed.connect(lambda _change: QTimer.singleShot(0, self.refresh))
        self.code_tree.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.retrieval.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.retrieval.jump_requested.connect(self.jump_to_segment)
        self.search = SearchPane()  # beside the retrieval: found words, as coded segments are
        self.tabifyDockWidget(found, self._dock("Search", self.search, "searchDock"))
        found.raise_()
        self.search.jump_requested.connect(self.jump_to_segment)

        self.memos = MemoPanel()
        memos = self._dock("Memos", self.memos, "memosDock")
        self.tabifyDockWidget(codes, memos)
        codes.raise_()
        self.memos.changed.connect(self.undo.record)
        self.memos.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.code_tree.codes_selected.connect(
            lambda paths: self.memos.set_context(code=paths[0]) if paths else None
        )

    def _refresh_coding_docks(self) -> None:
        if self.code_tree.project is not self.project:
            self.code_tree.set_project(self.project)
            self.retrieval.set_project(self.project)
            self.memos.set_project(self.project)
            self.search.set_project(self.project)
            return
        self.memos.refresh()
        self.search.refresh()
        self.code_tree.refresh()
        self.retrieval.reload_choices()
        self.retrieval.refresh()

    def show_search(self) -> None:
        """The search pane in front (on the transcripts), its line ready for words."""
        if self.pages.currentIndex() != 0:
            self.show_mode(0)
        dock = self.findChild(QDockWidget, "searchDock")
        if dock is not None:
            dock.show()
            dock.raise_()
        self.search.focus_query()

    def jump_to_segment(self, interview: str, start: int, end: int) -> None:
        """Open the segment's interview with the segment selected in the editor.

        ``start`` and ``end`` count code points of the interview text (see RetrievalPane)."""
        if self.project is None:
            return
        self.open_interview(interview)
        if self.page.interview == interview:
            self.editor.select_span(start, end)
            self.editor.centerCursor()  # the words in the middle, not on the bottom edge
            self.editor.setFocus()

    # --- transcript --------------------------------------------------------------------------

    def _open_cell(self, index: QModelIndex) -> None:
        interview = self.grid_model.data(index, StudyGridModel.InterviewRole)
        self.page.show_interview(interview)
        if interview:
            self.memos.set_context(interview=interview)

    def _cell_menu(self, point: QPoint) -> None:
        interviews = self.grid_model.interviews_at(self.navigator.indexAt(point))
        if not interviews or self.project is None:
            return
        menu = QMenu(self)
        for iv in interviews:
            if len(interviews) > 1:
                menu.addSection(iv.id)
            menu.addAction("Open transcript").triggered.connect(
                lambda _=False, key=iv.id: self.open_interview(key)
            )
            status = menu.addMenu("Set status")
            for value in InterviewStatus:
                action = status.addAction(value.value)
                action.setCheckable(True)
                action.setChecked(value is iv.status)
                action.triggered.connect(
                    lambda _=False, key=iv.id, v=value: self._ask_status(key, v)
                )
        menu.exec(self.navigator.viewport().mapToGlobal(point))

    def _ask_status(self, interview: str, status: InterviewStatus) -> None:
        reason: str | None = None
        if status is InterviewStatus.STOPPED:
            text, ok = QInputDialog.getText(
                self, "Interview stopped", "Why was it stopped (kept with the status)?"
            )
            if not ok:
                return
            reason = text.strip() or None
        self.set_status(interview, status, reason)

    def set_status(
        self, interview: str, status: InterviewStatus, reason: str | None = None
    ) -> bool:
        if self.project is None:
            return False
        try:
            set_interview_status(self.project, interview, status, reason=reason)
        except USER_ERRORS as exc:
            self.page.notice.show_message(str(exc), error=True)
            return False
        self.statusBar().showMessage(f"{interview}: {status.value}", 6000)
        self.refresh()
        return True

    def open_interview(self, interview: str) -> None:
        self.show_mode(0)
        self.page.show_interview(interview)
        self.memos.set_context(interview=interview)
        self._mark_open()

    def _mark_open(self) -> None:
        """The navigator keeps the open interview's cell highlighted (a refresh resets it)."""
        index = self.grid_model.index_of(self.page.interview) if self.page.interview else None
        if index is not None and index.isValid():
            self.navigator.setCurrentIndex(index)
        else:
            self.navigator.clearSelection()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.page.editor.has_pending_edit():
            self.page.editor.commit()
        why = "the window closes"
        if not settle_running_job(self.page, why) or not self._save_typing(why):
            event.ignore()
            return
        self.settings.setValue("window/geometry", self.saveGeometry())
        docked = self.pages.currentIndex() != 0 and self._dock_state is not None
        self.settings.setValue("window/state", self._dock_state if docked else self.saveState())
        if self.task is not None:
            self.task.wait(60_000)  # an export or import is one transaction: let it end
        if self.project is not None:
            self._stop_watching()
            self.project.close()
        super().closeEvent(event)
