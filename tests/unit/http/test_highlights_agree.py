"""One highlights service: the API's "auto" clips and ``clipnet clip`` pick the same spans of
one recording, because both ask the container's ``HighlightService``.

The fake recording's analysis runs 20 s past its probed length (an audio track longer than the
picture), with a loud, busy stretch straddling the end of the picture: only a caller that keeps
to the probed duration picks the same moments as the other.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import TestClient

from clipnet.adapters.memory.media import FakeMediaProcessor
from clipnet.container import Container
from clipnet.domain.highlights.features import FeatureTimeline
from clipnet.domain.shared.media import MediaInfo
from clipnet.ports.media import MediaError
from tests.unit.http.conftest import FAKE_VIDEO, ApiUser, clip_command_spans, memory_container

PICTURE_SECONDS = 100.0
TIMELINE_SECONDS = 120
TOP = 2
Spans = list[tuple[float, float]]


class LongerAnalysisThanPicture(FakeMediaProcessor):
    """Knows a file by its content: 100 s of picture, a 120-s analysis, loud at 20-35 and
    92-112 s."""

    def probe(self, path: Path) -> MediaInfo:
        self._check(path)
        return MediaInfo(
            duration=PICTURE_SECONDS, has_video=True, has_audio=True, width=1920, height=1080
        )

    def analyze(
        self, path: Path, progress: Callable[[float], None] | None = None
    ) -> FeatureTimeline:
        self._check(path)
        self.analyzed.append(str(path))
        level = [0.1] * TIMELINE_SECONDS
        level[20:35] = [0.9] * 15
        level[92:112] = [0.9] * 20
        return FeatureTimeline(
            TIMELINE_SECONDS, {"loudness": level, "motion": level}, scene_cuts=(25.0, 95.0)
        )

    def _known(self, path: Path) -> tuple[MediaInfo, FeatureTimeline | None]:
        return self.probe(path), None  # cut/polish accept any file this fake recognises

    @staticmethod
    def _check(path: Path) -> None:
        if not Path(path).read_bytes().startswith(b"FAKEVIDEO"):
            raise MediaError(f"{path}: not a video")


@pytest.fixture
def container(tmp_path: Path) -> Container:
    container = memory_container(tmp_path)
    container.media.override(providers.Singleton(LongerAnalysisThanPicture))
    return container


def test_the_api_and_the_cli_pick_the_same_spans_of_one_recording(
    client: TestClient[Litestar], container: Container, alice: ApiUser, tmp_path: Path
) -> None:
    recording = tmp_path / "stream.mp4"
    recording.write_bytes(FAKE_VIDEO)

    from_api = alice.auto_clip_spans(alice.source(recording.read_bytes()), TOP)
    from_cli = clip_command_spans(container, recording, tmp_path / "clips", TOP)

    assert len(from_api) == TOP
    assert from_api == from_cli
    bounds = container.highlights().bounds
    for start, end in from_api:  # every span is a whole clip inside the picture
        assert 0 <= start < end <= PICTURE_SECONDS
        assert bounds.shortest - 1e-6 <= end - start <= bounds.longest + 1e-6
