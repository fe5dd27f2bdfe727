"""Hypothesis strategies for domain values, shared by every property test."""

from __future__ import annotations

from hypothesis import strategies as st

from clipnet.domain.features import Segment
from clipnet.domain.metadata import Platform
from clipnet.domain.scoring import Weights
from clipnet.domain.spans import TimeSpan

FEATURES = ("loudness", "motion", "speech", "scene")

unit_floats = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@st.composite
def spans(draw: st.DrawFn, max_end: float = 3600.0, min_length: float = 0.5) -> TimeSpan:
    start = draw(st.floats(min_value=0.0, max_value=max_end - min_length, allow_nan=False))
    length = draw(st.floats(min_value=min_length, max_value=max_end - start, allow_nan=False))
    return TimeSpan(start, start + length)


def feature_maps() -> st.SearchStrategy[dict[str, float]]:
    return st.dictionaries(st.sampled_from(FEATURES), unit_floats)


def segments(max_end: float = 3600.0) -> st.SearchStrategy[Segment]:
    return st.builds(Segment, spans(max_end), feature_maps())


def weights() -> st.SearchStrategy[Weights]:
    return (
        st.dictionaries(
            st.sampled_from(FEATURES), st.floats(min_value=0.0, max_value=5.0), min_size=1
        )
        .filter(lambda w: any(v > 0 for v in w.values()))
        .map(Weights)
    )


platforms = st.sampled_from(list(Platform))
