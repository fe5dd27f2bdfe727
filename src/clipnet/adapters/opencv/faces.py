"""Face detection with OpenCV's frontal-face Haar cascade (an XML file inside the
opencv-python-headless wheel: loaded from disk, nothing downloads)."""

from __future__ import annotations

from functools import cache
from typing import Any

import cv2
import numpy as np

from clipnet.domain.framing.model import Face
from clipnet.domain.shared.geometry import Box

CASCADE = "haarcascade_frontalface_default.xml"
#: Smallest face searched for, as a share of the (scan-sized) frame's height.
MIN_FACE_SHARE = 1 / 18
#: Cascade neighbours needed to accept a face: higher is fewer false faces.
MIN_NEIGHBOURS = 5
#: Each level of the detector's image pyramid is this much smaller than the one before.
#: 1.15 or 1.2 cost 25% or 40% less but lost faces a tenth to an eighth of the frame's height
#: in 30-70% of the samples where 1.1 found them.
SCALE_STEP = 1.1


@cache
def _cascade() -> Any:
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + CASCADE)  # type: ignore[attr-defined]
    if cascade.empty():  # pragma: no cover - a broken install
        raise RuntimeError(f"OpenCV could not load its {CASCADE}")
    return cascade


def detect_faces(frame: np.ndarray) -> list[Box]:
    """Faces in one grey frame, in that frame's pixels."""
    smallest = max(20, int(frame.shape[0] * MIN_FACE_SHARE))
    found = _cascade().detectMultiScale(
        frame, scaleFactor=SCALE_STEP, minNeighbors=MIN_NEIGHBOURS, minSize=(smallest, smallest)
    )
    return [Box(float(x), float(y), float(w), float(h)) for x, y, w, h in found]


def mouth_motion(frame: np.ndarray, previous: np.ndarray | None, box: Box) -> float:
    """How much more the mouth changed than the eyes since ``previous`` (0-1): talking moves
    the lower face, a moving head moves all of it."""
    if previous is None:
        return 0.0
    mouth = _region(box, 0.65, 0.95)
    eyes = _region(box, 0.2, 0.5)
    return max(0.0, _change(frame, previous, mouth) - _change(frame, previous, eyes))


def _region(box: Box, top: float, bottom: float) -> tuple[int, int, int, int]:
    x0 = int(box.x + box.w * 0.25)
    x1 = int(box.x + box.w * 0.75)
    return x0, int(box.y + box.h * top), max(x0 + 1, x1), int(box.y + box.h * bottom) + 1


def _change(frame: np.ndarray, previous: np.ndarray, region: tuple[int, int, int, int]) -> float:
    x0, y0, x1, y1 = region
    now = frame[y0:y1, x0:x1].astype(np.int16)
    before = previous[y0:y1, x0:x1].astype(np.int16)
    if now.size == 0:
        return 0.0
    return float(np.abs(now - before).mean()) / 255.0


def with_motion(frame: np.ndarray, previous: np.ndarray | None, boxes: list[Box]) -> list[Face]:
    return [Face(box, round(mouth_motion(frame, previous, box), 4)) for box in boxes]
