"""Choosing among legacy 8-bit encodings without producing mojibake.

charset-normalizer ranks candidate encodings well for non-Latin scripts (cp1256 Arabic, cp1251
Cyrillic), but for short Latin-script texts its first choice is often a neighbour: French in
cp1252 read as Baltic cp1257 turns "très" into "trčs", Polish cp1250 read as cp1252 turns
"żołądek" into "¿o³¹dek". Both are valid decodes, and both are mojibake.

So every candidate it finds is decoded and given a penalty, counting two signs of a wrong
code page that hold in every language:

* a symbol inside a word (``¿o³¹dek``), a lower-case letter directly followed by an upper-
  case one (``żCómo``), or letters of two scripts in one word;
* accented Latin letters that no single language uses together: the smallest number of
  them left over by the best-fitting alphabet in :data:`_ALPHABETS` (``trčs`` + ``déją``
  needs č and ą next to é and è; no language has all four).

The lowest penalty wins (see :func:`guess` for ties). A penalty only compares
readings of the same bytes, so a loan word or a name like "McDonald" costs every candidate
the same and changes nothing.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from charset_normalizer import from_bytes

MAX_CANDIDATES = 12
PENALTY_SAMPLE_CHARS = 200_000

# Accented letters (lower case) of Latin-script languages; plain a–z are implied.
_ALPHABETS: tuple[frozenset[str], ...] = tuple(
    frozenset(letters)
    for letters in (
        "àâæçéèêëîïôœùûüÿ",  # French
        "áéíñóúü",  # Spanish
        "áâãàçéêíóôõúü",  # Portuguese
        "àèéìíîòóùú",  # Italian
        "àçèéíïòóúü·",  # Catalan
        "äöüß",  # German
        "áàéèëïóöüíú",  # Dutch, Afrikaans
        "æøåéóàô",  # Danish, Norwegian
        "åäöéü",  # Swedish
        "äöåšžõü",  # Finnish, Estonian
        "áðéíóúýþæö",  # Icelandic
        "ąćęłńóśźż",  # Polish
        "áčďéěíňóřšťúůýž",  # Czech
        "áäčďéíĺľňóôŕšťúýž",  # Slovak
        "čćđšž",  # Croatian, Bosnian, Serbian, Slovenian
        "áéíóöőúüű",  # Hungarian
        "ăâîșşțţ",  # Romanian
        "çğıöşüâî",  # Turkish
        "ąčęėįšųūž",  # Lithuanian
        "āčēģīķļņšūž",  # Latvian
        "çë",  # Albanian
        "ċġħżàèìòù",  # Maltese
        "áéíóúâêîôûŵŷäëïöüẅÿ",  # Welsh, Irish
        "ĉĝĥĵŝŭ",  # Esperanto
    )
)

_WORD_RE = re.compile(r"\S+")
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Characters a word may carry inside it in real text: apostrophes, hyphens, dots, slashes.
_INNER_OK = frozenset("'’‘-‐‑.&/·_@:+")


def guess(data: bytes) -> tuple[str, str] | None:
    """``(text, codec)`` for bytes that are not UTF-8, or None when nothing fits.

    Lowest penalty wins; ties go to charset-normalizer's language coherence, then to cp1252
    (the usual Windows code page of Western Europe and the Americas), then to its order. When
    cp1252 gives the very same text as the winner it is the name reported, so a German cp1252
    file is not called "cp1250" just because the two agree on ä, ö, ü and ß.
    """
    best: tuple[tuple[int, float, bool, int], str, str] | None = None
    for rank, match in enumerate(list(from_bytes(data))[:MAX_CANDIDATES]):
        try:
            codec = codecs.lookup(match.encoding).name
            text = data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
        key = (penalty(text), -match.coherence, codec != "cp1252", rank)
        if best is None or key < best[0]:
            best = (key, text, codec)
    if best is None:
        return None
    _, text, codec = best
    if codec != "cp1252":
        try:
            if data.decode("cp1252") == text:
                codec = "cp1252"
        except UnicodeDecodeError:
            pass
    return text, codec


def penalty(text: str) -> int:
    """How much ``text`` looks like a wrong code page (see the module docstring)."""
    # A sample is plenty: a wrong code page garbles the same letters all through the file.
    text = text[:PENALTY_SAMPLE_CHARS]
    odd_words = 0
    latin_letters: set[str] = set()
    for token in _WORD_RE.findall(text):
        word = _trim(token)
        if not word:
            continue
        if _odd_inside(word):
            odd_words += 1
        for ch in word:
            if ch > "\x7f" and ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN"):
                lower = ch.lower()
                latin_letters.add(lower if len(lower) == 1 else ch)
    controls = len(_CONTROL_RE.findall(text))
    return odd_words + _uncovered(latin_letters) + 10 * controls


def _trim(token: str) -> str:
    start, end = 0, len(token)
    while start < end and not token[start].isalnum():
        start += 1
    while end > start and not token[end - 1].isalnum():
        end -= 1
    return token[start:end]


def _odd_inside(word: str) -> bool:
    previous = ""
    script = ""
    for ch in word:
        if ch.isalpha():
            if previous.isalpha() and previous.islower() and ch.isupper():
                return True
            # One word, one script: "Ärzte" read as cp1006 mixes Latin and Arabic letters.
            this_script = "LATIN" if ch < "\x80" else unicodedata.name(ch, "?").split(" ")[0]
            if script and this_script != script:
                return True
            script = this_script
        elif not (ch in _INNER_OK or ch.isdecimal() or unicodedata.category(ch)[0] == "M"):
            return True  # "³", "¹", "¿", "¤" between letters
        previous = ch
    return False


def _uncovered(letters: set[str]) -> int:
    if not letters:
        return 0
    return min(len(letters - alphabet) for alphabet in _ALPHABETS)
