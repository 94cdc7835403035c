"""The transcript's codings as stripes in lanes: which lane each coding's stripe takes, and
which stripes a stretch of the text shows.

Stripes in one lane never overlap, so each lane is kept sorted by start and a bisection finds
the visible ones. The editor (``ui/editor.py``) paints them in its stripe margin
(``ui/editor_margins.py``).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from PySide6.QtGui import QColor

from workbench.domain.coding import CodingInfo
from workbench.ui.editor_margins import MAX_LANES, Stripe, assign_lanes

DEFAULT_CODE_COLOUR = "#7a8794"


class StripeLanes:
    """The codings shown, their stripes, and the stripes of each lane sorted by start."""

    def __init__(self) -> None:
        self.codings: list[CodingInfo] = []
        self.stripes: list[Stripe] = []
        self.by_lane: list[list[Stripe]] = []
        self.lane_starts: list[list[int]] = []
        self._colour_cache: dict[str, QColor] = {}

    def add(self, coding: CodingInfo, colours: dict[str, str]) -> None:
        """One new coding without laying out the others again: it takes the leftmost lane
        where it overlaps nothing."""
        self.codings.append(coding)
        lane = 0
        while lane < len(self.by_lane):
            stripes, starts = self.by_lane[lane], self.lane_starts[lane]
            i = bisect.bisect_left(starts, coding.start)
            before_free = i == 0 or stripes[i - 1].end <= coding.start
            after_free = i == len(stripes) or stripes[i].start >= coding.end
            if before_free and after_free:
                break
            lane += 1
        else:
            self.by_lane.append([])
            self.lane_starts.append([])
        stripe = self._stripe(coding, lane, colours)
        i = bisect.bisect_left(self.lane_starts[lane], coding.start)
        self.by_lane[lane].insert(i, stripe)
        self.lane_starts[lane].insert(i, coding.start)
        self.stripes.append(stripe)

    def _stripe(self, c: CodingInfo, lane: int, colours: dict[str, str]) -> Stripe:
        colour = self._colour_cache.get(c.code)
        if colour is None:
            colour = QColor(colours.get(c.code) or DEFAULT_CODE_COLOUR)
            self._colour_cache[c.code] = colour
        return Stripe(c.id, c.code, colour, c.start, c.end, lane, c.memo)

    def set(
        self,
        codings: Sequence[CodingInfo],
        colours: dict[str, str],
        sides: tuple[str, str] | None = None,
    ) -> None:
        """Lay every coding out afresh. With ``sides`` (two analysts), only their codings: the
        first's in the left lanes, an empty lane, then the second's, so two readings of the same
        words stand side by side."""
        placed = assign_lanes(codings)
        if sides is not None:
            left = assign_lanes([c for c in codings if c.coder == sides[0]])
            gap = max((lane for _, lane in left), default=-1) + 2
            right = assign_lanes([c for c in codings if c.coder == sides[1]])
            placed = left + [(c, lane + gap) for c, lane in right]
        self.codings = [c for c, _ in placed] if sides is not None else list(codings)
        self._colour_cache = {}
        self.stripes = [self._stripe(c, lane, colours) for c, lane in placed]
        lanes = max((s.lane for s in self.stripes), default=-1) + 1
        self.by_lane = [[] for _ in range(lanes)]
        for s in self.stripes:
            self.by_lane[s.lane].append(s)
        # Stripes in one lane never overlap: sorted by start, a bisection finds the visible ones.
        self.lane_starts = [[s.start for s in lane] for lane in self.by_lane]

    def visible(self, lo: int, hi: int) -> list[Stripe]:
        """The stripes (in the lanes the margin shows) that reach into interview positions
        ``lo`` to ``hi``."""
        found: list[Stripe] = []
        for lane, starts in zip(self.by_lane[:MAX_LANES], self.lane_starts, strict=False):
            i = max(bisect.bisect_right(starts, lo) - 1, 0)
            while i < len(lane) and lane[i].start < hi:
                if lane[i].end > lo:
                    found.append(lane[i])
                i += 1
        return found

    @property
    def overflow(self) -> bool:
        """More lanes than the margin has room for."""
        return len(self.by_lane) > MAX_LANES
