"""Coding patterns, shapes and censoring over a sequence of waves (DESIGN.md, exact)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence


def coding_pattern(sequence: list[int | None]) -> tuple[str, bool]:
    """The computed pattern of segment counts over the observed waves, and the gap flag."""
    observed = [(i, x) for i, x in enumerate(sequence) if x is not None]
    gap = False
    if len(observed) >= 2:
        first, last = observed[0][0], observed[-1][0]
        gap = any(sequence[i] is None for i in range(first, last + 1))
    xs = [x for _, x in observed]
    if not xs:
        return "no_observation", gap
    if len(xs) == 1:
        return "single_observation", gap
    if all(x == 0 for x in xs):
        return "absent", gap
    pairs = list(itertools.pairwise(xs))
    if all(x > 0 for x in xs):
        if all(b >= a for a, b in pairs) and xs[-1] > xs[0]:
            return "increasing", gap
        if all(b <= a for a, b in pairs) and xs[-1] < xs[0]:
            return "decreasing", gap
        return "persistent", gap
    first_on = next(i for i, x in enumerate(xs) if x > 0)
    if xs[0] == 0 and xs[-1] > 0 and all(x > 0 for x in xs[first_on:]):
        return "emerging", gap
    first_off = next(i for i, x in enumerate(xs) if x == 0)
    if xs[0] > 0 and xs[-1] == 0 and all(x == 0 for x in xs[first_off:]):
        return "ceasing", gap
    return "intermittent", gap


def shape(values: Sequence[float | int | None]) -> str | None:
    """The form of the observed values across waves (None with fewer than two): ``flat`` (all
    equal), ``dip`` (a middle wave below both ends), ``peak`` (one above both), else ``rising``
    or ``falling`` by the last against the first. Unlike the coding pattern, a dip or a surge
    is named rather than folded into "persistent"."""
    xs = [x for x in values if x is not None]
    if len(xs) < 2:
        return None
    if all(x == xs[0] for x in xs):
        return "flat"
    inner = xs[1:-1]
    if inner and min(inner) < min(xs[0], xs[-1]):
        return "dip"
    if inner and max(inner) > max(xs[0], xs[-1]):
        return "peak"
    return "rising" if xs[-1] > xs[0] else "falling"


def censored(sequence: Sequence[int | float | None]) -> bool:
    """True when the last observed wave precedes a missing one (a drop-out, or a wave not yet
    coded): what follows is unknown, so "ceasing" there is no finding."""
    observed = [i for i, x in enumerate(sequence) if x is not None]
    return bool(observed) and observed[-1] < len(sequence) - 1
