"""A worker killed with SIGKILL in the middle of a VOD link's download: its partial download is
left in its scratch folder, the next worker's start removes it, and the job, delivered again,
downloads the VOD from the start, analyses it and makes its clip."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from clipnet.container import Container, build_container
from clipnet.domain.jobs.model import JobStatus, JobType
from clipnet.domain.sources.model import Source, SourceKind, SourceStatus
from clipnet.settings import load_settings
from tests.builders import a_user
from tests.loopback.media_host import ALLOWED_HOST, MediaHostState, Served, media_host
from tests.waiting import wait_for

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]

CLIPNET = Path(sys.executable).with_name("clipnet")
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def host(short_stream: Path) -> Iterator[tuple[str, MediaHostState]]:
    body = short_stream.read_bytes()
    with media_host() as (base, state):
        # the first worker's two answers (yt-dlp's look at the file's start, the download)
        # send half the VOD, then hang: the worker is mid-download
        state.routes["/vods/friday.mp4"] = Served("video/mp4", body, stall_after=len(body) // 2)
        state.stalls = 2
        yield base, state


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "tmp").mkdir()
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("CLIPNET_")},
        "CLIPNET_PROFILE": "embedded",
        "CLIPNET_DATA_DIR": str(tmp_path / "data"),
        "CLIPNET_QUEUE": "inprocess",
        "CLIPNET_WORKER_SHUTDOWN_TIMEOUT": "1",
        "CLIPNET_ALLOWED_SOURCE_HOSTS": ALLOWED_HOST,
        "CLIPNET_ALLOWED_SOURCE_ADDRESSES": ALLOWED_HOST,
        "CLIPNET_WHISPER_MODEL": "off",
        "CLIPNET_X264_PRESET": "ultrafast",
        "CLIPNET_LOG_LEVEL": "INFO",
        "TMPDIR": str(tmp_path / "tmp"),
    }


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def start_worker(env: dict[str, str], log: Path, started: list[subprocess.Popen[bytes]]) -> int:
    with log.open("ab") as out:
        process = subprocess.Popen(
            [str(CLIPNET), "worker"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    started.append(process)
    return process.pid


def queue_analysis(container: Container, url: str) -> str:
    """A URL source of user-1 and its source:analyze job, in the outbox (the worker sends it)."""
    with container.uow_factory()() as uow:
        uow.users.add(a_user("user-1"))
        source = Source("vod-1", "user-1", SourceKind.URL, url, datetime.now(UTC))
        uow.sources.add(source)
        payload = {"source_id": "vod-1", "owner_id": "user-1", "count": 1}
        job = container.outbox().add(uow, JobType.SOURCE_ANALYZE, payload, "test:vod-1")
        uow.commit()
    return job.id


def partial_downloads(tmp: Path, pid: int) -> list[Path]:
    return [
        file
        for folder in tmp.glob(f"clipnet-{pid}.*-download-*")
        for file in folder.iterdir()
        if file.stat().st_size > 0
    ]


def test_a_download_killed_midway_is_swept_and_done_again_by_the_next_worker(
    host: tuple[str, MediaHostState],
    env: dict[str, str],
    workers: list[subprocess.Popen[bytes]],
    short_stream: Path,
    tmp_path: Path,
) -> None:
    base, state = host
    container = build_container(load_settings(env))
    job_id = queue_analysis(container, f"{base}/vods/friday.mp4")
    tmp, log = tmp_path / "tmp", tmp_path / "worker.log"

    # given a worker in the middle of the VOD's download
    first = start_worker(env, log, workers)
    wait_for(lambda: bool(partial_downloads(tmp, first)), 120, "the download to begin")
    (partial,) = partial_downloads(tmp, first)

    # when it is killed with SIGKILL
    os.kill(first, signal.SIGKILL)
    workers[0].wait(timeout=10)
    assert partial.exists() and partial.stat().st_size < short_stream.stat().st_size

    # then the next worker removes the partial download and downloads the VOD again
    start_worker(env, log, workers)
    wait_for(lambda: not partial.exists(), 60, "the partial download to be removed")

    def done() -> bool:
        with container.uow_factory()() as uow:
            status = uow.jobs.get(job_id).status
        assert status is not JobStatus.DEAD, log.read_text()[-3000:]
        return status is JobStatus.SUCCEEDED

    wait_for(done, 300, "the source:analyze job to succeed")
    with container.uow_factory()() as uow:
        source = uow.sources.get("vod-1")
    assert source.status is SourceStatus.ANALYZED and source.duration == pytest.approx(30, abs=1)
    (stored,) = (tmp_path / "data").glob("**/sources/vod-1/fetched")
    assert stored.read_bytes() == short_stream.read_bytes()
    assert state.hits.count("/vods/friday.mp4") >= 2
    assert not list(tmp.glob("clipnet-*-download-*"))  # no partial download anywhere
    container.shutdown_resources()
