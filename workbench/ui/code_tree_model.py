"""The code tree's model: the codebook as a QAbstractItemModel over ``list_codes``.

Every change it makes (rename in place, a drop that re-parents) calls the core's undoable
command and reports the core's refusal as a message, never a traceback. Codes are identified by
their path (names from the root joined by " / "), as the core's functions take them. The dock
around it (filter, actions, definition) is ``ui/code_tree.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any, TypeVar

from PySide6.QtCore import (
    QAbstractItemModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from workbench.coding.codebook import (
    PATH_SEPARATOR,
    list_codes,
    move_code,
    rename_code,
)
from workbench.coding.undo import Change
from workbench.domain.coding import CodeInfo
from workbench.domain.study import StudyError
from workbench.storage.project import Project

_Index = QModelIndex | QPersistentModelIndex
T = TypeVar("T")
MIME_TYPE = "application/x-dyad-code-paths"
NO_COLOUR = "#c3c8cf"


class _Node:
    __slots__ = ("children", "info", "key", "parent")

    def __init__(self, key: int, info: CodeInfo | None, parent: _Node | None) -> None:
        self.key = key
        self.info = info
        self.parent = parent
        self.children: list[_Node] = []

    def row(self) -> int:
        return self.parent.children.index(self) if self.parent is not None else 0

    def subtree(self) -> list[_Node]:
        found, frontier = [], list(self.children)
        while frontier:
            node = frontier.pop()
            found.append(node)
            frontier.extend(node.children)
        return found


_swatches: dict[str, QIcon] = {}


def swatch(colour: str | None) -> QIcon:
    """A small round swatch of the code's colour; a hollow ring for a code without one."""
    key = colour or ""
    if key not in _swatches:
        pixmap = QPixmap(28, 28)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if colour:
            painter.setPen(QColor(colour).darker(115))
            painter.setBrush(QColor(colour))
        else:
            pen = painter.pen()
            pen.setColor(QColor(NO_COLOUR))
            pen.setWidth(2)
            painter.setPen(pen)
        painter.drawEllipse(4, 4, 20, 20)
        painter.end()
        _swatches[key] = QIcon(pixmap)
    return _swatches[key]


class CodeTreeModel(QAbstractItemModel):
    """Codes as a tree: column 0 the name (editable; swatch as decoration), column 1 the codings.

    Structural changes (add, move, delete, merge, undo) reload the tree; a rename or an edit of
    colour or definition updates its rows in place.
    """

    PathRole = Qt.ItemDataRole.UserRole + 1
    InfoRole = Qt.ItemDataRole.UserRole + 2
    HEADERS = ("Code", "Codings")

    changed = Signal(object)
    """A core command changed the project (the ``Change``)."""
    error = Signal(str)
    """The core refused a change; the message is for the user."""

    def __init__(self, project: Project | None = None) -> None:
        super().__init__()
        self.project = project
        self._root = _Node(0, None, None)
        self._nodes: dict[int, _Node] = {}
        self._next_key = 1
        self._moves: dict[str, str] = {}
        self._by_path: dict[str, int] = {}
        self.reload()

    # --- loading ---------------------------------------------------------------------------------

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.reload()

    def reload(self) -> None:
        codes = list_codes(self.project) if self.project is not None else []
        self.beginResetModel()
        self._root = _Node(0, None, None)
        self._nodes = {}
        by_path: dict[str, _Node] = {}
        for info in codes:  # parents come before their children
            parent = by_path.get(info.parent) if info.parent else self._root
            node = _Node(self._next_key, info, parent or self._root)
            self._next_key += 1
            (parent or self._root).children.append(node)
            self._nodes[node.key] = node
            by_path[info.path] = node
        self._index_paths()
        self.endResetModel()

    def take_moves(self) -> dict[str, str]:
        """Old path → new path of the codes the last drop moved (for a view to follow them)."""
        moves, self._moves = self._moves, {}
        return moves

    # --- lookups ---------------------------------------------------------------------------------

    def _node(self, index: _Index) -> _Node:
        if not index.isValid():
            return self._root
        return self._nodes.get(index.internalId(), self._root)

    def info(self, index: _Index) -> CodeInfo | None:
        return self._node(index).info

    def index_of(self, path: str) -> QModelIndex:
        node = self._nodes.get(self._by_path.get(path, -1))
        if node is None:
            return QModelIndex()
        return self.createIndex(node.row(), 0, node.key)

    def _index_paths(self) -> None:
        self._by_path = {n.info.path: key for key, n in self._nodes.items() if n.info is not None}

    def find(self, name_or_path: str) -> str:
        """The path of the code with this path, else of the first code with this name."""
        paths = self.paths()
        if name_or_path in paths:
            return name_or_path
        named = [p for p in paths if p.rsplit(PATH_SEPARATOR, 1)[-1] == name_or_path]
        return named[0] if named else name_or_path

    def paths(self) -> list[str]:
        """Every code's path, parents before children."""

        def walk(node: _Node) -> list[str]:
            out: list[str] = []
            for child in node.children:
                assert child.info is not None
                out.append(child.info.path)
                out += walk(child)
            return out

        return walk(self._root)

    def total_codings(self, index: _Index) -> int:
        """Codings of the code and of its sub-codes."""
        node = self._node(index)
        return sum(n.info.codings for n in [node, *node.subtree()] if n.info is not None)

    def subcode_count(self, index: _Index) -> int:
        return len(self._node(index).subtree())

    # --- QAbstractItemModel ----------------------------------------------------------------------

    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        node = self._node(parent)
        return self.createIndex(row, column, node.children[row].key)

    def parent(self, index: _Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        node = self._node(index).parent
        if node is None or node is self._root:
            return QModelIndex()
        return self.createIndex(node.row(), 0, node.key)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._node(parent).children)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        info = self.info(index)
        if info is None:
            return None
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if column == 0:
                return info.name
            if role == Qt.ItemDataRole.DisplayRole:
                total = self.total_codings(index)
                return str(info.codings) if total == info.codings else f"{info.codings} ({total})"
            return info.codings
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return swatch(info.color)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == 1:
            return QColor("#8a9099")
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [info.path]
            total = self.total_codings(index)
            with_subs = f", {total} with sub-codes" if total > info.codings else ""
            lines.append(f"{info.codings} codings{with_subs}")
            if info.definition:
                lines.append(info.definition)
            return "\n".join(lines)
        if role == self.PathRole:
            return info.path
        if role == self.InfoRole:
            return info
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        flags = (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsDragEnabled
            | Qt.ItemFlag.ItemIsDropEnabled
        )
        if index.column() == 0:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    # --- rename in place -------------------------------------------------------------------------

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        info = self.info(index)
        if info is None or role != Qt.ItemDataRole.EditRole or index.column() != 0:
            return False
        new_name = " ".join(str(value or "").split())
        if new_name == info.name:
            return False
        result = self._run(lambda p: rename_code(p, info.path, new_name))
        if result is None:
            return False
        renamed, change = result
        self._rename_in_place(index, renamed)
        self.changed.emit(change)
        return True

    def _rename_in_place(self, index: _Index, renamed: CodeInfo) -> None:
        node = self._node(index)
        old = node.info
        assert old is not None
        node.info = renamed
        prefix = old.path + PATH_SEPARATOR
        for child in node.subtree():
            assert child.info is not None
            path = renamed.path + child.info.path[len(old.path) :]
            parent = child.info.parent or ""
            if parent == old.path or parent.startswith(prefix):
                parent = renamed.path + parent[len(old.path) :]
            child.info = replace(child.info, path=path, parent=parent)
        self._index_paths()
        first = self.index(index.row(), 0, self.parent(index))
        self.dataChanged.emit(first, first.siblingAtColumn(1))
        for holder in [node, *node.subtree()]:  # their paths changed with it
            if holder.children:
                at = self.createIndex(holder.row(), 0, holder.key)
                last = len(holder.children) - 1
                self.dataChanged.emit(self.index(0, 0, at), self.index(last, 1, at))

    def update_info(self, path: str, info: CodeInfo) -> None:
        """Show a code's new colour or definition (the core's record after the change)."""
        index = self.index_of(path)
        if index.isValid():
            self._node(index).info = info
            self.dataChanged.emit(index, index.siblingAtColumn(1))

    # --- drag and drop: re-parent ----------------------------------------------------------------

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        # Move within the tree; copy onto the transcript, where a dropped code codes the selection.
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        paths: list[str] = []
        for index in indexes:
            info = self.info(index)
            if info is not None and info.path not in paths:
                paths.append(info.path)
        mime = QMimeData()
        mime.setData(MIME_TYPE, QByteArray(json.dumps(paths).encode("utf-8")))
        return mime

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: _Index
    ) -> bool:
        return action == Qt.DropAction.MoveAction and data.hasFormat(MIME_TYPE)

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: _Index
    ) -> bool:
        """Put the dragged codes under the code dropped on (between top-level rows: the top)."""
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        try:
            paths = json.loads(bytes(data.data(MIME_TYPE).data()).decode("utf-8"))
        except ValueError:
            return False
        target = self.info(parent)
        new_parent = target.path if target is not None else None
        changes: list[Change] = []
        # A code dragged together with one of its ancestors moves with it.
        paths = [p for p in paths if not any(p.startswith(q + PATH_SEPARATOR) for q in paths)]
        for path in paths:
            current = self.info(self.index_of(path))
            if current is None or current.parent == new_parent:
                continue
            result = self._run(partial(move_code, code=path, new_parent=new_parent))
            if result is None:
                break
            self._moves[path] = result[0].path
            changes.append(result[1])
        if changes:
            self.reload()
        for change in changes:
            self.changed.emit(change)
        return bool(changes)

    # --- commands --------------------------------------------------------------------------------

    def _run(self, command: Callable[[Project], T]) -> T | None:
        """Run a core command; a refusal is reported through ``error`` and gives None."""
        if self.project is None:
            return None
        try:
            return command(self.project)
        except StudyError as exc:
            self.error.emit(str(exc))
            return None
