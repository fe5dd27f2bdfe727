"""Two-stage analysis without FFmpeg: which windows stage 2 decodes, where it seeks, and how
its measurements and stage 1's become one timeline (stored and read back)."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clipnet.adapters.ffmpeg import analysis, two_stage
from clipnet.adapters.sqlalchemy.rows import timeline_from_json, timeline_to_json
from clipnet.domain.highlights.candidates import find_highlights
from clipnet.domain.highlights.features import FeatureTimeline
from clipnet.domain.shared.spans import TimeSpan
from clipnet.settings import ConfigError, load_settings


def bursty_timeline(seconds: int, bursts: list[TimeSpan]) -> FeatureTimeline:
    """Quiet and still, but loud and moving in each burst."""
    loud = [any(b.start <= s < b.end for b in bursts) for s in range(seconds)]
    return FeatureTimeline(
        seconds=seconds,
        series={
            "loudness": [-15.0 if x else -40.0 for x in loud],
            "motion": [0.3 if x else 0.01 for x in loud],
            "speech": [0.0] * seconds,
        },
    )


def test_windows_cover_each_best_moment_with_its_margin_on_whole_seconds() -> None:
    timeline = bursty_timeline(900, [TimeSpan(100, 120), TimeSpan(500, 530), TimeSpan(850, 870)])
    spans = two_stage.window_spans(timeline)
    assert spans == sorted(spans, key=lambda s: s.start)
    for span in spans:
        assert span.start == int(span.start) and span.end == int(span.end)
        assert 0 < span.duration <= two_stage.LONGEST_WINDOW
    for earlier, later in itertools.pairwise(spans):
        assert earlier.end <= later.start
    for moment in find_highlights(timeline, two_stage.REFINED_MOMENTS):
        wanted = moment.segment.span
        reach = TimeSpan(
            max(0.0, wanted.start - two_stage.WINDOW_MARGIN),
            min(900.0, wanted.end + two_stage.WINDOW_MARGIN),
        )
        covered = sum(
            min(s.end, reach.end) - max(s.start, reach.start) for s in spans if s.overlaps(reach)
        )
        assert covered == pytest.approx(math.ceil(reach.end) - math.floor(reach.start))


def test_a_moment_at_the_very_end_gets_a_window_that_stops_at_the_end() -> None:
    timeline = bursty_timeline(300, [TimeSpan(280, 300)])
    spans = two_stage.window_spans(timeline)
    assert spans[-1].end == 300
    assert any(s.contains(290) for s in spans)


def test_windows_covering_most_of_a_source_become_one_decode_of_all_of_it() -> None:
    assert two_stage.covers_most([TimeSpan(0, 50), TimeSpan(60, 100)], 120)
    assert not two_stage.covers_most([TimeSpan(0, 50)], 120)
    assert two_stage.whole_source(120) == [TimeSpan(0, 120)]


@given(
    start=st.integers(min_value=0, max_value=20000),
    fps=st.sampled_from([24.0, 25.0, 30.0, 30000 / 1001, 50.0, 60.0, 120.0]),
)
def test_a_window_seeks_onto_the_one_pass_frame_grid_just_before_its_span(
    start: int, fps: float
) -> None:
    """The frames analysed from the seek on are frames the one-pass analysis analyses, and
    PREROLL_FRAMES of them come before the span (fewer at the very start)."""
    window = two_stage.window(TimeSpan(start, start + 30), fps)
    step = analysis.frame_step(fps)
    assert window.seek <= max(0.0, start - 0.5 / fps)
    if window.seek == 0:
        assert start * fps / step <= two_stage.PREROLL_FRAMES + 1
        return
    first_frame = window.seek * fps + 0.5  # the first frame at or after the seek
    assert first_frame == pytest.approx(round(first_frame), abs=1e-6)
    assert round(first_frame) % step == 0
    before = (start * fps - first_frame) / step
    assert two_stage.PREROLL_FRAMES - 1 < before <= two_stage.PREROLL_FRAMES + 1e-6


@given(
    start=st.integers(min_value=1, max_value=20000),
    fps=st.sampled_from([24000 / 1001, 24.0, 25.0, 30000 / 1001, 30.0, 50.0, 60000 / 1001, 60.0]),
)
def test_window_samples_land_in_the_seconds_the_one_pass_puts_them_in(
    start: int, fps: float
) -> None:
    """FFmpeg prints times to 6 significant digits: the one pass prints a frame's time on the
    source's clock, a window its time since the seek; both must give the same second."""
    window = two_stage.window(TimeSpan(start, start + 60), fps)
    step = analysis.frame_step(fps)
    first = math.ceil(window.seek * fps)  # the first frame the window analyses
    frames = range(first, math.floor(window.span.end * fps), step)
    printed = [(float(f"{frame / fps - window.seek:.6g}"), 0.0) for frame in frames]
    ours = [int(time) for time, _ in two_stage.shifted(printed, window.seek, fps)]
    assert ours == [int(float(f"{frame / fps:.6g}")) for frame in frames]


def test_keyframe_motion_stands_for_the_stretch_since_the_keyframe_before() -> None:
    keyframes = [(2.0, 51.0), (4.0, 102.0), (6.0, 0.0)]
    assert two_stage.held_motion(keyframes, 8) == pytest.approx(
        [0.2, 0.2, 0.4, 0.4, 0.0, 0.0, 0.0, 0.0]
    )
    assert two_stage.held_motion([], 3) == [0.0, 0.0, 0.0]


def test_refined_windows_replace_the_keyframes_motion_and_cuts_where_they_measured() -> None:
    keyframes = [(float(t), 255.0 * 0.5 if t == 10 else 0.0) for t in range(0, 40, 2)]
    window = TimeSpan(8, 14)
    # the window's own samples, every 0.1 s: a cut at 11.3, still elsewhere (pre-roll at 7.8)
    samples = [
        (round(7.8 + i / 10, 6), 200.0 if round(7.8 + i / 10, 1) == 11.3 else 1.0)
        for i in range(62)
    ]
    timeline = two_stage.two_stage_timeline(40.0, keyframes, [(window, samples)], [], [])
    assert timeline.scene_cuts == (11.3,)  # the keyframe cut at 10 is replaced
    motion = timeline.series["motion"]
    assert motion[9] == pytest.approx(1 / 255.0)
    assert motion[11] == pytest.approx((9 * 1.0 + 200.0) / 10 / 255.0)
    assert motion[15] == 0.0
    assert timeline.keyframe_spans == (TimeSpan(0, 8), TimeSpan(14, 40))
    assert [timeline.resolution(s) for s in (7, 8, 13, 14)] == [
        "keyframes",
        "full",
        "full",
        "keyframes",
    ]


def test_a_two_stage_timeline_is_stored_with_its_keyframe_spans() -> None:
    timeline = FeatureTimeline(
        seconds=10,
        series={"loudness": [-20.0] * 10},
        scene_cuts=[3.0],
        keyframe_spans=[TimeSpan(0, 4), TimeSpan(8, 10)],
    )
    document = timeline_to_json(timeline)
    assert document is not None
    assert timeline_from_json(document) == timeline
    assert timeline_from_json({**document, "keyframe_spans": []}) != timeline


def test_a_timeline_stored_before_two_stage_analysis_loads_as_measured_in_full() -> None:
    old = {"seconds": 3, "series": {"motion": [0.0, 0.1, 0.2]}, "scene_cuts": [1.0], "silences": []}
    timeline = timeline_from_json(old)
    assert timeline is not None and timeline.keyframe_spans == ()
    assert [timeline.resolution(s) for s in range(3)] == ["full"] * 3


def test_the_analysis_mode_is_a_setting_of_three_choices() -> None:
    assert load_settings({}).media.analysis == "auto"
    assert load_settings({"CLIPNET_ANALYSIS": "Two-Stage"}).media.analysis == "two-stage"
    with pytest.raises(ConfigError, match="CLIPNET_ANALYSIS"):
        load_settings({"CLIPNET_ANALYSIS": "fast"})
