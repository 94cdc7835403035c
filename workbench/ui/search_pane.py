"""The search pane: every utterance of the project holding the words asked for (the core's
full-text search, ``storage.search``: the meaning ``workbench search`` has), listed by interview;
Enter or a double-click opens the interview with the words selected (``jump_requested``)."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from workbench.coding.transcripts import utterances
from workbench.domain.positions import utterance_starts
from workbench.domain.study import SearchHit, StudyError
from workbench.domain.transcript import format_ms
from workbench.storage.project import Project
from workbench.storage.search import NoteHit, count, search, search_notes, where_found
from workbench.ui.models import _RecordsModel, is_right_to_left, speaker_colour
from workbench.ui.retrieval import MARK, QUIET

_Index = QModelIndex | QPersistentModelIndex
LIMIT = 2000
"""Hits listed at most (the count says how many there are): enough to read, never a stall (the
database orders and stops: "the" in the 33 MB reference study lists in about 0.1 s)."""
HINT = 'Words (all of them), word* for any ending, "a phrase" — Enter to search'


class HitsModel(_RecordsModel[SearchHit | NoteHit]):
    """Utterances first, then (when asked for) the analyst's texts holding the words."""

    HEADERS = ("Where", "#", "Speaker", "Time", "Text")
    TEXT = 4

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        hit = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.TEXT:
                return " ".join(hit.snippet.split())
            if isinstance(hit, NoteHit):
                return (hit.where, "", "analyst", "")[column]
            time = format_ms(hit.start_ms) if hit.start_ms is not None else ""
            return (hit.interview, str(hit.utterance + 1), hit.speaker or "", time)[column]
        if role == Qt.ItemDataRole.ToolTipRole and column in (0, self.TEXT):
            return hit.where if isinstance(hit, NoteHit) and column == 0 else hit.text
        if role == Qt.ItemDataRole.ForegroundRole and column == 2:
            return QColor(QUIET) if isinstance(hit, NoteHit) else speaker_colour(hit.speaker)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.TEXT:
            rtl = is_right_to_left(hit.snippet)
            side = Qt.AlignmentFlag.AlignRight if rtl else Qt.AlignmentFlag.AlignLeft
            return side | Qt.AlignmentFlag.AlignVCenter
        return None

    def hit(self, row: int) -> SearchHit | NoteHit:
        return self._rows[row]


def _same(a: SearchHit | NoteHit, b: SearchHit | NoteHit) -> bool:
    """The same hit, asked again (an utterance by its place, a note by its name)."""
    if isinstance(a, NoteHit) or isinstance(b, NoteHit):
        return isinstance(a, NoteHit) and isinstance(b, NoteHit) and a.where == b.where
    return (a.interview, a.utterance) == (b.interview, b.utterance)


class SearchPane(QWidget):
    """A query line, the count, and the hits."""

    jump_requested = Signal(str, int, int)
    """(interview, start, end): code points of the interview text, as the editor counts them."""

    def __init__(self) -> None:
        super().__init__()
        self.project: Project | None = None
        self.asked = ""
        """The query the hits answer (what the line said when Enter was pressed)."""
        self.query = QLineEdit()
        self.query.setObjectName("searchQuery")
        self.query.setPlaceholderText(HINT)
        self.query.setClearButtonEnabled(True)
        self.query.setToolTip(
            "Case and accents do not matter; whole words. In Arabic, Tigrinya and Amharic a word "
            "is also found with the short words written joined to it (رنا finds ورنا, “and "
            "Rana”)."
        )
        self.query.returnPressed.connect(self.run)
        self.go = QPushButton("Search")
        self.go.clicked.connect(self.run)
        self.count = QLabel()
        self.count.setObjectName("searchCount")
        self.count.setTextFormat(Qt.TextFormat.RichText)
        self.count.linkActivated.connect(lambda _link: self.more())
        self.listing = LIMIT
        """How many hits the list holds at most (``more`` lists the next ones too)."""
        self.model = HitsModel()
        self.view = QTableView()
        self.view.setObjectName("searchHits")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setShowGrid(False)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        for column in range(HitsModel.TEXT):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(HitsModel.TEXT, QHeaderView.ResizeMode.Stretch)
        self.view.activated.connect(self._open)  # Enter, or a double-click

        self.notes = QCheckBox("Memos and notes too")
        self.notes.setToolTip(
            "Also the analyst's own texts: memos, coding memos, the journal, cell summaries, "
            "trajectory and stance notes, theme and code definitions"
        )
        self.notes.toggled.connect(lambda _on: self.run(self.asked) if self.asked else None)
        self.preview = QTextBrowser()
        self.preview.setObjectName("searchPreview")
        self.preview.hide()  # a memo or note opened from the hits, its words marked

        line = QHBoxLayout()
        line.addWidget(self.query, 1)
        line.addWidget(self.notes)
        line.addWidget(self.go)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(line)
        layout.addWidget(self.count)
        self.split = QSplitter(Qt.Orientation.Vertical)  # the hits above, an opened note below
        self.split.addWidget(self.view)
        self.split.addWidget(self.preview)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        self.split.setChildrenCollapsible(False)
        layout.addWidget(self.split, 1)
        self._stale = False
        """The project changed while the pane was hidden: ask again when it shows."""
        self.query.installEventFilter(self)
        self._lines: dict[str, list[str]] = {}
        """Utterance texts by interview, read once a hit of it is opened (cleared by a search)."""

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.asked = ""
        self._lines.clear()
        self.preview.hide()
        self.model.set_rows([])
        self.count.setText("" if project is None else "Search every transcript of the project.")

    def refresh(self) -> None:
        """The project changed (an edit, an import, a colleague): the hits are asked again —
        now when the pane shows, else when it is next shown — keeping the hit the analyst is
        on and where the list was scrolled to."""
        if not self.asked:
            return
        if not self.isVisible():
            self._stale = True
            return
        self.run(self.asked, keep=True)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down in the query line goes to the hits, as in a browser's address bar."""
        if (
            watched is self.query
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
            and self.model.rowCount()
        ):
            self.view.setFocus(Qt.FocusReason.TabFocusReason)
            return True
        return super().eventFilter(watched, event)

    def more(self) -> None:
        """The next hits too, the list staying where it was."""
        if self.asked:
            self.listing += LIMIT
            self.run(self.asked, keep=True)

    def focus_query(self) -> None:
        self.query.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.query.selectAll()

    def run(self, query: str | None = None, *, keep: bool = False) -> None:
        """Search for ``query`` (default: what the line says); ``keep``: stay on the hit the
        list was on, scrolled as it was (the same words asked again after a change)."""
        if self.project is None:
            return
        on = self.view.currentIndex()
        was = self.model.hit(on.row()) if keep and on.isValid() else None
        scrolled = self.view.verticalScrollBar().value()
        asked = (self.query.text() if not isinstance(query, str) else query).strip()
        self._lines.clear()
        if not keep:
            self.preview.hide()
        if not asked:
            self.asked = ""
            self.model.set_rows([])
            self.count.setText("Type the words to look for.")
            return
        if not keep:
            self.listing = LIMIT  # a new question: its first hits
        try:
            hits = search(self.project, asked, limit=self.listing)
            total, interviews = (
                count(self.project, asked)
                if len(hits) == self.listing
                else (len(hits), len({h.interview for h in hits}))
            )
            notes = search_notes(self.project, asked) if self.notes.isChecked() else []
        except StudyError as exc:
            self.asked = ""  # nothing asked: a change later brings back no earlier hits
            self.model.set_rows([])
            self.count.setText(html.escape(str(exc)))
            return
        self.asked = asked
        shown: list[SearchHit | NoteHit] = [*hits, *notes]
        self.model.set_rows(shown)
        said = f", {len(notes)} memo{'s' if len(notes) != 1 else ''} and notes" if notes else ""
        if not shown:
            self.count.setText(f"Nothing holds {html.escape(asked)}.")
        else:
            more = total - len(hits)
            listed = f"the first {len(hits):,} of {total:,}" if more > 0 else f"{total:,}"
            self.count.setText(
                f"{listed} utterance{'s' if total != 1 else ''} in {interviews} "
                f"interview{'s' if interviews != 1 else ''}{said} — Enter or double-click "
                "opens one"
                + (f' — <a href="more">list {min(more, LIMIT):,} more</a>' if more > 0 else "")
            )
        if not shown:
            return
        row = next(
            (i for i, h in enumerate(shown) if was is not None and _same(h, was)),
            0 if was is None else min(on.row(), len(shown) - 1),
        )
        self.view.selectRow(row)
        if was is not None:
            self.view.verticalScrollBar().setValue(scrolled)

    def _open(self, index: QModelIndex) -> None:
        if self.project is None or not index.isValid():
            return
        hit = self.model.hit(index.row())
        if isinstance(hit, NoteHit):
            self._show_note(hit)
            return
        self.preview.hide()
        if hit.interview not in self._lines:
            self._lines[hit.interview] = [u.text for u in utterances(self.project, hit.interview)]
        lines = self._lines[hit.interview]
        if not 0 <= hit.utterance < len(lines):
            return
        start = utterance_starts([len(t) for t in lines])[hit.utterance]
        found = where_found(lines[hit.utterance], self.asked)
        a, b = found if found is not None else (0, len(lines[hit.utterance]))
        self.jump_requested.emit(hit.interview, start + a, start + b)

    def _show_note(self, hit: NoteHit) -> None:
        """The whole memo or note below the hits, the words found marked (read only: it is
        edited where it is written — the Memos dock, the cell details, the code tree)."""
        a, b = hit.at
        body = (
            html.escape(hit.text[:a])
            + f'<span style="background:{MARK}">{html.escape(hit.text[a:b])}</span>'
            + html.escape(hit.text[b:])
        )
        direction = "rtl" if is_right_to_left(hit.text) else "ltr"
        self.preview.setHtml(
            f"<p><b>{html.escape(hit.where)}</b></p>"
            f'<p dir="{direction}" style="white-space: pre-wrap">{body}</p>'
        )
        self.preview.show()
        current = self.view.currentIndex()  # the hit stays in sight above it, once laid out
        QTimer.singleShot(0, lambda: self.view.scrollTo(current))
