"""``clipnet jobs``: see background jobs and requeue failed or dead ones; see the live workers."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from clipnet.domain.jobs.model import Job, JobStatus
from clipnet.domain.jobs.workers import WorkerRecord
from clipnet.entrypoints.command_container import command_container

jobs_app = typer.Typer(
    name="jobs",
    help="Background jobs: list them, show one, retry a failed or dead one; the live workers.",
    no_args_is_help=True,
)


def _when(job: Job) -> str:
    moment = job.finished_at or job.started_at or job.created_at
    return moment.strftime("%Y-%m-%d %H:%M:%S")


@jobs_app.command("list")
def list_jobs(
    status: Annotated[
        JobStatus | None, typer.Option(help="Only jobs in this status.", case_sensitive=False)
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many.")] = 50,
) -> None:
    """Jobs, newest first: id, type, status, attempts, last change, last error."""
    with command_container() as container:
        jobs = container.job_admin().list(status, limit)
    for job in jobs:
        error = job.last_error.splitlines()[0][:60] if job.last_error else ""
        typer.echo(
            f"{job.id}  {job.type.value:<14}  {job.status.value:<9}  "
            f"{job.attempts}/{job.max_attempts}  {_when(job)}  {error}".rstrip()
        )
    if not jobs:
        typer.echo("no jobs", err=True)


@jobs_app.command("show")
def show(job_id: str) -> None:
    """Everything recorded about one job, payload and last error included."""
    with command_container() as container:
        job = container.job_admin().show(job_id)
    fields = {
        "id": job.id,
        "type": job.type.value,
        "status": job.status.value,
        "attempts": f"{job.attempts} of {job.max_attempts}",
        "idempotency key": job.idempotency_key,
        "created": job.created_at.isoformat(),
        "started": job.started_at.isoformat() if job.started_at else "",
        "finished": job.finished_at.isoformat() if job.finished_at else "",
        "next try after": job.run_after.isoformat() if job.run_after else "",
        "handed to broker": "yes" if job.dispatched else "no (in the outbox)",
        "last error": job.last_error,
    }
    for name, value in fields.items():
        typer.echo(f"{name + ':':<17} {value}")
    typer.echo(f"{'payload:':<17} {json.dumps(job.payload, indent=2, sort_keys=True)}")


@jobs_app.command("retry")
def retry(
    job_id: str,
    attempts: Annotated[int, typer.Option(min=1, max=100, help="Tries to add.")] = 3,
) -> None:
    """Requeue a failed or dead job with more tries."""
    with command_container() as container:
        job = container.job_admin().retry(job_id, attempts)
    typer.echo(f"job {job.id} ({job.type.value}) requeued with {attempts} more tries")


def _worker_line(worker: WorkerRecord) -> str:
    threads = ",".join(f"{group.value}={count}" for group, count in worker.threads)
    started = worker.started_at.strftime("%Y-%m-%d %H:%M:%S")
    beat = worker.last_beat.strftime("%H:%M:%S")
    return f"{worker.id}  {worker.host}  pid {worker.pid}  {threads}  since {started}  beat {beat}"


@jobs_app.command("workers")
def workers() -> None:
    """The live workers, by their heartbeats: id, host, pid, threads per queue group, when
    each started and last beat."""
    with command_container() as container:
        roll = container.worker_roster().roll()
    for worker in roll.workers:
        typer.echo(_worker_line(worker))
    if roll.note:
        typer.echo(roll.note, err=True)
