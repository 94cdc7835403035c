"""Text rules shared by every layer: words, and the folded tokens full-text search matches.

Search has one meaning on SQLite and PostgreSQL because both index the *same* token stream, made
here: case folded, diacritics removed, split into runs of letters, digits and (spacing) marks.
Neither database's own parser gets a say, so the hit sets cannot drift apart.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence

WORD_RE = re.compile(r"\w+")
"""A word, as the longitudinal definitions count them: a run of Unicode word characters."""

MAX_TOKEN_CHARS = 200
"""PostgreSQL refuses lexemes over 2 KiB; no real word comes near this."""

_TOKEN_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Nd", "Nl", "No", "Mc", "Me", "Co"})


def count_words(text: str) -> int:
    return len(WORD_RE.findall(text))


def fold(text: str) -> str:
    """Case- and diacritic-insensitive form: NFD, drop non-spacing marks, casefold, NFC.

    Dropping non-spacing marks folds é to e, and also Arabic harakat and Hebrew points, so
    كتب finds كَتَبَ: the same as FTS5's ``remove_diacritics``, extended to every script.
    """
    if text.isascii():  # the same result, without the normalisations (which leave ASCII be)
        return text.lower()
    decomposed = unicodedata.normalize("NFD", text)
    for ch in set(decomposed) - _MARKS_SEEN:
        _MARKS_SEEN.add(ch)
        if unicodedata.category(ch) == "Mn":
            _DROP[ord(ch)] = None
    return unicodedata.normalize("NFC", decomposed.translate(_DROP).casefold())


_MARKS_SEEN: set[str] = set()
_DROP: dict[int, None] = {}
"""The non-spacing marks seen so far, for ``str.translate`` to drop (sorted once per character)."""


_SEEN: set[str] = set()
"""Characters already sorted into token and non-token (a text has few kinds: this stays small)."""
_CUT: dict[int, str] = {}
"""The non-token characters seen so far, each mapped to NUL, for ``str.translate``."""


def _pieces(text: str) -> list[str]:
    """``text`` folded and cut at every non-token character (empty pieces between cuts)."""
    folded = fold(text)
    for ch in set(folded) - _SEEN:  # sort each new kind of character once, then work in C
        _SEEN.add(ch)
        if unicodedata.category(ch) not in _TOKEN_CATEGORIES:
            _CUT[ord(ch)] = "\0"
    return folded.translate(_CUT).split("\0")


def iter_tokens(text: str) -> Iterator[str]:
    """The search tokens of ``text``, in order: runs of characters of the token categories."""
    for token in _pieces(text):
        if token:
            yield token[:MAX_TOKEN_CHARS]


def search_tokens(text: str) -> list[str]:
    return list(iter_tokens(text))


def search_text_of(text: str) -> str:
    """The folded token stream full-text search indexes for one utterance (``iter_tokens``
    joined; without the generator when no token is over the limit, as is every real one)."""
    pieces = _pieces(text)
    if len(max(pieces, key=len)) > MAX_TOKEN_CHARS:
        return " ".join(iter_tokens(text))
    return " ".join(filter(None, pieces))


def align_words(text: str, words: Sequence[str]) -> list[tuple[int, int] | None]:
    """Where each word of a transcription sits in ``text`` (code points, end exclusive).

    Words are looked for in order, each after the previous one, case-insensitively and without
    the spaces and punctuation a model glues to them. A word the analyst has since corrected
    away is ``None`` and the search goes on from where it stood, so one edit never shifts the
    rest of an utterance's times.
    """
    folded = text.casefold()
    cursor = 0
    found: list[tuple[int, int] | None] = []
    for word in words:
        needle = word.strip().casefold().strip(".,;:!?\"'“”‘’()[]…-")
        if not needle:
            found.append(None)
            continue
        at = folded.find(needle, cursor)
        # A word far ahead is more likely a later repetition than this one: give up on it.
        if at < 0 or at - cursor > 40 + 4 * len(needle):
            found.append(None)
            continue
        found.append((at, at + len(needle)))
        cursor = at + len(needle)
    return found
