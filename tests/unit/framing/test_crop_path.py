"""The crop path: bounded pan speed, always inside the picture, still inside the dead zone,
a clean jump at cuts."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from clipnet.domain.framing.model import CropPath
from clipnet.domain.framing.path import PathLimits, crop_path, crop_size
from clipnet.domain.shared.geometry import Box
from tests.strategies import subject_tracks

PICTURE = Box(0.0, 0.0, 1920.0, 1080.0)
SIZE = crop_size(PICTURE, 9 / 16)
LIMITS = PathLimits()


def positions(path: CropPath, fps: float = 30.0) -> list[tuple[float, float, float]]:
    end = path.segments[-1].end
    return [(i / fps, *path.at(i / fps)) for i in range(int(end * fps) + 1)]


def test_a_9_16_window_of_a_1080p_picture_is_its_full_height():
    assert SIZE == (606, 1080)


@given(subject_tracks())
def test_the_window_never_pans_faster_than_the_limit(track):
    duration = track[-1][0] + 1.0
    path = crop_path(PICTURE, SIZE, duration, track)
    limit = LIMITS.max_speed * SIZE[0]
    assert all(segment.speed <= limit + 1e-6 for segment in path.segments)
    assert path.jumps == ()


@given(subject_tracks(), st.floats(0.5, 5.0))
def test_the_window_stays_inside_the_picture(track, extra):
    picture = Box(0.0, 70.0, 1920.0, 940.0)  # a letterboxed picture
    size = crop_size(picture, 9 / 16)
    path = crop_path(picture, size, track[-1][0] + extra, track)
    for _, x, y in positions(path, fps=10):
        assert picture.x - 1e-6 <= x <= picture.right - size[0] + 1e-6
        assert picture.y - 1e-6 <= y <= picture.bottom - size[1] + 1e-6


@given(st.floats(300, 1600), st.lists(st.floats(-1.0, 1.0), min_size=2, max_size=40))
def test_small_moves_inside_the_dead_zone_keep_the_window_still(start, wobbles):
    dead_zone = LIMITS.dead_zone * SIZE[0]
    track = [(i * 0.25, (start + w * dead_zone * 0.95, 540.0)) for i, w in enumerate(wobbles)]
    track[0] = (0.0, (start, 540.0))
    path = crop_path(PICTURE, SIZE, len(track) * 0.25, track)
    corners = {(round(s.x0, 6), round(s.x1, 6)) for s in path.segments}
    assert len({x for pair in corners for x in pair}) == 1


def test_a_subject_that_moves_on_is_followed_until_nearly_centred():
    track = [(t * 0.25, (400.0 + min(t, 8) * 60.0, 540.0)) for t in range(24)]
    path = crop_path(PICTURE, SIZE, 6.0, track)
    x, _ = path.at(6.0)
    assert abs(x + SIZE[0] / 2 - 880.0) <= LIMITS.settle * SIZE[0] + 1e-6


def test_at_a_cut_the_window_jumps_and_never_pans_across():
    track = [(t * 0.25, (400.0, 540.0)) for t in range(12)]
    track += [(3.0 + t * 0.25, (1600.0, 540.0)) for t in range(12)]
    path = crop_path(PICTURE, SIZE, 6.0, track, breaks=[3.0])
    assert path.jumps == (3.0,)
    before, after = path.at(2.99)[0] + SIZE[0] / 2, path.at(3.0)[0] + SIZE[0] / 2
    assert abs(before - 400.0) < 1 and abs(after - 1600.0) < 1
    steps = [abs(b[1] - a[1]) for a, b in itertools.pairwise(positions(path))]
    assert max(steps) > 1000 and sorted(steps)[-2] == 0


def test_a_span_with_no_subject_is_framed_in_the_middle():
    path = crop_path(PICTURE, SIZE, 4.0, [])
    assert path.at(2.0) == ((1920 - SIZE[0]) / 2, 0.0)
