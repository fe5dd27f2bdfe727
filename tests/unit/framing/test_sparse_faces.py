"""The face detector on every other sample: boxes carried between samples that agree, the
detector called wherever they do not (a face comes or goes, jumps, or the scene cuts)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from clipnet.adapters.opencv.sparse import sparse_faces
from clipnet.domain.shared.geometry import Box


class ScriptedDetector:
    """Returns the boxes scripted for each frame (a frame's one pixel is its index)."""

    def __init__(self, script: Sequence[list[Box]]) -> None:
        self.script = script
        self.looked_at: list[int] = []

    def __call__(self, frame: np.ndarray) -> list[Box]:
        index = int(frame[0, 0])
        self.looked_at.append(index)
        return self.script[index]

    def frames(self) -> np.ndarray:
        return np.arange(len(self.script)).reshape(-1, 1, 1)


def face(x: float, size: float = 100.0) -> list[Box]:
    return [Box(x, 200.0, size, size)]


def test_between_two_samples_that_agree_the_box_is_carried_in_proportion():
    detector = ScriptedDetector([face(100), face(999), face(140)])
    found = sparse_faces(detector.frames(), detector)
    assert sorted(detector.looked_at) == [0, 2]
    assert found[1] == face(120)


def test_with_no_face_anywhere_half_the_samples_are_looked_at_and_the_last():
    detector = ScriptedDetector([[] for _ in range(10)])
    assert sparse_faces(detector.frames(), detector) == [[]] * 10
    assert sorted(detector.looked_at) == [0, 2, 4, 6, 8, 9]


@pytest.mark.parametrize(
    "after",
    [[], face(260), face(100, size=140), [*face(100), *face(600)]],
    ids=["gone", "moved more than its width", "much bigger", "another face"],
)
def test_where_the_samples_disagree_the_one_between_is_looked_at(after: list[Box]) -> None:
    middle = face(105)
    detector = ScriptedDetector([face(100), middle, after])
    found = sparse_faces(detector.frames(), detector)
    assert sorted(detector.looked_at) == [0, 1, 2]
    assert found[1] == middle


def test_no_box_is_carried_across_a_scene_cut():
    detector = ScriptedDetector([face(100), [], face(100)])
    found = sparse_faces(detector.frames(), detector, breaks=[1.5])
    assert found[1] == []


def test_with_a_longer_stride_a_disagreement_is_halved_until_the_samples_agree(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("clipnet.adapters.opencv.sparse.DETECT_STRIDE", 4)
    script = [face(100), face(100), face(100), [], []]
    detector = ScriptedDetector(script)
    found = sparse_faces(detector.frames(), detector)
    assert sorted(detector.looked_at) == [0, 2, 3, 4]
    assert found == script


def test_no_frames_no_boxes():
    detector = ScriptedDetector([])
    assert sparse_faces(detector.frames(), detector) == []
