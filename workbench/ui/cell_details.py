"""What lies behind one theme × unit × wave cell: the analyst's summary, the coded segments, the
quotes pinned there and whether the theme's pinned quotes lean on a few voices.

A summary being written is never lost: the views read their cells again after every change
(``clear``, then ``show_cell``), which keeps it in the box; choosing another cell, another
project or closing the window first saves it to the cell it was written for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from workbench.analysis.quotes import PinnedQuote, balance_note, pinned_quotes
from workbench.coding.queries import query_segments
from workbench.coding.readings import cell_summary, pin_exemplar, set_cell_summary
from workbench.domain.missing import missing_words
from workbench.domain.study import StudyError
from workbench.storage.project import Project
from workbench.ui.models import is_right_to_left

PIN_MARK = "★ pinned here · "
"""Before a segment pinned as a quote in the open cell."""
CodingRole = Qt.ItemDataRole.UserRole


def balance_words(theme: str, quotes: list[PinnedQuote]) -> str:
    """The theme's pinned quotes in one plain line: how many, from how many voices, and the
    core's note when one person, dyad or wave holds more than half of them."""
    if not quotes:
        return f"No quote pinned for {theme} yet: select a segment and pin it."
    people = {p for q in quotes for p in q.people}
    dyads = {q.dyad for q in quotes if q.dyad}
    waves = {q.wave for q in quotes if q.wave}

    def count(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    text = (
        f"{count(len(quotes), 'quote')} pinned for {theme}, from {count(len(people), 'person')}"
        f", {count(len(dyads), 'dyad')} and {count(len(waves), 'wave')}."
    ).replace("persons", "people")
    note = balance_note(quotes)
    return f"{text}\n{note}" if note else text


def _yours(draft: _Draft) -> str:
    return f"your summary for {_cell_name(draft.cell)}"


def _cell_name(cell: tuple[str, str, str]) -> str:
    """How the window names a cell: ``Nights · P01 · baseline``."""
    theme, unit, wave = cell
    return f"{theme} · {unit.partition(':')[2] or 'the whole study'} · {wave}"


@dataclass
class _Draft:
    """A summary typed and not saved, with the cell it was written for."""

    project: Project
    cell: tuple[str, str, str]
    text: str
    read: str
    """The summary the analyst read when they began (a colleague's newer one is not
    overwritten unknowingly)."""
    refused: bool = False
    """Saving it on the analyst's behalf was refused: it waits for its cell, never saved
    there again unasked."""


class CellDetails(QWidget):
    """The chosen cell: its segments on the left, the analyst's summary (editable) on the right."""

    changed = Signal(object)
    """A pinned or unpinned quote, a saved summary: the core's ``Change`` (the window puts it on
    its undo stack)."""

    def __init__(self, hint: str) -> None:
        super().__init__()
        self._pinned: set[str] = set()
        """The codings pinned as quotes in the open cell."""
        self._hint = hint
        self._summary_read = ""
        """The summary as shown when the cell was chosen (what the analyst read)."""
        self._drafts: dict[tuple[str, str, str], _Draft] = {}
        """Summaries typed and not saved, by cell: kept while the view reads its cells again,
        and those refused until their cell is shown again."""
        self._theirs: str | None = None
        """A colleague's newer summary the analyst was told of (a save refused): the next
        Save replaces it knowingly; saves made on the analyst's behalf never do."""
        self.project: Project | None = None
        self.cell: tuple[str, str, str] | None = None
        """theme, unit ("study", "role:R", "participant:ID", "dyad:ID"), wave"""
        self.title = QLabel(hint)
        self.title.setObjectName("footnote")
        self.title.setWordWrap(True)
        self.segments = QListWidget()
        self.segments.setObjectName("segments")
        self.segments.setWordWrap(True)
        self.segments.setSpacing(3)
        self.segments.setAlternatingRowColors(True)
        self.segments.currentItemChanged.connect(lambda *_: self._pin_label())
        self.segments.itemDoubleClicked.connect(lambda _item: self.toggle_pin())
        self.pin = QPushButton("Pin as quote")
        self.pin.setObjectName("pinQuote")
        self.pin.setToolTip(
            "Pin the selected segment as an exemplar quote of this cell (again: unpin)"
        )
        self.pin.setEnabled(False)
        self.pin.clicked.connect(self.toggle_pin)
        self.balance = QLabel()
        self.balance.setObjectName("quoteBalance")
        self.balance.setWordWrap(True)
        self.summary = QPlainTextEdit()
        self.summary.setObjectName("cellSummary")
        self.summary.setPlaceholderText("Your summary of this cell: what the segments say here")
        self.summary.setEnabled(False)
        self.save = QPushButton("Save summary")
        self.save.setEnabled(False)
        self.save.clicked.connect(self.save_summary)
        self.message = QLabel()
        self.message.setObjectName("footnote")
        self.message.setWordWrap(True)  # a refusal says a sentence or two: it wraps, never widens
        self.reveal: Callable[[str], str] | None = None
        """A key holder's originals shown in place of placeholders (read only), or None."""

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.summary, 1)
        row = QHBoxLayout()
        row.addWidget(self.message, 1)
        row.addWidget(self.save)
        right_layout.addLayout(row)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.segments, 1)
        quotes = QHBoxLayout()
        quotes.addWidget(self.balance, 1)
        quotes.addWidget(self.pin, 0, Qt.AlignmentFlag.AlignTop)
        left_layout.addLayout(quotes)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(split, 1)

    def show_cell(
        self,
        project: Project,
        theme: str,
        unit: str,
        wave: str,
        *,
        dyad: str | None = None,
        missing: str | list[str] | None = None,
    ) -> None:
        """Read the cell's segments (the unit's attributed codings of the theme's codes at the
        wave; in a dyad, only interviews about it) and the summary written for it — or the one
        the analyst was writing for it, unsaved. A summary typed for another cell is saved there
        first."""
        self._stash()
        # Another project's: the window saved them before it closed that project.
        self._drafts = {c: d for c, d in self._drafts.items() if d.project is project}
        others = [d for c, d in self._drafts.items() if not d.refused and c != (theme, unit, wave)]
        refused = not all([self._commit(d) for d in others])
        note = self.message.text() if refused else ""  # why it was kept, not saved
        self.project, self.cell = project, (theme, unit, wave)
        kind, _, ref = unit.partition(":")
        found = query_segments(
            project,
            theme=theme,
            wave=wave,
            role=ref if kind == "role" else None,
            participant=ref if kind == "participant" else None,
            dyad=ref if kind == "dyad" else dyad,
        )
        label = "the whole study" if unit == "study" else ref
        if dyad is not None and kind == "participant":
            label = f"{ref} in {dyad}"
        title = f"{theme} · {label} · {wave}: {len(found)} segments"
        if missing is not None:
            title += f" (a missing wave, not a zero: {missing_words(missing)})"
        self.title.setText(title)
        self.segments.clear()
        for g in found:
            who = ", ".join(g.participants) or "nobody attributed"
            text = self.reveal(g.text) if self.reveal else g.text
            item = QListWidgetItem(f"{g.interview}  ·  {who}  [{g.code}]\n{text}")
            item.setData(CodingRole, g.coding)
            if is_right_to_left(g.text):  # Arabic or Farsi words sit at the right, as read
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.segments.addItem(item)
        self._read_pins()
        summary = cell_summary(project, theme, unit, wave) or ""
        draft = self._drafts.get(self.cell)
        # (With the originals shown, read only, the typing waits until they are put away.)
        if draft is not None and draft.project is project and self.reveal is None:
            del self._drafts[self.cell]
            self._summary_read = draft.read
            self._theirs = summary if draft.refused else None
            self.summary.setPlainText(draft.text)
            self.summary.document().setModified(True)  # still the analyst's, unsaved
        else:
            self._summary_read, self._theirs = summary, None
            self.summary.setPlainText(self.reveal(summary) if self.reveal else summary)
        self.summary.setEnabled(True)
        self.summary.setReadOnly(self.reveal is not None)
        self.save.setEnabled(self.reveal is None)
        reading = "Originals shown (key holder): read only" if self.reveal else ""
        self.message.setText(note or reading)
        if not note:
            self.message.setToolTip("")

    def _read_pins(self) -> None:
        """The quotes pinned in this cell (marked in the list) and the theme's balance."""
        if self.project is None or self.cell is None:
            return
        theme, unit, wave = self.cell
        quotes = pinned_quotes(self.project, theme)
        self._pinned = {q.coding for q in quotes if q.unit == unit and q.cell_wave == wave}
        for row in range(self.segments.count()):
            item = self.segments.item(row)
            text = item.text().removeprefix(PIN_MARK)
            item.setText(PIN_MARK + text if item.data(CodingRole) in self._pinned else text)
        self.balance.setText(balance_words(theme, quotes))
        self._pin_label()

    def _pin_label(self) -> None:
        item = self.segments.currentItem()
        pinned = item is not None and item.data(CodingRole) in self._pinned
        self.pin.setText("Unpin quote" if pinned else "Pin as quote")
        self.pin.setEnabled(item is not None and self.reveal is None)

    def toggle_pin(self) -> None:
        """Pin the selected segment as a quote of this cell, or unpin it (Edit ▸ Undo takes it
        back); the balance line follows."""
        item = self.segments.currentItem()
        if self.project is None or self.cell is None or item is None or self.reveal is not None:
            return
        theme, unit, wave = self.cell
        coding = str(item.data(CodingRole))
        unpin = coding in self._pinned
        try:
            change = pin_exemplar(self.project, theme, unit, wave, coding, unpin=unpin)
        except StudyError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText("Quote unpinned" if unpin else "Quote pinned")
        self._read_pins()
        self.changed.emit(change)

    def set_reveal(self, reveal: Callable[[str], str] | None) -> None:
        """Originals on (a key holder's ``originals_reader``) or off: a cell on screen is put
        away, so no text of the other kind stays shown; the next cell chosen reads anew."""
        self.reveal = reveal
        if self.cell is not None:
            self.clear(self._hint)

    def save_summary(self) -> None:
        """Keep the summary (Edit ▸ Undo takes it back); an emptied box removes it."""
        if self.project is None or self.cell is None or self.reveal is not None:
            return  # the originals on screen are never written back
        theme, unit, wave = self.cell
        text = self.summary.toPlainText()
        read = self._theirs if self._theirs is not None else self._summary_read
        try:
            change = set_cell_summary(self.project, theme, unit, wave, text, expected=read)
        except StudyError as exc:
            self._theirs = cell_summary(self.project, theme, unit, wave) or ""
            self.message.setText(f"{exc}. Save again to replace theirs with yours.")
            return
        self._summary_read, self._theirs = text, None
        self.summary.document().setModified(False)
        self.message.setText("Summary saved")
        self.changed.emit(change)

    def _typed(self) -> str | None:
        """The summary in the box when the analyst typed it and has not saved it."""
        if self.reveal is not None or self.cell is None:
            return None
        text = self.summary.toPlainText()
        modified = self.summary.document().isModified()
        return text if modified and text.strip() and text != self._summary_read else None

    def _stash(self) -> None:
        """Keep a summary typed and not saved aside, with its cell, as the box changes."""
        text = self._typed()
        if text is not None and self.project is not None and self.cell is not None:
            told = self._theirs is not None  # refused once: never saved unasked
            self._drafts[self.cell] = _Draft(
                self.project, self.cell, text, self._summary_read, told
            )
            self.summary.document().setModified(False)

    def has_pending(self) -> bool:
        return bool(self._drafts) or self._typed() is not None

    def commit_pending(self) -> bool:
        """Save every summary typed and not saved to the cell it was written for (before the
        window closes its project). True when nothing was left unsaved."""
        self._stash()
        return all([self._commit(d) for d in list(self._drafts.values())])

    def unsaved(self) -> list[str]:
        """What the analyst typed and could not save (after ``commit_pending``), as a line each
        for the window to ask about before its project closes."""
        return [_yours(d) for d in self._drafts.values()]

    def save_unsaved_over_theirs(self) -> list[str]:
        """Save every kept summary over the colleague's newer one, the analyst having been
        asked; what failed even so (changed yet again meanwhile)."""
        drafts = list(self._drafts.values())
        return [_yours(d) for d in drafts if not self._commit(d, over_theirs=True)]

    def discard_unsaved(self) -> None:
        """Drop every kept summary (the analyst chose theirs)."""
        self._drafts.clear()
        self.summary.document().setModified(False)

    def _commit(self, draft: _Draft, *, over_theirs: bool = False) -> bool:
        """Save ``draft`` to its cell. When a colleague saved theirs meanwhile, nothing is
        overwritten: it is said, and the analyst's text is kept (shown again with that cell,
        where their Save then replaces theirs knowingly). ``over_theirs``: the analyst chose to
        replace what the cell holds now (still refused if it changes before the save)."""
        read = cell_summary(draft.project, *draft.cell) or "" if over_theirs else draft.read
        try:
            change = set_cell_summary(draft.project, *draft.cell, draft.text, expected=read)
        except StudyError as exc:
            draft.refused = True
            self.message.setText(
                f"Your summary for {_cell_name(draft.cell)} was not saved: someone changed it "
                "since you read it. Yours is kept: open that cell again, Save to replace theirs."
            )
            self.message.setToolTip(str(exc))  # who and when
            return False
        del self._drafts[draft.cell]
        self.changed.emit(change)
        return True

    def clear(self, hint: str) -> None:
        self._stash()  # kept for the cell's next showing (a view reads its cells again)
        self.project, self.cell = None, None
        self.title.setText(hint)
        self.segments.clear()
        self._pinned = set()
        self.balance.clear()
        self.pin.setEnabled(False)
        self.summary.clear()
        self.summary.setEnabled(False)
        self.save.setEnabled(False)
        self.message.clear()
