"""OpencvSubjectScanner: one FFmpeg decode of a clip's span, a few frames a second looked at
by OpenCV.

The decode feeds three branches: the frames sampled ``SCAN_FPS`` times a second go through
FFmpeg's ``cropdetect`` (letterbox and pillarbox bars) at full size and are then shrunk to
``SCAN_SIZE`` grey for the face detector, the motion centre and the face-cam finder; every
frame, shrunk to 64x36, finds the scene cuts to the frame. Only the span is decoded, and only
when a clip is polished, so a long source's analysis pays nothing for framing. The face
detector, the costliest part, runs on every other sample and wherever those disagree
(:mod:`clipnet.adapters.opencv.sparse`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ffmpeg
import numpy as np

from clipnet.adapters.ffmpeg.analysis import SCENE_THRESHOLD, read_metadata
from clipnet.adapters.ffmpeg.processor import FfmpegMediaProcessor
from clipnet.adapters.ffmpeg.runner import run
from clipnet.adapters.ffmpeg.safety import checked_file, ffmpeg_url, input_options
from clipnet.adapters.opencv.facecam import find_face_cam
from clipnet.adapters.opencv.faces import detect_faces, with_motion
from clipnet.adapters.opencv.sparse import sparse_faces
from clipnet.domain.framing.model import Face, FrameSample, SubjectScan
from clipnet.domain.shared.geometry import Box
from clipnet.domain.shared.scratch import scratch_folder
from clipnet.domain.shared.spans import TimeSpan

#: Frames looked at per second (fewer for long spans: at most MAX_SAMPLES in all).
SCAN_FPS = 4.0
MAX_SAMPLES = 480
#: The longer side of the frames the detectors see, pixels.
SCAN_SIZE = 480
CUT_SIZE = (64, 36)
#: cropdetect: grey levels up to this are black; bars must be this share of a side at least.
BLACK_LEVEL = 24
MIN_BAR_SHARE = 0.01
MIN_PICTURE_SHARE = 0.4
#: A pixel changed by more than this many grey levels counts as motion.
MOTION_LEVEL = 25
#: Share of changed pixels for a motion centre: enough to mean something, not a whole cut.
MOTION_SHARE = (0.005, 0.5)
_CROP_KEYS = ("x", "y", "w", "h")
#: The decoder skips its deblocking filter on frames no other frame predicts from (about 8% of
#: an H.264 decode's CPU): every other frame decodes exactly, so nothing builds up over a GOP
#: as skipping it everywhere does. 0.02 grey levels on average at SCAN_SIZE on the bench
#: source; the same cuts, bars and faces.
DECODE_OPTIONS = {"skip_loop_filter": "noref"}


class OpencvSubjectScanner:
    """Implements :class:`clipnet.ports.vision.SubjectScanner` with FFmpeg and OpenCV."""

    def __init__(self, media: FfmpegMediaProcessor) -> None:
        self._media = media

    def scan(
        self, path: Path, span: TimeSpan, *, faces: bool = True, face_cam: bool = False
    ) -> SubjectScan:
        info = self._media.probe(path)
        width, height = info.display_size
        span = span.clamp_to(info.duration)
        fps = min(SCAN_FPS, MAX_SAMPLES / max(span.duration, 1e-3))
        scale = SCAN_SIZE / max(width, height)
        small = (_even(width * scale), _even(height * scale))
        with scratch_folder("scan", self._media.temp_dir) as scratch:
            self._decode(path, span, fps, small, scratch)
            frames = _frames(scratch / "frames.gray", small)
            tiny = _frames(scratch / "cuts.gray", CUT_SIZE)
            crop = (scratch / "crop.txt").read_text(errors="replace")
        picture = _picture(crop, width, height)
        cuts = tuple(_cuts(tiny, info.fps))
        samples: tuple[FrameSample, ...] = ()
        found_cam = None
        if faces or face_cam:
            boxes = sparse_faces(frames, detect_faces, [cut * fps for cut in cuts])
            if faces:
                samples = tuple(_samples(frames, boxes, fps, 1 / scale))
            if face_cam:
                cam = find_face_cam(frames, boxes)
                found_cam = None if cam is None else _scaled(cam, 1 / scale)
        return SubjectScan(
            width=width,
            height=height,
            picture=picture,
            samples=samples,
            cuts=cuts,
            face_cam=found_cam,
        )

    def _decode(
        self, path: Path, span: TimeSpan, fps: float, small: tuple[int, int], scratch: Path
    ) -> None:
        source = checked_file(path, self._media.limits)
        stream = ffmpeg.input(
            ffmpeg_url(source),
            ss=f"{span.start:.3f}",
            t=f"{span.duration:.3f}",
            **DECODE_OPTIONS,
            **input_options(),
        )
        split = stream.video.filter_multi_output("split", 2)
        sampled = (
            split[0]
            .filter("fps", f"{fps:.4f}")
            .filter("cropdetect", limit=BLACK_LEVEL, round=2, reset=0)
            .filter("metadata", mode="print", file=str(scratch / "crop.txt"))
            .filter("scale", small[0], small[1], flags="area")
            .filter("format", "gray")
        )
        cuts = (
            split[1]
            .filter("scale", CUT_SIZE[0], CUT_SIZE[1], flags="fast_bilinear")
            .filter("format", "gray")
        )
        outputs = ffmpeg.merge_outputs(
            sampled.output(f"file:{scratch / 'frames.gray'}", format="rawvideo"),
            cuts.output(f"file:{scratch / 'cuts.gray'}", format="rawvideo"),
        )
        args = outputs.global_args("-hide_banner", "-nostats", "-loglevel", "error")
        command: Any = args.overwrite_output().compile(cmd=self._media.binary)
        run(list(command), timeout=self._media.timeout, subject=path)


def _frames(file: Path, size: tuple[int, int]) -> np.ndarray:
    width, height = size
    data = np.fromfile(file, dtype=np.uint8) if file.exists() else np.zeros(0, np.uint8)
    count = data.size // (width * height)
    return data[: count * width * height].reshape(count, height, width)


def _picture(cropdetect: str, width: int, height: int) -> Box:
    """The frame less its bars, from cropdetect's last (accumulated) report."""
    whole = Box(0.0, 0.0, float(width), float(height))
    found = {k: read_metadata(cropdetect, f"lavfi.cropdetect.{k}") for k in _CROP_KEYS}
    if not all(found.values()):
        return whole
    x, y, w, h = (found[k][-1][1] for k in _CROP_KEYS)
    if w < MIN_PICTURE_SHARE * width or h < MIN_PICTURE_SHARE * height:
        return whole  # a dark span, not bars
    if w > (1 - MIN_BAR_SHARE) * width:
        x, w = 0.0, float(width)
    if h > (1 - MIN_BAR_SHARE) * height:
        y, h = 0.0, float(height)
    return Box(x, y, w, h)


def _samples(
    frames: np.ndarray, boxes: list[list[Box]], fps: float, back: float
) -> list[FrameSample]:
    samples = []
    previous: np.ndarray | None = None
    for index, (frame, found) in enumerate(zip(frames, boxes, strict=True)):
        faces = tuple(
            Face(_scaled(face.box, back), face.mouth_motion)
            for face in with_motion(frame, previous, found)
        )
        centre = _motion_centre(frame, previous)
        samples.append(
            FrameSample(
                time=round(index / fps, 4),
                faces=faces,
                motion_centre=None if centre is None else (centre[0] * back, centre[1] * back),
            )
        )
        previous = frame
    return samples


def _motion_centre(frame: np.ndarray, previous: np.ndarray | None) -> tuple[float, float] | None:
    if previous is None:
        return None
    changed = np.abs(frame.astype(np.int16) - previous.astype(np.int16)) > MOTION_LEVEL
    share = float(changed.mean())
    if not MOTION_SHARE[0] <= share <= MOTION_SHARE[1]:
        return None
    ys, xs = np.nonzero(changed)
    return float(xs.mean()), float(ys.mean())


def _cuts(tiny: np.ndarray, fps: float) -> list[float]:
    """Times where the picture changes at once (the analysis pass's scene rule, every frame)."""
    if len(tiny) < 2 or fps <= 0:
        return []
    frames = tiny.astype(np.int16)
    differences = np.abs(np.diff(frames, axis=0)).mean(axis=(1, 2)) / 255.0
    cuts, previous = [], 0.0
    for index, difference in enumerate(differences, start=1):
        if min(difference, abs(difference - previous)) >= SCENE_THRESHOLD:
            cuts.append(round(index / fps, 3))
        previous = float(difference)
    return cuts


def _scaled(box: Box, factor: float) -> Box:
    return Box(box.x * factor, box.y * factor, box.w * factor, box.h * factor)


def _even(value: float) -> int:
    return max(2, int(value) // 2 * 2)
