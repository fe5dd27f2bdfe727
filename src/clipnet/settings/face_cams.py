"""``CLIPNET_FACE_CAMS``: where a source's webcam overlay is, when detection should not decide.

``CLIPNET_FACE_CAMS=mychannel=0.72,0.05,0.26,0.3;vod-0412.mp4=0,0.6,0.25,0.4`` gives, per source
(named by its channel, its title or its file name), the face cam's x, y, width and height as
fractions of the frame. The ``split`` layout uses such a box as it is.
"""

from __future__ import annotations

FaceCams = tuple[tuple[str, tuple[float, float, float, float]], ...]


def as_face_cams(raw: str) -> FaceCams:
    items = []
    for item in (part.strip() for part in raw.split(";")):
        if not item:
            continue
        name, eq, numbers = item.rpartition("=")
        name = name.strip()
        if not eq or not name:
            raise ValueError("expected NAME=X,Y,WIDTH,HEIGHT items separated by ';'")
        items.append((name, _box(name, numbers)))
    return tuple(items)


def _box(name: str, numbers: str) -> tuple[float, float, float, float]:
    try:
        x, y, w, h = (float(n) for n in numbers.split(","))
    except ValueError:
        raise ValueError(f"{name}: expected four numbers X,Y,WIDTH,HEIGHT") from None
    inside = 0 <= x < 1 and 0 <= y < 1 and 0 < w <= 1 - x + 1e-9 and 0 < h <= 1 - y + 1e-9
    if not inside:
        raise ValueError(f"{name}: the box must lie inside the frame (fractions 0-1)")
    return x, y, w, h
