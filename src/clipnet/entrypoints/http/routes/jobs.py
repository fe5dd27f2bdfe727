"""Background job status."""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.params import Parameter

from clipnet.domain.access import Actor
from clipnet.domain.job_queries import JobQueries
from clipnet.entrypoints.http import render
from clipnet.entrypoints.http.problems import AUTHED
from clipnet.entrypoints.http.schemas import JobOut
from clipnet.entrypoints.http.security import SECURITY

IdParam = Annotated[str, Parameter(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


@get(
    "/jobs/{job_id:str}",
    responses=AUTHED,
    tags=["jobs"],
    summary="A job's status",
    security=SECURITY,
    sync_to_thread=True,
)
def get_job(job_id: IdParam, actor: Actor, job_queries: JobQueries) -> JobOut:
    return render.job(job_queries.get(actor, job_id))


ROUTES = [get_job]
