"""Two-stage analysis: the whole source cheaply, then only where clips could be, in full.

Stage 1 reads the whole source twice, side by side: the audio alone (``-vn``: loudness and
the voice band, exactly as the one-pass analysis measures them) and the keyframes alone
(``-skip_frame nokey``: coarse motion and scene cuts, from the difference between one
keyframe and the next). The domain's own candidate finder picks the best moments on that
timeline; each, widened by :data:`WINDOW_MARGIN`, becomes a window.

Stage 2 decodes only those windows at the analysis rate (:mod:`.analysis`'s motion branch),
seeking to a frame the one-pass analysis would also have analysed, so inside a window motion
and cuts are the one-pass values. The timeline records which stretches kept keyframe-only
picture signals (:attr:`FeatureTimeline.keyframe_spans`).
"""

from __future__ import annotations

import bisect
import itertools
import math
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import ffmpeg

from clipnet.adapters.ffmpeg import analysis
from clipnet.domain.highlights.candidates import find_highlights
from clipnet.domain.highlights.features import FeatureTimeline
from clipnet.domain.shared.spans import TimeSpan

#: Analysis modes: every frame in one pass, two stages, or two stages for long sources only.
MODES = ("full", "two-stage", "auto")
#: In ``auto`` mode, sources at least this long (s) are analysed in two stages. Shorter ones
#: cost little either way, and there the windows cover most of the source anyway.
TWO_STAGE_FROM = 180.0
#: Moments of the stage-1 timeline that get a stage-2 window.
REFINED_MOMENTS = 12
#: Seconds added on each side of a moment's span: its refined start and end may move.
WINDOW_MARGIN = 10.0
#: Longest window (s) decoded by one FFmpeg run; longer merged windows are split.
LONGEST_WINDOW = 60.0
#: Windows covering more than this share of the source: one decode of the whole picture is
#: cheaper than many seeks.
MOST_OF_SOURCE = 0.6
#: FFmpeg runs at a time (stage 1's two reads; stage 2's windows).
PARALLEL_RUNS = 2
#: Keyframes further apart than this (s, median) say too little: the source gets one pass.
SPARSEST_KEYFRAMES = 10.0
#: The part of the analysis' progress that stage 1 reports (the share of the source read);
#: stage 2 reports the rest by windows done. Stage 1 is usually about a third of the work.
STAGE_ONE_SHARE = 0.3
#: Analysed frames decoded before a window, so its first frame difference and cut test have
#: the frame before them, as in the one-pass analysis.
PREROLL_FRAMES = 2
#: Decoder options of the picture runs: the one pass's, on one thread each. Two runs go side
#: by side anyway, and a one-thread H.264 decode costs 10-15% less CPU than frame threads
#: (1080p60: a 40 s window 6.6 s instead of 7.8 s, the keyframes of 10 min 3.9 s, not 4.3 s).
PICTURE_DECODE = {**analysis.ANALYSIS_DECODE, "threads": "1"}


@attrs.frozen
class Window:
    """A stretch of whole seconds decoded in stage 2, and where its decode starts."""

    span: TimeSpan
    seek: float
    """Where FFmpeg seeks to: half a frame before an analysed frame, a little before ``span``."""

    @property
    def length(self) -> float:
        return self.span.end - self.seek


# -- FFmpeg graphs ---------------------------------------------------------------------------


def audio_graph(url: str, input_options: dict[str, str], files: dict[str, Path]) -> Any:
    """Stage 1's sound: the audio alone, measured as the one-pass analysis measures it."""
    source = ffmpeg.input(url, vn=None, sn=None, dn=None, **input_options)
    return analysis.null_output(*analysis.audio_branches(source.audio, files))


def keyframe_graph(url: str, input_options: dict[str, str], file: Path) -> Any:
    """Stage 1's picture: only keyframes decoded, each differenced with the one before."""
    source = ffmpeg.input(url, skip_frame="nokey", **input_options, **PICTURE_DECODE)
    return analysis.null_output(analysis.motion_branch(source.video, 1, file))


def window_graph(
    url: str, input_options: dict[str, str], fps: float, window: Window, file: Path
) -> Any:
    """Stage 2: the window's picture at the analysis rate."""
    source = ffmpeg.input(
        url,
        ss=f"{window.seek:.6f}",
        t=f"{window.length:.6f}",
        **input_options,
        **PICTURE_DECODE,
    )
    return analysis.null_output(
        analysis.motion_branch(source.video, analysis.frame_step(fps), file)
    )


# -- windows ---------------------------------------------------------------------------------


def keyframes_too_sparse(keyframes: Sequence[tuple[float, float]]) -> bool:
    """Too few keyframes to tell where the picture moves (one every 10 s or rarer)."""
    gaps = _gaps(keyframes)
    return not gaps or statistics.median(gaps) > SPARSEST_KEYFRAMES


def keyframe_gap(keyframes: Sequence[tuple[float, float]]) -> float:
    """The longest stretch (s) between two keyframes."""
    return max(_gaps(keyframes), default=0.0)


def _gaps(keyframes: Sequence[tuple[float, float]]) -> list[float]:
    return [b[0] - a[0] for a, b in itertools.pairwise(keyframes)]


def window_spans(timeline: FeatureTimeline, count: int = REFINED_MOMENTS) -> list[TimeSpan]:
    """The stretches to refine: the stage-1 timeline's best ``count`` moments, each widened
    by the margin, on whole seconds, merged when they overlap, split to LONGEST_WINDOW."""
    moments = find_highlights(timeline, count, duration=float(timeline.seconds))
    widened = sorted(
        TimeSpan(
            max(0, math.floor(m.segment.span.start - WINDOW_MARGIN)),
            min(timeline.seconds, math.ceil(m.segment.span.end + WINDOW_MARGIN)),
        )
        for m in moments
    )
    return [piece for span in _merged(widened) for piece in _split(span, LONGEST_WINDOW)]


def whole_source(seconds: int) -> list[TimeSpan]:
    return [TimeSpan(0, seconds)]


def covers_most(spans: Sequence[TimeSpan], seconds: int) -> bool:
    return sum(span.duration for span in spans) > MOST_OF_SOURCE * seconds


def _merged(spans: Sequence[TimeSpan]) -> list[TimeSpan]:
    merged: list[TimeSpan] = []
    for span in spans:
        if merged and span.start <= merged[-1].end:
            merged[-1] = TimeSpan(merged[-1].start, max(merged[-1].end, span.end))
        else:
            merged.append(span)
    return merged


def _split(span: TimeSpan, longest: float) -> list[TimeSpan]:
    pieces = max(1, math.ceil(span.duration / longest - 1e-9))
    size = math.ceil(span.duration / pieces)
    starts = range(int(span.start), int(span.end), size)
    return [TimeSpan(start, min(span.end, start + size)) for start in starts]


def window(span: TimeSpan, fps: float) -> Window:
    """The window decoding ``span``: its seek lands on the frame grid the one-pass analysis
    analyses (every ``frame_step``-th frame from the start), PREROLL_FRAMES of them early."""
    if span.start <= 0 or fps <= 0:
        return Window(span, 0.0)
    step = analysis.frame_step(fps)
    first = math.ceil(span.start * fps / step - 1e-6) - PREROLL_FRAMES
    if first <= 0:
        return Window(span, 0.0)
    return Window(span, (first * step - 0.5) / fps)


# -- the timeline ----------------------------------------------------------------------------


def shifted(
    samples: Sequence[tuple[float, float]], offset: float, fps: float
) -> list[tuple[float, float]]:
    """A window's samples on the source's clock (FFmpeg counts from the seek point), each
    time written as FFmpeg writes the one pass's (6 significant digits): the printed time from
    the seek point is that much off, so each sample is first put back on its frame (the
    error is far under half a frame), then that frame's time is rounded as the one pass
    rounds it; else a frame near a second's edge lands in the wrong second."""
    if fps <= 0:
        return [(float(f"{time + offset:.6g}"), value) for time, value in samples]
    return [(float(f"{round((time + offset) * fps) / fps:.6g}"), value) for time, value in samples]


def inside(samples: Sequence[tuple[float, float]], span: TimeSpan) -> list[tuple[float, float]]:
    return [(time, value) for time, value in samples if span.start <= time < span.end]


def held_motion(keyframes: Sequence[tuple[float, float]], seconds: int) -> list[float]:
    """Per second, the difference between the keyframes around it (0 = still): each
    keyframe's difference stands for the stretch since the keyframe before it."""
    if not keyframes:
        return [0.0] * seconds
    times = [time for time, _ in keyframes]
    last = len(keyframes) - 1
    return [
        keyframes[min(last, bisect.bisect_left(times, second + 0.5))][1] / 255.0
        for second in range(seconds)
    ]


def two_stage_timeline(
    duration: float,
    keyframes: Sequence[tuple[float, float]],
    refined: Sequence[tuple[TimeSpan, Sequence[tuple[float, float]]]],
    loudness: Sequence[tuple[float, float]],
    speech: Sequence[tuple[float, float]],
) -> FeatureTimeline:
    """The timeline from stage 1's sound and keyframes, with each refined window's motion and
    cuts (samples already on the source's clock) in place of the keyframes' there."""
    seconds = max(1, math.ceil(duration - 1e-6))
    motion = held_motion(keyframes, seconds)
    cuts = analysis.scene_cuts(keyframes)
    for span, samples in refined:
        measured = analysis.motion_series(inside(samples, span), seconds)
        for second in range(int(span.start), min(seconds, int(span.end))):
            motion[second] = measured[second]
        cuts = [c for c in cuts if not span.start <= c < span.end]
        cuts += [c for c in analysis.scene_cuts(samples) if span.start <= c < span.end]
    return FeatureTimeline(
        seconds=seconds,
        series={
            "loudness": analysis.loudness_series(loudness, seconds),
            "motion": motion,
            "speech": analysis.speech_series(loudness, speech, seconds),
        },
        scene_cuts=sorted(cuts),
        silences=analysis.silences(loudness),
        keyframe_spans=_uncovered([span for span, _ in refined], seconds),
    )


def _uncovered(spans: Sequence[TimeSpan], seconds: int) -> list[TimeSpan]:
    """The stretches of [0, seconds) outside every span."""
    gaps: list[TimeSpan] = []
    at = 0.0
    for span in _merged(sorted(spans)):
        if span.start > at:
            gaps.append(TimeSpan(at, span.start))
        at = max(at, span.end)
    if at < seconds:
        gaps.append(TimeSpan(at, float(seconds)))
    return gaps
