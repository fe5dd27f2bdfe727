"""An API built through the real container, with in-memory adapters and fakes swapped in."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from rich.console import Console

from clipnet.adapters.memory.media import FakeMediaProcessor
from clipnet.adapters.passwords import Argon2PasswordHasher
from clipnet.container import Container
from clipnet.domain.highlights.features import FeatureTimeline
from clipnet.domain.shared.media import MediaInfo
from clipnet.entrypoints.clip_command import ClipOptions, run_clip_command
from clipnet.entrypoints.http import create_app
from clipnet.ports.media import MediaError
from tests import containers

FAKE_VIDEO = b"FAKEVIDEO" + bytes(range(256)) * 8
"""Bytes the content-probing fake accepts as a 120-second video."""


class ContentProbingMedia(FakeMediaProcessor):
    """Knows a file by its content (uploads land at random temporary paths)."""

    def probe(self, path: Path) -> MediaInfo:
        if Path(path).read_bytes().startswith(b"FAKEVIDEO"):
            return MediaInfo(
                duration=120.0, has_video=True, has_audio=True, width=1920, height=1080
            )
        raise MediaError(f"{path}: not a video")

    def _known(self, path: Path) -> tuple[MediaInfo, FeatureTimeline | None]:
        return self.probe(path), None  # so a clip of an upload can be polished, too

    def analyze(
        self, path: Path, progress: Callable[[float], None] | None = None
    ) -> FeatureTimeline:
        self.analyzed.append(str(path))
        for share in (0.0, 0.5, 1.0):  # as FFmpeg's -progress reports reach it
            if progress is not None:
                progress(share)
        loud = [0.1] * 120
        loud[70:90] = [0.9] * 20  # one obvious highlight at 70-90 s
        return FeatureTimeline(120, {"loudness": loud, "motion": loud}, scene_cuts=(75.0, 80.0))


def memory_settings(tmp_path: Path, **extra: str) -> Any:
    """The in-memory profile, with one host allowed for URL sources."""
    return containers.memory_settings(
        tmp_path, **{"CLIPNET_ALLOWED_SOURCE_HOSTS": "videos.example.com", **extra}
    )


def memory_container(tmp_path: Path, **extra: str) -> Container:
    return containers.app_container(
        memory_settings(tmp_path, **extra),
        media=ContentProbingMedia(),
        password_hasher=Argon2PasswordHasher.fast_for_tests(),
    )


@pytest.fixture
def container(tmp_path: Path) -> Container:
    return memory_container(tmp_path)


@pytest.fixture
def app(container: Container) -> Litestar:
    return create_app(container)


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


_emails = itertools.count(1)


class ApiUser:
    """A signed-up, logged-in user and helpers to call the API as them."""

    def __init__(self, client: TestClient[Litestar], name: str) -> None:
        self.client = client
        self.email = f"{name}-{next(_emails)}@example.com"
        self.password = "correct horse battery"
        created = client.post("/auth/signup", json={"email": self.email, "password": self.password})
        assert created.status_code == 201, created.text
        self.id = created.json()["id"]
        tokens = client.post("/auth/login", json={"email": self.email, "password": self.password})
        assert tokens.status_code == 200, tokens.text
        self.tokens = tokens.json()

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}

    def upload(self, content: bytes = FAKE_VIDEO, title: str = "my stream") -> Any:
        return self.client.post(
            "/sources/upload",
            files={"file": ("stream.mp4", content, "video/mp4")},
            data={"title": title},
            headers=self.headers,
        )

    def source(self, content: bytes = FAKE_VIDEO) -> str:
        response = self.upload(content)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def auto_clip_spans(
        self, source_id: str, count: int, run_job: Callable[[str], object] | None = None
    ) -> list[tuple[float, float]]:
        """``POST /clips/`` in "auto" mode: the spans of the clips it made, in time order. A
        source not analysed yet answers 202 with its analysis job: with a queue that only
        records jobs, ``run_job`` runs it (``container.job_runner().run``) and the clips it
        made are read back."""
        response = self.client.post(
            "/clips/",
            json={"source_id": source_id, "mode": "auto", "count": count},
            headers=self.headers,
        )
        if response.status_code == 202 and run_job is not None:
            run_job(response.json()["analysis"]["id"])
            listed = self.client.get(
                "/clips/", params={"source_id": source_id}, headers=self.headers
            ).json()["items"]
            return sorted((c["start"], c["end"]) for c in listed if c["origin"] == "auto")
        assert response.status_code == 201, response.text
        return sorted((c["start"], c["end"]) for c in response.json()["items"])

    def clip(self, source_id: str, start: float = 10, end: float = 40) -> str:
        response = self.client.post(
            "/clips/",
            json={"source_id": source_id, "start": start, "end": end, "title": "a clip"},
            headers=self.headers,
        )
        assert response.status_code == 201, response.text
        return str(response.json()["items"][0]["id"])


@pytest.fixture
def alice(client: TestClient[Litestar]) -> ApiUser:
    return ApiUser(client, "alice")


@pytest.fixture
def bob(client: TestClient[Litestar]) -> ApiUser:
    return ApiUser(client, "bob")


def clip_command_spans(
    container: Container, recording: Path, out: Path, top: int
) -> list[tuple[float, float]]:
    """``clipnet clip RECORDING --top N`` on ``container``: the spans in clips.json, in order."""
    outcome = run_clip_command(container, ClipOptions(recording, out, top=top), Console(quiet=True))
    assert outcome.failed == []
    document = json.loads(outcome.clips_json.read_text())
    return sorted((c["start"], c["end"]) for c in document["clips"])
