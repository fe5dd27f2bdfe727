"""Many workers on real Redis and PostgreSQL: queue groups keep chat replies fast while long
polishes hold the media threads, heartbeats list the live workers (readiness, ``clipnet jobs
workers``), and ``clipnet worker --processes 2`` runs two processes it stops together."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
import redis
from litestar.testing import TestClient
from typer.testing import CliRunner

from clipnet.adapters.redis_workers import RedisWorkerRegistry
from clipnet.container import Container, build_container
from clipnet.domain.jobs.model import Job, JobType
from clipnet.domain.jobs.workers import WorkerRecord
from clipnet.entrypoints.cli import app
from clipnet.entrypoints.http import create_app
from clipnet.settings import load_settings
from tests.conftest import require_service
from tests.job_harness import (
    REDIS_URL,
    HeldPolishes,
    delete_namespace,
    fresh_namespace,
    redis_available,
)
from tests.sql_databases import postgres_available, postgres_schema_url, sql_database
from tests.waiting import wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


@attrs.define
class Services:
    """A PostgreSQL schema and a Redis namespace of this test's own, and settings for both."""

    namespace: str
    env: dict[str, str]

    def container(self, **overrides: str) -> Container:
        return build_container(load_settings({**self.env, **overrides}))

    def live_workers(self) -> list[WorkerRecord]:
        client = redis.Redis.from_url(REDIS_URL)
        try:
            return RedisWorkerRegistry(client, self.namespace).live()
        finally:
            client.close()


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    require_service(redis_available(), "Redis at 127.0.0.1:6379")
    namespace = fresh_namespace()
    with postgres_schema_url() as url, sql_database(url):
        env = {
            "CLIPNET_DATA_DIR": str(tmp_path),
            "CLIPNET_DATABASE_URL": url,
            "CLIPNET_QUEUE": "dramatiq",
            "CLIPNET_REDIS_URL": REDIS_URL,
            "CLIPNET_REDIS_NAMESPACE": namespace,
            "CLIPNET_WHISPER_MODEL": "off",
            "CLIPNET_LOG_LEVEL": "WARNING",
        }
        try:
            yield Services(namespace, env)
        finally:
            delete_namespace(namespace)


def submit(container: Container, job_type: JobType, count: int) -> list[Job]:
    """Commit ``count`` jobs and release them, as a request would."""
    outbox = container.outbox()
    with container.uow_factory()() as uow:
        jobs = [outbox.add(uow, job_type, {"n": n}, f"test:{job_type}:{n}") for n in range(count)]
        uow.commit()
    outbox.release(jobs)
    return jobs


def test_a_chat_reply_finishes_before_four_long_polishes_holding_every_media_thread(
    services: Services,
) -> None:
    # given a worker with four media threads, each held by a long polish
    container = services.container(CLIPNET_WORKER_QUEUES="media=4,publish=1,chat=1")
    held = HeldPolishes()
    container.job_runner().register(JobType.FFMPEG_POLISH, held.polish)
    container.job_runner().register(JobType.CLIPBOT_POST, held.reply)
    worker = container.job_worker()
    worker.start()
    try:
        polishes = submit(container, JobType.FFMPEG_POLISH, 4)
        wait_for(lambda: held.running == 4, 60, "four polishes running")

        # when a chat reply is queued
        [reply] = submit(container, JobType.CLIPBOT_POST, 1)
        admin = container.job_admin()
        wait_for(lambda: admin.show(reply.id).is_finished, 120, "the reply")

        # then it finished while every polish still held its media thread
        still_running = [admin.show(p.id).status.value for p in polishes]
        held.release()
        jobs = [reply, *polishes]
        wait_for(lambda: all(admin.show(j.id).is_finished for j in jobs), 120, "every job")
        done = {job.id: admin.show(job.id) for job in jobs}
    finally:
        held.release()
        worker.stop(timeout=10)
        container.shutdown_resources()

    assert still_running == ["running"] * 4
    assert held.finished[0] == reply.id
    assert all(done[j.id].status.value == "succeeded" for j in jobs)
    replied_at = done[reply.id].finished_at
    assert replied_at is not None
    assert all(replied_at < done[p.id].finished_at for p in polishes)  # type: ignore[operator]
    answered = (replied_at - done[reply.id].created_at).total_seconds()
    print(f"\nqueue groups: the chat reply was answered {answered:.2f} s after it was queued")


def test_a_worker_beats_on_redis_where_readiness_and_the_cli_see_it_until_it_stops(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in services.env.items():
        monkeypatch.setenv(name, value)
    api = services.container()  # another container: what an API process sees, through Redis
    worker_side = services.container(CLIPNET_WORKER_QUEUES="media=2,publish=0")
    worker = worker_side.job_worker()

    # given a running worker
    worker.start()
    try:
        with TestClient(create_app(api)) as client:
            ready = client.get("/health/ready").json()["workers"]
        listed = CliRunner().invoke(app, ["jobs", "workers"])
    finally:
        worker.stop(timeout=10)

    # then readiness lists it with its queues, and the CLI with its host and pid
    [item] = ready["items"]
    assert (ready["alive"], ready["note"]) == (1, "")
    assert item["id"] == worker_side.worker_heartbeat().worker_id
    assert item["threads"] == {"media": 2, "chat": 1}  # publish is left to other workers
    assert "ffmpeg:polish" in item["queues"] and "clipbot:post" in item["queues"]
    assert "post:youtube" not in item["queues"]
    assert listed.exit_code == 0
    [line] = listed.output.splitlines()
    assert line.split()[:4] == [item["id"], socket.gethostname(), "pid", str(os.getpid())]
    assert "media=2,chat=1" in line

    # and once it stopped, it is gone, and readiness says no worker is alive but stays ready
    assert services.live_workers() == []
    with TestClient(create_app(api)) as client:
        after = client.get("/health/ready")
    assert after.status_code == 200
    assert after.json()["workers"]["alive"] == 0
    assert after.json()["workers"]["note"].startswith("no worker is alive")
    gone = CliRunner().invoke(app, ["jobs", "workers"])
    assert gone.exit_code == 0 and gone.output.startswith("no worker is alive")
    api.shutdown_resources()
    worker_side.shutdown_resources()


class Supervised:
    """``clipnet worker --processes 2`` in a session of its own (killed whole if a test fails)."""

    def __init__(self, services: Services, log: Path, **env: str) -> None:
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "clipnet.entrypoints.cli", "worker", "--processes", "2"],
                cwd=ROOT,
                env={**os.environ, **services.env, "CLIPNET_LOG_LEVEL": "INFO", **env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.log = log

    def wait(self) -> int:
        return self.process.wait(timeout=90)

    def kill_all(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def parent_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def two_children(services: Services, supervisor: Supervised) -> list[WorkerRecord]:
    def both_beat() -> bool:
        assert supervisor.process.poll() is None, supervisor.log.read_text()[-3000:]
        return len(services.live_workers()) == 2

    wait_for(both_beat, 120, "two worker heartbeats")
    return services.live_workers()


def test_two_processes_beat_as_two_workers_and_sigterm_stops_both(
    services: Services, tmp_path: Path
) -> None:
    # given clipnet worker --processes 2
    supervisor = Supervised(services, tmp_path / "worker.log")
    try:
        workers = two_children(services, supervisor)

        # then two worker processes beat, both children of the supervisor
        pids = sorted(w.pid for w in workers)
        assert len(set(pids)) == 2 and supervisor.process.pid not in pids
        assert all(parent_of(pid) == supervisor.process.pid for pid in pids)
        assert all(w.threads == workers[0].threads for w in workers)

        # when the supervisor gets SIGTERM
        supervisor.process.send_signal(signal.SIGTERM)
        code = supervisor.wait()
    finally:
        supervisor.kill_all()

    # then both children stopped cleanly, left the list, and the supervisor exited with 0
    assert code == 0, supervisor.log.read_text()[-3000:]
    assert all(gone(pid) for pid in pids)
    assert services.live_workers() == []
    assert supervisor.log.read_text().count("worker stopped") == 2


def test_a_child_that_dies_stops_the_others_unrestarted_and_its_heartbeat_expires(
    services: Services, tmp_path: Path
) -> None:
    # given two supervised worker processes whose heartbeats live two seconds
    supervisor = Supervised(
        services,
        tmp_path / "worker.log",
        CLIPNET_WORKER_HEARTBEAT_TIMEOUT="2",
        CLIPNET_WORKER_MAINTENANCE_INTERVAL="0.5",
    )
    try:
        killed, other = two_children(services, supervisor)

        # when one is killed (SIGKILL: it cannot leave the list)
        os.kill(killed.pid, signal.SIGKILL)
        code = supervisor.wait()
    finally:
        supervisor.kill_all()

    # then the supervisor stops the other, restarts neither, and says so with status 128 + 9
    log = supervisor.log.read_text()
    assert code == 128 + signal.SIGKILL, log[-3000:]
    assert f"worker process {killed.pid} exited by itself" in log
    assert log.count("worker stopped") == 1  # the other one, gracefully
    assert gone(killed.pid) and gone(other.pid)
    # and the killed one's record expires after its two seconds
    wait_for(lambda: services.live_workers() == [], 30, "the dead worker's record to expire")
