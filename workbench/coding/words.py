"""Whole words, in any script: where a word the analyst looks for starts and ends.

A word stands whole when no word character touches it on either side. Arabic script needs one
more rule: it writes five short words joined to the word after them — و "and", ف "so", ب "in,
with", ل "for", ك "like", one of them or و/ف with one of the other three — so the name رنا
stands in ورنا ("and Rana") and the place دير النور in بدير النور ("in Deir al-Nour"). For a word
in Arabic script those letters may stand before it (with no word character before them), and
only the word itself is matched: a redaction keeps the "and". صرنا ("we became") and جارنا ("our
neighbour") still do not hold رنا: their letters before it are not those. Tigrinya, in Ge'ez
script, writes its one-syllable prepositions ብ "with" and ን "to, for" joined to the next word,
and may join ናብ "to", ካብ "from", ኣብ "in" and ምስ "with": ንሂወት ("to Hiwet") holds ሂወት.
(Suffixes are not looked through: ሂወትን, "Hiwet and", is watched as written.)

Redaction, the identifier check, suggestions, the word in context and the export gate all match
with these patterns, so each finds what the others find.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_ETHIOPIC_SCRIPT = re.compile(r"[\u1200-\u139F\u2D80-\u2DDF\uAB00-\uAB2F]")
_JOINED_BEFORE: dict[str, tuple[str, ...]] = {
    # و "and", ف "so", ب "in, with", ل "for", ك "like"; و or ف before one of the other three.
    "arabic": (*"وفبلك", *(a + b for a in "وف" for b in "بلك")),
    # Tigrinya writes its one-syllable prepositions ብ "with, by" and ን "to, for" joined to the
    # word after them, and may join ናብ "to", ካብ "from", ኣብ "in, at" and ምስ "with".
    "ethiopic": ("ብ", "ን", "ናብ", "ካብ", "ኣብ", "ምስ"),
}


def script_of(word: str) -> str:
    """``arabic``, ``ethiopic`` (Ge'ez: Tigrinya, Amharic) or ``other``, by the word's first
    letter: which letters may be written joined before it."""
    if _ARABIC_SCRIPT.match(word):
        return "arabic"
    if _ETHIOPIC_SCRIPT.match(word):
        return "ethiopic"
    return "other"


def in_arabic_script(word: str) -> bool:
    return script_of(word) == "arabic"


def _joined_by_length(script: str) -> list[str]:
    """The words written joined before a word of ``script``, as one alternation per length (a
    lookbehind takes alternatives of one width)."""
    joined = sorted(_JOINED_BEFORE.get(script, ()), key=len)
    return ["|".join(re.escape(j) for j in same) for _, same in itertools.groupby(joined, key=len)]


def word_start(word: str) -> str:
    """A pattern asserting that ``word``, matched right after it, starts a whole word."""
    joined = _joined_by_length(script_of(word))
    if not joined:
        return r"(?<!\w)"
    return r"(?:(?<!\w)|" + "|".join(rf"(?<=(?<!\w)(?:{alts}))" for alts in joined) + ")"


def whole_word(needle: str) -> re.Pattern[str]:
    return re.compile(rf"{word_start(needle)}{re.escape(needle)}(?!\w)")


def whole_word_folded(needle: str) -> re.Pattern[str]:
    return re.compile(rf"{word_start(needle)}{re.escape(needle)}(?!\w)", re.IGNORECASE)


def _by_script(needles: Sequence[str]) -> list[list[str]]:
    groups: dict[str, list[str]] = {}
    for needle in needles:
        groups.setdefault(script_of(needle), []).append(needle)
    return list(groups.values())


def alternation(needles: Sequence[str], flags: int = 0) -> re.Pattern[str] | None:
    """One pattern matching any of ``needles`` as a whole word, the longest first where they
    overlap; the match is the needle itself."""
    if not needles:
        return None
    ordered = sorted(set(needles), key=lambda n: (-len(n), n))
    branches = [
        f"{word_start(same[0])}(?:{'|'.join(re.escape(n) for n in same)})"
        for same in _by_script(ordered)
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
        for script in _by_script(list(same)):
            alternatives = "|".join(re.escape(n) for n in script)
            groups.append(rf"(?:{alternatives}){_start_behind(script[0], length)}")
    flags = re.IGNORECASE if folded else 0
    return re.compile(rf"(?:{'|'.join(groups)})(?!\w)", flags)


def _start_behind(word: str, length: int) -> str:
    """``word_start``, asserted from just after a match ``length`` characters long."""
    joined = _joined_by_length(script_of(word))
    plain = rf"(?<!\w[\s\S]{{{length}}})"
    if not joined:
        return plain
    return (
        f"(?:{plain}|"
        + "|".join(rf"(?<=(?<!\w)(?:{alts})[\s\S]{{{length}}})" for alts in joined)
        + ")"
    )
