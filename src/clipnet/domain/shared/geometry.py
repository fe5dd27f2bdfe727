"""Rectangles in a picture, in pixels: a source frame's (framing: faces, crops, the face
cam) or an output frame's (captions' safe area and block). One ``Box`` for both; the
coordinates are floats, and whole-pixel users round where they draw."""

from __future__ import annotations

import attrs


@attrs.frozen
class Box:
    """An axis-aligned rectangle: left ``x``, top ``y``, width ``w`` and height ``h``."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def centre(self) -> tuple[float, float]:
        return self.x + self.w / 2, self.y + self.h / 2

    @property
    def area(self) -> float:
        return self.w * self.h

    def overlaps(self, other: Box) -> bool:
        return (
            self.x < other.right
            and other.x < self.right
            and self.y < other.bottom
            and other.y < self.bottom
        )

    def contains(self, other: Box) -> bool:
        return (
            self.x <= other.x
            and self.y <= other.y
            and other.right <= self.right
            and other.bottom <= self.bottom
        )

    def union(self, other: Box) -> Box:
        x, y = min(self.x, other.x), min(self.y, other.y)
        return Box(x, y, max(self.right, other.right) - x, max(self.bottom, other.bottom) - y)

    def intersection(self, other: Box) -> Box | None:
        x, y = max(self.x, other.x), max(self.y, other.y)
        w, h = min(self.right, other.right) - x, min(self.bottom, other.bottom) - y
        return Box(x, y, w, h) if w > 0 and h > 0 else None

    def fractions_of(self, width: float, height: float) -> tuple[float, float, float, float]:
        return self.x / width, self.y / height, self.w / width, self.h / height

    @classmethod
    def from_fractions(
        cls, box: tuple[float, float, float, float], width: float, height: float
    ) -> Box:
        fx, fy, fw, fh = box
        return cls(fx * width, fy * height, fw * width, fh * height)
