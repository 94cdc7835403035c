"""The search tokens are made fast (characters sorted once, then regular expressions) and mean
exactly what the definition says: runs of letters, digits and spacing marks after folding case
and dropping non-spacing marks — compared here with that definition, character by character."""

from __future__ import annotations

import random
import unicodedata

from workbench.domain.text import (
    MAX_TOKEN_CHARS,
    TOKEN_CATEGORIES,
    fold,
    search_text_of,
    search_tokens,
)


def _by_definition(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    folded = unicodedata.normalize("NFC", kept.casefold())
    tokens, current = [], []
    for ch in folded:
        if unicodedata.category(ch) in TOKEN_CATEGORIES:
            current.append(ch)
        elif current:
            tokens.append("".join(current)[:MAX_TOKEN_CHARS])
            current = []
    if current:
        tokens.append("".join(current)[:MAX_TOKEN_CHARS])
    return tokens


def test_tokens_are_the_definition_in_every_script() -> None:
    rng = random.Random(11)
    ranges = [(0, 0x250), (0x600, 0x700), (0x900, 0x980), (0x1200, 0x1380), (0x3040, 0x30FF)]
    alphabet = [chr(c) for a, b in ranges for c in range(a, b)]
    alphabet += ["_", "\u2160", "\u00bd", "\ue000", "\u20dd", "\U0001d400", "\u0130", "ß", "\ufb01"]
    samples = ["كَتَبَ الولدُ", "Café crème — naïve", "ሰላም ነው", "हिन्दी", "a_b", "x" * 250, ""]
    samples += [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(5000)
    ]
    for text in samples:
        assert search_tokens(text) == _by_definition(text), text
        assert search_text_of(text) == " ".join(_by_definition(text)), text
    assert search_tokens("كَتَبَ") == search_tokens("كتب") and fold("É") == "e"
