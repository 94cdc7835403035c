"""The code tree: the codebook as a tree to reshape by mouse and keyboard.

``CodeTreeModel`` (in ``ui/code_tree_model.py``) is a QAbstractItemModel over ``list_codes``;
every change it makes (rename in place, a drop that re-parents) calls the core's undoable
command and reports the core's refusal as a message, never a traceback. ``CodeTreeWidget`` adds
a filter box, the actions (new code, new child, rename, colour, merge, delete), a definition
editor, and the signals the window uses.

Codes are identified by their path (names from the root joined by " / "), as the core's
functions take them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import (
    QItemSelection,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QColorDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from workbench.coding.codebook import (
    PATH_SEPARATOR,
    CodeInfo,
    add_code,
    delete_code,
    list_codes,
    merge_codes,
    update_code,
)
from workbench.coding.undo import Change
from workbench.storage.project import Project
from workbench.ui.code_tree_model import MIME_TYPE, CodeTreeModel

__all__ = ["MIME_TYPE", "CodeTreeModel", "CodeTreeWidget"]
"""The model's names stay importable from here (the editor, the window and the tests use them)."""


class _CodeFilter(QSortFilterProxyModel):
    def __init__(self) -> None:
        super().__init__()
        self.setRecursiveFilteringEnabled(True)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(0)


def _define(project: Project, *, path: str, text: str, expected: str) -> tuple[CodeInfo, Change]:
    return update_code(project, path, definition=text, expected_definition=expected)


class CodeTreeWidget(QWidget):
    """The codebook dock: filter box, tree, actions and the selected code's definition."""

    codes_selected = Signal(list)
    """Paths of the selected codes (the core names codes by path)."""
    changed = Signal(object)
    """A core command changed the project (the ``Change``): refresh what shows it."""
    message = Signal(str)
    """Something for the status bar: what was done, or why it was refused."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeTree")
        self.setStyleSheet(
            "QLabel#codeError { color: #9b2c2c; background: #fdecec; border: 1px solid #f3c4c4;"
            " border-radius: 4px; padding: 6px; }"
            " QLabel#definitionTitle { font-weight: 600; }"
            " QTreeView#codeView { border: 1px solid #d9dce1; }"
            " QTreeView#codeView::item { padding: 3px 0; }"
        )
        self.project: Project | None = None
        self.model = CodeTreeModel()
        self.model.error.connect(self._show_error)
        self.model.changed.connect(self._report)
        self.proxy = _CodeFilter()
        self.proxy.setSourceModel(self.model)
        self._saved: tuple[list[str], list[str], str | None] = ([], [], None)
        self.model.modelAboutToBeReset.connect(self._save_state)
        self.model.modelReset.connect(self._restore_state)

        self._build_view()
        self._build_definition()
        self._build_actions()
        self._build_layout()
        self._show_definition(None)

    def _build_view(self) -> None:
        """The filter box and the tree."""
        self.filter = QLineEdit()
        self.filter.setObjectName("codeFilter")
        self.filter.setPlaceholderText("Filter codes…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter_changed)

        self.view = QTreeView()
        self.view.setObjectName("codeView")
        self.view.setModel(self.proxy)
        self.view.setHeaderHidden(False)
        self.view.setUniformRowHeights(True)
        self.view.setAnimated(True)
        self.view.setIndentation(16)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.view.setDragEnabled(True)
        self.view.setAcceptDrops(True)
        self.view.setDropIndicatorShown(True)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)

    def _build_definition(self) -> None:
        """The refusal label under the tree and the selected code's definition editor."""
        self.error_label = QLabel()
        self.error_label.setObjectName("codeError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self._error_timer = QTimer(self)
        self._error_timer.setSingleShot(True)
        self._error_timer.timeout.connect(self.error_label.hide)

        self.definition_title = QLabel("Definition")
        self.definition_title.setObjectName("definitionTitle")
        self.definition = QPlainTextEdit()
        self.definition.setObjectName("definition")
        self.definition.setPlaceholderText("What this code means, when to use it…")
        self.definition.setTabChangesFocus(True)
        self.definition.textChanged.connect(self._definition_edited)
        self.save_definition = QPushButton("Save")
        self.save_definition.setShortcut(QKeySequence("Ctrl+Return"))
        self.save_definition.setToolTip("Save the definition (Ctrl+Enter)")
        self.save_definition.clicked.connect(lambda: self.save_current_definition(knowingly=True))
        self._definition_path: str | None = None
        self._definition_read = ""
        """The definition as shown when the code was chosen (what the analyst read)."""
        self._kept_definitions: dict[str, tuple[str, str]] = {}
        """Definitions typed and refused on leaving their code, by path, with the definition
        the analyst had read: shown again there."""
        self._definition_theirs: str | None = None
        """A colleague's newer definition the analyst was told of (a save refused): the next
        Save replaces it knowingly; saves made on the analyst's behalf never do."""

    def _build_layout(self) -> None:
        """The tool bar, the tree above and the definition below a splitter."""
        bar = QHBoxLayout()
        bar.setSpacing(4)
        bar.setContentsMargins(0, 0, 0, 0)
        for action in (self.new_action, self.child_action, self.merge_action, self.colour_action):
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setAutoRaise(True)
            bar.addWidget(button)
        bar.addStretch(1)
        delete_button = QToolButton()
        delete_button.setDefaultAction(self.delete_action)
        delete_button.setAutoRaise(True)
        bar.addWidget(delete_button)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.setSpacing(6)
        top_layout.addWidget(self.filter)
        top_layout.addLayout(bar)
        top_layout.addWidget(self.view, 1)
        top_layout.addWidget(self.error_label)

        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 4, 0, 0)
        bottom_layout.setSpacing(4)
        row = QHBoxLayout()
        row.addWidget(self.definition_title, 1)
        row.addWidget(self.save_definition)
        bottom_layout.addLayout(row)
        bottom_layout.addWidget(self.definition, 1)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        self.definition.setMinimumHeight(3 * self.definition.fontMetrics().lineSpacing() + 12)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(splitter)

    def _build_actions(self) -> None:
        def make(text: str, shortcut: str, slot: Callable[[], object], tip: str) -> QAction:
            action = QAction(text, self)
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.setToolTip(f"{tip} ({QKeySequence(shortcut).toString()})")
            action.triggered.connect(lambda _=False: slot())
            self.addAction(action)
            return action

        # Window-wide keys (Ctrl+N new project, Ctrl+M verified, …) are not reused here: a key
        # bound twice where both apply fires neither.
        self.new_action = make("New code", "Ins", self.new_code, "Add a code at the top")
        self.child_action = make(
            "New child", "Shift+Ins", self.new_child_code, "Add a code under the selected one"
        )
        self.rename_action = make("Rename", "F2", self.rename_current, "Rename the code")
        self.colour_action = make("Colour…", "Ctrl+Shift+C", self.choose_colour, "Pick a colour")
        self.merge_action = make(
            "Merge…", "Ctrl+Alt+M", self.merge_selected, "Merge two selected codes into one"
        )
        self.delete_action = make("Delete", "Del", self.delete_selected, "Delete the codes")
        # F2 and Del belong to the tree alone: in the filter box or the definition they edit text.
        for action in (self.rename_action, self.delete_action):
            self.removeAction(action)
            self.view.addAction(action)
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.find_action = make("Filter", "Ctrl+F", self._focus_filter, "Filter the codes")

    # --- project ---------------------------------------------------------------------------------

    def set_project(self, project: Project | None) -> None:
        """Show ``project``'s codebook. The window saves a definition being typed
        (``commit_pending``) before it closes the project it was typed in."""
        if project is not self.project:  # nothing typed for one project is written to another
            self._definition_path = None
            self._kept_definitions.clear()
            self.save_definition.setEnabled(False)
        self.project = project
        self.model.project = project
        self.refresh()

    def commit_pending(self) -> bool:
        """Save a definition typed and not saved; False when refused (said why)."""
        return not self.save_definition.isEnabled() or self.save_current_definition()

    def unsaved(self) -> list[str]:
        """Definitions typed and refused (after ``commit_pending``), a line each."""
        paths = list(self._kept_definitions)
        if self.save_definition.isEnabled() and self._definition_path is not None:
            paths.append(self._definition_path)
        return [f"your definition of the code “{path}”" for path in paths]

    def save_unsaved_over_theirs(self) -> list[str]:
        """Save every refused definition over the colleague's newer one, the analyst having
        been asked; what failed even so."""
        if self.project is None:
            return []
        kept = dict(self._kept_definitions)
        if self.save_definition.isEnabled() and self._definition_path is not None:
            kept[self._definition_path] = (self.definition.toPlainText(), "")
        stored = {c.path: c.definition or "" for c in list_codes(self.project)}
        failed = []
        for path, (text, _) in kept.items():
            result = self.model._run(
                partial(_define, path=path, text=text.strip(), expected=stored.get(path, ""))
            )
            if result is None:
                failed.append(f"your definition of the code “{path}”")
                continue
            self._kept_definitions.pop(path, None)
            if path == self._definition_path:
                self._definition_read, self._definition_theirs = text.strip(), None
                self.save_definition.setEnabled(False)
            self._report(result[1])
        return failed

    def discard_unsaved(self) -> None:
        """Drop every refused definition (the analyst chose theirs)."""
        self._kept_definitions.clear()
        self.save_definition.setEnabled(False)

    def refresh(self) -> None:
        """Reload the codebook, keeping what is expanded and selected."""
        self.model.reload()

    def _save_state(self) -> None:
        self._saved = (
            [p for p in self.model.paths() if self.view.isExpanded(self._view_index(p))],
            self.selected_paths(),
            self.current_path(),
        )

    def _restore_state(self) -> None:
        expanded, selected, current = self._saved
        self._saved = ([], [], None)
        moves = self.model.take_moves()

        def mapped(path: str) -> str:
            for old, new in moves.items():
                if path == old or path.startswith(old + PATH_SEPARATOR):
                    return new + path[len(old) :]
            return path

        self._restore(
            [mapped(p) for p in expanded],
            [mapped(p) for p in selected],
            mapped(current) if current else None,
        )

    def _restore(self, expanded: list[str], selected: list[str], current: str | None) -> None:
        for path in expanded:
            self.view.setExpanded(self._view_index(path), True)
        for path in selected:  # a moved code shows where it went
            self._expand_to(self._view_index(path))
        selection = QItemSelection()
        for path in selected:
            index = self._view_index(path)
            if index.isValid():
                selection.select(index, index.siblingAtColumn(1))
        blocker = self.view.selectionModel().blockSignals(True)
        self.view.selectionModel().select(
            selection, self.view.selectionModel().SelectionFlag.ClearAndSelect
        )
        if current is not None and self._view_index(current).isValid():
            self.view.selectionModel().setCurrentIndex(
                self._view_index(current), self.view.selectionModel().SelectionFlag.NoUpdate
            )
        self.view.selectionModel().blockSignals(blocker)
        self._selection_changed()

    def _view_index(self, path: str) -> QModelIndex:
        return self.proxy.mapFromSource(self.model.index_of(path))

    # --- selection -------------------------------------------------------------------------------

    def selected_paths(self) -> list[str]:
        rows = self.view.selectionModel().selectedRows(0)
        paths = [self.proxy.data(i, CodeTreeModel.PathRole) for i in rows]
        return [p for p in paths if p]

    def current_path(self) -> str | None:
        index = self.view.currentIndex()
        path = self.proxy.data(index, CodeTreeModel.PathRole) if index.isValid() else None
        return str(path) if path else None

    def select_path(self, path: str) -> None:
        index = self._view_index(path)
        if not index.isValid():
            return
        self._expand_to(index)
        self.view.selectionModel().setCurrentIndex(
            index,
            self.view.selectionModel().SelectionFlag.ClearAndSelect
            | self.view.selectionModel().SelectionFlag.Rows,
        )
        self.view.scrollTo(index)

    def _expand_to(self, index: QModelIndex) -> None:
        parent = index.parent()
        while parent.isValid():
            self.view.setExpanded(parent, True)
            parent = parent.parent()

    def _selection_changed(self, *_: Any) -> None:
        paths = self.selected_paths()
        self._show_definition(paths[0] if len(paths) == 1 else None)
        one = len(paths) == 1
        self.child_action.setEnabled(one)
        self.rename_action.setEnabled(one)
        self.colour_action.setEnabled(bool(paths))
        self.merge_action.setEnabled(len(paths) == 2)
        self.delete_action.setEnabled(bool(paths))
        self.codes_selected.emit(paths)

    # --- definition ------------------------------------------------------------------------------

    def _show_definition(self, path: str | None) -> None:
        typing = self.save_definition.isEnabled()  # typed, not saved
        left = self._definition_path
        if path != left and typing and left is not None and not self.save_current_definition():
            # Refused (a colleague's newer definition, said in the label): the typing is kept
            # and comes back with that code, where a save then replaces theirs knowingly.
            self._kept_definitions[left] = (self.definition.toPlainText(), self._definition_read)
        elif path is not None and path == left and typing:
            return  # the codebook read again (after any change): the typing stays, unsaved
        self._definition_path = path
        info = self.model.info(self.model.index_of(path)) if path else None
        blocker = self.definition.blockSignals(True)
        stored = info.definition or "" if info else ""
        kept = self._kept_definitions.pop(path, None) if path else None
        typed, self._definition_read = kept if kept is not None else (stored, stored)
        self._definition_theirs = stored if kept is not None else None
        self.definition.setPlainText(typed)
        self.definition.blockSignals(blocker)
        self.definition.setEnabled(info is not None)
        self.definition_title.setText(f"Definition of “{info.name}”" if info else "Definition")
        self.save_definition.setEnabled(kept is not None)

    def _definition_edited(self) -> None:
        self.save_definition.setEnabled(self._definition_path is not None)

    def save_current_definition(self, *, knowingly: bool = False) -> bool:
        """Save the definition typed for the code shown; False when refused (said why): a
        colleague's newer definition is never overwritten unknowingly. ``knowingly`` (the
        analyst's own Save): a definition they were told of is replaced."""
        path = self._definition_path
        if path is None:
            return True
        text = self.definition.toPlainText().strip()
        theirs = self._definition_theirs
        read = theirs if knowingly and theirs is not None else self._definition_read
        result = self.model._run(
            lambda p: update_code(p, path, definition=text, expected_definition=read)
        )
        if result is not None:
            self._definition_read, self._definition_theirs = text, None
            self.model.update_info(path, result[0])
            self.save_definition.setEnabled(False)
            self._report(result[1])
        elif knowingly and self.project is not None:  # told now: Save again replaces theirs
            stored = {c.path: c.definition for c in list_codes(self.project)}.get(path)
            self._definition_theirs = stored or ""
        return result is not None

    # --- actions ---------------------------------------------------------------------------------

    def _unique_name(self, parent: str | None, base: str = "New code") -> str:
        prefix = parent + PATH_SEPARATOR if parent else ""
        taken = set(self.model.paths())
        name, n = base, 1
        while prefix + name in taken:
            n += 1
            name = f"{base} {n}"
        return name

    def new_code(self, parent: str | None = None, name: str | None = None) -> str | None:
        """Add a code (under ``parent``) and start renaming it in place; its path, or None."""
        if self.project is None:
            return None
        name = name or self._unique_name(parent)
        result = self.model._run(lambda p: add_code(p, name, parent=parent))
        if result is None:
            return None
        info, change = result
        self.filter.clear()
        self.refresh()
        self.select_path(info.path)
        self._report(change)
        if self.isVisible():
            self.view.edit(self.view.currentIndex())
        return info.path

    def new_child_code(self) -> str | None:
        paths = self.selected_paths()
        if len(paths) != 1:
            self._show_error("select the code to add a child code under")
            return None
        return self.new_code(parent=paths[0])

    def rename_current(self) -> None:
        index = self.view.currentIndex()
        if index.isValid():
            self.view.edit(index.siblingAtColumn(0))

    def choose_colour(self, colour: str | None = None) -> None:
        paths = self.selected_paths()
        if not paths:
            return
        if colour is None:
            first = self.model.info(self.model.index_of(paths[0]))
            initial = QColor(first.color) if first and first.color else QColor("#2a6f97")
            picked = QColorDialog.getColor(initial, self, "Code colour")
            if not picked.isValid():
                return
            colour = picked.name()
        for path in paths:
            result = self.model._run(partial(update_code, code=path, color=colour))
            if result is None:
                return
            self.model.update_info(path, result[0])
            self._report(result[1])

    def merge_selected(self) -> None:
        paths = self.selected_paths()
        if len(paths) != 2:
            self._show_error("select two codes to merge (Ctrl+click the second)")
            return
        first, second = paths
        current = self.current_path()
        if current == first:  # merge into the one clicked last
            first, second = second, first
        box = QMessageBox(self)
        box.setWindowTitle("Merge codes")
        box.setIcon(QMessageBox.Icon.Question)
        box.setText(f"Merge “{first}” into “{second}”?")
        box.setInformativeText(
            f"The codings, sub-codes and memos of “{first}” move to “{second}”, and “{first}” "
            "is deleted. Undo (Ctrl+Z) puts it back."
        )
        into = box.addButton(f"Merge into “{second}”", QMessageBox.ButtonRole.AcceptRole)
        other = box.addButton(f"Merge into “{first}”", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        clicked = box.clickedButton()
        if clicked is into:
            self.merge(first, second)
        elif clicked is other:
            self.merge(second, first)

    def merge(self, source: str, into: str) -> bool:
        result = self.model._run(lambda p: merge_codes(p, source, into))
        if result is None:
            return False
        self.refresh()
        self.select_path(result[0].path)
        self._report(result[1])
        return True

    def delete_selected(self, confirm: bool | None = None) -> None:
        """Delete the selected codes after asking (``confirm`` answers for the caller)."""
        paths = self.selected_paths()
        # A code inside another selected one goes with it.
        paths = [p for p in paths if not any(p.startswith(q + PATH_SEPARATOR) for q in paths)]
        if not paths:
            return
        if confirm is None:
            codings = sum(self.model.total_codings(self.model.index_of(p)) for p in paths)
            subs = sum(self.model.subcode_count(self.model.index_of(p)) for p in paths)
            what = f"“{paths[0]}”" if len(paths) == 1 else f"{len(paths)} codes"
            detail = []
            if subs:
                detail.append(f"{subs} sub-code{'s' if subs != 1 else ''}")
            if codings:
                detail.append(f"{codings} coding{'s' if codings != 1 else ''}")
            text = f"Delete {what}" + (f" with {' and '.join(detail)}" if detail else "") + "?"
            answer = QMessageBox.question(
                self, "Delete code", text + "\n\nUndo (Ctrl+Z) brings it back."
            )
            confirm = answer == QMessageBox.StandardButton.Yes
        if not confirm:
            return
        for path in paths:
            change = self.model._run(partial(delete_code, code=path, confirm=True))
            if change is None:
                break
            self._report(change)
        self.refresh()

    def _focus_filter(self) -> None:
        self.filter.setFocus()
        self.filter.selectAll()

    def _filter_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        if text.strip():
            self.view.expandAll()

    def _context_menu(self, pos: Any) -> None:
        menu = QMenu(self)
        for action in (self.new_action, self.child_action, self.rename_action):
            menu.addAction(action)
        menu.addSeparator()
        for action in (self.colour_action, self.merge_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.delete_action)
        menu.exec(self.view.viewport().mapToGlobal(pos))

    # --- reporting -------------------------------------------------------------------------------

    def _report(self, change: Change) -> None:
        self.error_label.hide()
        self.message.emit(change.description)
        self.changed.emit(change)

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text[:1].upper() + text[1:])
        self.error_label.show()
        self._error_timer.start(10000)
        self.message.emit(text)
