from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clipnet.domain.highlights.features import Segment
from clipnet.domain.highlights.scoring import (
    DEFAULT_WEIGHTS,
    Weights,
    rank_segments,
    score_segment,
    top_segments,
)
from clipnet.domain.shared.errors import InvalidInput
from clipnet.domain.shared.spans import TimeSpan
from tests.strategies import FEATURES, feature_maps, segments, unit_floats, weights


def segment(start: float, end: float, **features: float) -> Segment:
    return Segment(TimeSpan(start, end), features)


def test_the_score_is_the_weighted_mean_scaled_to_a_hundred() -> None:
    score = score_segment(
        segment(0, 20, loudness=1.0, motion=0.5), Weights({"loudness": 3, "motion": 1})
    )
    assert score.total == pytest.approx(100 * (3 * 1.0 + 1 * 0.5) / 4)
    assert score.values == {"loudness": 1.0, "motion": 0.5}


def test_the_explanation_names_the_strongest_signals_first() -> None:
    score = score_segment(segment(0, 20, loudness=0.9, motion=0.95, speech=0.6, scene=0.1))
    assert score.explanation == "fast motion + loud burst + excited speech"


def test_a_calm_segment_is_explained_as_calm() -> None:
    assert score_segment(segment(0, 20, loudness=0.1)).explanation == "calm moment"


def test_weights_must_be_non_negative_and_not_all_zero() -> None:
    with pytest.raises(InvalidInput):
        Weights({"loudness": -1.0})
    with pytest.raises(InvalidInput):
        Weights({"loudness": 0.0})


def test_no_single_default_signal_decides_alone() -> None:
    loud_only = score_segment(segment(0, 20, loudness=1.0))
    assert loud_only.total < 50


def test_top_segments_skip_those_overlapping_a_better_one() -> None:
    best = segment(10, 40, loudness=1, motion=1)
    overlapping = segment(30, 60, loudness=0.9, motion=0.9)
    apart = segment(100, 130, loudness=0.5)
    chosen = top_segments([apart, overlapping, best], k=3)
    assert [c.segment for c in chosen] == [best, apart]
    assert [c.rank for c in chosen] == [1, 2]


@given(segments(), weights())
def test_a_score_is_always_between_0_and_100(seg: Segment, w: Weights) -> None:
    assert 0.0 <= score_segment(seg, w).total <= 100.0


@given(st.lists(segments(), max_size=12), weights())
def test_ranking_is_deterministic_whatever_the_input_order(segs: list[Segment], w: Weights) -> None:
    forward = [(r.segment.span, r.score.total) for r in rank_segments(segs, w)]
    backward = [(r.segment.span, r.score.total) for r in rank_segments(list(reversed(segs)), w)]
    assert [t for _, t in forward] == [t for _, t in backward]
    assert forward == [(r.segment.span, r.score.total) for r in rank_segments(segs, w)]


@given(feature_maps(), st.sampled_from(FEATURES), unit_floats, weights())
def test_raising_a_positively_weighted_feature_never_lowers_the_score(
    features: dict[str, float], name: str, extra: float, w: Weights
) -> None:
    base = Segment(TimeSpan(0, 30), features)
    raised = base.with_features(**{name: min(1.0, features.get(name, 0.0) + extra)})
    assert score_segment(raised, w).total >= score_segment(base, w).total - 1e-9


@given(feature_maps(), st.sampled_from(FEATURES), st.floats(min_value=0.01, max_value=1.0))
def test_raising_a_weighted_feature_below_one_strictly_raises_the_score(
    features: dict[str, float], name: str, bump: float
) -> None:
    features = {**features, name: min(features.get(name, 0.0), 0.5)}
    base = Segment(TimeSpan(0, 30), features)
    raised = base.with_features(**{name: features[name] + bump * 0.5})
    assert score_segment(raised, DEFAULT_WEIGHTS).total > score_segment(base, DEFAULT_WEIGHTS).total


@given(st.lists(segments(max_end=600), max_size=25), st.integers(min_value=0, max_value=10))
def test_top_k_spans_never_overlap_and_number_at_most_k(segs: list[Segment], k: int) -> None:
    chosen = top_segments(segs, k)
    assert len(chosen) <= k
    for i, a in enumerate(chosen):
        for b in chosen[i + 1 :]:
            assert not a.segment.span.overlaps(b.segment.span)
    totals = [c.score.total for c in chosen]
    assert totals == sorted(totals, reverse=True)


@given(st.lists(segments(max_end=600), min_size=1, max_size=25))
def test_the_best_segment_is_always_chosen_first(segs: list[Segment]) -> None:
    assert top_segments(segs, 1)[0].score == rank_segments(segs)[0].score
