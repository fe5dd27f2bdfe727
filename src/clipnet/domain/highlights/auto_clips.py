"""Candidate segments from a source's feature timeline, for "auto" clips.

A plain sliding window: each feature of a window is its mean, scaled by the source's own
maximum so that every feature lies in [0, 1]. The media pipeline may supply a smarter
candidate finder; this one is the fallback that needs nothing but the timeline.
"""

from __future__ import annotations

from collections.abc import Callable

from clipnet.domain.highlights.features import FeatureTimeline, Segment
from clipnet.domain.shared.spans import TimeSpan

CandidateFinder = Callable[[FeatureTimeline, float, float], list[Segment]]
"""(timeline, shortest, longest clip in seconds) -> candidate segments."""


def _scaled(values: tuple[float, ...]) -> tuple[float, ...]:
    low, high = min(values, default=0.0), max(values, default=0.0)
    if high - low <= 1e-9:
        return tuple(0.0 for _ in values)
    return tuple((v - low) / (high - low) for v in values)


def window_candidates(timeline: FeatureTimeline, shortest: float, longest: float) -> list[Segment]:
    """Windows of ``longest`` seconds (or the whole source if shorter) every half window."""
    if timeline.seconds <= 0:
        return []
    length = max(1, int(min(longest, timeline.seconds)))
    if length < shortest and timeline.seconds >= shortest:
        length = int(shortest)
    step = max(1, length // 2)
    scaled = {name: _scaled(values) for name, values in timeline.series.items()}
    segments = []
    for start in range(0, max(1, timeline.seconds - length + 1), step):
        span = TimeSpan(start, start + length)
        features = {
            name: sum(values[start : start + length]) / length for name, values in scaled.items()
        }
        cuts = sum(1 for t in timeline.scene_cuts if span.contains(t))
        features["scene"] = min(1.0, cuts / max(1.0, length / 5))
        segments.append(Segment(span, features))
    return segments
