"""Background jobs: one job's status, your failed and dead jobs, retry one."""

from __future__ import annotations

from typing import Annotated

from litestar import get, post
from litestar.params import PathParameter, QueryParameter

from clipnet.entrypoints.http import render
from clipnet.entrypoints.http.di import JobsDep, SettingsDep
from clipnet.entrypoints.http.problems import AUTHED
from clipnet.entrypoints.http.schemas import JobList, JobOut
from clipnet.entrypoints.http.security import SECURITY, ActorDep

IdParam = Annotated[str, PathParameter(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


@get(
    "/jobs",
    responses=AUTHED,
    tags=["jobs"],
    summary="Your failed and dead jobs, newest first, with their last error",
    security=SECURITY,
    sync_to_thread=True,
)
def troubled_jobs(
    actor: ActorDep,
    job_queries: JobsDep,
    settings: SettingsDep,
    limit: Annotated[int, QueryParameter(ge=1, le=1000, description="Page size (capped)")] = 50,
) -> JobList:
    found = job_queries.troubled(actor, min(limit, settings.api.max_page_size))
    return JobList(items=[render.job(j) for j in found])


@get(
    "/jobs/{job_id:str}",
    responses=AUTHED,
    tags=["jobs"],
    summary="A job's status",
    security=SECURITY,
    sync_to_thread=True,
)
def get_job(job_id: IdParam, actor: ActorDep, job_queries: JobsDep) -> JobOut:
    return render.job(job_queries.get(actor, job_id))


@post(
    "/jobs/{job_id:str}/retry",
    responses=AUTHED,
    status_code=200,
    tags=["jobs"],
    summary="Queue a failed or dead job again, with more tries",
    security=SECURITY,
    sync_to_thread=True,
)
def retry_job(job_id: IdParam, actor: ActorDep, job_queries: JobsDep) -> JobOut:
    return render.job(job_queries.retry(actor, job_id))


ROUTES = [troubled_jobs, get_job, retry_job]
