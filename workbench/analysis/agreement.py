"""Agreement figures between two analysts, computed only when asked (``compare --stats``).

The unit is the word (``\\w+``, as everywhere: a word counts as coded when it lies wholly inside
one of the analyst's codings of the code). Per code, each word of the compared interviews is
coded by A or not, by B or not:

- percentage agreement: words where both say the same (both coded, or neither), over all words;
  the overall figure pools every code (words × codes);
- Cohen's kappa per code, over words (undefined when both analysts are constant);
- Krippendorff's alpha per code, *nominal over words* (present / absent per word), computed by the
  ``krippendorff`` package. Not the unitised alpha (u-alpha) of continuous stretches: the package
  does not offer it, and words are the unit every other figure here uses.

Compared interviews: those both analysts coded (at least one coding each, any code); an
interview only one of them read says nothing about agreement. Codes: those either applied there.
An interview where a coding is left out for consent (see ``analysis.compare``) is left out
whole: its words could not be counted fairly without that coding.
"""

from __future__ import annotations

from dataclasses import dataclass

import krippendorff
import numpy as np

from workbench.analysis.compare import (
    Scope,
    each_interview,
    open_scope,
)
from workbench.storage.project import Project

METHOD = (
    "words (\\w+ runs wholly inside a coding) are the units; kappa per code; Krippendorff's "
    "alpha per code, nominal over words (present/absent), not unitised"
)
CAUTION = (
    "Agreement is not validity. In reflexive thematic analysis coding is one researcher's "
    "interpretive engagement, and Braun & Clarke reject coding reliability as a quality "
    "criterion for it: these figures only describe where two readings differ, as a starting "
    "point for discussion, not a test the coding passes or fails."
)


@dataclass(frozen=True, slots=True)
class CodeAgreement:
    code: str
    both: int
    """Words both analysts coded with the code."""
    only_a: int
    only_b: int
    neither: int
    agreement: float
    """Share of words both treat alike (0–1)."""
    kappa: float | None
    alpha: float | None
    """None when undefined (no variation at all: nobody used the code, or everyone did)."""


@dataclass(frozen=True, slots=True)
class Agreement:
    coder_a: str
    coder_b: str
    interviews: tuple[str, ...]
    words: int
    """Words in the compared interviews (each code's units)."""
    agreement: float | None
    """Over words × codes; None when there is nothing to compare."""
    codes: tuple[CodeAgreement, ...]
    method: str = METHOD
    caution: str = CAUTION


def cohen_kappa(both: int, only_a: int, only_b: int, neither: int) -> float | None:
    """Cohen's kappa of two raters' yes/no over the same units."""
    n = both + only_a + only_b + neither
    if n == 0:
        return None
    observed = (both + neither) / n
    a_yes, b_yes = (both + only_a) / n, (both + only_b) / n
    expected = a_yes * b_yes + (1 - a_yes) * (1 - b_yes)
    if expected >= 1:
        return None
    return (observed - expected) / (1 - expected)


def nominal_alpha(both: int, only_a: int, only_b: int, neither: int) -> float | None:
    """Krippendorff's alpha, nominal, of two analysts' present/absent per word.

    Alpha rests on the coincidence matrix. A unit where both say "absent" adds 2 to o(absent,
    absent), and so does one pooled unit holding 2·k "absent" values for k such words (k·(2k−1)
    pairs over 2k−1): the agreeing words go to the package as two pooled units, the disagreeing
    ones one by one — the same matrix and the same alpha, without a million rows per code.
    """
    disagree = only_a + only_b
    if disagree == 0:
        return 1.0 if both and neither else None
    pooled = np.array([[2 * neither, 0], [0, 2 * both]], dtype=np.int64)
    counts = np.vstack([pooled[pooled.sum(axis=1) > 0], np.ones((disagree, 2), dtype=np.int64)])
    return float(krippendorff.alpha(value_counts=counts, level_of_measurement="nominal"))


def _word_runs(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Word index ranges merged into disjoint runs, in order (empty ranges dropped)."""
    runs: list[tuple[int, int]] = []
    for first, last in sorted(r for r in ranges if r[1] > r[0]):
        if runs and first <= runs[-1][1]:
            runs[-1] = (runs[-1][0], max(runs[-1][1], last))
        else:
            runs.append((first, last))
    return runs


def _size(runs: list[tuple[int, int]]) -> int:
    return sum(last - first for first, last in runs)


def _common(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    """How many words two sets of disjoint, ordered runs share."""
    i = j = shared = 0
    while i < len(a) and j < len(b):
        shared += max(0, min(a[i][1], b[j][1]) - max(a[i][0], b[j][0]))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return shared


def _tally(project: Project, scope: Scope) -> tuple[list[str], int, dict[int, list[int]]]:
    """Compared interviews, their words, and per code [both, only A, only B] word counts."""
    tallies: dict[int, list[int]] = {}
    keys: list[str] = []
    total = 0
    with project.session(write=False) as s:
        withheld = set(scope.withheld.values())
        for iv, words, by_code in each_interview(s, scope, both_coded=True):
            if iv.id in withheld:
                continue
            keys.append(iv.key)
            total += len(words)
            for cid, (a_spans, b_spans) in by_code.items():
                a = _word_runs([words.first_last(x.start, x.end) for x in a_spans])
                b = _word_runs([words.first_last(y.start, y.end) for y in b_spans])
                both = _common(a, b)
                found = (both, _size(a) - both, _size(b) - both)
                tallies[cid] = [
                    x + y for x, y in zip(tallies.get(cid, (0, 0, 0)), found, strict=True)
                ]
    return keys, total, tallies


def agreement(
    project: Project,
    coder_a: str,
    coder_b: str,
    interview: str | None = None,
    code: str | None = None,
    *,
    include_unconsented: bool = False,
) -> Agreement:
    """Agreement figures for two analysts (see the module's doc for what is counted)."""
    with project.session(write=False) as s:
        scope = open_scope(project, s, coder_a, coder_b, interview, code, include_unconsented)
    keys, total, tallies = _tally(project, scope)
    codes = []
    for cid in sorted(tallies, key=lambda c: scope.paths[c]):
        both, only_a, only_b = (int(v) for v in tallies[cid])
        neither = total - both - only_a - only_b
        codes.append(
            CodeAgreement(
                scope.paths[cid],
                both,
                only_a,
                only_b,
                neither,
                (both + neither) / total if total else 0.0,
                cohen_kappa(both, only_a, only_b, neither),
                nominal_alpha(both, only_a, only_b, neither),
            )
        )
    units = total * len(codes)
    agreed = sum(c.both + c.neither for c in codes)
    return Agreement(
        coder_a, coder_b, tuple(keys), total, agreed / units if units else None, tuple(codes)
    )
