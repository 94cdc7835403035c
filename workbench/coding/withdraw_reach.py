"""Withdrawal's reach into derived text: what analysts wrote from a withdrawn person's words.

Any run of five or more consecutive words of theirs (compared after folding case and dropping
punctuation: words are ``\\w+`` runs) that nobody else in the project said, and their id,
wherever the text inventory lists analyst text (memos, coding memos, the journal, excerpts,
summaries, notes, theme and code texts, snapshots, audit details), become ``[withdrawn]``; undo
entries holding either are purged. A shorter run, or one someone else said too, is not theirs
alone and stays, as does unrelated text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from workbench.domain.study import WITHDRAWN_TEXT
from workbench.storage import inventory

RUN = 5
"""The shortest run of their words that counts as quoting them."""
_WORD = re.compile(r"\w+")


def _tokens(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0).casefold()) for m in _WORD.finditer(text)]


def shingles(texts: Iterable[str]) -> set[tuple[str, ...]]:
    """Every run of ``RUN`` consecutive (folded) words in these texts."""
    found: set[tuple[str, ...]] = set()
    for text in texts:
        words = [w for _, _, w in _tokens(text)]
        found.update(tuple(words[i : i + RUN]) for i in range(len(words) - RUN + 1))
    return found


class Quotation:
    """Replaces their quoted runs and their id in a text, counting the words it took.

    ``shared`` says whether someone else said a run too: such a run is not theirs alone and
    stays (their own words are gone from the transcripts by the time it is asked)."""

    def __init__(
        self,
        runs: set[tuple[str, ...]],
        person: str,
        shared: Callable[[tuple[str, ...]], bool] = lambda _: False,
    ) -> None:
        self.runs = runs
        self.person = person
        self.shared = shared
        self._known: dict[tuple[str, ...], bool] = {}
        self._id = re.compile(rf"(?<!\w){re.escape(person)}(?!\w)")

    def theirs(self, run: tuple[str, ...]) -> bool:
        if run not in self.runs:
            return False
        if run not in self._known:
            self._known[run] = not self.shared(run)
        return self._known[run]

    def replace(self, text: str) -> tuple[str, int]:
        tokens = _tokens(text)
        marked = [False] * len(tokens)
        for i in range(len(tokens) - RUN + 1):
            if self.theirs(tuple(t[2] for t in tokens[i : i + RUN])):
                for j in range(i, i + RUN):
                    marked[j] = True
        spans: list[tuple[int, int]] = []
        words = 0
        for i, (start, end, _) in enumerate(tokens):
            if not marked[i]:
                continue
            words += 1
            if spans and i > 0 and marked[i - 1]:
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((start, end))
        for start, end in reversed(spans):
            text = text[:start] + WITHDRAWN_TEXT + text[end:]
        text, ids = self._id.subn(lambda m: _in_their_place(m.string, m.start(), m.end()), text)
        return text, words + ids

    def holds(self, text: str) -> bool:
        return self.replace(text)[1] > 0


def _in_their_place(text: str, start: int, end: int) -> str:
    """What their id becomes: ``[withdrawn]``, or inside a placeholder (``[P01's wife]``) just
    ``withdrawn`` (``[withdrawn's wife]``, not ``[[withdrawn]'s wife]``)."""
    opened, closed = text.rfind("[", 0, start), text.rfind("]", 0, start)
    close_after, open_after = text.find("]", end), text.find("[", end)
    inside = (
        opened > closed and close_after != -1 and (open_after == -1 or close_after < open_after)
    )
    return WITHDRAWN_TEXT.strip("[]") if inside else WITHDRAWN_TEXT


@dataclass(frozen=True, slots=True)
class Reached:
    changed: tuple[str, ...]
    """``coding memo 486a61d6: 12 words`` for every analyst text changed."""
    undo_entries_purged: int


def _taken(quotation: Quotation, item: inventory.TextColumn, value: str) -> int:
    taken = 0

    def count(text: str) -> str:
        nonlocal taken
        new, words = quotation.replace(text)
        taken += words
        return new

    inventory.rewrite_value(item, value, count)
    return taken


def said_by_others(s: Session) -> Callable[[tuple[str, ...]], bool]:
    """Whether a run occurs in the project's utterances (a phrase search of the full-text
    index, in the caller's transaction: call it once theirs are gone)."""
    from workbench.storage.search import matching_ids, parse_query

    def shared(run: tuple[str, ...]) -> bool:
        return bool(matching_ids(s, parse_query('"' + " ".join(run) + '"', joined=False)))

    return shared


def reach_derived_text(s: Session, quotation: Quotation) -> Reached:
    """Replace their runs and id in every inventoried analyst text (and the transcription's
    word rows of others are never touched); purge undo entries holding either."""
    rows = inventory.rewrite_texts(
        s,
        lambda text: quotation.replace(text)[0],
        kinds=(inventory.PROSE, inventory.LABEL, inventory.JSON),
    )
    taken = [(row.where, _taken(quotation, row.column, row.before)) for row in rows]
    changed = tuple(f"{where}: {n} word{'' if n == 1 else 's'}" for where, n in taken)
    purged = inventory.purge_history(s, quotation.holds)
    return Reached(changed, purged)
