"""Faces in every sample for the cost of detecting in about half of them.

The detector runs on every ``DETECT_STRIDE``-th sample (and the last). A sample between two of
those takes its boxes from them, moved in proportion, when they agree: the same number of
faces, each moved less than its own size and about as big, and no scene cut between. Where
they disagree (a face came, went or jumped, or the detector blinked) the sample is looked at
too, so nothing is carried across a change; what can be missed is a face seen in one sample
alone (under half a second) between two without it. The detector is most of a scan's CPU.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

import numpy as np

from clipnet.domain.shared.geometry import Box

#: The detector looks at one sample in this many, and at those between where these disagree.
#: (3 or 4 saved little more on the bench source, whose cuts force the samples between to be
#: looked at, and would miss a face seen for up to a second.)
DETECT_STRIDE = 2
#: Two sightings are one face when its centre moved less than this share of its width and its
#: width changed by less than this ratio.
SAME_FACE_MOVE = 1.0
SAME_FACE_SIZE = 1.25

Detector = Callable[[np.ndarray], list[Box]]


def sparse_faces(
    frames: np.ndarray, detect: Detector, breaks: Sequence[float] = ()
) -> list[list[Box]]:
    """The boxes in each of ``frames``; ``breaks`` are sample positions (fractional indices)
    where the scene cuts: no box is carried across one."""
    count = len(frames)
    keys = sorted({*range(0, count, DETECT_STRIDE), count - 1}) if count else []
    found: dict[int, list[Box]] = {key: detect(frames[key]) for key in keys}
    for before, after in itertools.pairwise(keys):
        _fill(frames, detect, breaks, found, (before, after))
    return [found[index] for index in range(count)]


def _fill(
    frames: np.ndarray,
    detect: Detector,
    breaks: Sequence[float],
    found: dict[int, list[Box]],
    gap: tuple[int, int],
) -> None:
    """Boxes for the samples strictly inside ``gap`` (both ends already looked at): carried
    from the ends when they agree, else the middle is looked at and each half filled."""
    before, after = gap
    if after - before < 2:
        return
    cut = any(before < position <= after for position in breaks)
    pairs = None if cut else _pairs(found[before], found[after])
    if pairs is not None:
        for index in range(before + 1, after):
            share = (index - before) / (after - before)
            found[index] = [_between(a, b, share) for a, b in pairs]
        return
    middle = (before + after) // 2
    found[middle] = detect(frames[middle])
    _fill(frames, detect, breaks, found, (before, middle))
    _fill(frames, detect, breaks, found, (middle, after))


def _pairs(before: list[Box], after: list[Box]) -> list[tuple[Box, Box]] | None:
    """Each face before with its nearest after, or None unless every face has its match."""
    if len(before) != len(after):
        return None
    pairs, left = [], list(after)
    for box in before:
        nearest = min(left, key=lambda other: _distance(box, other))
        if not _same_face(box, nearest):
            return None
        pairs.append((box, nearest))
        left.remove(nearest)
    return pairs


def _same_face(a: Box, b: Box) -> bool:
    size = max(a.w, b.w)
    ratio = size / max(1e-6, min(a.w, b.w))
    return _distance(a, b) < SAME_FACE_MOVE * size and ratio < SAME_FACE_SIZE


def _distance(a: Box, b: Box) -> float:
    (ax, ay), (bx, by) = a.centre, b.centre
    return math.hypot(ax - bx, ay - by)


def _between(a: Box, b: Box, share: float) -> Box:
    return Box(
        a.x + (b.x - a.x) * share,
        a.y + (b.y - a.y) * share,
        a.w + (b.w - a.w) * share,
        a.h + (b.h - a.h) * share,
    )
