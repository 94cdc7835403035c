"""Withdrawal's reach into derived text: what analysts wrote from a withdrawn person's words.

Any run of five or more consecutive words of theirs (compared after folding case and dropping
punctuation, each word in any of its spellings: ``words.loose_key``) that nobody else in the
project said, and their id, wherever the text inventory lists analyst text (memos, coding
memos, the journal, excerpts, summaries, notes, theme and code texts, snapshots, audit
details), become ``[withdrawn]``; undo
entries holding either are purged. A shorter run, or one someone else said too, is not theirs
alone and stays, as does unrelated text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from workbench.coding.words import ARABIC_MARKS, COMBINING, INSIDE_WORDS, loose_key
from workbench.domain.study import WITHDRAWN_TEXT
from workbench.storage import inventory

RUN = 5
"""The shortest run of their words that counts as quoting them."""
_WORD = re.compile(
    f"(?:[{re.escape(INSIDE_WORDS)}{COMBINING}{ARABIC_MARKS}]*\\w)+[{COMBINING}{ARABIC_MARKS}]*"
)
"""A word: word characters, with what a word holds that is no word character — accents written
apart, Arabic vowel marks and tatweel, a soft hyphen or a joiner — inside or after them."""


def _tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, key) of each word: the key is every spelling's (``words.loose_key``), so a
    quote written مُحَمَّد, محمـــد or Sa\u00admer is the same words as محمد or Samer."""
    return [(m.start(), m.end(), loose_key(m.group(0))) for m in _WORD.finditer(text)]


def shingles(texts: Iterable[str]) -> set[tuple[str, ...]]:
    """Every run of ``RUN`` consecutive words (their keys) in these texts."""
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
        *,
        others: Iterable[str] = (),
    ) -> None:
        """``others``: the other participants' ids; one holding theirs (P1-C beside P1) is
        someone else's, and stays."""
        self.runs = runs
        self.person = person
        self.shared = shared
        self._known: dict[tuple[str, ...], bool] = {}
        self._id = re.compile(rf"(?<!\w){re.escape(person)}(?!\w)")
        self._holding = [
            re.compile(rf"(?<!\w){re.escape(o)}(?!\w)")
            for o in others
            if o != person and self._id.search(o)
        ]

    def theirs(self, run: tuple[str, ...], written: tuple[str, ...]) -> bool:
        """Whether ``run`` (keys) is theirs alone; ``written``: the words as this text writes
        them, which is what the full-text index is asked about."""
        if run not in self.runs:
            return False
        if run not in self._known:
            self._known[run] = not self.shared(written)
        return self._known[run]

    def replace(self, text: str) -> tuple[str, int]:
        tokens = _tokens(text)
        marked = [False] * len(tokens)
        for i in range(len(tokens) - RUN + 1):
            run = tokens[i : i + RUN]
            if self.theirs(tuple(t[2] for t in run), tuple(text[a:b] for a, b, _ in run)):
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
        ids = 0

        def their_id(m: re.Match[str]) -> str:
            nonlocal ids
            if self._in_another_id(m.string, m.start(), m.end()):
                return m.group(0)
            ids += 1
            return _in_their_place(m.string, m.start(), m.end())

        text = self._id.sub(their_id, text)
        return text, words + ids

    def _in_another_id(self, text: str, start: int, end: int) -> bool:
        """Whether their id at ``start``–``end`` is part of another participant's (P1 in P1-C)."""
        for other in self._holding:
            for found in other.finditer(text, max(0, start - 64), min(len(text), end + 64)):
                if found.start() <= start and end <= found.end():
                    return True
        return False

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
        # The words as written, tokenised as the index was (marks dropped, case folded): the
        # same run in another person's turn, whatever vowel marks either writes.
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
