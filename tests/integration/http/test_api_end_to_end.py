"""The API on real PostgreSQL, Redis and FFmpeg, over real HTTP: upload a generated video, ask
for an "auto" clip, let a ``clipnet worker`` process run the jobs, and read the clip back ready,
scored, with a media link that serves a playable video."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from clipnet.adapters.crypto import new_key
from clipnet.adapters.ffmpeg.sample import SampleSpec, make_sample
from clipnet.container import build_container
from clipnet.domain.shared.spans import TimeSpan
from clipnet.entrypoints.http import create_app
from clipnet.settings import load_settings
from tests.conftest import require_service
from tests.job_harness import REDIS_URL, delete_namespace, fresh_namespace, redis_available
from tests.loopback.asgi import serving
from tests.loopback.media_host import ALLOWED_HOST, Served, media_host
from tests.sql_databases import postgres_available, postgres_schema_url, sql_database

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

PUBLIC_URL = "https://clipnet.example"
#: Generous: two shared cores analyse, cut and encode; the wait ends as soon as the clip is ready.
PIPELINE_TIMEOUT = 300.0
CLIPNET = Path(sys.executable).with_name("clipnet")


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    require_service(redis_available(), "Redis at 127.0.0.1:6379")
    namespace = fresh_namespace()
    with postgres_schema_url() as url, sql_database(url):
        try:
            yield {
                "CLIPNET_DATA_DIR": str(tmp_path / "data"),
                "CLIPNET_DATABASE_URL": url,
                "CLIPNET_QUEUE": "dramatiq",
                "CLIPNET_REDIS_URL": REDIS_URL,
                "CLIPNET_REDIS_NAMESPACE": namespace,
                "CLIPNET_STORAGE": "local",
                "CLIPNET_INFERENCE": "local",
                "CLIPNET_SECRET_KEYS": new_key(),
                "CLIPNET_PUBLIC_URL": PUBLIC_URL,
                "CLIPNET_X264_PRESET": "ultrafast",
                "CLIPNET_LOG_LEVEL": "INFO",
                # the loopback media host of the VOD-link test, and no other private address
                "CLIPNET_ALLOWED_SOURCE_HOSTS": ALLOWED_HOST,
                "CLIPNET_ALLOWED_SOURCE_ADDRESSES": ALLOWED_HOST,
            }
        finally:
            delete_namespace(namespace)


@pytest.fixture
def worker(env: dict[str, str], tmp_path: Path) -> Iterator[Path]:
    """``clipnet worker`` in its own process, on the same database, broker and storage."""
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(CLIPNET), "worker"],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield log
    finally:
        process.terminate()
        process.wait(timeout=60)


@pytest.fixture
def api(env: dict[str, str]) -> Iterator[str]:
    container = build_container(load_settings(env))
    with serving(create_app(container)) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 s of FFmpeg test patterns, exciting (loud, fast cuts) from 20 s to 32 s."""
    out = tmp_path_factory.mktemp("media") / "stream.mp4"
    spec = SampleSpec(
        seconds=40, exciting=TimeSpan(20, 32), width=320, height=180, fps=15, preset="ultrafast"
    )
    return make_sample(out, spec)


def probe(path: Path) -> dict[str, Any]:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
        capture_output=True,
        check=True,
    )
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def wait_until(condition: Callable[[], bool], what: str, log: Path) -> None:
    deadline = time.monotonic() + PIPELINE_TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}; worker log:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)


def signed_in(http: httpx.Client) -> dict[str, str]:
    email, password = "streamer@example.com", "a long enough password"
    assert http.post("/auth/signup", json={"email": email, "password": password}).is_success
    tokens = http.post("/auth/login", json={"email": email, "password": password}).json()
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def test_a_vod_link_is_downloaded_by_the_worker_and_clipped(
    api: str, worker: Path, video: Path
) -> None:
    http = httpx.Client(base_url=api, timeout=120)
    auth = signed_in(http)
    with media_host() as (media_base, host):
        # given a source registered by its link (nothing is fetched by the API)
        host.routes["/vods/friday.mp4"] = Served("video/mp4", video.read_bytes())
        registered = http.post(
            "/sources/url",
            json={"url": f"{media_base}/vods/friday.mp4", "title": "Friday VOD"},
            headers=auth,
        )
        assert registered.status_code == 201, registered.text
        source = registered.json()
        assert source["kind"] == "url" and host.hits == []

        # when its best moment is asked for, the worker downloads, analyses and clips it
        created = http.post(
            "/clips/", json={"source_id": source["id"], "mode": "auto", "count": 1}, headers=auth
        )
        assert created.status_code == 202, created.text
        analysis = created.json()["analysis"]

        def analysed() -> bool:
            status = http.get(f"/jobs/{analysis['id']}", headers=auth).json()["status"]
            assert status != "dead", status
            return bool(status == "succeeded")

        wait_until(analysed, "the VOD to be downloaded and analysed", worker)
        # yt-dlp looked at its start (a media file, not a page), then the worker fetched it
        assert set(host.hits) == {"/vods/friday.mp4"}
    fetched = http.get(f"/sources/{source['id']}", headers=auth).json()
    assert fetched["duration"] == pytest.approx(40, abs=0.5)
    (clip,) = http.get("/clips/", params={"source_id": source["id"]}, headers=auth).json()["items"]
    assert clip["start"] < 32 and clip["end"] > 20  # the exciting part, as for an upload

    def ready() -> bool:
        status = http.get(f"/clips/{clip['id']}", headers=auth).json()["status"]
        assert status not in {"failed", "rejected", "cancelled"}, status
        return bool(status == "ready")

    wait_until(ready, "the VOD's clip to be ready", worker)


def test_an_uploaded_video_becomes_a_ready_scored_playable_auto_clip(
    api: str, worker: Path, video: Path, tmp_path: Path
) -> None:
    http = httpx.Client(base_url=api, timeout=120)
    # given a user with an uploaded video
    email, password = "streamer@example.com", "a long enough password"
    assert http.post("/auth/signup", json={"email": email, "password": password}).is_success
    tokens = http.post("/auth/login", json={"email": email, "password": password}).json()
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    with video.open("rb") as file:
        uploaded = http.post(
            "/sources/upload",
            files={"file": ("friday.mp4", file, "video/mp4")},
            data={"title": "Friday stream"},
            headers=auth,
        )
    assert uploaded.status_code == 201, uploaded.text
    source = uploaded.json()
    assert source["duration"] == pytest.approx(40, abs=0.5)

    # when they ask for the best moment
    created = http.post(
        "/clips/", json={"source_id": source["id"], "mode": "auto", "count": 1}, headers=auth
    )
    # (at once: the source is analysed by a worker, not in the request)
    assert created.status_code == 202, created.text
    analysis = created.json()["analysis"]
    assert analysis["type"] == "source:analyze" and created.json()["items"] == []

    def analysed() -> bool:
        status = http.get(f"/jobs/{analysis['id']}", headers=auth).json()["status"]
        assert status != "dead", status
        return bool(status == "succeeded")

    wait_until(analysed, "the source to be analysed", worker)
    (clip,) = http.get("/clips/", params={"source_id": source["id"]}, headers=auth).json()["items"]
    assert clip["origin"] == "auto"
    # the exciting part is where the automatic clip lies
    assert clip["start"] < 32 and clip["end"] > 20

    # then the worker processes it, and the API shows it ready, with a score and media
    def ready() -> bool:
        status = http.get(f"/clips/{clip['id']}", headers=auth).json()["status"]
        assert status not in {"failed", "rejected", "cancelled"}, status
        return bool(status == "ready")

    wait_until(ready, "the clip to be ready", worker)
    detail = http.get(f"/clips/{clip['id']}", headers=auth).json()
    assert detail["score"]["total"] > 0 and detail["score"]["explanation"]
    assert detail["job"]["status"] == "succeeded"
    listed = http.get("/clips/", params={"status": "ready"}, headers=auth).json()["items"]
    assert [c["id"] for c in listed] == [clip["id"]]
    video_url = detail["media"]["video"]
    assert video_url.startswith(f"{PUBLIC_URL}/media/")

    # and the link serves a playable video of the clip's length
    fetched = http.get(urlsplit(video_url).path)
    assert fetched.status_code == 200 and fetched.headers["content-type"] == "video/mp4"
    (tmp_path / "clip.mp4").write_bytes(fetched.content)
    info = probe(tmp_path / "clip.mp4")
    kinds = {s["codec_type"] for s in info["streams"]}
    assert kinds == {"video", "audio"}
    assert float(info["format"]["duration"]) == pytest.approx(
        detail["end"] - detail["start"], abs=1.0
    )
