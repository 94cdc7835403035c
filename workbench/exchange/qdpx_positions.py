"""A .qdpx source's positions: how the producing tool counts them, the utterances (our side file's
turns, or paragraphs with speaker labels read from the text), and each selection mapped onto
them, its name only a hint.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

from workbench.exchange._transcripts.labels import accepted_labels, read_line_head
from workbench.exchange.qdpx_staged import (
    _ASTRAL,
    _PARAGRAPH,
    MODES,
    _Selection,
    _Source,
    _Staged,
)

# --- positions -----------------------------------------------------------------------------


def _default_mode(origin: str) -> str:
    folded = origin.casefold()
    if "nvivo" in folded:
        return "utf16-crlf2"
    if "atlas" in folded:
        return "codepoints-crlf1"
    return "codepoints-crlf2"


def _mapper(raw: str, mode: str) -> Callable[[int], int]:
    """Position as the file counts it -> code point in the text with line ends made LF."""
    crlf = [m.start() for m in re.finditer("\r\n", raw)]
    base = raw.replace("\r\n", "\n") if mode.endswith("crlf1") else raw
    astral_cp = [m.start() for m in _ASTRAL.finditer(base)]
    astral_u16 = [a + j for j, a in enumerate(astral_cp)]

    def from_units(u: int) -> int:
        return u - bisect.bisect_left(astral_u16, u) if astral_u16 else u

    def to_norm(p: int) -> int:
        return p - bisect.bisect_left(crlf, p) if crlf else p

    if mode == "codepoints-crlf1":
        return lambda p: p
    if mode == "codepoints-crlf2":
        return to_norm
    if mode == "utf16-crlf2":
        return lambda u: to_norm(from_units(u))
    return from_units


def _same(name: str, coded: str) -> bool:
    if name == coded:  # as this workbench writes them: the same answer, without the joins
        return bool(name.strip())
    a, b = " ".join(name.split()), " ".join(coded.split())
    if not a:
        return False
    if a == b or (len(a) >= 3 and b.startswith(a)):
        return True  # the whole text, or its first characters (ATLAS.ti names a quotation so)
    for ellipsis in ("…", "..."):
        if a.endswith(ellipsis) and len(a) > 3 and b.startswith(a[: -len(ellipsis)].rstrip()):
            return True
    return False


def _place(staged: _Staged, source: _Source) -> None:
    """Choose how the source's positions count, build its utterances, map its selections."""
    raw = source.raw
    norm = raw.replace("\r\n", "\n").replace("\r", "\n")
    source.text = norm
    tricky = "\r" in raw or _ASTRAL.search(raw) is not None
    named = [s for s in source.selections if s.name]
    mode = _counting(staged, source, norm, named, tricky=tricky)
    staged.modes.add(mode)
    f = _mapper(raw, mode) if tricky else (lambda p: p)
    quotes = any(_same(s.name or "", norm[f(s.start) : f(s.end)]) for s in named)
    _utterances(
        staged, source, norm, sorted(f(s.start) for s in source.selections if s.end > s.start)
    )
    kept, mismatched, moved = _map_selections(staged, source, norm, f, quotes=quotes)
    if mismatched:
        staged.warnings.append(
            f"source {source.name!r}: {mismatched} selection(s) do not hold the text their name "
            "quotes; carried at their positions"
        )
    for sel in kept:
        sel.name = None  # checked; the quotes are not needed any more
    source.raw = source.text = ""
    source.spans = []
    if moved:
        staged.warnings.append(
            f"source {source.name!r}: {moved} selection(s) moved to the text their name quotes, "
            "found a few characters away"
        )
    source.selections = kept


def _counting(
    staged: _Staged, source: _Source, norm: str, named: list[_Selection], *, tricky: bool
) -> str:
    """How the source's positions count: the producing tool's way, unless the selections'
    quoted text agrees better with another (only where the ways can differ)."""
    raw = source.raw
    mode = _default_mode(staged.origin)
    if tricky and named:
        scores = {}
        for candidate in MODES:
            f = _mapper(raw, candidate)
            scores[candidate] = sum(
                1 for s in named if _same(s.name or "", norm[f(s.start) : f(s.end)])
            )
        best = max(MODES, key=lambda m: (scores[m], m == mode))
        if scores[best] > scores[mode]:
            staged.warnings.append(
                f"source {source.name!r}: positions read as {best} (the quoted text agrees), "
                f"not as {mode}"
            )
            mode = best
    return mode


def _interview_place(source: _Source) -> Callable[[int, str], int]:
    """Position in the normalised text -> position in the interview text (the utterances
    ``source.spans`` holds, joined by one LF)."""
    starts = [a for a, _ in source.spans]
    interview_starts, at = [], 0
    for a, b in source.spans:
        interview_starts.append(at)
        at += b - a + 1

    def place(p: int, side: str) -> int:
        i = bisect.bisect_right(starts, p) - 1
        if i >= 0 and p <= source.spans[i][1]:
            return interview_starts[i] + p - source.spans[i][0]
        if side == "start":
            return interview_starts[i + 1] if i + 1 < len(starts) else max(at - 1, 0)
        return interview_starts[i] + source.spans[i][1] - source.spans[i][0] if i >= 0 else 0

    return place


def _map_selections(
    staged: _Staged, source: _Source, norm: str, f: Callable[[int], int], *, quotes: bool
) -> tuple[list[_Selection], int, int]:
    """Each selection onto the interview text, its name only a hint; returns those kept and
    how many did not hold their quoted text and how many moved to it."""
    place = _interview_place(source)
    kept = []
    mismatched = moved = 0
    for sel in source.selections:
        where = f"source {source.name!r}, selection {sel.name or sel.guid!r}"
        if sel.end <= sel.start:
            staged.not_carried.append(f"{where}: zero-length or reversed selection")
            continue
        a, b = f(sel.start), f(sel.end)
        if not 0 <= a < b <= len(norm):
            # Impossible positions: only here may the name place the span (if it occurs once).
            quoted = " ".join((sel.name or "").split())
            if len(quoted) < 3 or norm.count(quoted) != 1:
                staged.not_carried.append(
                    f"{where}: positions {sel.start}–{sel.end} outside the text"
                )
                continue
            a = norm.index(quoted)
            b = a + len(quoted)
            staged.warnings.append(
                f"{where}: positions {sel.start}–{sel.end} outside the text; placed on the "
                "words its name quotes"
            )
        elif sel.name and not _same(sel.name, norm[a:b]):
            found = _nearby(norm, sel.name, a)
            if found is not None:  # the name confirms a start: the span keeps its length
                before = norm[a:b]
                a, b = found[0], min(found[0] + b - a, len(norm))
                moved += 1
                staged.warnings.append(
                    f"{where}: moved from {_clip(before)!r} to {_clip(norm[a:b])!r}"
                )
            elif quotes:
                mismatched += 1
        sel.start, sel.end = place(a, "start"), place(b, "end")
        if sel.end <= sel.start:
            staged.not_carried.append(f"{where}: covers only blank lines")
            continue
        kept.append(sel)
    return kept, mismatched, moved


def _utterances(staged: _Staged, source: _Source, norm: str, coded: list[int]) -> None:
    """Split the source text into utterances: as our side file says when it fits the text
    (``Label: text`` turns, or one line each in older exports), else one per paragraph with a
    speaker label read from its start where the text has recurring labels. A label stays in
    the utterance's text when a selection (starting at ``coded``) begins within it."""
    own = staged.sidecar.get("interviews", {}).get(source.guid)
    lines = norm.split("\n") if norm else []
    details = own.get("utterances", []) if own is not None else []
    if own is not None and own.get("layout") == "turns":
        paragraphs = list(_PARAGRAPH.finditer(norm))
        heads = own.get("heads") or []
        if len(paragraphs) == len(details) == len(heads) and all(
            m.group().startswith(f"{h}: " if h else "") and "\n" not in m.group()
            for m, h in zip(paragraphs, heads, strict=True)
        ):
            source.own = True
            for m, h in zip(paragraphs, heads, strict=True):
                a = m.start() + (len(h) + 2 if h else 0)
                source.spans.append((a, m.end()))
                source.utterances.append(norm[a : m.end()])
            return
        staged.warnings.append(
            f"source {source.name!r}: the text no longer matches our side file "
            "(edited in another tool); turns and speakers read from the text"
        )
    elif own is not None and len(details) == len(lines):
        source.own = True
        source.utterances = lines
        at = 0
        for line in lines:
            source.spans.append((at, at + len(line)))
            at += len(line) + 1
        return
    paragraphs = list(_PARAGRAPH.finditer(norm))
    found = [read_line_head(m.group().split("\n", 1)[0].strip()) for m in paragraphs]
    accepted = accepted_labels(found)
    for m, head in zip(paragraphs, found, strict=True):
        a = m.start()
        if head.label in accepted:
            first = m.group().split("\n", 1)[0].rstrip()
            rest = a + len(first) - len(head.rest)
            i = bisect.bisect_left(coded, a)
            if not (i < len(coded) and coded[i] < rest):
                a = rest
            source.heads.append(head.label)
            source.times.append(head.start_ms)
        else:
            source.heads.append(None)
            source.times.append(None)
        source.spans.append((a, m.end()))
        source.utterances.append(norm[a : m.end()].replace("\n", " "))
    if accepted:
        labelled = sum(1 for h in source.heads if h)
        staged.inferred.append(
            f"source {source.name!r}: {labelled} speaker turn(s) read from labels "
            f"({', '.join(sorted(accepted))})"
        )


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else f"{text[:37]}..."


def _nearby(text: str, quote: str, at: int) -> tuple[int, int] | None:
    """Where the quoted text sits closest to ``at`` (a selection a few characters off)."""
    needle = quote.rstrip("…").rstrip(".") if quote.endswith(("…", "...")) else quote
    if not needle.strip():
        return None
    lo = max(0, at - 500)
    hits = [
        m.start() + lo for m in re.finditer(re.escape(needle), text[lo : at + 500 + len(needle)])
    ]
    if not hits:
        return None
    best = min(hits, key=lambda h: abs(h - at))
    return best, best + len(needle)
