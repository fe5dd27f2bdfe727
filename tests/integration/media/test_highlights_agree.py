"""One highlights service, on real media: a generated recording uploaded to the API (the real
Litestar app, in-process) and given to ``clipnet clip`` (embedded, in-memory profile) gets the
same automatic clips from both."""

from __future__ import annotations

from pathlib import Path

import pytest
from dependency_injector import providers
from litestar.testing import TestClient

from clipnet.adapters.ffmpeg.sample import SampleSpec, make_sample
from clipnet.adapters.memory.queue import RecordingJobQueue
from clipnet.adapters.passwords import Argon2PasswordHasher
from clipnet.container import Container, build_container
from clipnet.domain.shared.spans import TimeSpan
from clipnet.entrypoints.http import create_app
from tests.integration.media.conftest import ffmpeg_binary
from tests.unit.http.conftest import ApiUser, clip_command_spans, memory_settings

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]

SHORT = SampleSpec(
    seconds=60.0, exciting=TimeSpan(27.0, 36.0), width=320, height=180, fps=20, preset="ultrafast"
)
TOP = 2
BOUNDS = {"CLIPNET_MIN_CLIP_SECONDS": "10", "CLIPNET_MAX_CLIP_SECONDS": "20"}


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60 s: calm, exciting 27-36 s, calm again."""
    ffmpeg_binary()
    return make_sample(tmp_path_factory.mktemp("agree") / "stream.mp4", SHORT)


def real_media_container(folder: Path) -> Container:
    settings = memory_settings(folder, CLIPNET_X264_PRESET="ultrafast", **BOUNDS)
    return build_container(settings)


def api_spans(recording: Path, folder: Path) -> list[tuple[float, float]]:
    """POST /clips/ in "auto" mode on the uploaded recording (the jobs are only recorded; the
    analysis job is run by hand, the clips' own jobs are not)."""
    container = real_media_container(folder)
    container.queue.override(providers.Singleton(RecordingJobQueue))
    container.password_hasher.override(providers.Object(Argon2PasswordHasher.fast_for_tests()))
    with TestClient(create_app(container), raise_server_exceptions=False) as client:
        alice = ApiUser(client, "alice")
        source_id = alice.source(recording.read_bytes())
        return alice.auto_clip_spans(source_id, TOP, container.job_runner().run)


def cli_spans(recording: Path, folder: Path) -> list[tuple[float, float]]:
    """``clipnet clip RECORDING --top 2`` on the in-memory profile: the spans in clips.json."""
    return clip_command_spans(real_media_container(folder), recording, folder / "clips", TOP)


def test_the_api_and_the_cli_pick_the_same_spans_of_a_real_recording(
    recording: Path, tmp_path: Path
) -> None:
    from_api = api_spans(recording, tmp_path / "api")
    from_cli = cli_spans(recording, tmp_path / "cli")

    assert len(from_api) == 1  # one exciting part: one clip clears the floor, on both paths
    assert from_api == from_cli
    assert any(start < SHORT.exciting.end and end > SHORT.exciting.start for start, end in from_api)
