"""Candidate segments: normalised features, snapped spans within bounds, highlight ranking."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clipnet.domain.highlights.candidates import (
    LengthBounds,
    candidate_segments,
    candidate_spans,
    find_highlights,
    loudness_bursts,
    motion_levels,
    normalise,
    score_curve,
    transcript_features,
)
from clipnet.domain.highlights.features import FeatureTimeline
from clipnet.domain.highlights.transcripts import Transcript, Word
from clipnet.domain.shared.errors import InvalidInput
from clipnet.domain.shared.spans import TimeSpan
from tests.strategies import length_bounds, media_timelines


def calm_with_burst(seconds: int = 300, burst: range = range(140, 160)) -> FeatureTimeline:
    """A calm recording with one loud, busy, cut-heavy stretch."""
    loud = [-40.0] * seconds
    motion = [0.01] * seconds
    for second in burst:
        loud[second], motion[second] = -18.0, 0.2
    cuts = [float(s) for s in burst if s % 4 == 0]
    return FeatureTimeline(
        seconds=seconds,
        series={"loudness": loud, "motion": motion, "speech": [0.0] * seconds},
        scene_cuts=cuts,
    )


# -- properties ----------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(media_timelines(max_seconds=240), length_bounds(), st.booleans())
def test_candidate_spans_lie_inside_the_source_and_within_the_length_bounds(
    timeline: FeatureTimeline, limits: LengthBounds, overlapping: bool
) -> None:
    for span in candidate_spans(timeline, limits, overlapping=overlapping):
        assert 0 <= span.start < span.end <= timeline.seconds
        assert limits.shortest - 1e-6 <= span.duration <= limits.longest + 1e-6


@settings(max_examples=60, deadline=None)
@given(media_timelines(max_seconds=240), length_bounds())
def test_candidate_spans_never_overlap_when_asked_not_to(
    timeline: FeatureTimeline, limits: LengthBounds
) -> None:
    spans = candidate_spans(timeline, limits, overlapping=False)
    for first, second in itertools.combinations(spans, 2):
        assert not first.overlaps(second)


@settings(max_examples=50, deadline=None)
@given(media_timelines(max_seconds=180), st.floats(min_value=1.0, max_value=400.0))
def test_candidates_respect_a_duration_shorter_than_the_timeline(
    timeline: FeatureTimeline, duration: float
) -> None:
    limits = LengthBounds(1.0, 30.0)
    for span in candidate_spans(timeline, limits, duration=duration):
        assert span.end <= min(duration, timeline.seconds) + 1e-9


@settings(max_examples=50, deadline=None)
@given(media_timelines(max_seconds=180))
def test_every_normalised_signal_lies_between_zero_and_one(timeline: FeatureTimeline) -> None:
    for name, values in normalise(timeline).items():
        assert len(values) == timeline.seconds
        if name != "cuts":
            assert all(0.0 <= v <= 1.0 for v in values)
    for segment in candidate_segments(timeline, LengthBounds(5, 20)):
        assert all(0.0 <= v <= 1.0 for v in segment.features.values())


@settings(max_examples=60, deadline=None)
@given(media_timelines(max_seconds=180), st.integers(min_value=0, max_value=6))
def test_highlights_never_overlap_and_come_best_first(
    timeline: FeatureTimeline, count: int
) -> None:
    ranked = find_highlights(timeline, count, LengthBounds(5, 30))
    assert len(ranked) <= count
    assert [r.rank for r in ranked] == list(range(1, len(ranked) + 1))
    assert [r.score.total for r in ranked] == sorted((r.score.total for r in ranked), reverse=True)
    for i, first in enumerate(ranked):
        for second in ranked[i + 1 :]:
            assert not first.segment.span.overlaps(second.segment.span)


# -- examples ------------------------------------------------------------------------------------


def test_a_steady_sound_is_not_excitement() -> None:
    assert loudness_bursts([-12.0] * 120) == [0.0] * 120


def test_a_sound_that_stays_loud_becomes_the_new_normal() -> None:
    levels = [-40.0] * 200 + [-15.0] * 100
    bursts = loudness_bursts(levels)
    assert bursts[205] == 1.0  # the rise is a burst...
    assert bursts[299] == 0.0  # ...but a minute later it is the baseline


def test_a_long_quiet_pause_does_not_make_ordinary_sound_a_burst() -> None:
    levels = [-20.0] * 200 + [-60.0] * 100 + [-20.0] * 100
    assert max(loudness_bursts(levels)[300:]) == 0.0


def test_loudness_counts_relative_to_the_recordings_own_level() -> None:
    quiet_stream = loudness_bursts([-50.0] * 60 + [-38.0] * 5 + [-50.0] * 60)
    loud_stream = loudness_bursts([-20.0] * 60 + [-8.0] * 5 + [-20.0] * 60)
    assert quiet_stream == loud_stream
    assert max(quiet_stream) == 1.0


def test_a_constantly_busy_picture_has_no_motion_highlight() -> None:
    assert motion_levels([0.3] * 50) == [0.0] * 50


def test_the_top_highlight_covers_the_loud_busy_stretch() -> None:
    (best,) = find_highlights(calm_with_burst(), 1, LengthBounds(15, 60))
    burst = TimeSpan(140, 160)
    overlap = min(best.segment.span.end, burst.end) - max(best.segment.span.start, burst.start)
    assert overlap >= 15
    assert best.score.explanation.startswith("loud burst")
    assert "fast motion" in best.score.explanation


def test_spans_snap_to_nearby_silences_and_cuts() -> None:
    timeline = FeatureTimeline(
        seconds=100,
        series={"loudness": [-30.0] * 100},
        scene_cuts=[41.5],
        silences=[TimeSpan(18.2, 19.4)],
    )
    spans = candidate_spans(timeline, LengthBounds(20, 25), overlapping=True)
    assert TimeSpan(19.4, 41.5) in spans  # starts after the pause, ends on the cut


def test_a_source_shorter_than_the_shortest_clip_has_no_candidates() -> None:
    timeline = FeatureTimeline(seconds=10, series={"loudness": [-20.0] * 10})
    assert candidate_spans(timeline, LengthBounds(15, 60)) == []


def test_bounds_must_be_positive_and_ordered() -> None:
    with pytest.raises(InvalidInput, match="at least 1 s"):
        LengthBounds(0.5, 10)
    with pytest.raises(InvalidInput, match="shorter than the shortest"):
        LengthBounds(30, 20)


def test_fast_excited_talk_raises_speech_and_word_rate() -> None:
    span = TimeSpan(0, 10)
    calm = Transcript([Word("well", 1.0, 1.5), Word("okay", 6.0, 6.5)])
    excited = Transcript([Word(w, i * 0.3, i * 0.3 + 0.25) for i, w in enumerate(["NO!"] * 30)])
    assert transcript_features(excited, span)["speech"] > transcript_features(calm, span)["speech"]
    assert transcript_features(excited, span)["words"] == 1.0


def test_the_score_curve_peaks_inside_the_burst() -> None:
    curve = score_curve(calm_with_burst())
    peak = max(range(len(curve)), key=curve.__getitem__)
    assert 138 <= peak <= 162
    assert curve[20] == 0.0
