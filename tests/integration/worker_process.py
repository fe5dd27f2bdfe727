"""A ``clipnet worker`` with test handlers, run as a subprocess by the crash and poison tests.

    python -m tests.integration.worker_process

Settings come from CLIPNET_* variables like the real worker; CLIPNET_TEST_EFFECTS_DSN names the
PostgreSQL connection (with its search_path) holding the side-effect table. Handlers:

- ``clip:process`` records one row per job in ``effects`` (idempotent: keyed by job id) and
  one row per run in ``runs``; it takes CLIPNET_TEST_JOB_SECONDS so a kill lands mid-job.
- ``ml:score`` kills its own process with SIGKILL: a poison pill.
"""

from __future__ import annotations

import logging
import os
import signal
import time

import psycopg

from clipnet.container import build_container
from clipnet.domain.jobs.model import Job, JobType
from clipnet.entrypoints.worker import serve_jobs
from clipnet.settings import load_settings

EFFECTS_SQL = """
CREATE TABLE IF NOT EXISTS effects (job_id text PRIMARY KEY, pid int NOT NULL);
CREATE TABLE IF NOT EXISTS runs (job_id text NOT NULL, pid int NOT NULL, at timestamptz NOT NULL);
"""


class RecordEffect:
    def __init__(self, dsn: str, seconds: float) -> None:
        self._connection = psycopg.connect(dsn, autocommit=True)
        self._seconds = seconds

    def __call__(self, job: Job) -> None:
        pid = os.getpid()
        self._connection.execute(
            "INSERT INTO runs (job_id, pid, at) VALUES (%s, %s, now())", (job.id, pid)
        )
        time.sleep(self._seconds)
        # The idempotent side effect: a redelivered job finds its row and adds nothing.
        self._connection.execute(
            "INSERT INTO effects (job_id, pid) VALUES (%s, %s) ON CONFLICT (job_id) DO NOTHING",
            (job.id, pid),
        )


def kill_myself(job: Job) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(message)s")
    settings = load_settings()
    container = build_container(settings)
    runner = container.job_runner()
    dsn = os.environ["CLIPNET_TEST_EFFECTS_DSN"]
    seconds = float(os.environ.get("CLIPNET_TEST_JOB_SECONDS", "0.02"))
    runner.register(JobType.CLIP_PROCESS, RecordEffect(dsn, seconds))
    runner.register(JobType.ML_SCORE, kill_myself)
    serve_jobs(container)


if __name__ == "__main__":
    main()
