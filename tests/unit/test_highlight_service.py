"""The one highlights service, through the container: analyses a source once, keeps to its
probed duration, and refuses a source too short for a single clip."""

from __future__ import annotations

from pathlib import Path

import pytest

from clipnet.adapters.memory.media import FakeMediaProcessor
from clipnet.adapters.memory.queue import RecordingJobQueue
from clipnet.container import Container
from clipnet.domain.highlights.candidates import LengthBounds
from clipnet.domain.highlights.features import FeatureTimeline
from clipnet.domain.shared.errors import InvalidInput
from clipnet.domain.shared.media import MediaInfo
from tests.containers import app_container, memory_settings


def loud_at_the_end(seconds: int) -> FeatureTimeline:
    level = [0.1] * seconds
    level[-20:] = [0.9] * 20
    return FeatureTimeline(seconds, {"loudness": level, "motion": level})


@pytest.fixture
def media() -> FakeMediaProcessor:
    return FakeMediaProcessor()


@pytest.fixture
def container(tmp_path: Path, media: FakeMediaProcessor) -> Container:
    return app_container(memory_settings(tmp_path), media=media, queue=RecordingJobQueue())


def info(duration: float) -> MediaInfo:
    return MediaInfo(duration=duration, has_video=True, has_audio=True, width=640, height=360)


def test_the_best_moments_stay_inside_the_probed_duration_and_analysis_runs_once(
    container: Container, media: FakeMediaProcessor
) -> None:
    media.register("/videos/long.mp4", info(80.0), loud_at_the_end(100))  # audio runs on
    service = container.highlights()
    source = service.register_local_file("/videos/long.mp4")
    first = service.clip_best_moments(source.id, 2, LengthBounds(15, 30))
    again = service.clip_best_moments(source.id, 2, LengthBounds(15, 30))
    assert media.analyzed == ["/videos/long.mp4"]
    assert [c.span for c in first] == [c.span for c in again]
    for clip in first:
        assert clip.span.end <= 80.0 and 15 - 1e-6 <= clip.span.duration <= 30 + 1e-6
        assert clip.owner_id == source.owner_id


def test_a_source_too_short_for_one_clip_is_refused_naming_it(
    container: Container, media: FakeMediaProcessor
) -> None:
    media.register("/videos/short.mp4", info(8.0), loud_at_the_end(20))
    service = container.highlights()
    source = service.register_local_file("/videos/short.mp4")
    with pytest.raises(InvalidInput, match=r"/videos/short.mp4: 8.0 s is too short .* 15 s"):
        service.clip_best_moments(source.id, 1)
    assert container.queue().jobs == []
