"""Finding a stream's webcam overlay: a rectangle that stays still (or nearly: a person moves
in front of a still room) over gameplay that keeps changing, with a face inside.

Per pixel, the spread of its value over the sampled frames: gameplay spreads widely, the
overlay little. The still pixels are closed into regions, holes (the moving person) filled,
and the region around the face is trimmed to a rectangle.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from clipnet.domain.shared.geometry import Box

#: Gameplay must change at least this much (spread of grey levels) for the overlay to stand out.
MIN_GAMEPLAY_SPREAD = 12.0
#: A pixel is still when its spread is under this share of the gameplay's typical spread.
STILL_SHARE = 0.35
#: Faces must be seen in at least this share of the frames (the cam is always on).
MIN_FACE_SHARE = 0.3
#: A row or column belongs to the rectangle when this share of it is still.
FILL_SHARE = 0.6
#: The overlay's plausible size, as shares of the frame's area.
AREA_RANGE = (0.01, 0.5)


def find_face_cam(frames: np.ndarray, faces: Sequence[Sequence[Box]]) -> Box | None:
    """The overlay's rectangle in the frames' pixels, or None. ``frames``: (n, h, w) grey."""
    face = _steady_face(faces, len(frames))
    if face is None or len(frames) < 4:
        return None
    spread = frames.std(axis=0)
    gameplay = float(np.median(spread))
    if gameplay < MIN_GAMEPLAY_SPREAD:
        return None
    still = (spread < STILL_SHARE * gameplay).astype(np.uint8)
    region = _region_around(still, face)
    if region is None:
        return None
    box = _trimmed(region)
    height, width = frames.shape[1:]
    share = box.area / (width * height)
    cx, cy = face.centre
    inside = box.x <= cx <= box.right and box.y <= cy <= box.bottom
    return box if inside and AREA_RANGE[0] <= share <= AREA_RANGE[1] else None


def _steady_face(faces: Sequence[Sequence[Box]], frame_count: int) -> Box | None:
    """The face seen most often at one place (median of its sightings)."""
    seen = [box for boxes in faces for box in boxes]
    if not seen:
        return None

    def neighbours(box: Box) -> list[Box]:
        cx, cy = box.centre
        return [
            other
            for other in seen
            if abs(other.centre[0] - cx) < box.w and abs(other.centre[1] - cy) < box.h
        ]

    cluster = max((neighbours(box) for box in seen), key=len)
    if len(cluster) < MIN_FACE_SHARE * frame_count:
        return None
    return Box(*(float(np.median([getattr(b, k) for b in cluster])) for k in ("x", "y", "w", "h")))


def _region_around(still: np.ndarray, face: Box) -> np.ndarray | None:
    size = max(3, int(min(still.shape) / 40) | 1)
    kernel = np.ones((size, size), np.uint8)
    closed = cv2.morphologyEx(still, cv2.MORPH_CLOSE, kernel)
    opened = cv2.morphologyEx(closed, cv2.MORPH_OPEN, kernel)  # cuts thin bridges to still HUD
    filled = _holes_filled(opened)
    count, labels = cv2.connectedComponents(filled)
    cx, cy = (int(v) for v in face.centre)
    label = labels[min(cy, labels.shape[0] - 1), min(cx, labels.shape[1] - 1)]
    if count < 2 or label == 0:
        return None
    return np.asarray(labels == label)


def _holes_filled(mask: np.ndarray) -> np.ndarray:
    """Regions of 0 that do not reach the frame's edge become 1 (a moving face in the cam)."""
    padded = np.pad(mask, 1, constant_values=0).copy()
    flood = padded.copy()
    seed_mask = np.zeros((padded.shape[0] + 2, padded.shape[1] + 2), np.uint8)
    cv2.floodFill(flood, seed_mask, (0, 0), 1)
    holes = (flood == 0).astype(np.uint8)
    return np.asarray((padded | holes)[1:-1, 1:-1], dtype=np.uint8)


def _trimmed(region: np.ndarray) -> Box:
    """The region's bounding box less rows and columns that are mostly outside it."""
    ys, xs = np.nonzero(region)
    y0, y1, x0, x1 = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
    part = region[y0:y1, x0:x1]
    rows = np.nonzero(part.mean(axis=1) >= FILL_SHARE)[0]
    cols = np.nonzero(part.mean(axis=0) >= FILL_SHARE)[0]
    if len(rows) and len(cols):
        y0, y1 = y0 + int(rows[0]), y0 + int(rows[-1]) + 1
        x0, x1 = x0 + int(cols[0]), x0 + int(cols[-1]) + 1
    return Box(float(x0), float(y0), float(x1 - x0), float(y1 - y0))
