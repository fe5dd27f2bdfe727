"""What a span shows (the scanner's report) and how it is framed (the plan a renderer draws)."""

from __future__ import annotations

import bisect

import attrs

from clipnet.domain.shared.geometry import Box


@attrs.frozen
class Face:
    """One face the detector found in one sampled frame."""

    box: Box
    mouth_motion: float = 0.0
    """How much the lower third of the face changed since the previous sample, 0-1 (talking)."""


@attrs.frozen
class FrameSample:
    """One analysed frame of the span."""

    time: float
    """Seconds from the start of the span."""
    faces: tuple[Face, ...] = ()
    motion_centre: tuple[float, float] | None = None
    """The centre of strong frame-to-frame change (the fallback subject), if there was any."""


@attrs.frozen
class SubjectScan:
    """What a scanner saw in a span: sampled frames, cuts, bars and a webcam overlay."""

    width: int
    height: int
    """The source picture's display size."""
    picture: Box
    """The active picture: the frame less any letterbox or pillarbox bars."""
    samples: tuple[FrameSample, ...] = ()
    cuts: tuple[float, ...] = ()
    """Scene cuts, seconds from the start of the span."""
    face_cam: Box | None = None
    """A webcam overlay (a stable rectangle with a face over changing video), if one was asked
    for and found."""


@attrs.frozen
class CropSegment:
    """The crop window's top-left corner moving linearly from (x0, y0) to (x1, y1)."""

    start: float
    end: float
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def duration(self) -> float:
        return self.end - self.start

    def at(self, time: float) -> tuple[float, float]:
        share = (
            0.0 if self.duration <= 0 else min(1.0, max(0.0, (time - self.start) / self.duration))
        )
        return self.x0 + (self.x1 - self.x0) * share, self.y0 + (self.y1 - self.y0) * share

    @property
    def speed(self) -> float:
        """Pixels per second along the larger axis."""
        if self.duration <= 0:
            return 0.0
        return max(abs(self.x1 - self.x0), abs(self.y1 - self.y0)) / self.duration


@attrs.frozen
class CropPath:
    """A crop window of fixed size whose position follows the subject over the span."""

    width: int
    height: int
    segments: tuple[CropSegment, ...]
    """Consecutive, in time order; where one ends somewhere other than where the next starts,
    the path jumps (a scene cut or a switch of speaker)."""
    jumps: tuple[float, ...] = ()

    def at(self, time: float) -> tuple[float, float]:
        starts = [segment.start for segment in self.segments]
        index = max(0, bisect.bisect_right(starts, time) - 1)
        return self.segments[index].at(time)


@attrs.frozen
class Framing:
    """How one clip is framed; a renderer draws it, the captions keep clear of its faces."""

    picture: Box
    """The part of the source picture to use (bars removed)."""
    crop: CropPath | None = None
    """For ``reframe``: the moving window inside ``picture``."""
    face_cam: Box | None = None
    """For ``split``: the webcam rectangle (found, or set per source)."""
    face_area: tuple[float, float, float, float] | None = None
    """Where faces appear in the output frame, as fractions of its size (x, y, w, h): the
    captions' safe area stays clear of it. None when no face was seen."""
