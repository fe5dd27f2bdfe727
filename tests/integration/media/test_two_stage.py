"""Two-stage analysis on real media: where both measured, it agrees with the one-pass analysis,
and it picks the same top three moments.

The sources are generated here, seeded: 2-4 minutes at 320x180, a keyframe every 2 s (as
stream platforms ask), B-frames, calm stretches with a few exciting parts of different
lengths placed at random.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import attrs
import pytest

from clipnet.adapters.ffmpeg import FfmpegMediaProcessor, analysis, two_stage
from clipnet.adapters.ffmpeg.sample import (
    SampleSpec,
    calm_stretch,
    encoded,
    exciting_shot,
    write_media,
)
from clipnet.domain.highlights.candidates import find_highlights
from clipnet.domain.highlights.features import FeatureTimeline
from clipnet.domain.shared.media import MediaInfo
from clipnet.domain.shared.spans import TimeSpan
from clipnet.ports.media import MediaError
from tests.integration.media.conftest import ffmpeg, ffmpeg_binary

pytestmark = pytest.mark.ffmpeg

SPEC = SampleSpec(width=320, height=180, fps=30, preset="veryfast", keyframe_every=2, bframes=2)
SEEDS = (1, 2, 3, 4, 5)
#: One analysed frame apart: how far a cut may move and still be the same cut.
FRAME_INTERVAL = 1 / analysis.ANALYSED_FPS


def seeded_parts(seed: int) -> tuple[float, list[TimeSpan]]:
    """A source length of 2-4 min and three exciting parts (8-24 s, apart) in it."""
    rng = random.Random(f"two-stage-{seed}")
    seconds = float(rng.randint(120, 240))
    parts: list[TimeSpan] = []
    while len(parts) < 3:
        length = float(rng.choice((8, 12, 16, 20, 24)))
        start = float(rng.randint(5, int(seconds - length - 5)))
        span = TimeSpan(start, start + length)
        if all(span.end + 15 < p.start or p.end + 15 < span.start for p in parts):
            parts.append(span)
    return seconds, sorted(parts, key=lambda p: p.start)


def write_source(out: Path, seconds: float, parts: list[TimeSpan], spec: SampleSpec = SPEC) -> Path:
    def graph(partial: Path) -> Any:
        pieces, at, shot = [], 0.0, 0
        for number, part in enumerate(parts):
            pieces.append(calm_stretch(spec, part.start - at, 2 * number + 1))
            for _ in range(round(part.duration / 4)):
                pieces.append(exciting_shot(spec, shot, 4.0))
                shot += 1
            at = part.end
        pieces.append(calm_stretch(spec, seconds - at, 2 * len(parts) + 1))
        return encoded(pieces, spec, partial)

    ffmpeg_binary()
    return write_media(graph, out, seconds)


@pytest.fixture(scope="module")
def agreeing_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    seconds, parts = seeded_parts(1)
    return write_source(tmp_path_factory.mktemp("two-stage") / "agree.mp4", seconds, parts)


@pytest.fixture(scope="module")
def both_analyses(agreeing_source: Path) -> tuple[FeatureTimeline, FeatureTimeline]:
    full = FfmpegMediaProcessor().analyze(agreeing_source)
    two = FfmpegMediaProcessor(analysis="two-stage").analyze(agreeing_source)
    return full, two


def refined_seconds(timeline: FeatureTimeline) -> list[int]:
    return [s for s in range(timeline.seconds) if timeline.resolution(s) == "full"]


def test_the_sound_is_measured_exactly_as_the_one_pass_analysis_measures_it(
    both_analyses: tuple[FeatureTimeline, FeatureTimeline],
) -> None:
    full, two = both_analyses
    assert two.seconds == full.seconds
    assert two.series["loudness"] == full.series["loudness"]
    assert two.series["speech"] == full.series["speech"]
    assert two.silences == full.silences


def test_inside_the_refined_windows_motion_and_cuts_are_the_one_pass_values(
    both_analyses: tuple[FeatureTimeline, FeatureTimeline],
) -> None:
    full, two = both_analyses
    refined = refined_seconds(two)
    assert refined and len(refined) < two.seconds  # some seconds refined, not all
    for second in refined:
        assert two.series["motion"][second] == pytest.approx(full.series["motion"][second])
    full_cuts = [c for c in full.scene_cuts if two.resolution(int(c)) == "full"]
    two_cuts = [c for c in two.scene_cuts if two.resolution(int(c)) == "full"]
    assert full_cuts  # the exciting parts cut every 4 s
    assert len(two_cuts) == len(full_cuts)
    for ours, theirs in zip(two_cuts, full_cuts, strict=True):
        assert abs(ours - theirs) <= FRAME_INTERVAL + 1e-6


def test_the_timeline_says_which_seconds_were_measured_from_keyframes_only(
    agreeing_source: Path, both_analyses: tuple[FeatureTimeline, FeatureTimeline]
) -> None:
    full, two = both_analyses
    assert full.keyframe_spans == ()
    assert all(full.resolution(s) == "full" for s in range(full.seconds))
    _, parts = seeded_parts(1)
    for part in parts:  # every exciting part was refined
        assert all(two.resolution(s) == "full" for s in range(int(part.start), int(part.end)))
    coarse = [s for s in range(two.seconds) if two.resolution(s) == "keyframes"]
    assert coarse and sum(span.duration for span in two.keyframe_spans) == len(coarse)


def _top_three(timeline: FeatureTimeline) -> list[TimeSpan]:
    return [pick.segment.span for pick in find_highlights(timeline, 3)]


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_two_stages_pick_the_same_top_three_as_the_one_pass_analysis(
    seed: int, tmp_path: Path
) -> None:
    seconds, parts = seeded_parts(seed)
    source = write_source(tmp_path / f"seed-{seed}.mp4", seconds, parts)
    full = _top_three(FfmpegMediaProcessor().analyze(source))
    two = _top_three(FfmpegMediaProcessor(analysis="two-stage").analyze(source))
    assert full  # the exciting parts are found at all
    assert two == full


@pytest.mark.slow
def test_a_highlight_in_the_last_minute_is_still_found(tmp_path: Path) -> None:
    last = TimeSpan(190.0, 210.0)
    source = write_source(tmp_path / "late.mp4", 215.0, [last])
    timeline = FfmpegMediaProcessor(analysis="two-stage").analyze(source)
    best = find_highlights(timeline, 1)[0].segment.span
    assert best.overlaps(last)
    assert all(timeline.resolution(s) == "full" for s in range(190, 210))


def test_progress_reads_the_source_then_counts_windows_and_ends_whole(
    agreeing_source: Path,
) -> None:
    reports: list[float] = []
    FfmpegMediaProcessor(analysis="two-stage").analyze(agreeing_source, reports.append)
    assert reports == sorted(reports)  # never backwards
    assert reports[-1] == pytest.approx(1.0)
    stage_one = [r for r in reports if r <= two_stage.STAGE_ONE_SHARE + 1e-9]
    assert len(stage_one) < len(reports)  # stage 2 reported past stage 1's part


def test_sparse_keyframes_fall_back_to_the_one_pass_analysis(
    agreeing_source: Path, tmp_path: Path
) -> None:
    sparse = tmp_path / "sparse.mp4"
    ffmpeg(
        *("-i", str(agreeing_source), "-c:a", "copy", "-c:v", "libx264", "-preset", "ultrafast"),
        *("-g", "900", "-sc_threshold", "0", str(sparse)),
    )  # one keyframe every 30 s
    two = FfmpegMediaProcessor(analysis="two-stage").analyze(sparse)
    assert two == FfmpegMediaProcessor().analyze(sparse)
    assert two.keyframe_spans == ()


def test_a_source_without_sound_is_analysed_in_two_stages_from_its_picture(
    agreeing_source: Path, tmp_path: Path
) -> None:
    silent = tmp_path / "silent.mp4"
    ffmpeg("-i", str(agreeing_source), "-an", "-c:v", "copy", str(silent))
    full = FfmpegMediaProcessor().analyze(silent)
    two = FfmpegMediaProcessor(analysis="two-stage").analyze(silent)
    assert two.series["loudness"] == full.series["loudness"]
    assert two.keyframe_spans  # still two stages, windows where the picture moves
    assert _top_three(two) == _top_three(full)


def test_a_truncated_source_is_reported_as_damaged_in_two_stages_too(
    agreeing_source: Path, tmp_path: Path
) -> None:
    cut = tmp_path / "cut.mp4"
    data = agreeing_source.read_bytes()
    cut.write_bytes(data[: len(data) // 3])  # faststart: the index survives, the media not
    with pytest.raises(MediaError, match=r"cut\.mp4: truncated or damaged"):
        FfmpegMediaProcessor(analysis="two-stage").analyze(cut)


def test_auto_analyses_long_sources_in_two_stages_and_short_ones_in_one_pass() -> None:
    auto = FfmpegMediaProcessor(analysis="auto")
    short = MediaInfo(duration=two_stage.TWO_STAGE_FROM - 1, has_video=True, has_audio=True)
    long = attrs.evolve(short, duration=two_stage.TWO_STAGE_FROM)
    assert (auto.in_two_stages(short), auto.in_two_stages(long)) == (False, True)
    assert FfmpegMediaProcessor(analysis="two-stage").in_two_stages(short)
    assert not FfmpegMediaProcessor(analysis="full").in_two_stages(long)
    with pytest.raises(ValueError, match="full, two-stage, auto"):
        FfmpegMediaProcessor(analysis="half")
