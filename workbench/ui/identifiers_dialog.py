"""File ▸ Review identifiers…: what ``workbench pseudonyms suggest`` lists, reviewed in the window.

The export gate refuses every export while a suggested name nobody reviewed stands in the
project; before this, only the command line could review one. Here each candidate is shown with
its kind, how often and where it occurs; the analyst redacts it everywhere (as a placeholder
they choose; the original goes into the key beside the project, or one they point to) or
dismisses it as not identifying. A redaction is one step of the project's undo history, as on
the command line.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.coding.identifiers import FIRST_WORD, Candidate, in_context
from workbench.coding.keystore import KeyMissing
from workbench.coding.redaction import (
    RedactionReport,
    dismiss_identifier,
    redact,
    suggest_identifiers,
)
from workbench.coding.watchlist import unwatch_words, watch_words, watched_words
from workbench.coding.words import shown as spelled
from workbench.storage.project import Project
from workbench.ui.exchange import ExchangeTask
from workbench.ui.key_location import ask_where_the_key_is, remembered
from workbench.ui.redact_span import counterpart_hint, redaction_step

KINDS = {
    "name": "name",
    FIRST_WORD: "first word of a sentence",
    "listed": "on your watch list",
    "participant": "in the participant list",
    "date": "date",
    "number": "number",
    "known": "accepted before: redact it",
}


class IdentifiersDialog(QDialog):
    """Review the suggested identifiers of ``project``: redact everywhere, or dismiss."""

    changed = Signal(object)
    """The project's text changed: a redaction's undo step (a ``Change``); the window puts it
    on its undo stack and reads the project again."""

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.key: str | None = remembered(project)
        """Where the key is, when the analyst pointed to one (else beside the project)."""
        self.candidates: list[Candidate] = []
        self._task: ExchangeTask | None = None
        self.setWindowTitle("Review identifiers")
        self.resize(860, 560)
        intro = QLabel(
            "Words that may identify someone. Nothing is redacted until you decide. Exports are "
            "refused while a <b>name</b>, a word on your watch list or a name from the "
            "participant list is unreviewed; dates, numbers and sentences' first words are "
            "listed for review only. Names in Arabic or any script without capitals are found "
            "only when you watch for them."
        )
        intro.setWordWrap(True)
        self.unreviewed_only = QCheckBox("Only those nobody reviewed")
        self.unreviewed_only.setChecked(True)
        self.unreviewed_only.toggled.connect(self._fill)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["Word", "Kind", "Times", "Where", "Reviewed"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for column, mode in enumerate(
            [QHeaderView.ResizeMode.ResizeToContents] * 3
            + [QHeaderView.ResizeMode.Stretch, QHeaderView.ResizeMode.ResizeToContents]
        ):
            header.setSectionResizeMode(column, mode)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.itemSelectionChanged.connect(self._show_context)
        self.context = QPlainTextEdit()
        self.context.setReadOnly(True)
        self.context.setObjectName("identifierContext")
        self.context.setPlaceholderText("Choose a word to read it where it stands.")
        self.context.setMaximumHeight(120)
        self.placeholder = QLineEdit()
        self.placeholder.setPlaceholderText("e.g. [P01's brother], [a town in Eritrea]")
        self.placeholder.textChanged.connect(self._selection_changed)
        self.redact_button = QPushButton("Redact everywhere")
        self.redact_button.setToolTip(
            "Replace every whole-word occurrence in transcripts, memos and every other text "
            "by the placeholder; the original goes into the key"
        )
        self.redact_button.clicked.connect(self.redact_selected)
        self.dismiss_button = QPushButton("Dismiss: not identifying")
        self.dismiss_button.setToolTip("Reviewed: the export gate stops asking about it")
        self.dismiss_button.clicked.connect(self.dismiss_selected)
        actions = QHBoxLayout()
        actions.addWidget(QLabel("Replace with:"))
        actions.addWidget(self.placeholder, 1)
        actions.addWidget(self.redact_button)
        actions.addSpacing(12)
        actions.addWidget(self.dismiss_button)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        self.watch_button = close.addButton("Watch list…", QDialogButtonBox.ButtonRole.ActionRole)
        self.watch_button.setToolTip(
            "Your own list of identifying words (names from consent forms, towns, camps), in "
            "any script: kept in the key, never in the project"
        )
        self.watch_button.clicked.connect(self.ask_words_to_watch)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.unreviewed_only)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.context)
        layout.addLayout(actions)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self.refresh()

    # --- reading ---------------------------------------------------------------------------------

    def busy(self) -> bool:
        return self._task is not None

    def _run(self, what: str, work: Callable[[], object], then: Callable[[object], None]) -> bool:
        """Do ``work`` off the event loop (a second or two on a large study), saying ``what``;
        the table and buttons wait for it. ``then`` gets its result; a failure is said."""
        if self._task is not None:
            return False
        self.status.setText(what)
        self._controls(False)
        task = ExchangeTask(work, self)
        self._task = task

        def ended(result: object) -> None:
            self._task = None
            self._controls(True)
            then(result)

        def failed(reason: str) -> None:
            self._task = None
            self._controls(True)
            self.status.setText(f"Not done: {reason}")

        task.ended.connect(ended)
        task.failed.connect(failed)
        task.start()
        return True

    def _controls(self, on: bool) -> None:
        for widget in (self.table, self.unreviewed_only, self.placeholder, self.watch_button):
            widget.setEnabled(on)
        if on:
            self._selection_changed()
        else:
            self.redact_button.setEnabled(False)
            self.dismiss_button.setEnabled(False)

    def refresh(self, said: str = "") -> None:
        """Look through the project again (every transcript and note), then say ``said``."""
        project, key = self.project, self.key

        def found(result: object) -> None:
            assert isinstance(result, list)
            self.candidates = result
            self._fill()
            self.status.setText(said)

        self._run(
            "Looking through every transcript and note…",
            lambda: suggest_identifiers(project, key),
            found,
        )

    def done(self, result: int) -> None:
        if self._task is not None:  # a redaction is one transaction: let it end
            self._task.wait()
        super().done(result)

    def shown(self) -> list[Candidate]:
        """The candidates in the table, in its order: those refusing exports first."""
        unreviewed = self.unreviewed_only.isChecked()
        shown = [c for c in self.candidates if c.refuses_exports or not (unreviewed and c.reviewed)]
        return sorted(shown, key=lambda c: not c.refuses_exports)

    def _fill(self) -> None:
        shown = self.shown()
        self.table.setRowCount(len(shown))
        for row, c in enumerate(shown):
            where = ", ".join(c.interviews[:4]) + (" …" if len(c.interviews) > 4 else "")
            cells = [spelled(c.text), KINDS.get(c.kind, c.kind), str(c.count), where, c.reviewed]
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if column == 0 and c.refuses_exports:
                    font = item.font()
                    font.setBold(True)  # what refuses exports
                    item.setFont(font)
                if column == 3:
                    item.setToolTip("\n".join(c.interviews))
                self.table.setItem(row, column, item)
        blocking = sum(c.refuses_exports for c in self.candidates)
        self.setWindowTitle(
            f"Review identifiers — {blocking} refusing exports"
            if blocking
            else "Review identifiers"
        )
        self._selection_changed()

    def selected(self) -> list[Candidate]:
        shown = self.shown()
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [shown[r] for r in rows if r < len(shown)]

    def _selection_changed(self) -> None:
        chosen = self.selected()
        one = len(chosen) == 1
        self.redact_button.setEnabled(one and bool(self.placeholder.text().strip()))
        self.dismiss_button.setEnabled(bool(chosen))

    def _show_context(self) -> None:
        """The chosen word where it stands (the first few places): a name or a word?"""
        chosen = self.selected()
        if len(chosen) != 1 or self._task is not None:
            self.context.clear()
            return
        places = in_context(self.project, chosen[0].text)
        self.context.setPlainText("\n".join(f"{where}: {words}" for where, words in places))

    # --- deciding --------------------------------------------------------------------------------

    def dismiss_selected(self) -> None:
        words = [c.text for c in self.selected()]
        for word in words:
            dismiss_identifier(self.project, word)
        self.refresh("Dismissed as not identifying: " + ", ".join(words))

    def redact_selected(self) -> bool:
        """Redact the one selected word everywhere as the placeholder typed (off the event
        loop); False when there is nothing to redact."""
        chosen = self.selected()
        placeholder = self.placeholder.text().strip()
        if len(chosen) != 1 or not placeholder:
            return False
        word, project, key = chosen[0].text, self.project, self.key

        def work() -> object:
            try:
                return redact(project, placeholder, everywhere=word, key_path=key)
            except KeyMissing as exc:  # asked about here, on the window's side
                return exc

        def ended(result: object) -> None:
            if isinstance(result, KeyMissing):
                if self.key is None and self._ask_for_key():
                    self.redact_selected()
                else:
                    self.status.setText(str(result))
                return
            assert isinstance(result, RedactionReport)
            where = ", ".join(result.interviews) or "no transcript"
            others = f"; also in {len(result.rewritten)} other text(s)" if result.rewritten else ""
            self.placeholder.clear()
            self.changed.emit(redaction_step(result))
            self.refresh(
                f"Redacted '{spelled(word)}' as {result.placeholder}: "
                f"{result.occurrences} occurrence(s) in {where}{others}. "
                "Edit ▸ Undo takes it back (with the key)." + counterpart_hint(result)
            )

        return self._run(f"Redacting '{spelled(word)}' everywhere…", work, ended)

    def ask_words_to_watch(self) -> None:
        """The watch list to edit, one word a line: words added are watched, words taken out
        are no longer."""
        try:
            current, _ = watched_words(self.project, self.key)
        except KeyMissing:
            if self.project.path is None and self.key is None:  # a team's key: ask where
                if self._ask_for_key():
                    self.ask_words_to_watch()
                return
            current = []  # no key yet: the first word makes it
        text, ok = QInputDialog.getMultiLineText(
            self,
            "Watch list",
            "Words that identify someone, one a line, in any script:\n"
            "names as the consent forms give them, towns, camps, clinics.\n"
            "Take a line out to stop watching it. The list is kept in the key, never in\n"
            "the project; exports are refused while the text holds one nobody reviewed.",
            "\n".join(current),
        )
        if not ok:
            return
        wanted = [w.strip() for w in text.splitlines() if w.strip()]
        self.change_watch_list(
            add=[w for w in wanted if w not in current],
            remove=[w for w in current if w not in wanted],
        )

    def watch(self, words: list[str]) -> bool:
        """Put ``words`` on the key's watch list (off the event loop), then look again."""
        return self.change_watch_list(add=words, remove=[])

    def change_watch_list(self, *, add: list[str], remove: list[str]) -> bool:
        """Watch ``add`` and stop watching ``remove`` (off the event loop), then look again."""
        add = [w.strip() for w in add if w.strip()]
        if not add and not remove:
            return False
        project, key = self.project, self.key

        def work() -> object:
            try:
                gone = unwatch_words(project, remove, key).added if remove else ()
                return gone, watch_words(project, add, key) if add else None
            except KeyMissing as exc:
                return exc

        def ended(result: object) -> None:
            if isinstance(result, KeyMissing):
                if self.key is None and self._ask_for_key():
                    self.change_watch_list(add=add, remove=remove)
                else:
                    self.status.setText(str(result))
                return
            assert isinstance(result, tuple)
            gone, report = result
            said = []
            if report is not None:
                standing = len(report.standing)
                said.append(
                    f"Watching for {len(report.added)} more word(s), kept in the key "
                    f"{report.where}"
                    + (
                        f"; {standing} stand in the text and refuse exports until reviewed"
                        if standing
                        else "; none stands in the text"
                    )
                )
            if gone:
                said.append(f"no longer watched for: {', '.join(gone)}")
            line = "; ".join(said)
            self.refresh(f"{line[:1].upper()}{line[1:]}." if line else "")

        return self._run("Changing the watch list…", work, ended)

    def _ask_for_key(self) -> bool:
        self.key = ask_where_the_key_is(self, self.project)
        return self.key is not None
