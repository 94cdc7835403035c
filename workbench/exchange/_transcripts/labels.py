"""Speaker labels and timestamps at the start of a transcript line.

Researchers type speaker labels in many ways (``Doctor:``, ``[P1]``, ``Interviewer –``,
``DR. SMITH:``, ``Interpreter (Arabic):``, ``المريض:``), so detection is deliberately loose per
line and strict per file: :func:`accepted_labels` keeps a candidate only if it recurs or the
file has at least two distinct candidates, so a lone ``Note:`` in prose is not a speaker.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

MAX_LABEL_CHARS = 40
MAX_LABEL_WORDS = 4

# A time in a transcript: [h:]mm:ss with an optional fraction of a second (. or ,).
_TIME = r"\d{1,3}:\d{1,2}(?::\d{1,2})?(?:[.,]\d{1,3})?"
# Bare (unbracketed) only as h:mm:ss, so "10:30 we met" is prose, not a timestamp.
_BARE_TIME = r"\d{1,3}:\d{2}:\d{2}(?:[.,]\d{1,3})?"
_LEADING_TIME_RE = re.compile(
    rf"(?:\[\s*({_TIME})\s*\]|\(\s*({_TIME})\s*\)|({_BARE_TIME})(?=\s|$))\s*"
)
_BRACKET_LABEL_RE = re.compile(r"\[([^\[\]\n]{1,40})\]:?\s*")
# ASCII, full-width and Ethiopic preface colons. A colon followed by a digit or "//" is a time
# ("10:30") or a URL ("http://"), not the end of a label.
_COLON_LABEL_RE = re.compile(
    rf"([^:：፦\[\]\n]{{1,40}}?)\s*(?:[\[(]\s*({_TIME})\s*[\])]\s*)?[:：፦](?![0-9/])\s*"
)
# A dash with blanks on both sides, so "Jean-Paul" or "well-known" do not end a label.
_DASH_LABEL_RE = re.compile(
    rf"([^:：፦\[\]\n]{{1,40}}?)\s*(?:[\[(]\s*({_TIME})\s*[\])])?\s+[-–—](?:\s+|$)"
)

# Punctuation that ends or splits sentences; a label containing it is prose.
_SENTENCE_PUNCTUATION = frozenset(',;!?"“”„«»…،؛؟')
_URL_SCHEMES = frozenset({"http", "https", "ftp", "ftps", "sftp", "file", "mailto", "www"})
# Bracketed notes transcribers put at the start of a line; they are not speakers.
_BRACKET_NOTES = frozenset(
    {
        "applause", "background", "blank_audio", "break", "cough", "coughs", "coughing",
        "crosstalk", "cross-talk", "crying", "end", "inaudible", "indiscernible",
        "interruption", "interrupted", "laugh", "laughs", "laughter", "laughing", "long",
        "music", "name", "noise", "overlap", "overlapping", "overtalk", "pause", "redacted",
        "sic", "sigh", "sighs", "silence", "start", "unclear", "unintelligible",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class LineHead:
    """What starts a line: perhaps a time, perhaps a speaker label candidate, then the text."""

    label: str | None
    bracketed: bool
    start_ms: int | None
    """From a timestamp before or right after the label."""
    rest: str
    """The line's text after the time and label, whitespace-trimmed."""
    lead_ms: int | None
    """From a timestamp at the very start of the line only."""
    after_lead: str
    """The line's text after that leading timestamp (label and all), whitespace-trimmed."""


def time_to_ms(text: str) -> int | None:
    """``[h:]mm:ss[.fff]`` in milliseconds, or None if a field is out of range."""
    main, _, fraction = text.replace(",", ".").partition(".")
    fields = [int(f) for f in main.split(":")]
    if fields[-1] >= 60 or (len(fields) == 3 and fields[1] >= 60):
        return None
    seconds = 0
    for f in fields:
        seconds = seconds * 60 + f
    # At most three digits (the regexes allow no more), so ".5" is exactly 500 ms.
    return seconds * 1000 + (int(fraction.ljust(3, "0")) if fraction else 0)


def plausible_label(text: str, bracketed: bool = False) -> str | None:
    """``text`` trimmed, if it can be a speaker label; else None."""
    label = text.strip()
    if not label or len(label) > MAX_LABEL_CHARS:
        return None
    words = label.split()
    if len(words) > MAX_LABEL_WORDS or not label[0].isalnum():
        return None
    if not any(ch.isalpha() for ch in label):
        return None  # "10", "2023" and the like
    if any(ch in _SENTENCE_PUNCTUATION for ch in label):
        return None
    if label.casefold() in _URL_SCHEMES:
        return None
    if bracketed and words[0].casefold().rstrip(".:") in _BRACKET_NOTES:
        return None
    return label


def _leading_time(text: str) -> tuple[int | None, str]:
    m = _LEADING_TIME_RE.match(text)
    if m is None:
        return None, text
    ms = time_to_ms(m.group(1) or m.group(2) or m.group(3))
    if ms is None:
        return None, text
    return ms, text[m.end() :]


def read_line_head(line: str) -> LineHead:
    """Split a (stripped) line into optional time, optional label candidate, and the rest."""
    start_ms, body = _leading_time(line)

    bracket = _BRACKET_LABEL_RE.match(body)
    if bracket is not None:
        label = plausible_label(bracket.group(1), bracketed=True)
        if label is not None:
            return _with_time_after(label, True, start_ms, body, body[bracket.end() :])

    # Colon and dash forms can both match ("Interviewer - note: ..."); the earlier separator,
    # i.e. the shorter label, is the one the transcriber meant.
    best: tuple[str, int | None, str] | None = None
    for regex in (_COLON_LABEL_RE, _DASH_LABEL_RE):
        m = regex.match(body)
        if m is None:
            continue
        label = plausible_label(m.group(1))
        if label is None:
            continue
        if best is None or len(label) < len(best[0]):
            inner = time_to_ms(m.group(2)) if m.group(2) else None
            best = (label, inner, body[m.end() :])
    if best is not None:
        label, inner, rest = best
        head = _with_time_after(label, False, start_ms, body, rest)
        if head.start_ms is None and inner is not None:
            head = replace(head, start_ms=inner)  # "Doctor [00:01:23]: text"
        return head
    body = body.strip()
    return LineHead(None, False, start_ms, body, start_ms, body)


def _with_time_after(
    label: str, bracketed: bool, lead_ms: int | None, body: str, rest: str
) -> LineHead:
    start_ms = lead_ms
    # "Doctor: [00:01:23] text": the time may follow the label instead of preceding it.
    if start_ms is None:
        start_ms, rest = _leading_time(rest)
    return LineHead(label, bracketed, start_ms, rest.strip(), lead_ms, body.strip())


def accepted_labels(heads: Iterable[LineHead]) -> frozenset[str]:
    """The candidate labels that count as speakers in one file.

    A label counts if it recurs, or if the file has two or more distinct candidates. In the
    second case a one-off ``label:`` / ``label -`` starting with a lower-case letter is still
    refused: that is prose like "and then he said: go home", not a speaker. Bracketed labels
    (``[id1]``) are deliberate and exempt.
    """
    counts: Counter[str] = Counter()
    bracketed: set[str] = set()
    for head in heads:
        if head.label is not None:
            counts[head.label] += 1
            if head.bracketed:
                bracketed.add(head.label)
    several = len(counts) >= 2
    return frozenset(
        label
        for label, n in counts.items()
        if n >= 2 or (several and (label in bracketed or not label[0].islower()))
    )
