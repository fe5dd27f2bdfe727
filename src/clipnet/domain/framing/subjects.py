"""Who the crop follows, sample by sample.

- Faces that fit in the window together are framed together (the centre of all of them).
- Faces too far apart for one window: the crop stays on one person and switches to another
  only when that one is clearly the speaker (their mouth moves at least ``SPEAKER_MARGIN``
  times more than anyone else's) for ``SWITCH_HOLD`` seconds; a switch is a cut, not a pan.
  With nobody clearly speaking it keeps the person it has (at first, the largest face).
- No face: a face missed for under ``FACE_MEMORY`` seconds is held where it was (detectors
  blink); after that the centre of motion leads, else the window holds still.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from clipnet.domain.framing.model import Face, FrameSample
from clipnet.domain.shared.geometry import Box

FACE_MEMORY = 1.0
GROUP_SHARE = 0.9
SPEAKER_MARGIN = 1.5
MIN_MOUTH_MOTION = 0.02
SWITCH_HOLD = 1.0


@attrs.frozen
class Track:
    """The subject's centre at each sample that had one, and the times the subject changed."""

    points: tuple[tuple[float, tuple[float, float]], ...]
    switches: tuple[float, ...] = ()


def track_subject(
    samples: Sequence[FrameSample], window_width: float, cuts: Sequence[float] = ()
) -> Track:
    """Follow one subject through ``samples`` (in time order) for a window this wide."""
    follower = _Follower(window_width)
    points: list[tuple[float, tuple[float, float]]] = []
    pending_cuts = sorted(cuts)
    for sample in samples:
        while pending_cuts and pending_cuts[0] <= sample.time:
            pending_cuts.pop(0)
            follower.forget()
        centre = follower.see(sample)
        if centre is not None:
            points.append((sample.time, centre))
    return Track(tuple(points), tuple(follower.switches))


class _Follower:
    def __init__(self, window_width: float) -> None:
        self.window_width = window_width
        self.current: tuple[float, float] | None = None
        self.last_face_at: float | None = None
        self.candidate: tuple[float, tuple[float, float]] | None = None
        self.switches: list[float] = []

    def forget(self) -> None:
        """A scene cut: whoever is on screen now is chosen afresh."""
        self.current, self.last_face_at, self.candidate = None, None, None

    def see(self, sample: FrameSample) -> tuple[float, float] | None:
        if sample.faces:
            self.last_face_at = sample.time
            self.current = self._choose(sample.time, sample.faces)
            return self.current
        if self.last_face_at is not None and sample.time - self.last_face_at < FACE_MEMORY:
            return None  # held where it was
        self.current = None
        return sample.motion_centre

    def _choose(self, time: float, faces: Sequence[Face]) -> tuple[float, float]:
        together = _union(face.box for face in faces)
        if together.w <= GROUP_SHARE * self.window_width:
            self.candidate = None
            return together.centre
        kept = self._nearest(faces)
        speaker = _speaker(faces)
        if speaker is None or _near(speaker.box.centre, kept.box.centre, self.window_width):
            self.candidate = None
            return kept.box.centre
        if self.candidate is None or not _near(
            self.candidate[1], speaker.box.centre, self.window_width
        ):
            self.candidate = (time, speaker.box.centre)
        if time - self.candidate[0] >= SWITCH_HOLD:
            self.candidate = None
            self.switches.append(time)
            return speaker.box.centre
        return kept.box.centre

    def _nearest(self, faces: Sequence[Face]) -> Face:
        if self.current is None:
            return max(faces, key=lambda face: face.box.area)
        cx, cy = self.current
        return min(faces, key=lambda f: abs(f.box.centre[0] - cx) + abs(f.box.centre[1] - cy))


def _speaker(faces: Sequence[Face]) -> Face | None:
    """The face that is clearly talking, if one is."""
    ranked = sorted(faces, key=lambda face: face.mouth_motion, reverse=True)
    best, others = ranked[0], ranked[1:]
    if best.mouth_motion < MIN_MOUTH_MOTION:
        return None
    if others and best.mouth_motion < SPEAKER_MARGIN * others[0].mouth_motion:
        return None
    return best


def _near(a: tuple[float, float], b: tuple[float, float], window_width: float) -> bool:
    return abs(a[0] - b[0]) < window_width / 2 and abs(a[1] - b[1]) < window_width / 2


def _union(boxes: Iterable[Box]) -> Box:
    iterator = iter(boxes)
    union = next(iterator)
    for box in iterator:
        union = union.union(box)
    return union
