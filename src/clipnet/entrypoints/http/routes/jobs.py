"""Background job status."""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.params import PathParameter

from clipnet.entrypoints.http import render
from clipnet.entrypoints.http.di import JobsDep
from clipnet.entrypoints.http.problems import AUTHED
from clipnet.entrypoints.http.schemas import JobOut
from clipnet.entrypoints.http.security import SECURITY, ActorDep

IdParam = Annotated[str, PathParameter(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


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


ROUTES = [get_job]
