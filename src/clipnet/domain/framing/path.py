"""The smoothed crop path: a window that follows the subject like a calm camera operator.

Per axis, the window's centre holds still while the subject stays inside a dead zone; once
the subject leaves it, the window eases towards the subject (a share of the remaining distance
per second, never faster than the pan-speed limit) until it is nearly centred, then holds
again. Detector noise is taken out first (a running median over three samples). At a scene cut
or a switch of speaker the path does not pan: it jumps, and follows afresh from there.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Sequence

import attrs

from clipnet.domain.framing.model import CropPath, CropSegment
from clipnet.domain.shared.geometry import Box


@attrs.frozen
class PathLimits:
    """How the window may move, in crop widths (so they hold for every output size)."""

    dead_zone: float = 0.10
    """The subject may drift this far from the window's centre before the window moves."""
    settle: float = 0.02
    """A moving window stops once the subject is this close to its centre."""
    max_speed: float = 1.0
    """The pan-speed limit, crop widths per second."""
    gain: float = 4.0
    """Share of the remaining distance the window covers per second while it moves."""
    step: float = 0.1
    """Seconds between the path's keys (the renderer draws straight lines between them)."""


DEFAULT_LIMITS = PathLimits()


@attrs.frozen
class Axis:
    """One axis of the follow, in pixels."""

    low: float
    """Smallest allowed window centre."""
    high: float
    dead_zone: float
    settle: float
    max_speed: float
    gain: float

    def clamp(self, value: float) -> float:
        return min(self.high, max(self.low, value))


def follow(times: Sequence[float], targets: Sequence[float], axis: Axis) -> list[float]:
    """The window's centre at each of ``times``, following ``targets`` (same length)."""
    if not times:
        return []
    position = axis.clamp(targets[0])
    moving = False
    positions = [position]
    for previous, time, target in zip(times, times[1:], targets[1:], strict=False):
        dt = time - previous
        error = axis.clamp(target) - position
        if abs(error) > axis.dead_zone:
            moving = True
        if moving:
            step = min(axis.max_speed * dt, abs(error) * min(1.0, axis.gain * dt))
            position += math.copysign(step, error)
            if abs(axis.clamp(target) - position) <= axis.settle:
                moving = False
        positions.append(position)
    return positions


def running_median(values: Sequence[float]) -> list[float]:
    """Each value replaced by the median of itself and its neighbours (ends kept)."""
    if len(values) < 3:
        return list(values)
    middle = [statistics.median(values[i - 1 : i + 2]) for i in range(1, len(values) - 1)]
    return [values[0], *middle, values[-1]]


def crop_size(picture: Box, aspect: float) -> tuple[int, int]:
    """The largest window of ``aspect`` (width / height) inside ``picture``, even-sized."""
    if picture.w / picture.h > aspect:
        return _even(picture.h * aspect), _even(picture.h)
    return _even(picture.w), _even(picture.w / aspect)


def crop_path(
    picture: Box,
    size: tuple[int, int],
    duration: float,
    track: Sequence[tuple[float, tuple[float, float]]],
    breaks: Sequence[float] = (),
    limits: PathLimits = DEFAULT_LIMITS,
) -> CropPath:
    """The window of ``size`` following ``track`` ((time, subject centre) pairs, in time order)
    over ``duration`` seconds; at each of ``breaks`` it jumps instead of panning."""
    width, height = size
    axes = (
        _axis(picture.x, picture.w, width, limits),
        _axis(picture.y, picture.h, height, limits),
    )
    fallback = picture.centre
    bounds = [0.0, *sorted(b for b in set(breaks) if 0.0 < b < duration), duration]
    segments: list[CropSegment] = []
    jumps: list[float] = []
    for start, end in itertools.pairwise(bounds):
        part_track = _part_track(track, start, end, fallback)
        part = _follow_part(start, end, part_track, axes, size, limits.step)
        if segments and (segments[-1].x1, segments[-1].y1) != (part[0].x0, part[0].y0):
            jumps.append(start)
        segments.extend(part)
    return CropPath(width, height, tuple(_merged(segments)), tuple(jumps))


def _axis(origin: float, extent: float, window: int, limits: PathLimits) -> Axis:
    half = window / 2
    return Axis(
        low=origin + half,
        high=max(origin + half, origin + extent - half),
        dead_zone=limits.dead_zone * window,
        settle=limits.settle * window,
        max_speed=limits.max_speed * window,
        gain=limits.gain,
    )


def _part_track(
    track: Sequence[tuple[float, tuple[float, float]]],
    start: float,
    end: float,
    fallback: tuple[float, float],
) -> list[tuple[float, tuple[float, float]]]:
    """The track's samples in [start, end), de-noised; the nearest later (else earlier) one,
    or the picture's centre, when the part has none."""
    inside = [(t, c) for t, c in track if start <= t < end]
    if not inside:
        later = [c for t, c in track if t >= end]
        earlier = [c for t, c in track if t < start]
        centre = later[0] if later else earlier[-1] if earlier else fallback
        return [(start, centre)]
    xs = running_median([c[0] for _, c in inside])
    ys = running_median([c[1] for _, c in inside])
    return [(t, (x, y)) for (t, _), x, y in zip(inside, xs, ys, strict=True)]


def _follow_part(
    start: float,
    end: float,
    track: Sequence[tuple[float, tuple[float, float]]],
    axes: tuple[Axis, Axis],
    size: tuple[int, int],
    step: float,
) -> list[CropSegment]:
    times = _grid(start, end, step)
    targets = [_interpolate(track, t) for t in times]
    xs = follow(times, [t[0] for t in targets], axes[0])
    ys = follow(times, [t[1] for t in targets], axes[1])
    corners = [(x - size[0] / 2, y - size[1] / 2) for x, y in zip(xs, ys, strict=True)]
    if len(times) == 1:
        return [CropSegment(start, end, *corners[0], *corners[0])]
    return [
        CropSegment(t0, t1, *c0, *c1)
        for t0, t1, c0, c1 in zip(times, times[1:], corners, corners[1:], strict=False)
    ]


def _grid(start: float, end: float, step: float) -> list[float]:
    count = max(1, math.ceil((end - start) / step - 1e-9))
    return [start + i * (end - start) / count for i in range(count + 1)]


def _interpolate(
    track: Sequence[tuple[float, tuple[float, float]]], time: float
) -> tuple[float, float]:
    if time <= track[0][0]:
        return track[0][1]
    for (t0, c0), (t1, c1) in itertools.pairwise(track):
        if t0 <= time <= t1:
            share = (time - t0) / (t1 - t0) if t1 > t0 else 0.0
            return c0[0] + (c1[0] - c0[0]) * share, c0[1] + (c1[1] - c0[1]) * share
    return track[-1][1]


def _merged(segments: Sequence[CropSegment]) -> list[CropSegment]:
    """Runs of standing-still segments joined into one (fewer commands to render)."""
    merged: list[CropSegment] = []
    for segment in segments:
        last = merged[-1] if merged else None
        if (
            last is not None
            and _still(last)
            and _still(segment)
            and (last.x1, last.y1) == (segment.x0, segment.y0)
        ):
            merged[-1] = attrs.evolve(last, end=segment.end)
        else:
            merged.append(segment)
    return merged


def _still(segment: CropSegment) -> bool:
    return (segment.x0, segment.y0) == (segment.x1, segment.y1)


def _even(value: float) -> int:
    return max(2, int(value) // 2 * 2)
