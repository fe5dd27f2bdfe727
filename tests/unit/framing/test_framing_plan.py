"""Whom the crop follows, and the plan per layout (on a scripted scanner)."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from clipnet.adapters.memory.framing import ScriptedSubjectScanner
from clipnet.domain.framing.model import Face, FrameSample, SubjectScan
from clipnet.domain.framing.service import SPLIT_TOP_SHARE, FramingService
from clipnet.domain.framing.subjects import SWITCH_HOLD, track_subject
from clipnet.domain.highlights.templates import DEFAULT_TEMPLATES, TemplateCatalogue
from clipnet.domain.shared.geometry import Box
from clipnet.domain.shared.spans import TimeSpan
from clipnet.settings.face_cams import as_face_cams

CATALOGUE = TemplateCatalogue()
WINDOW = 606.0


def face(cx: float, mouth: float = 0.0, size: float = 120.0) -> Face:
    return Face(Box(cx - size / 2, 400.0, size, size), mouth)


def samples(*frames: tuple[Face, ...], step: float = 0.25) -> list[FrameSample]:
    return [FrameSample(i * step, faces) for i, faces in enumerate(frames)]


def test_reframe_is_the_default_template():
    assert CATALOGUE.default.name == "reframe"


def test_faces_that_fit_in_the_window_are_framed_together():
    track = track_subject(samples((face(800), face(1100))), WINDOW)
    assert track.points[0][1][0] == pytest.approx(950.0)


def test_far_apart_the_crop_switches_to_whoever_clearly_speaks_after_a_hold():
    quiet = (face(300, 0.0, size=140), face(1600, 0.0))
    talking = (face(300, 0.0, size=140), face(1600, 0.2))
    frames = [quiet] * 4 + [talking] * 8
    track = track_subject(samples(*frames), WINDOW)
    xs = [centre[0] for _, centre in track.points]
    assert xs[:4] == [300.0] * 4  # the largest face first
    switch = track.switches[0]
    assert switch == pytest.approx(1.0 + SWITCH_HOLD)
    assert all(x == 1600.0 for (t, (x, _)) in track.points if t >= switch)
    assert all(x == 300.0 for (t, (x, _)) in track.points if t < switch)


def test_nobody_clearly_speaking_keeps_the_person_in_frame():
    both = (face(300, 0.10), face(1600, 0.12))
    track = track_subject(samples(*[both] * 12), WINDOW)
    assert track.switches == ()
    assert {centre[0] for _, centre in track.points} == {300.0}


def test_a_face_missed_briefly_is_held_then_motion_leads():
    frames = [FrameSample(0.0, (face(500),))]
    frames += [FrameSample(0.25 * i, (), (1500.0, 500.0)) for i in range(1, 9)]
    track = track_subject(frames, WINDOW)
    times = [t for t, _ in track.points]
    assert times[0] == 0.0 and min(times[1:]) >= 1.0
    assert all(centre == (1500.0, 500.0) for _, centre in track.points[1:])


def scan(**changes: object) -> SubjectScan:
    base = SubjectScan(1920, 1080, Box(0.0, 140.0, 1920.0, 800.0))
    return attrs.evolve(base, **changes)


def test_reframe_plans_a_path_inside_the_letterbox_free_picture():
    scanned = scan(samples=tuple(samples(*[(face(1500),)] * 8)), cuts=(1.0,))
    planner = FramingService(ScriptedSubjectScanner(scanned))
    framing = planner.plan(Path("a.mp4"), TimeSpan(10, 12), CATALOGUE.get("reframe"))
    assert framing.picture == scanned.picture
    assert framing.crop is not None and (framing.crop.width, framing.crop.height) == (450, 800)
    assert framing.crop.at(0.0)[1] == 140.0
    assert framing.crop.jumps == ()  # the same subject either side of the cut: no jump
    assert framing.face_area is not None
    fx, _, fw, _ = framing.face_area
    assert fx >= 0.0 and fx + fw <= 1.0


def test_split_uses_the_detected_face_cam_else_the_templates_box():
    cam = Box(1300.0, 40.0, 560.0, 320.0)
    split = CATALOGUE.get("split")
    found = FramingService(ScriptedSubjectScanner(scan(face_cam=cam)))
    framing = found.plan(Path("a.mp4"), TimeSpan(0, 5), split)
    assert framing.face_cam == cam
    assert framing.face_area == (0.0, 0.0, 1.0, SPLIT_TOP_SHARE)
    none_found = FramingService(ScriptedSubjectScanner(scan()))
    fallback = none_found.plan(Path("a.mp4"), TimeSpan(0, 5), split)
    assert fallback.face_cam == Box(0.0, 0.0, 1920 * 0.3, 1080 * 0.3)


def test_a_face_cam_set_for_the_source_wins_and_nothing_is_detected():
    scanner = ScriptedSubjectScanner(scan(face_cam=Box(1300.0, 40.0, 560.0, 320.0)))
    cams = as_face_cams("other=0,0,0.1,0.1; mychannel=0.5,0.25,0.25,0.5")
    planner = FramingService(scanner, face_cams=dict(cams))
    framing = planner.plan(
        Path("a.mp4"), TimeSpan(0, 5), CATALOGUE.get("split"), ("mychannel", "vod.mp4")
    )
    assert framing.face_cam == Box(960.0, 270.0, 480.0, 540.0)
    assert scanner.calls[-1][3] is False  # face_cam detection not asked for


@pytest.mark.parametrize(
    "raw", ["name", "a=1,2,3", "a=0.5,0.5,0.6,0.2", "a=x,0,0.1,0.1", "=0,0,0.1,0.1"]
)
def test_a_bad_face_cam_setting_is_refused(raw):
    with pytest.raises(ValueError):
        as_face_cams(raw)


def test_every_default_layout_has_a_plan():
    planner = FramingService(ScriptedSubjectScanner(scan()))
    for template in DEFAULT_TEMPLATES:
        assert planner.plan(Path("a.mp4"), TimeSpan(0, 3), template).picture == scan().picture
