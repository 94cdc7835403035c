"""Whole words in any script: Arabic writes "and", "so", "in", "for" and "like" joined to the
word after them, so a name stands whole after those letters (and only after those)."""

from __future__ import annotations

import re

import pytest

from workbench.coding.words import (
    alternation,
    any_word,
    in_arabic_script,
    loose_key,
    loose_word,
    whole_word,
)

RANA = "رنا"
TEXT = "الأولاد بيروحوا عالمدرسة، ورنا بتروح عالكورس. صرنا أصحاب مع جارنا. رنا هون. aرنا"


def test_an_arabic_name_after_and_is_a_whole_word_and_the_match_is_the_name_alone() -> None:
    found = [m.span() for m in whole_word(RANA).finditer(TEXT)]
    assert [TEXT[a:b] for a, b in found] == [RANA, RANA]
    assert TEXT[found[0][0] - 1] == "و"  # "and Rana": the "and" is not matched
    assert TEXT[found[1][0] - 2 : found[1][0]] == ". "


@pytest.mark.parametrize(
    ("text", "holds"),
    [
        ("ورنا", True),  # and Rana
        ("فرنا", True),  # so Rana
        ("برنا", True),  # with Rana
        ("لرنا", True),  # for Rana
        ("كرنا", True),  # like Rana
        ("وبرنا", True),  # and with Rana
        ("فلرنا", True),  # so for Rana
        ("صرنا", False),  # we became
        ("جارنا", False),  # our neighbour
        ("ووررنا", False),
        ("بورنا", False),  # only و or ف may come first of two
        ("xورنا", False),
        ("رناك", False),
        ("رنا،", True),
    ],
)
def test_which_joined_letters_may_stand_before_an_arabic_word(text: str, holds: bool) -> None:
    assert bool(whole_word(RANA).search(text)) is holds
    assert bool(loose_word(RANA).search(text)) is holds
    assert bool(alternation([RANA, "Rana"]).search(text)) is holds  # type: ignore[union-attr]
    if holds:  # the first look may find more, never less
        assert any_word([RANA, "Rana"], folded=True).search(text)  # type: ignore[union-attr]


def test_latin_words_keep_their_plain_boundaries() -> None:
    assert not whole_word("Rana").search("bRana")
    assert not whole_word("ana").search("wana")  # the Arabic letters only count before Arabic
    assert loose_word("rana").search("and RANA came")
    pattern = any_word(["Rana", "Deir al-Nour", "رنا"], folded=False)
    assert pattern is not None
    assert [m.group(0) for m in pattern.finditer("Rana, ورنا and Deir al-Nour; xRana")] == [
        "Rana",
        RANA,
        "Deir al-Nour",
    ]


def test_a_place_in_two_words_after_in() -> None:
    place = "دير النور"
    text = "كنا ساكنين بدير النور قبل الحرب"
    (match,) = whole_word(place).finditer(text)
    assert match.group(0) == place and text[match.start() - 1] == "ب"


def test_the_first_look_never_misses_what_a_word_s_own_pattern_finds() -> None:
    """``any_word`` is a faster look: it finds every text ``alternation`` finds (in Latin words
    exactly where it does; in Arabic and Ge'ez, a word's letters anywhere)."""
    needles = [RANA, "دير النور", "هبة", "Hiba", "Clare", "كلير", "Lina", "لينا", "ሂወት", "ሳባ"]
    bodies = [
        TEXT,
        "وهبة قالت، ولينا، بدير النور، كليرة، وكلير؛ Hiba's and Clare-like, xLina, لينا",
        "هبةو ههبة ففهبة وفهبة",
        "ንሂወትን ሳባን ሓገዝኩወን፣ ካብሳባ ሰሂወት ምስ ሂወት ብሳባ",
        "Abu  Yusuf and HIBA; كلّير and دير   النّور",
    ]
    for folded in (False, True):
        quick = any_word([*needles, "Abu Yusuf"], folded=folded)
        for body in bodies:
            for needle in [*needles, "Abu Yusuf"]:
                pattern = loose_word(needle) if folded else whole_word(needle)
                if pattern.search(body):
                    assert quick is not None and quick.search(body), (needle, body)
    latin = any_word(["Hiba", "Clare", "Lina"], folded=True)
    slow = alternation(["Hiba", "Clare", "Lina"], re.IGNORECASE)
    assert latin is not None and slow is not None
    for body in bodies:
        assert [m.span() for m in latin.finditer(body)] == [m.span() for m in slow.finditer(body)]


@pytest.mark.parametrize(
    ("watched", "written"),
    [
        ("محمد", "محمّد"),  # shadda
        ("محمد", "مُحَمَّد"),  # every vowel marked
        ("فاطمة", "فاطمـــة"),  # tatweel
        ("فاطمة", "فاطمه"),  # ه for ة
        ("أحمد", "احمد"),  # no hamza
        ("احمد", "إحمد"),
        ("مصطفى", "مصطفي"),  # ي for ى
        ("الزعتري", "الزعتري"),
        ("أبو خالد", "أبو  خالد"),  # two spaces
        ("Tessy", "tessy"),
        ("Abu Yusuf", "ABU\nYusuf"),
    ],
)
def test_every_spelling_of_a_watched_word_is_found_as_written(watched: str, written: str) -> None:
    text = f"قال و{written} إنو" if in_arabic_script(watched) else f"she said {written} came"
    (match,) = loose_word(watched).finditer(text)
    assert match.group(0) == written  # the spelling as it stands: what is redacted
    assert loose_key(match.group(0)) == loose_key(watched)
    assert not whole_word(watched).search(text) or watched == written
    assert any_word([watched], folded=True).search(text)  # type: ignore[union-attr]
    assert alternation([watched], loose=True).search(text)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "holds"),
    [
        ("ለሰላም ደወልኩ", True),  # Amharic: "I called for Selam"
        ("የሰላም እናት", True),  # "Selam's mother"
        ("ከሰላም ጋር", True),  # "with (from) Selam"
        ("ሰላምና ዳዊት", True),  # "Selam and Dawit"
        ("ሰላምም መጣች", True),  # "Selam too came"
        ("ንሰላም", True),  # Tigrinya "to Selam"
        ("ሰሰላም", False),  # ሰ is joined to nothing
        ("ሰላምታ", False),  # "greeting": a word of its own
    ],
)
def test_amharic_joins_prepositions_before_a_word_and_and_after_it(text: str, holds: bool) -> None:
    assert bool(whole_word("ሰላም").search(text)) is holds
    assert bool(loose_word("ሰላም").search(text)) is holds
    if holds:
        assert whole_word("ሰላም").search(text).group(0) == "ሰላም"  # type: ignore[union-attr]


def test_for_the_article_after_for() -> None:
    """ل + ال is written لل: للزعتري ("for al-Zaatari") holds الزعتري."""
    text = "رحنا للزعتري وللرقة ولالزعتري"
    found = [m.group(0) for m in loose_word("الزعتري").finditer(text)]
    assert found == ["لزعتري", "الزعتري"]
    assert [m.group(0) for m in loose_word("الرقة").finditer(text)] == ["لرقة"]
    assert not loose_word("الزعتري").search("زعتري")


def test_the_faster_first_look_never_misses_a_spelling() -> None:
    """``first_look`` (plain folded substrings for Latin words) finds every text any spelling
    of a needle stands in — checked on every body of these tests and the fuzzed corpus."""
    from workbench.coding.words import first_look

    from .test_identifiers_fast import CORPUS

    needles = [
        *[RANA, "دير النور", "هبة", "محمد", "فاطمة", "أحمد", "الزعتري", "ሂወት", "ሳባ"],
        *["Hiba", "Clare", "Lina", "Abu Yusuf", "Tessy", "STRASSE", "Ahmed Hassan", "P01's"],
    ]
    bodies = [
        TEXT,
        "Abu  Yusuf, ABU\nYUSUF, tessy, Straße, hiba's; ahmed\thassan",
        "محمّد ومُحَمَّد فاطمـــة فاطمه احمد للزعتري ንሂወትን",
        *CORPUS,
    ]
    may_hold = first_look(needles)
    assert may_hold is not None
    found = 0
    for body in bodies:
        if any(loose_word(n).search(body) for n in needles):
            found += 1
            assert may_hold(body), body
    assert found > 50  # the corpus holds them often enough for the check to say something
