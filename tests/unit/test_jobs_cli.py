"""``clipnet jobs list|show|retry`` against the embedded profile's SQLite database."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from clipnet.container import build_container
from clipnet.domain.jobs.model import JobStatus, JobType
from clipnet.entrypoints.cli import app
from clipnet.settings import load_settings
from tests.builders import a_job, at

runner = CliRunner()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """An embedded installation holding a dead job and a succeeded one."""
    values = {"CLIPNET_DATA_DIR": str(tmp_path)}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    container = build_container(load_settings(values))
    with container.uow_factory()() as uow:
        uow.jobs.add(
            a_job(
                "job-dead",
                type=JobType.POST_YOUTUBE,
                created_at=at(1),
                status=JobStatus.DEAD,
                attempts=5,
                max_attempts=5,
                last_error="TimeoutError: upload timed out",
                payload={"clip_id": "clip-7"},
                dispatched=True,
            )
        )
        uow.jobs.add(a_job("job-done", created_at=at(2), status=JobStatus.SUCCEEDED))
        uow.commit()
    return values


def test_jobs_list_shows_jobs_newest_first_and_filters_by_status(env: dict[str, str]) -> None:
    everything = runner.invoke(app, ["jobs", "list"])
    dead = runner.invoke(app, ["jobs", "list", "--status", "dead"])

    assert everything.exit_code == 0
    assert [line.split()[0] for line in everything.output.splitlines()] == ["job-done", "job-dead"]
    assert dead.output.split()[:4] == ["job-dead", "post:youtube", "dead", "5/5"]
    assert "TimeoutError: upload timed out" in dead.output


def test_jobs_show_prints_the_payload_attempts_and_last_error(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["jobs", "show", "job-dead"])

    assert result.exit_code == 0
    assert "5 of 5" in result.output and '"clip_id": "clip-7"' in result.output
    assert "upload timed out" in result.output


def test_jobs_retry_puts_a_dead_job_back_in_the_outbox_with_more_tries(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["jobs", "retry", "job-dead", "--attempts", "2"])

    assert result.exit_code == 0, result.output
    job = build_container(load_settings(env)).job_admin().show("job-dead")
    assert (job.status, job.max_attempts, job.dispatched) == (JobStatus.QUEUED, 7, False)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["jobs", "show", "job-nope"], "job 'job-nope' not found"),
        (["jobs", "retry", "job-done"], "cannot go from 'succeeded' to 'queued'"),
    ],
)
def test_a_bad_job_command_is_one_line_not_a_traceback(
    env: dict[str, str], args: list[str], message: str
) -> None:
    result = runner.invoke(app, args)

    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_the_worker_refuses_the_synchronous_memory_queue(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLIPNET_QUEUE", "memory")
    result = runner.invoke(app, ["worker"])
    assert result.exit_code == 2 and "no worker to start" in result.output
