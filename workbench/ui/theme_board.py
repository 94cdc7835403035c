"""The theme board: themes as cards holding their member codes as chips, subthemes inside.

Drag a chip onto another theme to move the code there; hold Ctrl to copy it instead (a code may
sit in several themes). Codes in no theme wait in their own column; dropping a chip there takes
the code out of the theme it came from. Drag a whole card (by its header or any free space) onto
another card to make it a subtheme there, onto a card's top edge to put it just before that card,
or onto the board's background to make a subtheme a theme of its own again; Alt+Up and Alt+Down
move the selected card among its siblings. A card's context menu merges, splits, nests and
reorders. Each change that shapes the analysis asks for a short rationale and goes through the
core's undoable commands, so Edit ▸ Undo restores it and the theme's history keeps who, when and
why. Double-click a card to edit its name, central organising concept and definition; its status
is changed from the card.

The board is split along its seams: the cards and chips in ``ui/theme_cards.py``, drag and drop
in ``ui/board_drag.py``, the dialogs in ``ui/board_dialogs.py``, the wrapping chip layout in
``ui/flow_layout.py``. Where a theme may go (nesting, the place of a theme made one of its own)
is the core's rule, in ``coding/themes.py``, the same for the board and the command line.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from workbench.coding.codebook import list_codes
from workbench.coding.themes import (
    ThemeInfo,
    can_nest,
    find_theme,
    list_themes,
    merge_themes,
    move_codes,
    move_theme,
    reorder_theme,
    sibling_themes,
    split_theme,
    theme_within,
    update_theme,
)
from workbench.domain.coding import CodeInfo
from workbench.domain.study import StudyError
from workbench.storage.project import Project
from workbench.ui import theme as house
from workbench.ui.board_dialogs import (
    RationaleDialog,
    SplitDialog,
    ThemeDialog,
    ThemeEdit,
    ThemeSplit,
)
from workbench.ui.board_drag import (
    BoardBackground,
    Dragged,
    DropFrame,
    codes_mime,
    mark,
    read_mime,
    theme_mime,
)
from workbench.ui.flow_layout import FlowLayout
from workbench.ui.theme_cards import BOARD_KEYS, CodeChip, ThemeCard, board_style, theme_colour

__all__ = [
    "BOARD_KEYS",
    "DropFrame",
    "ThemeBoard",
    "ThemeEdit",
    "ThemeSplit",
    "codes_mime",
    "read_mime",
    "theme_mime",
]
"""Names the window, F1 and the tests import from here, wherever they now live."""

UNASSIGNED_W = 290
CARD_MIN_W = 380


class ThemeBoard(QWidget):
    """Themes as cards, the codes in no theme beside them; every change is undoable."""

    sig_changed = Signal(str)
    sig_done = Signal(str, object)
    """A change's description and what the core returned (its ``Change``, for the undo stack)."""
    """The project changed: a description of what was done."""
    sig_message = Signal(str)
    """Something to tell the analyst (a refused change)."""

    def __init__(self) -> None:
        super().__init__()
        self.project: Project | None = None
        self.setStyleSheet(board_style(house.current()))
        self.ask_rationale: Callable[[str], str | None] = self._ask_rationale
        """Asks why (None: the analyst cancelled). Tests may replace it."""
        self.ask_edit: Callable[[ThemeInfo], ThemeEdit | None] = self._ask_edit
        self.ask_split: Callable[[ThemeInfo], ThemeSplit | None] = self._ask_split
        self.cards: dict[str, ThemeCard] = {}
        self.selected: str | None = None
        """The selected card's theme (Alt+Up / Alt+Down move it)."""
        self.unassigned_chips: list[CodeChip] = []
        self._themes: list[ThemeInfo] = []
        self._codes: list[CodeInfo] = []
        self._columns = 0

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(8)
        layout.addLayout(self._build_header())
        body = QHBoxLayout()
        body.setSpacing(14)
        body.addWidget(self._build_unassigned())
        self.cards_scroll = QScrollArea()
        self.cards_scroll.setWidgetResizable(True)
        self.cards_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.cards_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body.addWidget(self.cards_scroll, 1)
        layout.addLayout(body, 1)

    def _build_header(self) -> QHBoxLayout:
        title = QLabel("Theme board")
        title.setObjectName("transcriptTitle")
        hint = QLabel(
            "Drag codes between themes (Ctrl copies). Drag a card onto another to make it a "
            "subtheme, onto a card's top edge to put it before, onto the background to make it a "
            "theme again; Alt+Up/Down reorder. Right-click a card to merge or split it; "
            "double-click to edit. Edit ▸ Undo takes a change back."
        )
        hint.setObjectName("footnote")
        hint.setWordWrap(True)
        header = QHBoxLayout()
        header.addWidget(title)
        header.addSpacing(16)
        header.addWidget(hint, 1)
        return header

    def _build_unassigned(self) -> DropFrame:
        """The column of codes in no theme: drop a chip there to take it out of its theme."""
        self.unassigned = DropFrame(self, None)
        self.unassigned.setObjectName("unassigned")
        self.unassigned.setToolTip("Drop a code here to take it out of the theme it came from")
        self.unassigned.setFixedWidth(UNASSIGNED_W)
        side = QVBoxLayout(self.unassigned)
        side.setContentsMargins(10, 10, 10, 10)
        self.unassigned_title = QLabel("Codes in no theme")
        self.unassigned_title.setObjectName("columnTitle")
        side.addWidget(self.unassigned_title)
        self.unassigned_scroll = QScrollArea()
        self.unassigned_scroll.setWidgetResizable(True)
        self.unassigned_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.unassigned_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.unassigned_scroll.setStyleSheet("background: transparent;")
        side.addWidget(self.unassigned_scroll, 1)
        return self.unassigned

    # --- data --------------------------------------------------------------------------------

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.refresh()

    def refresh(self) -> None:
        if self.project is None:
            self._themes, self._codes = [], []
        else:
            self._themes, self._codes = list_themes(self.project), list_codes(self.project)
        self._rebuild()

    def theme(self, name: str) -> ThemeInfo:
        return find_theme(self._themes, name)

    # --- drawing -----------------------------------------------------------------------------

    def apply_theme(self) -> None:
        """Follow the house palette (light or dark)."""
        self.setStyleSheet(board_style(house.current()))
        self._rebuild()

    def _column_count(self) -> int:
        width = self.cards_scroll.viewport().width() or (self.width() - UNASSIGNED_W - 40)
        return max(1, min(3, width // CARD_MIN_W))

    def _rebuild(self) -> None:
        codes = {c.path: c for c in self._codes}
        by_name = {t.name: t for t in self._themes}

        self.cards = {}

        def card(theme: ThemeInfo, colour: str | None) -> ThemeCard:
            nested = colour is not None
            colour = colour or theme_colour(theme, codes, by_name)
            subs = [card(by_name[s], colour) for s in theme.subthemes if s in by_name]
            made = ThemeCard(self, theme, codes, subs, nested=nested, colour=colour)
            self.cards[theme.name] = made
            return made

        tops = [card(t, None) for t in self._themes if t.parent is None]
        self._columns = self._column_count()
        container = BoardBackground(self)
        grid = QHBoxLayout(container)
        grid.setContentsMargins(0, 0, 4, 0)
        grid.setSpacing(14)
        columns = [QVBoxLayout() for _ in range(self._columns)]
        heights = [0] * self._columns
        for top in tops:  # each card to the shortest column, in the themes' order
            shortest = heights.index(min(heights))
            columns[shortest].addWidget(top)
            heights[shortest] += _weight(top.theme, by_name)
        for column in columns:
            column.setSpacing(14)
            column.addStretch(1)
            grid.addLayout(column, 1)
        if not tops:
            empty = QLabel(
                "No themes yet. Make one with  workbench theme add PROJECT NAME --code CODE"
                if self.project
                else "Open a project to see its themes."
            )
            empty.setObjectName("faint")
            grid.addWidget(empty, 1, Qt.AlignmentFlag.AlignTop)
        self._replace(self.cards_scroll, container)
        if self.selected in self.cards:
            selected = self.cards[self.selected]
            selected.setProperty("selected", True)
            if self.isVisible():
                selected.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.selected = None
        self._rebuild_unassigned()

    def _rebuild_unassigned(self) -> None:
        in_theme = {path for t in self._themes for path in t.codes}
        side = QWidget()
        flow = FlowLayout(side)
        self.unassigned_chips = []
        for code in self._codes:
            if code.path not in in_theme:
                chip = CodeChip(code, None)
                self.unassigned_chips.append(chip)
                flow.addWidget(chip)
        self.unassigned_title.setText(f"Codes in no theme ({len(self.unassigned_chips)})")
        self._replace(self.unassigned_scroll, side)

    @staticmethod
    def _replace(scroll: QScrollArea, widget: QWidget) -> None:
        value = scroll.verticalScrollBar().value()
        old = scroll.takeWidget()
        if old is not None:
            old.hide()
            old.deleteLater()  # not now: a drag from one of its chips may still be running
        widget.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        scroll.setWidget(widget)
        QTimer.singleShot(0, lambda: scroll.verticalScrollBar().setValue(value))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._themes and self._column_count() != self._columns:
            self._rebuild()

    # --- changes, all through the core's undoable commands -----------------------------------

    def _ask_rationale(self, what: str) -> str | None:
        dialog = RationaleDialog(self, what)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.text.text().strip()

    def _ask_split(self, theme: ThemeInfo) -> ThemeSplit | None:
        dialog = SplitDialog(self, theme)
        return dialog.split() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _ask_edit(self, theme: ThemeInfo) -> ThemeEdit | None:
        dialog = ThemeDialog(self, theme)
        return dialog.edit() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _run(self, description: str, change: Callable[[Project], object]) -> bool:
        if self.project is None:
            return False
        try:
            result = change(self.project)
        except StudyError as exc:
            self.sig_message.emit(str(exc))
            self.refresh()
            return False
        self.refresh()
        self.sig_changed.emit(description)
        self.sig_done.emit(description, result)
        return True

    def drop(self, dragged: Dragged, target: str | None, *, copy: bool = False) -> bool:
        """Codes dropped on a theme (``target``) or on the codes in no theme (None)."""
        if target == dragged.source or (target is None and dragged.source is None):
            return False
        names = ", ".join(f"'{c.rsplit(' / ', 1)[-1]}'" for c in dragged.codes)
        out_of = None if copy else dragged.source
        if target is None:
            what = f"Take {names} out of theme '{dragged.source}'"
        elif dragged.source is None:
            what = f"Put {names} into theme '{target}'"
        elif copy:
            what = f"Add {names} to theme '{target}' as well, keeping it in '{dragged.source}'"
        else:
            what = f"Move {names} from theme '{dragged.source}' to '{target}'"
        already = target is not None and all(c in self.theme(target).codes for c in dragged.codes)
        if already and out_of is None:
            self.sig_message.emit(f"{names} already in theme '{target}'")
            return False
        rationale = self.ask_rationale(what)
        if rationale is None:
            return False
        return self._run(
            what,
            lambda p: move_codes(
                p, list(dragged.codes), into=target, out_of=out_of, rationale=rationale
            ),
        )

    def change_status(self, theme: str, status: str) -> bool:
        previous = self.theme(theme).status
        what = f"Theme '{theme}': {previous} → {status}"
        rationale = self.ask_rationale(what)
        if rationale is None:
            self.refresh()  # the card's status box goes back
            return False
        return self._run(what, lambda p: update_theme(p, theme, status=status, rationale=rationale))

    def edit_theme(self, theme: str) -> bool:
        info = self.theme(theme)
        edit = self.ask_edit(info)
        if edit is None:
            return False
        new_name = edit.name if edit.name.strip() != info.name else None
        concept = edit.concept if edit.concept != (info.concept or "") else None
        definition = edit.definition if edit.definition != (info.definition or "") else None
        if new_name is None and concept is None and definition is None:
            return False
        return self._run(
            f"Edit theme '{theme}'",
            lambda p: update_theme(
                p,
                theme,
                new_name=new_name,
                concept=concept,
                definition=definition,
                rationale=edit.rationale or None,
                expected=(info.concept or "", info.definition or ""),
            ),
        )

    # --- the themes' shape: nesting, order, merge, split ------------------------------------

    def inside(self, theme: str, other: str) -> bool:
        """Whether ``other`` is ``theme`` or sits (at any depth) inside it (the core's rule)."""
        return theme_within(self._themes, theme, other)

    def siblings(self, theme: str) -> list[str]:
        return sibling_themes(self._themes, theme)

    def nest(self, theme: str, parent: str | None, *, before: str | None = None) -> bool:
        """Make ``theme`` a subtheme of ``parent`` (None: a theme of its own), with a rationale."""
        info = self.theme(theme)
        if parent is not None and self.inside(theme, parent):
            self.sig_message.emit(
                f"'{theme}' cannot go inside '{parent}'"
                + (", which is one of its own subthemes" if parent != theme else "")
                + ": themes cannot nest in a circle"
            )
            return False
        if parent == info.parent:
            return False
        if parent is None:
            what = f"Make '{theme}' a theme of its own, out of '{info.parent}'"
        elif info.parent is None:
            what = f"Make '{theme}' a subtheme of '{parent}'"
        else:
            what = f"Move subtheme '{theme}' from '{info.parent}' to '{parent}'"
        rationale = self.ask_rationale(what)
        if rationale is None:
            return False
        done = self._run(
            what, lambda p: move_theme(p, theme, parent, before=before, rationale=rationale)
        )
        self._select(theme)
        return done

    def drop_theme(self, theme: str, target: str, *, before: bool = False) -> bool:
        """A card dropped on another: into it as a subtheme, or (``before``) just before it."""
        if theme == target:
            return False
        if not before:
            return self.nest(theme, target)
        parent = self.theme(target).parent
        if parent != self.theme(theme).parent:
            return self.nest(theme, parent, before=target)
        done = self._run(
            f"Put '{theme}' before '{target}'",
            lambda p: reorder_theme(p, theme, before=target),
        )
        self._select(theme)
        return done

    def make_top_level(self, theme: str) -> bool:
        """A subtheme made a theme of its own lands where the core puts it (``move_theme`` with
        no ``before``: just after the theme it was inside)."""
        return self.nest(theme, None)

    def step(self, theme: str, steps: int) -> bool:
        """Move a theme up (negative) or down among its siblings (Alt+Up / Alt+Down)."""
        siblings = self.siblings(theme)
        at = siblings.index(theme) + steps
        if not 0 <= at < len(siblings):
            self.sig_message.emit(f"'{theme}' is already {'first' if steps < 0 else 'last'}")
            return False
        done = self._run(
            f"Move '{theme}' {'up' if steps < 0 else 'down'}",
            lambda p: reorder_theme(p, theme, steps=steps),
        )
        self._select(theme)
        return done

    def merge_into(self, source: str, target: str) -> bool:
        what = (
            f"Merge theme '{source}' into '{target}': its codes and subthemes move to "
            f"'{target}'; its cell summaries, trajectories, stances and pinned quotes are removed"
        )
        rationale = self.ask_rationale(what)
        if rationale is None:
            return False
        return self._run(
            f"Merge theme '{source}' into '{target}'",
            lambda p: merge_themes(p, source, target, rationale=rationale),
        )

    def split(self, theme: str) -> bool:
        chosen = self.ask_split(self.theme(theme))
        if chosen is None:
            return False
        return self._run(
            f"Split '{chosen.name}' off theme '{theme}'",
            lambda p: split_theme(
                p, theme, chosen.name, list(chosen.codes), rationale=chosen.rationale or None
            ),
        )

    def select(self, theme: str | None, *, reveal: bool = False) -> None:
        """The card Alt+Up / Alt+Down move: outlined, given the keyboard, and (``reveal``)
        scrolled into view."""
        for name, each in self.cards.items():
            mark(each, "selected", name == theme)
        self.selected = theme if theme in self.cards else None
        card = self.cards.get(theme or "")
        if card is not None:
            card.setFocus(Qt.FocusReason.OtherFocusReason)
            if reveal:  # after a move: the card may now sit elsewhere on the board
                QTimer.singleShot(0, lambda: self._reveal(theme or ""))

    def _reveal(self, theme: str) -> None:
        card = self.cards.get(theme)
        if card is not None:
            self.cards_scroll.ensureWidgetVisible(card, 0, 20)

    def _select(self, theme: str) -> None:
        self.select(theme, reveal=True)

    def card_menu(self, theme: str) -> QMenu:
        """A card's context menu: edit, order, nesting, merge and split."""
        info = self.theme(theme)
        menu = QMenu(self)
        menu.addAction("Edit name, concept and definition…", lambda: self.edit_theme(theme))
        menu.addSeparator()
        siblings = self.siblings(theme)
        place = siblings.index(theme)
        for text, keys, step in BOARD_KEYS:
            move = menu.addAction(text, functools.partial(self.step, theme, step))
            move.setShortcut(QKeySequence(keys))
            move.setEnabled(0 <= place + step < len(siblings))
        menu.addSeparator()
        if info.parent is not None:
            menu.addAction(
                f"Make a theme of its own (out of '{info.parent}')",
                lambda: self.make_top_level(theme),
            )
        nest = menu.addMenu("Make a subtheme of")
        merge = menu.addMenu("Merge into")
        for other in self._themes:
            if other.name == theme:
                continue
            name = other.name
            label = f"    {name}" if other.parent is not None else name
            if can_nest(self._themes, theme, name):
                nest.addAction(label, functools.partial(self.nest, theme, name))
            merge.addAction(label, functools.partial(self.merge_into, theme, name))
        nest.setEnabled(not nest.isEmpty())
        merge.setEnabled(not merge.isEmpty())
        split = menu.addAction("Split a new theme off…", lambda: self.split(theme))
        split.setEnabled(len(info.codes) > 1)
        return menu


def _weight(theme: ThemeInfo, by_name: dict[str, ThemeInfo]) -> int:
    """A rough height of a card, to balance the columns."""
    own = 3 + len(theme.codes) // 2 + len(theme.concept or "") // 40
    return own + sum(_weight(by_name[s], by_name) for s in theme.subthemes if s in by_name)
