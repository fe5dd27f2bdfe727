"""Choosing the clips from a source's ranked candidates: no filler, no splits.

Pure. Two rules on top of the ranking (:mod:`.scoring`):

* **a floor relative to the source**: a candidate becomes a clip only if its score is at least
  :attr:`ScoreFloor.relative` times the source's best candidate's score, and at least the
  median of all its candidates' scores. A source with one highlight gives one clip, however
  many were asked for, never a "calm moment" to make up the number.
* **one moment, one clip**: a candidate that overlaps or touches (within :data:`MERGE_GAP`) a
  clip already chosen belongs to the same moment. It is merged into that clip (their union)
  when the union stays within the longest clip length, what it adds clears the floor on its
  own (so a moment is not padded with filler), and the union still clears it. A 25 s
  highlight becomes one clip covering it, not two 15 s clips side by side.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence

import attrs

from clipnet.domain.highlights.features import Segment
from clipnet.domain.highlights.scoring import RankedSegment, Weights, rank_segments, score_segment
from clipnet.domain.shared.errors import InvalidInput
from clipnet.domain.shared.spans import TimeSpan

#: Candidates this close (s) to a chosen clip belong to the same moment.
MERGE_GAP = 3.0
#: The default floor: half the source's best score.
DEFAULT_MIN_RELATIVE_SCORE = 0.5
_EPSILON = 1e-9

Features = Callable[[TimeSpan], Mapping[str, float]]
"""A span of the source -> its features (the normalised signals over it)."""


def _check_relative(_instance: object, _attribute: object, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise InvalidInput(f"the relative score floor must be between 0 and 1 (got {value:g})")


@attrs.frozen
class ScoreFloor:
    """How good a candidate must be, relative to its own source, to become a clip."""

    relative: float = attrs.field(
        default=DEFAULT_MIN_RELATIVE_SCORE, converter=float, validator=_check_relative
    )
    """A fraction of the source's best candidate's score (0 turns this part off)."""

    def level(self, scores: Sequence[float]) -> float:
        """The score a clip of a source with these candidate scores must reach."""
        if not scores:
            return 0.0
        return max(self.relative * max(scores), statistics.median(scores))


DEFAULT_FLOOR = ScoreFloor()


def choose_moments(
    segments: Sequence[Segment],
    count: int,
    weights: Weights,
    *,
    features: Features,
    longest: float,
    floor: ScoreFloor = DEFAULT_FLOOR,
) -> list[RankedSegment]:
    """At most ``count`` clips that clear the floor, never overlapping, best first.

    Greedy by rank; ``features`` measures the merged spans (and what a merge adds).
    """
    if count < 0:
        raise InvalidInput(f"cannot pick {count} segments")
    ranked = rank_segments(segments, weights)
    level = floor.level([r.score.total for r in ranked])
    chosen: list[RankedSegment] = []
    for candidate in ranked:
        if candidate.score.total < level - _EPSILON:
            break  # best first: nothing after this one clears the floor either
        near = [i for i, c in enumerate(chosen) if _same_moment(c.segment.span, candidate)]
        if not near:
            if len(chosen) < count:
                chosen.append(candidate)
            continue
        if len(near) == 1:
            merged = _merge(chosen, near[0], candidate, weights, features, longest, level)
            if merged is not None:
                chosen[near[0]] = merged
    chosen.sort(key=lambda r: (-r.score.total, r.segment.span.start))
    return [attrs.evolve(r, rank=rank) for rank, r in enumerate(chosen, start=1)]


def _same_moment(span: TimeSpan, candidate: RankedSegment) -> bool:
    other = candidate.segment.span
    return other.start < span.end + MERGE_GAP and span.start < other.end + MERGE_GAP


def _merge(
    chosen: Sequence[RankedSegment],
    index: int,
    candidate: RankedSegment,
    weights: Weights,
    features: Features,
    longest: float,
    level: float,
) -> RankedSegment | None:
    """The chosen clip grown to cover ``candidate``, or None when it should not grow."""
    span, other = chosen[index].segment.span, candidate.segment.span
    union = TimeSpan(min(span.start, other.start), max(span.end, other.end))
    if union == span or union.duration > longest + _EPSILON:
        return None
    if any(c.segment.span.overlaps(union) for i, c in enumerate(chosen) if i != index):
        return None
    added = [
        piece
        for piece in (_piece(union.start, span.start), _piece(span.end, union.end))
        if piece is not None
    ]
    if any(_score(piece, weights, features) < level - _EPSILON for piece in added):
        return None  # what the candidate adds is filler, not more of the moment
    segment = attrs.evolve(chosen[index].segment, span=union, features=features(union))
    score = score_segment(segment, weights)
    if score.total < level - _EPSILON:
        return None
    return RankedSegment(segment, score, chosen[index].rank)


def _piece(start: float, end: float) -> TimeSpan | None:
    return TimeSpan(start, end) if end > start + _EPSILON else None


def _score(span: TimeSpan, weights: Weights, features: Features) -> float:
    return score_segment(Segment(span, features(span)), weights).total
