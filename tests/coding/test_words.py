"""Whole words in any script: Arabic writes "and", "so", "in", "for" and "like" joined to the
word after them, so a name stands whole after those letters (and only after those)."""

from __future__ import annotations

import re

import pytest

from workbench.coding.words import alternation, any_word, whole_word, whole_word_folded

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
    assert bool(whole_word_folded(RANA).search(text)) is holds
    assert bool(any_word([RANA, "Rana"], folded=True).search(text)) is holds  # type: ignore[union-attr]
    assert bool(alternation([RANA, "Rana"]).search(text)) is holds  # type: ignore[union-attr]


def test_latin_words_keep_their_plain_boundaries() -> None:
    assert not whole_word("Rana").search("bRana")
    assert not whole_word("ana").search("wana")  # the Arabic letters only count before Arabic
    assert whole_word_folded("rana").search("and RANA came")
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


def test_the_first_look_agrees_with_each_word_s_own_pattern() -> None:
    """``any_word`` is a faster ``alternation``: on every text they find the same words."""
    needles = [RANA, "دير النور", "هبة", "Hiba", "Clare", "كلير", "Lina", "لينا", "ሂወት", "ሳባ"]
    bodies = [
        TEXT,
        "وهبة قالت، ولينا، بدير النور، كليرة، وكلير؛ Hiba's and Clare-like, xLina, لينا",
        "هبةو ههبة ففهبة وفهبة",
        "ንሂወትን ሳባን ሓገዝኩወን፣ ካብሳባ ሰሂወት ምስ ሂወት ብሳባ",
    ]
    quick = any_word(needles, folded=True)
    slow = alternation(needles, re.IGNORECASE)
    assert quick is not None and slow is not None
    for body in bodies:
        assert [m.span() for m in quick.finditer(body)] == [m.span() for m in slow.finditer(body)]
        for needle in needles:
            own = [m.span() for m in whole_word_folded(needle).finditer(body)]
            assert all(span in [m.span() for m in slow.finditer(body)] for span in own)


@pytest.mark.parametrize(
    ("text", "holds"),
    [
        ("ንሂወት ሃበያ", True),  # "gave it to Hiwet"
        ("ብሂወት", True),  # "by Hiwet"
        ("ካብሂወት", True),  # "from Hiwet", written joined
        ("ካብ ሂወት", True),
        ("ምስሂወት", True),
        ("ሰሂወት", False),  # another syllable before it: another word
        ("ሂወትን", False),  # a suffix: watched as written
    ],
)
def test_tigrinya_prepositions_written_joined(text: str, holds: bool) -> None:
    hiwet = "ሂወት"
    assert bool(whole_word(hiwet).search(text)) is holds
    assert bool(any_word([hiwet, "Hiwet"], folded=True).search(text)) is holds  # type: ignore[union-attr]
    assert bool(alternation([hiwet, RANA]).search(text)) is holds  # type: ignore[union-attr]
    if holds:
        (match,) = whole_word(hiwet).finditer(text)
        assert match.group(0) == hiwet
