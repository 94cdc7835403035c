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

_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_ETHIOPIC_SCRIPT = re.compile(r"[\u1200-\u139F\u2D80-\u2DDF\uAB00-\uAB2F]")
JOINED_BEFORE: dict[str, tuple[str, ...]] = {
    # و "and", ف "so", ب "in, with", ل "for", ك "like"; و or ف before one of the other three.
    "arabic": (*"وفبلك", *(a + b for a in "وف" for b in "بلك")),
    # Tigrinya writes its one-syllable prepositions ብ "with, by" and ን "to, for" joined to the
    # word after them, and may join ናብ "to", ካብ "from", ኣብ "in, at" and ምስ "with"; Amharic, in
    # the same script, joins በ "in, with", ለ "for", ከ "from" and የ "of".
    "ethiopic": ("ብ", "ን", "ናብ", "ካብ", "ኣብ", "ምስ", "በ", "ለ", "ከ", "የ"),
}
"""Short words written joined to the word after them, by script (``script_of``): a name or a
searched word stands whole after them (``coding.words``, ``storage.search``)."""
JOINED_AFTER: dict[str, tuple[str, ...]] = {
    # Tigrinya's "and" (ሂወትን ሳባን) and "also" (-ውን), Amharic's "and" (-ና) and "also" (-ም),
    # written joined after the word.
    "ethiopic": ("ን", "ውን", "ና", "ም"),
}


SAME_LETTERS = ("اأإآٱ", "ةه", "ىي")
"""Arabic letters written for one another: alif with or without hamza or madda, ta marbuta or
ha at a word's end, alif maqsura or ya (redaction's spellings, ``coding.words``; search,
``storage.search``)."""


def script_of(word: str) -> str:
    """``arabic``, ``ethiopic`` (Ge'ez: Tigrinya, Amharic) or ``other``, by the word's first
    letter: which letters may be written joined to it."""
    if _ARABIC_SCRIPT.match(word):
        return "arabic"
    if _ETHIOPIC_SCRIPT.match(word):
        return "ethiopic"
    return "other"


MAX_TOKEN_CHARS = 200
"""PostgreSQL refuses lexemes over 2 KiB; no real word comes near this."""

TOKEN_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Nd", "Nl", "No", "Mc", "Me", "Co"})


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
    new = set(decomposed) - _MARKS_SEEN
    if new:
        _MARKS_SEEN.update(new)
        marks = {ch for ch in new if unicodedata.category(ch) == "Mn"}
        if marks:
            _DROP.update(marks)
            _MARKS[0] = re.compile(f"[{re.escape(''.join(sorted(_DROP)))}]+")
    stripped = _MARKS[0].sub("", decomposed) if _DROP else decomposed
    return unicodedata.normalize("NFC", stripped.casefold())


_MARKS_SEEN: set[str] = set()
_DROP: set[str] = set()
"""The non-spacing marks seen so far (each character sorted once)."""
_MARKS: list[re.Pattern[str]] = [re.compile("(?!)")]
"""Matches runs of them: a regular expression drops them several times faster than
``str.translate`` does in a text beyond Latin-1."""


_SEEN: set[str] = set()
"""Characters already sorted into token and non-token (a text has few kinds: this stays small)."""
_CUT: set[str] = set()
"""The non-token characters seen so far."""
_TOKEN: list[re.Pattern[str]] = [re.compile("(?s).+")]
"""Matches a token: a run of characters none of which is in ``_CUT`` (``findall`` is twice as
fast as ``str.translate`` and a split)."""


def _pieces(text: str) -> list[str]:
    """``text`` folded, its tokens uncut: the runs of characters of the token categories."""
    folded = fold(text)
    new = set(folded) - _SEEN
    if new:  # sort each new kind of character once, then work in C
        _SEEN.update(new)
        cut = {ch for ch in new if unicodedata.category(ch) not in TOKEN_CATEGORIES}
        if cut:
            _CUT.update(cut)
            _TOKEN[0] = re.compile(f"[^{re.escape(''.join(sorted(_CUT)))}]+")
    return _TOKEN[0].findall(folded)


def iter_tokens(text: str) -> Iterator[str]:
    """The search tokens of ``text``, in order: runs of characters of the token categories."""
    for token in _pieces(text):
        yield token[:MAX_TOKEN_CHARS]


def search_tokens(text: str) -> list[str]:
    return list(iter_tokens(text))


def search_text_of(text: str) -> str:
    """The folded token stream full-text search indexes for one utterance (``iter_tokens``
    joined; without the generator when no token is over the limit, as is every real one)."""
    pieces = _pieces(text)
    if pieces and len(max(pieces, key=len)) > MAX_TOKEN_CHARS:
        return " ".join(iter_tokens(text))
    return " ".join(pieces)


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
