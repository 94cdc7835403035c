"""Why a wave is missing (DESIGN.md, Longitudinal definitions), in the words every view and export
uses: a missing wave is data (attrition), told apart from a zero."""

from __future__ import annotations

MISSING_WORDS = {
    "no_interview": "no interview",
    "not_coded": "not yet coded",
    "stopped": "stopped",
    "excluded": "excluded (no consent)",
    "no_member_observed": "no member observed",
}


def missing_words(missing: str | list[str] | tuple[str, ...]) -> str:
    """A missing reason in words: "not yet coded"; a dyad's "P01:not_coded" is "P01 not yet
    coded", one member after the other."""
    reasons = [missing] if isinstance(missing, str) else missing
    words = []
    for reason in reasons:
        who, _, why = reason.rpartition(":")
        said = MISSING_WORDS.get(why, why.replace("_", " "))
        words.append(f"{who} {said}" if who else said)
    return "; ".join(words)
