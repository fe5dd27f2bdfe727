"""The subject scanner contract, for the scripted scanner and OpenCV on generated video.

Any scanner reports span-relative times inside the span, in order; boxes inside the picture;
a face cam only when asked for; no faces when not asked for.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clipnet.adapters.ffmpeg import EncodeOptions, FfmpegMediaProcessor
from clipnet.adapters.memory.framing import ScriptedSubjectScanner
from clipnet.adapters.opencv import OpencvSubjectScanner
from clipnet.domain.framing.model import Face, FrameSample, SubjectScan
from clipnet.domain.shared.geometry import Box
from clipnet.domain.shared.spans import TimeSpan
from clipnet.ports.vision import SubjectScanner
from tests.conftest import require_service
from tests.framing_scenes import MovingFace

SCENE = MovingFace(seconds=3.0, cut=2.0)
SPAN = TimeSpan(0.5, 2.5)
SCANNERS = ["scripted", pytest.param("opencv", marks=pytest.mark.ffmpeg)]


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_service(shutil.which("ffmpeg") is not None, "ffmpeg")
    return SCENE.write(tmp_path_factory.mktemp("scanner-contract") / "moving.mp4")


def scripted() -> ScriptedSubjectScanner:
    width, height = SCENE.size
    faces = (Face(Box(100.0, 200.0, 80.0, 80.0)),)
    samples = tuple(FrameSample(i * 0.25, faces) for i in range(8))
    return ScriptedSubjectScanner(
        SubjectScan(width, height, Box(0.0, 0.0, width, height), samples, (1.5,))
    )


@pytest.fixture(params=SCANNERS)
def scanner(request: pytest.FixtureRequest) -> SubjectScanner:
    if request.param == "scripted":
        return scripted()
    return OpencvSubjectScanner(FfmpegMediaProcessor(encode=EncodeOptions(preset="ultrafast")))


def test_a_scan_reports_span_relative_times_in_order_and_boxes_in_the_picture(
    scanner: SubjectScanner, video: Path
) -> None:
    scan = scanner.scan(video, SPAN)
    assert (scan.width, scan.height) == SCENE.size
    whole = Box(0.0, 0.0, *SCENE.size)
    assert scan.picture.intersection(whole) == scan.picture
    times = [s.time for s in scan.samples]
    assert times and times == sorted(times)
    assert all(0.0 <= t <= SPAN.duration for t in [*times, *scan.cuts])
    faces = [face.box for sample in scan.samples for face in sample.faces]
    assert faces and all(whole.intersection(b) == b for b in faces)
    assert scan.face_cam is None  # not asked for


def test_a_scan_without_faces_reports_no_samples(scanner: SubjectScanner, video: Path) -> None:
    scan = scanner.scan(video, SPAN, faces=False)
    assert scan.samples == ()
