"""Whole words, in any script: where a word the analyst looks for starts and ends, and which
spellings of it count as the same word.

A word stands whole when no word character touches it on either side. Arabic script needs one
more rule: it writes five short words joined to the word after them — و "and", ف "so", ب "in,
with", ل "for", ك "like", one of them or و/ف with one of the other three — so the name رنا
stands in ورنا ("and Rana") and the place دير النور in بدير النور ("in Deir al-Nour"). For a word
in Arabic script those letters may stand before it (with no word character before them), and
only the word itself is matched: a redaction keeps the "and". صرنا ("we became") and جارنا ("our
neighbour") still do not hold رنا: their letters before it are not those. Tigrinya, in Ge'ez
script, writes its one-syllable prepositions ብ "with" and ን "to, for" joined to the next word,
and may join ናብ "to", ካብ "from", ኣብ "in" and ምስ "with": ንሂወት ("to Hiwet") holds ሂወት; and
its "and" and "also" are suffixes (ሂወትን ሳባን, "Hiwet and Saba"; -ውን), which may follow a word.
Amharic, in the same script, joins በ "in", ለ "for", ከ "from" and የ "of" before a word (ለሰላም,
"for Selam"; የሰላም, "Selam's") and its "and" and "also" after it (-ና, -ም).

Two strictnesses:

- ``whole_word`` — as written: what a redaction replaces (and a key holder's undo puts back
  exactly), and what the analyst's candidate words are looked up by.
- ``loose_word`` — every spelling of the word: any case, and in Arabic script with or without
  its vowel marks, shadda and tatweel (محمّد, فاطمـــة), any hamza on alif (أحمد, احمد), ة or ه
  at the end (فاطمة, فاطمه), ى or ي, ل ل for ل ال (للزعتري: "for al-Zaatari"), and any run of
  spaces between words. What looks for a name — the watch list, the participant list, the
  key's words in the project and in written files — looks with it, and names each spelling it
  finds as written, so that spelling is what is redacted or dismissed.

``loose_word`` (and so every look for a name) also sees through what does not show: a character
that prints nothing (a soft hyphen, a zero-width space or joiner, a direction mark: text copied from
a PDF or a word processor carries them inside words) may stand between any two letters, and a
letter may be written composed (é) or as its letter and accent (e + ◌́, as macOS writes). An
export shows "Sa\u00admer" as Samer, so the gate must find it as Samer. ``whole_word`` does not:
a redaction replaces the spelling it is given, exactly. ``shown`` writes such a spelling with
what does not show as ``\\u00ad``, and ``typed`` reads that back from what the analyst types.

Redaction, the identifier check, suggestions, the word in context and the export gate all match
with these patterns, so each finds what the others find.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Sequence

from workbench.domain.text import JOINED_AFTER, JOINED_BEFORE, SAME_LETTERS, script_of

ARABIC_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640"
"""Vowel marks, shadda, sukun, the superscript alif, Quranic marks, and tatweel (ـ)."""
_MARKS = re.compile(f"[{ARABIC_MARKS}]")
_SAME_LETTER = {ch: same for same in SAME_LETTERS for ch in same}
"""Letters written for one another: alif with or without hamza or madda, ta marbuta or ha at a
word's end, alif maqsura or ya."""
_SPACES = re.compile(r"\s+")
HIDDEN = "".join(
    chr(c)
    for first, last in (
        (0x00AD, 0x00AD),
        (0x034F, 0x034F),
        (0x061C, 0x061C),
        (0x180E, 0x180E),
        (0x200B, 0x200F),
        (0x202A, 0x202E),
        (0x2060, 0x2064),
        (0x2066, 0x2069),
        (0xFEFF, 0xFEFF),
    )
    for c in range(first, last + 1)
)
"""Characters that print nothing: soft hyphen, combining grapheme joiner, Arabic letter mark,
Mongolian vowel separator, zero-width space, non-joiner and joiner, the direction marks and
embeddings, word joiner and the invisible operators, the direction isolates, and the zero-width
no-break space (a byte-order mark inside text)."""
INSIDE_WORDS = "\u00ad\u034f\u180e\u200c\u200d\u2060\ufeff"
"""Of those, the ones that stand only inside a word (a soft hyphen, a joiner, a word joiner); a
zero-width space and the direction marks may also part two words."""
_HIDDEN = re.escape(HIDDEN)
_HIDDEN_RUN = re.compile(f"[{_HIDDEN}]+")
_GAP = f"[{_HIDDEN}]*"
COMBINING = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
"""Accents written after their letter (decomposed), as a character class's ranges: a word
followed by one does not end there, and a name holds them (Mu\u0308ller)."""
_DOT_ABOVE = "\u0307"
"""What case folding gives İ (i and a dot above): i and İ are the same letter to a name."""
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def visible(text: str) -> str:
    """``text`` as it shows: without the characters that print nothing, letters composed."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", _HIDDEN_RUN.sub("", text))


def _folded(text: str) -> str:
    """``text`` as it shows, case folded, for a plain substring look: composed (whatever order
    its accents were typed in), without what prints nothing, the dot of İ dropped."""
    if not _HIDDEN_RUN.search(text) and unicodedata.is_normalized("NFC", text):
        return text.casefold().replace(_DOT_ABOVE, "")
    return visible(text).casefold().replace(_DOT_ABOVE, "")


def shown(spelling: str) -> str:
    """``spelling`` with what does not show written out (``Sa\\u00admer``; ``Zoe\\u0308`` for
    a decomposed ë: an accent written apart from a letter it has a composed form with), so two
    spellings that look alike can be told apart; as is when nothing in it hides (Arabic vowel
    marks have no composed forms and stay). ``typed`` reads it back."""
    if spelling.isascii():
        return spelling
    out: list[str] = []
    base = ""
    for ch in spelling:
        mark = bool(unicodedata.combining(ch))
        apart = mark and len(unicodedata.normalize("NFC", base + ch)) == 1
        out.append(f"\\u{ord(ch):04x}" if _HIDDEN_RUN.match(ch) or apart else ch)
        if not mark:
            base = ch
    return "".join(out)


def typed(word: str) -> str:
    """What the analyst typed, with ``\\uXXXX`` read as the character (as ``shown`` writes a
    spelling that holds one that does not show)."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), word)


def _script(word: str) -> str:
    """``script_of`` the word as it shows (a direction mark copied in front of it is not it)."""
    return script_of(visible(word).strip())


def in_arabic_script(word: str) -> bool:
    return _script(word) == "arabic"


def _joined_by_length(script: str) -> list[str]:
    """The words written joined before a word of ``script``, as one alternation per length (a
    lookbehind takes alternatives of one width)."""
    joined = sorted(JOINED_BEFORE.get(script, ()), key=len)
    return ["|".join(re.escape(j) for j in same) for _, same in itertools.groupby(joined, key=len)]


def word_start(word: str) -> str:
    """A pattern asserting that ``word``, matched right after it, starts a whole word."""
    joined = _joined_by_length(_script(word))
    if not joined:
        return r"(?<!\w)"
    return r"(?:(?<!\w)|" + "|".join(rf"(?<=(?<!\w)(?:{alts}))" for alts in joined) + ")"


def word_end(word: str) -> str:
    """A pattern asserting that ``word``, matched right before it, ends a whole word (a joined
    suffix may follow it, outside the match)."""
    after = JOINED_AFTER.get(_script(word), ())
    suffix = f"(?:{'|'.join(map(re.escape, after))})?" if after else ""
    return rf"(?={suffix}(?![\w{COMBINING}]))"


def whole_word(needle: str) -> re.Pattern[str]:
    """``needle`` as written, a whole word."""
    return re.compile(f"{word_start(needle)}{re.escape(needle)}{word_end(needle)}")


def loose_key(text: str) -> str:
    """What every spelling ``loose_word`` matches has in common: folded case, no Arabic marks or
    tatweel, one alif for all its forms, one letter for ة and ه and for ى and ي, single
    spaces. (A spelling matched after a joined ل, with its article's alif dropped, keys without
    that alif: ``loose_keys`` gives both.)"""
    text = _MARKS.sub("", visible(text).casefold()).replace("’", "'").replace(_DOT_ABOVE, "")
    text = "".join(_SAME_LETTER.get(ch, ch)[0] for ch in text)
    return _SPACES.sub(" ", text.strip())


def loose_keys(word: str) -> set[str]:
    """The keys of ``word``'s spellings: ``loose_key``, and for a word with the article ال
    also the key without its alif, as it stands after a joined ل (للزعتري holds لزعتري)."""
    key = loose_key(word)
    return {key, key[1:]} if key.startswith("ال") else {key}


def _loose_body(needle: str) -> str:
    """A pattern for every spelling of ``needle`` (no boundaries)."""
    needle = _SPACES.sub(" ", _MARKS.sub("", visible(needle).strip()))
    arabic = in_arabic_script(needle)
    marks = f"[{ARABIC_MARKS}]*" if arabic else ""
    parts = []
    for i, ch in enumerate(needle):
        if ch == " ":
            parts.append(r"\s+")
        elif ch in "'’":
            parts.append("['’]")  # O'Brien, O’Brien
        elif arabic and ch == "ا" and needle[i + 1 : i + 2] == "ل" and (i == 0):
            parts.append(f"(?:[{_SAME_LETTER[ch]}]{marks}|(?<=ل))")  # للزعتري: ل ال
        elif arabic and ch in _SAME_LETTER:
            parts.append(f"[{_SAME_LETTER[ch]}]{marks}")
        else:
            parts.append(f"{_composed_or_not(ch)}{marks}")
    return _GAP.join(parts)


def _composed_or_not(ch: str) -> str:
    """``ch`` in each form that shows the same: composed (é), as its letter and accents (e + ◌́),
    partly composed (ê + ◌̃ for ễ), its accents in either order."""
    decomposed = unicodedata.normalize("NFD", ch)
    if decomposed == ch:
        return re.escape(ch)
    base, marks = decomposed[0], decomposed[1:]
    forms = {ch, decomposed}
    for order in itertools.permutations(marks) if len(marks) <= 3 else [tuple(marks)]:
        for k in range(len(order) + 1):
            forms.add(unicodedata.normalize("NFC", base + "".join(order[:k])) + "".join(order[k:]))
    alternatives = sorted(forms, key=lambda f: (-len(f), f))
    return "(?:" + "|".join(re.escape(f) for f in alternatives) + ")"


def loose_word(needle: str) -> re.Pattern[str]:
    """Every spelling of ``needle`` (see the module's note), a whole word; the match is the
    spelling as written."""
    return re.compile(f"{word_start(needle)}{_loose_body(needle)}{word_end(needle)}", re.IGNORECASE)


def alternation(
    needles: Sequence[str], flags: int = 0, *, loose: bool = False
) -> re.Pattern[str] | None:
    """One pattern matching any of ``needles`` as a whole word, the longest first where they
    overlap; the match is the word as written (with ``loose``, any of its spellings: look it
    up by ``loose_key``)."""
    if not needles:
        return None
    ordered = sorted(set(needles), key=lambda n: (-len(n), n))
    body = _loose_body if loose else re.escape
    branches = [
        f"{word_start(same[0])}(?:{'|'.join(body(n) for n in same)}){word_end(same[0])}"
        for same in _by_script(ordered)
    ]
    return re.compile(f"(?:{'|'.join(branches)})", flags | (re.IGNORECASE if loose else 0))


def _by_script(needles: Sequence[str]) -> list[list[str]]:
    groups: dict[str, list[str]] = {}
    for needle in needles:
        groups.setdefault(_script(needle), []).append(needle)
    return list(groups.values())


def any_word(needles: Sequence[str], *, folded: bool) -> re.Pattern[str] | None:
    """A cheap first look: finds a text holding any of ``needles`` as a whole word (with
    ``folded``, in any spelling ``loose_word`` matches), so each needle's own pattern runs only
    on the few texts that hold one. It may also find a text holding none (a word in Arabic or
    Ge'ez script is looked for without its boundaries); it never misses one.

    For other scripts, each needle comes first and the character before it is looked at behind
    it (single words grouped by length, a case-insensitive match being as long as its
    needle): a pattern that starts with a lookbehind makes the regex engine set it up at every
    position of the text, three times slower. Words of several words are looked for without
    their boundaries too (any run of spaces between them makes their length vary). (A single
    word of those scripts is looked for as written, in any case: ``first_look`` also finds it
    with a character that prints nothing inside.)"""
    if not needles:
        return None
    ordered = sorted(set(needles), key=lambda n: (-len(n), n))
    groups = []
    plain = [n for n in ordered if _script(n) == "other" and not _SPACES.search(n)]
    for length, same in itertools.groupby(plain, key=len):
        alternatives = "|".join(re.escape(n) for n in same)
        groups.append(rf"(?:{alternatives})(?<!\w[\s\S]{{{length}}})(?!\w)")
    joined = [n for n in ordered if n not in plain]
    if joined:
        groups.append("|".join(_loose_body(n) if folded else re.escape(n) for n in joined))
    flags = re.IGNORECASE if folded else 0
    return re.compile("|".join(f"(?:{g})" for g in groups), flags)


def first_look(needles: Sequence[str]) -> Callable[[str], bool] | None:
    """A faster first look for every spelling (``loose_word``) of ``needles``: whether a text
    may hold one. Never false where one stands; true on some texts that hold none.

    Words in scripts without joined words are looked for as plain substrings of the text's
    folded case — the longest of their space-separated parts, since any run of spaces may stand
    between them — which Python does far faster than a case-insensitive regex (about 8× on the
    demo's transcripts with twelve names); the others with ``any_word``."""
    if not needles:
        return None
    plain = {
        max(_folded(n).split(), key=len)
        for n in needles
        if _script(n) == "other" and visible(n).strip()
    }
    others = any_word([n for n in needles if _script(n) != "other"], folded=True)

    def may_hold(text: str) -> bool:
        if others is not None and others.search(text):
            return True
        if plain:
            folded = text.casefold() if text.isascii() else _folded(text)
            return any(part in folded for part in plain)
        return False

    return may_hold
