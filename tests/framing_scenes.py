"""Generated video for the framing tests and figures: a real face photograph (scikit-image's
``data.astronaut()``, inside its wheel) moved over made-up backgrounds, encoded by FFmpeg.

Every scene is drawn with numpy (and OpenCV for resizing) and piped into ``ffmpeg`` as raw RGB;
nothing is committed and nothing downloads.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
import cv2
import numpy as np
from skimage import data

from clipnet.adapters.ffmpeg.runner import find_ffmpeg

#: The astronaut's head in ``data.astronaut()`` (x, y, w, h): the face itself is at about
#: (177, 66, 95, 95) in that 512x512 photograph.
HEAD = (120, 10, 210, 250)
#: Rows at the top of a scene that hold a grey ramp across the width: the crop's left edge can
#: be read back from an output frame's mean there.
RAMP_ROWS = 24


def head(height: int) -> np.ndarray:
    """The astronaut's head and shoulders, RGB, ``height`` pixels tall."""
    x, y, w, h = HEAD
    crop = data.astronaut()[y : y + h, x : x + w]
    width = round(w * height / h)
    return cv2.resize(crop, (width, height), interpolation=cv2.INTER_AREA)


def encode(path: Path, frames: Iterator[np.ndarray], size: tuple[int, int], fps: int) -> Path:
    """Raw RGB frames into an H.264 MP4 (no audio), with ffmpeg."""
    width, height = size
    command = [
        find_ffmpeg(), "-hide_banner", "-loglevel", "error", "-y",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-r", str(fps),
        "-i", "-", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18",
        "-pix_fmt", "yuv420p", str(path),
    ]  # fmt: skip
    with subprocess.Popen(command, stdin=subprocess.PIPE) as process:
        assert process.stdin is not None
        for frame in frames:
            process.stdin.write(np.ascontiguousarray(frame, dtype=np.uint8).tobytes())
        process.stdin.close()
        assert process.wait(timeout=300) == 0
    return path


def paste(canvas: np.ndarray, sprite: np.ndarray, x: int, y: int) -> None:
    h, w = sprite.shape[:2]
    canvas[y : y + h, x : x + w] = sprite


@attrs.frozen
class MovingFace:
    """A face gliding left to right over a still, textured room; at ``cut`` the scene changes
    (another background) and the face jumps back to the left and glides on."""

    size: tuple[int, int] = (960, 540)
    fps: int = 24
    seconds: float = 8.0
    cut: float = 5.1
    head_height: int = 220
    path_x: tuple[float, float] = (0.22, 0.78)
    """The face centre's start and end, as shares of the width (before the cut)."""

    def centre_at(self, time: float) -> tuple[float, float]:
        width, height = self.size
        start, end = self.path_x
        if time < self.cut:
            share = start + (end - start) * time / self.cut
        else:
            share = start + (end - start) * 0.5 * (time - self.cut) / (self.seconds - self.cut)
        return share * width, height * 0.5

    def frames(self) -> Iterator[np.ndarray]:
        sprite = head(self.head_height)
        rooms = (_room(self.size, 1, 70), _room(self.size, 2, 170))
        for index in range(round(self.seconds * self.fps)):
            time = index / self.fps
            frame = rooms[time >= self.cut].copy()
            cx, cy = self.centre_at(time)
            paste(frame, sprite, int(cx - sprite.shape[1] / 2), int(cy - sprite.shape[0] / 2))
            yield frame

    def write(self, path: Path) -> Path:
        return encode(path, self.frames(), self.size, self.fps)


@attrs.frozen
class Letterboxed:
    """A 2.35:1 picture (a moving, bright pattern and the face) inside a 16:9 frame with black
    bars above and below."""

    size: tuple[int, int] = (960, 540)
    fps: int = 24
    seconds: float = 3.0

    @property
    def bar(self) -> int:
        width, height = self.size
        return (height - round(width / 2.35)) // 2

    def frames(self) -> Iterator[np.ndarray]:
        width, height = self.size
        inner = height - 2 * self.bar
        sprite = head(int(inner * 0.8))
        for index in range(round(self.seconds * self.fps)):
            frame = np.zeros((height, width, 3), np.uint8)
            picture = _room((width, inner), 3, 120, ramp=False)
            picture = np.roll(picture, index * 4, axis=1)
            paste(picture, sprite, width // 3, inner // 10)
            frame[self.bar : self.bar + inner] = picture
            yield frame

    def write(self, path: Path) -> Path:
        return encode(path, self.frames(), self.size, self.fps)


@attrs.frozen
class GameplayWithFaceCam:
    """Gameplay that never stands still (noise and moving shapes) with a webcam overlay at
    ``cam`` (x, y, w, h in pixels): a still room with the astronaut in it, who moves a little."""

    size: tuple[int, int] = (960, 540)
    fps: int = 24
    seconds: float = 4.0
    cam: tuple[int, int, int, int] = (648, 24, 288, 216)

    def frames(self) -> Iterator[np.ndarray]:
        width, height = self.size
        x, y, w, h = self.cam
        rng = np.random.default_rng(7)
        room = _room((w, h), 4, 110)
        sprite = head(int(h * 0.85))
        for index in range(round(self.seconds * self.fps)):
            frame = _gameplay(rng, width, height, index)
            cam = room.copy()
            sway = round(4 * np.sin(index / 5))
            paste(cam, sprite, (w - sprite.shape[1]) // 2 + sway, h - sprite.shape[0])
            noise = rng.normal(0, 2, cam.shape)
            frame[y : y + h, x : x + w] = np.clip(cam + noise, 0, 255).astype(np.uint8)
            yield frame

    def write(self, path: Path) -> Path:
        return encode(path, self.frames(), self.size, self.fps)


def _room(size: tuple[int, int], seed: int, level: int, *, ramp: bool = True) -> np.ndarray:
    """A still, softly textured background with a grey ramp across the top rows."""
    width, height = size
    rng = np.random.default_rng(seed)
    texture = rng.normal(level, 18, (height // 8 + 1, width // 8 + 1, 3))
    room = cv2.resize(texture, (width, height), interpolation=cv2.INTER_LINEAR)
    room = np.clip(room, 0, 255).astype(np.uint8)
    if ramp:
        room[:RAMP_ROWS] = np.linspace(0, 255, width)[None, :, None].astype(np.uint8)
    return room


def _gameplay(rng: np.random.Generator, width: int, height: int, index: int) -> np.ndarray:
    frame = rng.integers(0, 256, (height // 6, width // 6, 3), dtype=np.uint8)
    frame = cv2.resize(frame, (width, height), interpolation=cv2.INTER_NEAREST)
    for k in range(6):
        cx = int((index * (7 + 3 * k) + 150 * k) % width)
        cy = int((index * (5 + 2 * k) + 90 * k) % height)
        colour = (int(40 * k) % 256, 255 - 30 * k, (90 * k) % 256)
        cv2.circle(frame, (cx, cy), 40 + 6 * k, colour, -1)
    return frame


Scene = Callable[[Path], Path]
