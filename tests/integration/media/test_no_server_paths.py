"""No response names a path on the server: FFmpeg's complaints about an upload reach the client
naming the file, never the temp or storage folder it sat in."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from clipnet.adapters.ffmpeg import FfmpegMediaProcessor
from clipnet.adapters.passwords import Argon2PasswordHasher
from clipnet.entrypoints.http import create_app
from tests import containers
from tests.integration.media.conftest import ffmpeg_binary
from tests.unit.http.conftest import ApiUser

pytestmark = pytest.mark.ffmpeg


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient[Litestar]]:
    ffmpeg_binary()
    settings = containers.memory_settings(
        tmp_path / "data", CLIPNET_STORAGE="local", CLIPNET_STORAGE_DIR=str(tmp_path / "media")
    )
    container = containers.app_container(
        settings, password_hasher=Argon2PasswordHasher.fast_for_tests()
    )
    assert isinstance(container.media(), FfmpegMediaProcessor)  # the real FFmpeg adapter
    with TestClient(create_app(container), raise_server_exceptions=False) as test_client:
        yield test_client


def test_a_damaged_upload_is_a_422_that_names_no_server_path(
    client: TestClient[Litestar], sample_video: Path, tmp_path: Path
) -> None:
    user = ApiUser(client, "paths")
    # an upload whose index is intact (it probes) but whose picture was cut off
    damaged = sample_video.read_bytes()[: sample_video.stat().st_size // 3]
    source_id = user.source(damaged)

    response = client.post(
        "/clips/", json={"source_id": source_id, "mode": "auto", "count": 1}, headers=user.headers
    )

    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert "truncated or damaged" in detail
    for server_path in (tempfile.gettempdir(), str(tmp_path), "clipnet-"):
        assert server_path not in detail
