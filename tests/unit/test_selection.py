"""No filler, no splits: every clip clears its source's score floor, one moment gives one clip,
and clips never start or end inside a word when the words are known."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clipnet.domain.highlights.candidates import (
    LengthBounds,
    candidate_segments,
    candidate_spans,
    find_highlights,
    snap_to_words,
)
from clipnet.domain.highlights.features import FeatureTimeline
from clipnet.domain.highlights.scoring import rank_segments
from clipnet.domain.highlights.selection import ScoreFloor
from clipnet.domain.highlights.transcripts import Transcript, Word
from clipnet.domain.shared.errors import InvalidInput
from clipnet.domain.shared.spans import TimeSpan
from tests.strategies import media_timelines

BOUNDS = LengthBounds(15, 60)


def calm_with_bursts(seconds: int = 300, *bursts: tuple[range, float]) -> FeatureTimeline:
    """A calm recording with loud, busy stretches (each with its own loudness, LUFS)."""
    loud, motion = [-40.0] * seconds, [0.01] * seconds
    cuts: list[float] = []
    for burst, level in bursts:
        for second in burst:
            loud[second], motion[second] = level, 0.2
        cuts += [float(s) for s in burst if s % 4 == 0]
    return FeatureTimeline(
        seconds=seconds,
        series={"loudness": loud, "motion": motion, "speech": [0.0] * seconds},
        scene_cuts=cuts,
    )


@st.composite
def transcripts(draw: st.DrawFn, seconds: float) -> Transcript:
    """Words in time order with gaps (some none, some pauses), some ending sentences."""
    words, at = [], draw(st.floats(min_value=0.0, max_value=3.0))
    while at < seconds:
        length = draw(st.floats(min_value=0.05, max_value=1.5))
        text = draw(st.sampled_from(["go", "now", "wow!", "yes.", "what?", "and"]))
        words.append(Word(text, at, min(at + length, seconds)))
        at += length + draw(st.sampled_from([0.0, 0.05, 0.2, 0.6, 2.0]))
    return Transcript(words)


def cuts_a_word(at: float, words: tuple[Word, ...]) -> bool:
    return any(w.start < at < w.end for w in words)


# -- properties ----------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(media_timelines(max_seconds=240), st.integers(min_value=1, max_value=6), st.floats(0, 1))
def test_chosen_clips_never_overlap_and_each_clears_the_floor(
    timeline: FeatureTimeline, count: int, relative: float
) -> None:
    floor = ScoreFloor(relative)
    bounds = LengthBounds(5, 30)
    chosen = find_highlights(timeline, count, bounds, floor=floor)
    scores = [r.score.total for r in rank_segments(candidate_segments(timeline, bounds))]
    level = floor.level(scores)
    assert len(chosen) <= count
    assert bool(chosen) == bool(scores)  # the best candidate always clears its own floor
    for i, clip in enumerate(chosen):
        assert clip.score.total >= level - 1e-6
        assert bounds.admits(clip.segment.span) and clip.segment.span.end <= timeline.seconds
        for other in chosen[i + 1 :]:
            assert not clip.segment.span.overlaps(other.segment.span)
    assert [c.rank for c in chosen] == list(range(1, len(chosen) + 1))


@settings(max_examples=80, deadline=None)
@given(st.data(), st.floats(min_value=20.0, max_value=150.0))
def test_snapped_boundaries_never_cut_a_word(data: st.DataObject, duration: float) -> None:
    transcript = data.draw(transcripts(duration))
    start = data.draw(st.floats(min_value=0.0, max_value=duration - 15.0))
    span = TimeSpan(start, min(duration, start + data.draw(st.floats(15.0, 40.0))))
    bounds = LengthBounds(10, 45)
    snapped = snap_to_words(span, transcript.words, bounds, duration)
    if snapped is not None:
        assert not cuts_a_word(snapped.start, transcript.words)
        assert not cuts_a_word(snapped.end, transcript.words)
        assert bounds.admits(snapped) and 0 <= snapped.start < snapped.end <= duration


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_with_a_transcript_no_candidate_starts_or_ends_inside_a_word(data: st.DataObject) -> None:
    timeline = data.draw(media_timelines(max_seconds=120))
    transcript = data.draw(transcripts(float(timeline.seconds)))
    for span in candidate_spans(timeline, LengthBounds(10, 30), transcript=transcript):
        assert not cuts_a_word(span.start, transcript.words)
        assert not cuts_a_word(span.end, transcript.words)


# -- examples ------------------------------------------------------------------------------------


def test_a_source_with_one_highlight_gives_one_clip_however_many_are_asked_for() -> None:
    timeline = calm_with_bursts(300, (range(140, 152), -18.0))
    (only,) = find_highlights(timeline, 3, BOUNDS)
    assert only.segment.span.start <= 140 and only.segment.span.end >= 152
    assert only.score.explanation != "calm moment"


@pytest.mark.parametrize("length", [20, 25])
def test_a_highlight_longer_than_the_shortest_clip_is_one_clip_covering_it(length: int) -> None:
    timeline = calm_with_bursts(300, (range(140, 140 + length), -18.0))
    (only,) = find_highlights(timeline, 3, BOUNDS)
    assert only.segment.span.start <= 140 and only.segment.span.end >= 140 + length
    assert only.segment.span.duration <= BOUNDS.longest


def test_two_separate_highlights_give_two_clips_and_the_floor_decides_about_a_weak_one() -> None:
    strong, weak = (range(60, 72), -18.0), (range(200, 212), -33.0)
    timeline = calm_with_bursts(300, strong, weak)
    both = find_highlights(timeline, 3, BOUNDS, floor=ScoreFloor(0.2))
    assert len(both) == 2 and both[0].segment.span.start <= 60 < both[0].segment.span.end
    assert both[1].segment.span.start <= 200 < both[1].segment.span.end
    strict = find_highlights(timeline, 3, BOUNDS, floor=ScoreFloor(0.9))
    assert [c.segment.span for c in strict] == [both[0].segment.span]


def test_the_floor_is_a_fraction_between_zero_and_one() -> None:
    with pytest.raises(InvalidInput, match="between 0 and 1"):
        ScoreFloor(1.5)
    assert ScoreFloor(0.5).level([10.0, 20.0, 80.0]) == 40.0  # half the best
    assert ScoreFloor(0.1).level([10.0, 20.0, 80.0]) == 20.0  # the median


def test_a_boundary_moves_to_a_nearby_sentence_break_rather_than_just_out_of_a_word() -> None:
    words = (
        Word("so", 9.0, 9.4),
        Word("done.", 9.5, 10.2),
        Word("Next", 10.6, 11.0),
        Word("one", 11.0, 11.6),
        *(Word("more", 11.7 + t * 0.4, 12.0 + t * 0.4) for t in range(40)),  # no pauses
    )
    snapped = snap_to_words(TimeSpan(11.2, 30.0), words, LengthBounds(10, 30), 60.0)
    assert snapped is not None and 10.2 <= snapped.start <= 10.6  # between "done." and "Next"


def test_a_boundary_inside_a_word_with_no_break_near_moves_just_out_of_it() -> None:
    words = tuple(Word("la", t / 10, t / 10 + 0.1) for t in range(0, 600))  # no gaps, no stops
    snapped = snap_to_words(TimeSpan(20.05, 40.05), words, LengthBounds(10, 30), 60.0)
    assert snapped is not None
    assert abs(snapped.start - 20.05) <= 0.05 + 1e-9 and not cuts_a_word(snapped.start, words)
