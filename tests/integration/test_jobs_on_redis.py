"""Jobs on real Redis and PostgreSQL: crashes, a poison pill, Redis down, redelivered posts.

The worker runs as a subprocess (``tests/integration/worker_process.py``) through the real
``serve_jobs`` entrypoint, configured by CLIPNET_* variables like ``clipnet worker``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import psycopg
import pytest

from clipnet.container import Container, build_container
from clipnet.domain.clips.model import ClipStatus
from clipnet.domain.jobs.model import Job, JobStatus, JobType
from clipnet.domain.shared.spans import TimeSpan
from clipnet.settings import load_settings
from tests.builders import a_source, a_user
from tests.conftest import require_service
from tests.integration.worker_process import EFFECTS_SQL
from tests.job_harness import REDIS_URL, delete_namespace, fresh_namespace, redis_available
from tests.sql_databases import postgres_available, postgres_schema_url, sql_database
from tests.waiting import wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


@attrs.define
class Services:
    """A PostgreSQL schema and a Redis namespace of this test's own, and settings for both."""

    database_url: str
    namespace: str
    env: dict[str, str]

    @property
    def effects_dsn(self) -> str:
        return self.database_url.replace("postgresql+psycopg://", "postgresql://", 1)

    def container(self, **overrides: str) -> Container:
        return build_container(load_settings({**self.env, **overrides}))

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.effects_dsn, autocommit=True) as connection:
            cursor = connection.execute(query, params)
            return cursor.fetchall() if cursor.description else []


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
            "CLIPNET_LOG_LEVEL": "WARNING",
        }
        found = Services(url, namespace, env)
        found.sql(EFFECTS_SQL)
        try:
            yield found
        finally:
            delete_namespace(namespace)


class WorkerProcess:
    """``clipnet worker`` with the test handlers, in a subprocess we may kill."""

    def __init__(self, services: Services, log: Path, **env: str) -> None:
        self._env = {
            **os.environ,
            **services.env,
            "CLIPNET_TEST_EFFECTS_DSN": services.effects_dsn,
            "CLIPNET_LOG_LEVEL": "INFO",
            **env,
        }
        self._log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        with self._log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.integration.worker_process"],
                cwd=ROOT,
                env=self._env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.starts += 1

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()  # SIGKILL: no shutdown code runs
        self.process.wait()

    def terminate(self) -> int:
        assert self.process is not None
        self.process.terminate()
        return self.process.wait(timeout=60)


def submit(container: Container, job_type: JobType, count: int) -> list[Job]:
    """Commit ``count`` jobs in one transaction and release them, as a request would."""
    outbox = container.outbox()
    with container.uow_factory()() as uow:
        jobs = [outbox.add(uow, job_type, {"n": n}, f"test:{job_type}:{n}") for n in range(count)]
        uow.commit()
    outbox.release(jobs)
    return jobs


def statuses(services: Services) -> dict[str, int]:
    return dict(services.sql("SELECT status, count(*) FROM jobs GROUP BY status"))


def test_a_worker_killed_three_times_loses_no_job_and_runs_each_once_in_effect(
    services: Services, tmp_path: Path
) -> None:
    # given 200 jobs in the outbox and on Redis, each taking a moment
    container = services.container()
    jobs = submit(container, JobType.CLIP_PROCESS, 200)
    worker = WorkerProcess(services, tmp_path / "worker.log", CLIPNET_TEST_JOB_SECONDS="0.08")
    started = time.time()
    worker.start()

    # when the worker is killed with SIGKILL three times while it works, and started again
    kills: list[tuple[float, list[str]]] = []
    for threshold in (30, 70, 110):
        wait_for(
            lambda t=threshold: services.sql("SELECT count(*) FROM effects")[0][0] >= t,
            120,
            f"{threshold} effects",
        )
        running = [r[0] for r in services.sql("SELECT id FROM jobs WHERE status = 'running'")]
        worker.kill()
        kills.append((time.time(), running))
        worker.start()
    wait_for(
        lambda: statuses(services).get("succeeded", 0) == len(jobs), 180, "every job to succeed"
    )
    assert worker.terminate() == 0

    # then every job succeeded and has exactly one side effect; none was lost
    effects = {job_id for (job_id,) in services.sql("SELECT job_id FROM effects")}
    runs = services.sql("SELECT count(*), count(DISTINCT job_id) FROM runs")[0]
    assert effects == {job.id for job in jobs}
    assert statuses(services) == {"succeeded": len(jobs)}
    first_kill: dict[str, float] = {}
    for killed_at, running in kills:  # a job may still wait for its redelivery at a later kill
        for job_id in running:
            first_kill.setdefault(job_id, killed_at)
    recoveries = []
    for job_id, killed_at in first_kill.items():
        [(done_at,)] = services.sql(
            "SELECT extract(epoch FROM finished_at) FROM jobs WHERE id = %s", job_id
        )
        recoveries.append(float(done_at) - killed_at)
    assert recoveries, "no kill landed while a job was running"
    assert max(recoveries) < 120
    print(
        f"\ncrash test: {len(jobs)} jobs, {len(kills)} kills (SIGKILL), "
        f"{worker.starts} worker starts, {time.time() - started:.1f} s in all; "
        f"{runs[0]} handler runs for {runs[1]} jobs ({runs[0] - runs[1]} redelivered), "
        f"{len(effects)} side effects; a killed worker's running jobs ran again after "
        + ", ".join(f"{r:.1f} s" for r in recoveries)
    )


def test_a_job_that_kills_its_worker_every_time_is_quarantined_after_its_tries(
    services: Services, tmp_path: Path
) -> None:
    # given a poison pill (ml:score kills the worker) among ordinary jobs
    container = services.container(CLIPNET_JOB_MAX_ATTEMPTS_BY_TYPE="ml:score=3")
    [pill] = submit(container, JobType.ML_SCORE, 1)
    others = submit(container, JobType.CLIP_PROCESS, 5)
    worker = WorkerProcess(
        services,
        tmp_path / "worker.log",
        CLIPNET_JOB_MAX_ATTEMPTS_BY_TYPE="ml:score=3",
        CLIPNET_WORKER_HEARTBEAT_TIMEOUT="3",
        CLIPNET_WORKER_MAINTENANCE_INTERVAL="0.5",
    )

    # when a supervisor restarts the worker each time it dies
    worker.start()
    deadline = time.monotonic() + 150
    while container.job_admin().show(pill.id).status is not JobStatus.DEAD:
        assert time.monotonic() < deadline, "the poison pill was never quarantined"
        if not worker.alive():
            worker.start()
        time.sleep(0.1)
    wait_for(lambda: statuses(services).get("succeeded", 0) == len(others), 60, "the other jobs")
    assert worker.terminate() == 0

    # then it is dead after its three tries, counted in the job table, and the rest ran
    dead = container.job_admin().show(pill.id)
    assert (dead.status, dead.attempts) == (JobStatus.DEAD, 3)
    assert "quarantined" in dead.last_error and dead.payload == {"n": 0}
    assert worker.starts == 4  # the first start and one after each of the three kills
    print(f"\npoison pill: dead after {dead.attempts} tries, {worker.starts} worker starts")


def test_with_redis_down_a_clip_is_still_created_and_its_job_runs_once_redis_is_back(
    services: Services,
) -> None:
    # given an API whose Redis is unreachable (a closed port)
    api = services.container(CLIPNET_REDIS_URL="redis://127.0.0.1:1/0")
    with api.uow_factory()() as uow:
        uow.users.add(a_user())
        uow.sources.add(a_source())
        uow.commit()

    # when a clip is requested
    clip = api.lifecycle().request("source-1", "user-1", TimeSpan(10, 40))

    # then the request succeeds and the job waits in the outbox
    [job] = api.job_admin().list()
    assert clip.status is ClipStatus.QUEUED
    assert (job.type, job.status, job.dispatched) == (JobType.CLIP_PROCESS, JobStatus.QUEUED, False)
    assert job.payload == {"clip_id": clip.id}

    # and once Redis is back, the worker's relay hands it over and it runs
    back = services.container()
    ran: list[str] = []
    back.job_runner().register(JobType.CLIP_PROCESS, lambda j: ran.append(j.id))
    worker = back.job_worker()
    worker.start()
    try:
        wait_for(lambda: back.job_admin().show(job.id).is_finished, 30, "the job to run")
    finally:
        worker.stop(timeout=5)
    done = back.job_admin().show(job.id)
    assert (done.status, done.attempts, done.dispatched) == (JobStatus.SUCCEEDED, 1, True)
    assert ran == [job.id]


def test_sigterm_lets_the_running_job_finish_and_loses_none_of_the_others(
    services: Services, tmp_path: Path
) -> None:
    # given a worker busy with the first of four slow jobs
    container = services.container()
    jobs = submit(container, JobType.CLIP_PROCESS, 4)
    worker = WorkerProcess(services, tmp_path / "worker.log", CLIPNET_TEST_JOB_SECONDS="1.5")
    worker.start()
    wait_for(lambda: statuses(services).get("running", 0) == 1, 60, "a running job")
    [(running,)] = services.sql("SELECT id FROM jobs WHERE status = 'running'")

    # when it gets SIGTERM
    code = worker.terminate()

    # then it exits cleanly once that job is done, and the rest run on the next start
    assert code == 0
    assert container.job_admin().show(running).status is JobStatus.SUCCEEDED
    worker.start()
    wait_for(lambda: statuses(services) == {"succeeded": len(jobs)}, 60, "the other jobs")
    assert worker.terminate() == 0
    assert services.sql("SELECT count(*) FROM effects") == [(len(jobs),)]
