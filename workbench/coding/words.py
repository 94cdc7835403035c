"""Whole words, in any script: where a word the analyst looks for starts and ends.

A word stands whole when no word character touches it on either side. Arabic script needs one
more rule: it writes five short words joined to the word after them — و "and", ف "so", ب "in,
with", ل "for", ك "like", one of them or و/ف with one of the other three — so the name رنا
stands in ورنا ("and Rana") and the place دير النور in بدير النور ("in Deir al-Nour"). For a word
in Arabic script those letters may stand before it (with no word character before them), and
only the word itself is matched: a redaction keeps the "and". صرنا ("we became") and جارنا ("our
neighbour") still do not hold رنا: their letters before it are not those.

Redaction, the identifier check, suggestions, the word in context and the export gate all match
with these patterns, so each finds what the others find.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_JOINED = "وفبلك"
"""و ف ب ل ك: written joined to the word after them."""
_JOINED_FIRST = "وف"
_JOINED_SECOND = "بلك"


def in_arabic_script(word: str) -> bool:
    return bool(_ARABIC_SCRIPT.match(word))


def word_start(word: str) -> str:
    """A pattern asserting that ``word``, matched right after it, starts a whole word."""
    if not in_arabic_script(word):
        return r"(?<!\w)"
    return rf"(?:(?<!\w)|(?<=(?<!\w)[{_JOINED}])|(?<=(?<!\w)[{_JOINED_FIRST}][{_JOINED_SECOND}]))"


def whole_word(needle: str) -> re.Pattern[str]:
    return re.compile(rf"{word_start(needle)}{re.escape(needle)}(?!\w)")


def whole_word_folded(needle: str) -> re.Pattern[str]:
    return re.compile(rf"{word_start(needle)}{re.escape(needle)}(?!\w)", re.IGNORECASE)


def alternation(needles: Sequence[str], flags: int = 0) -> re.Pattern[str] | None:
    """One pattern matching any of ``needles`` as a whole word, the longest first where they
    overlap; the match is the needle itself."""
    if not needles:
        return None
    ordered = sorted(set(needles), key=lambda n: (-len(n), n))
    arabic = [n for n in ordered if in_arabic_script(n)]
    other = [n for n in ordered if not in_arabic_script(n)]
    branches = [
        f"{word_start(same[0])}(?:{'|'.join(re.escape(n) for n in same)})"
        for same in (other, arabic)
        if same
    ]
    return re.compile(rf"(?:{'|'.join(branches)})(?!\w)", flags)


def any_word(needles: Sequence[str], *, folded: bool) -> re.Pattern[str] | None:
    """One pattern that finds a text holding any of ``needles`` as a whole word: a cheap first
    look, so each needle's own pattern runs only on the few texts that hold one.

    It matches exactly where ``alternation`` would, but each needle comes first and what stands
    before it is looked at behind it (needles grouped by length, a case-insensitive match being
    as long as its needle): a pattern that starts with a lookbehind makes the regex engine set
    it up at every position of the text, three times slower."""
    if not needles:
        return None
    ordered = sorted(set(needles), key=lambda n: (-len(n), n))
    groups = []
    for length, same in itertools.groupby(ordered, key=len):
        same_length = list(same)
        for script in (
            [n for n in same_length if not in_arabic_script(n)],
            [n for n in same_length if in_arabic_script(n)],
        ):
            if script:
                alternatives = "|".join(re.escape(n) for n in script)
                groups.append(rf"(?:{alternatives}){_start_behind(script[0], length)}")
    flags = re.IGNORECASE if folded else 0
    return re.compile(rf"(?:{'|'.join(groups)})(?!\w)", flags)


def _start_behind(word: str, length: int) -> str:
    """``word_start``, asserted from just after a match ``length`` characters long."""
    if not in_arabic_script(word):
        return rf"(?<!\w[\s\S]{{{length}}})"
    return (
        rf"(?:(?<!\w[\s\S]{{{length}}})"
        rf"|(?<=(?<!\w)[{_JOINED}][\s\S]{{{length}}})"
        rf"|(?<=(?<!\w)[{_JOINED_FIRST}][{_JOINED_SECOND}][\s\S]{{{length}}}))"
    )
