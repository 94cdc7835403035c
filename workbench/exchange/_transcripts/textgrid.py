"""Praat TextGrid files (long and short text formats): one interval tier per speaker.

Our own small parser rather than ``praat-textgrids``: that package splits on lines and strips
quotes, so it mangles texts containing ``""`` (Praat's escaped quote) or line breaks, reads
only UTF-8 or UTF-16 BE, and its floats lose the exact decimal Praat wrote. Praat's text formats
are a stream of numbers, ``"strings"`` and ``<flags>``; everything else (``xmin =``,
``item [1]:``) is decoration, and the long and short formats give the same stream.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from workbench.domain.transcript import UtteranceDraft
from workbench.exchange._transcripts.common import fail, seconds_to_ms

OVERLAP_TOLERANCE = Decimal("0.001")
"""Praat boundaries are shared floats; anything below a millisecond is rounding, not overlap."""

_TOKEN_RE = re.compile(
    r"""
      "(?P<string>(?:[^"]|"")*)"
    | (?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(?![\w.])
    | (?P<flag><[A-Za-z]+>)
    | (?P<skip>\s+|\[\s*\d*\s*\]|[A-Za-z_][A-Za-z0-9_]*\??|[=:]|![^\n]*)
    | (?P<bad>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    value: str
    offset: int


class _Reader:
    """Walks the token stream, turning any surprise into a one-line TranscriptFormatError."""

    def __init__(self, text: str, name: str) -> None:
        self._text = text
        self._name = name
        self._tokens = self._tokenise()
        self._pos = 0

    def _tokenise(self) -> list[_Token]:
        tokens = []
        for m in _TOKEN_RE.finditer(self._text):
            kind = m.lastgroup
            if kind == "skip" or kind is None:
                continue
            if kind == "bad":
                what = "a quoted text that never ends" if m.group() == '"' else "unexpected text"
                raise self.error(f"{what} at line {self._line_at(m.start())}")
            value = m.group(kind)
            if kind == "string":
                value = value.replace('""', '"')
            tokens.append(_Token(kind, value, m.start()))
        return tokens

    def _line_at(self, offset: int) -> int:
        return self._text.count("\n", 0, offset) + 1

    def error(self, problem: str) -> Exception:
        return fail(self._name, f"is not a valid Praat TextGrid: {problem}")

    def _next(self, kind: str, what: str) -> _Token:
        if self._pos >= len(self._tokens):
            raise self.error(f"the file ends early (expected {what})")
        token = self._tokens[self._pos]
        if token.kind != kind:
            raise self.error(f"expected {what} at line {self._line_at(token.offset)}")
        self._pos += 1
        return token

    def string(self, what: str) -> str:
        return self._next("string", what).value

    def number(self, what: str) -> Decimal:
        token = self._next("number", what)
        try:
            return Decimal(token.value)
        except InvalidOperation:  # pragma: no cover - the regex only lets numbers through
            raise self.error(
                f"cannot read the number at line {self._line_at(token.offset)}"
            ) from None

    def count(self, what: str) -> int:
        value = self.number(what)
        if value != value.to_integral_value() or value < 0:
            raise self.error(f"{what} is not a whole number")
        return int(value)

    def flag(self, what: str) -> str:
        return self._next("flag", what).value

    def line_of_last(self) -> int:
        return self._line_at(self._tokens[self._pos - 1].offset)


def parse_textgrid(text: str, name: str) -> tuple[list[UtteranceDraft], list[str]]:
    """Utterances (all tiers merged by start time) and warnings from TextGrid text.

    Tier name = speaker. Empty or blank intervals are skipped; point tiers are ignored with a
    warning. Times are rounded to milliseconds half away from zero, from the exact decimal
    written in the file. Within one tier, intervals that overlap by more than 1 ms, or end
    before they start, are refused.
    """
    reader = _Reader(text, name)
    if reader.string("the header") != "ooTextFile":
        raise reader.error('the header must say File type = "ooTextFile"')
    if not reader.string("the object class").startswith("TextGrid"):
        raise fail(name, "is a Praat file but not a TextGrid")
    reader.number("the start time")
    reader.number("the end time")
    if reader.flag("<exists>") != "<exists>":
        raise fail(name, "contains no tiers")
    n_tiers = reader.count("the number of tiers")

    warnings: list[str] = []
    out: list[UtteranceDraft] = []
    for _ in range(n_tiers):
        tier_class = reader.string("a tier class")
        tier_name = reader.string("a tier name")
        reader.number("the tier start time")
        reader.number("the tier end time")
        n_items = reader.count("the number of intervals")
        if tier_class in ("TextTier", "PointTier"):
            for _ in range(n_items):
                reader.number("a point time")
                reader.string("a point text")
            warnings.append(
                f"point tier “{tier_name}” was ignored (only interval tiers hold speech)"
            )
            continue
        if tier_class != "IntervalTier":
            raise reader.error(f"unknown tier kind “{tier_class}”")
        out.extend(_read_interval_tier(reader, name, tier_name, n_items))

    # Stable: at equal start times, earlier tiers first, then file order within the tier.
    out.sort(key=lambda u: u.start_ms if u.start_ms is not None else 0)
    return out, warnings


def _read_interval_tier(
    reader: _Reader, name: str, tier_name: str, n_items: int
) -> list[UtteranceDraft]:
    speaker = tier_name.strip() or None
    shown = tier_name.strip() or "(unnamed)"
    out = []
    previous_end: Decimal | None = None
    for _ in range(n_items):
        xmin = reader.number("an interval start time")
        xmax = reader.number("an interval end time")
        label = reader.string("an interval text")
        if xmax < xmin:
            raise fail(
                name,
                f"in tier “{shown}” an interval ends ({xmax} s) before it starts ({xmin} s) "
                f"(line {reader.line_of_last()})",
            )
        if previous_end is not None and xmin < previous_end - OVERLAP_TOLERANCE:
            raise fail(
                name,
                f"in tier “{shown}” two intervals overlap at {xmin} s "
                f"(line {reader.line_of_last()}); fix the boundaries in Praat",
            )
        previous_end = xmax if previous_end is None else max(previous_end, xmax)
        utterance = label.strip()
        if utterance:
            out.append(UtteranceDraft(speaker, seconds_to_ms(xmin), seconds_to_ms(xmax), utterance))
    return out
