"""Jobs/s with 1, 2 and 4 worker processes on I/O-bound jobs: real ``post:youtube`` jobs
publishing ready clips to a loopback YouTube that answers each request after 50 ms.

Run by hand (PostgreSQL at 127.0.0.1:5432 and Redis at 127.0.0.1:6379):

    .venv/bin/python -m bench.workers_bench [--processes 1 2 4] [--jobs 120] [--latency 0.05]

For each process count: a fresh PostgreSQL schema and Redis namespace (the staging profile's
adapters: Dramatiq on Redis, the outbox in PostgreSQL), one user with a linked YouTube
account and ``--jobs`` ready clips (small files in local storage); ``clipnet worker
--processes P --threads 1`` is started and, once every process has sent its heartbeat, all
the posts are asked for at once (``PublishingService.request``, as ``POST /clips/{id}/posts``
does). Reported: the seconds from the first request to the last post recorded as posted, and
jobs/s; the figure is the ratio of P processes' jobs/s to one's (the issue's target: 4 workers
at least 3.2x one). Each post is a resumable upload: its start and one chunk, two requests.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.builders import a_clip, a_source, a_user, an_account
from tests.job_harness import REDIS_URL, delete_namespace, fresh_namespace
from tests.loopback.server import serve
from tests.loopback.youtube import FakeYouTube, YouTubeHandler
from tests.sql_databases import postgres_schema_url, sql_database

from clipnet.adapters.crypto import new_key
from clipnet.container import Container, build_container
from clipnet.domain.clips.model import ClipStatus
from clipnet.domain.publishing.model import PostStatus
from clipnet.domain.publishing.service import PostRequest
from clipnet.domain.shared.access import Actor
from clipnet.domain.shared.platforms import Platform
from clipnet.domain.shared.spans import TimeSpan
from clipnet.settings import load_settings

OWNER = "bench-owner"


class SlowYouTubeHandler(YouTubeHandler):
    """The loopback YouTube, each answer ``LATENCY`` seconds late (a far server)."""

    LATENCY = 0.05

    def route(self, method: str) -> None:
        time.sleep(self.LATENCY)
        super().route(method)


@contextmanager
def slow_youtube(latency: float) -> Iterator[FakeYouTube]:
    fake = FakeYouTube()
    handler = type("Handler", (SlowYouTubeHandler,), {"LATENCY": latency})
    with serve(handler, fake) as base_url:
        fake.base_url = base_url
        yield fake


def seed(container: Container, jobs: int, folder: Path) -> list[str]:
    video = folder / "clip.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 64)
    ids = [f"clip-{n:04d}" for n in range(jobs)]
    with container.uow_factory()() as uow:
        uow.users.add(a_user(OWNER))
        uow.sources.add(a_source("bench-source", owner_id=OWNER, duration=120.0))
        uow.oauth_accounts.save(
            an_account(OWNER, provider=Platform.YOUTUBE, expires_at=None, scopes=("youtube",))
        )
        uow.commit()
    for clip_id in ids:
        key = container.storage().put(f"clips/{clip_id}/video.mp4", video, "video/mp4").key
        with container.uow_factory()() as uow:
            uow.clips.add(
                a_clip(
                    clip_id,
                    source_id="bench-source",
                    owner_id=OWNER,
                    span=TimeSpan(0, 20),
                    title=f"bench {clip_id}",
                    status=ClipStatus.READY,
                    assets={"video": key},
                )
            )
            uow.commit()
    return ids


def posted(container: Container, ids: list[str]) -> int:
    done = 0
    with container.uow_factory()() as uow:
        for clip_id in ids:
            posts = uow.posts.list_for_clip(clip_id)
            done += any(p.status is PostStatus.POSTED for p in posts)
    return done


def one_run(processes: int, jobs: int, latency: float) -> float:
    """Jobs/s of ``processes`` worker processes."""
    namespace = fresh_namespace()
    with (
        tempfile.TemporaryDirectory(prefix="clipnet-workers-") as folder,
        postgres_schema_url() as url,
        sql_database(url),
        slow_youtube(latency) as youtube,
    ):
        env = {
            "CLIPNET_PROFILE": "staging",
            "CLIPNET_DATA_DIR": folder,
            "CLIPNET_DATABASE_URL": url,
            "CLIPNET_REDIS_URL": REDIS_URL,
            "CLIPNET_REDIS_NAMESPACE": namespace,
            "CLIPNET_STORAGE": "local",
            "CLIPNET_INFERENCE": "local",
            "CLIPNET_BLIP_MODEL": "",
            "CLIPNET_CLIP_MODEL": "",
            "CLIPNET_WHISPER_MODEL": "off",
            "CLIPNET_YOUTUBE_API_BASE": youtube.base_url,
            "CLIPNET_SECRET_KEYS": new_key(),
            "CLIPNET_LOG_LEVEL": "WARNING",
        }
        container = build_container(load_settings(env))
        try:
            ids = seed(container, jobs, Path(folder))
            clipnet = Path(sys.executable).with_name("clipnet")
            worker = subprocess.Popen(
                [str(clipnet), "worker", "--processes", str(processes), "--threads", "1"],
                env={**os.environ, **env},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            try:
                wait_for_workers(container, processes)
                began = time.monotonic()
                for clip_id in ids:
                    container.publishing_service().request(
                        Actor(OWNER), clip_id, PostRequest(platform=Platform.YOUTUBE)
                    )
                while posted(container, ids) < len(ids):
                    if time.monotonic() - began > 600:
                        raise SystemExit(f"only {posted(container, ids)} of {len(ids)} posted")
                    time.sleep(0.1)
                seconds = time.monotonic() - began
            finally:
                os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(timeout=60)
            assert len(youtube.videos) == len(ids), "one video per clip"
        finally:
            container.shutdown_resources()
            delete_namespace(namespace)
    return len(ids) / seconds


def wait_for_workers(container: Container, processes: int) -> None:
    deadline = time.monotonic() + 60
    while len(container.worker_registry().live()) < processes:
        if time.monotonic() > deadline:
            raise SystemExit("the worker processes did not start within 60 s")
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--jobs", type=int, default=120)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; {args.jobs} post:youtube jobs, {args.latency * 1000:g} ms "
        "a request"
    )
    rates: dict[int, float] = {}
    for processes in args.processes:
        rates[processes] = one_run(processes, args.jobs, args.latency)
        ratio = rates[processes] / rates[args.processes[0]]
        print(f"{processes} process(es): {rates[processes]:.1f} jobs/s ({ratio:.2f}x)")


if __name__ == "__main__":
    main()
