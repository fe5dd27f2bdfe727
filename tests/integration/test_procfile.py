"""The Procfile, run as Railway and Heroku-style hosts run it (here through honcho), on the
staging profile with real PostgreSQL and Redis: its web process answers on $PORT, its workers
(two, ``-c worker=2``) take the jobs the API queues, and a clip asked for over HTTP is cut and
polished by a worker. The live events the workers publish (the clip's statuses, the analysis
pass's progress) reach the web process's ``GET /events`` through Redis. Logs are JSON lines
(CLIPNET_LOG_FORMAT=json), and the request's id shows in the worker's line for the job the
request caused."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from clipnet.adapters.ffmpeg.sample import SampleSpec, make_sample
from clipnet.domain.shared.spans import TimeSpan
from tests.loopback.asgi import free_port
from tests.sse import EventReader, Sse
from tests.staging_processes import PROCFILE, ROOT, answers, staging_env
from tests.waiting import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.ffmpeg, pytest.mark.slow]

#: Two shared cores start three Python processes, then cut and encode; the waits end early.
TIMEOUT = 240.0
#: honcho's output: "HH:MM:SS name.N   | text" (names padded to one width).
HONCHO_LINE = re.compile(r"\S+ (?P<process>\S+)\s+\| (?P<text>.*)")


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    with staging_env(tmp_path) as found:
        yield found


class Honcho:
    """``honcho start`` on the repository's Procfile, in a process group of its own."""

    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        empty_env_file = log.with_name("empty.env")
        empty_env_file.write_text("")  # a developer's .env must not leak in
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "honcho",
                    "start",
                    "--no-colour",
                    "-f",
                    str(PROCFILE),
                    "-d",
                    str(ROOT),
                    "-e",
                    str(empty_env_file),
                    "-p",
                    str(port),
                    "-c",
                    "web=1,worker=2",
                ],
                env={**os.environ, **env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def lines_of(self, process: str) -> list[str]:
        """What ``process`` (e.g. ``worker.1``) wrote, without honcho's prefix."""
        found = (HONCHO_LINE.fullmatch(line) for line in self.output().splitlines())
        return [m["text"] for m in found if m is not None and m["process"] == process]

    def json_lines_of(self, process: str) -> list[dict[str, Any]]:
        """The JSON log lines of ``process`` (each must parse: one object a line)."""
        return [json.loads(line) for line in self.lines_of(process) if line.startswith("{")]

    def stop(self) -> int:
        """SIGTERM to honcho, which stops its processes; SIGKILL to the group if it hangs."""
        group = self.process.pid
        if self.process.poll() is None:
            os.killpg(group, signal.SIGTERM)
        try:
            code = self.process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(group, signal.SIGKILL)
            self.process.wait()
            raise
        for _ in range(100):  # the children leave just after honcho
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                return code
            time.sleep(0.1)
        os.killpg(group, signal.SIGKILL)
        raise AssertionError("a Procfile process outlived honcho")


@pytest.fixture
def procfile(env: dict[str, str], tmp_path: Path) -> Iterator[tuple[Honcho, str]]:
    port = free_port()
    honcho = Honcho(env, port, tmp_path / "honcho.log")
    try:
        yield honcho, f"http://127.0.0.1:{port}"
    finally:
        honcho.stop()


def wait(condition: Callable[[], bool], what: str, honcho: Honcho) -> None:
    try:
        wait_for(condition, TIMEOUT, what)
    except AssertionError:
        pytest.fail(f"timed out waiting for {what}; honcho's output:\n{honcho.output()[-4000:]}")


def test_the_procfile_serves_the_api_on_port_and_its_workers_run_the_jobs(
    procfile: tuple[Honcho, str], tmp_path: Path
) -> None:
    honcho, base_url = procfile
    video = make_sample(
        tmp_path / "stream.mp4",
        SampleSpec(
            seconds=10, exciting=TimeSpan(4, 8), width=320, height=180, fps=15, preset="ultrafast"
        ),
    )
    # given the Procfile's processes, started by honcho
    wait(lambda: answers(f"{base_url}/health/ready"), "the web process to be ready", honcho)
    wait(
        lambda: all(
            any("worker started" in line["message"] for line in honcho.json_lines_of(f"worker.{n}"))
            for n in (1, 2)
        ),
        "both workers to start",
        honcho,
    )

    # when a user asks the web process for a clip
    http = httpx.Client(base_url=base_url, timeout=60)
    credentials = {"email": "streamer@example.com", "password": "a long enough password"}
    assert http.post("/auth/signup", json=credentials).is_success
    token = http.post("/auth/login", json=credentials).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    events = EventReader(base_url, token)  # the web process's GET /events, open throughout
    with video.open("rb") as file:
        uploaded = http.post(
            "/sources/upload", files={"file": ("s.mp4", file, "video/mp4")}, headers=auth
        )
    assert uploaded.status_code == 201, uploaded.text
    created = http.post(
        "/clips/",
        json={"source_id": uploaded.json()["id"], "start": 2, "end": 6},
        headers={**auth, "X-Request-ID": "req-procfile-1"},
    )
    assert created.status_code == 201, created.text
    (clip,) = created.json()["items"]

    # then a worker process cuts and polishes it, and the web process shows it ready
    def ready() -> bool:
        status = http.get(f"/clips/{clip['id']}", headers=auth).json()["status"]
        assert status not in {"failed", "rejected", "cancelled"}, status
        return bool(status == "ready")

    wait(ready, "the clip to be ready", honcho)
    job = http.get(f"/clips/{clip['id']}", headers=auth).json()["job"]
    assert job["status"] == "succeeded"
    assert created.headers["x-request-id"] == "req-procfile-1"
    worker_lines = honcho.json_lines_of("worker.1") + honcho.json_lines_of("worker.2")
    [done] = [line for line in worker_lines if "(clip:process) done" in line["message"]]
    assert done["request_id"] == "req-procfile-1"  # from the web process, through the job
    assert {"time", "level", "logger", "message"} <= set(done)
    web_lines = honcho.json_lines_of("web.1")
    assert web_lines, "the web process logs JSON lines under honcho"
    assert not any("(clip:process) done" in line["message"] for line in web_lines)

    # and what the workers did reached the web process's event stream, through Redis
    def saw_ready(seen: list[Sse]) -> bool:
        return any(e.event == "clip.status" and e.data["status"] == "ready" for e in seen)

    with events:
        seen = events.wait_for(saw_ready, timeout=30)
    statuses = [e.data["status"] for e in seen if e.event == "clip.status"]
    assert statuses[0] == "queued" and statuses[-1] == "ready"
    assert {"scoring", "polishing", "uploading"} <= set(statuses)  # each set by a worker
    progress = [e.data["percent"] for e in seen if e.event == "job.progress"]
    assert progress[0] == 0 and progress[-1] == 100  # the analysis pass, in a worker
    analysed = [e.data for e in seen if e.event == "source.status"]
    assert [(d["source_id"], d["status"], d["error"]) for d in analysed] == [
        (uploaded.json()["id"], "analyzing", None),
        (uploaded.json()["id"], "analyzed", None),
    ]
    assert analysed[-1]["duration"] > 9  # the 10 s sample, as the worker probed it
