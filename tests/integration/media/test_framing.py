"""Framing on real media: a real face (scikit-image's astronaut photograph) moved over
generated scenes, encoded and polished with real FFmpeg, and looked at in the output frames
with OpenCV's face detector."""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

import attrs
import cv2
import numpy as np
import pytest

from clipnet.adapters.ffmpeg import FfmpegMediaProcessor
from clipnet.adapters.opencv import OpencvSubjectScanner
from clipnet.domain.framing.model import Framing
from clipnet.domain.framing.path import PathLimits, crop_size
from clipnet.domain.framing.service import SPLIT_TOP_SHARE, FramingService
from clipnet.domain.highlights.templates import Template, TemplateCatalogue
from clipnet.domain.shared.spans import TimeSpan
from tests.framing_scenes import RAMP_ROWS, GameplayWithFaceCam, Letterboxed, MovingFace
from tests.integration.media.conftest import ffmpeg_binary

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]

OUT_W, OUT_H = 270, 480
TEMPLATES = TemplateCatalogue()
_FACES = cv2.CascadeClassifier(
    cv2.data.haarcascades + "haarcascade_frontalface_default.xml"  # type: ignore[attr-defined]
)


def small(name: str) -> Template:
    return attrs.evolve(TEMPLATES.get(name), width=OUT_W, height=OUT_H)


def planner(processor: FfmpegMediaProcessor) -> FramingService:
    return FramingService(OpencvSubjectScanner(processor))


def polished(
    processor: FfmpegMediaProcessor, source: Path, seconds: float, name: str, out: Path
) -> tuple[Path, Framing]:
    span = TimeSpan(0.0, seconds)
    framing = planner(processor).plan(source, span, small(name))
    return processor.polish(source, span, small(name), out, framing=framing), framing


def decoded(path: Path, size: tuple[int, int] = (OUT_W, OUT_H)) -> np.ndarray:
    """Every frame of ``path`` as RGB, read by ffmpeg (not by the code under test)."""
    command = [ffmpeg_binary(), "-v", "error", "-i", str(path), "-f", "rawvideo"]
    command += ["-pix_fmt", "rgb24", "-"]
    raw = subprocess.run(command, check=True, capture_output=True, timeout=120).stdout
    width, height = size
    return np.frombuffer(raw, np.uint8).reshape(-1, height, width, 3)


def face_centres(frame: np.ndarray) -> list[tuple[float, float]]:
    grey = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
    found = _FACES.detectMultiScale(grey, scaleFactor=1.1, minNeighbors=5, minSize=(40, 40))
    return [(x + w / 2, y + h / 2) for x, y, w, h in found]


def test_the_reframed_face_stays_in_the_middle_third_and_the_crop_pans_within_its_limit(
    processor: FfmpegMediaProcessor, tmp_path: Path
) -> None:
    # given: the face glides across a 960x540 frame; at 5.1 s the scene cuts and it jumps back
    scene = MovingFace()
    source = scene.write(tmp_path / "moving.mp4")
    # when
    out, framing = polished(processor, source, scene.seconds, "reframe", tmp_path / "out.mp4")
    frames = decoded(out)
    # then: the face is in the middle third of the 9:16 picture
    sampled = frames[::2]
    centred = [any(OUT_W / 3 <= cx <= 2 * OUT_W / 3 for cx, _ in face_centres(f)) for f in sampled]
    assert sum(centred) >= 0.95 * len(sampled), f"{sum(centred)} of {len(sampled)} centred"
    # and: the crop's left edge (read from the ramp across the source's top rows) moves at
    # most the pan-speed limit a frame, steadily one way, and jumps once, at the cut
    width = scene.size[0]
    crop_w = crop_size(framing.picture, OUT_W / OUT_H)[0]
    rows = frames[:, 2 : RAMP_ROWS * OUT_H // scene.size[1] - 2].astype(float)
    lefts = rows.mean(axis=(1, 2, 3)) * (width - 1) / 255 - (crop_w - 1) / 2
    steps = np.diff(lefts)
    limit = PathLimits().max_speed * crop_w / scene.fps
    cut_frame = round(scene.cut * scene.fps)
    big = [i + 1 for i, step in enumerate(steps) if abs(step) > limit + 1.5]
    assert big and all(abs(frame - cut_frame) <= 1 for frame in big), big
    assert len(big) == 1 and steps[big[0] - 1] < -100  # one clean jump back to the left
    before_cut = steps[: cut_frame - 2]
    assert all(step > -1.5 for step in before_cut)  # never back and forth (no jitter)


def test_a_letterboxed_picture_leaves_no_black_band_in_the_output(
    processor: FfmpegMediaProcessor, tmp_path: Path
) -> None:
    # given: a 2.35:1 picture inside a 16:9 frame with black bars above and below
    scene = Letterboxed()
    source = scene.write(tmp_path / "letterboxed.mp4")
    band = max(1, OUT_H // 20)
    for name in ("reframe", "center-crop"):
        # when
        out, framing = polished(processor, source, scene.seconds, name, tmp_path / f"{name}.mp4")
        frames = decoded(out)
        # then: cropdetect found the bars, and the top and bottom 5% of every frame are picture
        assert framing.picture.y == pytest.approx(scene.bar, abs=2)
        rows = frames.mean(axis=(2, 3))
        assert rows[:, :band].min() > 40 and rows[:, -band:].min() > 40, name
    # and: without the framing (the whole frame, bars and all) the same test sees black bands
    plain = processor.polish(
        source, TimeSpan(0, scene.seconds), small("center-crop"), tmp_path / "plain.mp4"
    )
    assert decoded(plain).mean(axis=(2, 3))[:, :band].max() < 20


@pytest.mark.parametrize("cam", [(648, 24, 288, 216), (16, 300, 320, 224)])
def test_the_face_cam_over_moving_gameplay_is_found_within_5_percent(
    cam: tuple[int, int, int, int], processor: FfmpegMediaProcessor, tmp_path: Path
) -> None:
    # given: a webcam overlay (the astronaut in a still room) over gameplay that keeps moving
    scene = GameplayWithFaceCam(cam=cam)
    source = scene.write(tmp_path / "stream.mp4")
    # when
    found = (
        OpencvSubjectScanner(processor)
        .scan(source, TimeSpan(0.0, scene.seconds), faces=False, face_cam=True)
        .face_cam
    )
    # then
    assert found is not None
    x, y, w, h = cam
    assert abs(found.x - x) <= 0.05 * w and abs(found.right - (x + w)) <= 0.05 * w
    assert abs(found.y - y) <= 0.05 * h and abs(found.bottom - (y + h)) <= 0.05 * h


def test_split_puts_the_detected_face_cam_on_top(
    processor: FfmpegMediaProcessor, tmp_path: Path
) -> None:
    scene = GameplayWithFaceCam()
    source = scene.write(tmp_path / "stream.mp4")
    out, framing = polished(processor, source, scene.seconds, "split", tmp_path / "split.mp4")
    assert framing.face_cam is not None
    top = int(OUT_H * SPLIT_TOP_SHARE)
    frames = decoded(out)[::6]
    with_face = [any(cy < top for _, cy in face_centres(f)) for f in frames]
    assert all(with_face)
    # the hard-coded top-left box of before shows gameplay only
    plain = processor.polish(
        source, TimeSpan(0, scene.seconds), small("split"), tmp_path / "plain.mp4"
    )
    assert not any(cy < top for f in decoded(plain)[::6] for _, cy in face_centres(f))


def test_the_crop_path_of_a_still_face_stands_still(
    processor: FfmpegMediaProcessor, tmp_path: Path
) -> None:
    scene = MovingFace(path_x=(0.3, 0.3), cut=100.0, seconds=3.0)
    source = scene.write(tmp_path / "still.mp4")
    framing = planner(processor).plan(source, TimeSpan(0, scene.seconds), small("reframe"))
    assert framing.crop is not None
    corners = {(s.x0, s.x1) for s in framing.crop.segments}
    assert len(set(itertools.chain.from_iterable(corners))) == 1
