"""Highlight scoring: features of candidate segments -> ranked segments with a breakdown.

Pure and deterministic. Each feature is a number in [0, 1] where higher means "more of a
highlight"; the score is the weighted mean of the features a template cares about, scaled to
0-100, so it rises with every positively weighted feature and never leaves its range.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType

import attrs

from clipnet.domain.highlights.features import Segment
from clipnet.domain.shared.converters import float_map
from clipnet.domain.shared.errors import InvalidInput

#: How a feature reads in a one-line explanation.
FEATURE_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "loudness": "loud burst",
        "motion": "fast motion",
        "speech": "excited speech",
        "scene": "quick cuts",
        "words": "lots of talk",
        "highlight": "looks like a highlight",
        "chat": "chat spike",
        "votes": "viewers voted",
    }
)

#: A feature at or above this value is worth naming in the explanation.
NOTABLE = 0.5
#: The explanation names at most this many features.
EXPLAIN_AT_MOST = 3


def _weights(values: Mapping[str, float]) -> Mapping[str, float]:
    cleaned = {str(k): float(v) for k, v in sorted(values.items())}
    if any(v < 0 for v in cleaned.values()):
        raise InvalidInput("feature weights cannot be negative")
    if not any(v > 0 for v in cleaned.values()):
        raise InvalidInput("at least one feature weight must be positive")
    return MappingProxyType(cleaned)


@attrs.frozen(eq=False)
class Weights:
    """How much each feature counts. Non-negative; at least one positive."""

    values: Mapping[str, float] = attrs.field(converter=_weights)
    """Feature name -> weight."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Weights) and dict(self.values) == dict(other.values)

    def __hash__(self) -> int:
        return hash(tuple(self.values.items()))

    @property
    def total(self) -> float:
        return sum(self.values.values())

    def applying_to(self, features: Mapping[str, float]) -> Weights:
        """These weights less those of :data:`WHEN_MEASURED` features ``features`` lacks (a
        source without chat scores as if chat were not weighed at all, not as silent chat)."""
        kept = {n: w for n, w in self.values.items() if n in features or n not in WHEN_MEASURED}
        if len(kept) == len(self.values) or not any(w > 0 for w in kept.values()):
            return self
        return Weights(kept)


#: Features that only some sources have (chat: a source with a chat replay); their weights
#: count only for segments that carry them.
WHEN_MEASURED = frozenset({"chat"})
#: Chat's weight: a chat spike is the strongest sign of a highlight a stream has.
CHAT_WEIGHT = 3.0

DEFAULT_WEIGHTS = Weights(
    {"loudness": 1.0, "motion": 1.0, "speech": 0.8, "scene": 0.4, "chat": CHAT_WEIGHT}
)


@attrs.frozen(eq=False)
class Score:
    """A segment's score: the inputs, the weights, the total and why."""

    values: Mapping[str, float] = attrs.field(converter=float_map)
    """Feature name -> the value that was scored, in [0, 1]."""
    weights: Mapping[str, float] = attrs.field(converter=float_map)
    """Feature name -> its weight."""
    total: float
    """The score, 0-100."""
    explanation: str
    """One line a person can read, e.g. "loud burst + fast motion + excited speech"."""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Score):
            return NotImplemented
        return (dict(self.values), dict(self.weights), self.total, self.explanation) == (
            dict(other.values),
            dict(other.weights),
            other.total,
            other.explanation,
        )

    def __hash__(self) -> int:
        return hash((tuple(self.values.items()), self.total))


@attrs.frozen
class RankedSegment:
    """A segment with its score and its place in the ranking (1 = best)."""

    segment: Segment
    score: Score
    rank: int


def _unit(value: float) -> float:
    return min(1.0, max(0.0, value))


def explain(values: Mapping[str, float], weights: Mapping[str, float]) -> str:
    """Name the features that carried the score, strongest contribution first."""
    notable = [
        (weights[name] * value, name)
        for name, value in values.items()
        if weights.get(name, 0) > 0 and value >= NOTABLE
    ]
    notable.sort(key=lambda item: (-item[0], item[1]))
    labels = [FEATURE_LABELS.get(name, name.replace("_", " ")) for _, name in notable]
    return " + ".join(labels[:EXPLAIN_AT_MOST]) or "calm moment"


def score_segment(segment: Segment, weights: Weights = DEFAULT_WEIGHTS) -> Score:
    """Score one segment: 100 x the weighted mean of its weighted features (missing = 0;
    a missing :data:`WHEN_MEASURED` feature is not weighed)."""
    weights = weights.applying_to(segment.features)
    values = {name: _unit(segment.features.get(name, 0.0)) for name in weights.values}
    weighted = sum(weights.values[name] * value for name, value in values.items())
    total = min(100.0, max(0.0, 100.0 * weighted / weights.total))
    return Score(values, weights.values, total, explain(values, weights.values))


def _ranking_key(item: tuple[Segment, Score]) -> tuple[float, float, float]:
    segment, score = item
    return (-score.total, segment.span.start, segment.span.end)


def rank_segments(
    segments: Iterable[Segment], weights: Weights = DEFAULT_WEIGHTS
) -> list[RankedSegment]:
    """All segments, best first; ties go to the earlier span, so the order is deterministic."""
    scored = sorted(((s, score_segment(s, weights)) for s in segments), key=_ranking_key)
    return [RankedSegment(s, score, i) for i, (s, score) in enumerate(scored, start=1)]


def top_segments(
    segments: Sequence[Segment],
    k: int,
    weights: Weights = DEFAULT_WEIGHTS,
    *,
    allow_overlap: bool = False,
) -> list[RankedSegment]:
    """The best ``k`` segments; unless ``allow_overlap``, no two chosen spans overlap.

    Greedy by rank: a segment that overlaps a better one already chosen is skipped.
    """
    if k < 0:
        raise InvalidInput(f"cannot pick {k} segments")
    chosen: list[RankedSegment] = []
    for candidate in rank_segments(segments, weights):
        if len(chosen) == k:
            break
        if allow_overlap or not any(
            candidate.segment.span.overlaps(c.segment.span) for c in chosen
        ):
            chosen.append(attrs.evolve(candidate, rank=len(chosen) + 1))
    return chosen
