"""``clipnet serve`` on the embedded default (nothing configured but a data folder) is a working
system in one process: the API answers over HTTP and its in-process worker turns an uploaded
video into a ready clip whose media link serves a playable video."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.integration.bot.generated_media import generated_video
from tests.loopback.asgi import free_port

pytestmark = pytest.mark.slow

CLIPNET = Path(sys.executable).with_name("clipnet")
PIPELINE_TIMEOUT = 300.0


@contextmanager
def running_serve(
    tmp_path: Path, *options: str, **env: str
) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """``clipnet serve OPTIONS`` on the embedded default (a data folder and ``env`` only);
    the process and its log. It is killed if the test has not stopped it."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("CLIPNET_")}
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(CLIPNET), "serve", *options],
            env=clean
            | {
                "CLIPNET_DATA_DIR": str(tmp_path / "data"),
                "CLIPNET_X264_PRESET": "ultrafast",
                **env,
            },
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process, log
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes], Path]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running_serve(tmp_path, "--port", str(port), CLIPNET_PUBLIC_URL=base) as (process, log):
        wait_until(lambda: _answers(f"{base}/health/live"), "the server to start", log, 60)
        yield base, process, log


def signed_up(http: httpx.Client) -> dict[str, str]:
    """A new user's Authorization header."""
    credentials = {"email": "me@example.com", "password": "correct horse battery"}
    assert http.post("/auth/signup", json=credentials).status_code == 201
    token = http.post("/auth/login", json=credentials).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def wait_until(condition: Callable[[], bool], what: str, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}; log:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)


def test_clipnet_serve_alone_turns_an_upload_into_a_ready_playable_clip(
    served: tuple[str, subprocess.Popen[bytes], Path], tmp_path: Path
) -> None:
    base, process, log = served
    http = httpx.Client(base_url=base, timeout=60)
    ready = http.get("/health/ready").json()
    workers = ready.pop("workers")
    assert ready == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok"},
        "chat_replies": [],  # no bot credentials: ClipBOT can answer nowhere
    }
    # the serving process is its own worker, with a thread per queue group (two for chat)
    assert (workers["alive"], workers["note"]) == (1, "")
    assert workers["items"][0]["threads"] == {"media": 1, "publish": 1, "chat": 2}
    auth = signed_up(http)
    video = generated_video(tmp_path / "stream.mp4", seconds=20)
    with video.open("rb") as file:
        source = http.post("/sources/upload", files={"file": file}, headers=auth).json()
    created = http.post(
        "/clips/", json={"source_id": source["id"], "start": 2, "end": 18}, headers=auth
    )
    assert created.status_code == 201, created.text
    clip_id = created.json()["items"][0]["id"]

    def ready() -> bool:
        status = http.get(f"/clips/{clip_id}", headers=auth).json()["status"]
        assert status not in {"failed", "rejected", "cancelled"}, log.read_text()[-3000:]
        return bool(status == "ready")

    wait_until(ready, "the clip to be ready", log, PIPELINE_TIMEOUT)
    media = http.get(f"/clips/{clip_id}", headers=auth).json()["media"]
    assert media["video"].startswith(f"{base}/media/clips/{clip_id}/")
    (tmp_path / "clip.mp4").write_bytes(httpx.get(media["video"]).content)
    probed = subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-of", "json", str(tmp_path / "clip.mp4")],
        capture_output=True,
        check=True,
    )
    assert float(json.loads(probed.stdout)["format"]["duration"]) == pytest.approx(16, abs=1)

    # and SIGTERM stops the server and its worker cleanly (uvicorn re-raises the signal once
    # shutdown is complete, so the exit status is the signal's)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) in (0, -signal.SIGTERM)
    written = log.read_text()
    assert "in-process worker started" in written
    assert "ClipBOT replies on: none; not on twitch, discord, x" in written
    assert "Application shutdown complete" in written and "Traceback" not in written


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
def test_without_a_public_url_links_point_where_serve_listens(tmp_path: Path, host: str) -> None:
    # given no CLIPNET_PUBLIC_URL, and a port other than the default 8000
    port = free_port()
    base = f"http://127.0.0.1:{port}"  # 0.0.0.0 (every interface) is linked as 127.0.0.1
    with running_serve(tmp_path, "--host", host, "--port", str(port)) as (process, log):
        wait_until(lambda: _answers(f"{base}/health/live"), "the server to start", log, 60)
        http = httpx.Client(base_url=base, timeout=60)
        auth = signed_up(http)
        video = generated_video(tmp_path / "stream.mp4", seconds=2)
        with video.open("rb") as file:
            uploaded = http.post("/sources/upload", files={"file": file}, headers=auth)
        assert uploaded.status_code == 201, uploaded.text
        # then the upload's media link names the port it listens on, and answers there
        link = uploaded.json()["url"]
        assert link.startswith(f"{base}/media/sources/"), link
        assert httpx.get(link, timeout=30).content == video.read_bytes()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    assert f"links and media URLs start with {base} (CLIPNET_PUBLIC_URL)" in log.read_text()
